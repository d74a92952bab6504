// Benchmark injector: one eBGP session that sends the synthetic full table (see make_table),
// packed into full UPDATEs per attribute set, then End-of-RIB; then keeps the session up
// (answers KEEPALIVEs) until killed. The UPDATEs are encoded before the session starts, so
// the measured interval is pure sending. Prints one JSON line:
//   {"first_update_ns":..,"last_byte_ns":..,"bytes":..,"updates":..,"prefixes":..}
// Usage: bgp_injector --connect ADDR [--port 179] [--local ADDR] [--asn 64600]
//          [--router-id 1] [--prefixes 1000000] [--attr-sets 100000] [--seed 1]
#include <poll.h>
#include <unistd.h>

#include <cstdio>

#include "args.hpp"
#include "bgp_peer.hpp"
#include "nvabgpd/wire/update_packer.hpp"

using namespace nvabgpd;

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  const auto asn = static_cast<std::uint32_t>(args.num("--asn", 64600));
  const auto local = args.str("--local");
  auto next_hop = base::IpAddress::parse(local.empty() ? "10.0.0.2" : local);
  auto table =
      bench::make_table(args.num("--prefixes", 1'000'000), args.num("--attr-sets", 100'000),
                        args.num("--seed", 1), asn, *next_hop);

  // Group prefixes by attribute set, then pack each group into as few UPDATEs as fit.
  std::vector<std::vector<base::Prefix>> groups(table.attr_sets.size());
  for (std::size_t i = 0; i < table.prefixes.size(); ++i) {
    groups[table.attr_of[i]].push_back(table.prefixes[i]);
  }
  wire::SessionParams params;
  std::vector<std::uint8_t> out;
  std::size_t updates = 0;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (groups[g].empty()) continue;
    auto r = wire::pack_announcements(table.attr_sets[g], groups[g], params, out);
    if (!r) {
      std::fprintf(stderr, "pack failed: %s\n", r.error().c_str());
      return 2;
    }
    updates += r.value().messages;
  }
  wire::pack_end_of_rib(wire::AfiSafi{}, params, out);

  int fd = bench::tcp_connect(local, args.str("--connect", "10.0.0.1"),
                              static_cast<std::uint16_t>(args.num("--port", 179)));
  if (fd < 0) {
    std::perror("connect");
    return 1;
  }
  wire::Framer framer;
  bench::SpeakerConfig cfg{asn, static_cast<std::uint32_t>(args.num("--router-id", 1)), 240};
  if (!bench::handshake(fd, cfg, framer)) return 1;

  auto t0 = bench::now_ns();
  if (!bench::write_all(fd, out.data(), out.size())) {
    std::perror("write");
    return 1;
  }
  auto t1 = bench::now_ns();
  std::printf(
      "{\"first_update_ns\":%lld,\"last_byte_ns\":%lld,\"bytes\":%zu,\"updates\":%zu,"
      "\"prefixes\":%zu,\"attr_sets\":%zu}\n",
      static_cast<long long>(t0), static_cast<long long>(t1), out.size(), updates,
      table.prefixes.size(), table.attr_sets.size());
  std::fflush(stdout);

  // Keep the session up: KEEPALIVE every 60 s (hold 240) and whenever the peer sends one.
  auto ka = bench::keepalive_bytes();
  std::uint8_t buf[65536];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int n = ::poll(&p, 1, 60'000);
    if (n == 0) {
      if (!bench::write_all(fd, ka.data(), ka.size())) return 1;
      continue;
    }
    ssize_t r = ::read(fd, buf, sizeof buf);
    if (r <= 0) return 0;
    framer.feed({buf, static_cast<std::size_t>(r)});
    std::span<const std::uint8_t> msg;
    wire::Notification err;
    while (framer.next(msg, err) == wire::Framer::Status::Message) {
      if (msg.size() >= wire::kHeaderSize && msg[18] == 4) {
        if (!bench::write_all(fd, ka.data(), ka.size())) return 1;
      }
    }
  }
}

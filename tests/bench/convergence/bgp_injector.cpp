// Benchmark injector: one eBGP session that sends the synthetic full table (see make_table),
// packed into full UPDATEs per attribute set, then End-of-RIB; then keeps the session up
// (answers KEEPALIVEs) until killed. The UPDATEs are encoded before the session starts, so
// the measured interval is pure sending. Prints one JSON line:
//   {"first_update_ns":..,"last_byte_ns":..,"bytes":..,"updates":..,"prefixes":..}
// Then reads commands, one per line, on stdin:
//   withdraw  -> sends UPDATEs withdrawing every prefix (encoded beforehand) and prints
//                {"withdraw_first_ns":..,"withdraw_last_ns":..,"bytes":..,"updates":..}
//   announce  -> sends the announcements again, same JSON line as at the start
// --insert-asn A --insert-every K puts ASN A second in the AS path of every K-th attribute
// set (set 0, K, 2K, ...), e.g. 65515 for an export filter that deletes it; the prefixes and
// every other attribute are unchanged.
// Usage: bgp_injector --connect ADDR [--port 179] [--local ADDR] [--asn 64600]
//          [--router-id 1] [--prefixes 1000000] [--attr-sets 100000] [--seed 1]
//          [--insert-asn 0 --insert-every 4]
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>

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
  if (const auto ins = static_cast<std::uint32_t>(args.num("--insert-asn", 0)); ins != 0) {
    const auto every = std::max<std::uint64_t>(1, args.num("--insert-every", 4));
    for (std::size_t g = 0; g < table.attr_sets.size(); g += every) {
      auto& asns = table.attr_sets[g].as_path.segments.front().asns;
      asns.insert(asns.begin() + 1, ins);
    }
  }

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
  std::vector<std::uint8_t> withdrawals;
  const auto wstats = wire::pack_withdrawals(table.prefixes, params, withdrawals);

  // The DUT may still be starting: retry for up to 30 s.
  int fd = -1;
  for (auto deadline = bench::now_ns() + 30'000'000'000LL; fd < 0 && bench::now_ns() < deadline;) {
    fd = bench::tcp_connect(local, args.str("--connect", "10.0.0.1"),
                            static_cast<std::uint16_t>(args.num("--port", 179)));
    if (fd < 0) ::usleep(100'000);
  }
  if (fd < 0) {
    std::perror("connect");
    return 1;
  }
  wire::Framer framer;
  bench::SpeakerConfig cfg{asn, static_cast<std::uint32_t>(args.num("--router-id", 1)), 240};
  if (!bench::handshake(fd, cfg, framer)) return 1;

  auto announce = [&] {
    auto t0 = bench::now_ns();
    if (!bench::write_all(fd, out.data(), out.size())) return false;
    auto t1 = bench::now_ns();
    std::printf(
        "{\"first_update_ns\":%lld,\"last_byte_ns\":%lld,\"bytes\":%zu,\"updates\":%zu,"
        "\"prefixes\":%zu,\"attr_sets\":%zu}\n",
        static_cast<long long>(t0), static_cast<long long>(t1), out.size(), updates,
        table.prefixes.size(), table.attr_sets.size());
    std::fflush(stdout);
    return true;
  };
  auto withdraw = [&] {
    auto t0 = bench::now_ns();
    if (!bench::write_all(fd, withdrawals.data(), withdrawals.size())) return false;
    auto t1 = bench::now_ns();
    std::printf(
        "{\"withdraw_first_ns\":%lld,\"withdraw_last_ns\":%lld,\"bytes\":%zu,"
        "\"updates\":%zu,\"prefixes\":%zu}\n",
        static_cast<long long>(t0), static_cast<long long>(t1), withdrawals.size(), wstats.messages,
        wstats.prefixes);
    std::fflush(stdout);
    return true;
  };
  if (!announce()) {
    std::perror("write");
    return 1;
  }

  // Keep the session up: KEEPALIVE every 60 s (hold 240) and whenever the peer sends one;
  // run the commands read on stdin (until it closes).
  auto ka = bench::keepalive_bytes();
  std::uint8_t buf[65536];
  std::string pending;
  bool stdin_open = true;
  for (;;) {
    pollfd p[2] = {{fd, POLLIN, 0}, {stdin_open ? 0 : -1, POLLIN, 0}};
    int n = ::poll(p, 2, 60'000);
    if (n == 0) {
      if (!bench::write_all(fd, ka.data(), ka.size())) return 1;
      continue;
    }
    if (p[1].revents != 0) {
      char cmd[256];
      ssize_t r = ::read(0, cmd, sizeof cmd);
      if (r <= 0) {
        stdin_open = false;
      } else {
        pending.append(cmd, static_cast<std::size_t>(r));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
          const auto line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          bool ok = true;
          if (line == "withdraw") ok = withdraw();
          if (line == "announce") ok = announce();
          if (!ok) {
            std::perror("write");
            return 1;
          }
        }
      }
    }
    if (p[0].revents == 0) continue;
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

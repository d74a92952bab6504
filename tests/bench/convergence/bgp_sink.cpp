// Benchmark sink: N eBGP sessions in one process (epoll), each decoding UPDATEs with lib/wire
// and tracking which of the expected prefixes (the injector's table for the same
// --prefixes/--seed) it holds. Exits when every session holds every prefix (or --timeout
// seconds pass) and prints one JSON line with each session's completion time.
// Sessions are made either by listening (--listen ADDR, --sessions N) or by connecting to a
// DUT from each of --locals A,B,C (comma list).
// Usage: bgp_sink (--listen ADDR | --connect DUT --locals A,B,..) [--port 179] [--asn 64700]
//          [--prefixes 1000000] [--attr-sets 100000] [--seed 1] [--timeout 600]
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <variant>

#include "args.hpp"
#include "bgp_peer.hpp"

using namespace nvabgpd;

namespace {

struct Session {
  int fd = -1;
  std::string name;
  wire::Framer framer;
  std::vector<bool> held;
  std::size_t count = 0;
  std::size_t unexpected = 0;
  std::size_t updates = 0;
  std::int64_t first_update_ns = 0;
  std::int64_t done_ns = 0;
  std::int64_t eor_ns = 0;
};

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Expected prefix key -> dense index, open addressing (one cache miss per lookup; keys are
// never 0 because every prefix is in 20.0.0.0 and up).
class KeyIndex {
 public:
  explicit KeyIndex(const std::vector<std::uint64_t>& keys) {
    std::size_t cap = 1;
    while (cap < keys.size() * 2) cap <<= 1;
    shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(cap));
    slots_.assign(cap, Slot{});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::size_t h = hash(keys[i]);
      while (slots_[h].key != 0) h = (h + 1) & (cap - 1);
      slots_[h] = Slot{keys[i], static_cast<std::uint32_t>(i)};
    }
  }
  // Index of `key`, or -1 when it is not expected.
  std::int64_t find(std::uint64_t key) const {
    for (std::size_t h = hash(key);; h = (h + 1) & (slots_.size() - 1)) {
      if (slots_[h].key == key) return slots_[h].index;
      if (slots_[h].key == 0) return -1;
    }
  }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t index = 0;
  };
  std::size_t hash(std::uint64_t k) const {
    return static_cast<std::size_t>((k * 0x9E3779B97F4A7C15ULL) >> shift_);
  }
  std::vector<Slot> slots_;
  unsigned shift_ = 0;
};

class Sink {
 public:
  explicit Sink(const std::vector<std::uint64_t>& keys) : index_(keys), expected_(keys.size()) {}

  // Consumes one message; false when the session must end.
  bool on_message(Session& s, std::span<const std::uint8_t> msg) {
    if (msg.size() < wire::kHeaderSize) return false;
    const std::uint8_t type = msg[18];
    if (type == 4) return bench::write_all(s.fd, ka_.data(), ka_.size());
    if (type != 2) return type != 3;  // NOTIFICATION ends it; others are ignored
    auto res = wire::decode(msg, params_);
    if (!res.message) return false;
    const auto& u = std::get<wire::Update>(*res.message);
    ++s.updates;
    if (s.first_update_ns == 0) s.first_update_ns = bench::now_ns();
    for (const auto& p : u.withdrawn) set(s, p, false);
    for (const auto& p : u.nlri) set(s, p, true);
    if (u.end_of_rib() && s.eor_ns == 0) s.eor_ns = bench::now_ns();
    if (s.count == expected_ && s.done_ns == 0) s.done_ns = bench::now_ns();
    return true;
  }

  std::size_t expected() const { return expected_; }

 private:
  void set(Session& s, const base::Prefix& p, bool on) {
    const std::int64_t found = index_.find(bench::prefix_key(p));
    if (found < 0) {
      if (on) ++s.unexpected;
      return;
    }
    const auto idx = static_cast<std::size_t>(found);
    if (s.held[idx] == on) return;
    s.held[idx] = on;
    if (on) {
      ++s.count;
    } else {
      --s.count;
    }
  }

  KeyIndex index_;
  std::size_t expected_;
  wire::SessionParams params_;
  std::vector<std::uint8_t> ka_ = bench::keepalive_bytes();
};

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  auto table =
      bench::make_table(args.num("--prefixes", 1'000'000), args.num("--attr-sets", 100'000),
                        args.num("--seed", 1), 64600, base::IpAddress::v4(0));
  std::vector<std::uint64_t> keys;
  keys.reserve(table.prefixes.size());
  for (const auto& p : table.prefixes) keys.push_back(bench::prefix_key(p));
  table = {};
  Sink sink(keys);
  keys = {};

  const auto port = static_cast<std::uint16_t>(args.num("--port", 179));
  const auto asn = static_cast<std::uint32_t>(args.num("--asn", 64700));
  std::vector<Session> sessions;
  if (!args.str("--listen").empty()) {
    int lfd = bench::tcp_listen(args.str("--listen"), port);
    if (lfd < 0) {
      std::perror("listen");
      return 1;
    }
    std::fprintf(stderr, "listening\n");
    sessions.resize(args.num("--sessions", 1));
    for (auto& s : sessions) {
      s.fd = ::accept(lfd, nullptr, nullptr);
      s.name = "accepted";
    }
    ::close(lfd);
  } else {
    auto locals = split(args.str("--locals"));
    sessions.resize(locals.size());
    auto deadline = bench::now_ns() + 30'000'000'000LL;
    for (std::size_t i = 0; i < locals.size(); ++i) {
      sessions[i].name = locals[i];
      while ((sessions[i].fd = bench::tcp_connect(locals[i], args.str("--connect"), port)) < 0) {
        if (bench::now_ns() > deadline) {
          std::fprintf(stderr, "cannot connect from %s\n", locals[i].c_str());
          return 1;
        }
        ::usleep(100'000);  // the DUT is still starting: retry, bounded by the deadline
      }
    }
  }
  std::uint32_t id = 100;
  for (auto& s : sessions) {
    s.held.assign(sink.expected(), false);
    bench::SpeakerConfig cfg{asn, ++id, 240};
    if (s.fd < 0 || !bench::handshake(s.fd, cfg, s.framer)) {
      std::fprintf(stderr, "session %s failed\n", s.name.c_str());
      return 1;
    }
  }
  std::printf("{\"established\":%zu}\n", sessions.size());
  std::fflush(stdout);

  int ep = ::epoll_create1(0);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, sessions[i].fd, &ev);
  }
  const auto deadline =
      bench::now_ns() + static_cast<std::int64_t>(args.num("--timeout", 600)) * 1'000'000'000LL;
  std::vector<std::uint8_t> buf(1 << 20);
  std::size_t done = 0;
  bool failed = false;
  // Drain anything the handshake left in the framers first.
  for (auto& s : sessions) {
    std::span<const std::uint8_t> msg;
    wire::Notification err;
    while (s.framer.next(msg, err) == wire::Framer::Status::Message) sink.on_message(s, msg);
    if (s.done_ns != 0) ++done;
  }
  while (done < sessions.size() && !failed && bench::now_ns() < deadline) {
    epoll_event evs[64];
    int n = ::epoll_wait(ep, evs, 64, 1000);
    for (int e = 0; e < n; ++e) {
      auto& s = sessions[evs[e].data.u64];
      ssize_t r = ::read(s.fd, buf.data(), buf.size());
      if (r <= 0) {
        std::fprintf(stderr, "session %s closed\n", s.name.c_str());
        failed = true;
        break;
      }
      const bool was_done = s.done_ns != 0;
      s.framer.feed({buf.data(), static_cast<std::size_t>(r)});
      std::span<const std::uint8_t> msg;
      wire::Notification err;
      wire::Framer::Status st;
      while ((st = s.framer.next(msg, err)) == wire::Framer::Status::Message) {
        if (!sink.on_message(s, msg)) failed = true;
      }
      if (st == wire::Framer::Status::Error) failed = true;
      if (!was_done && s.done_ns != 0) ++done;
    }
  }
  std::int64_t all_done = 0;
  std::printf("{\"expected\":%zu,\"complete\":%s,\"sessions\":[", sink.expected(),
              done == sessions.size() ? "true" : "false");
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const auto& s = sessions[i];
    all_done = std::max(all_done, s.done_ns);
    std::printf(
        "%s{\"local\":\"%s\",\"prefixes\":%zu,\"unexpected\":%zu,\"updates\":%zu,"
        "\"first_update_ns\":%lld,\"done_ns\":%lld,\"eor_ns\":%lld}",
        i ? "," : "", s.name.c_str(), s.count, s.unexpected, s.updates,
        static_cast<long long>(s.first_update_ns), static_cast<long long>(s.done_ns),
        static_cast<long long>(s.eor_ns));
  }
  std::printf("],\"all_done_ns\":%lld}\n",
              static_cast<long long>(done == sessions.size() ? all_done : 0));
  for (auto& s : sessions) ::close(s.fd);
  return done == sessions.size() ? 0 : 1;
}

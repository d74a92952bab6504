// Benchmark sink: N eBGP sessions in one process (epoll), each decoding UPDATEs with lib/wire
// and tracking which of the expected prefixes (the injector's table for the same
// --prefixes/--seed, minus the lengths in --exclude-len) it holds, and through which
// neighbour AS (the second ASN of the received path, the one after the DUT's own).
// Sessions are made either by listening (--listen ADDR, --sessions N) or by connecting to a
// DUT from each of --locals A,B,C (comma list). Prints {"established":N} once they are up.
// Then it is driven by commands on stdin, one per line:
//   wait full AS SECS   -> every session holds every expected prefix, via neighbour AS AS
//                          (0: via any AS)
//   wait empty 0 SECS   -> every session holds no prefix
//   stats               -> report now
// and answers each with one JSON line when the condition holds (or SECS pass: "ok":false):
//   {"event":"full","ok":true,"all_done_ns":..,"sessions":[{..,"done_ns":..},..]}
// where done_ns is when that session reached the condition (CLOCK_MONOTONIC) and the
// counters (updates, announced, withdrawn NLRI) count what arrived since the command.
// --watch-asn A counts announced NLRI whose path contains A; --watch-community X:Y counts
// announced NLRI carrying that community (both since the command, to check export filters);
// {"established":..} says whether --watch-prefix P is among the expected prefixes.
// Exits on EOF of stdin, a closed session or an error (a final line with "ok":false).
// Usage: bgp_sink (--listen ADDR | --connect DUT --locals A,B,..) [--port 179] [--asn 64700]
//          [--prefixes 1000000] [--attr-sets 100000] [--seed 1] [--exclude-len 30-32]
//          [--watch-asn 65515] [--watch-community 65001:100] [--watch-prefix 20.0.0.0/24]
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
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
  std::vector<std::uint8_t> via;  // per expected prefix: 0 not held, else neighbour AS slot + 1
  std::size_t count = 0;
  std::array<std::size_t, 256> by_as{};  // prefixes held per neighbour AS slot
  std::size_t unexpected = 0;            // cumulative: announced prefixes not expected
  // Since the last command:
  std::size_t updates = 0, announced = 0, withdrawn = 0, watch_asn = 0, watch_community = 0;
  std::int64_t first_update_ns = 0;
  std::int64_t done_ns = 0;
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

enum class Want { Nothing, Full, Empty };

class Sink {
 public:
  Sink(const std::vector<std::uint64_t>& keys, std::uint32_t watch_asn,
       std::uint32_t watch_community)
      : index_(keys),
        expected_(keys.size()),
        watch_asn_(watch_asn),
        watch_community_(watch_community) {}

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
    s.withdrawn += u.withdrawn.size();
    for (const auto& p : u.withdrawn) set(s, p, 0);
    if (!u.nlri.empty()) {
      const std::uint8_t slot = as_slot(neighbour_as(u.attrs));
      s.announced += u.nlri.size();
      if (watch_asn_ != 0 && path_has(u.attrs, watch_asn_)) s.watch_asn += u.nlri.size();
      if (watch_community_ != 0 && has_community(u.attrs)) s.watch_community += u.nlri.size();
      for (const auto& p : u.nlri) set(s, p, static_cast<std::uint8_t>(slot + 1));
    }
    return true;
  }

  // Whether `s` meets the current wait condition.
  bool satisfied(const Session& s) const {
    switch (want_) {
      case Want::Full:
        return want_as_ == 0 ? s.count == expected_ : s.by_as[as_slot(want_as_)] == expected_;
      case Want::Empty:
        return s.count == 0;
      case Want::Nothing:
        return false;
    }
    return false;
  }

  void want(Want w, std::uint32_t as) {
    want_ = w;
    want_as_ = as;
  }
  Want wanted() const { return want_; }
  std::size_t expected() const { return expected_; }
  const std::vector<std::uint32_t>& as_slots() const { return slots_; }

 private:
  static std::uint32_t neighbour_as(const wire::PathAttributes& a) {
    std::uint32_t first = 0;
    std::size_t seen = 0;
    for (const auto& seg : a.as_path.segments) {
      for (auto asn : seg.asns) {
        if (++seen == 2) return asn;
        first = asn;
      }
    }
    return first;
  }
  static bool path_has(const wire::PathAttributes& a, std::uint32_t asn) {
    for (const auto& seg : a.as_path.segments) {
      if (std::find(seg.asns.begin(), seg.asns.end(), asn) != seg.asns.end()) return true;
    }
    return false;
  }
  bool has_community(const wire::PathAttributes& a) const {
    for (const auto& c : a.communities) {
      if (c.value == watch_community_) return true;
    }
    return false;
  }
  // Slot of a neighbour AS (first come, first served; at most 255 distinct).
  std::uint8_t as_slot(std::uint32_t asn) const {
    auto it = std::find(slots_.begin(), slots_.end(), asn);
    if (it != slots_.end()) return static_cast<std::uint8_t>(it - slots_.begin());
    if (slots_.size() >= 255) return 254;
    slots_.push_back(asn);
    return static_cast<std::uint8_t>(slots_.size() - 1);
  }
  void set(Session& s, const base::Prefix& p, std::uint8_t via) {
    const std::int64_t found = index_.find(bench::prefix_key(p));
    if (found < 0) {
      if (via != 0) ++s.unexpected;
      return;
    }
    auto& cur = s.via[static_cast<std::size_t>(found)];
    if (cur == via) return;
    if (cur != 0) {
      --s.by_as[cur - 1];
      --s.count;
    }
    if (via != 0) {
      ++s.by_as[via - 1];
      ++s.count;
    }
    cur = via;
  }

  KeyIndex index_;
  std::size_t expected_;
  std::uint32_t watch_asn_;
  std::uint32_t watch_community_;
  mutable std::vector<std::uint32_t> slots_;
  Want want_ = Want::Nothing;
  std::uint32_t want_as_ = 0;
  wire::SessionParams params_;
  std::vector<std::uint8_t> ka_ = bench::keepalive_bytes();
};

void report(const char* event, bool ok, const Sink& sink, const std::vector<Session>& sessions) {
  std::int64_t all_done = 0;
  std::printf("{\"event\":\"%s\",\"ok\":%s,\"expected\":%zu,\"sessions\":[", event,
              ok ? "true" : "false", sink.expected());
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    const auto& s = sessions[i];
    all_done = std::max(all_done, s.done_ns);
    std::printf(
        "%s{\"local\":\"%s\",\"prefixes\":%zu,\"unexpected\":%zu,\"updates\":%zu,"
        "\"announced\":%zu,\"withdrawn\":%zu,\"watch_asn\":%zu,\"watch_community\":%zu,"
        "\"first_update_ns\":%lld,\"done_ns\":%lld,\"by_as\":{",
        i ? "," : "", s.name.c_str(), s.count, s.unexpected, s.updates, s.announced, s.withdrawn,
        s.watch_asn, s.watch_community, static_cast<long long>(s.first_update_ns),
        static_cast<long long>(s.done_ns));
    bool first = true;
    for (std::size_t a = 0; a < sink.as_slots().size(); ++a) {
      if (s.by_as[a] == 0) continue;
      std::printf("%s\"%u\":%zu", first ? "" : ",", sink.as_slots()[a], s.by_as[a]);
      first = false;
    }
    std::printf("}}");
  }
  std::printf("],\"all_done_ns\":%lld}\n", static_cast<long long>(ok ? all_done : 0));
  std::fflush(stdout);
}

bool excluded(const base::Prefix& p, unsigned lo, unsigned hi) {
  return lo != 0 && p.len() >= lo && p.len() <= hi;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Args args(argc, argv);
  auto table =
      bench::make_table(args.num("--prefixes", 1'000'000), args.num("--attr-sets", 100'000),
                        args.num("--seed", 1), 64600, base::IpAddress::v4(0));
  unsigned ex_lo = 0, ex_hi = 0;
  if (auto ex = args.str("--exclude-len"); !ex.empty()) {
    std::sscanf(ex.c_str(), "%u-%u", &ex_lo, &ex_hi);
    if (ex_hi < ex_lo) ex_hi = ex_lo;
  }
  const auto watch_prefix = base::Prefix::parse(args.str("--watch-prefix", "0.0.0.0/0"));
  bool watch_prefix_expected = false;
  std::vector<std::uint64_t> keys;
  keys.reserve(table.prefixes.size());
  for (const auto& p : table.prefixes) {
    if (excluded(p, ex_lo, ex_hi)) continue;
    keys.push_back(bench::prefix_key(p));
    if (watch_prefix && p == *watch_prefix) watch_prefix_expected = true;
  }
  table = {};
  std::uint32_t watch_community = 0;
  if (auto c = args.str("--watch-community"); !c.empty()) {
    unsigned hi = 0, lo = 0;
    std::sscanf(c.c_str(), "%u:%u", &hi, &lo);
    watch_community = hi << 16 | lo;
  }
  Sink sink(keys, static_cast<std::uint32_t>(args.num("--watch-asn", 0)), watch_community);
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
    s.via.assign(sink.expected(), 0);
    bench::SpeakerConfig cfg{asn, ++id, 240};
    if (s.fd < 0 || !bench::handshake(s.fd, cfg, s.framer)) {
      std::fprintf(stderr, "session %s failed\n", s.name.c_str());
      return 1;
    }
  }
  std::printf("{\"established\":%zu,\"expected\":%zu,\"watch_prefix_expected\":%s}\n",
              sessions.size(), sink.expected(), watch_prefix_expected ? "true" : "false");
  std::fflush(stdout);

  constexpr std::uint64_t kStdin = ~std::uint64_t{0};
  int ep = ::epoll_create1(0);
  for (std::size_t i = 0; i < sessions.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i;
    ::epoll_ctl(ep, EPOLL_CTL_ADD, sessions[i].fd, &ev);
  }
  epoll_event sev{};
  sev.events = EPOLLIN;
  sev.data.u64 = kStdin;
  ::epoll_ctl(ep, EPOLL_CTL_ADD, 0, &sev);

  std::vector<std::uint8_t> buf(1 << 20);
  std::string pending;
  std::string event;  // the wait being served ("" = none)
  std::int64_t deadline = 0;
  std::size_t done = 0;
  // Called after a session's state changed (or at a new command): updates done/done_ns and
  // answers the wait once every session meets it.
  auto check = [&](Session& s) {
    if (event.empty()) return;
    const bool ok = sink.satisfied(s);
    if (ok && s.done_ns == 0) {
      s.done_ns = bench::now_ns();
      ++done;
    } else if (!ok && s.done_ns != 0) {
      s.done_ns = 0;
      --done;
    }
  };
  auto answer_if_done = [&] {
    if (event.empty() || done < sessions.size()) return;
    report(event.c_str(), true, sink, sessions);
    event.clear();
    sink.want(Want::Nothing, 0);
  };
  auto command = [&](const std::string& line) {
    char kind[16] = {};
    unsigned as = 0, secs = 600;
    if (line == "stats") {
      report("stats", true, sink, sessions);
      return;
    }
    if (std::sscanf(line.c_str(), "wait %15s %u %u", kind, &as, &secs) < 1) return;
    const std::string k = kind;
    sink.want(k == "empty" ? Want::Empty : Want::Full, as);
    event = k;
    std::printf("{\"waiting\":\"%s\",\"as\":%u}\n", kind, as);
    std::fflush(stdout);
    deadline = bench::now_ns() + std::int64_t{secs} * 1'000'000'000LL;
    done = 0;
    for (auto& s : sessions) {
      s.updates = s.announced = s.withdrawn = s.watch_asn = s.watch_community = 0;
      s.first_update_ns = s.done_ns = 0;
      check(s);
    }
    answer_if_done();
  };
  // Drain anything the handshake left in the framers first.
  for (auto& s : sessions) {
    std::span<const std::uint8_t> msg;
    wire::Notification err;
    while (s.framer.next(msg, err) == wire::Framer::Status::Message) sink.on_message(s, msg);
  }
  bool failed = false;
  bool stdin_open = true;
  while (!failed && stdin_open) {
    epoll_event evs[64];
    int n = ::epoll_wait(ep, evs, 64, 200);
    for (int e = 0; e < n && !failed; ++e) {
      if (evs[e].data.u64 == kStdin) {
        char cmd[256];
        ssize_t r = ::read(0, cmd, sizeof cmd);
        if (r <= 0) {
          stdin_open = false;
          break;
        }
        pending.append(cmd, static_cast<std::size_t>(r));
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
          const auto line = pending.substr(0, nl);
          pending.erase(0, nl + 1);
          command(line);
        }
        continue;
      }
      auto& s = sessions[evs[e].data.u64];
      ssize_t r = ::read(s.fd, buf.data(), buf.size());
      if (r <= 0) {
        std::fprintf(stderr, "session %s closed\n", s.name.c_str());
        failed = true;
        break;
      }
      s.framer.feed({buf.data(), static_cast<std::size_t>(r)});
      std::span<const std::uint8_t> msg;
      wire::Notification err;
      wire::Framer::Status st;
      while ((st = s.framer.next(msg, err)) == wire::Framer::Status::Message) {
        if (!sink.on_message(s, msg)) failed = true;
      }
      if (st == wire::Framer::Status::Error) failed = true;
      check(s);
    }
    answer_if_done();
    if (!event.empty() && bench::now_ns() > deadline) {
      report(event.c_str(), false, sink, sessions);
      event.clear();
      sink.want(Want::Nothing, 0);
    }
  }
  if (failed) report(event.empty() ? "error" : event.c_str(), false, sink, sessions);
  for (auto& s : sessions) ::close(s.fd);
  return failed ? 1 : 0;
}

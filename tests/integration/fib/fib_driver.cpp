// fib_driver: drives the real NetlinkFib from text commands on stdin, one per line, for the
// integration tests and the benchmark (run it inside a test namespace with `ip netns exec`).
// Every command answers one line: "ok ..." or "err <reason>".
//
//   start [table=N] [igp_table=N] [proto=N] [metric=N] [max_paths=N] [persist=0|1]
//         [protect=ADDR,ADDR] [monitor_buffer=BYTES]
//   add PREFIX NH [NH...]          install (add or replace)
//   multi add P NH...;del P;...    several deltas in one submitted batch
//   del PREFIX                     withdraw
//   bulk add|del FIRST COUNT [NH...]  COUNT consecutive prefixes of FIRST's length;
//                                  answers "ok <seconds>" once all reached the kernel
//   flush | converged | stats | changes | protect ADDR,ADDR | resolve ADDR | forget ADDR
//   hold | held | release          stall the FIB thread in the next change callback
//   stop [persist|clean]           clean shutdown (default: as configured), then exit
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "nvabgpd/fib/netlink_fib.hpp"

namespace {

using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;
using nvabgpd::fib::FibDelta;
using nvabgpd::fib::NetlinkFib;

// Next hops reported by the change callback; "hold" makes the callback (which runs on the FIB
// thread) wait until "release", to stall the FIB like a slow consumer would.
std::mutex g_changes_mu;
std::condition_variable g_changes_cv;
std::vector<IpAddress> g_changes;
bool g_hold = false;
bool g_held = false;

void on_change(std::vector<IpAddress> changed) {
  std::unique_lock lk(g_changes_mu);
  g_changes.insert(g_changes.end(), changed.begin(), changed.end());
  g_held = g_hold;
  g_changes_cv.wait(lk, [] { return !g_hold; });
  g_held = false;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

bool parse_addrs(const std::vector<std::string>& words, std::size_t from,
                 std::vector<IpAddress>& out) {
  for (std::size_t i = from; i < words.size(); ++i) {
    auto a = IpAddress::parse(words[i]);
    if (!a) return false;
    out.push_back(*a);
  }
  return true;
}

// The n-th prefix after first, stepping by one block of first's length.
Prefix nth_prefix(const Prefix& first, std::uint64_t n) {
  auto bytes = first.addr().bytes();
  const unsigned len = first.len();
  const unsigned shift = nvabgpd::base::max_len(first.family()) - len;
  const std::size_t nbytes = first.addr().byte_len();
  // Add n << shift to the big-endian address, byte by byte from the (shift / 8)-th lowest.
  std::size_t idx = nbytes - shift / 8;
  std::uint64_t carry = n << (shift % 8);
  while (idx > 0 && carry != 0) {
    --idx;
    const std::uint64_t v = bytes[idx] + (carry & 0xffU);
    bytes[idx] = static_cast<std::uint8_t>(v & 0xffU);
    carry = (carry >> 8) + (v >> 8);
  }
  auto a = IpAddress::from_bytes(bytes.data(), nbytes);
  return Prefix::make(*a, len);
}

std::string fmt_stats(const nvabgpd::fib::FibStats& s, std::size_t installed) {
  std::ostringstream o;
  o << "installed=" << installed << " replaced=" << s.replaced << " deleted=" << s.deleted
    << " kernel_errors=" << s.kernel_errors << " unresolved=" << s.unresolved
    << " refused_protected=" << s.refused_protected << " refused_foreign=" << s.refused_foreign
    << " adopted=" << s.adopted << " stale_removed=" << s.stale_removed
    << " kept_adopted=" << s.kept_adopted << " resyncs=" << s.resyncs
    << " pins_installed=" << s.pins_installed << " pins_removed=" << s.pins_removed;
  return o.str();
}

// One command against a started FIB; returns the reply line.
std::string handle(NetlinkFib& fib, const std::vector<std::string>& w) {
  const std::string& cmd = w[0];
  std::vector<IpAddress> addrs;
  if (cmd == "add" || cmd == "del" || cmd == "bulk") {
    const std::size_t at = cmd == "bulk" ? 2 : 1;
    const std::size_t nhs_at = cmd == "bulk" ? 4 : 2;
    auto p = w.size() > at ? Prefix::parse(w[at]) : std::nullopt;
    if (!p || !parse_addrs(w, nhs_at, addrs)) return "err bad arguments";
    if (cmd == "add") {
      fib.submit({FibDelta::install(*p, std::move(addrs))});
      return "ok";
    }
    if (cmd == "del") {
      fib.submit({FibDelta::withdraw(*p)});
      return "ok";
    }
    if (w.size() < 4) return "err bad arguments";
    const auto count = std::stoull(w[3]);
    // The RIB's shape: one shared next-hop set, deltas pointing at it (or at 0: withdraw).
    nvabgpd::fib::FibBatch batch;
    const std::uint32_t set = w[1] == "add" ? 1 : 0;
    if (set == 1) batch.next_hop_sets.push_back(addrs);
    batch.deltas.reserve(count);
    for (std::uint64_t i = 0; i < count; ++i) batch.deltas.push_back({nth_prefix(*p, i), set});
    const auto t0 = std::chrono::steady_clock::now();
    fib.submit(std::move(batch));
    fib.flush();
    const std::chrono::duration<double> dt = std::chrono::steady_clock::now() - t0;
    return "ok " + std::to_string(dt.count());
  }
  if (cmd == "multi") {
    // "multi add P NH;del P;..." submits one batch.
    std::vector<FibDelta> batch;
    std::string rest;
    for (std::size_t i = 1; i < w.size(); ++i) rest += w[i] + " ";
    for (const auto& part : split(rest, ';')) {
      auto ws = split(part, ' ');
      auto p = ws.size() >= 2 ? Prefix::parse(ws[1]) : std::nullopt;
      std::vector<IpAddress> nhs;
      if (!p || !parse_addrs(ws, 2, nhs)) return "err bad arguments";
      batch.push_back(ws[0] == "del" ? FibDelta::withdraw(*p)
                                     : FibDelta::install(*p, std::move(nhs)));
    }
    fib.submit(std::move(batch));
    return "ok";
  }
  if (cmd == "flush") {
    fib.flush();
    return "ok";
  }
  if (cmd == "converged") {
    fib.initial_convergence_done();
    fib.flush();
    return "ok";
  }
  if (cmd == "protect") {
    if (w.size() > 1) parse_addrs(split(w[1], ','), 0, addrs);
    fib.set_protected_addresses(std::move(addrs));
    fib.flush();
    return "ok";
  }
  if (cmd == "resolve") {
    auto a = w.size() == 2 ? IpAddress::parse(w[1]) : std::nullopt;
    if (!a) return "err bad address";
    auto r = fib.resolve(*a);
    if (!r) return "ok unreachable";
    return "ok " + r->gateway.to_string() + " " + std::to_string(r->ifindex) + " " +
           std::to_string(r->igp_metric);
  }
  if (cmd == "forget") {
    auto a = w.size() == 2 ? IpAddress::parse(w[1]) : std::nullopt;
    if (!a) return "err bad address";
    fib.forget(*a);
    return "ok";
  }
  if (cmd == "changes") {
    std::string s = "ok";
    std::lock_guard lk(g_changes_mu);
    for (const auto& a : g_changes) s += " " + a.to_string();
    g_changes.clear();
    return s;
  }
  if (cmd == "hold" || cmd == "release") {
    std::lock_guard lk(g_changes_mu);
    g_hold = cmd == "hold";
    g_changes_cv.notify_all();
    return "ok";
  }
  if (cmd == "held") {
    std::lock_guard lk(g_changes_mu);
    return g_held ? "ok 1" : "ok 0";
  }
  if (cmd == "stats") {
    fib.flush();
    return "ok " + fmt_stats(fib.stats(), fib.installed_count());
  }
  if (cmd == "stop") {
    if (w.size() > 1) {
      fib.stop(w[1] == "persist");
    } else {
      fib.stop();  // as configured
    }
    return "ok " + fmt_stats(fib.stats(), fib.installed_count());
  }
  return "err unknown command";
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  spdlog::set_default_logger(spdlog::stderr_color_mt("fib"));  // stdout carries the replies
  std::unique_ptr<NetlinkFib> fib;
  std::string line;
  auto reply = [](const std::string& s) { std::cout << s << std::endl; };
  while (std::getline(std::cin, line)) {
    auto w = split(line, ' ');
    if (w.empty()) continue;
    const std::string& cmd = w[0];
    if (cmd == "start") {
      nvabgpd::fib::NetlinkFibConfig cfg;
      for (std::size_t i = 1; i < w.size(); ++i) {
        auto kv = split(w[i], '=');
        if (kv.size() != 2) continue;
        const auto& k = kv[0];
        const auto v = kv[1];
        if (k == "table") cfg.table = static_cast<std::uint32_t>(std::stoul(v));
        if (k == "igp_table") cfg.igp_table = static_cast<std::uint32_t>(std::stoul(v));
        if (k == "proto") cfg.protocol = static_cast<std::uint8_t>(std::stoul(v));
        if (k == "metric") cfg.metric = static_cast<std::uint32_t>(std::stoul(v));
        if (k == "max_paths") cfg.max_paths = static_cast<unsigned>(std::stoul(v));
        if (k == "persist") cfg.persist = v == "1";
        if (k == "monitor_buffer") cfg.monitor_buffer_bytes = std::stoi(v);
        if (k == "protect") parse_addrs(split(v, ','), 0, cfg.protected_addresses);
      }
      auto r = NetlinkFib::start(cfg, on_change);
      if (!r) {
        reply("err " + r.error());
        continue;
      }
      fib = std::move(r.value());
      reply("ok");
      continue;
    }
    if (!fib) {
      reply("err not started");
      continue;
    }
    const std::string r = handle(*fib, w);
    reply(r);
    if (cmd == "stop") return 0;
  }
  return 0;
}

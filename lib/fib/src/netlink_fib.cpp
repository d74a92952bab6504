#include "nvabgpd/fib/netlink_fib.hpp"

#include <linux/rtnetlink.h>
#include <malloc.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "netlink_socket.hpp"

namespace nvabgpd::fib {
namespace {

constexpr int kSocketBuffer = 32 << 20;  // acks for a batch and monitor bursts
constexpr std::size_t kMaxBatchBytes = 256 << 10;
// Give freed heap back to the OS (malloc_trim) once the routes we hold fell by this many since
// the last trim, and to at most half: a large withdrawal ends with the memory returned.
constexpr std::size_t kTrimAfterRoutes = 20000;

// KernelPort over a netlink request socket. A chunk of requests goes out in one sendmsg();
// only the chunk's last request asks for an ack. The kernel handles a chunk's requests in
// order inside sendmsg() and answers failures as they happen, so when the final ack arrives
// every error of the chunk is already in the socket: one receive per chunk plus one per
// failure, instead of one per route.
class NetlinkPort final : public KernelPort {
 public:
  NetlinkPort(nl::Socket& s, std::uint32_t table, std::uint8_t protocol)
      : sock_(s), table_(table), protocol_(protocol), rx_(1U << 20) {}

  void apply(std::span<const KernelOp> ops, std::vector<int>& errors) override {
    std::size_t i = 0;
    while (i < ops.size()) {
      buf_.clear();
      const std::size_t first = i;
      const std::uint32_t seq0 = sock_.next_seq(0);
      for (;;) {
        const std::size_t at = buf_.size();
        nl::append_route(buf_, ops[i], table_, protocol_, sock_.next_seq(), false);
        ++i;
        if (i == ops.size() || buf_.size() >= kMaxBatchBytes) {
          nl::request_ack(buf_, at);  // the chunk's last request
          break;
        }
      }
      if (int e = sock_.send(buf_); e != 0) {
        for (std::size_t k = first; k < i; ++k) errors[k] = e;
        if (e == ENOBUFS) overrun_ = true;
        continue;
      }
      collect_replies(seq0, first, i, errors);
    }
  }

  // The socket lost replies (ENOBUFS): the kernel state is unknown, a full resync is due.
  bool take_overrun() { return std::exchange(overrun_, false); }

 private:
  void collect_replies(std::uint32_t seq0, std::size_t first, std::size_t end,
                       std::vector<int>& errors) {
    const std::uint32_t last_seq = seq0 + static_cast<std::uint32_t>(end - first - 1);
    for (bool done = false; !done;) {
      const long n = sock_.recv(rx_, true);
      if (n < 0) {
        if (-n == ENOBUFS) {
          overrun_ = true;  // some replies are gone; the resync finds out what happened
          return;
        }
        spdlog::error("fib: netlink receive failed: {}", std::strerror(static_cast<int>(-n)));
        for (std::size_t k = first; k < end; ++k) errors[k] = static_cast<int>(-n);
        return;
      }
      nl::for_each_message(std::span(rx_.data(), static_cast<std::size_t>(n)),
                           [&](const nlmsghdr& h) {
                             if (h.nlmsg_type != NLMSG_ERROR) return true;
                             const std::uint32_t k = h.nlmsg_seq - seq0;
                             if (k < end - first) errors[first + k] = nl::parse_error(h);
                             if (h.nlmsg_seq == last_seq) done = true;
                             return true;
                           });
    }
  }

  nl::Socket& sock_;
  std::uint32_t table_;
  std::uint8_t protocol_;
  std::vector<std::uint8_t> buf_;
  std::vector<std::uint8_t> rx_;
  bool overrun_ = false;
};

struct CacheEntry {
  std::optional<ResolvedNextHop> res;
  bool watched = false;  // asked for by resolve(); reported to the change callback
};

}  // namespace

class NetlinkFib::Worker {
 public:
  Worker(NetlinkFibConfig cfg, NextHopChangeFn cb, FibBatchDoneFn on_batches)
      : cfg_(std::move(cfg)),
        igp_table_id_(cfg_.igp_table != 0 ? cfg_.igp_table : cfg_.table),
        on_change_(std::move(cb)),
        on_batches_(std::move(on_batches)),
        igp_(igp_table_id_),
        port_(req_, cfg_.table, cfg_.protocol),
        engine_(FibEngineConfig{cfg_.table, cfg_.protocol, cfg_.metric, cfg_.max_paths, 2048, true},
                port_, igp_) {}

  ~Worker() {
    if (event_fd_ >= 0) ::close(event_fd_);
  }

  std::optional<std::string> open() {
    auto req = nl::Socket::open({}, kSocketBuffer);
    if (!req) return req.error();
    req_ = std::move(req.value());
    const std::array<unsigned, 5> groups{RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                         RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE};
    auto mon = nl::Socket::open(groups, cfg_.monitor_buffer_bytes);
    if (!mon) return mon.error();
    mon_ = std::move(mon.value());
    if (!mon_.filter_out_protocol(cfg_.protocol)) {
      spdlog::warn("fib: cannot filter our own route notifications: {}", std::strerror(errno));
    }
    event_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (event_fd_ < 0) return std::string("eventfd: ") + std::strerror(errno);
    engine_.set_protected(cfg_.protected_addresses);
    // Monitoring is on before the dump, so nothing that happens after it is missed. A dump
    // interrupted by concurrent changes is simply run again.
    std::optional<std::string> err;
    for (int attempt = 0; attempt < 5; ++attempt) {
      if (!(err = full_resync(true))) break;
    }
    {
      std::lock_guard lk(q_mu_);  // stats() right after start() shows what was adopted
      stats_ = engine_.stats();
      installed_count_ = engine_.installed_count();
    }
    return err;
  }

  void run() {
    thread_ = std::thread([this] { loop(); });
  }

  void submit(FibBatch batch) {
    {
      std::lock_guard lk(q_mu_);
      queue_.push_back(std::move(batch));
      queued_at_.push_back(std::chrono::steady_clock::now());
      ++submitted_;
    }
    wake();
  }

  void converge() {
    {
      std::lock_guard lk(q_mu_);
      converge_req_ = true;
      ++submitted_;
    }
    wake();
  }

  void set_protected(std::vector<base::IpAddress> addrs) {
    {
      std::lock_guard lk(q_mu_);
      protected_req_ = std::move(addrs);
      ++submitted_;
    }
    wake();
  }

  std::optional<ResolvedNextHop> resolve(const base::IpAddress& a) {
    std::lock_guard lk(igp_mu_);
    auto res = igp_.resolve(a);
    // A known entry keeps the value the worker last saw: if the IGP changed since, the
    // worker's next refresh still finds the difference and reprograms the routes using it.
    auto [it, fresh] = cache_.try_emplace(a);
    if (fresh) it->second.res = res;
    it->second.watched = true;
    return res;
  }

  void forget(const base::IpAddress& a) {
    std::lock_guard lk(igp_mu_);
    if (auto it = cache_.find(a); it != cache_.end()) it->second.watched = false;
  }

  void flush() {
    std::unique_lock lk(q_mu_);
    const auto target = ++submitted_;
    lk.unlock();
    wake();
    lk.lock();
    done_cv_.wait(lk, [&] { return done_ >= target || exited_; });
  }

  void stop(bool persist) {
    {
      std::lock_guard lk(q_mu_);
      if (stop_req_) return;
      stop_req_ = true;
      persist_ = persist;
    }
    wake();
    if (thread_.joinable()) thread_.join();
  }

  FibStats stats() const {
    std::lock_guard lk(q_mu_);
    return stats_;
  }
  std::size_t installed_count() const {
    std::lock_guard lk(q_mu_);
    return installed_count_;
  }

 private:
  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(event_fd_, &one, sizeof one);
  }

  // The engine gives its table back as routes leave; glibc keeps the freed pages of this
  // thread's arena mapped until trimmed. Also the batches' memory (the daemon's deltas).
  void trim_after_large_drop() {
    const std::size_t now = std::max(engine_.installed_count(), engine_.wanted_count());
    held_peak_ = std::max(held_peak_, now);
    if (held_peak_ - now >= kTrimAfterRoutes && now <= held_peak_ / 2) {
      ::malloc_trim(0);
      held_peak_ = now;
    }
  }

  // Reads links and routes afresh. initial: our routes are adopted; otherwise the engine's
  // view of the kernel is replaced by what the kernel really holds.
  std::optional<std::string> full_resync(bool initial) {
    IgpTable fresh(igp_table_id_);
    std::map<int, base::IpAddress> fresh_tunnels;
    int err = nl::dump(req_, RTM_GETLINK, AF_UNSPEC, [&](const nlmsghdr& h) {
      auto l = nl::parse_link(h);
      if (!l) return;
      fresh.set_link(l->ifindex, l->usable);
      if (l->tunnel_remote) fresh_tunnels.emplace(l->ifindex, *l->tunnel_remote);
    });
    std::vector<KernelRoute> ours;
    for (std::uint8_t fam : {std::uint8_t{AF_INET}, std::uint8_t{AF_INET6}}) {
      if (err != 0) break;
      err = nl::dump(req_, RTM_GETROUTE, fam, [&](const nlmsghdr& h) {
        auto p = nl::parse_route(h);
        if (!p) return;
        const auto& r = p->route;
        if (r.protocol == cfg_.protocol) {
          if (r.table == cfg_.table) ours.push_back(nl::to_kernel_route(r));
          return;
        }
        if (!p->ignored && (r.table == igp_table_id_ || r.table == cfg_.table)) {
          fresh.upsert(p->route);
        }
      });
    }
    if (err != 0) {
      std::string msg = std::string("fib: netlink dump failed: ") + std::strerror(err);
      spdlog::error("{}", msg);
      return msg;
    }
    {
      std::lock_guard lk(igp_mu_);
      igp_ = std::move(fresh);
    }
    if (initial) {
      spdlog::info("fib: adopting {} route(s) with protocol {} from table {}", ours.size(),
                   cfg_.protocol, cfg_.table);
      engine_.adopt(std::move(ours));
    } else {
      spdlog::info("fib: full resync ({} of our routes in the kernel)", ours.size());
      engine_.resync(std::move(ours));
    }
    set_tunnels(std::move(fresh_tunnels));
    refresh_cache(false);
    return std::nullopt;
  }

  // Recomputes the resolution of every watched next hop; returns those that changed and tells
  // the engine (reprogram) and the caller (re-run best path).
  void refresh_cache(bool tell_engine) {
    std::vector<base::IpAddress> changed;
    std::vector<base::IpAddress> changed_watched;
    {
      std::lock_guard lk(igp_mu_);
      // Next hops new to the engine start with their current resolution (it is what the
      // engine just programmed); entries nobody uses any more are dropped.
      const auto engine_nhs = engine_.wanted_next_hops();
      std::unordered_set<base::IpAddress> used(engine_nhs.begin(), engine_nhs.end());
      for (const auto& nh : engine_nhs) {
        auto [it, fresh] = cache_.try_emplace(nh);
        if (fresh) it->second.res = igp_.resolve(nh);
      }
      for (auto it = cache_.begin(); it != cache_.end();) {
        if (!it->second.watched && !used.contains(it->first)) {
          it = cache_.erase(it);
          continue;
        }
        auto res = igp_.resolve(it->first);
        if (res != it->second.res) {
          it->second.res = res;
          changed.push_back(it->first);
          if (it->second.watched) changed_watched.push_back(it->first);
        }
        ++it;
      }
    }
    if (tell_engine) engine_.reresolve(changed);
    if (!changed_watched.empty() && on_change_) on_change_(std::move(changed_watched));
  }

  // Drains the monitor socket. Returns true when the IGP table changed.
  bool drain_monitor() {
    bool changed = false;
    std::vector<nl::ParsedRoute> routes;
    std::vector<std::pair<nl::ParsedRoute, bool>> updates;  // route, deleted
    for (;;) {
      const long n = mon_.recv(mon_buf_, false);
      if (n == -EAGAIN || n == -EWOULDBLOCK) break;
      if (n == -ENOBUFS) {
        spdlog::warn("fib: netlink monitor overrun, full resync");
        need_resync_ = true;
        continue;
      }
      if (n < 0) {
        spdlog::error("fib: netlink monitor: {}", std::strerror(static_cast<int>(-n)));
        break;
      }
      nl::for_each_message(
          std::span(mon_buf_.data(), static_cast<std::size_t>(n)), [&](const nlmsghdr& h) {
            switch (h.nlmsg_type) {
              case RTM_NEWLINK:
              case RTM_DELLINK:
                on_link(h);
                break;
              case RTM_NEWADDR:
              case RTM_DELADDR:
                // Address changes come with route changes, but routes via
                // a link can vanish silently: read everything again.
                need_resync_ = true;
                break;
              case RTM_NEWROUTE:
              case RTM_DELROUTE:
                if (auto p = nl::parse_route(h)) {
                  updates.emplace_back(std::move(*p), h.nlmsg_type == RTM_DELROUTE);
                }
                break;
              default:
                break;
            }
            return true;
          });
    }
    if (updates.empty()) return changed;
    std::lock_guard lk(igp_mu_);
    for (auto& [p, deleted] : updates) {
      auto& r = p.route;
      if (r.protocol == cfg_.protocol || p.ignored) continue;
      if (r.table != igp_table_id_ && r.table != cfg_.table) continue;
      if (deleted) {
        igp_.remove(r.prefix, r.table, r.metric);
      } else {
        igp_.upsert(std::move(r));
      }
      changed = true;
    }
    return changed;
  }

  // Tunnel endpoints (ifindex -> remote) are protected addresses (see fib.hpp).
  void set_tunnels(std::map<int, base::IpAddress> now) {
    if (now == tunnels_) return;
    for (const auto& [ifindex, remote] : now) {
      auto it = tunnels_.find(ifindex);
      if (it == tunnels_.end() || it->second != remote) {
        spdlog::info("fib: link {} is a tunnel to {}: protecting it", ifindex, remote);
      }
    }
    tunnels_ = std::move(now);
    std::vector<base::IpAddress> remotes;
    for (const auto& [ifindex, remote] : tunnels_) remotes.push_back(remote);
    engine_.set_tunnel_endpoints(std::move(remotes));
  }

  void on_link(const nlmsghdr& h) {
    auto l = nl::parse_link(h);
    if (!l) return;
    {
      auto now = tunnels_;
      if (l->tunnel_remote) {
        now.insert_or_assign(l->ifindex, *l->tunnel_remote);
      } else {
        now.erase(l->ifindex);
      }
      set_tunnels(std::move(now));
    }
    std::optional<bool> old;
    {
      std::lock_guard lk(igp_mu_);
      old = igp_.link_usable(l->ifindex);
    }
    if (h.nlmsg_type == RTM_DELLINK || !old || *old != l->usable) {
      // The kernel flushes routes of a downed or deleted link without telling anyone.
      spdlog::info("fib: link {} {}", l->ifindex,
                   h.nlmsg_type == RTM_DELLINK ? "removed" : (l->usable ? "up" : "down"));
      need_resync_ = true;
    }
  }

  void loop() {
    std::array<pollfd, 2> fds{pollfd{event_fd_, POLLIN, 0}, pollfd{mon_.fd(), POLLIN, 0}};
    for (;;) {
      // A failed resync is retried after a pause; a pending one runs at once.
      const int timeout = need_resync_ ? (resync_failures_ > 0 ? 100 : 0) : -1;
      if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
        spdlog::error("fib: poll: {}", std::strerror(errno));
      }
      std::uint64_t cnt = 0;
      [[maybe_unused]] auto rd = ::read(event_fd_, &cnt, sizeof cnt);

      const bool igp_changed = drain_monitor();
      if (port_.take_overrun()) need_resync_ = true;
      if (need_resync_) {
        need_resync_ = false;
        if (full_resync(false)) {
          need_resync_ = true;
          ++resync_failures_;
        } else {
          resync_failures_ = 0;
        }
      } else if (igp_changed) {
        refresh_cache(true);
      }

      std::vector<FibBatch> batches;
      std::vector<std::chrono::steady_clock::time_point> queued_at;
      std::optional<std::vector<base::IpAddress>> prot;
      bool converge = false;
      bool stop = false;
      bool persist = false;
      std::uint64_t gen = 0;
      {
        std::lock_guard lk(q_mu_);
        batches.swap(queue_);
        queued_at.swap(queued_at_);
        prot.swap(protected_req_);
        converge = std::exchange(converge_req_, false);
        stop = stop_req_;
        persist = persist_;
        gen = submitted_;
      }
      if (prot) {
        engine_.set_protected(std::move(*prot));  // re-evaluates the routes it concerns
      }
      std::vector<FibBatchReport> reports;
      if (!batches.empty()) {
        reports.reserve(batches.size());
        for (std::size_t i = 0; i < batches.size(); ++i) {
          const std::uint64_t errors_before = engine_.stats().kernel_errors;
          engine_.apply(batches[i]);  // installs are acknowledged when it returns
          reports.push_back(
              {{}, batches[i].deltas.size(), engine_.stats().kernel_errors - errors_before});
          batches[i] = FibBatch{};  // a backlog of batches is freed as it is applied
        }
        // The pass's withdrawals, highest prefix first (see FibEngine::flush_withdrawals):
        // a batch is done when they are, and their refusals count for the last batch.
        const std::uint64_t errors_before = engine_.stats().kernel_errors;
        engine_.flush_withdrawals();
        reports.back().kernel_errors += engine_.stats().kernel_errors - errors_before;
        const auto done = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < reports.size(); ++i) reports[i].latency = done - queued_at[i];
        refresh_cache(false);  // starts watching new next hops
      }
      if (converge && !engine_.converged()) {
        engine_.converge();
        spdlog::info("fib: initial convergence, {} stale route(s) removed",
                     engine_.stats().stale_removed);
      }
      if (port_.take_overrun()) need_resync_ = true;
      if (stop) {
        engine_.shutdown(persist);
        spdlog::info("fib: stopped ({} route(s) {})", engine_.installed_count(),
                     persist ? "left in the kernel" : "remain after removal");
      }
      {
        std::lock_guard lk(q_mu_);
        stats_ = engine_.stats();
        installed_count_ = engine_.installed_count();
        if (!need_resync_) done_ = gen;
        if (stop) exited_ = true;
      }
      done_cv_.notify_all();
      if (!reports.empty() && on_batches_) on_batches_(std::move(reports));
      if (stop) return;
      trim_after_large_drop();
    }
  }

  NetlinkFibConfig cfg_;
  std::uint32_t igp_table_id_;
  NextHopChangeFn on_change_;
  FibBatchDoneFn on_batches_;
  nl::Socket req_;
  nl::Socket mon_;
  int event_fd_ = -1;
  std::vector<std::uint8_t> mon_buf_ = std::vector<std::uint8_t>(1U << 20);

  // Shared with the caller's thread.
  mutable std::mutex igp_mu_;
  IgpTable igp_;  // written by the worker only
  std::unordered_map<base::IpAddress, CacheEntry> cache_;

  mutable std::mutex q_mu_;
  std::condition_variable done_cv_;
  std::vector<FibBatch> queue_;
  std::vector<std::chrono::steady_clock::time_point> queued_at_;  // one per queue_ entry
  std::optional<std::vector<base::IpAddress>> protected_req_;
  std::map<int, base::IpAddress> tunnels_;  // worker thread only
  bool converge_req_ = false;
  bool stop_req_ = false;
  bool persist_ = false;
  bool exited_ = false;
  std::uint64_t submitted_ = 0;
  std::uint64_t done_ = 0;
  FibStats stats_;
  std::size_t installed_count_ = 0;

  // Worker thread only.
  NetlinkPort port_;
  FibEngine engine_;
  bool need_resync_ = false;
  int resync_failures_ = 0;
  std::size_t held_peak_ = 0;  // most routes held since the last trim
  std::thread thread_;
};

base::Result<std::unique_ptr<NetlinkFib>, std::string> NetlinkFib::start(
    NetlinkFibConfig cfg, NextHopChangeFn on_change, FibBatchDoneFn on_batches) {
  std::unique_ptr<NetlinkFib> fib(new NetlinkFib());
  fib->persist_ = cfg.persist;
  fib->worker_ =
      std::make_unique<Worker>(std::move(cfg), std::move(on_change), std::move(on_batches));
  if (auto err = fib->worker_->open()) return base::Err{*err};
  fib->worker_->run();
  return fib;
}

NetlinkFib::~NetlinkFib() {
  if (worker_) worker_->stop(persist_);
}

void NetlinkFib::submit(FibBatch batch) { worker_->submit(std::move(batch)); }
void NetlinkFib::submit(std::vector<FibDelta> batch) {
  // Each delta's next hops become their own set (moved, not copied).
  FibBatch b;
  b.deltas.reserve(batch.size());
  for (auto& d : batch) {
    std::uint32_t set = 0;
    if (d.kind == FibDelta::Kind::Install && !d.next_hops.empty()) {
      set = static_cast<std::uint32_t>(b.next_hop_sets.size());
      b.next_hop_sets.push_back(std::move(d.next_hops));
    }
    b.deltas.push_back(FibBatch::Delta{d.prefix, set});
  }
  worker_->submit(std::move(b));
}
void NetlinkFib::initial_convergence_done() { worker_->converge(); }
void NetlinkFib::set_protected_addresses(std::vector<base::IpAddress> addrs) {
  worker_->set_protected(std::move(addrs));
}
std::optional<ResolvedNextHop> NetlinkFib::resolve(const base::IpAddress& nh) {
  return worker_->resolve(nh);
}
void NetlinkFib::forget(const base::IpAddress& nh) { worker_->forget(nh); }
void NetlinkFib::flush() { worker_->flush(); }
void NetlinkFib::stop(bool persist) { worker_->stop(persist); }
FibStats NetlinkFib::stats() const { return worker_->stats(); }
std::size_t NetlinkFib::installed_count() const { return worker_->installed_count(); }

}  // namespace nvabgpd::fib

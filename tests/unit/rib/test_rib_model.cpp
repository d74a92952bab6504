// Randomised consistency: after any sequence of announcements, withdrawals, session flaps
// refreshes and export policy changes, what each peer was sent (replayed from the batches) equals
// what the export rules give for the current Loc-RIB, and the FIB deltas replay to the current best
// paths.
#include <catch2/catch.hpp>

#include <random>

#include "helpers.hpp"

using namespace ribtest;

namespace {

// Rejects the prefixes whose third octet is `mod` modulo 3, and tags the rest with a MED.
struct ModFilter final : rib::RouteFilter {
  std::uint32_t mod;
  explicit ModFilter(std::uint32_t m) : mod(m) {}
  std::string name() const override { return "mod" + std::to_string(mod); }
  rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes& a,
                        const rib::FilterContext&) const override {
    if (((p.addr().v4_value() >> 8) & 0xFF) % 3 == mod) return {false, std::nullopt, "mod"};
    auto m = a;
    m.med = mod;
    return {true, m, {}};
  }
};

}  // namespace

TEST_CASE("incremental output equals a from-scratch export after random churn", "[rib][model]") {
  const std::vector<rib::FilterPtr> export_filters{
      rib::accept_all(), std::make_shared<ModFilter>(0), std::make_shared<ModFilter>(1)};
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    std::mt19937 rng(seed);  // fixed seeds: deterministic
    auto cfg = config();
    cfg.decision.max_paths = 2;
    Harness h(cfg);
    std::vector<rib::PeerUp> peers{peer(1, 65515, "10.1.0.4", 4), peer(2, 65515, "10.1.0.5", 5),
                                   peer(3, 65001, "10.0.0.3", 3), peer(4, 65001, "10.0.0.6", 6),
                                   peer(5, 65002, "192.168.0.2", 2)};
    peers[3].rr_client = true;
    peers[4].local_address = ip("192.168.0.1");
    peers[0].graceful_restart = true;
    for (const auto& p : peers) h.up(p);
    std::vector<bool> up(peers.size(), true);
    std::vector<wire::PathAttributes> pool;
    for (std::uint32_t i = 0; i < 6; ++i) {
      auto a = attrs({65515, 100 + i % 3}, i % 2 ? "10.1.0.4" : "10.1.0.5");
      if (i == 4) a.communities = {wire::kNoExport};
      if (i == 5) a.med = 10;
      pool.push_back(a);
    }
    auto prefix = [&] {
      return base::Prefix::make(base::IpAddress::v4((10U << 24) | ((rng() % 60) << 8)), 24);
    };
    for (int step = 0; step < 3000; ++step) {
      const std::size_t pi = rng() % peers.size();
      const PeerId id = peers[pi].id;
      const unsigned op = rng() % 100;
      if (!up[pi]) {
        if (op < 20) {
          h.up(peers[pi]);
          up[pi] = true;
        }
      } else if (op < 55) {
        auto a = pool[rng() % pool.size()];
        if (!peers[pi].ebgp()) a.as_path = path({});
        h.in(announce(id, {prefix(), prefix()}, a));
      } else if (op < 85) {
        h.in(withdraw(id, {prefix(), prefix()}));
      } else if (op < 88) {
        h.rib.peer_down({id, rng() % 2 == 0}, h.now);
        up[pi] = false;
        h.views[id] = {};  // the session is gone, and so is what the peer held
      } else if (op < 90) {
        h.in(eor(id));
      } else if (op < 92) {
        h.rib.refresh_request({id, wire::kIpv4Unicast});
      } else if (op < 94) {
        h.rib.originate(prefix(), wire::PathAttributes{});
      } else if (op < 95) {
        h.now += std::chrono::seconds(500);
        h.rib.tick(h.now);
      } else if (op < 98) {
        peers[pi].export_filter = export_filters[rng() % export_filters.size()];
        h.configs[id] = peers[pi];
        h.rib.reexport(peers[pi]);
      }
      if (rng() % 4 == 0)
        h.settle();
      else
        h.rib.run(rng() % 7);
    }
    h.settle();
    // What every established peer holds is exactly what the export rules say now.
    for (std::size_t pi = 0; pi < peers.size(); ++pi) {
      if (!up[pi]) continue;
      const PeerId id = peers[pi].id;
      for (std::uint32_t k = 0; k < 60; ++k) {
        const auto p = base::Prefix::make(base::IpAddress::v4((10U << 24) | (k << 8)), 24);
        const auto x = h.rib.explain_export(p, id);
        const bool held = h.views[id].routes.count(p) != 0;
        INFO("seed " << seed << " peer " << id << " prefix " << p.to_string() << " reason "
                     << x.reason);
        REQUIRE(held == x.exported);
        if (held) CHECK(h.views[id].routes.at(p) == h.as_sent(*x.attrs, id));
      }
    }
    // The FIB replay equals the best paths' next hops.
    std::map<base::Prefix, std::vector<base::IpAddress>> fib;
    for (const auto& d : h.fib) {
      if (d.next_hops.empty())
        fib.erase(d.prefix);
      else
        fib[d.prefix] = d.next_hops;
    }
    for (std::uint32_t k = 0; k < 60; ++k) {
      const auto p = base::Prefix::make(base::IpAddress::v4((10U << 24) | (k << 8)), 24);
      std::vector<base::IpAddress> want;
      for (const auto& r : h.rib.routes(p))
        if (r.ecmp && r.peer != rib::kLocalPeer && h.rib.routes(p)[0].peer != rib::kLocalPeer)
          want.push_back(r.attrs->next_hop()->address());
      std::sort(want.begin(), want.end());
      want.erase(std::unique(want.begin(), want.end()), want.end());
      INFO("seed " << seed << " prefix " << p.to_string());
      CHECK(fib[p] == want);
    }
  }
}

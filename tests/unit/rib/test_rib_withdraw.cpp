// Withdrawals at table scale: each receiver hears each withdrawal once (the member the routes
// came from, which never held them, none), and the storage of withdrawn routes is given back
// (Loc-RIB entries and index, the update groups' Adj-RIB-Out and pending changes).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr PeerId kSource = 1, kOut1 = 2, kOut2 = 3, kOwnGroup = 4;
constexpr std::size_t kPrefixes = 100'000;
constexpr std::size_t kPerUpdate = 500;

std::vector<base::Prefix> table_prefixes() {
  std::vector<base::Prefix> out;
  for (std::uint32_t i = 0; i < kPrefixes; ++i)
    out.push_back(base::Prefix::make(base::IpAddress::v4(0x14000000U + (i << 8)), 24));
  return out;
}

// In UPDATEs of kPerUpdate prefixes, each batch of them with its own AS path.
void feed(Harness& h, const std::vector<base::Prefix>& ps, std::size_t from, std::size_t to,
          bool announce_them) {
  for (std::size_t i = from; i < to; i += kPerUpdate) {
    std::vector<base::Prefix> part(
        ps.begin() + static_cast<std::ptrdiff_t>(i),
        ps.begin() + static_cast<std::ptrdiff_t>(std::min(to, i + kPerUpdate)));
    if (announce_them)
      h.in(announce(
          kSource, std::move(part),
          attrs({65515, 64000 + static_cast<std::uint32_t>(i / kPerUpdate % 1000)}, "10.1.0.4")));
    else
      h.in(withdraw(kSource, std::move(part)));
    if ((i / kPerUpdate) % 16 == 15) h.settle();
  }
  h.settle();
}

// Accepts everything, with no declared fingerprint: each object is its own update group.
struct OwnGroupAll final : rib::RouteFilter {
  Kind kind() const override { return Kind::AcceptAll; }
  std::string name() const override { return "all (own group)"; }
  rib::FilterResult run(const base::Prefix&, const wire::PathAttributes&,
                        const rib::FilterContext&) const override {
    return {true, std::nullopt, {}};
  }
};

}  // namespace

TEST_CASE("withdrawing a full table reaches each receiver once and frees its storage",
          "[rib][withdraw]") {
  Harness h;
  h.up(peer(kSource, 65515, "10.1.0.4", 1));
  h.up(peer(kOut1, 65002, "192.168.0.2", 2));
  h.up(peer(kOut2, 65003, "192.168.0.3", 3));
  auto own = peer(kOwnGroup, 65004, "192.168.0.4", 4);
  // An update group of its own: a filter object without a declared fingerprint.
  own.export_filter = std::make_shared<const OwnGroupAll>();
  h.up(own);
  h.settle();
  const std::size_t index_idle = h.rib.table().index_bytes();
  REQUIRE(h.rib.table().entry_bytes() == 0);
  REQUIRE(h.rib.export_bytes() == 0);

  const auto ps = table_prefixes();
  feed(h, ps, 0, kPrefixes, true);
  REQUIRE(h.rib.prefix_count() == kPrefixes);
  for (PeerId p : {kOut1, kOut2, kOwnGroup}) REQUIRE(h.views[p].routes.size() == kPrefixes);
  REQUIRE(h.views[kSource].routes.empty());
  const std::size_t index_full = h.rib.table().index_bytes();
  CHECK(h.rib.export_bytes() > 0);

  // Most of the table goes: the index shrinks with it.
  feed(h, ps, 0, kPrefixes - kPrefixes / 20, false);
  CHECK(h.rib.prefix_count() == kPrefixes / 20);
  CHECK(h.rib.table().index_bytes() <= index_full / 4);

  // The rest: nothing of the table is left, and nobody was told twice.
  feed(h, ps, kPrefixes - kPrefixes / 20, kPrefixes, false);
  CHECK(h.rib.prefix_count() == 0);
  CHECK(h.rib.table().entry_bytes() == 0);
  CHECK(h.rib.table().index_bytes() == index_idle);
  CHECK(h.rib.export_bytes() == 0);
  for (PeerId p : {kOut1, kOut2, kOwnGroup}) {
    CHECK(h.views[p].routes.empty());
    CHECK(h.views[p].withdrawals == static_cast<int>(kPrefixes));
  }
  CHECK(h.views[kSource].withdrawals == 0);  // it never held them

  // The table fills again from id 0 (nothing refers to the freed ids).
  feed(h, ps, 0, 2 * kPerUpdate, true);
  CHECK(h.rib.prefix_count() == 2 * kPerUpdate);
  for (PeerId p : {kOut1, kOut2, kOwnGroup}) CHECK(h.views[p].routes.size() == 2 * kPerUpdate);
  CHECK(h.views[kSource].routes.empty());
}

TEST_CASE("a withdrawal reaches the route's source member when it held the previous route",
          "[rib][withdraw]") {
  // A and B share one update group. B holds A's route; then, in one batch, B becomes the
  // source (a better path) and withdraws it again while A withdraws too: the route is gone
  // and B, which held A's route, must be told, though it was the source at the end.
  Harness h;
  constexpr PeerId kA = 1, kB = 2, kC = 3;
  h.up(peer(kA, 65515, "10.1.0.4", 1));
  h.up(peer(kB, 65516, "10.1.0.5", 2));
  h.up(peer(kC, 65517, "10.1.0.6", 3));
  h.in(announce(kA, {pfx("1.2.3.0/24")}, attrs({65515, 7, 8}, "10.1.0.4")));
  h.settle();
  REQUIRE(h.has(kB, "1.2.3.0/24"));
  REQUIRE(h.has(kC, "1.2.3.0/24"));
  h.in(announce(kB, {pfx("1.2.3.0/24")}, attrs({65516}, "10.1.0.5")));
  while (h.rib.busy()) h.rib.run(1000);  // decided (B is the source), not yet sent
  h.in(withdraw(kA, {pfx("1.2.3.0/24")}));
  h.in(withdraw(kB, {pfx("1.2.3.0/24")}));
  h.settle();
  CHECK_FALSE(h.has(kA, "1.2.3.0/24"));
  CHECK_FALSE(h.has(kB, "1.2.3.0/24"));
  CHECK_FALSE(h.has(kC, "1.2.3.0/24"));
  CHECK(h.rib.prefix_count() == 0);
}

// Rib::reexport: a peer's export policy changes without a session reset; it is sent only the
// difference against what it holds (newly rejected routes withdrawn, changed ones re-sent,
// unchanged ones never re-sent, no End-of-RIB).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr PeerId kIn = 1, kOut = 2, kOther = 3;

// Rejects prefixes of one length; optionally sets a MED on the rest.
struct RejectLen final : rib::RouteFilter {
  unsigned len;
  std::optional<std::uint32_t> med;
  RejectLen(unsigned l, std::optional<std::uint32_t> m) : len(l), med(m) {}
  std::string name() const override { return "reject_len"; }
  rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes& a,
                        const rib::FilterContext&) const override {
    if (p.len() == len) return {false, std::nullopt, "length"};
    if (!med) return {true, std::nullopt, {}};
    auto m = a;
    m.med = med;
    return {true, m, {}};
  }
};

struct Fixture {
  Harness h;
  Fixture() {
    h.up(peer(kIn, 65515, "10.1.0.4", 1));
    auto out = peer(kOut, 65002, "192.168.0.2", 2);
    out.export_filter = std::make_shared<RejectLen>(25, std::nullopt);
    h.up(out);
    h.in(announce(kIn, {pfx("10.1.1.0/24"), pfx("10.1.2.0/24"), pfx("10.1.3.0/25")},
                  attrs({65515}, "10.1.0.4")));
    h.settle();
  }
  // Switches kOut to a new export filter; its message counters restart at 0.
  void reexport(rib::FilterPtr f) {
    auto c = h.configs.at(kOut);
    c.export_filter = std::move(f);
    h.configs[kOut] = c;
    h.views[kOut].announcements = h.views[kOut].withdrawals = h.views[kOut].eors = 0;
    h.rib.reexport(c);
    h.settle();
  }
};

}  // namespace

TEST_CASE("reexport into a new group: only the differences are sent", "[rib][export][reexport]") {
  Fixture f;
  REQUIRE(f.h.has(kOut, "10.1.1.0/24"));
  REQUIRE_FALSE(f.h.has(kOut, "10.1.3.0/25"));
  const auto group_before = f.h.rib.group_of(kOut);
  f.reexport(std::make_shared<RejectLen>(24, std::nullopt));
  const auto& v = f.h.views[kOut];
  CHECK(f.h.rib.group_of(kOut) != group_before);
  CHECK_FALSE(f.h.has(kOut, "10.1.1.0/24"));
  CHECK_FALSE(f.h.has(kOut, "10.1.2.0/24"));
  CHECK(f.h.has(kOut, "10.1.3.0/25"));
  CHECK(v.withdrawals == 2);
  CHECK(v.announcements == 1);
  CHECK(v.eors == 0);
  CHECK(f.h.rib.adj_rib_out_size(kOut) == 1);
}

TEST_CASE("reexport with an equivalent policy re-sends nothing", "[rib][export][reexport]") {
  Fixture f;
  f.reexport(std::make_shared<RejectLen>(25, std::nullopt));
  CHECK(f.h.views[kOut].announcements == 0);
  CHECK(f.h.views[kOut].withdrawals == 0);
  CHECK(f.h.has(kOut, "10.1.1.0/24"));
}

TEST_CASE("reexport: changed attributes are re-announced", "[rib][export][reexport]") {
  Fixture f;
  f.reexport(std::make_shared<RejectLen>(25, 40));
  CHECK(f.h.views[kOut].announcements == 2);
  CHECK(f.h.views[kOut].withdrawals == 0);
  CHECK(f.h.sent(kOut, "10.1.2.0/24").med == 40U);
}

TEST_CASE("reexport into an existing group sends the difference, not a dump",
          "[rib][export][reexport]") {
  Fixture f;
  auto target = std::make_shared<RejectLen>(24, std::nullopt);
  auto other = peer(kOther, 65003, "192.168.0.3", 3);
  other.export_filter = target;
  f.h.up(other);
  f.h.settle();
  REQUIRE(f.h.has(kOther, "10.1.3.0/25"));
  f.reexport(target);
  CHECK(f.h.rib.group_of(kOut) == f.h.rib.group_of(kOther));
  const auto& v = f.h.views[kOut];
  CHECK(v.withdrawals == 2);
  CHECK(v.announcements == 1);
  CHECK(v.eors == 0);
  CHECK_FALSE(f.h.has(kOut, "10.1.1.0/24"));
  CHECK(f.h.has(kOut, "10.1.3.0/25"));
  // Later changes reach it as a member of the shared group.
  f.h.in(announce(kIn, {pfx("10.1.4.0/25")}, attrs({65515}, "10.1.0.4")));
  f.h.settle();
  CHECK(f.h.has(kOut, "10.1.4.0/25"));
  CHECK(f.h.has(kOther, "10.1.4.0/25"));
}

TEST_CASE("reexport with changes still pending in the old group loses none of them",
          "[rib][export][reexport]") {
  Fixture f;
  // Changes decided but not yet taken: the peer has not heard them.
  f.h.in(withdraw(kIn, {pfx("10.1.1.0/24")}));
  f.h.in(announce(kIn, {pfx("10.1.5.0/24")}, attrs({65515}, "10.1.0.4")));
  while (f.h.rib.busy()) f.h.rib.run(1000);
  f.reexport(std::make_shared<RejectLen>(23, std::nullopt));
  CHECK_FALSE(f.h.has(kOut, "10.1.1.0/24"));
  CHECK(f.h.has(kOut, "10.1.2.0/24"));
  CHECK(f.h.has(kOut, "10.1.3.0/25"));
  CHECK(f.h.has(kOut, "10.1.5.0/24"));
}

TEST_CASE("reexport of a peer that is down only takes effect at its next session",
          "[rib][export][reexport]") {
  Fixture f;
  f.h.rib.peer_down(rib::PeerDown{kOut, false}, f.h.now);
  auto c = f.h.configs.at(kOut);
  c.export_filter = std::make_shared<RejectLen>(24, std::nullopt);
  f.h.rib.reexport(c);
  f.h.settle();
  CHECK_FALSE(f.h.rib.group_of(kOut));
  f.h.views[kOut] = {};
  f.h.up(c);
  f.h.settle();
  CHECK(f.h.has(kOut, "10.1.3.0/25"));
  CHECK_FALSE(f.h.has(kOut, "10.1.1.0/24"));
  CHECK(f.h.views[kOut].eors == 1);
}

namespace {
// Rejects one prefix length, with a declared identity (as the daemon's compiled filters have:
// two loads of the same filter text are two objects with one fingerprint).
struct DeclaredFilter final : rib::RouteFilter {
  unsigned len;
  std::uint64_t fp;
  DeclaredFilter(unsigned l, std::uint64_t f) : len(l), fp(f) {}
  std::string name() const override { return "declared"; }
  std::uint64_t fingerprint() const override { return fp; }
  rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes&,
                        const rib::FilterContext&) const override {
    return {p.len() != len, std::nullopt, {}};
  }
};
}  // namespace

TEST_CASE("filter objects with one fingerprint share a group, and a new one keeps it",
          "[rib][export][reexport]") {
  Fixture f;
  auto other = peer(kOther, 65003, "192.168.0.3", 3);
  other.export_filter = std::make_shared<DeclaredFilter>(24, 77);
  f.h.up(other);
  f.h.settle();
  REQUIRE(f.h.has(kOther, "10.1.3.0/25"));
  f.reexport(std::make_shared<DeclaredFilter>(24, 77));  // another object, same identity
  CHECK(f.h.rib.group_of(kOut) == f.h.rib.group_of(kOther));
  CHECK(f.h.has(kOut, "10.1.3.0/25"));
  CHECK_FALSE(f.h.has(kOut, "10.1.1.0/24"));
  // A reload compiles the filter again: the group stays and nothing is sent.
  const auto group = f.h.rib.group_of(kOut);
  const auto groups = f.h.rib.group_count();
  f.reexport(std::make_shared<DeclaredFilter>(24, 77));
  CHECK(f.h.rib.group_of(kOut) == group);
  CHECK(f.h.rib.group_count() == groups);
  CHECK(f.h.views[kOut].announcements == 0);
  CHECK(f.h.views[kOut].withdrawals == 0);
  // A different identity is a different group.
  f.reexport(std::make_shared<DeclaredFilter>(24, 78));
  CHECK(f.h.rib.group_of(kOut) != f.h.rib.group_of(kOther));
}

// Filters that use the prefix only through yes/no tests (RouteFilter::prefix_signature) run
// once per (attribute set, source, answers) on export and once per (UPDATE, answers) on
// import, and every route still gets the verdict its own answers call for.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>

#include "helpers.hpp"

using namespace ribtest;

namespace {

constexpr PeerId kIn = 1, kIn2 = 2, kOut = 3;

// Rejects /25s; prepends 65000 to the path of the rest (a change, so the result is interned);
// tags 10.9.0.0/24 with a community. Its answers: (is /25, is 10.9.0.0/24). Counts its runs.
struct Tests final : rib::RouteFilter {
  mutable int runs = 0;
  bool declare = true;
  std::string name() const override { return "tests"; }
  std::optional<std::uint64_t> prefix_signature(const base::Prefix& p) const override {
    if (!declare) return std::nullopt;
    return (p.len() == 25 ? 1U : 0U) | (p == pfx("10.9.0.0/24") ? 2U : 0U);
  }
  rib::FilterResult run(const base::Prefix& p, const wire::PathAttributes& a,
                        const rib::FilterContext&) const override {
    ++runs;
    if (p.len() == 25) return {false, std::nullopt, {}};
    auto m = a;
    m.as_path.prepend(65000);
    if (p == pfx("10.9.0.0/24")) m.communities.push_back(wire::Community::of(65001, 100));
    return {true, m, {}};
  }
};

std::vector<base::Prefix> table(int n, unsigned len) {
  std::vector<base::Prefix> out;
  for (int i = 0; i < n; ++i)
    out.push_back(base::Prefix::make(
        base::IpAddress::v4(0x0A000000U + (static_cast<std::uint32_t>(i) << 12)), len));
  return out;
}

}  // namespace

TEST_CASE("a prefix-only filter runs once per attribute set, source and answers", "[rib][export]") {
  for (bool declare : {true, false}) {
    Harness h;
    auto f = std::make_shared<Tests>();
    f->declare = declare;
    h.up(peer(kIn, 65515, "10.1.0.4", 1));
    h.up(peer(kIn2, 65516, "10.1.0.5", 2));
    auto out = peer(kOut, 65002, "192.168.0.2", 3);
    out.export_filter = f;
    h.up(out);

    // 2,000 /24s in two attribute sets from one source (10.9.0.0/24 among them), 500 /25s
    // from another.
    auto a = table(1000, 24), b = table(1000, 24), c = table(500, 25);
    for (auto& p : b)
      p = base::Prefix::make(base::IpAddress::v4(p.addr().v4_value() + 0x01000000), 24);
    h.in(announce(kIn, a, attrs({65515, 1}, "10.1.0.4")));
    h.in(announce(kIn, b, attrs({65515, 2}, "10.1.0.4")));
    for (auto& p : c)
      p = base::Prefix::make(base::IpAddress::v4(p.addr().v4_value() + 0x02000000), 25);
    h.in(announce(kIn2, c, attrs({65516, 3}, "10.1.0.5")));
    h.settle();
    INFO("declared: " << declare);
    // Four verdicts: (a, plain), (a, 10.9.0.0/24), (b, plain), (c, /25); a cache slot shared
    // by two of them may cost a few more runs, never one per route.
    if (declare)
      CHECK(f->runs < 10);
    else
      CHECK(f->runs >= 2500);  // at least once per route
    // Every route got its own verdict.
    CHECK(h.views[kOut].routes.size() == 2000);
    CHECK_FALSE(h.has(kOut, "12.0.0.0/25"));
    CHECK(h.sent(kOut, "10.0.16.0/24").as_path == path({65001, 65000, 65515, 1}));
    CHECK(h.sent(kOut, "11.0.16.0/24").as_path == path({65001, 65000, 65515, 2}));
    CHECK(h.sent(kOut, "10.9.0.0/24").communities ==
          std::vector<wire::Community>{wire::Community::of(65001, 100)});
    CHECK(h.sent(kOut, "10.8.0.0/24").communities.empty());
  }
}

TEST_CASE("a prefix-only import filter runs once per answer in an UPDATE", "[rib][import]") {
  for (bool declare : {true, false}) {
    Harness h;
    auto f = std::make_shared<Tests>();
    f->declare = declare;
    auto in = peer(kIn, 65515, "10.1.0.4", 1);
    in.import_filter = f;
    h.up(in);
    h.up(peer(kOut, 65002, "192.168.0.2", 3));
    auto a = table(1000, 24);
    auto c = table(10, 25);
    for (auto& p : c) a.push_back(p);  // one UPDATE: 1,000 /24s and 10 /25s
    h.in(announce(kIn, a, attrs({65515, 1}, "10.1.0.4")));
    h.settle();
    INFO("declared: " << declare);
    if (declare)
      CHECK(f->runs == 3);  // plain /24, 10.9.0.0/24, /25
    else
      CHECK(f->runs == 1010);
    CHECK(h.views[kOut].routes.size() == 1000);
    CHECK(h.sent(kOut, "10.0.16.0/24").as_path == path({65001, 65000, 65515, 1}));
    CHECK(h.sent(kOut, "10.9.0.0/24").communities ==
          std::vector<wire::Community>{wire::Community::of(65001, 100)});
    CHECK_FALSE(h.has(kOut, "10.0.0.0/25"));
  }
}

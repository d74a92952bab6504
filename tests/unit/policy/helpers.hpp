#pragma once
// Small helpers shared by the policy unit tests.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "nvabgpd/policy/filter.hpp"

namespace nvabgpd::policy::test {

inline Program must_load(const std::string& text) {
  std::vector<SourceFile> files{SourceFile{"t.conf", text}};
  auto r = load(files);
  if (!r) {
    for (const auto& d : r.error()) UNSCOPED_INFO(d.to_string());
    FAIL("filter text did not load");
  }
  return std::move(r).value();
}

inline std::string load_error(const std::string& text) {
  std::vector<SourceFile> files{SourceFile{"t.conf", text}};
  auto r = load(files);
  if (r) return "(loaded)";
  return r.error().front().to_string();
}

inline base::Prefix pfx(const char* s) { return *base::Prefix::parse(s); }
inline base::IpAddress ip(const char* s) { return *base::IpAddress::parse(s); }

inline wire::AsPath seq(std::vector<std::uint32_t> asns) {
  wire::AsPath p;
  if (!asns.empty()) p.segments.push_back({wire::SegmentType::Sequence, std::move(asns)});
  return p;
}

// Runs filter `name` (default "f") of text over one route.
struct Run {
  Program prog;
  std::vector<std::string> printed;
  explicit Run(const std::string& text) : prog(must_load(text)) {}
  Outcome operator()(const char* net, const wire::PathAttributes& a, const char* name = "f") {
    RouteView r;
    r.net = pfx(net);
    r.attrs = &a;
    r.from = ip("10.1.3.4");
    r.gw = ip("10.1.3.4");
    r.proto = "rs1";
    r.ifname = "eth1";
    const Filter* f = prog.find_filter(name);
    REQUIRE(f != nullptr);
    PrintSink sink = [this](std::string_view s, bool) { printed.emplace_back(s); };
    return prog.run(*f, r, &sink);
  }
};

// Wraps a boolean expression into a filter that accepts when it is true, rejects otherwise.
inline std::string expr_filter(const std::string& expr, const std::string& prelude = "") {
  return prelude + "\nfilter f { if " + expr + " then accept; reject; }\n";
}

}  // namespace nvabgpd::policy::test

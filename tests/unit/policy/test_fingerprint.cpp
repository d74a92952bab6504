// Program::fingerprint: equal for equal filter text and definitions, whatever else changes in
// the files; different as soon as anything the filter uses changes. Update groups and reload
// rely on both directions.
#include "helpers.hpp"

using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {

std::uint64_t fp(const std::string& text, const char* name = "OUT") {
  Program p = must_load(text);
  const Filter* f = p.find_filter(name);
  REQUIRE(f != nullptr);
  return Program::fingerprint(*f);
}

const char* kBase = R"(
define LONG = [ 0.0.0.0/0{30,32} ];
function mine() -> bool { return bgp_path ~ [= 65001 * =]; }
filter OUT { if net ~ LONG then reject; if mine() then bgp_path.delete(65515); accept; }
filter OTHER { reject; }
)";

}  // namespace

TEST_CASE("the same filter text gives the same fingerprint in every program") {
  CHECK(fp(kBase) == fp(kBase));
  CHECK(fp(kBase) != 0);
}

TEST_CASE("layout, comments, other filters and unused definitions do not change it") {
  const std::string moved = R"(
# a comment before everything
filter OTHER { accept; }   # another filter, changed
define UNUSED = 5;
define LONG = [ 0.0.0.0/0{30,32} ];
function mine() -> bool {
  return bgp_path ~ [= 65001 * =];   # same tokens, other lines
}
filter OUT {
  if net ~ LONG then reject;
  if mine() then bgp_path.delete(65515);
  accept;
}
)";
  CHECK(fp(moved) == fp(kBase));
}

TEST_CASE("a change to the filter or to anything it uses changes it") {
  const std::string base = kBase;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string t = base;
    const auto at = t.find(from);
    REQUIRE(at != std::string::npos);
    return t.replace(at, from.size(), to);
  };
  const std::uint64_t b = fp(base);
  CHECK(fp(with("delete(65515)", "delete(65516)")) != b);     // the filter's own text
  CHECK(fp(with("{30,32}", "{29,32}")) != b);                 // a constant it uses
  CHECK(fp(with("[= 65001 * =]", "[= 65002 * =]")) != b);     // a function it calls
  CHECK(fp(with("filter OUT", "filter OUT2"), "OUT2") != b);  // its name (it is in messages)
  CHECK(fp(kBase, "OTHER") != b);
}

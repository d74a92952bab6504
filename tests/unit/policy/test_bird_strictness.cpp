// Load verdicts and run-time results that must be BIRD 2.0.12's (issue 12, the conformance
// corpus's known differences): what BIRD refuses is refused, what it loads is loaded.
#include "helpers.hpp"

using namespace nvabgpd;
using namespace nvabgpd::policy;
using namespace nvabgpd::policy::test;

namespace {

bool loads(const std::string& text) { return load_error(text) == "(loaded)"; }

std::uint32_t med_of(const std::string& text, const char* net, const wire::PathAttributes& a = {}) {
  Run r(text);
  auto o = r(net, a);
  REQUIRE(o.modified.has_value());
  REQUIRE(o.modified->med.has_value());
  return *o.modified->med;
}

}  // namespace

TEST_CASE("strings have no escapes: a backslash is itself") {
  CHECK_FALSE(loads("filter f { print \"a\\\"b\"; accept; }"));
  Run r("filter f { print \"a\\nb\"; accept; }");
  wire::PathAttributes a;
  r("10.0.0.0/8", a);
  REQUIRE(r.printed.size() == 1);
  CHECK(r.printed[0] == "a\\nb");
}

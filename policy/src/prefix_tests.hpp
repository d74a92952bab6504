#pragma once
// Which filters depend on the route's prefix only through yes/no tests (`net ~ [ ... ]`,
// `net = 10.0.0.0/8`, `net.len > 24`): for those, routes with the same attributes, the same
// source and the same answers to the tests get the same result, so the RIB may evaluate the
// filter once per (attribute set, answers) instead of once per route (Program::prefix_signature).
#include <vector>

#include "nodes.hpp"

namespace nvabgpd::policy {

struct PrefixTests {
  bool usable = false;             // every read of `net` is inside one of the tests
  std::vector<const Expr*> tests;  // at most 64, each bool-valued and reading only `net`
};

// Conservative: anything it does not understand (a `print`, a message on accept/reject, `net`
// stored in a variable or used as a value, a function that reads `net`, untyped code) makes
// the filter unusable for this, never wrongly usable.
PrefixTests find_prefix_tests(const Filter& f);

}  // namespace nvabgpd::policy

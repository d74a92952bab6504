#include <catch2/catch.hpp>

#include "nvabgpd/wire/attributes.hpp"

using namespace nvabgpd::wire;

TEST_CASE("attribute names") {
  CHECK(attribute_name(attr::kAsPath) == "AS_PATH");
  CHECK(attribute_name(attr::kMpReach) == "MP_REACH_NLRI");
  CHECK(attribute_name(attr::kLargeCommunities) == "LARGE_COMMUNITY");
  CHECK(attribute_name(99) == "attribute 99");
}

#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "helpers.hpp"
#include "nvabgpd/rib/prefix_table.hpp"

using namespace ribtest;

TEST_CASE("prefix table agrees with a map model under random insert/erase", "[rib][table]") {
  rib::PrefixTable t;
  std::map<base::Prefix, rib::EntryId> model;
  std::mt19937 rng(7);  // fixed seed: deterministic
  for (int i = 0; i < 60000; ++i) {
    base::Prefix p;
    if (rng() % 4 == 0) {
      std::array<std::uint8_t, 16> b{};
      b[0] = 0x20;
      b[1] = 0x01;
      b[5] = static_cast<std::uint8_t>(rng() % 64);
      b[6] = static_cast<std::uint8_t>(rng() % 64);
      p = base::Prefix::make(base::IpAddress::v6(b), 48 + rng() % 17);
    } else {
      p = base::Prefix::make(base::IpAddress::v4(static_cast<std::uint32_t>(rng() % 20000) << 8),
                             20 + rng() % 13);
    }
    if (rng() % 3 == 0 && model.count(p)) {
      t.erase(model[p]);
      model.erase(p);
      CHECK(t.find(p) == rib::kNoEntry);
    } else {
      const auto id = t.find_or_insert(p);
      if (model.count(p)) CHECK(model[p] == id);
      model[p] = id;
      CHECK(t.prefix(id) == p);
    }
  }
  CHECK(t.size() == model.size());
  for (const auto& [p, id] : model) {
    REQUIRE(t.find(p) == id);
    CHECK(t.prefix(id) == p);
  }
}

TEST_CASE("entry holds one path inline and many on the heap", "[rib][table]") {
  rib::AttrStore store;
  rib::PrefixTable t;
  auto id = t.find_or_insert(pfx("10.0.0.0/24"));
  rib::Entry& e = t.at(id);
  auto a = store.intern(attrs({1}, "10.0.0.1"));
  for (std::uint32_t peer = 1; peer <= 5; ++peer) e.upsert(peer, a);
  CHECK(e.size() == 5);
  CHECK(a->refs() == 6);
  e.upsert(3, store.intern(attrs({2}, "10.0.0.2")));  // replace, not add
  CHECK(e.size() == 5);
  for (std::uint32_t peer : {1U, 5U, 2U, 4U}) CHECK(e.remove(peer));
  CHECK_FALSE(e.remove(4));
  REQUIRE(e.size() == 1);
  CHECK(e[0].peer == 3);
  CHECK(a->refs() == 1);
  CHECK(e.remove(3));
  CHECK(e.size() == 0);
  t.erase(id);
  CHECK(t.size() == 0);
}

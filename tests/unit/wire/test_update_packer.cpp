#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/update_packer.hpp"

using namespace nvabgpd::wire;
using namespace wiretest;
using nvabgpd::base::Family;
using nvabgpd::base::IpAddress;
using nvabgpd::base::Prefix;

namespace {

const SessionParams k4{true, false};
const SessionParams kExt{true, true};

std::size_t wire_size(const Prefix& p) { return 1 + (p.len() + 7) / 8; }

struct Unpacked {
  std::vector<std::vector<std::uint8_t>> messages;
  std::vector<Update> updates;
};

Unpacked unpack(const std::vector<std::uint8_t>& stream, const SessionParams& p) {
  Unpacked u;
  Framer f(p.max_message_size());
  f.feed(stream);
  std::span<const std::uint8_t> m;
  Notification e;
  while (f.next(m, e) == Framer::Status::Message) {
    u.messages.emplace_back(m.begin(), m.end());
    const auto r = decode(m, p);
    REQUIRE(r.ok());
    u.updates.push_back(std::get<Update>(*r.message));
  }
  REQUIRE(f.buffered() == 0);
  return u;
}

// The prefixes each message carries (NLRI, MP_REACH, withdrawn or MP_UNREACH).
std::vector<Prefix> carried(const Update& u) {
  std::vector<Prefix> out = u.nlri;
  out.insert(out.end(), u.withdrawn.begin(), u.withdrawn.end());
  if (u.mp_reach) out.insert(out.end(), u.mp_reach->nlri.begin(), u.mp_reach->nlri.end());
  if (u.mp_unreach)
    out.insert(out.end(), u.mp_unreach->withdrawn.begin(), u.mp_unreach->withdrawn.end());
  return out;
}

// Every message fits, every message but the last is full (the next prefix would not fit),
// and the prefixes come out in order.
void check_packing(const Unpacked& u, const std::vector<Prefix>& expected, std::size_t max) {
  std::vector<Prefix> all;
  for (std::size_t k = 0; k < u.updates.size(); ++k) {
    const auto ps = carried(u.updates[k]);
    REQUIRE_FALSE(ps.empty());
    CHECK(u.messages[k].size() <= max);
    if (k + 1 < u.updates.size() &&
        carried(u.updates[k + 1]).front().family() == ps.front().family() &&
        u.updates[k + 1].has_attributes == u.updates[k].has_attributes) {
      // Only a message of the same kind could have taken the next prefix.
      const auto next = carried(u.updates[k + 1]).front();
      CHECK(u.messages[k].size() + wire_size(next) > max);
    }
    all.insert(all.end(), ps.begin(), ps.end());
  }
  CHECK(all == expected);
}

std::vector<Prefix> v4_prefixes(std::size_t n, unsigned len = 24) {
  std::vector<Prefix> out;
  for (std::uint32_t i = 0; i < n; ++i)
    out.push_back(Prefix::make(IpAddress::v4(0x0A000000U + (i << 8)), len));
  return out;
}

std::vector<Prefix> v6_prefixes(std::size_t n) {
  std::vector<Prefix> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    std::array<std::uint8_t, 16> b{
        0x20, 0x01, 0x0d, 0xb8, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    out.push_back(Prefix::make(IpAddress::v6(b), 48));
  }
  return out;
}

PathAttributes base_attrs() {
  PathAttributes a;
  a.as_path.segments = {{SegmentType::Sequence, {65001}}};
  a.next_hop = ip("10.0.0.1");
  return a;
}

}  // namespace

TEST_CASE("IPv4 announcements fill each UPDATE to exactly 4096 octets") {
  auto attrs = base_attrs();
  // ORIGIN 4 + AS_PATH 9 + NEXT_HOP 7 + ATOMIC 3 + MED 7 + LOCAL_PREF 7 = 37 octets of
  // attributes: 4096 - 23 - 37 = 4036 octets = exactly 1009 /24 prefixes per message.
  attrs.atomic_aggregate = true;
  attrs.med = 5;
  attrs.local_pref = 100;
  const auto prefixes = v4_prefixes(2500);
  std::vector<std::uint8_t> out;
  const auto r = pack_announcements(attrs, prefixes, k4, out);
  REQUIRE(r.ok());
  CHECK(r->messages == 3);
  CHECK(r->prefixes == 2500);
  const auto u = unpack(out, k4);
  REQUIRE(u.messages.size() == 3);
  CHECK(u.messages[0].size() == 4096);
  CHECK(u.messages[1].size() == 4096);
  CHECK(u.updates[0].nlri.size() == 1009);
  CHECK(u.updates[2].nlri.size() == 2500 - 2 * 1009);
  for (const auto& up : u.updates) CHECK(up.attrs == attrs);
  check_packing(u, prefixes, 4096);
}

TEST_CASE("one prefix more than fits starts a second message") {
  auto attrs = base_attrs();
  attrs.atomic_aggregate = true;
  attrs.med = 5;
  attrs.local_pref = 100;
  std::vector<std::uint8_t> out;
  REQUIRE(pack_announcements(attrs, v4_prefixes(1009), k4, out)->messages == 1);
  CHECK(out.size() == 4096);
  out.clear();
  REQUIRE(pack_announcements(attrs, v4_prefixes(1010), k4, out)->messages == 2);
  CHECK(out.size() == 4096 + 23 + 37 + 4);
}

TEST_CASE("IPv4 announcements with mixed prefix lengths split exactly at the limit") {
  std::vector<Prefix> prefixes;
  for (unsigned i = 0; i < 3000; ++i)
    prefixes.push_back(Prefix::make(IpAddress::v4(0xC0000000U + i * 977U), 8 + i % 25));
  std::vector<std::uint8_t> out;
  REQUIRE(pack_announcements(base_attrs(), prefixes, k4, out).ok());
  check_packing(unpack(out, k4), prefixes, 4096);
}

TEST_CASE("extended messages raise the limit to 65535") {
  const auto prefixes = v4_prefixes(40000);
  std::vector<std::uint8_t> out;
  const auto r = pack_announcements(base_attrs(), prefixes, kExt, out);
  REQUIRE(r.ok());
  const auto u = unpack(out, kExt);
  CHECK(u.messages.size() == 3);
  CHECK(u.messages[0].size() > 60000);
  check_packing(u, prefixes, 65535);
}

TEST_CASE("IPv6 announcements go in MP_REACH_NLRI with global and link-local next hop") {
  auto attrs = base_attrs();
  attrs.next_hop = ip("2001:db8::1");
  attrs.link_local_next_hop = ip("fe80::1");
  attrs.communities = {Community::of(65000, 1)};
  const auto prefixes = v6_prefixes(2000);
  std::vector<std::uint8_t> out;
  const auto r = pack_announcements(attrs, prefixes, k4, out);
  REQUIRE(r.ok());
  const auto u = unpack(out, k4);
  CHECK(u.messages.size() == r->messages);
  for (const auto& up : u.updates) {
    REQUIRE(up.mp_reach);
    CHECK(up.mp_reach->af == kIpv6Unicast);
    CHECK(up.mp_reach->next_hop == ip("2001:db8::1"));
    CHECK(up.mp_reach->link_local_next_hop == ip("fe80::1"));
    CHECK(up.nlri.empty());
    CHECK(up.attrs.communities == attrs.communities);
    CHECK_FALSE(up.attrs.next_hop);  // no IPv4 NEXT_HOP attribute
  }
  check_packing(u, prefixes, 4096);
}

TEST_CASE("announcements of mixed families or a mismatched next hop are refused") {
  auto attrs = base_attrs();
  const std::vector<Prefix> mixed = {pfx("10.0.0.0/8"), pfx("2001:db8::/32")};
  std::vector<std::uint8_t> out;
  CHECK_FALSE(pack_announcements(attrs, mixed, k4, out).ok());
  attrs.next_hop = ip("2001:db8::1");
  CHECK_FALSE(pack_announcements(attrs, v4_prefixes(2), k4, out).ok());
  attrs.next_hop.reset();
  CHECK_FALSE(pack_announcements(attrs, v4_prefixes(2), k4, out).ok());
  CHECK(out.empty());
}

TEST_CASE("withdrawals fill the Withdrawn Routes field and MP_UNREACH_NLRI") {
  auto prefixes = v4_prefixes(3000, 22);
  const auto v6 = v6_prefixes(1500);
  std::vector<Prefix> mixed = prefixes;
  mixed.insert(mixed.end(), v6.begin(), v6.end());
  std::vector<std::uint8_t> out;
  const auto stats = pack_withdrawals(mixed, k4, out);
  CHECK(stats.prefixes == 4500);
  const auto u = unpack(out, k4);
  CHECK(u.messages.size() == stats.messages);
  std::vector<Update> v4_msgs;
  std::vector<Update> v6_msgs;
  for (const auto& up : u.updates) (up.mp_unreach ? v6_msgs : v4_msgs).push_back(up);
  CHECK(v4_msgs.size() == 3);  // 4096 - 23 = 4073 octets = 1018 /22s per message
  CHECK(v4_msgs[0].withdrawn.size() == 1018);
  check_packing(u, mixed, 4096);
  for (const auto& up : u.updates) CHECK_FALSE(up.has_attributes);
}

TEST_CASE("packing refuses attributes that leave no room for a prefix") {
  auto attrs = base_attrs();
  for (std::uint32_t i = 0; i < 1100; ++i) attrs.communities.push_back(Community{i});
  std::vector<std::uint8_t> out;
  const auto r = pack_announcements(attrs, v4_prefixes(3), k4, out);
  CHECK_FALSE(r.ok());
  CHECK(out.empty());
  // The same attributes fit in an extended message.
  CHECK(pack_announcements(attrs, v4_prefixes(3), kExt, out).ok());
}

TEST_CASE("IPv6 prefixes need an IPv6 next hop") {
  std::vector<std::uint8_t> out;
  CHECK_FALSE(pack_announcements(base_attrs(), v6_prefixes(1), k4, out).ok());
  CHECK(out.empty());
}

TEST_CASE("End-of-RIB markers from the packer") {
  std::vector<std::uint8_t> out;
  pack_end_of_rib(kIpv4Unicast, k4, out);
  pack_end_of_rib(kIpv6Unicast, k4, out);
  const auto u = unpack(out, k4);
  REQUIRE(u.updates.size() == 2);
  CHECK(u.updates[0].end_of_rib() == kIpv4Unicast);
  CHECK(u.updates[1].end_of_rib() == kIpv6Unicast);
}

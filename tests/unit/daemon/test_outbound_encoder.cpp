// OutboundEncoder: what each receiver of a batch gets, and how the UPDATEs are packed into
// shared buffers.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <variant>

#include "nvabgpd/wire/codec.hpp"
#include "outbound_encoder.hpp"

using namespace nvabgpd;
using daemon::OutboundEncoder;

namespace {

base::Prefix pfx(const char* s) { return *base::Prefix::parse(s); }

rib::AttrRef attrs(rib::AttrStore& store, std::uint32_t asn) {
  wire::PathAttributes a;
  a.as_path.segments.push_back({wire::SegmentType::Sequence, {64512, asn}});
  a.next_hop = *base::IpAddress::parse("10.0.0.1");
  return store.intern(a);
}

struct Capture {
  std::map<rib::PeerId, std::vector<daemon::Buffer>> sent;
  OutboundEncoder encoder{
      [](rib::PeerId) -> std::optional<OutboundEncoder::PeerWire> {
        return OutboundEncoder::PeerWire{wire::SessionParams{}, *base::IpAddress::parse("10.0.0.9"),
                                         std::nullopt};
      },
      [this](rib::PeerId id, const daemon::Buffer& b) { sent[id].push_back(b); },
      [this](rib::PeerId id, wire::AfiSafi af, bool begin) {
        // What the session layer queues (send_refresh_marker).
        sent[id].push_back(std::make_shared<const std::vector<std::uint8_t>>(
            wire::encode(wire::RouteRefresh{af, static_cast<std::uint8_t>(begin ? 1 : 2)},
                         wire::SessionParams{})));
      }};

  // Every prefix announced to a peer, in order, decoded back from its buffers.
  std::vector<base::Prefix> announced(rib::PeerId id) const {
    std::vector<base::Prefix> out;
    wire::Framer framer;
    for (const auto& b : sent.at(id)) framer.feed(*b);
    std::span<const std::uint8_t> msg;
    wire::Notification err;
    while (framer.next(msg, err) == wire::Framer::Status::Message) {
      auto r = wire::decode(msg, wire::SessionParams{});
      REQUIRE(r.message);
      const auto& u = std::get<wire::Update>(*r.message);
      out.insert(out.end(), u.nlri.begin(), u.nlri.end());
    }
    return out;
  }
};

}  // namespace

TEST_CASE(
    "encoder: announcements for the same receivers share one buffer; a source member is skipped",
    "[daemon][encoder]") {
  rib::AttrStore store;
  Capture c;
  rib::OutboundBatch b;
  b.peers = {1, 2, 3};
  b.announce.push_back({attrs(store, 1), 0, {pfx("10.1.0.0/24")}});
  b.announce.push_back({attrs(store, 2), 0, {pfx("10.2.0.0/24"), pfx("10.2.1.0/24")}});
  b.announce.push_back({attrs(store, 3), 2, {pfx("10.3.0.0/24")}});  // learned from peer 2
  b.announce.push_back({attrs(store, 4), 0, {pfx("10.4.0.0/24")}});
  c.encoder.encode(b);

  const std::vector<base::Prefix> all{pfx("10.1.0.0/24"), pfx("10.2.0.0/24"), pfx("10.2.1.0/24"),
                                      pfx("10.3.0.0/24"), pfx("10.4.0.0/24")};
  CHECK(c.announced(1) == all);
  CHECK(c.announced(3) == all);
  CHECK(c.announced(2) == std::vector<base::Prefix>{pfx("10.1.0.0/24"), pfx("10.2.0.0/24"),
                                                    pfx("10.2.1.0/24"), pfx("10.4.0.0/24")});
  // Runs of the same receivers are one buffer, and it is the same buffer for every receiver.
  CHECK(c.sent[1].size() == 3);
  CHECK(c.sent[2].size() == 2);
  CHECK(c.sent[1][0] == c.sent[2][0]);
  CHECK(c.sent[1][0] == c.sent[3][0]);
  CHECK(c.encoder.stats().messages == 4);
  CHECK(c.encoder.stats().prefixes == 5);
}

TEST_CASE("encoder: withdrawals of a source member's routes skip that member",
          "[daemon][encoder]") {
  Capture c;
  rib::OutboundBatch b;
  b.peers = {1, 2, 3};
  b.withdraw = {pfx("10.1.0.0/24")};
  b.withdraw_except.push_back({2, {pfx("10.2.0.0/24"), pfx("10.2.1.0/24")}});
  c.encoder.encode(b);
  const auto withdrawn = [&](rib::PeerId id) {
    std::vector<base::Prefix> out;
    wire::Framer framer;
    for (const auto& buf : c.sent[id]) framer.feed(*buf);
    std::span<const std::uint8_t> msg;
    wire::Notification err;
    while (framer.next(msg, err) == wire::Framer::Status::Message) {
      auto r = wire::decode(msg, wire::SessionParams{});
      REQUIRE(r.message);
      const auto& u = std::get<wire::Update>(*r.message);
      out.insert(out.end(), u.withdrawn.begin(), u.withdrawn.end());
    }
    return out;
  };
  const std::vector<base::Prefix> all{pfx("10.1.0.0/24"), pfx("10.2.0.0/24"), pfx("10.2.1.0/24")};
  CHECK(withdrawn(1) == all);
  CHECK(withdrawn(3) == all);
  CHECK(withdrawn(2) == std::vector<base::Prefix>{pfx("10.1.0.0/24")});
  CHECK(c.encoder.stats().prefixes == 3);
}

TEST_CASE("encoder: buffers are cut near kMaxBuffer and carry no growth slack",
          "[daemon][encoder]") {
  rib::AttrStore store;
  Capture c;
  rib::OutboundBatch b;
  b.peers = {1};
  std::set<base::Prefix> expect;
  for (std::uint32_t i = 0; i < 4000; ++i) {
    const auto p = base::Prefix::make(base::IpAddress::v4(0x14000000U + (i << 8)), 24);
    b.announce.push_back({attrs(store, 100 + i), 0, {p}});
    expect.insert(p);
  }
  c.encoder.encode(b);
  const auto got = c.announced(1);
  CHECK(std::set<base::Prefix>(got.begin(), got.end()) == expect);
  CHECK(got.size() == expect.size());
  REQUIRE(c.sent[1].size() > 1);
  for (const auto& buf : c.sent[1]) {
    CHECK(buf->size() < OutboundEncoder::kMaxBuffer + 4096);
    CHECK(buf->capacity() - buf->size() <= buf->size() / 8);
  }
}

TEST_CASE(
    "encoder: a re-send to an Enhanced Route Refresh peer is BoRR, withdrawals, routes, "
    "End-of-RIB, EoRR",
    "[daemon][encoder][err]") {
  rib::AttrStore store;
  Capture c;
  rib::OutboundBatch b;
  b.peers = {1};
  b.refresh_begin = {wire::kIpv4Unicast};
  b.withdraw = {pfx("10.9.0.0/24")};
  b.announce.push_back({attrs(store, 1), 0, {pfx("10.1.0.0/24")}});
  b.end_of_rib = {wire::kIpv4Unicast};
  b.refresh_end = {wire::kIpv4Unicast};
  c.encoder.encode(b);
  // Each message in order: 'B' BoRR, 'E' EoRR, 'R' other ROUTE-REFRESH, 'W' withdraw, 'A'
  // announce, 'Z' End-of-RIB.
  std::string order;
  wire::Framer framer;
  for (const auto& buf : c.sent.at(1)) framer.feed(*buf);
  std::span<const std::uint8_t> msg;
  wire::Notification err;
  while (framer.next(msg, err) == wire::Framer::Status::Message) {
    auto r = wire::decode(msg, wire::SessionParams{});
    REQUIRE(r.message);
    if (const auto* rr = std::get_if<wire::RouteRefresh>(&*r.message)) {
      CHECK(rr->af == wire::kIpv4Unicast);
      order += rr->subtype == 1 ? 'B' : rr->subtype == 2 ? 'E' : 'R';
    } else {
      const auto& u = std::get<wire::Update>(*r.message);
      if (!u.withdrawn.empty()) order += 'W';
      if (!u.nlri.empty()) order += 'A';
      if (u.withdrawn.empty() && u.nlri.empty() && !u.has_attributes) order += 'Z';
    }
  }
  CHECK(order == "BWAZE");
}

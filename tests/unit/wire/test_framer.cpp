#include <catch2/catch.hpp>

#include "hex.hpp"
#include "nvabgpd/wire/notification.hpp"

using namespace nvabgpd::wire;
using wiretest::hex;
using wiretest::message;

namespace {

std::vector<std::vector<std::uint8_t>> drain(Framer& f) {
  std::vector<std::vector<std::uint8_t>> out;
  std::span<const std::uint8_t> m;
  Notification e;
  while (f.next(m, e) == Framer::Status::Message) out.emplace_back(m.begin(), m.end());
  return out;
}

Notification framer_error(const std::vector<std::uint8_t>& bytes, std::size_t max = 4096) {
  Framer f(max);
  f.feed(bytes);
  std::span<const std::uint8_t> m;
  Notification e;
  REQUIRE(f.next(m, e) == Framer::Status::Error);
  // The error is sticky: the stream cannot be resynchronised.
  Notification again;
  REQUIRE(f.next(m, again) == Framer::Status::Error);
  REQUIRE(again == e);
  return e;
}

}  // namespace

TEST_CASE("Framer reassembles messages from any chunking") {
  const auto ka = message(4, "");
  const auto rr = message(5, "0001 00 01");
  const auto notif = message(3, "06 02 03 627965");
  std::vector<std::uint8_t> stream;
  for (const auto* m : {&ka, &rr, &notif, &ka}) stream.insert(stream.end(), m->begin(), m->end());
  const std::vector<std::vector<std::uint8_t>> expected = {ka, rr, notif, ka};

  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{7}, std::size_t{19},
                            std::size_t{20}, stream.size()}) {
    Framer f;
    std::vector<std::vector<std::uint8_t>> got;
    for (std::size_t i = 0; i < stream.size(); i += chunk) {
      const std::size_t n = std::min(chunk, stream.size() - i);
      f.feed(std::span<const std::uint8_t>(stream).subspan(i, n));
      for (auto& m : drain(f)) got.push_back(std::move(m));
    }
    CHECK(got == expected);
    CHECK(f.buffered() == 0);
  }
}

TEST_CASE("Framer waits for the rest of a partial message") {
  Framer f;
  const auto rr = message(5, "0001 00 01");
  f.feed(std::span<const std::uint8_t>(rr).first(20));
  std::span<const std::uint8_t> m;
  Notification e;
  CHECK(f.next(m, e) == Framer::Status::NeedMore);
  CHECK(f.buffered() == 20);
  f.feed(std::span<const std::uint8_t>(rr).subspan(20));
  REQUIRE(f.next(m, e) == Framer::Status::Message);
  CHECK(std::vector<std::uint8_t>(m.begin(), m.end()) == rr);
}

TEST_CASE("Framer errors carry the NOTIFICATION to send") {
  auto ka = message(4, "");
  SECTION("bad marker: Connection Not Synchronized") {
    ka[0] = 0;
    CHECK(framer_error(ka) ==
          Notification{err::kMessageHeaderError, err::kHeaderConnectionNotSynchronized, {}});
  }
  SECTION("length below 19: Bad Message Length with the length") {
    ka[17] = 18;
    CHECK(framer_error(ka) ==
          Notification{err::kMessageHeaderError, err::kHeaderBadMessageLength, {0, 18}});
  }
  SECTION("length above the maximum") {
    ka[16] = 0x13;
    ka[17] = 0x88;  // 5000
    CHECK(framer_error(ka) ==
          Notification{err::kMessageHeaderError, err::kHeaderBadMessageLength, {0x13, 0x88}});
  }
  SECTION("KEEPALIVE longer than 19") {
    CHECK(framer_error(message(4, "00")) ==
          Notification{err::kMessageHeaderError, err::kHeaderBadMessageLength, {0, 20}});
  }
  SECTION("unknown type: Bad Message Type with the type") {
    ka[18] = 0x2a;
    CHECK(framer_error(ka) ==
          Notification{err::kMessageHeaderError, err::kHeaderBadMessageType, {0x2a}});
  }
}

TEST_CASE("Framer keeps OPEN within 4096 octets even with extended messages") {
  auto open = message(1, std::vector<std::uint8_t>(4100, 0));
  CHECK(framer_error(open, kMaxExtendedMessageSize) ==
        Notification{err::kMessageHeaderError, err::kHeaderBadMessageLength, {0x10, 0x17}});
}

TEST_CASE("Framer accepts extended messages once the maximum is raised") {
  const auto big = message(3, std::vector<std::uint8_t>(5000, 0x06));
  Framer f;
  f.set_max_message_size(kMaxExtendedMessageSize);
  f.feed(big);
  auto got = drain(f);
  REQUIRE(got.size() == 1);
  CHECK(got[0] == big);
}

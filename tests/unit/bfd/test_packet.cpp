// BFD Control packet codec: round trips, fixed bytes, and the RFC 5880 6.8.6 reception checks.
#include <catch2/catch.hpp>

#include "nvabgpd/bfd/packet.hpp"

using namespace nvabgpd::bfd;
using Bytes = std::vector<std::uint8_t>;

namespace {
Packet sample() {
  Packet p;
  p.diag = Diag::ControlDetectionExpired;
  p.state = State::Up;
  p.poll = true;
  p.detect_mult = 3;
  p.my_discr = 0x01020304;
  p.your_discr = 0xA0B0C0D0;
  p.desired_min_tx_us = 100'000;
  p.required_min_rx_us = 200'000;
  return p;
}

DecodeError error_of(const Bytes& b) {
  const Decoded d = decode(b);
  REQUIRE_FALSE(d.packet);
  return d.error;
}
}  // namespace

TEST_CASE("bfd packet: encode gives the RFC 5880 4.1 layout", "[bfd][packet]") {
  const Bytes b = encode(sample());
  const Bytes want = {0x21, 0xE0, 0x03, 0x18, 0x01, 0x02, 0x03, 0x04, 0xA0, 0xB0, 0xC0, 0xD0,
                      0x00, 0x01, 0x86, 0xA0, 0x00, 0x03, 0x0D, 0x40, 0x00, 0x00, 0x00, 0x00};
  CHECK(b == want);
}

TEST_CASE("bfd packet: round trip of every state, diag and flag", "[bfd][packet]") {
  for (std::uint8_t st = 0; st < 4; ++st) {
    for (std::uint8_t dg = 0; dg <= 8; ++dg) {
      for (int flags = 0; flags < 16; ++flags) {
        Packet p = sample();
        p.state = static_cast<State>(st);
        p.diag = static_cast<Diag>(dg);
        p.poll = (flags & 1) != 0;
        p.final = (flags & 2) != 0;
        p.control_plane_independent = (flags & 4) != 0;
        p.demand = (flags & 8) != 0;
        p.required_min_echo_rx_us = 7;
        const Decoded d = decode(encode(p));
        REQUIRE(d.packet);
        CHECK(*d.packet == p);
      }
    }
  }
}

TEST_CASE("bfd packet: Your Discriminator zero is fine in Down and AdminDown", "[bfd][packet]") {
  Packet p = sample();
  p.your_discr = 0;
  p.state = State::Down;
  CHECK(decode(encode(p)).packet);
  p.state = State::AdminDown;
  CHECK(decode(encode(p)).packet);
  p.state = State::Init;
  CHECK(error_of(encode(p)) == DecodeError::ZeroYourDiscr);
  p.state = State::Up;
  CHECK(error_of(encode(p)) == DecodeError::ZeroYourDiscr);
}

TEST_CASE("bfd packet: trailing bytes after Length are ignored", "[bfd][packet]") {
  Bytes b = encode(sample());
  b.push_back(0xFF);
  b.push_back(0xFF);
  const Decoded d = decode(b);
  REQUIRE(d.packet);
  CHECK(*d.packet == sample());
}

TEST_CASE("bfd packet: RFC 5880 6.8.6 reception checks discard malformed packets",
          "[bfd][packet]") {
  const Bytes good = encode(sample());
  SECTION("too short") {
    CHECK(error_of({}) == DecodeError::TooShort);
    CHECK(error_of(Bytes(good.begin(), good.begin() + 3)) == DecodeError::TooShort);
    CHECK(error_of(Bytes(good.begin(), good.begin() + 23)) == DecodeError::BadLength);
  }
  SECTION("version 0 and 2") {
    Bytes b = good;
    b[0] = static_cast<std::uint8_t>((0 << 5) | 1);
    CHECK(error_of(b) == DecodeError::BadVersion);
    b[0] = static_cast<std::uint8_t>((2 << 5) | 1);
    CHECK(error_of(b) == DecodeError::BadVersion);
  }
  SECTION("Length below 24") {
    Bytes b = good;
    b[3] = 23;
    CHECK(error_of(b) == DecodeError::BadLength);
    b[3] = 0;
    CHECK(error_of(b) == DecodeError::BadLength);
  }
  SECTION("Length beyond the datagram") {
    Bytes b = good;
    b[3] = 25;
    CHECK(error_of(b) == DecodeError::BadLength);
    b[3] = 255;
    CHECK(error_of(b) == DecodeError::BadLength);
  }
  SECTION("Detect Mult zero") {
    Bytes b = good;
    b[2] = 0;
    CHECK(error_of(b) == DecodeError::ZeroDetectMult);
  }
  SECTION("Multipoint bit") {
    Bytes b = good;
    b[1] |= 0x01;
    CHECK(error_of(b) == DecodeError::Multipoint);
  }
  SECTION("My Discriminator zero") {
    Bytes b = good;
    b[4] = b[5] = b[6] = b[7] = 0;
    CHECK(error_of(b) == DecodeError::ZeroMyDiscr);
  }
  SECTION("authentication bit without authentication configured") {
    Bytes b = good;
    b[1] |= 0x04;
    b[3] = 24;  // too short for an auth section
    CHECK(error_of(b) == DecodeError::BadLength);
    // A well-formed Simple Password section (type 1, len 4, key 1, one byte) is still refused.
    b.insert(b.end(), {0x01, 0x04, 0x01, 'x'});
    b[3] = 28;
    CHECK(error_of(b) == DecodeError::AuthNotConfigured);
  }
  SECTION("reserved diagnostic codes read as none") {
    Bytes b = good;
    b[0] = static_cast<std::uint8_t>((1 << 5) | 31);
    const Decoded d = decode(b);
    REQUIRE(d.packet);
    CHECK(d.packet->diag == Diag::None);
  }
}

#include <catch2/catch.hpp>

#include <vector>

#include "nvabgpd/base/byte_reader.hpp"
#include "nvabgpd/base/byte_writer.hpp"

using nvabgpd::base::ByteReader;
using nvabgpd::base::ByteWriter;

TEST_CASE("ByteWriter and ByteReader round-trip network order") {
  std::vector<std::uint8_t> buf;
  ByteWriter w(buf);
  w.put_u8(1);
  w.put_u16(0x0203);
  w.put_u32(0x04050607);
  w.put_u16(0);
  w.patch_u16(7, 0xBEEF);
  REQUIRE(buf == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 0xBE, 0xEF});
  ByteReader r(buf);
  std::uint8_t a = 0;
  std::uint16_t b = 0;
  std::uint32_t c = 0;
  REQUIRE(r.read_u8(a));
  REQUIRE(r.read_u16(b));
  REQUIRE(r.read_u32(c));
  CHECK(a == 1);
  CHECK(b == 0x0203);
  CHECK(c == 0x04050607);
  CHECK(r.remaining() == 2);
}

TEST_CASE("ByteReader refuses to read past the end and does not move on failure") {
  std::vector<std::uint8_t> buf{1, 2, 3};
  ByteReader r(buf);
  std::uint32_t v = 0;
  CHECK_FALSE(r.read_u32(v));
  CHECK(r.offset() == 0);
  ByteReader sub;
  CHECK_FALSE(r.sub(4, sub));
  REQUIRE(r.sub(2, sub));
  CHECK(sub.remaining() == 2);
  CHECK(r.remaining() == 1);
  CHECK_FALSE(r.skip(2));
  REQUIRE(r.skip(1));
  CHECK(r.empty());
}

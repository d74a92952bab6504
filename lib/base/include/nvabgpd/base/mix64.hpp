#pragma once
// MurmurHash3's 64-bit finaliser: every input bit affects every output bit. The hash of the
// open-addressing tables keyed by packed prefixes (the RIB's prefix table, the FIB's states).
#include <cstdint>

namespace nvabgpd::base {

constexpr std::uint64_t mix64(std::uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ULL;
  v ^= v >> 33;
  return v;
}

}  // namespace nvabgpd::base

#pragma once
// A 64-bit fingerprint built up from bytes and numbers (FNV-1a): equal inputs give equal
// fingerprints in every process and run (unlike std::hash), so a value computed before a
// reload can be compared with one computed after it. Not for adversarial input.
#include <cstdint>
#include <string_view>

namespace nvabgpd::base {

class Fingerprint {
 public:
  Fingerprint& add(std::string_view bytes) {
    for (unsigned char c : bytes) mix_byte(c);
    return add(bytes.size());  // "ab","c" differs from "a","bc"
  }
  Fingerprint& add(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) mix_byte(static_cast<unsigned char>(v >> (8 * i)));
    return *this;
  }
  std::uint64_t value() const { return h_; }

 private:
  void mix_byte(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace nvabgpd::base

#pragma once
// Bounds-checked cursor over received bytes. Every read says whether it succeeded; nothing
// throws and nothing reads past the end. Network byte order throughout.
#include <cstddef>
#include <cstdint>
#include <span>

namespace nvabgpd::base {

class ByteReader {
 public:
  ByteReader() = default;
  explicit ByteReader(std::span<const std::uint8_t> data) : data_(data) {}

  std::size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }
  std::size_t offset() const { return pos_; }
  std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }
  std::span<const std::uint8_t> consumed() const { return data_.first(pos_); }

  [[nodiscard]] bool read_u8(std::uint8_t& v) {
    if (remaining() < 1) return false;
    v = data_[pos_++];
    return true;
  }
  [[nodiscard]] bool read_u16(std::uint16_t& v) {
    if (remaining() < 2) return false;
    v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  [[nodiscard]] bool read_u32(std::uint32_t& v) {
    if (remaining() < 4) return false;
    v = (std::uint32_t{data_[pos_]} << 24) | (std::uint32_t{data_[pos_ + 1]} << 16) |
        (std::uint32_t{data_[pos_ + 2]} << 8) | std::uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  [[nodiscard]] bool read_bytes(std::size_t n, std::span<const std::uint8_t>& out) {
    if (remaining() < n) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  // A reader over the next n bytes; this reader moves past them.
  [[nodiscard]] bool sub(std::size_t n, ByteReader& out) {
    std::span<const std::uint8_t> s;
    if (!read_bytes(n, s)) return false;
    out = ByteReader(s);
    return true;
  }
  [[nodiscard]] bool skip(std::size_t n) {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  // Peek without moving; false past the end.
  [[nodiscard]] bool peek_u8(std::size_t ahead, std::uint8_t& v) const {
    if (remaining() <= ahead) return false;
    v = data_[pos_ + ahead];
    return true;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

}  // namespace nvabgpd::base

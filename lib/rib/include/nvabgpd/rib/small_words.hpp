#pragma once
// A fixed-after-construction array of 32-bit words with inline storage for the common short
// case (AS paths, community lists): one allocation per interned value instead of two.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace nvabgpd::rib {

template <std::uint32_t N>
class SmallWords {
 public:
  SmallWords() = default;
  explicit SmallWords(const std::vector<std::uint32_t>& v) {
    assign(v.data(), static_cast<std::uint32_t>(v.size()));
  }
  SmallWords(const std::uint32_t* p, std::uint32_t n) { assign(p, n); }
  SmallWords(const SmallWords& o) { assign(o.data(), o.size_); }
  SmallWords(SmallWords&& o) noexcept : size_(o.size_) {
    if (size_ > N) {
      heap_ = o.heap_;
      o.size_ = 0;
    } else {
      std::memcpy(inline_, o.inline_, sizeof(std::uint32_t) * size_);
    }
  }
  SmallWords& operator=(const SmallWords&) = delete;
  SmallWords& operator=(SmallWords&&) = delete;
  ~SmallWords() {
    if (size_ > N) delete[] heap_;
  }

  std::uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const std::uint32_t* data() const { return size_ > N ? heap_ : inline_; }
  const std::uint32_t* begin() const { return data(); }
  const std::uint32_t* end() const { return data() + size_; }
  std::uint32_t operator[](std::size_t i) const { return data()[i]; }
  bool operator==(const SmallWords& o) const {
    return size_ == o.size_ && std::equal(begin(), end(), o.begin());
  }

 private:
  void assign(const std::uint32_t* p, std::uint32_t n) {
    size_ = n;
    std::uint32_t* dst = inline_;
    if (n > N) dst = heap_ = new std::uint32_t[n];
    if (n) std::memcpy(dst, p, sizeof(std::uint32_t) * n);
  }
  std::uint32_t size_ = 0;
  union {
    std::uint32_t inline_[N];
    std::uint32_t* heap_;
  };
};

}  // namespace nvabgpd::rib

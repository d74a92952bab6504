#pragma once
// Per-route arrays of an update group (indexed by EntryId) stored in fixed-size chunks.
// Why not std::vector: a vector grown to a million routes reallocates, and while it copies
// the old and the new block are both resident, which at full-table scale lands on the
// daemon's peak RSS. Chunks never move. SparseChunkedArray also leaves chunks that would hold
// only T{} unallocated (the `except` source member is 0 for almost every route).
// Private to lib/rib.
#include <cstddef>
#include <memory>
#include <vector>

namespace nvabgpd::rib {

inline constexpr unsigned kRouteChunkBits = 12;  // 4096 routes per chunk
inline constexpr std::size_t kRouteChunk = std::size_t{1} << kRouteChunkBits;
inline constexpr std::size_t kRouteChunkMask = kRouteChunk - 1;

// Dense: every chunk below size() exists. Element references stay valid while it grows.
template <typename T>
class ChunkedArray {
 public:
  std::size_t size() const { return chunks_.size() * kRouteChunk; }
  std::size_t bytes() const {
    return chunks_.capacity() * sizeof(chunks_[0]) + chunks_.size() * kRouteChunk * sizeof(T);
  }
  // Makes indexes [0, n) addressable (rounded up to whole chunks), value-initialised.
  void ensure(std::size_t n) {
    while (size() < n) chunks_.push_back(std::make_unique<T[]>(kRouteChunk));
  }
  T& operator[](std::size_t i) { return chunks_[i >> kRouteChunkBits][i & kRouteChunkMask]; }
  const T& operator[](std::size_t i) const {
    return chunks_[i >> kRouteChunkBits][i & kRouteChunkMask];
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
};

// Sparse: a chunk is allocated on the first write of a value other than T{}; reads of a
// missing chunk give T{}. Mutable indexing returns a small proxy, so `a[i] = v`, `T x = a[i]`
// and `a[i] != v` read like a vector's.
template <typename T>
class SparseChunkedArray {
 public:
  class Slot {
   public:
    Slot(SparseChunkedArray& a, std::size_t i) : a_(a), i_(i) {}
    operator T() const { return a_.get(i_); }  // NOLINT: reads like a T&
    Slot& operator=(const T& v) {
      a_.set(i_, v);
      return *this;
    }
    Slot& operator=(const Slot& o) { return *this = static_cast<T>(o); }

   private:
    SparseChunkedArray& a_;
    std::size_t i_;
  };

  std::size_t size() const { return size_; }
  std::size_t bytes() const {
    std::size_t n = chunks_.capacity() * sizeof(chunks_[0]);
    for (const auto& c : chunks_)
      if (c) n += kRouteChunk * sizeof(T);
    return n;
  }
  // Makes indexes [0, n) addressable (rounded up to whole chunks) without allocating chunks.
  void ensure(std::size_t n) {
    const std::size_t chunks = (n + kRouteChunkMask) >> kRouteChunkBits;
    if (chunks > chunks_.size()) chunks_.resize(chunks);
    size_ = chunks_.size() * kRouteChunk;
  }
  T get(std::size_t i) const {
    const auto& c = chunks_[i >> kRouteChunkBits];
    return c ? c[i & kRouteChunkMask] : T{};
  }
  void set(std::size_t i, const T& v) {
    auto& c = chunks_[i >> kRouteChunkBits];
    if (!c) {
      if (v == T{}) return;
      c = std::make_unique<T[]>(kRouteChunk);
    }
    c[i & kRouteChunkMask] = v;
  }
  T operator[](std::size_t i) const { return get(i); }
  Slot operator[](std::size_t i) { return Slot(*this, i); }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;
  std::size_t size_ = 0;
};

}  // namespace nvabgpd::rib

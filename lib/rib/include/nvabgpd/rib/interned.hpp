#pragma once
// Generic interning: one refcounted copy per distinct value. Single-threaded (the RIB thread
// owns every pool), so the refcounts are plain integers. A value is removed from its pool and
// freed when its last Ref goes away.
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

#include "nvabgpd/rib/linear_probe.hpp"
#include "nvabgpd/rib/slab.hpp"

namespace nvabgpd::rib {

template <typename T>
class InternPool;

// Base of every interned value T (CRTP): refcount, cached hash, owning pool.
template <typename T>
class Interned {
 public:
  std::uint32_t refs() const { return refs_; }
  std::size_t hash() const { return hash_; }

 private:
  friend class InternPool<T>;
  template <typename U>
  friend class Ref;
  std::uint32_t refs_ = 0;
  std::uint32_t hash_ = 0;
  InternPool<T>* pool_ = nullptr;
};

// Intrusive, non-atomic shared reference to an interned value. Equality is identity, which
// for interned values is value equality.
template <typename T>
class Ref {
 public:
  Ref() = default;
  explicit Ref(T* p) : p_(p) { acquire(); }
  Ref(const Ref& o) : p_(o.p_) { acquire(); }
  Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  Ref& operator=(const Ref& o) {
    if (p_ != o.p_) {
      Ref tmp(o);
      swap(tmp);
    }
    return *this;
  }
  Ref& operator=(Ref&& o) noexcept {
    Ref tmp(std::move(o));
    swap(tmp);
    return *this;
  }
  ~Ref() { release(); }

  void swap(Ref& o) noexcept { std::swap(p_, o.p_); }
  T* get() const { return p_; }
  const T& operator*() const { return *p_; }
  const T* operator->() const { return p_; }
  explicit operator bool() const { return p_ != nullptr; }
  bool operator==(const Ref& o) const { return p_ == o.p_; }
  void reset() { Ref().swap(*this); }

 private:
  void acquire() {
    if (p_) ++p_->Interned<T>::refs_;
  }
  void release() {
    if (p_ && --p_->Interned<T>::refs_ == 0) p_->Interned<T>::pool_->erase(p_);
  }
  T* p_ = nullptr;
};

// T must provide: std::size_t compute_hash() const; bool same_value(const T&) const.
// Open addressing over the cached 32-bit hash (linear probing, tombstones on deletion: a
// backward shift read the hash of every value after the hole, a cache miss each when a full
// table is withdrawn; tombstones are dropped by the next resize). A slot is the value's 4-byte
// slab index + 1 (0: empty, kErased: a tombstone): no node allocation per value, and half the
// index memory of pointers.
template <typename T>
class InternPool {
 public:
  InternPool() : slots_(kMinSlots, 0), mask_(kMinSlots - 1) {}
  InternPool(const InternPool&) = delete;
  InternPool& operator=(const InternPool&) = delete;
  ~InternPool() {
    // The RIB releases every Ref before its pools go; destroy whatever is left (the slabs
    // go with alloc_).
    for (std::uint32_t s : slots_)
      if (s && s != kErased) value(s)->~T();
  }

  // Returns the interned copy of v (moving v in if it is new).
  Ref<T> intern(T&& v) {
    const auto h = static_cast<std::uint32_t>(v.compute_hash());
    v.Interned<T>::hash_ = h;
    std::size_t i = h & mask_;
    std::size_t reuse = slots_.size();  // the first tombstone on the way
    for (; slots_[i]; i = (i + 1) & mask_) {
      if (slots_[i] == kErased) {
        if (reuse == slots_.size()) reuse = i;
        continue;
      }
      T* q = value(slots_[i]);
      if (q->Interned<T>::hash_ == h && q->same_value(v)) return Ref<T>(q);
    }
    if (reuse != slots_.size()) {
      i = reuse;
      --erased_;
    } else if ((size_ + erased_ + 1) * 4 > slots_.size() * 3) {
      // Twice the size, or the same size when tombstones filled it.
      resize((size_ + 1) * 8 > slots_.size() * 3 ? slots_.size() * 2 : slots_.size());
      for (i = h & mask_; slots_[i]; i = (i + 1) & mask_) {
      }
    }
    const auto idx = alloc_.allocate();
    T* p = ::new (alloc_.at(idx)) T(std::move(v));
    p->Interned<T>::pool_ = this;
    slots_[i] = idx + 1;
    ++size_;
    return Ref<T>(p);
  }
  std::size_t size() const { return size_; }
  template <typename F>
  void for_each(F&& f) const {
    for (std::uint32_t s : slots_)
      if (s && s != kErased) f(*value(s));
  }

 private:
  friend class Ref<T>;
  T* value(std::uint32_t slot) const { return std::launder(static_cast<T*>(alloc_.at(slot - 1))); }
  void erase(T* p) {
    std::size_t i = p->Interned<T>::hash_ & mask_;
    while (slots_[i] == kErased || value(slots_[i]) != p) i = (i + 1) & mask_;
    const std::uint32_t gone = slots_[i];
    vacate_slot(slots_, mask_, i, kErased, erased_);
    --size_;
    p->~T();
    alloc_.deallocate(gone - 1);
    // After a large withdrawal: the last value gives every slab back, and a mostly empty
    // index shrinks (growth is at 3/4 full).
    if (size_ == 0) {
      alloc_.release_all();
      std::vector<std::uint32_t>(kMinSlots, 0).swap(slots_);
      mask_ = kMinSlots - 1;
      erased_ = 0;
    } else if (slots_.size() > kMinSlots && size_ * 8 < slots_.size()) {
      resize(slots_.size() / 2);
    }
  }
  static constexpr std::size_t kMinSlots = 16;
  static constexpr std::uint32_t kErased = ~std::uint32_t{0};  // no slab index + 1
  void resize(std::size_t n) {
    std::vector<std::uint32_t> old(n, 0);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    erased_ = 0;
    for (std::uint32_t s : old) {
      if (!s || s == kErased) continue;
      std::size_t i = value(s)->Interned<T>::hash_ & mask_;
      while (slots_[i]) i = (i + 1) & mask_;
      slots_[i] = s;
    }
  }
  SlabAllocator<T> alloc_;  // the values themselves (see slab.hpp)
  std::vector<std::uint32_t> slots_;
  std::size_t mask_;
  std::size_t size_ = 0;
  std::size_t erased_ = 0;  // tombstones in slots_
};

inline std::size_t hash_mix(std::size_t h, std::uint64_t v) {
  v *= 0x9E3779B97F4A7C15ULL;
  v ^= v >> 29;
  return (h ^ v) * 0xBF58476D1CE4E5B9ULL + 0x94D049BB133111EBULL;
}

}  // namespace nvabgpd::rib

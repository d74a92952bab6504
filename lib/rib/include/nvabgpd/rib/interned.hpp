#pragma once
// Generic interning: one refcounted copy per distinct value. Single-threaded (the RIB thread
// owns every pool), so the refcounts are plain integers. A value is removed from its pool and
// freed when its last Ref goes away.
#include <cstddef>
#include <cstdint>
#include <unordered_set>
#include <utility>

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
template <typename T>
class InternPool {
 public:
  InternPool() = default;
  InternPool(const InternPool&) = delete;
  InternPool& operator=(const InternPool&) = delete;
  ~InternPool() {
    // Values still referenced at destruction are leaked by design only if a Ref outlives the
    // pool; the RIB destroys every Ref first. Free whatever is left.
    for (T* p : set_) delete p;
  }

  // Returns the interned copy of v (moving v in if it is new).
  Ref<T> intern(T&& v) {
    v.Interned<T>::hash_ = static_cast<std::uint32_t>(v.compute_hash());
    auto it = set_.find(&v);
    if (it != set_.end()) return Ref<T>(*it);
    T* p = new T(std::move(v));
    p->Interned<T>::pool_ = this;
    set_.insert(p);
    return Ref<T>(p);
  }
  std::size_t size() const { return set_.size(); }
  template <typename F>
  void for_each(F&& f) const {
    for (T* p : set_) f(*p);
  }

 private:
  friend class Ref<T>;
  void erase(T* p) {
    set_.erase(p);
    delete p;
  }
  struct Hash {
    std::size_t operator()(const T* p) const noexcept { return p->hash(); }
  };
  struct Eq {
    bool operator()(const T* a, const T* b) const { return a->same_value(*b); }
  };
  std::unordered_set<T*, Hash, Eq> set_;
};

inline std::size_t hash_mix(std::size_t h, std::uint64_t v) {
  v *= 0x9E3779B97F4A7C15ULL;
  v ^= v >> 29;
  return (h ^ v) * 0xBF58476D1CE4E5B9ULL + 0x94D049BB133111EBULL;
}

}  // namespace nvabgpd::rib

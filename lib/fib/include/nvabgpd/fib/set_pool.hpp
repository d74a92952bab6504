#pragma once
// SetPool<T>: values shared by many routes (a set of BGP next hops, a kernel route's metric
// and next hops), interned with a reference count and named by a small id; 0 is "none".
// There are few distinct values (one per distinct next-hop set), so a route costs 4 bytes
// instead of a vector. Freed ids are reused; an empty pool gives its memory back.
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace nvabgpd::fib {

template <typename T, typename Hash>
class SetPool {
 public:
  // The id of v, with one more reference (a new id for a value not held yet).
  std::uint32_t acquire(const T& v) {
    auto it = ids_.find(v);
    if (it != ids_.end()) {
      ++items_[it->second].refs;
      return it->second;
    }
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      if (items_.empty()) items_.emplace_back();  // id 0 is "none"
      id = static_cast<std::uint32_t>(items_.size());
      items_.emplace_back();
    }
    items_[id] = Item{v, 1};
    ids_.emplace(v, id);
    ++live_;
    return id;
  }
  void ref(std::uint32_t id) {
    if (id != 0) ++items_[id].refs;
  }
  // Drops a reference; returns true when that freed the value (its id may be reused).
  bool unref(std::uint32_t id) {
    if (id == 0 || --items_[id].refs != 0) return false;
    ids_.erase(items_[id].value);
    items_[id] = Item{};
    if (--live_ == 0) {
      std::vector<Item>().swap(items_);
      std::vector<std::uint32_t>().swap(free_);
      ids_ = {};
    } else {
      free_.push_back(id);
    }
    return true;
  }
  const T& at(std::uint32_t id) const { return items_[id].value; }
  std::uint32_t refs(std::uint32_t id) const { return items_[id].refs; }
  std::size_t live() const { return live_; }
  // Ids are < id_limit(); a freed one has refs(id) == 0.
  std::uint32_t id_limit() const { return static_cast<std::uint32_t>(items_.size()); }

 private:
  struct Item {
    T value{};
    std::uint32_t refs = 0;
  };
  std::vector<Item> items_;
  std::vector<std::uint32_t> free_;
  std::unordered_map<T, std::uint32_t, Hash> ids_;
  std::size_t live_ = 0;
};

}  // namespace nvabgpd::fib

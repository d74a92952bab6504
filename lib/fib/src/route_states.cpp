#include "nvabgpd/fib/route_states.hpp"

#include <utility>

namespace nvabgpd::fib {
namespace {

__extension__ typedef unsigned __int128 U128;

std::uint64_t mix64(std::uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ULL;
  v ^= v >> 33;
  return v;
}

std::uint64_t hash_v6(const std::array<std::uint8_t, 17>& k) {
  std::uint64_t hi = 0, lo = 0;
  for (std::size_t i = 0; i < 8; ++i) hi = (hi << 8) | k[i];
  for (std::size_t i = 8; i < 16; ++i) lo = (lo << 8) | k[i];
  return mix64(hi ^ mix64(lo ^ k[16]));
}

std::array<std::uint8_t, 17> v6_key(const base::Prefix& p) {
  std::array<std::uint8_t, 17> k{};
  const auto& b = p.addr().bytes();
  for (std::size_t i = 0; i < 16; ++i) k[i] = b[i];
  k[16] = static_cast<std::uint8_t>(p.len());
  return k;
}

std::uint64_t v4_key(const base::Prefix& p) {
  return (std::uint64_t{p.addr().v4_value()} << 8) | p.len();
}

}  // namespace

std::size_t RouteStates::home(std::uint64_t hash) const {
  // Multiply-shift range reduction: any capacity, not only powers of two.
  return static_cast<std::size_t>((static_cast<U128>(hash) * slots_.size()) >> 64);
}

std::uint64_t RouteStates::hash_of(std::uint64_t key) const {
  if (key & kV6Flag) return hash_v6(v6_keys_[key & 0xFFFFFFFFU]);
  return mix64(key);
}

base::Prefix RouteStates::prefix_of(std::uint64_t key) const {
  if (key & kV6Flag) {
    const V6Key& k = v6_keys_[key & 0xFFFFFFFFU];
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < 16; ++i) b[i] = k[i];
    return base::Prefix::make(base::IpAddress::v6(b), k[16]);
  }
  return base::Prefix::make(base::IpAddress::v4(static_cast<std::uint32_t>(key >> 8)),
                            static_cast<unsigned>(key & 0xFF));
}

std::size_t RouteStates::locate(const base::Prefix& p) const {
  const std::size_t cap = slots_.size();
  if (size_ == 0) return cap;
  // The engine looks a prefix up several times in a row (evaluate, program, queue): the last
  // slot found is checked first. It needs no invalidation: a slot holding the key is its slot.
  const std::size_t last = last_;
  if (p.is_v4()) {
    const std::uint64_t key = v4_key(p);
    if (last < cap && slots_[last].key == key) return last;
    for (std::size_t i = home(mix64(key));; i = i + 1 == cap ? 0 : i + 1) {
      if (slots_[i].key == key) return last_ = i;
      if (slots_[i].key == kEmpty) return cap;
    }
  }
  const V6Key k = v6_key(p);
  if (last < cap && (slots_[last].key & kV6Flag) && slots_[last].key != kEmpty &&
      v6_keys_[slots_[last].key & 0xFFFFFFFFU] == k)
    return last;
  for (std::size_t i = home(hash_v6(k));; i = i + 1 == cap ? 0 : i + 1) {
    const std::uint64_t s = slots_[i].key;
    if (s == kEmpty) return cap;
    if ((s & kV6Flag) && v6_keys_[s & 0xFFFFFFFFU] == k) return last_ = i;
  }
}

RouteState* RouteStates::find(const base::Prefix& p) {
  const std::size_t i = locate(p);
  return i == slots_.size() ? nullptr : &slots_[i].state;
}

RouteState& RouteStates::get_or_insert(const base::Prefix& p) {
  if (const std::size_t i = locate(p); i != slots_.size()) return slots_[i].state;
  if ((size_ + 1) * 5 > slots_.size() * 4) rehash(std::max(kMinCapacity, (size_ + 1) * 2));
  std::uint64_t key;
  if (p.is_v4()) {
    key = v4_key(p);
  } else {
    std::uint32_t idx;
    if (!free_v6_.empty()) {
      idx = free_v6_.back();
      free_v6_.pop_back();
      v6_keys_[idx] = v6_key(p);
    } else {
      idx = static_cast<std::uint32_t>(v6_keys_.size());
      v6_keys_.push_back(v6_key(p));
    }
    key = kV6Flag | idx;
  }
  const std::size_t cap = slots_.size();
  std::size_t i = home(hash_of(key));
  while (slots_[i].key != kEmpty) i = i + 1 == cap ? 0 : i + 1;
  slots_[i].key = key;
  slots_[i].state = RouteState{};
  ++size_;
  last_ = i;
  return slots_[i].state;
}

void RouteStates::erase_if_empty(const base::Prefix& p) {
  const std::size_t i = locate(p);
  if (i == slots_.size() || !slots_[i].state.empty()) return;
  if (walking_ > 0) {
    ++deferred_;  // the walk must not see slots move; sweep() removes it afterwards
    return;
  }
  erase_at(i);
  if (size_ == 0) {
    clear();
  } else if (slots_.size() > kMinCapacity && size_ * 5 < slots_.size()) {
    rehash(std::max(kMinCapacity, size_ * 2));
  }
}

void RouteStates::erase_at(std::size_t i) {
  const std::size_t cap = slots_.size();
  if (slots_[i].key & kV6Flag) free_v6_.push_back(static_cast<std::uint32_t>(slots_[i].key));
  // Backward shift: pull later members of the probe run into the hole.
  std::size_t hole = i;
  for (std::size_t j = i + 1 == cap ? 0 : i + 1; slots_[j].key != kEmpty;
       j = j + 1 == cap ? 0 : j + 1) {
    const std::size_t h = home(hash_of(slots_[j].key));
    const std::size_t dist_home = (j + cap - h) % cap;
    const std::size_t dist_hole = (j + cap - hole) % cap;
    if (dist_home >= dist_hole) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --size_;
}

void RouteStates::rehash(std::size_t capacity) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(capacity));
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    std::size_t i = home(hash_of(s.key));
    while (slots_[i].key != kEmpty) i = i + 1 == capacity ? 0 : i + 1;
    slots_[i] = s;
  }
}

void RouteStates::sweep() {
  deferred_ = 0;
  std::size_t live = 0;
  for (const Slot& s : slots_) live += s.key != kEmpty && !s.state.empty();
  if (live == 0) {
    clear();
    return;
  }
  // Rebuild without the emptied slots (cheaper and simpler than erasing them one by one).
  std::vector<Slot> old = std::exchange(slots_, {});
  std::vector<V6Key> keys = std::move(v6_keys_);
  v6_keys_.clear();
  free_v6_.clear();
  size_ = 0;
  slots_.assign(std::max(kMinCapacity, live * 2), Slot{});
  for (const Slot& s : old) {
    if (s.key == kEmpty || s.state.empty()) continue;
    std::uint64_t key = s.key;
    if (key & kV6Flag) {
      key = kV6Flag | v6_keys_.size();
      v6_keys_.push_back(keys[s.key & 0xFFFFFFFFU]);
    }
    std::size_t i = home(hash_of(key));
    while (slots_[i].key != kEmpty) i = i + 1 == slots_.size() ? 0 : i + 1;
    slots_[i] = Slot{key, s.state};
    ++size_;
  }
}

void RouteStates::clear() {
  std::vector<Slot>().swap(slots_);
  std::vector<V6Key>().swap(v6_keys_);
  std::vector<std::uint32_t>().swap(free_v6_);
  size_ = 0;
  deferred_ = 0;
}

}  // namespace nvabgpd::fib

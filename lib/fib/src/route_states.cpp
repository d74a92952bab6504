#include "nvabgpd/fib/route_states.hpp"

#include <utility>

#include "nvabgpd/base/mix64.hpp"

namespace nvabgpd::fib {
namespace {

__extension__ typedef unsigned __int128 U128;

using base::mix64;

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

// Multiply-shift range reduction (the hash's high bits; the shard came from its low bits).
std::size_t home(std::size_t capacity, std::uint64_t hash) {
  return static_cast<std::size_t>((static_cast<U128>(hash) * capacity) >> 64);
}

}  // namespace

std::uint64_t RouteStates::hash_of(const Shard& sh, std::uint64_t key) {
  if (key & kV6Flag) return hash_v6(sh.v6_keys[key & 0xFFFFFFFFU]);
  return mix64(key);
}

RouteStates::Shard& RouteStates::shard_for(const base::Prefix& p) {
  const std::uint64_t h = p.is_v4() ? mix64(v4_key(p)) : hash_v6(v6_key(p));
  return shards_[h % kShards];
}

base::Prefix RouteStates::prefix_of(const Shard& sh, std::uint64_t key) {
  if (key & kV6Flag) {
    const V6Key& k = sh.v6_keys[key & 0xFFFFFFFFU];
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < 16; ++i) b[i] = k[i];
    return base::Prefix::make(base::IpAddress::v6(b), k[16]);
  }
  return base::Prefix::make(base::IpAddress::v4(static_cast<std::uint32_t>(key >> 8)),
                            static_cast<unsigned>(key & 0xFF));
}

std::size_t RouteStates::locate(Shard& sh, const base::Prefix& p) {
  const std::size_t cap = sh.slots.size();
  if (sh.size == 0) return cap;
  const auto& slots = sh.slots;
  // The engine looks a prefix up several times in a row (evaluate, program, queue): the last
  // slot found is checked first. It needs no invalidation: a slot holding the key is its slot.
  const std::size_t last = sh.last;
  if (p.is_v4()) {
    const std::uint64_t key = v4_key(p);
    if (last < cap && slots[last].key == key) return last;
    for (std::size_t i = home(cap, mix64(key));; i = i + 1 == cap ? 0 : i + 1) {
      if (slots[i].key == key) return sh.last = i;
      if (slots[i].key == kEmpty) return cap;
    }
  }
  const V6Key k = v6_key(p);
  if (last < cap && (slots[last].key & kV6Flag) && slots[last].key != kEmpty &&
      sh.v6_keys[slots[last].key & 0xFFFFFFFFU] == k)
    return last;
  for (std::size_t i = home(cap, hash_v6(k));; i = i + 1 == cap ? 0 : i + 1) {
    const std::uint64_t key = slots[i].key;
    if (key == kEmpty) return cap;
    if ((key & kV6Flag) && sh.v6_keys[key & 0xFFFFFFFFU] == k) return sh.last = i;
  }
}

RouteState* RouteStates::find(const base::Prefix& p) {
  Shard& sh = shard_for(p);
  const std::size_t i = locate(sh, p);
  return i == sh.slots.size() ? nullptr : &sh.slots[i].state;
}

RouteState& RouteStates::get_or_insert(const base::Prefix& p) {
  Shard& sh = shard_for(p);
  if (const std::size_t i = locate(sh, p); i != sh.slots.size()) return sh.slots[i].state;
  if ((sh.size + 1) * 5 > sh.slots.size() * 4)
    rehash(sh, std::max(kMinCapacity, (sh.size + 1) * 2));
  std::uint64_t key;
  if (p.is_v4()) {
    key = v4_key(p);
  } else {
    std::uint32_t idx;
    if (!sh.free_v6.empty()) {
      idx = sh.free_v6.back();
      sh.free_v6.pop_back();
      sh.v6_keys[idx] = v6_key(p);
    } else {
      idx = static_cast<std::uint32_t>(sh.v6_keys.size());
      sh.v6_keys.push_back(v6_key(p));
    }
    key = kV6Flag | idx;
  }
  const std::size_t cap = sh.slots.size();
  std::size_t i = home(cap, hash_of(sh, key));
  while (sh.slots[i].key != kEmpty) i = i + 1 == cap ? 0 : i + 1;
  sh.slots[i].key = key;
  sh.slots[i].state = RouteState{};
  ++sh.size;
  sh.last = i;
  return sh.slots[i].state;
}

void RouteStates::erase_if_empty(const base::Prefix& p) {
  Shard& sh = shard_for(p);
  const std::size_t i = locate(sh, p);
  if (i == sh.slots.size() || !sh.slots[i].state.empty()) return;
  if (walking_ > 0) {
    ++deferred_;  // the walk must not see slots move; sweep() removes it afterwards
    return;
  }
  erase_at(sh, i);
  if (sh.size == 0) {
    clear(sh);
  } else if (sh.slots.size() > kMinCapacity && sh.size * 5 < sh.slots.size()) {
    rehash(sh, std::max(kMinCapacity, sh.size * 2));
  }
}

void RouteStates::erase_at(Shard& sh, std::size_t i) {
  auto& slots = sh.slots;
  const std::size_t cap = slots.size();
  if (slots[i].key & kV6Flag) sh.free_v6.push_back(static_cast<std::uint32_t>(slots[i].key));
  // Backward shift: pull later members of the probe run into the hole.
  std::size_t hole = i;
  for (std::size_t j = i + 1 == cap ? 0 : i + 1; slots[j].key != kEmpty;
       j = j + 1 == cap ? 0 : j + 1) {
    const std::size_t h = home(cap, hash_of(sh, slots[j].key));
    const std::size_t dist_home = (j + cap - h) % cap;
    const std::size_t dist_hole = (j + cap - hole) % cap;
    if (dist_home >= dist_hole) {
      slots[hole] = slots[j];
      hole = j;
    }
  }
  slots[hole] = Slot{};
  --sh.size;
}

void RouteStates::rehash(Shard& sh, std::size_t capacity) {
  std::vector<Slot> old = std::exchange(sh.slots, std::vector<Slot>(capacity));
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    std::size_t i = home(capacity, hash_of(sh, s.key));
    while (sh.slots[i].key != kEmpty) i = i + 1 == capacity ? 0 : i + 1;
    sh.slots[i] = s;
  }
}

void RouteStates::sweep() {
  deferred_ = 0;
  for (Shard& sh : shards_) {
    std::size_t live = 0;
    for (const Slot& s : sh.slots) live += s.key != kEmpty && !s.state.empty();
    if (live == sh.size) continue;
    if (live == 0) {
      clear(sh);
      continue;
    }
    // Rebuild without the emptied slots (cheaper and simpler than erasing them one by one).
    std::vector<Slot> old = std::exchange(sh.slots, {});
    std::vector<V6Key> keys = std::move(sh.v6_keys);
    sh.v6_keys.clear();
    sh.free_v6.clear();
    sh.size = 0;
    sh.slots.assign(std::max(kMinCapacity, live * 2), Slot{});
    for (const Slot& s : old) {
      if (s.key == kEmpty || s.state.empty()) continue;
      std::uint64_t key = s.key;
      if (key & kV6Flag) {
        key = kV6Flag | sh.v6_keys.size();
        sh.v6_keys.push_back(keys[s.key & 0xFFFFFFFFU]);
      }
      std::size_t i = home(sh.slots.size(), hash_of(sh, key));
      while (sh.slots[i].key != kEmpty) i = i + 1 == sh.slots.size() ? 0 : i + 1;
      sh.slots[i] = Slot{key, s.state};
      ++sh.size;
    }
  }
}

void RouteStates::clear(Shard& sh) {
  std::vector<Slot>().swap(sh.slots);
  std::vector<V6Key>().swap(sh.v6_keys);
  std::vector<std::uint32_t>().swap(sh.free_v6);
  sh.size = 0;
  sh.last = 0;
}

void RouteStates::clear() {
  for (Shard& sh : shards_) clear(sh);
  deferred_ = 0;
}

std::size_t RouteStates::size() const {
  std::size_t n = 0;
  for (const Shard& sh : shards_) n += sh.size;
  return n;
}

std::size_t RouteStates::capacity() const {
  std::size_t n = 0;
  for (const Shard& sh : shards_) n += sh.slots.size();
  return n;
}

std::size_t RouteStates::bytes() const {
  std::size_t n = 0;
  for (const Shard& sh : shards_)
    n += sh.slots.capacity() * sizeof(Slot) + sh.v6_keys.capacity() * sizeof(V6Key);
  return n;
}

}  // namespace nvabgpd::fib

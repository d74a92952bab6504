#include "nvabgpd/rib/prefix_table.hpp"

#include <algorithm>
#include <bit>
#include <utility>

#include "nvabgpd/base/mix64.hpp"
#include "nvabgpd/rib/linear_probe.hpp"

namespace nvabgpd::rib {

std::uint32_t Entry::capacity_for(std::uint32_t n) { return n <= 1 ? 1 : std::bit_ceil(n); }

Path* Entry::find(std::uint32_t peer) {
  for (Path& p : *this)
    if (p.peer == peer) return &p;
  return nullptr;
}

const Path* Entry::best() const {
  for (const Path& p : *this)
    if (p.flags & path_flag::kBest) return &p;
  return nullptr;
}

Path& Entry::upsert(std::uint32_t peer, AttrRef attrs) {
  if (Path* p = find(peer)) {
    p->attrs = std::move(attrs);
    return *p;
  }
  const std::uint32_t n = n_;
  if (n == 0) {
    Path* p = new (storage_) Path{std::move(attrs), peer, 0, 0};
    n_ = 1;
    return *p;
  }
  if (n == 1) {
    Path* arr = static_cast<Path*>(::operator new(sizeof(Path) * 2));
    new (&arr[0]) Path(std::move(*inline_path()));
    inline_path()->~Path();
    heap_ = arr;
  } else if (capacity_for(n) == n) {
    Path* arr = static_cast<Path*>(::operator new(sizeof(Path) * capacity_for(n + 1)));
    for (std::uint32_t i = 0; i < n; ++i) {
      new (&arr[i]) Path(std::move(heap_[i]));
      heap_[i].~Path();
    }
    ::operator delete(heap_);
    heap_ = arr;
  }
  Path* p = new (&heap_[n]) Path{std::move(attrs), peer, 0, 0};
  n_ = static_cast<std::uint16_t>(n + 1);
  return *p;
}

bool Entry::remove(std::uint32_t peer) {
  Path* p = find(peer);
  if (!p) return false;
  Path* d = data();
  const std::uint32_t n = n_;
  const auto i = static_cast<std::uint32_t>(p - d);
  if (i != n - 1) d[i] = std::move(d[n - 1]);
  d[n - 1].~Path();
  if (n == 1) {
    n_ = 0;
  } else if (n == 2) {
    Path* arr = heap_;
    new (storage_) Path(std::move(arr[0]));
    arr[0].~Path();
    ::operator delete(arr);
    n_ = 1;
  } else {
    n_ = static_cast<std::uint16_t>(n - 1);  // keep the capacity; shrink on the next growth cycle
    if (capacity_for(n - 1) < capacity_for(n)) {
      Path* arr = static_cast<Path*>(::operator new(sizeof(Path) * capacity_for(n - 1)));
      for (std::uint32_t k = 0; k < n - 1; ++k) {
        new (&arr[k]) Path(std::move(heap_[k]));
        heap_[k].~Path();
      }
      ::operator delete(heap_);
      heap_ = arr;
    }
  }
  return true;
}

void Entry::clear_paths() {
  if (n_ == 1) {
    inline_path()->~Path();
  } else if (n_ > 1) {
    for (std::uint32_t i = 0; i < n_; ++i) heap_[i].~Path();
    ::operator delete(heap_);
  }
  n_ = 0;
}

PrefixTable::PrefixTable() : slots_(kMinSlots, 0), mask_(kMinSlots - 1) {}
PrefixTable::~PrefixTable() = default;

std::uint64_t PrefixTable::encode(const base::Prefix& p, bool insert) {
  if (p.is_v4()) return (std::uint64_t{p.addr().v4_value()} << 8) | p.len();
  V6Key k{};
  const auto& b = p.addr().bytes();
  for (std::size_t i = 0; i < 16; ++i) k[i] = b[i];
  k[16] = static_cast<std::uint8_t>(p.len());
  if (!insert) return 0;
  std::uint32_t idx;
  if (!free_v6_.empty()) {
    idx = free_v6_.back();
    free_v6_.pop_back();
    v6_keys_[idx] = k;
  } else {
    idx = static_cast<std::uint32_t>(v6_keys_.size());
    v6_keys_.push_back(k);
  }
  return kV6Flag | idx;
}

namespace {
std::size_t mix64(std::uint64_t v) { return static_cast<std::size_t>(base::mix64(v)); }
std::size_t hash_v6(const std::array<std::uint8_t, 17>& k) {
  std::uint64_t hi = 0, lo = 0;
  for (std::size_t i = 0; i < 8; ++i) hi = (hi << 8) | k[i];
  for (std::size_t i = 8; i < 16; ++i) lo = (lo << 8) | k[i];
  return mix64(hi ^ mix64(lo ^ k[16]));
}
}  // namespace

std::size_t PrefixTable::hash_key(std::uint64_t key) const {
  if (key & kV6Flag) return hash_v6(v6_keys_[key & 0xFFFFFFFFU]);
  return mix64(key);
}

std::size_t PrefixTable::hash_prefix(const base::Prefix& p) const {
  if (p.is_v4()) return mix64((std::uint64_t{p.addr().v4_value()} << 8) | p.len());
  V6Key k{};
  const auto& b = p.addr().bytes();
  for (std::size_t i = 0; i < 16; ++i) k[i] = b[i];
  k[16] = static_cast<std::uint8_t>(p.len());
  return hash_v6(k);
}

bool PrefixTable::key_matches(std::uint64_t key, const base::Prefix& p) const {
  if (p.is_v4()) return key == ((std::uint64_t{p.addr().v4_value()} << 8) | p.len());
  if (!(key & kV6Flag)) return false;
  const V6Key& k = v6_keys_[key & 0xFFFFFFFFU];
  const auto& b = p.addr().bytes();
  for (std::size_t i = 0; i < 16; ++i)
    if (k[i] != b[i]) return false;
  return k[16] == p.len();
}

base::Prefix PrefixTable::prefix(EntryId id) const {
  const std::uint64_t key = at(id).key;
  if (key & kV6Flag) {
    const V6Key& k = v6_keys_[key & 0xFFFFFFFFU];
    std::array<std::uint8_t, 16> b{};
    for (std::size_t i = 0; i < 16; ++i) b[i] = k[i];
    return base::Prefix::make(base::IpAddress::v6(b), k[16]);
  }
  return base::Prefix::make(base::IpAddress::v4(static_cast<std::uint32_t>(key >> 8)),
                            static_cast<unsigned>(key & 0xFF));
}

EntryId PrefixTable::find(const base::Prefix& p) const {
  const std::size_t h = hash_prefix(p);
  const std::uint32_t tag = tag_of(h);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const std::uint32_t s = slots_[i];
    if (s == 0) return kNoEntry;
    if ((s & kTagMask) == tag && s != kErased && key_matches(at(slot_id(s)).key, p))
      return slot_id(s);
  }
}

void PrefixTable::prefetch_entry(const base::Prefix& p) const {
  const std::size_t h = hash_prefix(p);
  const std::uint32_t tag = tag_of(h);
  for (std::size_t i = h & mask_;; i = (i + 1) & mask_) {
    const std::uint32_t s = slots_[i];
    if (s == 0) return;
    if ((s & kTagMask) == tag && s != kErased) {
      __builtin_prefetch(&at(slot_id(s)));
      return;
    }
  }
}

void PrefixTable::prefetch_paths(const base::Prefix& p) const {
  const EntryId id = find(p);
  if (id == kNoEntry) return;
  for (const Path& path : at(id)) __builtin_prefetch(path.attrs.get());
}

EntryId PrefixTable::longest_match(const base::IpAddress& a) const {
  for (int len = static_cast<int>(base::max_len(a.family())); len >= 0; --len) {
    const EntryId id = find(base::Prefix::make(a, static_cast<unsigned>(len)));
    if (id != kNoEntry) return id;
  }
  return kNoEntry;
}

EntryId PrefixTable::allocate_id() {
  if (!free_ids_.empty()) {
    const EntryId id = free_ids_.back();
    free_ids_.pop_back();
    return id;
  }
  if ((next_id_ >> kChunkBits) >= chunks_.size())
    chunks_.push_back(std::make_unique<Entry[]>(kChunkSize));
  return next_id_++;
}

void PrefixTable::rehash(std::size_t slots) {
  // Rebuilt from the entries in id order rather than from the old slots: the keys are then
  // read sequentially, chunk by chunk, instead of one cache miss per entry in slot order.
  // A table left mostly empty by withdrawals is rebuilt from its old slots instead: a read
  // of the few live entries beats a walk over every id ever used.
  std::vector<std::uint32_t> old(slots, 0);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  erased_ = 0;
  auto place = [&](EntryId id, std::uint64_t key) {
    const std::size_t h = hash_key(key);
    std::size_t i = h & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = tag_of(h) | (id + 1);
  };
  if (size_ * 4 < next_id_) {
    for (std::uint32_t s : old)
      if (s != 0 && s != kErased) place(slot_id(s), at(slot_id(s)).key);
    return;
  }
  std::vector<std::uint32_t>().swap(old);  // not needed: free it before the walk
  for (EntryId id = 0; id < next_id_; ++id) {
    const std::uint64_t key = at(id).key;
    if (key != kFreeKey) place(id, key);
  }
}

EntryId PrefixTable::find_or_insert(const base::Prefix& p) {
  const std::size_t h = hash_prefix(p);
  const std::uint32_t tag = tag_of(h);
  std::size_t i = h & mask_;
  std::size_t reuse = slots_.size();  // the first tombstone on the way
  for (;; i = (i + 1) & mask_) {
    const std::uint32_t s = slots_[i];
    if (s == 0) break;
    if (s == kErased) {
      if (reuse == slots_.size()) reuse = i;
      continue;
    }
    if ((s & kTagMask) == tag && key_matches(at(slot_id(s)).key, p)) return slot_id(s);
  }
  if (size_ >= kMaxEntries) return kNoEntry;
  if (reuse != slots_.size()) {
    i = reuse;
    --erased_;
  } else if ((size_ + erased_ + 1) * 5 > slots_.size() * 4) {  // load factor <= 0.8
    // Mostly tombstones: rebuilt at the same size; else twice the size.
    rehash((size_ + 1) * 5 > slots_.size() * 2 ? slots_.size() * 2 : slots_.size());
    return find_or_insert(p);
  }
  const EntryId id = allocate_id();
  at(id).key = encode(p, true);
  slots_[i] = tag | (id + 1);
  ++size_;
  return id;
}

void PrefixTable::erase(EntryId id) {
  Entry& e = at(id);
  // Find the slot (by id: no entry is read), then leave a tombstone, or an empty slot where
  // no probe goes on past it.
  std::size_t i = hash_key(e.key) & mask_;
  while ((slots_[i] & ~kTagMask) != id + 1) i = (i + 1) & mask_;
  vacate_slot(slots_, mask_, i, kErased, erased_);
  if (e.key & kV6Flag) free_v6_.push_back(static_cast<std::uint32_t>(e.key & 0xFFFFFFFFU));
  e.clear_paths();
  e.key = kFreeKey;
  e.flags = 0;
  e.fib_set = 0;
  free_ids_.push_back(id);
  --size_;
  if (size_ == 0) {
    release_all();
  } else if (slots_.size() > kMinSlots && size_ * 8 < slots_.size()) {
    // Mostly empty after withdrawals: back to a load of <= 0.5 (growth is at 0.8).
    rehash(std::max(kMinSlots, std::bit_ceil(size_ * 2)));
  }
}

void PrefixTable::release_all() {
  // No entry is left: nothing refers to an id (an entry is erased only when no path, FIB
  // route or Adj-RIB-Out holds it), so the ids restart from 0 and every array is freed.
  std::vector<std::unique_ptr<Entry[]>>().swap(chunks_);
  std::vector<EntryId>().swap(free_ids_);
  next_id_ = 0;
  std::vector<std::uint32_t>(kMinSlots, 0).swap(slots_);
  mask_ = kMinSlots - 1;
  erased_ = 0;
  std::vector<V6Key>().swap(v6_keys_);
  std::vector<std::uint32_t>().swap(free_v6_);
}

}  // namespace nvabgpd::rib

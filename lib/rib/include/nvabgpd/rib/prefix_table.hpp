#pragma once
// Compact prefix storage for the Loc-RIB: dense 32-bit entry ids, entries in fixed-size
// chunks (no 2x vector over-allocation), and an open-addressing index of 4-byte slots.
// An IPv4 prefix costs 32 bytes of entry + ~5 bytes of index; a prefix with one candidate
// path needs no further allocation (the path is stored inline). IPv6 keys live in a side
// array (the entry holds an index). Owned by the RIB thread.
#include <array>
#include <cstdint>
#include <memory>
#include <new>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/rib/attrs.hpp"

namespace nvabgpd::rib {

using EntryId = std::uint32_t;
inline constexpr EntryId kNoEntry = ~EntryId{0};

// Per-path flag bits.
namespace path_flag {
inline constexpr std::uint16_t kBest = 1;
inline constexpr std::uint16_t kEcmp = 2;          // in the multipath set (the best has it too)
inline constexpr std::uint16_t kStale = 4;         // graceful restart: kept from a restarted peer
inline constexpr std::uint16_t kAsLoop = 8;        // own ASN in AS_PATH beyond allowas-in
inline constexpr std::uint16_t kClusterLoop = 16;  // our cluster id in CLUSTER_LIST
inline constexpr std::uint16_t kOriginatorIsUs = 32;
inline constexpr std::uint16_t kIneligibleMask = kAsLoop | kClusterLoop | kOriginatorIsUs;
}  // namespace path_flag

// One candidate path: the peer slot it came from and its (post-import-policy) attributes.
struct Path {
  AttrRef attrs;
  std::uint32_t peer = 0;  // internal peer slot (see Rib)
  std::uint16_t flags = 0;
  std::uint16_t spare = 0;
};
static_assert(sizeof(Path) == 16);

// Entry flag bits.
namespace entry_flag {
inline constexpr std::uint16_t kDirty = 1;
}

class Entry {
 public:
  Entry() = default;
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;
  ~Entry() { clear_paths(); }

  std::uint32_t size() const { return n_; }
  Path* begin() { return data(); }
  Path* end() { return data() + n_; }
  const Path* begin() const { return data(); }
  const Path* end() const { return data() + n_; }
  Path& operator[](std::uint32_t i) { return data()[i]; }
  const Path& operator[](std::uint32_t i) const { return data()[i]; }
  Path* find(std::uint32_t peer);
  const Path* find(std::uint32_t peer) const { return const_cast<Entry*>(this)->find(peer); }
  const Path* best() const;
  // Adds a path for peer or replaces that peer's path; returns it.
  Path& upsert(std::uint32_t peer, AttrRef attrs);
  bool remove(std::uint32_t peer);
  void clear_paths();

  std::uint64_t key = ~std::uint64_t{0};
  std::uint16_t flags = 0;

 private:
  std::uint16_t n_ = 0;

 public:
  std::uint32_t fib_set = 0;  // id of the forwarding next-hop set last sent to the FIB (0: none)

 private:
  Path* data() { return n_ <= 1 ? inline_path() : heap_; }
  const Path* data() const { return n_ <= 1 ? inline_path() : heap_; }
  Path* inline_path() { return std::launder(reinterpret_cast<Path*>(storage_)); }
  const Path* inline_path() const { return std::launder(reinterpret_cast<const Path*>(storage_)); }
  static std::uint32_t capacity_for(std::uint32_t n);

  union {
    alignas(Path) unsigned char storage_[sizeof(Path)];
    Path* heap_;
  };
};
static_assert(sizeof(Entry) == 32);

class PrefixTable {
 public:
  PrefixTable();
  PrefixTable(const PrefixTable&) = delete;
  PrefixTable& operator=(const PrefixTable&) = delete;
  ~PrefixTable();

  EntryId find(const base::Prefix& p) const;
  // Cache hints for a lookup of `p` coming soon (a withdrawal's prefixes are spread over the
  // whole table, each lookup a few cache misses): the index slot first, then, a few
  // prefixes later, the entry its first slot with a matching tag names.
  void prefetch_slot(const base::Prefix& p) const {
    __builtin_prefetch(&slots_[hash_prefix(p) & mask_]);
  }
  void prefetch_entry(const base::Prefix& p) const;
  // The entry of `id` (< id_limit()), and the index slot of a live entry whose key is cached.
  void prefetch(EntryId id) const { __builtin_prefetch(&at(id)); }
  void prefetch_slot_of(EntryId id) const {
    if (live(id)) __builtin_prefetch(&slots_[hash_key(at(id).key) & mask_]);
  }
  // Last: the attribute sets of the entry's paths (found now without a miss).
  void prefetch_paths(const base::Prefix& p) const;
  // The longest prefix held that contains `a` (kNoEntry: none), as a forwarding lookup would
  // choose: one exact probe per prefix length, longest first.
  EntryId longest_match(const base::IpAddress& a) const;
  // kNoEntry when the table is full (kMaxEntries prefixes).
  EntryId find_or_insert(const base::Prefix& p);
  static constexpr std::size_t kMaxEntries = (std::size_t{1} << 24) - 2;
  // Removes an entry that holds no paths; its id may be reused. The index shrinks when it is
  // mostly empty, and the last erase gives all storage back (ids restart from 0).
  void erase(EntryId id);

  Entry& at(EntryId id) { return chunks_[id >> kChunkBits][id & kChunkMask]; }
  const Entry& at(EntryId id) const { return chunks_[id >> kChunkBits][id & kChunkMask]; }
  base::Prefix prefix(EntryId id) const;
  bool live(EntryId id) const { return id < next_id_ && at(id).key != kFreeKey; }
  // Ids are < id_limit(); iterate with live().
  EntryId id_limit() const { return next_id_; }
  std::size_t size() const { return size_; }
  std::size_t index_bytes() const { return slots_.size() * sizeof(std::uint32_t); }
  std::size_t entry_bytes() const { return chunks_.size() * kChunkSize * sizeof(Entry); }

 private:
  static constexpr unsigned kChunkBits = 12;
  static constexpr std::uint32_t kChunkSize = 1U << kChunkBits;
  static constexpr std::uint32_t kChunkMask = kChunkSize - 1;
  static constexpr std::uint64_t kFreeKey = ~std::uint64_t{0};
  static constexpr std::uint64_t kV6Flag = std::uint64_t{1} << 63;
  using V6Key = std::array<std::uint8_t, 17>;

  std::uint64_t encode(const base::Prefix& p, bool insert);
  std::size_t hash_key(std::uint64_t key) const;
  bool key_matches(std::uint64_t key, const base::Prefix& p) const;
  std::size_t hash_prefix(const base::Prefix& p) const;
  void rehash(std::size_t slots);
  void release_all();
  EntryId allocate_id();
  static constexpr std::size_t kMinSlots = 1024;

  std::vector<std::unique_ptr<Entry[]>> chunks_;
  std::vector<EntryId> free_ids_;
  EntryId next_id_ = 0;
  std::size_t size_ = 0;
  // Index slot: 0 = empty, kErased = erased (a tombstone: probes go on past it, an insert
  // may take it), else (8-bit hash tag << 24) | (id + 1). The tag spares most probes a cache
  // miss on the entry; tombstones spare erase() the entry reads of a backward shift. They are
  // cleared by the next rehash, which comes when entries plus tombstones reach the load limit.
  static constexpr std::uint32_t kTagMask = 0xFF000000U;
  static constexpr std::uint32_t kErased = 0x00FFFFFFU;  // no id + 1 is 2^24 - 1
  static std::uint32_t tag_of(std::size_t h) { return static_cast<std::uint32_t>(h >> 56) << 24; }
  static EntryId slot_id(std::uint32_t s) { return (s & ~kTagMask) - 1; }
  std::vector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
  std::size_t erased_ = 0;  // tombstones in slots_
  std::vector<V6Key> v6_keys_;
  std::vector<std::uint32_t> free_v6_;
};

}  // namespace nvabgpd::rib

#pragma once
// NextHopTable: the resolution state of every BGP next hop that a Loc-RIB path uses, and the
// dependency index next hop -> Loc-RIB entries whose candidate paths use it.
//
// A next hop is resolved once, when the first path starts using it, and again only when the
// FIB reports it changed (changed()). The entries of a next hop whose resolution changed are
// not touched by changed() itself: they are queued, and handed out to be re-decided by
// drain(budget), so no single call does work proportional to the table.
//
// A next hop's dependency index has two forms. Sparse: a list of entry ids, append-only
// between compactions (a path that leaves does not search the list; ids are checked against
// the table when used, so an entry freed or re-used, or a path replaced, is skipped; the list is
// compacted when it holds more than twice the paths that use the next hop: amortised O(1) per
// path change). Dense, once the list would cost more than a bitmap over all entry ids (a next
// hop carrying a large share of the table): one bit per entry id, checked the same way when
// used. A full table over a few next hops costs ~1 bit per prefix and next hop, not 4 bytes.
//
// Owned by the Rib, single-threaded (the BGP thread).
#include <cstdint>
#include <limits>
#include <span>
#include <unordered_map>
#include <vector>

#include "nvabgpd/base/next_hop_resolver.hpp"
#include "nvabgpd/rib/attrs.hpp"
#include "nvabgpd/rib/prefix_table.hpp"

namespace nvabgpd::rib {

// What the decision process needs of a next hop's resolution (RFC 4271 9.1.2.1): whether it
// is usable, and its IGP cost. How the FIB forwards to it (gateway, device) is the FIB's.
struct NextHopState {
  bool reachable = false;
  std::uint32_t igp_cost = 0;
  bool operator==(const NextHopState&) const = default;
};

class NextHopTable {
 public:
  NextHopTable(base::NextHopResolver& resolver, const PrefixTable& table);
  NextHopTable(const NextHopTable&) = delete;
  NextHopTable& operator=(const NextHopTable&) = delete;

  // One more path of entry `id` uses `nh` (asks the resolver if nh is new here).
  void add(const Ref<NextHop>& nh, EntryId id);
  // One path of entry `id` that used `nh` is gone (call after the table no longer holds it).
  // After the last one the next hop is dropped and the resolver forgets it.
  void remove(const NextHop* nh, EntryId id);
  // The resolution of a next hop a Loc-RIB path uses (unreachable if no path uses it).
  NextHopState state(const NextHop* nh) const;

  // The resolver's answer may have changed for these addresses: re-resolves each one this
  // table knows (others are ignored) and queues the entries of those whose state changed.
  // O(addresses): no entry is touched. Returns how many next hops changed.
  std::size_t changed(std::span<const base::IpAddress> addresses);
  // Appends to `out` the queued entries that still use a changed next hop, examining at most
  // `budget` queued ids (or 64-id words of a dense index); returns the number examined.
  std::size_t drain(std::size_t budget, std::vector<EntryId>& out);
  bool marking() const { return job_head_ < jobs_.size(); }
  // Queued ids not yet examined (an entry may be counted twice, or be gone by then).
  std::size_t queued() const;

  std::size_t size() const { return records_.size(); }
  // Paths using `address`, and the ids its dependency index holds (sparse: list length, with
  // repeats and stale ids; dense: bits set). For tests and monitoring.
  std::uint32_t paths(const base::IpAddress& address) const;
  std::size_t dependency_count(const base::IpAddress& address) const;
  bool dense(const base::IpAddress& address) const;

 private:
  static constexpr std::size_t kIdle = std::numeric_limits<std::size_t>::max();
  struct Record {
    Ref<NextHop> nh;  // keeps the address, and so the key, alive as long as the record
    NextHopState state;
    std::uint32_t paths = 0;
    std::vector<EntryId> ids;         // sparse form
    std::vector<std::uint64_t> bits;  // dense form (non-empty: dense)
    std::size_t cursor = kIdle;       // while queued for marking: next ids index / bit index
  };
  NextHopState ask(const base::IpAddress& a);
  bool uses(EntryId id, const NextHop* nh) const;
  void compact(Record& r);
  void make_dense(Record& r);
  void make_sparse(Record& r);
  std::size_t marking_step(Record& r, std::size_t budget, std::vector<EntryId>& out);
  const Record* find(const base::IpAddress& a) const;

  base::NextHopResolver& resolver_;
  const PrefixTable& table_;
  std::unordered_map<const NextHop*, Record> records_;
  std::unordered_map<base::IpAddress, const NextHop*> by_address_;
  std::vector<const NextHop*> jobs_;  // next hops whose entries are being marked, in order
  std::size_t job_head_ = 0;
};

}  // namespace nvabgpd::rib

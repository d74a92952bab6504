#pragma once
// Adj-RIB-Out of one update group: per Loc-RIB entry, the route the group's members hold from
// us (an interned attribute set, null: none) and the member that is the route's source and so
// does not hold it (0: none). Indexed by EntryId in chunks (see chunked_array.hpp): 8 bytes
// per route plus a sparse source array. Private to lib/rib.
#include <cstddef>
#include <utility>

#include "chunked_array.hpp"
#include "nvabgpd/rib/prefix_table.hpp"
#include "nvabgpd/rib/rib.hpp"

namespace nvabgpd::rib {

class AdjRibOut {
 public:
  // Ids below size() are addressable; ensure() extends it in whole chunks.
  std::size_t size() const { return out_.size(); }
  void ensure(EntryId e) {
    if (out_.size() <= e) {
      out_.ensure(std::size_t{e} + 1);  // whole chunks, never reallocated
      except_.ensure(out_.size());
    }
  }
  // The group's route for `e` (null: none); valid for any id.
  AttrRef route(EntryId e) const { return e < out_.size() ? out_[e] : AttrRef{}; }
  // Below size() only.
  const AttrRef& at(EntryId e) const { return out_[e]; }
  // The source member (0: none); after a withdrawal, the source the route had, until it is
  // overwritten (the batch then withdraws it from everybody else).
  PeerId source(EntryId e) const { return except_[e]; }
  // What member `peer` holds for `e` (the source member holds nothing).
  AttrRef held_by(PeerId peer, EntryId e) const {
    return e < out_.size() && except_[e] != peer ? out_[e] : AttrRef{};
  }
  // Stores the route and its source member (e < size()).
  void set(EntryId e, AttrRef attrs, PeerId source) {
    if (!out_[e] && attrs) ++count_;
    if (out_[e] && !attrs) --count_;
    out_[e] = std::move(attrs);
    except_[e] = source;
  }
  // A member joined that is the source of the route now held for `e` (e < size()).
  void set_source(EntryId e, PeerId source) { except_[e] = source; }
  // Routes held (by the group: one member may be the source of some of them).
  std::size_t count() const { return count_; }
  // Routes `peer` holds.
  std::size_t count_for(PeerId peer) const;
  // Bytes of the arrays.
  std::size_t bytes() const { return out_.bytes() + except_.bytes(); }

 private:
  ChunkedArray<AttrRef> out_;
  SparseChunkedArray<PeerId> except_;
  std::size_t count_ = 0;
};

}  // namespace nvabgpd::rib

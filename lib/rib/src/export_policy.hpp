#pragma once
// The export rules: what an update group sends for one Loc-RIB entry, or why it sends
// nothing. Family, split horizon toward the source member, iBGP reflection (RFC 4456),
// well-known communities (RFC 1997), the group's export filter, then the attribute transform
// for the group's kind of peer (RFC 4271 5.1, RFC 4456 8, RFC 7947). Reads the Loc-RIB and
// the peers; writes only interned attribute sets and the group's transform memo.
// Private to lib/rib.
#include <array>
#include <memory>
#include <string>

#include "peer_table.hpp"
#include "update_group.hpp"

namespace nvabgpd::rib {

struct ExportResult {
  AttrRef attrs;       // null: not exported
  PeerId except = 0;   // group member that is the source
  std::string reason;  // filled when asked
};

class ExportPolicy {
 public:
  ExportPolicy(const RibConfig& cfg, AttrStore& store, const PrefixTable& table,
               const PeerTable& peers)
      : cfg_(cfg), store_(store), table_(table), peers_(peers) {}

  // What group `g` exports for entry `id`. The reason text is built only when asked
  // (explain), never on the export hot path.
  ExportResult route(const UpdateGroup& g, EntryId id, bool want_reason) const;
  // The well-known community that keeps a route from a peer, or nullptr.
  static const char* community_block(const AttrSet& attrs, bool ebgp_peer);
  // Drops the caches (and the attribute sets they hold), e.g. once the table is empty.
  void forget() {
    views_.reset();
    modified_.reset();
    verdicts_.reset();
  }

 private:
  AttrRef transform(const UpdateGroup& g, const AttrRef& attrs, const AdjRibIn& src, bool keep_med,
                    bool v6) const;
  // The wire form of `a` that export filters read. Routes reach the export run grouped by
  // attribute set (an UPDATE's prefixes share one), so a small direct-mapped cache makes this
  // one materialisation per set instead of one per route.
  const wire::PathAttributes& wire_view(const AttrRef& a) const;
  // `mod` (a filter's change of `in`) interned. A filter that makes the same change to every
  // route of a set (bgp_path.delete, a community add) interns it once per set: the cache
  // compares the change with the last one made to `in` before hashing anything.
  AttrRef intern_modified(const AttrRef& in, wire::PathAttributes&& mod) const;
  // A filter's verdict on routes of one attribute set from one source whose prefixes answer
  // its prefix tests alike (RouteFilter::prefix_signature), for one group.
  struct Verdict {
    std::uint32_t group = 0;
    PeerId from = 0;
    std::uint64_t signature = 0;
    AttrRef in;   // null: slot empty
    AttrRef out;  // the filtered set (before the group's transform); null: rejected
    bool keep_med = false;
  };
  Verdict& verdict_slot(std::uint32_t group, const AttrRef& in, PeerId from,
                        std::uint64_t signature) const;

  const RibConfig& cfg_;
  AttrStore& store_;
  const PrefixTable& table_;
  const PeerTable& peers_;

  static constexpr std::size_t kCacheSlots = 256;
  static std::size_t slot_of(const AttrSet* a);
  struct WireView {
    AttrRef set;  // keeps the set (and so the key's address) alive while cached
    wire::PathAttributes wire;
  };
  struct Modified {
    AttrRef in;
    wire::PathAttributes change;
    AttrRef out;
  };
  // Allocated on the first filtered export (an idle daemon or one without export filters
  // does not pay for them).
  mutable std::unique_ptr<std::array<WireView, kCacheSlots>> views_;
  mutable std::unique_ptr<std::array<Modified, kCacheSlots>> modified_;
  static constexpr std::size_t kVerdictSlots = 4096;
  mutable std::unique_ptr<std::array<Verdict, kVerdictSlots>> verdicts_;
};

}  // namespace nvabgpd::rib

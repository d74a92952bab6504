#pragma once
// The export rules: what an update group sends for one Loc-RIB entry, or why it sends
// nothing. Family, split horizon toward the source member, iBGP reflection (RFC 4456),
// well-known communities (RFC 1997), the group's export filter, then the attribute transform
// for the group's kind of peer (RFC 4271 5.1, RFC 4456 8, RFC 7947). Reads the Loc-RIB and
// the peers; writes only interned attribute sets and the group's transform memo.
// Private to lib/rib.
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

 private:
  AttrRef transform(const UpdateGroup& g, const AttrRef& attrs, const AdjRibIn& src, bool keep_med,
                    bool v6) const;

  const RibConfig& cfg_;
  AttrStore& store_;
  const PrefixTable& table_;
  const PeerTable& peers_;
};

}  // namespace nvabgpd::rib

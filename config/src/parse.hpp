#pragma once
// Private: the stages of loading, shared by the loader's translation units.
#include <filesystem>
#include <string>
#include <vector>

#include "nvabgpd/config/load.hpp"
#include "reader.hpp"

namespace nvabgpd::config::detail {

// Per peer: which keys the user set (after template expansion) and where; cross-field checks
// and the template's locked keys look here.
struct PeerSource {
  // Merged: template chain first, peer last. A key appears once, except the mappings that
  // merge key by key (limits, graceful-restart): each layer's map is kept, applied in order.
  std::vector<Entry> entries;
  YAML::Node node;    // the peer's own mapping
  std::string field;  // "peers[NAME]"
  // The most specific entry for `key` (the peer's own when it set one).
  const Entry* get(std::string_view key) const {
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
      if (it->key == key) return &*it;
    return nullptr;
  }
};

// Reads `templates:` and `peers:`; fills cfg.peers and one PeerSource per peer (same order).
void read_peers(Reader& r, const YAML::Node* templates, const YAML::Node* peers, Config& cfg,
                std::vector<PeerSource>& sources);

// Cross-field checks over the whole config; `asn_node` is the top-level asn value, if any.
void validate(Reader& r, const Config& cfg, const std::vector<PeerSource>& sources,
              const YAML::Node* asn_node, const LoadOptions& opts);

// The azure-route-server template: defaults before user keys, locks after, global checks.
void apply_azure_defaults(PeerConfig& p);
void check_azure_peer(Reader& r, const PeerConfig& p, const PeerSource& src);
void check_azure_global(Reader& r, const Config& cfg, const std::vector<PeerSource>& sources,
                        const YAML::Node* asn_node);

// Scalar helpers shared by originate and peer parsing.
std::optional<wire::Community> parse_community(std::string_view text);
std::optional<wire::LargeCommunity> parse_large_community(std::string_view text);
bool is_filter_identifier(std::string_view name);
// `bfd:` of a peer (bfd.cpp). bfd.multihop defaults to the peer's `multihop` (set by the
// caller once every key is read) unless the mapping has the key.
std::optional<BfdConfig> read_bfd(Reader& r, const Entry& e);
bool bfd_sets_multihop(const Entry& e);

}  // namespace nvabgpd::config::detail

#include "nvabgpd/rib/attrs.hpp"

#include <algorithm>

namespace nvabgpd::rib {
namespace {

constexpr std::uint32_t header(wire::SegmentType t, std::size_t n) {
  return (static_cast<std::uint32_t>(t) << 24) | static_cast<std::uint32_t>(n);
}
constexpr wire::SegmentType seg_type(std::uint32_t h) {
  return static_cast<wire::SegmentType>(h >> 24);
}
constexpr std::size_t seg_count(std::uint32_t h) { return h & 0xFFFFFFU; }

template <typename Vec>
std::size_t hash_words(const Vec& v, std::size_t seed) {
  std::size_t h = seed;
  for (const auto& w : v) h = hash_mix(h, w);
  return hash_mix(h, v.size());
}

}  // namespace

namespace {
std::vector<std::uint32_t> flatten(const wire::AsPath& p) {
  std::vector<std::uint32_t> w;
  for (const auto& seg : p.segments) {
    if (seg.asns.empty()) continue;
    w.push_back(header(seg.type, seg.asns.size()));
    w.insert(w.end(), seg.asns.begin(), seg.asns.end());
  }
  return w;
}
}  // namespace

AsPathData::AsPathData(const wire::AsPath& p)
    : length_(p.length()), neighbour_as_(p.neighbour_as().value_or(0)), words_(flatten(p)) {}

AsPathData AsPathData::prepended(std::uint32_t asn, unsigned times) const {
  wire::AsPath p = to_wire();
  p.prepend(asn, times);
  return AsPathData(p);
}

wire::AsPath AsPathData::to_wire() const {
  wire::AsPath p;
  for (std::size_t i = 0; i < words_.size(); i += 1 + seg_count(words_[i])) {
    wire::AsSegment s;
    s.type = seg_type(words_[i]);
    s.asns.assign(words_.begin() + static_cast<std::ptrdiff_t>(i + 1),
                  words_.begin() + static_cast<std::ptrdiff_t>(i + 1 + seg_count(words_[i])));
    p.segments.push_back(std::move(s));
  }
  return p;
}

std::size_t AsPathData::compute_hash() const { return hash_words(words_, 0x1234); }

namespace {
std::vector<std::uint32_t> community_words(const std::vector<wire::Community>& v) {
  std::vector<std::uint32_t> w;
  w.reserve(v.size());
  for (auto c : v) w.push_back(c.value);
  return w;
}
}  // namespace

CommunityList::CommunityList(const std::vector<wire::Community>& v) : values_(community_words(v)) {
  for (auto c : v) {
    if (c == wire::kNoAdvertise) well_known_ |= 1U;
    if (c == wire::kNoExport) well_known_ |= 2U;
    if (c == wire::kNoExportSubconfed) well_known_ |= 4U;
  }
}

std::vector<wire::Community> CommunityList::values() const {
  std::vector<wire::Community> v;
  v.reserve(values_.size());
  for (auto w : values_) v.push_back(wire::Community{w});
  return v;
}

bool CommunityList::has(wire::Community c) const {
  return std::find(values_.begin(), values_.end(), c.value) != values_.end();
}

std::size_t CommunityList::compute_hash() const { return hash_words(values_, 0x77); }

std::size_t NextHop::compute_hash() const {
  const auto& b = addr_.bytes();
  std::uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | b[static_cast<std::size_t>(i)];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | b[static_cast<std::size_t>(i)];
  return hash_mix(hash_mix(static_cast<std::size_t>(addr_.family()), hi), lo);
}

bool RareAttrs::empty() const {
  return !link_local_next_hop && !aggregator && ext_communities.empty() &&
         large_communities.empty() && cluster_list.empty() && unknown.empty();
}

AttrSet::AttrSet(const AttrSet& o)
    : Interned<AttrSet>(),
      as_path_(o.as_path_),
      communities_(o.communities_),
      next_hop_(o.next_hop_),
      rare_(o.rare_ ? std::make_unique<RareAttrs>(*o.rare_) : nullptr),
      med_(o.med_),
      local_pref_(o.local_pref_),
      originator_id_(o.originator_id_),
      origin_(o.origin_),
      flags_(o.flags_) {}

bool AttrSet::cluster_list_contains(std::uint32_t id) const {
  if (!rare_) return false;
  const auto& cl = rare_->cluster_list;
  return std::find(cl.begin(), cl.end(), id) != cl.end();
}

RareAttrs& AttrSet::rare_mut() {
  if (!rare_) rare_ = std::make_unique<RareAttrs>();
  return *rare_;
}

void AttrSet::normalise_rare() {
  if (rare_ && rare_->empty()) rare_.reset();
}

std::size_t AttrSet::compute_hash() const {
  std::size_t h = 0x5151;
  h = hash_mix(h, reinterpret_cast<std::uintptr_t>(as_path_.get()));
  h = hash_mix(h, reinterpret_cast<std::uintptr_t>(communities_.get()));
  h = hash_mix(h, reinterpret_cast<std::uintptr_t>(next_hop_.get()));
  h = hash_mix(h, (std::uint64_t{med_} << 32) | local_pref_);
  h = hash_mix(h, (std::uint64_t{originator_id_} << 16) | (std::uint64_t{flags_} << 8) |
                      static_cast<std::uint64_t>(origin_));
  if (rare_) {
    h = hash_mix(h, hash_words(rare_->cluster_list, rare_->ext_communities.size()));
    for (const auto& e : rare_->ext_communities) h = hash_mix(h, e.value);
    for (const auto& l : rare_->large_communities)
      h = hash_mix(h, (std::uint64_t{l.global} << 32) ^ l.local1 ^ (std::uint64_t{l.local2} << 16));
    h = hash_mix(h, rare_->unknown.size() + (rare_->aggregator ? 7 : 0) +
                        (rare_->link_local_next_hop ? 13 : 0));
  }
  return h;
}

bool AttrSet::same_value(const AttrSet& o) const {
  if (as_path_ != o.as_path_ || communities_ != o.communities_ || next_hop_ != o.next_hop_ ||
      med_ != o.med_ || local_pref_ != o.local_pref_ || originator_id_ != o.originator_id_ ||
      origin_ != o.origin_ || flags_ != o.flags_)
    return false;
  if (!rare_ || !o.rare_) return !rare_ && !o.rare_;
  return *rare_ == *o.rare_;
}

AttrStore::AttrStore() = default;
AttrStore::~AttrStore() = default;

Ref<CommunityList> AttrStore::intern_communities(std::vector<wire::Community> v) {
  if (v.empty()) return {};
  return communities_.intern(CommunityList(v));
}

AttrRef AttrStore::intern(const wire::PathAttributes& a) {
  AttrSet s;
  s.set_origin(a.origin);
  s.set_as_path(intern_path(AsPathData(a.as_path)));
  s.set_communities(intern_communities(a.communities));
  if (a.next_hop) s.set_next_hop(intern_next_hop(*a.next_hop));
  s.set_med(a.med);
  s.set_local_pref(a.local_pref);
  s.set_originator_id(a.originator_id);
  s.set_atomic_aggregate(a.atomic_aggregate);
  if (a.link_local_next_hop || a.aggregator || !a.ext_communities.empty() ||
      !a.large_communities.empty() || !a.cluster_list.empty() || !a.unknown.empty()) {
    auto& r = s.rare_mut();
    r.link_local_next_hop = a.link_local_next_hop;
    r.aggregator = a.aggregator;
    r.ext_communities = a.ext_communities;
    r.large_communities = a.large_communities;
    r.cluster_list = a.cluster_list;
    r.unknown = a.unknown;
  }
  return intern(std::move(s));
}

wire::PathAttributes AttrStore::materialize(const AttrSet& s) {
  wire::PathAttributes a;
  a.origin = s.origin();
  if (s.as_path_ref()) a.as_path = s.as_path().to_wire();
  if (s.communities_ref()) a.communities = s.communities_ref()->values();
  if (s.next_hop()) a.next_hop = s.next_hop()->address();
  a.med = s.med();
  a.local_pref = s.local_pref();
  a.originator_id = s.originator_id();
  a.atomic_aggregate = s.atomic_aggregate();
  if (const RareAttrs* r = s.rare()) {
    a.link_local_next_hop = r->link_local_next_hop;
    a.aggregator = r->aggregator;
    a.ext_communities = r->ext_communities;
    a.large_communities = r->large_communities;
    a.cluster_list = r->cluster_list;
    a.unknown = r->unknown;
  }
  return a;
}

}  // namespace nvabgpd::rib

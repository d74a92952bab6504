#pragma once
// Interned path attributes. Memory grows with the number of distinct attribute sets, not with
// routes: a route holds one 8-byte reference. AS paths, community lists and next hops are
// interned separately and shared between attribute sets (an eBGP export that only prepends
// our ASN shares the community list of the received set).
//
// Owned by the RIB thread; not thread-safe.
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/rib/interned.hpp"
#include "nvabgpd/rib/small_words.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::rib {

// An AS path in one flat array: per segment a header word (type << 24 | count) followed by
// its ASNs. This is only the RIB's storage form: what a path means (its selection length,
// neighbour AS, prepending) is wire::AsPath's (wire/as_path.hpp), asked once at intern time.
class AsPathData : public Interned<AsPathData> {
 public:
  AsPathData() = default;
  explicit AsPathData(const wire::AsPath& p);

  // wire::AsPath::length(): RFC 4271 9.1.2.2 a / RFC 5065 5.3.
  unsigned length() const { return length_; }
  // wire::AsPath::neighbour_as(): the neighbouring AS for MED comparison (RFC 5065 5.2 skips
  // leading confederation segments).
  std::optional<std::uint32_t> neighbour_as() const {
    return neighbour_as_ != 0 ? std::optional(neighbour_as_) : std::nullopt;
  }
  bool empty() const { return words_.empty(); }
  const SmallWords<11>& words() const { return words_; }
  // A copy with asn prepended `times` times (wire::AsPath::prepend, 255 ASNs per segment).
  AsPathData prepended(std::uint32_t asn, unsigned times = 1) const;
  wire::AsPath to_wire() const;

  std::size_t compute_hash() const;
  bool same_value(const AsPathData& o) const { return words_ == o.words_; }

 private:
  std::uint32_t length_ = 0;
  std::uint32_t neighbour_as_ = 0;  // 0: none (AS 0 never appears in a path, RFC 7607)
  SmallWords<11> words_;            // one segment of up to 10 ASNs stays inline
};

// A community list, in received order (duplicates kept, as the codec hands them over).
class CommunityList : public Interned<CommunityList> {
 public:
  CommunityList() = default;
  explicit CommunityList(const std::vector<wire::Community>& v);
  std::vector<wire::Community> values() const;
  std::uint32_t size() const { return values_.size(); }
  bool has(wire::Community c) const;
  // RFC 1997 well-known communities, found once at intern time.
  bool no_advertise() const { return (well_known_ & 1U) != 0; }
  bool no_export() const { return (well_known_ & 2U) != 0; }
  bool no_export_subconfed() const { return (well_known_ & 4U) != 0; }
  std::size_t compute_hash() const;
  bool same_value(const CommunityList& o) const { return values_ == o.values_; }

 private:
  std::uint32_t well_known_ = 0;
  SmallWords<7> values_;
};

// A BGP next hop address (shared by every attribute set that carries the address). Its
// resolution is not a value of the address: the RIB's NextHopTable holds it.
class NextHop : public Interned<NextHop> {
 public:
  NextHop() = default;
  explicit NextHop(const base::IpAddress& a) : addr_(a) {}
  const base::IpAddress& address() const { return addr_; }
  std::size_t compute_hash() const;
  bool same_value(const NextHop& o) const { return addr_ == o.addr_; }

 private:
  base::IpAddress addr_;
};

// Rarely present attributes live out of line so the common set stays at one cache line.
struct RareAttrs {
  std::optional<base::IpAddress> link_local_next_hop;
  std::optional<wire::Aggregator> aggregator;
  std::vector<wire::ExtCommunity> ext_communities;
  std::vector<wire::LargeCommunity> large_communities;
  std::vector<std::uint32_t> cluster_list;
  std::vector<wire::RawAttribute> unknown;
  bool operator==(const RareAttrs&) const = default;
  bool empty() const;
};

// One distinct set of path attributes.
class AttrSet : public Interned<AttrSet> {
 public:
  AttrSet() = default;
  AttrSet(const AttrSet& o);
  AttrSet(AttrSet&&) noexcept = default;
  AttrSet& operator=(const AttrSet&) = delete;
  AttrSet& operator=(AttrSet&&) noexcept = default;
  ~AttrSet() = default;

  wire::Origin origin() const { return origin_; }
  const AsPathData& as_path() const { return *as_path_; }
  const Ref<AsPathData>& as_path_ref() const { return as_path_; }
  const Ref<CommunityList>& communities_ref() const { return communities_; }
  bool has_community(wire::Community c) const { return communities_ && communities_->has(c); }
  bool no_advertise() const { return communities_ && communities_->no_advertise(); }
  bool no_export() const { return communities_ && communities_->no_export(); }
  bool no_export_subconfed() const { return communities_ && communities_->no_export_subconfed(); }
  const NextHop* next_hop() const { return next_hop_.get(); }
  const Ref<NextHop>& next_hop_ref() const { return next_hop_; }
  std::optional<std::uint32_t> med() const {
    return has(kHasMed) ? std::optional(med_) : std::nullopt;
  }
  std::optional<std::uint32_t> local_pref() const {
    return has(kHasLocalPref) ? std::optional(local_pref_) : std::nullopt;
  }
  std::optional<std::uint32_t> originator_id() const {
    return has(kHasOriginator) ? std::optional(originator_id_) : std::nullopt;
  }
  bool atomic_aggregate() const { return has(kAtomicAggregate); }
  const RareAttrs* rare() const { return rare_.get(); }
  std::size_t cluster_list_length() const { return rare_ ? rare_->cluster_list.size() : 0; }
  bool cluster_list_contains(std::uint32_t id) const;

  // Editing (before interning only).
  void set_origin(wire::Origin o) { origin_ = o; }
  void set_as_path(Ref<AsPathData> p) { as_path_ = std::move(p); }
  void set_communities(Ref<CommunityList> c) { communities_ = std::move(c); }
  void set_next_hop(Ref<NextHop> n) { next_hop_ = std::move(n); }
  void set_med(std::optional<std::uint32_t> v) { set_opt(kHasMed, med_, v); }
  void set_local_pref(std::optional<std::uint32_t> v) { set_opt(kHasLocalPref, local_pref_, v); }
  void set_originator_id(std::optional<std::uint32_t> v) {
    set_opt(kHasOriginator, originator_id_, v);
  }
  void set_atomic_aggregate(bool b) {
    flags_ = b ? (flags_ | kAtomicAggregate) : (flags_ & ~kAtomicAggregate);
  }
  RareAttrs& rare_mut();
  void normalise_rare();  // drops an all-empty RareAttrs

  std::size_t compute_hash() const;
  bool same_value(const AttrSet& o) const;

 private:
  static constexpr std::uint8_t kHasMed = 1, kHasLocalPref = 2, kHasOriginator = 4,
                                kAtomicAggregate = 8;
  bool has(std::uint8_t f) const { return (flags_ & f) != 0; }
  void set_opt(std::uint8_t f, std::uint32_t& field, std::optional<std::uint32_t> v) {
    if (v) {
      flags_ |= f;
      field = *v;
    } else {
      flags_ &= static_cast<std::uint8_t>(~f);
      field = 0;
    }
  }

  Ref<AsPathData> as_path_;
  Ref<CommunityList> communities_;
  Ref<NextHop> next_hop_;
  std::unique_ptr<RareAttrs> rare_;
  std::uint32_t med_ = 0;
  std::uint32_t local_pref_ = 0;
  std::uint32_t originator_id_ = 0;
  wire::Origin origin_ = wire::Origin::Igp;
  std::uint8_t flags_ = 0;
};

using AttrRef = Ref<AttrSet>;

// The pools. Intern a decoded attribute set with intern(); get the wire value back with
// materialize() (for filters and the encoder, once per attribute set).
class AttrStore {
 public:
  AttrStore();
  AttrStore(const AttrStore&) = delete;
  AttrStore& operator=(const AttrStore&) = delete;
  ~AttrStore();

  AttrRef intern(const wire::PathAttributes& a);
  AttrRef intern(AttrSet&& s) { return sets_.intern(std::move(s)); }
  Ref<AsPathData> intern_path(AsPathData&& p) { return paths_.intern(std::move(p)); }
  Ref<CommunityList> intern_communities(std::vector<wire::Community> v);
  Ref<NextHop> intern_next_hop(const base::IpAddress& a) { return next_hops_.intern(NextHop(a)); }
  static wire::PathAttributes materialize(const AttrSet& s);

  std::size_t attr_sets() const { return sets_.size(); }
  std::size_t as_paths() const { return paths_.size(); }
  std::size_t community_lists() const { return communities_.size(); }
  std::size_t next_hops() const { return next_hops_.size(); }

 private:
  // Declaration order matters: attribute sets hold refs into the other pools, so they are
  // destroyed first.
  InternPool<NextHop> next_hops_;
  InternPool<AsPathData> paths_;
  InternPool<CommunityList> communities_;
  InternPool<AttrSet> sets_;
};

}  // namespace nvabgpd::rib

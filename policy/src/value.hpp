#pragma once
// Runtime values of the filter language and the heavy objects they point to (strings, paths,
// community lists, sets, path masks). A Value is a small tagged struct: scalars inline, heavy
// objects by pointer. `ptr` is either borrowed (a program constant or a route attribute, no
// refcount traffic on the hot path) or owned through `own` (computed at run time).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::policy {

enum class Type : std::uint8_t {
  Void,
  Bool,
  Int,
  Pair,
  Quad,
  Ip,
  Net,
  String,
  Ec,
  Lc,
  Path,
  Mask,
  Clist,
  Eclist,
  Lclist,
  IntSet,
  PairSet,
  QuadSet,
  EcSet,
  LcSet,
  PrefixSet,
  EnumSet,
  Origin,   // ORIGIN_*
  Source,   // RTS_*
  Dest,     // RTD_*
  NetType,  // NET_*
  Any,      // static type unknown until run time (untyped function results)
};

const char* type_name(Type t);
bool is_enum(Type t);
bool is_set(Type t);
// Element type of a set type (EnumSet: Any, the set object records it).
Type set_elem(Type set);
// The set type holding elements of type t, or Void if none.
Type set_of(Type elem);

// Sets of scalars: merged sorted ranges over a two-part key plus, for pair/lc items whose
// wildcard shape is not one contiguous range, a list of per-component boxes.
struct SetKey {
  std::uint64_t a = 0;
  std::uint32_t b = 0;
  constexpr auto operator<=>(const SetKey&) const = default;
};
struct SetRange {
  SetKey lo, hi;
};
struct SetBox {
  std::uint32_t lo[3] = {0, 0, 0};
  std::uint32_t hi[3] = {0, 0, 0};
};
struct ScalarSet {
  Type elem = Type::Int;         // the first item's type
  std::vector<SetRange> ranges;  // sorted by lo, non-overlapping after finish()
  std::vector<SetBox> boxes;     // non-contiguous pair/lc patterns
  // The items as written, in order (only while parsing; finish() consumes them).
  struct Written {
    Type t = Type::Int;
    SetRange r;
    bool is_box = false;
    SetBox box;
  };
  std::vector<Written> written;
  bool mixed = false;  // items of more than one type (bird2 accepts that)
  // bird2 keeps set items in a search tree (bird_tree.hpp) that answers differently from a
  // plain membership test when items have different types or overlap. Such sets are kept in
  // bird2's tree order and searched its way; every other set uses the merged ranges.
  struct TreeItem {
    Type t = Type::Int;
    SetKey lo, hi;
  };
  std::vector<TreeItem> tree;
  bool bird = false;
  // Sorts and merges; false when the set needs bird2's tree and that tree would hold more
  // than kMaxTreeItems items (a pair pattern such as (*, 7) is 65,536 of them).
  static constexpr std::size_t kMaxTreeItems = std::size_t{1} << 20;
  bool finish();
  bool contains(SetKey k) const;
  // Membership of an element of type t (a list member, an ASN ...).
  bool has(Type t, SetKey k) const { return bird ? tree_has(t, k) : contains(k); }
  bool tree_has(Type t, SetKey k) const;
  // The type bird2 checks `x ~ set` against: that of the item at the root of its tree.
  Type root_type() const;
};

// Prefix pattern sets: one binary trie per family. A pattern net{lo,hi} is stored at depth
// L = min(net.len, hi) (BIRD truncates the prefix to hi bits). A route q of length ql matches
// when lo <= ql <= hi and the first min(ql, L) bits of q and net agree: longer routes are
// found by the node masks on the way down, shorter ones ("supernets", e.g. net-) by the
// per-node flag `here`.
class PrefixTrie {
 public:
  PrefixTrie();
  void add(const base::Prefix& net, unsigned lo, unsigned hi);
  bool match(const base::Prefix& p) const;
  std::size_t node_count() const { return nodes_.size(); }

 private:
  struct Node {
    std::int32_t child[2] = {-1, -1};
    bool here = false;                  // some pattern at or below accepts length == depth
    std::uint64_t mask[3] = {0, 0, 0};  // bit l: a pattern stored here accepts length l > depth
  };
  std::vector<Node> nodes_;
};
struct PrefixSet {
  PrefixTrie v4, v6;
  bool match(const base::Prefix& p) const { return p.is_v4() ? v4.match(p) : v6.match(p); }
};

// AS path mask items ([= * 65001 ? =]).
struct MaskItem {
  enum class Kind : std::uint8_t { Asn, Range, Question, Star, Set, Loop };
  Kind kind = Kind::Asn;
  std::uint32_t lo = 0, hi = 0;
  const ScalarSet* set = nullptr;  // Kind::Set (owned by the program)
};
struct PathMask {
  std::vector<MaskItem> items;
  std::vector<std::shared_ptr<const void>> keep;  // owners of run-time sets referenced by items
};

struct Value {
  Type type = Type::Void;
  bool ephemeral = false;  // ptr points into route attributes: copy before storing
  std::uint64_t u = 0;     // Bool, Int, Pair, Quad, Ec, enums; Lc: global<<32 | local1
  std::uint32_t u2 = 0;    // Lc local2
  base::IpAddress ip;      // Ip
  base::Prefix net;        // Net
  const void* ptr = nullptr;
  std::shared_ptr<const void> own;

  static Value of_bool(bool b) { return scalar(Type::Bool, b ? 1 : 0); }
  static Value of_int(std::uint32_t i) { return scalar(Type::Int, i); }
  static Value scalar(Type t, std::uint64_t v) {
    Value x;
    x.type = t;
    x.u = v;
    return x;
  }
  static Value of_lc(const wire::LargeCommunity& c) {
    Value x = scalar(Type::Lc, (std::uint64_t{c.global} << 32) | c.local1);
    x.u2 = c.local2;
    return x;
  }
  static Value of_ip(const base::IpAddress& a) {
    Value x;
    x.type = Type::Ip;
    x.ip = a;
    return x;
  }
  static Value of_net(const base::Prefix& p) {
    Value x;
    x.type = Type::Net;
    x.net = p;
    return x;
  }
  template <typename T>
  static Value owned(Type t, T obj) {
    Value x;
    x.type = t;
    auto sp = std::make_shared<const T>(std::move(obj));
    x.ptr = sp.get();
    x.own = std::move(sp);
    return x;
  }
  template <typename T>
  static Value borrowed(Type t, const T* p, bool eph) {
    Value x;
    x.type = t;
    x.ptr = p;
    x.ephemeral = eph;
    return x;
  }
  // A copy without the owner (no refcount traffic); valid while the original lives.
  Value borrow() const {
    Value x;
    x.type = type;
    x.ephemeral = ephemeral;
    x.u = u;
    x.u2 = u2;
    x.ip = ip;
    x.net = net;
    x.ptr = ptr;
    return x;
  }
  template <typename T>
  const T& as() const {
    return *static_cast<const T*>(ptr);
  }
  bool truthy() const { return type == Type::Bool && u != 0; }
  std::uint32_t i() const { return static_cast<std::uint32_t>(u); }
  wire::LargeCommunity lc() const {
    return {static_cast<std::uint32_t>(u >> 32), static_cast<std::uint32_t>(u), u2};
  }
  // String: ptr is the character data, u its length.
  static Value of_str(std::string_view s) {
    Value x = scalar(Type::String, s.size());
    x.ptr = s.data();
    return x;
  }
  std::string_view str() const {
    return {static_cast<const char*>(ptr), static_cast<std::size_t>(u)};
  }
  SetKey key() const { return type == Type::Lc ? SetKey{u, u2} : SetKey{u, 0}; }
};

using Clist = std::vector<wire::Community>;
using Eclist = std::vector<wire::ExtCommunity>;
using Lclist = std::vector<wire::LargeCommunity>;

// A path or list Value whose u is kNullList is BIRD's shared empty list: a missing attribute,
// `+empty+` / `-empty-` / `--empty--` / `---empty---`, `.empty`, or what delete/filter leave of
// one. defined() is false for it; a list that delete/filter emptied is a new list, defined.
constexpr std::uint64_t kNullList = 1;
bool is_null_list(const Value& v);
Value null_list(Type t);  // the shared empty path/clist/eclist/lclist

// Makes an ephemeral value (pointing into route attributes) self-owned.
Value materialize(const Value& v);
// BIRD-like text of a value, as `print` shows it.
std::string format_value(const Value& v);
std::string format_ec(std::uint64_t ec);

// Comparison: returns -1/0/1, or 2 when the types cannot be compared. Void compares below
// every value.
int compare_values(const Value& a, const Value& b);
bool same_values(const Value& a, const Value& b);

// --- AS path helpers. Every other AS path operation is wire::AsPath's (as_path.hpp); mask
// matching stays here because masks are filter-language values. ---
bool path_match(const wire::AsPath& p, const PathMask& m);
std::string path_to_string(const wire::AsPath& p);

}  // namespace nvabgpd::policy

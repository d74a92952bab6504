// Value helpers: names, sets, prefix tries, formatting and comparison.
#include "value.hpp"

#include "bird_tree.hpp"

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace nvabgpd::policy {

const char* type_name(Type t) {
  switch (t) {
    case Type::Void:
      return "void";
    case Type::Bool:
      return "bool";
    case Type::Int:
      return "int";
    case Type::Pair:
      return "pair";
    case Type::Quad:
      return "quad";
    case Type::Ip:
      return "ip";
    case Type::Net:
      return "prefix";
    case Type::String:
      return "string";
    case Type::Ec:
      return "ec";
    case Type::Lc:
      return "lc";
    case Type::Path:
      return "bgppath";
    case Type::Mask:
      return "bgpmask";
    case Type::Clist:
      return "clist";
    case Type::Eclist:
      return "eclist";
    case Type::Lclist:
      return "lclist";
    case Type::IntSet:
      return "int set";
    case Type::PairSet:
      return "pair set";
    case Type::QuadSet:
      return "quad set";
    case Type::EcSet:
      return "ec set";
    case Type::LcSet:
      return "lc set";
    case Type::PrefixSet:
      return "prefix set";
    case Type::EnumSet:
      return "enum set";
    case Type::Origin:
      return "enum bgp_origin";
    case Type::Source:
      return "enum rts";
    case Type::Dest:
      return "enum rtd";
    case Type::NetType:
      return "enum net_type";
    case Type::Any:
      return "any";
  }
  return "?";
}

bool is_enum(Type t) {
  return t == Type::Origin || t == Type::Source || t == Type::Dest || t == Type::NetType;
}
bool is_set(Type t) {
  return t == Type::IntSet || t == Type::PairSet || t == Type::QuadSet || t == Type::EcSet ||
         t == Type::LcSet || t == Type::PrefixSet || t == Type::EnumSet;
}
Type set_elem(Type set) {
  switch (set) {
    case Type::IntSet:
      return Type::Int;
    case Type::PairSet:
      return Type::Pair;
    case Type::QuadSet:
      return Type::Quad;
    case Type::EcSet:
      return Type::Ec;
    case Type::LcSet:
      return Type::Lc;
    case Type::PrefixSet:
      return Type::Net;
    default:
      return Type::Any;
  }
}
Type set_of(Type elem) {
  switch (elem) {
    case Type::Int:
      return Type::IntSet;
    case Type::Pair:
      return Type::PairSet;
    case Type::Quad:
      return Type::QuadSet;
    case Type::Ec:
      return Type::EcSet;
    case Type::Lc:
      return Type::LcSet;
    case Type::Net:
      return Type::PrefixSet;
    default:
      return is_enum(elem) ? Type::EnumSet : Type::Void;
  }
}

// ---------------------------------------------------------------- scalar sets

namespace {
// Does pair box b hold some key of [lo, hi]? (pair keys: first << 16 | second)
bool box_meets_range(const SetBox& b, std::uint64_t lo, std::uint64_t hi) {
  std::uint64_t xl = std::max<std::uint64_t>(b.lo[0], lo >> 16);
  std::uint64_t xh = std::min<std::uint64_t>(b.hi[0], hi >> 16);
  if (xl > xh) return false;
  if (xh - xl >= 2) return true;  // a whole row lies inside [lo, hi]
  for (std::uint64_t x = xl; x <= xh; ++x) {
    std::uint64_t a = (x << 16) | b.lo[1];
    std::uint64_t z = (x << 16) | b.hi[1];
    if (a <= hi && lo <= z) return true;
  }
  return false;
}
bool boxes_meet(const SetBox& a, const SetBox& b) {
  for (int c = 0; c < 3; ++c) {
    if (a.hi[c] < b.lo[c] || b.hi[c] < a.lo[c]) return false;
  }
  return true;
}
Value key_value(Type t, SetKey k) {
  Value v = Value::scalar(t, k.a);
  if (t == Type::Lc) v.u2 = k.b;
  return v;
}
}  // namespace

bool ScalarSet::finish() {
  std::sort(ranges.begin(), ranges.end(),
            [](const SetRange& x, const SetRange& y) { return x.lo < y.lo; });
  bool overlap = false;
  std::vector<SetRange> merged;
  for (const auto& r : ranges) {
    if (!merged.empty() && !(merged.back().hi < r.lo)) {
      overlap = true;
      merged.back().hi = std::max(merged.back().hi, r.hi);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
  if (elem == Type::Pair) {
    for (std::size_t i = 0; i < boxes.size() && !overlap; ++i) {
      for (const auto& r : ranges) {
        if (box_meets_range(boxes[i], r.lo.a, r.hi.a)) overlap = true;
      }
      for (std::size_t j = i + 1; j < boxes.size() && !overlap; ++j)
        overlap = boxes_meet(boxes[i], boxes[j]);
    }
  }
  bird = mixed || overlap;
  if (bird) {
    std::size_t items = 0;
    for (const auto& w : written)
      items += w.is_box ? std::size_t{w.box.hi[0]} - w.box.lo[0] + 1 : 1;
    if (items > kMaxTreeItems) return false;
    // bird2 stores a pair pattern that is no single range as one item per first value.
    for (const auto& w : written) {
      if (!w.is_box) {
        tree.push_back(TreeItem{w.t, w.r.lo, w.r.hi});
        continue;
      }
      for (std::uint64_t x = w.box.lo[0]; x <= w.box.hi[0]; ++x) {
        tree.push_back(
            TreeItem{w.t, SetKey{(x << 16) | w.box.lo[1], 0}, SetKey{(x << 16) | w.box.hi[1], 0}});
      }
    }
    bird_sort(tree, [](const TreeItem& a, const TreeItem& b) {
      return compare_values(key_value(a.t, a.lo), key_value(b.t, b.lo));
    });
  }
  written.clear();
  written.shrink_to_fit();
  return true;
}

bool ScalarSet::tree_has(Type t, SetKey k) const {
  const Value v = key_value(t, k);
  return bird_find(
             tree, [&](const TreeItem& it) { return compare_values(key_value(it.t, it.lo), v); },
             [&](const TreeItem& it) { return compare_values(key_value(it.t, it.hi), v); }) >= 0;
}

Type ScalarSet::root_type() const {
  if (!bird) return elem;
  return tree.empty() ? Type::Void : tree[tree.size() / 2].t;
}

bool ScalarSet::contains(SetKey k) const {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), k,
                             [](const SetKey& key, const SetRange& r) { return key < r.lo; });
  if (it != ranges.begin() && !(std::prev(it)->hi < k)) return true;
  if (boxes.empty()) return false;
  std::uint32_t comp[3];
  if (elem == Type::Lc) {
    comp[0] = static_cast<std::uint32_t>(k.a >> 32);
    comp[1] = static_cast<std::uint32_t>(k.a);
    comp[2] = k.b;
  } else {
    comp[0] = static_cast<std::uint32_t>(k.a >> 16);
    comp[1] = static_cast<std::uint32_t>(k.a & 0xFFFF);
    comp[2] = 0;
  }
  for (const auto& b : boxes) {
    bool in = true;
    for (int c = 0; c < 3 && in; ++c) in = b.lo[c] <= comp[c] && comp[c] <= b.hi[c];
    if (in) return true;
  }
  return false;
}

// ---------------------------------------------------------------- prefix trie

PrefixTrie::PrefixTrie() { nodes_.emplace_back(); }

void PrefixTrie::add(const base::Prefix& net, unsigned lo, unsigned hi) {
  const unsigned depth = std::min(net.len(), hi);
  std::int32_t n = 0;
  for (unsigned d = 0;; ++d) {
    auto& node = nodes_[static_cast<std::size_t>(n)];
    if (lo <= d && d <= hi) node.here = true;
    if (d == depth) break;
    unsigned bit = net.addr().bit(d) ? 1 : 0;
    if (node.child[bit] < 0) {
      auto idx = static_cast<std::int32_t>(nodes_.size());
      nodes_[static_cast<std::size_t>(n)].child[bit] = idx;
      nodes_.emplace_back();
    }
    n = nodes_[static_cast<std::size_t>(n)].child[bit];
  }
  auto& node = nodes_[static_cast<std::size_t>(n)];
  for (unsigned l = std::max(lo, depth + 1); l <= hi && l <= 128; ++l) {
    node.mask[l / 64] |= std::uint64_t{1} << (l % 64);
  }
}

bool PrefixTrie::match(const base::Prefix& p) const {
  const unsigned len = p.len();
  const unsigned word = len / 64;
  const std::uint64_t bit = std::uint64_t{1} << (len % 64);
  const Node* n = nodes_.data();
  for (unsigned d = 0;; ++d) {
    if (d == len) return n->here;
    if (n->mask[word] & bit) return true;
    std::int32_t c = n->child[p.addr().bit(d) ? 1 : 0];
    if (c < 0) return false;
    n = &nodes_[static_cast<std::size_t>(c)];
  }
}

// ---------------------------------------------------------------- formatting

bool is_null_list(const Value& v) {
  bool list = v.type == Type::Path || v.type == Type::Clist || v.type == Type::Eclist ||
              v.type == Type::Lclist;
  return list && v.u == kNullList;
}

Value null_list(Type t) {
  Value v;
  switch (t) {
    case Type::Path:
      v = Value::owned(t, wire::AsPath{});
      break;
    case Type::Clist:
      v = Value::owned(t, Clist{});
      break;
    case Type::Eclist:
      v = Value::owned(t, Eclist{});
      break;
    case Type::Lclist:
      v = Value::owned(t, Lclist{});
      break;
    default:
      return v;
  }
  v.u = kNullList;
  return v;
}

Value materialize(const Value& v) {
  if (!v.ephemeral) return v;
  Value c;
  switch (v.type) {
    case Type::Path:
      c = Value::owned(v.type, v.as<wire::AsPath>());
      break;
    case Type::Clist:
      c = Value::owned(v.type, v.as<Clist>());
      break;
    case Type::Eclist:
      c = Value::owned(v.type, v.as<Eclist>());
      break;
    case Type::Lclist:
      c = Value::owned(v.type, v.as<Lclist>());
      break;
    default: {
      c = v;
      c.ephemeral = false;
      return c;
    }
  }
  c.u = v.u;  // keeps kNullList
  return c;
}

std::string format_ec(std::uint64_t ec) {
  auto type = static_cast<std::uint16_t>(ec >> 48);
  auto sub = type & 0xFF;
  const char* kind = sub == 2 ? "rt" : sub == 3 ? "ro" : nullptr;
  auto hi32 = static_cast<std::uint32_t>(ec >> 32);
  auto lo32 = static_cast<std::uint32_t>(ec);
  if (kind != nullptr && (type >> 8) == 0x00) {
    return fmt::format("({}, {}, {})", kind, hi32 & 0xFFFF, lo32);
  }
  if (kind != nullptr && (type >> 8) == 0x02) {
    return fmt::format("({}, {}, {})", kind, static_cast<std::uint32_t>(ec >> 16), ec & 0xFFFF);
  }
  if (kind != nullptr && (type >> 8) == 0x01) {
    auto ip = base::IpAddress::v4(static_cast<std::uint32_t>(ec >> 16));
    return fmt::format("({}, {}, {})", kind, ip.to_string(), ec & 0xFFFF);
  }
  return fmt::format("(generic, 0x{:x}, 0x{:x})", hi32, lo32);
}

std::string path_to_string(const wire::AsPath& p) {
  std::string out;
  for (const auto& seg : p.segments) {
    bool set = seg.type == wire::SegmentType::Set || seg.type == wire::SegmentType::ConfedSet;
    bool confed =
        seg.type == wire::SegmentType::ConfedSequence || seg.type == wire::SegmentType::ConfedSet;
    if (!out.empty()) out += ' ';
    if (set) out += '{';
    if (confed && !set) out += '(';
    for (std::size_t i = 0; i < seg.asns.size(); ++i) {
      if (i) out += ' ';
      out += std::to_string(seg.asns[i]);
    }
    if (confed && !set) out += ')';
    if (set) out += '}';
  }
  return out;
}

namespace {
// BIRD prints enums as "(enum <type code>)<value>"; the codes are BIRD's T_ENUM_* values.
unsigned enum_code(Type t) {
  switch (t) {
    case Type::Source:
      return 0x30;
    case Type::Origin:
      return 0x31;
    case Type::Dest:
      return 0x34;
    default:
      return 0x36;  // NetType
  }
}
std::string format_key(Type elem, const SetKey& k) {
  Value v = Value::scalar(elem, k.a);
  if (elem == Type::Lc)
    v = Value::of_lc({static_cast<std::uint32_t>(k.a >> 32), static_cast<std::uint32_t>(k.a), k.b});
  return format_value(v);
}
}  // namespace

std::string format_value(const Value& v) {
  switch (v.type) {
    case Type::Void:
      return "(void)";
    case Type::Bool:
      return v.u ? "TRUE" : "FALSE";
    case Type::Int:
      return std::to_string(v.i());
    case Type::Pair:
      return fmt::format("({},{})", v.u >> 16, v.u & 0xFFFF);
    case Type::Quad:
      return base::IpAddress::v4(v.i()).to_string();
    case Type::Ip:
      return v.ip.to_string();
    case Type::Net:
      return v.net.to_string();
    case Type::String:
      return std::string(v.str());
    case Type::Ec:
      return format_ec(v.u);
    case Type::Lc: {
      auto c = v.lc();
      return fmt::format("({}, {}, {})", c.global, c.local1, c.local2);
    }
    case Type::Path:
      return "(path " + path_to_string(v.as<wire::AsPath>()) + ")";
    case Type::Clist: {
      std::string s = "(clist";
      for (auto c : v.as<Clist>()) s += fmt::format(" ({},{})", c.asn(), c.low());
      return s + (v.as<Clist>().empty() ? " )" : ")");
    }
    case Type::Eclist: {
      std::string s = "(eclist";
      for (auto c : v.as<Eclist>()) s += " " + format_ec(c.value);
      return s + (v.as<Eclist>().empty() ? " )" : ")");
    }
    case Type::Lclist: {
      std::string s = "(lclist";
      for (auto c : v.as<Lclist>()) s += fmt::format(" ({}, {}, {})", c.global, c.local1, c.local2);
      return s + (v.as<Lclist>().empty() ? " )" : ")");
    }
    case Type::Mask:
      return "[= mask =]";
    default:
      if (is_enum(v.type)) return fmt::format("(enum {:x}){}", enum_code(v.type), v.u);
      if (is_set(v.type) && v.type != Type::PrefixSet) {
        const auto& set = v.as<ScalarSet>();
        std::string out = "[";
        if (set.bird) {  // every item as written, in bird2's tree order
          for (std::size_t i = 0; i < set.tree.size(); ++i) {
            const auto& t = set.tree[i];
            out += (i ? ", " : "") + format_key(t.t, t.lo);
            if (t.hi != t.lo) out += ".." + format_key(t.t, t.hi);
          }
          return out + "]";
        }
        for (std::size_t i = 0; i < set.ranges.size(); ++i) {
          const auto& r = set.ranges[i];
          out += (i ? ", " : "") + format_key(set.elem, r.lo);
          if (r.hi != r.lo) out += ".." + format_key(set.elem, r.hi);
        }
        return out + "]";
      }
      return fmt::format("({})", type_name(v.type));
  }
}

// ---------------------------------------------------------------- comparison

namespace {
template <typename T>
int cmp3(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}
// BIRD keeps every address in 128 bits, IPv4 as ::ffff:a.b.c.d, and orders them so:
// 10.0.0.0 sorts after ::1 and equals ::ffff:10.0.0.0.
std::array<std::uint8_t, 16> ip128(const base::IpAddress& a) {
  if (!a.is_v4()) return a.bytes();
  std::array<std::uint8_t, 16> b{};
  b[10] = b[11] = 0xFF;
  for (std::size_t i = 0; i < 4; ++i) b[12 + i] = a.bytes()[i];
  return b;
}
}  // namespace

int compare_values(const Value& a, const Value& b) {
  if (a.type != b.type) {
    if (a.type == Type::Void) return -1;
    if (b.type == Type::Void) return 1;
    // Quad <-> IPv4 implicit conversion, as BIRD does.
    if (a.type == Type::Ip && b.type == Type::Quad && a.ip.is_v4())
      return cmp3(a.ip.v4_value(), b.i());
    if (a.type == Type::Quad && b.type == Type::Ip && b.ip.is_v4())
      return cmp3(a.i(), b.ip.v4_value());
    return 2;
  }
  switch (a.type) {
    case Type::Void:
      return 0;
    case Type::Bool:
    case Type::Int:
    case Type::Pair:
    case Type::Quad:
    case Type::Ec:
    case Type::Origin:
    case Type::Source:
    case Type::Dest:
    case Type::NetType:
      return cmp3(a.u, b.u);
    case Type::Lc:
      return cmp3(a.key(), b.key());
    case Type::Ip:
      return cmp3(ip128(a.ip), ip128(b.ip));
    case Type::Net: {
      if (a.net.family() != b.net.family()) return a.net.is_v4() ? -1 : 1;
      int c = cmp3(a.net.addr(), b.net.addr());
      return c != 0 ? c : cmp3(a.net.len(), b.net.len());
    }
    case Type::String: {
      int c = a.str().compare(b.str());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default:
      return 2;
  }
}

bool same_values(const Value& a, const Value& b) {
  if (a.type == b.type) {
    switch (a.type) {
      case Type::Path:
        return a.as<wire::AsPath>() == b.as<wire::AsPath>();
      case Type::Clist:
        return a.as<Clist>() == b.as<Clist>();
      case Type::Eclist:
        return a.as<Eclist>() == b.as<Eclist>();
      case Type::Lclist:
        return a.as<Lclist>() == b.as<Lclist>();
      default:
        break;
    }
    if (is_set(a.type) || a.type == Type::Mask) return a.ptr == b.ptr;
  }
  return compare_values(a, b) == 0;
}

}  // namespace nvabgpd::policy

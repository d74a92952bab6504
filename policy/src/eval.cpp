// Evaluation of the compiled nodes, with BIRD 2's run-time semantics.
#include <algorithm>

#include <fmt/format.h>

#include "bird_tree.hpp"
#include "nodes.hpp"
#include "nvabgpd/policy/route_text.hpp"

namespace nvabgpd::policy {

namespace {

constexpr AttrInfo kAttrs[] = {
    {"net", Attr::Net, Type::Net, false},
    {"from", Attr::From, Type::Ip, false},
    {"gw", Attr::Gw, Type::Ip, false},
    {"proto", Attr::Proto, Type::String, false},
    {"source", Attr::Source, Type::Source, false},
    {"dest", Attr::Dest, Type::Dest, false},
    {"ifname", Attr::Ifname, Type::String, false},
    {"ifindex", Attr::Ifindex, Type::Int, false},
    {"preference", Attr::Preference, Type::Int, true},
    {"bgp_origin", Attr::BgpOrigin, Type::Origin, true},
    {"bgp_path", Attr::BgpPath, Type::Path, true},
    {"bgp_next_hop", Attr::BgpNextHop, Type::Ip, true},
    {"bgp_med", Attr::BgpMed, Type::Int, true},
    {"bgp_local_pref", Attr::BgpLocalPref, Type::Int, true},
    {"bgp_atomic_aggr", Attr::BgpAtomicAggr, Type::Bool, true},
    {"bgp_community", Attr::BgpCommunity, Type::Clist, true},
    {"bgp_ext_community", Attr::BgpExtCommunity, Type::Eclist, true},
    {"bgp_large_community", Attr::BgpLargeCommunity, Type::Lclist, true},
    {"bgp_originator_id", Attr::BgpOriginatorId, Type::Quad, true},
    {"bgp_cluster_list", Attr::BgpClusterList, Type::Clist, true},
};

// Shell-style pattern match (* and ?), as BIRD's string ~ string.
bool glob(std::string_view pat, std::string_view s) {
  std::size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && (pat[p] == '?' || pat[p] == s[i])) {
      ++p;
      ++i;
    } else if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

template <typename L, typename E>
bool list_has(const L& l, E e) {
  return std::find(l.begin(), l.end(), e) != l.end();
}

Value bool_v(bool b) { return Value::of_bool(b); }

// -1: not applicable to these types.
int in_range(const Value& a, const Value& b) {
  switch (b.type) {
    case Type::Clist:
      if (a.type == Type::Pair || a.type == Type::Quad)
        return list_has(b.as<Clist>(), wire::Community{a.i()});
      return -1;
    case Type::Eclist:
      if (a.type == Type::Ec) return list_has(b.as<Eclist>(), wire::ExtCommunity{a.u});
      return -1;
    case Type::Lclist:
      if (a.type == Type::Lc) return list_has(b.as<Lclist>(), a.lc());
      return -1;
    case Type::String:
      if (a.type == Type::String) return glob(b.str(), a.str());
      return -1;
    case Type::Net:
      if (a.type == Type::Ip) return a.ip.family() == b.net.family() && b.net.contains(a.ip);
      if (a.type == Type::Net) return a.net.family() == b.net.family() && b.net.contains(a.net);
      return -1;
    case Type::PrefixSet:
      if (a.type == Type::Net) return b.as<PrefixSet>().match(a.net);
      return -1;
    case Type::Mask:
      if (a.type == Type::Path) return path_match(a.as<wire::AsPath>(), b.as<PathMask>());
      return -1;
    case Type::Path:
      if (a.type == Type::Int) return b.as<wire::AsPath>().contains(a.i());
      return -1;
    default:
      break;
  }
  if (!is_set(b.type)) return -1;
  const auto& set = b.as<ScalarSet>();
  if (set.bird) {
    // bird2: the value (or list member) must have the type of the item at the tree's root.
    Type root = set.root_type();
    Type want = a.type == Type::Clist    ? Type::Pair
                : a.type == Type::Eclist ? Type::Ec
                : a.type == Type::Lclist ? Type::Lc
                : a.type == Type::Path   ? Type::Int
                                         : a.type;
    if (want == Type::Ip && root == Type::Quad && a.ip.is_v4())
      return set.tree_has(Type::Quad, SetKey{a.ip.v4_value(), 0});
    if (want != root) return -1;
    if (want == a.type) return set.tree_has(a.type, a.key());
  }
  if (a.type == set.elem) return set.contains(a.key());
  if (set.elem == Type::Quad && a.type == Type::Ip && a.ip.is_v4())
    return set.contains(SetKey{a.ip.v4_value(), 0});
  switch (a.type) {
    case Type::Clist:
      if (set.elem != Type::Pair && !set.bird) return -1;
      for (auto c : a.as<Clist>()) {
        if (set.has(Type::Pair, SetKey{c.value, 0})) return 1;
      }
      return 0;
    case Type::Eclist:
      if (set.elem != Type::Ec && !set.bird) return -1;
      for (auto c : a.as<Eclist>()) {
        if (set.has(Type::Ec, SetKey{c.value, 0})) return 1;
      }
      return 0;
    case Type::Lclist:
      if (set.elem != Type::Lc && !set.bird) return -1;
      for (auto c : a.as<Lclist>()) {
        if (set.has(Type::Lc, Value::of_lc(c).key())) return 1;
      }
      return 0;
    case Type::Path:
      if (set.elem != Type::Int && !set.bird) return -1;
      return a.as<wire::AsPath>().any_of([&set](std::uint32_t x) {
        return set.has(Type::Int, SetKey{x, 0});
      });
    default:
      return -1;
  }
}

template <typename L, typename E>
L list_add(const L& l, E e) {
  L out = l;
  if (!list_has(out, e)) out.push_back(e);
  return out;
}

// keep == false: delete; keep == true: filter. The predicate tells whether an element matches.
template <typename L, typename Pred>
L list_select(const L& l, bool keep, Pred pred) {
  L out;
  out.reserve(l.size());
  for (const auto& x : l) {
    if (pred(x) == keep) out.push_back(x);
  }
  return out;
}

Value lc_key_value(const wire::LargeCommunity& c) { return Value::of_lc(c); }

template <typename L>
Value list_union(const Value& o, const Value& a, Type t) {
  L out = o.as<L>();
  for (const auto& x : a.as<L>()) {
    if (!list_has(out, x)) out.push_back(x);
  }
  return Value::owned(t, std::move(out));
}

// Slot of a path/list attribute in Ctx::list_null, or -1.
int list_slot(Attr a) {
  switch (a) {
    case Attr::BgpPath:
      return 0;
    case Attr::BgpCommunity:
      return 1;
    case Attr::BgpExtCommunity:
      return 2;
    case Attr::BgpLargeCommunity:
      return 3;
    default:
      return -1;
  }
}
// A list read from the route: the shared empty list when the attribute is missing.
template <typename L>
Value attr_list(const Ctx& c, Attr a, Type t, const L* l) {
  Value v = Value::borrowed(t, l, true);
  std::int8_t st = c.list_null[list_slot(a)];
  if (l->empty() && (st == 1 || (st == -1 && a != Attr::BgpPath))) v.u = kNullList;
  return v;
}
// The result of delete/filter on `from`: still the shared empty list when `from` was it.
template <typename T>
Value derived(const Value& from, Type t, T obj) {
  Value v = Value::owned(t, std::move(obj));
  if (is_null_list(from)) v.u = kNullList;
  return v;
}

// Smallest or largest element of a list, as a value; for an empty list the zero element
// ((0,0), ec 0, (0,0,0)), as BIRD gives.
template <typename L, typename Conv>
Value list_extreme(const L& l, bool max, Conv conv) {
  if (l.empty()) return conv(typename L::value_type{});
  auto it = max ? std::max_element(l.begin(), l.end()) : std::min_element(l.begin(), l.end());
  return conv(*it);
}

}  // namespace

const AttrInfo* find_attr(std::string_view name) {
  for (const auto& a : kAttrs) {
    if (name == a.name) return &a;
  }
  return nullptr;
}
const AttrInfo& attr_info(Attr a) { return kAttrs[static_cast<std::size_t>(a)]; }

bool coerce(Value& v, Type t) {
  if (t == Type::Any || v.type == t || v.type == Type::Void) return true;
  if (t == Type::Quad && v.type == Type::Ip && v.ip.is_v4()) {
    v = Value::scalar(Type::Quad, v.ip.v4_value());
    return true;
  }
  if (t == Type::EnumSet && is_set(v.type)) return true;
  return false;
}

Value binary_op(Ctx& c, const Loc& loc, Op op, const Value& a, const Value& b) {
  switch (op) {
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Mod: {
      if (a.type != Type::Int || b.type != Type::Int) {
        return c.fail(loc, fmt::format("arithmetic needs int operands, got {} and {}",
                                       type_name(a.type), type_name(b.type)));
      }
      std::uint32_t x = a.i(), y = b.i();
      switch (op) {
        case Op::Add:
          return Value::of_int(x + y);
        case Op::Sub:
          return Value::of_int(x - y);
        case Op::Mul:
          return Value::of_int(x * y);
        default:
          if (y == 0) return c.fail(loc, "Division by zero");
          return Value::of_int(op == Op::Div ? x / y : x % y);
      }
    }
    case Op::Eq:
      return bool_v(same_values(a, b));
    case Op::Ne:
      return bool_v(!same_values(a, b));
    case Op::Lt:
    case Op::Gt:
    case Op::Le:
    case Op::Ge: {
      int r = compare_values(a, b);
      if (r == 2) {
        return c.fail(loc, fmt::format("Can't compare values of incompatible types ({} and {})",
                                       type_name(a.type), type_name(b.type)));
      }
      switch (op) {
        case Op::Lt:
          return bool_v(r < 0);
        case Op::Gt:
          return bool_v(r > 0);
        case Op::Le:
          return bool_v(r <= 0);
        default:
          return bool_v(r >= 0);
      }
    }
    case Op::Match:
    case Op::NotMatch: {
      int r = in_range(a, b);
      if (r < 0) {
        return c.fail(loc, fmt::format("~ applied on unknown type pair ({} and {})",
                                       type_name(a.type), type_name(b.type)));
      }
      return bool_v((r == 1) == (op == Op::Match));
    }
    default:
      break;
  }
  return c.fail(loc, "bad operator");
}

// ------------------------------------------------------------------ expressions

Value AttrExpr::eval(Ctx& c) const {
  if (c.route == nullptr) return c.fail(loc, "route attribute used in a constant expression");
  const auto& r = *c.route;
  const auto& at = *c.attrs;
  switch (attr) {
    case Attr::Net:
      return Value::of_net(r.net);
    case Attr::From:
      return Value::of_ip(r.from);
    case Attr::Gw:
      return Value::of_ip(r.gw);
    case Attr::Proto:
      return Value::of_str(r.proto);
    case Attr::Source:
      return Value::scalar(Type::Source, static_cast<std::uint64_t>(r.source));
    case Attr::Dest:
      return Value::scalar(Type::Dest, 1);
    case Attr::Ifname:
      return Value::of_str(r.ifname);
    case Attr::Ifindex:
      return Value::of_int(0);
    case Attr::Preference:
      return Value::of_int(c.preference ? *c.preference : r.preference);
    case Attr::BgpOrigin:
      return Value::scalar(Type::Origin, static_cast<std::uint64_t>(at.origin));
    case Attr::BgpPath:
      return attr_list(c, attr, Type::Path, &at.as_path);
    case Attr::BgpNextHop:
      return at.next_hop ? Value::of_ip(*at.next_hop) : Value{};
    case Attr::BgpMed:
      return at.med ? Value::of_int(*at.med) : Value{};
    case Attr::BgpLocalPref:
      return at.local_pref ? Value::of_int(*at.local_pref) : Value{};
    case Attr::BgpAtomicAggr:
      return at.atomic_aggregate ? Value::of_bool(true) : Value{};
    case Attr::BgpCommunity:
      return attr_list(c, attr, Type::Clist, &at.communities);
    case Attr::BgpExtCommunity:
      return attr_list(c, attr, Type::Eclist, &at.ext_communities);
    case Attr::BgpLargeCommunity:
      return attr_list(c, attr, Type::Lclist, &at.large_communities);
    case Attr::BgpOriginatorId:
      return at.originator_id ? Value::scalar(Type::Quad, *at.originator_id) : Value{};
    case Attr::BgpClusterList: {
      Clist l;
      for (auto id : at.cluster_list) l.push_back(wire::Community{id});
      return Value::owned(Type::Clist, std::move(l));
    }
  }
  return {};
}

Value BinaryExpr::eval(Ctx& c) const {
  if (op == Op::And || op == Op::Or || op == Op::Not) {
    Value x = a->eval(c);
    if (c.halted()) return {};
    if (x.type != Type::Bool)
      return c.fail(loc, fmt::format("Bool expected, got {}", type_name(x.type)));
    if (op == Op::Not) return bool_v(x.u == 0);
    if ((op == Op::And) != (x.u != 0)) return x;  // short circuit
    Value y = b->eval(c);
    if (c.halted()) return {};
    if (y.type != Type::Bool)
      return c.fail(loc, fmt::format("Bool expected, got {}", type_name(y.type)));
    return y;
  }
  Value x = a->eval(c);
  if (c.halted()) return {};
  Value y = b->eval(c);
  if (c.halted()) return {};
  return binary_op(c, loc, op, x, y);
}

Value ChainExpr::eval(Ctx& c) const {
  Value v = first->eval(c);
  if (c.halted()) return {};
  if (logical) {
    if (v.type != Type::Bool)
      return c.fail(rest.front().loc, fmt::format("Bool expected, got {}", type_name(v.type)));
    for (const auto& s : rest) {
      if ((s.op == Op::And) != (v.u != 0)) continue;  // short circuit: the value stays
      Value y = s.e->eval(c);
      if (c.halted()) return {};
      if (y.type != Type::Bool)
        return c.fail(s.loc, fmt::format("Bool expected, got {}", type_name(y.type)));
      v = y;
    }
    return v;
  }
  for (const auto& s : rest) {
    Value y = s.e->eval(c);
    if (c.halted()) return {};
    v = binary_op(c, s.loc, s.op, v, y);
    if (c.halted()) return {};
  }
  return v;
}

Value NetInSetExpr::eval(Ctx& c) const {
  Value x = a->eval(c);
  if (c.halted()) return {};
  if (x.type != Type::Net) {
    return c.fail(
        loc, fmt::format("~ applied on unknown type pair ({} and prefix set)", type_name(x.type)));
  }
  return bool_v(set->match(x.net) != negate);
}

Value TupleExpr::eval(Ctx& c) const {
  Value v[3];
  for (std::size_t i = 0; i < parts.size() && i < 3; ++i) {
    v[i] = parts[i]->eval(c);
    if (c.halted()) return {};
    bool ip_ok = ec_kind != 0 && i == 0 && v[i].type == Type::Ip && v[i].ip.is_v4();
    if (v[i].type != Type::Int && !ip_ok) {
      return c.fail(loc, fmt::format("tuple component must be int, got {}", type_name(v[i].type)));
    }
  }
  if (ec_kind != 0) {
    bool is_ip = v[0].type == Type::Ip;
    auto ec = make_ext_community(ec_kind == 0xFFFF ? 0 : ec_kind,
                                 is_ip ? v[0].ip.v4_value() : v[0].i(), v[1].i(), is_ip);
    if (!ec) return c.fail(loc, "Can't operate with value out of bounds in EC constructor");
    return Value::scalar(Type::Ec, *ec);
  }
  if (parts.size() == 2) {
    if (v[0].u > 0xFFFF || v[1].u > 0xFFFF) {
      return c.fail(loc, "Can't operate with value out of bounds in pair constructor");
    }
    return Value::scalar(Type::Pair, (v[0].u << 16) | v[1].u);
  }
  return Value::of_lc({v[0].i(), v[1].i(), v[2].i()});
}

Value MaskExpr::eval(Ctx& c) const {
  PathMask m;
  for (const auto& it : items) {
    MaskItem mi = it.item;
    if (it.expr) {
      Value v = it.expr->eval(c);
      if (c.halted()) return {};
      if (v.type == Type::Int) {
        mi.kind = MaskItem::Kind::Asn;
        mi.lo = mi.hi = v.i();
      } else if (v.type == Type::IntSet) {
        mi.kind = MaskItem::Kind::Set;
        mi.set = &v.as<ScalarSet>();
        if (v.own) m.keep.push_back(v.own);
      } else {
        return c.fail(it.expr->loc,
                      fmt::format("path mask item must be int, got {}", type_name(v.type)));
      }
    }
    m.items.push_back(mi);
  }
  return Value::owned(Type::Mask, std::move(m));
}

Value MethodExpr::eval(Ctx& c) const {
  Value o = obj->eval(c);
  if (c.halted()) return {};
  Value a;
  if (arg) {
    a = arg->eval(c);
    if (c.halted()) return {};
  }
  auto bad = [&]() {
    return c.fail(loc, fmt::format("method not applicable to {}{}{}", type_name(o.type),
                                   arg ? " and " : "", arg ? type_name(a.type) : ""));
  };
  switch (m) {
    case Method::Len:
      switch (o.type) {
        case Type::Path:
          return Value::of_int(o.as<wire::AsPath>().length());
        case Type::Clist:
          return Value::of_int(static_cast<std::uint32_t>(o.as<Clist>().size()));
        case Type::Eclist:
          return Value::of_int(static_cast<std::uint32_t>(o.as<Eclist>().size()));
        case Type::Lclist:
          return Value::of_int(static_cast<std::uint32_t>(o.as<Lclist>().size()));
        case Type::Net:
          return Value::of_int(o.net.len());
        default:
          return bad();
      }
    case Method::Ip:
      if (o.type != Type::Net) return bad();
      return Value::of_ip(o.net.addr());
    case Method::Type:
      if (o.type != Type::Net) return bad();
      return Value::scalar(Type::NetType, o.net.is_v4() ? 1 : 2);
    case Method::IsV4:
      if (o.type != Type::Ip) return bad();
      return bool_v(o.ip.is_v4());
    case Method::Mask: {
      if (o.type != Type::Ip || a.type != Type::Int) return bad();
      return Value::of_ip(base::Prefix::make(o.ip, a.i()).addr());
    }
    case Method::First:
      if (o.type != Type::Path) return bad();
      return Value::of_int(o.as<wire::AsPath>().leading_asn().value_or(0));
    case Method::Last:
      if (o.type != Type::Path) return bad();
      return Value::of_int(o.as<wire::AsPath>().last_asn().value_or(0));
    case Method::LastNonAggregated:
      if (o.type != Type::Path) return bad();
      return Value::of_int(o.as<wire::AsPath>().last_nonaggregated_asn().value_or(0));
    case Method::Asn:
      if (o.type == Type::Lc) return Value::of_int(o.lc().global);
      if (o.type == Type::Pair) return Value::of_int(static_cast<std::uint32_t>(o.u >> 16));
      return bad();
    case Method::Data:
      if (o.type == Type::Pair) return Value::of_int(static_cast<std::uint32_t>(o.u & 0xFFFF));
      return bad();
    case Method::Data1:
      if (o.type == Type::Lc) return Value::of_int(o.lc().local1);
      return bad();
    case Method::Data2:
      if (o.type == Type::Lc) return Value::of_int(o.lc().local2);
      return bad();
    case Method::Min:
    case Method::Max: {
      bool mx = m == Method::Max;
      if (o.type == Type::Clist)
        return list_extreme(o.as<Clist>(), mx,
                            [](wire::Community x) { return Value::scalar(Type::Pair, x.value); });
      if (o.type == Type::Eclist)
        return list_extreme(o.as<Eclist>(), mx,
                            [](wire::ExtCommunity x) { return Value::scalar(Type::Ec, x.value); });
      if (o.type == Type::Lclist) return list_extreme(o.as<Lclist>(), mx, lc_key_value);
      return bad();
    }
    case Method::Empty:
      switch (o.type) {
        case Type::Path:
        case Type::Clist:
        case Type::Eclist:
        case Type::Lclist:
          return null_list(o.type);
        default:
          return bad();
      }
    case Method::Prepend:
      if (o.type != Type::Path || a.type != Type::Int) return bad();
      {
        wire::AsPath p = o.as<wire::AsPath>();
        p.prepend(a.i());
        return Value::owned(Type::Path, std::move(p));
      }
    case Method::Add:
      if (o.type == Type::Clist && (a.type == Type::Pair || a.type == Type::Quad)) {
        return Value::owned(Type::Clist, list_add(o.as<Clist>(), wire::Community{a.i()}));
      }
      if (o.type == Type::Eclist && a.type == Type::Ec) {
        return Value::owned(Type::Eclist, list_add(o.as<Eclist>(), wire::ExtCommunity{a.u}));
      }
      if (o.type == Type::Lclist && a.type == Type::Lc) {
        return Value::owned(Type::Lclist, list_add(o.as<Lclist>(), a.lc()));
      }
      if (o.type == Type::Clist && a.type == Type::Clist)
        return list_union<Clist>(o, a, Type::Clist);
      if (o.type == Type::Eclist && a.type == Type::Eclist)
        return list_union<Eclist>(o, a, Type::Eclist);
      if (o.type == Type::Lclist && a.type == Type::Lclist)
        return list_union<Lclist>(o, a, Type::Lclist);
      if (is_set(a.type)) return c.fail(loc, "Can't add set");
      return bad();
    case Method::Delete:
    case Method::Filter: {
      bool keep = m == Method::Filter;
      if (o.type == Type::Path) {
        if (a.type == Type::Int && !keep) {
          const std::uint32_t asn = a.i();
          // Nothing to delete: the path itself (no copy; an assignment of it changes nothing).
          if (!o.as<wire::AsPath>().contains(asn)) return o;
          return derived(o, Type::Path, o.as<wire::AsPath>().filtered([asn](std::uint32_t x) {
            return x != asn;
          }));
        }
        if (a.type == Type::IntSet) {
          const auto& set = a.as<ScalarSet>();
          const auto in_set = [&set, keep](std::uint32_t x) {
            return set.has(Type::Int, SetKey{x, 0}) == keep;
          };
          return derived(o, Type::Path, o.as<wire::AsPath>().filtered(in_set));
        }
        return bad();
      }
      if (o.type == Type::Clist) {
        const auto& l = o.as<Clist>();
        if ((a.type == Type::Pair || a.type == Type::Quad) && !keep) {
          return derived(o, Type::Clist, list_select(l, false, [&](wire::Community x) {
                           return x.value == a.i();
                         }));
        }
        if (a.type == Type::PairSet || a.type == Type::QuadSet) {
          const auto& s = a.as<ScalarSet>();
          return derived(o, Type::Clist, list_select(l, keep, [&](wire::Community x) {
                           return s.has(Type::Pair, SetKey{x.value, 0});
                         }));
        }
        if (a.type == Type::Clist) {
          const auto& s = a.as<Clist>();
          return derived(o, Type::Clist,
                         list_select(l, keep, [&](wire::Community x) { return list_has(s, x); }));
        }
        return bad();
      }
      if (o.type == Type::Eclist) {
        const auto& l = o.as<Eclist>();
        if (a.type == Type::Ec && !keep) {
          return derived(o, Type::Eclist, list_select(l, false, [&](wire::ExtCommunity x) {
                           return x.value == a.u;
                         }));
        }
        if (a.type == Type::EcSet) {
          const auto& s = a.as<ScalarSet>();
          return derived(o, Type::Eclist, list_select(l, keep, [&](wire::ExtCommunity x) {
                           return s.has(Type::Ec, SetKey{x.value, 0});
                         }));
        }
        if (a.type == Type::Eclist) {
          const auto& s = a.as<Eclist>();
          return derived(o, Type::Eclist, list_select(l, keep, [&](wire::ExtCommunity x) {
                           return list_has(s, x);
                         }));
        }
        return bad();
      }
      if (o.type == Type::Lclist) {
        const auto& l = o.as<Lclist>();
        if (a.type == Type::Lc && !keep) {
          auto want = a.lc();
          return derived(o, Type::Lclist, list_select(l, false, [&](const wire::LargeCommunity& x) {
                           return x == want;
                         }));
        }
        if (a.type == Type::LcSet) {
          const auto& s = a.as<ScalarSet>();
          return derived(o, Type::Lclist, list_select(l, keep, [&](const wire::LargeCommunity& x) {
                           return s.has(Type::Lc, Value::of_lc(x).key());
                         }));
        }
        if (a.type == Type::Lclist) {
          const auto& s = a.as<Lclist>();
          return derived(o, Type::Lclist, list_select(l, keep, [&](const wire::LargeCommunity& x) {
                           return list_has(s, x);
                         }));
        }
        return bad();
      }
      return bad();
    }
  }
  return bad();
}

Value DefinedExpr::eval(Ctx& c) const {
  Value v = e->eval(c);
  if (c.halted()) return {};
  return bool_v(v.type != Type::Void && !is_null_list(v));
}

bool Ctx::too_many_steps(const Loc& at) {
  fail(at, fmt::format("filter stopped after {} function calls and loop iterations", kMaxSteps));
  return false;
}

Value CallExpr::eval(Ctx& c) const {
  if (!c.step(loc)) return {};
  auto& st = *c.stack;
  const std::size_t new_base = st.size();
  st.resize(new_base + fn->frame);
  for (std::size_t i = 0; i < args.size(); ++i) {
    Value v = args[i]->eval(c);
    if (c.halted()) {
      st.resize(new_base);
      return {};
    }
    if (!coerce(v, fn->params[i])) {
      st.resize(new_base);
      return c.fail(args[i]->loc,
                    fmt::format("argument {} of {} must be {}, got {}", i + 1, fn->name,
                                type_name(fn->params[i]), type_name(v.type)));
    }
    st[new_base + i] = materialize(v);
  }
  const std::size_t saved = c.base;
  c.base = new_base;
  Flow f = fn->body->exec(c);
  c.base = saved;
  st.resize(new_base);
  if (f == Flow::Accept || f == Flow::Reject) {
    c.halt = f;
    return {};
  }
  if (f == Flow::Error) return {};
  Value r;
  if (f == Flow::Return) r = std::move(c.ret);
  c.ret = Value{};
  if (fn->ret != Type::Any && r.type != Type::Void && !coerce(r, fn->ret)) {
    return c.fail(loc, fmt::format("function {} must return {}, got {}", fn->name,
                                   type_name(fn->ret), type_name(r.type)));
  }
  return r;
}

// ------------------------------------------------------------------ statements

Flow BlockStmt::exec(Ctx& c) const {
  for (const auto& s : body) {
    Flow f = s->exec(c);
    if (f != Flow::Next) return f;
  }
  return Flow::Next;
}

Flow AssignVarStmt::exec(Ctx& c) const {
  Value v = e->eval(c);
  if (c.halted()) return c.halt;
  if (!coerce(v, type)) {
    c.fail(loc, fmt::format("Assigning to variable of incompatible type ({} to {})",
                            type_name(v.type), type_name(type)));
    return c.halt;
  }
  c.slot(slot) = materialize(v);
  return Flow::Next;
}

Flow AssignAttrStmt::exec(Ctx& c) const {
  const auto& info = attr_info(attr);
  if (!e) {
    if (attr == Attr::Preference) {
      c.preference = c.route->preference;
      return Flow::Next;
    }
    auto& m = c.mut();
    if (list_slot(attr) >= 0) c.list_null[list_slot(attr)] = 1;
    switch (attr) {
      case Attr::BgpPath:
        m.as_path.segments.clear();
        break;
      case Attr::BgpNextHop:
        m.next_hop.reset();
        break;
      case Attr::BgpMed:
        m.med.reset();
        break;
      case Attr::BgpLocalPref:
        m.local_pref.reset();
        break;
      case Attr::BgpAtomicAggr:
        m.atomic_aggregate = false;
        break;
      case Attr::BgpCommunity:
        m.communities.clear();
        break;
      case Attr::BgpExtCommunity:
        m.ext_communities.clear();
        break;
      case Attr::BgpLargeCommunity:
        m.large_communities.clear();
        break;
      case Attr::BgpOriginatorId:
        m.originator_id.reset();
        break;
      case Attr::BgpClusterList:
        m.cluster_list.clear();
        break;
      default:
        break;
    }
    return Flow::Next;
  }
  Value v = e->eval(c);
  if (c.halted()) return c.halt;
  if (v.type == Type::Void || !coerce(v, info.type)) {
    c.fail(loc,
           fmt::format("Attempt to set {} to a value of type {}", info.name, type_name(v.type)));
    return c.halt;
  }
  if (attr == Attr::Preference) {
    c.preference = v.i();
    return Flow::Next;
  }
  if (list_slot(attr) >= 0) c.list_null[list_slot(attr)] = is_null_list(v) ? 1 : 0;
  // Compute before touching the copy: v may point into the current attributes.
  switch (attr) {
    case Attr::BgpOrigin: {
      if (v.u > 2) {
        c.fail(loc, "invalid bgp_origin value");
        return c.halt;
      }
      if (c.attrs->origin != static_cast<wire::Origin>(v.u))
        c.mut().origin = static_cast<wire::Origin>(v.u);
      break;
    }
    case Attr::BgpPath: {
      // Assigning the value the route has copies nothing (bgp_path.delete(x) without x).
      if (c.attrs->as_path == v.as<wire::AsPath>()) break;
      wire::AsPath p = v.as<wire::AsPath>();
      c.mut().as_path = std::move(p);
      break;
    }
    case Attr::BgpNextHop:
      if (c.attrs->next_hop != v.ip) c.mut().next_hop = v.ip;
      break;
    case Attr::BgpMed:
      if (c.attrs->med != v.i()) c.mut().med = v.i();
      c.med_assigned = true;
      break;
    case Attr::BgpLocalPref:
      if (c.attrs->local_pref != v.i()) c.mut().local_pref = v.i();
      break;
    case Attr::BgpAtomicAggr:
      if (c.attrs->atomic_aggregate != (v.u != 0)) c.mut().atomic_aggregate = v.u != 0;
      break;
    case Attr::BgpCommunity: {
      if (c.attrs->communities == v.as<Clist>()) break;
      Clist l = v.as<Clist>();
      c.mut().communities = std::move(l);
      break;
    }
    case Attr::BgpExtCommunity: {
      Eclist l = v.as<Eclist>();
      c.mut().ext_communities = std::move(l);
      break;
    }
    case Attr::BgpLargeCommunity: {
      Lclist l = v.as<Lclist>();
      c.mut().large_communities = std::move(l);
      break;
    }
    case Attr::BgpOriginatorId:
      c.mut().originator_id = v.i();
      break;
    case Attr::BgpClusterList: {
      std::vector<std::uint32_t> ids;
      for (auto x : v.as<Clist>()) ids.push_back(x.value);
      c.mut().cluster_list = std::move(ids);
      break;
    }
    default:
      c.fail(loc, fmt::format("attribute {} is read-only", info.name));
      return c.halt;
  }
  return Flow::Next;
}

Flow ClistAddStmt::exec(Ctx& c) const {
  Value v = e->eval(c);
  if (c.halted()) return c.halt;
  if (attr == Attr::BgpCommunity && (v.type == Type::Pair || v.type == Type::Quad)) {
    wire::Community x{v.i()};
    if (!list_has(c.attrs->communities, x)) c.mut().communities.push_back(x);
  } else if (attr == Attr::BgpExtCommunity && v.type == Type::Ec) {
    wire::ExtCommunity x{v.u};
    if (!list_has(c.attrs->ext_communities, x)) c.mut().ext_communities.push_back(x);
  } else if (attr == Attr::BgpLargeCommunity && v.type == Type::Lc) {
    auto x = v.lc();
    if (!list_has(c.attrs->large_communities, x)) c.mut().large_communities.push_back(x);
  } else {
    c.fail(loc, fmt::format("Can't add {} to {}", type_name(v.type), attr_info(attr).name));
    return c.halt;
  }
  return Flow::Next;
}

Flow IfStmt::exec(Ctx& c) const {
  Value v = cond->eval(c);
  if (c.halted()) return c.halt;
  if (v.type != Type::Bool) {
    c.fail(loc, fmt::format("If requires bool expression, got {}", type_name(v.type)));
    return c.halt;
  }
  if (v.u != 0) return then_s->exec(c);
  return else_s ? else_s->exec(c) : Flow::Next;
}

Flow TerminalStmt::exec(Ctx& c) const {
  if (what == Flow::Return) {
    Value v = e->eval(c);
    if (c.halted()) return c.halt;
    if (in_filter) {
      if (v.type != Type::Bool) {
        c.fail(loc, "Can't return non-bool from non-function");
        return c.halt;
      }
      c.where = loc;
      return v.u != 0 ? Flow::Accept : Flow::Reject;
    }
    c.ret = materialize(v);
    return Flow::Return;
  }
  if (!msg.empty()) {
    // bird2: the message joins what printn left pending and goes out as one line.
    for (const auto& m : msg) {
      Value v = m->eval(c);
      if (c.halted()) return c.halt;
      c.print_buf += format_value(v);
    }
    if (c.sink != nullptr && *c.sink) (*c.sink)(c.print_buf, true);
    c.print_buf.clear();
  }
  c.where = loc;
  return what;
}

Flow PrintStmt::exec(Ctx& c) const {
  for (const auto& a : args) {
    Value v = a->eval(c);
    if (c.halted()) return c.halt;
    c.print_buf += format_value(v);
  }
  if (newline) {
    if (c.sink != nullptr && *c.sink) (*c.sink)(c.print_buf, true);
    c.print_buf.clear();
  }
  return Flow::Next;
}

Flow ExprStmt::exec(Ctx& c) const {
  e->eval(c);
  return c.halted() ? c.halt : Flow::Next;
}

Flow ForStmt::exec(Ctx& c) const {
  Value v = e->eval(c);
  if (c.halted()) return c.halt;
  // Iterate over a private copy: the body may change the attribute being walked.
  std::vector<Value> items;
  switch (v.type) {
    case Type::Path:
      for (const auto& seg : v.as<wire::AsPath>().segments) {
        for (auto a : seg.asns) items.push_back(Value::of_int(a));
      }
      break;
    case Type::Clist:
      for (auto x : v.as<Clist>()) items.push_back(Value::scalar(Type::Pair, x.value));
      break;
    case Type::Eclist:
      for (auto x : v.as<Eclist>()) items.push_back(Value::scalar(Type::Ec, x.value));
      break;
    case Type::Lclist:
      for (const auto& x : v.as<Lclist>()) items.push_back(Value::of_lc(x));
      break;
    default:
      c.fail(loc, fmt::format("for needs a path or community list, got {}", type_name(v.type)));
      return c.halt;
  }
  for (auto& x : items) {
    if (!c.step(loc)) return c.halt;
    c.slot(slot) = std::move(x);
    Flow f = body->exec(c);
    if (f != Flow::Next) return f;
  }
  return Flow::Next;
}

void CaseStmt::finish() {
  bird_sort(labels, [](const Label& a, const Label& b) { return compare_values(a.lo, b.lo); });
}

Flow CaseStmt::exec(Ctx& c) const {
  Value v = e->eval(c);
  if (c.halted()) return c.halt;
  // bird2 walks its label tree; a label of a type that cannot be compared with the value
  // counts as holding it (so a pair label (1,2) can take the int 7, as in bird2). Without a
  // hit it looks for the void label of else the same way.
  auto find = [&](const Value& x) {
    return bird_find(
        labels, [&](const Label& l) { return compare_values(l.lo, x); },
        [&](const Label& l) { return compare_values(l.hi, x); });
  };
  long i = find(v);
  if (i < 0 && has_else && v.type != Type::Void) i = find(Value{});
  if (i < 0) return Flow::Next;
  return arms[static_cast<std::size_t>(labels[static_cast<std::size_t>(i)].arm)]->exec(c);
}

std::optional<std::string> fold(const Expr& e, Value& out) {
  std::vector<Value> stack;
  Ctx c;
  c.stack = &stack;
  out = e.eval(c);
  if (c.halted())
    return c.error.empty() ? std::string("accept/reject in a constant expression") : c.error;
  return std::nullopt;
}

}  // namespace nvabgpd::policy

// AS path mask matching with BIRD's filter semantics: masks let an AS_SET position match a run
// of mask items (but never be skipped); `X+` repeats item X. The other AS path operations
// (.len, .first, .last, prepend, delete, filter, ~) are wire::AsPath's (wire/as_path.hpp).
#include <algorithm>

#include "value.hpp"

namespace nvabgpd::policy {

namespace {
// One position of the path as the mask sees it: a single ASN, or a whole AS_SET.
struct Pos {
  const std::uint32_t* asns = nullptr;
  std::uint32_t count = 0;
  bool set = false;
  bool mark = false;  // live: the mask so far can end just before this position
};

bool item_matches(const Pos& pos, const MaskItem& it) {
  for (std::uint32_t k = 0; k < pos.count; ++k) {
    std::uint32_t a = pos.asns[k];
    bool hit = false;
    switch (it.kind) {
      case MaskItem::Kind::Asn:
        hit = a == it.lo;
        break;
      case MaskItem::Kind::Range:
        hit = it.lo <= a && a <= it.hi;
        break;
      case MaskItem::Kind::Set:
        hit = it.set != nullptr && it.set->has(Type::Int, SetKey{a, 0});
        break;
      default:
        hit = true;
        break;
    }
    if (hit) return true;
  }
  return false;
}

// Applies one mask item to the live positions (pos[i].mark, i in [lo, hi]; pos[n] is the
// end of the path). A match at a set position keeps that position live (it may match the next
// item too, so a run of items can match members of one AS_SET) and makes the next one live; a
// set is never skipped (checked against bird2). '*' makes every later position live. Returns
// false when no position is live afterwards.
[[gnu::always_inline]] inline bool apply_item(std::vector<Pos>& pos, std::size_t n,
                                              const MaskItem& it, long& lo, long& hi) {
  pos[n].mark = false;
  if (it.kind == MaskItem::Kind::Star) {
    for (auto i = static_cast<std::size_t>(lo); i <= n; ++i) pos[i].mark = true;
    hi = static_cast<long>(n);
    return true;
  }
  long new_lo = -1;
  long new_hi = -1;
  for (long i = hi; i >= lo; --i) {
    auto ui = static_cast<std::size_t>(i);
    if (!pos[ui].mark) continue;
    pos[ui].mark = false;
    if (ui < n && (it.kind == MaskItem::Kind::Question || item_matches(pos[ui], it))) {
      if (pos[ui].set) pos[ui].mark = true;
      pos[ui + 1].mark = true;
      new_lo = static_cast<long>(ui) + (pos[ui].set ? 0 : 1);
      if (new_hi < 0) new_hi = static_cast<long>(ui + 1);
    }
  }
  if (new_hi < 0) return false;
  lo = new_lo;
  hi = new_hi;
  return true;
}

// `X+` after X: X once more, any number of times (bird2 2.0.12). The live positions become
// the union of those after X applied 1, 2, 3 ... times; each round only steps from the
// positions that were not live before.
void apply_repeat(std::vector<Pos>& pos, std::size_t n, const MaskItem& x, long& lo, long& hi) {
  thread_local std::vector<std::uint8_t> acc;
  acc.assign(n + 1, 0);
  for (long i = lo; i <= hi; ++i)
    acc[static_cast<std::size_t>(i)] = pos[static_cast<std::size_t>(i)].mark ? 1 : 0;
  long alo = lo, ahi = hi;
  for (;;) {
    if (!apply_item(pos, n, x, lo, hi)) break;
    bool fresh = false;
    for (long i = lo; i <= hi; ++i) {
      auto ui = static_cast<std::size_t>(i);
      if (!pos[ui].mark) continue;
      if (acc[ui] != 0) {
        pos[ui].mark = false;
      } else {
        acc[ui] = 1;
        fresh = true;
        alo = std::min(alo, i);
        ahi = std::max(ahi, i);
      }
    }
    if (!fresh) break;
  }
  for (long i = std::min(lo, alo); i <= std::max(hi, ahi); ++i) {
    pos[static_cast<std::size_t>(i)].mark = acc[static_cast<std::size_t>(i)] != 0;
  }
  lo = alo;
  hi = ahi;
}
}  // namespace

bool path_match(const wire::AsPath& p, const PathMask& m) {
  thread_local std::vector<Pos> pos;
  pos.clear();
  for (const auto& s : p.segments) {
    if (wire::is_set_segment(s.type)) {
      if (!s.asns.empty())
        pos.push_back(Pos{s.asns.data(), static_cast<std::uint32_t>(s.asns.size()), true, false});
    } else {
      for (const auto& a : s.asns) pos.push_back(Pos{&a, 1, false, false});
    }
  }
  const std::size_t n = pos.size();
  pos.push_back(Pos{});
  pos[0].mark = true;
  long lo = 0;
  long hi = 0;
  const MaskItem* prev = nullptr;
  for (const auto& it : m.items) {
    if (it.kind == MaskItem::Kind::Loop) {
      if (prev != nullptr && prev->kind != MaskItem::Kind::Star)
        apply_repeat(pos, n, *prev, lo, hi);
      continue;
    }
    if (!apply_item(pos, n, it, lo, hi)) return false;
    prev = &it;
  }
  return pos[n].mark;
}

}  // namespace nvabgpd::policy

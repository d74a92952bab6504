// AS path operations with BIRD's filter semantics: .len counts an AS_SET as one, delete and
// filter act on every occurrence (inside sets too) and drop emptied segments, and masks let an
// AS_SET position match a run of mask items (but never be skipped); `X+` repeats item X.
#include <algorithm>

#include "value.hpp"

namespace nvabgpd::policy {

namespace {
bool is_set_segment(const wire::AsSegment& s) {
  return s.type == wire::SegmentType::Set || s.type == wire::SegmentType::ConfedSet;
}
bool is_confed(const wire::AsSegment& s) {
  return s.type == wire::SegmentType::ConfedSequence || s.type == wire::SegmentType::ConfedSet;
}
}  // namespace

std::uint32_t path_len(const wire::AsPath& p) {
  std::uint32_t n = 0;
  for (const auto& s : p.segments) {
    if (is_confed(s)) continue;
    n += s.type == wire::SegmentType::Set ? 1 : static_cast<std::uint32_t>(s.asns.size());
  }
  return n;
}

std::uint32_t path_first(const wire::AsPath& p) {
  if (p.segments.empty()) return 0;
  const auto& s = p.segments.front();
  if (s.type != wire::SegmentType::Sequence || s.asns.empty()) return 0;
  return s.asns.front();
}

std::uint32_t path_last(const wire::AsPath& p) {
  if (p.segments.empty()) return 0;
  const auto& s = p.segments.back();
  if (s.asns.empty()) return 0;
  if (is_set_segment(s)) return 0;  // bird2: even a one-member set has no "last" ASN
  return s.asns.back();
}

std::uint32_t path_last_nonaggregated(const wire::AsPath& p) {
  // bird2: the last ASN of the AS_SEQUENCE that comes before the first AS_SET (so the
  // sequences after a set do not count), 0 when the path starts with a set or is empty.
  std::uint32_t last = 0;
  for (const auto& s : p.segments) {
    if (is_set_segment(s)) break;
    if (s.type == wire::SegmentType::Sequence && !s.asns.empty()) last = s.asns.back();
  }
  return last;
}

wire::AsPath path_prepend(const wire::AsPath& p, std::uint32_t asn) {
  wire::AsPath out;
  out.segments.reserve(p.segments.size() + 1);
  bool merge = !p.segments.empty() && p.segments.front().type == wire::SegmentType::Sequence &&
               p.segments.front().asns.size() < 255;
  wire::AsSegment head{wire::SegmentType::Sequence, {}};
  head.asns.push_back(asn);
  std::size_t from = 0;
  if (merge) {
    const auto& f = p.segments.front().asns;
    head.asns.insert(head.asns.end(), f.begin(), f.end());
    from = 1;
  }
  out.segments.push_back(std::move(head));
  for (std::size_t i = from; i < p.segments.size(); ++i) out.segments.push_back(p.segments[i]);
  return out;
}

wire::AsPath path_filter(const wire::AsPath& p, const ScalarSet* set, std::uint32_t asn,
                         bool keep) {
  wire::AsPath out;
  for (const auto& s : p.segments) {
    wire::AsSegment n{s.type, {}};
    for (auto a : s.asns) {
      bool hit = set != nullptr ? set->has(Type::Int, SetKey{a, 0}) : a == asn;
      if (hit == keep) n.asns.push_back(a);
    }
    if (!n.asns.empty()) out.segments.push_back(std::move(n));
  }
  return out;
}

bool path_contains(const wire::AsPath& p, std::uint32_t asn) {
  for (const auto& s : p.segments) {
    if (std::find(s.asns.begin(), s.asns.end(), asn) != s.asns.end()) return true;
  }
  return false;
}

bool path_any_in(const wire::AsPath& p, const ScalarSet& set) {
  for (const auto& s : p.segments) {
    for (auto a : s.asns) {
      if (set.has(Type::Int, SetKey{a, 0})) return true;
    }
  }
  return false;
}

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
      case MaskItem::Kind::Asn: hit = a == it.lo; break;
      case MaskItem::Kind::Range: hit = it.lo <= a && a <= it.hi; break;
      case MaskItem::Kind::Set:
        hit = it.set != nullptr && it.set->has(Type::Int, SetKey{a, 0});
        break;
      default: hit = true; break;
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
[[gnu::always_inline]] inline bool apply_item(std::vector<Pos>& pos, std::size_t n, const MaskItem& it, long& lo,
                                              long& hi) {
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
  for (long i = lo; i <= hi; ++i) acc[static_cast<std::size_t>(i)] = pos[static_cast<std::size_t>(i)].mark ? 1 : 0;
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
    if (is_set_segment(s)) {
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
      if (prev != nullptr && prev->kind != MaskItem::Kind::Star) apply_repeat(pos, n, *prev, lo, hi);
      continue;
    }
    if (!apply_item(pos, n, it, lo, hi)) return false;
    prev = &it;
  }
  return pos[n].mark;
}

}  // namespace nvabgpd::policy

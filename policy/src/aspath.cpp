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
};

bool item_matches(const Pos& pos, const MaskItem& it) {
  if (it.kind == MaskItem::Kind::Question) return true;
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

// Marks of live positions: mark[i] means "the mask so far can end just before position i"
// (i == n: at the end of the path). [lo, hi] bounds the marks that may be set.
struct Marks {
  std::vector<std::uint8_t> on;
  std::size_t lo = 0, hi = 0;
  bool any = false;
  void reset(std::size_t n) {
    on.assign(n + 1, 0);
    lo = n + 1;
    hi = 0;
    any = false;
  }
  void set(std::size_t i) {
    if (on[i] != 0) return;
    on[i] = 1;
    lo = std::min(lo, i);
    hi = std::max(hi, i);
    any = true;
  }
};

// Applies one mask item to the live positions of `in`, into `out` (reset first).
// A match at a set position keeps that position live (it may match the next item too, so a
// run of items can match members of one AS_SET) and makes the next one live; a set is never
// skipped (checked against bird2). '*' makes every later position live.
void step(const std::vector<Pos>& pos, const MaskItem& it, const Marks& in, Marks& out) {
  const std::size_t n = pos.size();
  out.reset(n);
  if (!in.any) return;
  if (it.kind == MaskItem::Kind::Star) {
    for (std::size_t i = in.lo; i <= n; ++i) out.set(i);
    return;
  }
  for (std::size_t i = in.lo; i <= in.hi && i < n; ++i) {
    if (in.on[i] == 0 || !item_matches(pos[i], it)) continue;
    if (pos[i].set) out.set(i);
    out.set(i + 1);
  }
}
}  // namespace

bool path_match(const wire::AsPath& p, const PathMask& m) {
  thread_local std::vector<Pos> pos;
  thread_local Marks cur, next, acc;
  pos.clear();
  for (const auto& s : p.segments) {
    if (is_set_segment(s)) {
      if (!s.asns.empty())
        pos.push_back(Pos{s.asns.data(), static_cast<std::uint32_t>(s.asns.size()), true});
    } else {
      for (const auto& a : s.asns) pos.push_back(Pos{&a, 1, false});
    }
  }
  const std::size_t n = pos.size();
  cur.reset(n);
  cur.set(0);
  const MaskItem* prev = nullptr;
  for (const auto& it : m.items) {
    if (it.kind != MaskItem::Kind::Loop) {
      step(pos, it, cur, next);
      std::swap(cur, next);
      if (!cur.any) return false;
      prev = &it;
      continue;
    }
    // `X+`: X once more, any number of times (bird2 2.0.12). The marks after X are the
    // union of X applied 1, 2, 3 ... times; each round only needs the newly live positions.
    if (prev == nullptr || prev->kind == MaskItem::Kind::Star) continue;
    acc = cur;
    for (;;) {
      step(pos, *prev, cur, next);
      cur.reset(n);
      for (std::size_t i = next.lo; next.any && i <= next.hi; ++i) {
        if (next.on[i] != 0 && acc.on[i] == 0) {
          acc.set(i);
          cur.set(i);
        }
      }
      if (!cur.any) break;
    }
    std::swap(cur, acc);
  }
  return cur.on[n] != 0;
}

}  // namespace nvabgpd::policy

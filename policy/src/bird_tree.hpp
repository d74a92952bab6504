#pragma once
// bird2's search tree for `case` labels, reproduced for its observable results.
//
// bird2 2.0.12 keeps case labels (and set items) in a balanced binary tree: the items, in the
// order they were written, are sorted by their lower bound with the C library's qsort (a
// stable top-down merge sort in glibc) and the tree's root is the middle element. A lookup
// walks down from the root and stops at the first node whose range holds the value. With
// overlapping or repeated labels the walk can miss a label that holds the value, and which
// duplicate wins depends on the tree's shape (checked against Debian's bird2): this file
// reproduces both the order and the walk so that `case` gives bird2's answer.
//
// Comparisons return -1, 0, 1 or 2 (incomparable types, bird2's "error" result): an error
// sorts after (the merge takes the right element) and, in a lookup, counts as "inside".
#include <cstddef>
#include <vector>

namespace nvabgpd::policy {

// Sorts items as bird2 2.0.12 does: top-down merge sort, left half n / 2; the merge takes the
// left element when the comparison gives -1 or 0, the right one on 1 or 2 (incomparable).
template <typename T, typename Cmp>
void bird_sort(std::vector<T>& items, Cmp cmp) {
  std::vector<T> tmp(items.size());
  auto rec = [&](auto& self, std::size_t lo, std::size_t n) -> void {
    if (n <= 1) return;
    std::size_t n1 = n / 2;
    std::size_t n2 = n - n1;
    self(self, lo, n1);
    self(self, lo + n1, n2);
    std::size_t a = lo, b = lo + n1, out = 0;
    const std::size_t ae = lo + n1, be = lo + n;
    while (a < ae && b < be) {
      int c = cmp(items[a], items[b]);
      if (c == -1 || c == 0) {
        tmp[out++] = std::move(items[a++]);
      } else {
        tmp[out++] = std::move(items[b++]);
      }
    }
    while (a < ae) tmp[out++] = std::move(items[a++]);
    // The rest of the right half is already in place.
    for (std::size_t i = 0; i < out; ++i) items[lo + i] = std::move(tmp[i]);
  };
  rec(rec, 0, items.size());
}

// Walks the balanced tree over sorted items (root = element (l + h) / 2 of [l, h)).
// lo_cmp(item) / hi_cmp(item) compare the item's bounds with the value searched for.
// Returns the index of the item found, or -1.
template <typename T, typename LoCmp, typename HiCmp>
long bird_find(const std::vector<T>& items, LoCmp lo_cmp, HiCmp hi_cmp) {
  std::size_t l = 0, h = items.size();
  while (l < h) {
    std::size_t pos = (l + h) / 2;
    int a = lo_cmp(items[pos]);
    if (a != 1 && hi_cmp(items[pos]) != -1) return static_cast<long>(pos);
    if (a == -1) {
      l = pos + 1;
    } else {
      h = pos;
    }
  }
  return -1;
}

}  // namespace nvabgpd::policy

// COMMUNITIES (RFC 1997), EXTENDED_COMMUNITIES (RFC 4360), LARGE_COMMUNITY (RFC 8092).
// Decoding keeps the received order; encoding writes each list sorted and omits empty lists.
#include <algorithm>

#include "attribute_table.hpp"

namespace nvabgpd::wire::detail {
namespace {

constexpr std::uint8_t kOptionalTransitive = attr::kFlagOptional | attr::kFlagTransitive;

// Calls put(w, item) for every item in ascending order; copies only when not yet sorted.
template <typename T, typename Put>
void encode_sorted(const std::vector<T>& items, std::uint8_t code, AttrWriter& w, Put put) {
  if (items.empty()) return;
  w.begin(kOptionalTransitive, code);
  if (std::is_sorted(items.begin(), items.end())) {
    for (const auto& x : items) put(w, x);
  } else {
    std::vector<T> sorted(items);
    std::sort(sorted.begin(), sorted.end());
    for (const auto& x : sorted) put(w, x);
  }
  w.end();
}

}  // namespace

const char* decode_communities(base::ByteReader v, AttrDecodeCtx& c) {
  if (v.empty() || v.remaining() % 4 != 0) return "length is 0 or not a multiple of 4";
  auto& out = c.update.attrs.communities;
  out.reserve(v.remaining() / 4);
  std::uint32_t x = 0;
  while (v.read_u32(x)) out.push_back(Community{x});
  return nullptr;
}

void encode_communities(const AttrEncodeCtx& c, AttrWriter& w) {
  encode_sorted(c.update.attrs.communities, attr::kCommunities, w,
                [](AttrWriter& aw, Community x) { aw.put_u32(x.value); });
}

const char* decode_ext_communities(base::ByteReader v, AttrDecodeCtx& c) {
  if (v.empty() || v.remaining() % 8 != 0) return "length is 0 or not a multiple of 8";
  auto& out = c.update.attrs.ext_communities;
  out.reserve(v.remaining() / 8);
  std::uint32_t hi = 0;
  std::uint32_t lo = 0;
  while (v.read_u32(hi) && v.read_u32(lo))
    out.push_back(ExtCommunity{(std::uint64_t{hi} << 32) | lo});
  return nullptr;
}

void encode_ext_communities(const AttrEncodeCtx& c, AttrWriter& w) {
  encode_sorted(c.update.attrs.ext_communities, attr::kExtCommunities, w,
                [](AttrWriter& aw, ExtCommunity x) {
                  aw.put_u32(static_cast<std::uint32_t>(x.value >> 32));
                  aw.put_u32(static_cast<std::uint32_t>(x.value));
                });
}

const char* decode_large_communities(base::ByteReader v, AttrDecodeCtx& c) {
  if (v.empty() || v.remaining() % 12 != 0) return "length is 0 or not a multiple of 12";
  auto& out = c.update.attrs.large_communities;
  out.reserve(v.remaining() / 12);
  LargeCommunity x;
  while (v.read_u32(x.global) && v.read_u32(x.local1) && v.read_u32(x.local2)) out.push_back(x);
  return nullptr;
}

void encode_large_communities(const AttrEncodeCtx& c, AttrWriter& w) {
  encode_sorted(c.update.attrs.large_communities, attr::kLargeCommunities, w,
                [](AttrWriter& aw, const LargeCommunity& x) {
                  aw.put_u32(x.global);
                  aw.put_u32(x.local1);
                  aw.put_u32(x.local2);
                });
}

}  // namespace nvabgpd::wire::detail

#pragma once
// Internal to lib/wire: one descriptor per path attribute type code (name, expected flags,
// RFC 7606 action when malformed, decoder, encoder). Adding an attribute is one row in
// attribute_table.cpp plus its two functions.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "nvabgpd/base/byte_reader.hpp"
#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/wire/codec.hpp"

namespace nvabgpd::wire::detail {

// State while decoding one UPDATE's attributes.
struct AttrDecodeCtx {
  const SessionParams& params;
  Update& update;
  DecodeResult& result;
  // AS4_PATH / AS4_AGGREGATOR from a 2-octet peer, merged after all attributes are read.
  std::optional<AsPath> as4_path;
  std::optional<Aggregator> as4_aggregator;
  std::uint8_t flags = 0;  // of the attribute being decoded (extended-length bit cleared)
};

struct AttrEncodeCtx {
  const Update& update;
  const SessionParams& params;
};

// Writes one attribute: flags, type, length (extended only when the value needs it), value.
// The bytes go through base::ByteWriter; this only adds the attribute header framing.
class AttrWriter : public base::ByteWriter {
 public:
  explicit AttrWriter(std::vector<std::uint8_t>& out) : base::ByteWriter(out) {}
  void begin(std::uint8_t flags, std::uint8_t code) {
    start_ = size();
    put_u8(static_cast<std::uint8_t>(flags & ~attr::kFlagExtendedLength));
    put_u8(code);
    put_u8(0);
  }
  void end() {
    const std::size_t len = size() - start_ - 3;
    if (len <= 255) {
      patch_u8(start_ + 2, static_cast<std::uint8_t>(len));
      return;
    }
    patch_u8(start_, static_cast<std::uint8_t>(buffer()[start_] | attr::kFlagExtendedLength));
    insert_zeros(start_ + 2, 1);
    patch_u16(start_ + 2, static_cast<std::uint16_t>(len));
  }

 private:
  std::size_t start_ = 0;
};

// Returns nullptr when the value is well formed (and stores it), else a static reason.
using AttrDecodeFn = const char* (*)(base::ByteReader value, AttrDecodeCtx& ctx);
// Writes the attribute when the update carries it; writes nothing otherwise.
using AttrEncodeFn = void (*)(const AttrEncodeCtx& ctx, AttrWriter& w);

struct AttributeDescriptor {
  std::uint8_t code;
  std::string_view name;
  std::uint8_t flags;          // the Optional and Transitive bits it must carry
  ErrorAction on_malformed;    // RFC 7606 section 7
  std::uint8_t reset_subcode;  // UPDATE Message Error subcode when on_malformed is SessionReset
  AttrDecodeFn decode;
  AttrEncodeFn encode;
  // RFC 7606 7.5, 7.9, 7.10: from an external neighbour the attribute is not used at all, so a
  // malformed one is only discarded (treat-as-withdraw applies to internal neighbours).
  bool ebgp_discard = false;
};

// The descriptor of a known attribute code, or nullptr.
const AttributeDescriptor* find_attribute(std::uint8_t code);
// Every descriptor, in the order the encoder writes them (MP_REACH/MP_UNREACH first, as RFC
// 7606 5.1 recommends, then ascending type code).
std::span<const AttributeDescriptor> attributes_in_encode_order();

// Per-attribute functions (attr_*.cpp).
const char* decode_origin(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_next_hop(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_med(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_local_pref(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_atomic_aggregate(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_aggregator(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_originator_id(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_cluster_list(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_as_path(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_as4_path(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_as4_aggregator(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_communities(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_ext_communities(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_large_communities(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_mp_reach(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_mp_unreach(base::ByteReader v, AttrDecodeCtx& c);
const char* decode_otc(base::ByteReader v, AttrDecodeCtx& c);

void encode_origin(const AttrEncodeCtx& c, AttrWriter& w);
void encode_next_hop(const AttrEncodeCtx& c, AttrWriter& w);
void encode_med(const AttrEncodeCtx& c, AttrWriter& w);
void encode_local_pref(const AttrEncodeCtx& c, AttrWriter& w);
void encode_atomic_aggregate(const AttrEncodeCtx& c, AttrWriter& w);
void encode_aggregator(const AttrEncodeCtx& c, AttrWriter& w);
void encode_originator_id(const AttrEncodeCtx& c, AttrWriter& w);
void encode_cluster_list(const AttrEncodeCtx& c, AttrWriter& w);
void encode_as_path(const AttrEncodeCtx& c, AttrWriter& w);
void encode_as4_path(const AttrEncodeCtx& c, AttrWriter& w);
void encode_as4_aggregator(const AttrEncodeCtx& c, AttrWriter& w);
void encode_communities(const AttrEncodeCtx& c, AttrWriter& w);
void encode_ext_communities(const AttrEncodeCtx& c, AttrWriter& w);
void encode_large_communities(const AttrEncodeCtx& c, AttrWriter& w);
void encode_mp_reach(const AttrEncodeCtx& c, AttrWriter& w);
void encode_mp_unreach(const AttrEncodeCtx& c, AttrWriter& w);
void encode_otc(const AttrEncodeCtx& c, AttrWriter& w);

// RFC 4271 6.3 / RFC 7606 7.3: why `nh` cannot be the next hop of a route received on this
// session (unspecified, loopback, multicast or reserved, or our own address), or nullptr.
const char* next_hop_problem(const base::IpAddress& nh, const SessionParams& params);

// RFC 6793 4.2.3: after all attributes of a 2-octet peer's UPDATE are read, rebuild the real
// AS path and aggregator from AS4_PATH / AS4_AGGREGATOR.
void merge_as4(AttrDecodeCtx& c);

// Writes all path attributes of `u` (not the length field): MP attributes when present, and the
// route attributes when u.has_attributes.
void encode_path_attributes(const Update& u, const SessionParams& params,
                            std::vector<std::uint8_t>& out);

}  // namespace nvabgpd::wire::detail

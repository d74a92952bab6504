// UPDATE decoding with RFC 7606 error handling. The message layout (withdrawn routes, path
// attributes, NLRI) is checked here; each attribute's value is checked by its descriptor.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "attribute_table.hpp"
#include "message_codec.hpp"
#include "nlri.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::wire::detail {
namespace {

class SeenSet {
 public:
  bool test(std::uint8_t code) const { return (bits_[code >> 6] >> (code & 63)) & 1U; }
  void set(std::uint8_t code) { bits_[code >> 6] |= std::uint64_t{1} << (code & 63); }

 private:
  std::array<std::uint64_t, 4> bits_{};
};

std::string attr_reason(std::uint8_t code, std::string_view what) {
  return fmt::format("{}: {}", attribute_name(code), what);
}

// Reads the path attributes field. Returns false after a session reset.
bool decode_attributes(base::ByteReader in, AttrDecodeCtx& ctx, SeenSet& seen) {
  DecodeResult& r = ctx.result;
  Update& u = ctx.update;
  while (!in.empty()) {
    const std::size_t start = in.offset();
    std::uint8_t flags = 0;
    std::uint8_t code = 0;
    (void)in.peek_u8(0, flags);
    const bool extended = (flags & attr::kFlagExtendedLength) != 0;
    // RFC 7606 4: too few octets for an attribute header, or an attribute running past the
    // field, is treat-as-withdraw; the Total Attribute Length still locates the NLRI.
    if (in.remaining() < (extended ? 4U : 3U)) {
      add_error(r, ErrorAction::TreatAsWithdraw, 0, "path attributes: truncated attribute header");
      return true;
    }
    std::size_t len = 0;
    (void)in.skip(1);
    (void)in.read_u8(code);
    if (extended) {
      std::uint16_t l = 0;
      (void)in.read_u16(l);
      len = l;
    } else {
      std::uint8_t l = 0;
      (void)in.read_u8(l);
      len = l;
    }
    base::ByteReader value;
    if (!in.sub(len, value)) {
      add_error(r, ErrorAction::TreatAsWithdraw, code,
                attr_reason(code, "length overruns the path attributes field"));
      return true;
    }
    const auto whole = in.consumed().subspan(start);

    if (seen.test(code)) {
      // RFC 7606 3 g: a repeated MP attribute resets the session; other repeats are dropped.
      if (code == attr::kMpReach || code == attr::kMpUnreach) {
        reset_session(r, err::kUpdateMessageError, err::kUpdateMalformedAttributeList, {}, code,
                      attr_reason(code, "appears more than once"));
        return false;
      }
      add_error(r, ErrorAction::AttributeDiscard, code,
                attr_reason(code, "appears more than once, repeat discarded"));
      continue;
    }
    seen.set(code);
    if (code != attr::kMpUnreach) u.has_attributes = true;

    const AttributeDescriptor* d = find_attribute(code);
    if (d == nullptr) {
      if (!(flags & attr::kFlagOptional)) {
        reset_session(r, err::kUpdateMessageError, err::kUpdateUnrecognizedWellKnown,
                      {whole.begin(), whole.end()}, code,
                      attr_reason(code, "unrecognized well-known attribute"));
        return false;
      }
      // Unknown optional transitive attributes are carried on; non-transitive ones dropped.
      if (flags & attr::kFlagTransitive) {
        const auto v = value.rest();
        u.attrs.unknown.push_back(
            RawAttribute{static_cast<std::uint8_t>(flags & ~attr::kFlagExtendedLength),
                         code,
                         {v.begin(), v.end()}});
      }
      continue;
    }

    const char* problem = nullptr;
    std::uint8_t subcode = d->reset_subcode;
    std::string flag_text;
    if ((flags & (attr::kFlagOptional | attr::kFlagTransitive)) != d->flags) {
      // RFC 7606 3 c: wrong Optional/Transitive bits make the attribute malformed.
      flag_text = fmt::format("attribute flags 0x{:02x} conflict with the type", flags);
      problem = flag_text.c_str();
      subcode = err::kUpdateAttributeFlagsError;
    } else {
      ctx.flags = static_cast<std::uint8_t>(flags & ~attr::kFlagExtendedLength);
      problem = d->decode(value, ctx);
    }
    if (problem == nullptr) continue;
    if (d->on_malformed == ErrorAction::SessionReset) {
      reset_session(r, err::kUpdateMessageError, subcode, {whole.begin(), whole.end()}, code,
                    attr_reason(code, problem));
      return false;
    }
    const bool discard = d->ebgp_discard && ctx.params.ebgp;
    add_error(
        r, discard ? ErrorAction::AttributeDiscard : d->on_malformed, code,
        attr_reason(code, discard ? fmt::format("{} (from an external peer: discarded)", problem)
                                  : std::string(problem)));
  }
  return true;
}

void check_mandatory(AttrDecodeCtx& ctx, const SeenSet& seen) {
  const Update& u = ctx.update;
  const bool reachable = !u.nlri.empty() || (u.mp_reach && !u.mp_reach->nlri.empty());
  if (!reachable) return;
  // RFC 7606 3 d: a missing well-known mandatory attribute is treat-as-withdraw. NEXT_HOP is
  // mandatory only for the IPv4 NLRI field (RFC 4760).
  for (std::uint8_t code : {attr::kOrigin, attr::kAsPath, attr::kNextHop}) {
    if (code == attr::kNextHop && u.nlri.empty()) continue;
    if (!seen.test(code))
      add_error(ctx.result, ErrorAction::TreatAsWithdraw, code,
                attr_reason(code, "missing well-known mandatory attribute"));
  }
}

}  // namespace

void decode_update(std::span<const std::uint8_t> body, const SessionParams& params,
                   DecodeResult& r) {
  base::ByteReader in(body);
  std::uint16_t withdrawn_len = 0;
  std::uint16_t attrs_len = 0;
  base::ByteReader withdrawn;
  base::ByteReader attrs;
  // RFC 4271 6.3: lengths that do not fit the message are a Malformed Attribute List.
  if (!in.read_u16(withdrawn_len) || !in.sub(withdrawn_len, withdrawn) || !in.read_u16(attrs_len) ||
      !in.sub(attrs_len, attrs)) {
    reset_session(r, err::kUpdateMessageError, err::kUpdateMalformedAttributeList, {}, 0,
                  fmt::format("UPDATE: withdrawn length {} / attribute length {} exceed the "
                              "message",
                              withdrawn_len, attrs_len));
    return;
  }
  Update u;
  // RFC 7606 5.3: a syntactically incorrect withdrawn or NLRI field resets the session.
  if (const char* e = decode_prefixes(withdrawn.rest(), base::Family::V4, u.withdrawn)) {
    reset_session(r, err::kUpdateMessageError, err::kUpdateInvalidNetworkField, {}, 0,
                  fmt::format("withdrawn routes: {}", e));
    return;
  }
  if (const char* e = decode_prefixes(in.rest(), base::Family::V4, u.nlri)) {
    reset_session(r, err::kUpdateMessageError, err::kUpdateInvalidNetworkField, {}, 0,
                  fmt::format("NLRI: {}", e));
    return;
  }
  AttrDecodeCtx ctx{params, u, r, std::nullopt, std::nullopt};
  SeenSet seen;
  if (!decode_attributes(attrs, ctx, seen)) return;
  if (!params.four_octet_as) merge_as4(ctx);
  check_mandatory(ctx, seen);
  auto& unknown = u.attrs.unknown;
  if (!std::is_sorted(unknown.begin(), unknown.end(),
                      [](const auto& a, const auto& b) { return a.type < b.type; }))
    std::sort(unknown.begin(), unknown.end(),
              [](const auto& a, const auto& b) { return a.type < b.type; });
  r.message = std::move(u);
}

}  // namespace nvabgpd::wire::detail

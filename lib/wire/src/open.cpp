// OPEN message and its capabilities (RFC 4271 4.2, RFC 5492, RFC 9072 extended optional
// parameters). One table row per capability code: its name, decoder and encoder.
#include <fmt/format.h>

#include "message_codec.hpp"
#include "nvabgpd/base/byte_reader.hpp"
#include "nvabgpd/base/byte_writer.hpp"
#include "nvabgpd/wire/notification.hpp"

namespace nvabgpd::wire {
namespace {

using base::ByteReader;
using base::ByteWriter;

constexpr std::uint8_t kParamCapabilities = 2;
constexpr std::uint8_t kParamExtendedLength = 255;  // RFC 9072

// A capability decoder returns false when the value is malformed.
using CapDecoder = bool (*)(ByteReader& v, Capabilities& caps);

bool read_afi_safi(ByteReader& v, AfiSafi& af, bool reserved_between) {
  std::uint16_t afi = 0;
  std::uint8_t safi = 0;
  if (!v.read_u16(afi)) return false;
  if (reserved_between && !v.skip(1)) return false;
  if (!v.read_u8(safi)) return false;
  af = AfiSafi{static_cast<Afi>(afi), static_cast<Safi>(safi)};
  return true;
}

void put_afi_safi(ByteWriter& w, AfiSafi af, bool reserved_between) {
  w.put_u16(static_cast<std::uint16_t>(af.afi));
  if (reserved_between) w.put_u8(0);
  w.put_u8(static_cast<std::uint8_t>(af.safi));
}

bool decode_multiprotocol(ByteReader& v, Capabilities& caps) {
  AfiSafi af;
  if (v.remaining() != 4 || !read_afi_safi(v, af, true)) return false;
  caps.multiprotocol.push_back(af);
  return true;
}

bool decode_route_refresh_cap(ByteReader& v, Capabilities& caps) {
  caps.route_refresh = true;
  return v.empty();
}

bool decode_enhanced_route_refresh(ByteReader& v, Capabilities& caps) {
  caps.enhanced_route_refresh = true;
  return v.empty();
}

bool decode_extended_message(ByteReader& v, Capabilities& caps) {
  caps.extended_message = true;
  return v.empty();
}

bool decode_four_octet_as(ByteReader& v, Capabilities& caps) {
  std::uint32_t asn = 0;
  if (v.remaining() != 4 || !v.read_u32(asn)) return false;
  caps.four_octet_as = asn;
  return true;
}

bool decode_graceful_restart(ByteReader& v, Capabilities& caps) {
  std::uint16_t head = 0;
  if (!v.read_u16(head) || v.remaining() % 4 != 0) return false;
  GracefulRestartCap gr;
  gr.restart_state = (head & 0x8000) != 0;
  gr.notification = (head & 0x4000) != 0;
  gr.restart_time = head & 0x0FFF;
  while (!v.empty()) {
    GracefulRestartCap::Family f;
    std::uint8_t flags = 0;
    if (!read_afi_safi(v, f.af, false) || !v.read_u8(flags)) return false;
    f.forwarding_preserved = (flags & 0x80) != 0;
    gr.families.push_back(f);
  }
  caps.graceful_restart = std::move(gr);
  return true;
}

bool decode_add_path(ByteReader& v, Capabilities& caps) {
  if (v.remaining() % 4 != 0) return false;
  while (!v.empty()) {
    AddPathCap ap;
    if (!read_afi_safi(v, ap.af, false) || !v.read_u8(ap.send_receive)) return false;
    caps.add_path.push_back(ap);
  }
  return true;
}

bool read_short_string(ByteReader& v, std::string& s) {
  std::uint8_t len = 0;
  std::span<const std::uint8_t> bytes;
  if (!v.read_u8(len) || !v.read_bytes(len, bytes)) return false;
  s.assign(bytes.begin(), bytes.end());
  return true;
}

bool decode_fqdn(ByteReader& v, Capabilities& caps) {
  FqdnCap f;
  if (!read_short_string(v, f.hostname) || !read_short_string(v, f.domain) || !v.empty())
    return false;
  caps.fqdn = std::move(f);
  return true;
}

struct CapabilityDescriptor {
  std::uint8_t code;
  std::string_view name;
  CapDecoder decode;
  // A malformed value of a strict capability resets the session; a lenient one (informational
  // only) is kept as unknown and reported.
  bool strict;
};

constexpr CapabilityDescriptor kCapabilities[] = {
    {cap::kMultiprotocol, "multiprotocol", decode_multiprotocol, true},
    {cap::kRouteRefresh, "route-refresh", decode_route_refresh_cap, true},
    {cap::kExtendedMessage, "extended-message", decode_extended_message, true},
    {cap::kGracefulRestart, "graceful-restart", decode_graceful_restart, true},
    {cap::kFourOctetAs, "4-octet-as", decode_four_octet_as, true},
    {cap::kAddPath, "add-path", decode_add_path, true},
    {cap::kEnhancedRouteRefresh, "enhanced-route-refresh", decode_enhanced_route_refresh, true},
    {cap::kFqdn, "fqdn", decode_fqdn, false},
};

const CapabilityDescriptor* find_capability(std::uint8_t code) {
  for (const auto& d : kCapabilities)
    if (d.code == code) return &d;
  return nullptr;
}

// Decodes a capabilities optional parameter. Returns false after a session reset.
bool decode_capabilities(ByteReader v, Capabilities& caps, DecodeResult& r) {
  while (!v.empty()) {
    std::uint8_t code = 0;
    std::uint8_t len = 0;
    ByteReader value;
    if (!v.read_u8(code) || !v.read_u8(len) || !v.sub(len, value)) {
      detail::reset_session(r, err::kOpenMessageError, err::kUnspecific, {}, 0,
                            fmt::format("OPEN: capability {} overruns its parameter", code));
      return false;
    }
    const auto* d = find_capability(code);
    if (d == nullptr) {
      const auto raw = value.rest();
      caps.unknown.push_back(RawCapability{code, {raw.begin(), raw.end()}});
      continue;
    }
    const auto raw = value.rest();
    if (d->decode(value, caps)) continue;
    if (d->strict) {
      detail::reset_session(r, err::kOpenMessageError, err::kUnspecific, {}, 0,
                            fmt::format("OPEN: malformed {} capability (length {})", d->name, len));
      return false;
    }
    caps.unknown.push_back(RawCapability{code, {raw.begin(), raw.end()}});
    detail::add_error(r, ErrorAction::None, 0,
                      fmt::format("OPEN: malformed {} capability kept as unknown", d->name));
  }
  return true;
}

void put_capability_header(ByteWriter& w, std::uint8_t code, std::size_t len) {
  w.put_u8(code);
  w.put_u8(static_cast<std::uint8_t>(len));
}

void put_short_string(ByteWriter& w, const std::string& s) {
  const std::size_t n = std::min<std::size_t>(s.size(), 255);
  w.put_u8(static_cast<std::uint8_t>(n));
  w.put_bytes({reinterpret_cast<const std::uint8_t*>(s.data()), n});
}

// Appends every capability as code/length/value triples.
void encode_capabilities(const Capabilities& caps, ByteWriter& w) {
  for (const auto& af : caps.multiprotocol) {
    put_capability_header(w, cap::kMultiprotocol, 4);
    put_afi_safi(w, af, true);
  }
  if (caps.route_refresh) put_capability_header(w, cap::kRouteRefresh, 0);
  if (caps.enhanced_route_refresh) put_capability_header(w, cap::kEnhancedRouteRefresh, 0);
  if (caps.extended_message) put_capability_header(w, cap::kExtendedMessage, 0);
  if (caps.graceful_restart) {
    const auto& gr = *caps.graceful_restart;
    // 63 families fit in one capability (2 + 4*63 = 254).
    const std::size_t n = std::min<std::size_t>(gr.families.size(), 63);
    put_capability_header(w, cap::kGracefulRestart, 2 + 4 * n);
    w.put_u16(static_cast<std::uint16_t>((gr.restart_state ? 0x8000 : 0) |
                                         (gr.notification ? 0x4000 : 0) |
                                         (gr.restart_time & 0x0FFF)));
    for (std::size_t i = 0; i < n; ++i) {
      put_afi_safi(w, gr.families[i].af, false);
      w.put_u8(gr.families[i].forwarding_preserved ? 0x80 : 0);
    }
  }
  if (caps.four_octet_as) {
    put_capability_header(w, cap::kFourOctetAs, 4);
    w.put_u32(*caps.four_octet_as);
  }
  // ADD-PATH entries go 63 to a capability (4 * 63 = 252 octets).
  for (std::size_t first = 0; first < caps.add_path.size(); first += 63) {
    const std::size_t n = std::min<std::size_t>(caps.add_path.size() - first, 63);
    put_capability_header(w, cap::kAddPath, 4 * n);
    for (std::size_t i = first; i < first + n; ++i) {
      put_afi_safi(w, caps.add_path[i].af, false);
      w.put_u8(caps.add_path[i].send_receive);
    }
  }
  if (caps.fqdn) {
    // Both strings share one capability: 2 length octets + text <= 255.
    const std::size_t h = std::min<std::size_t>(caps.fqdn->hostname.size(), 253);
    const std::size_t d = std::min<std::size_t>(caps.fqdn->domain.size(), 253 - h);
    put_capability_header(w, cap::kFqdn, 2 + h + d);
    put_short_string(w, caps.fqdn->hostname.substr(0, h));
    put_short_string(w, caps.fqdn->domain.substr(0, d));
  }
  for (const auto& u : caps.unknown) {
    const std::size_t n = std::min<std::size_t>(u.value.size(), 255);
    put_capability_header(w, u.code, n);
    w.put_bytes({u.value.data(), n});
  }
}

}  // namespace

std::string capability_name(std::uint8_t code) {
  if (const auto* d = find_capability(code)) return std::string(d->name);
  return fmt::format("capability {}", code);
}

namespace detail {

void decode_open(std::span<const std::uint8_t> body, DecodeResult& r) {
  ByteReader in(body);
  Open m;
  std::uint8_t opt_len = 0;
  // check_header guaranteed the 10 fixed octets.
  if (!in.read_u8(m.version) || !in.read_u16(m.my_as) || !in.read_u16(m.hold_time) ||
      !in.read_u32(m.bgp_id) || !in.read_u8(opt_len)) {
    reset_session(r, err::kMessageHeaderError, err::kHeaderBadMessageLength, {}, 0,
                  "OPEN: truncated");
    return;
  }
  if (m.version != 4) {
    reset_session(r, err::kOpenMessageError, err::kOpenUnsupportedVersion, {0, 4}, 0,
                  fmt::format("OPEN: unsupported version {}", m.version));
    return;
  }
  // RFC 9072: an Optional Parameters Length of 255 followed by a parameter type of 255 means
  // a 2-octet length follows and every parameter has a 2-octet length.
  bool extended = false;
  std::size_t params_len = opt_len;
  std::uint8_t first_type = 0;
  if (opt_len == kParamExtendedLength && in.peek_u8(0, first_type) &&
      first_type == kParamExtendedLength) {
    std::uint16_t ext_len = 0;
    if (!in.skip(1) || !in.read_u16(ext_len)) {
      reset_session(r, err::kOpenMessageError, err::kUnspecific, {}, 0,
                    "OPEN: truncated extended optional parameters length");
      return;
    }
    extended = true;
    params_len = ext_len;
  }
  ByteReader params;
  if (!in.sub(params_len, params) || !in.empty()) {
    reset_session(
        r, err::kOpenMessageError, err::kUnspecific, {}, 0,
        fmt::format("OPEN: optional parameters length {} disagrees with message", params_len));
    return;
  }
  while (!params.empty()) {
    std::uint8_t type = 0;
    std::size_t len = 0;
    bool ok = params.read_u8(type);
    if (extended) {
      std::uint16_t l = 0;
      ok = ok && params.read_u16(l);
      len = l;
    } else {
      std::uint8_t l = 0;
      ok = ok && params.read_u8(l);
      len = l;
    }
    ByteReader value;
    if (!ok || !params.sub(len, value)) {
      reset_session(r, err::kOpenMessageError, err::kUnspecific, {}, 0,
                    "OPEN: optional parameter overruns the parameters field");
      return;
    }
    if (type != kParamCapabilities) {
      reset_session(r, err::kOpenMessageError, err::kOpenUnsupportedOptionalParameter, {}, 0,
                    fmt::format("OPEN: unsupported optional parameter {}", type));
      return;
    }
    if (!decode_capabilities(value, m.caps, r)) return;
  }
  // RFC 7607: AS 0 is never a valid peer AS.
  if (m.my_as == 0 || (m.caps.four_octet_as && *m.caps.four_octet_as == 0)) {
    reset_session(r, err::kOpenMessageError, err::kOpenBadPeerAs, {}, 0, "OPEN: peer AS 0");
    return;
  }
  if (m.hold_time == 1 || m.hold_time == 2) {
    reset_session(r, err::kOpenMessageError, err::kOpenUnacceptableHoldTime, {}, 0,
                  fmt::format("OPEN: hold time {} is neither 0 nor at least 3", m.hold_time));
    return;
  }
  // RFC 6286: any non-zero 4-octet value is a valid BGP Identifier.
  if (m.bgp_id == 0) {
    reset_session(r, err::kOpenMessageError, err::kOpenBadBgpId, {}, 0, "OPEN: BGP identifier 0");
    return;
  }
  r.message = std::move(m);
}

void encode_open(const Open& m, std::vector<std::uint8_t>& out) {
  const std::size_t start = begin_message(out, MessageType::Open);
  ByteWriter w(out);
  w.put_u8(m.version);
  w.put_u16(m.my_as);
  w.put_u16(m.hold_time);
  w.put_u32(m.bgp_id);
  const std::size_t opt_len_at = w.size();
  w.put_u8(0);
  std::vector<std::uint8_t> caps;
  ByteWriter cw(caps);
  encode_capabilities(m.caps, cw);
  if (!caps.empty()) {
    if (caps.size() + 2 <= 255) {
      w.put_u8(kParamCapabilities);
      w.put_u8(static_cast<std::uint8_t>(caps.size()));
      w.put_bytes(caps);
      w.patch_u8(opt_len_at, static_cast<std::uint8_t>(caps.size() + 2));
    } else {
      // RFC 9072 extended format: 255, 255, 2-octet total, then type + 2-octet length.
      w.patch_u8(opt_len_at, kParamExtendedLength);
      w.put_u8(kParamExtendedLength);
      w.put_u16(static_cast<std::uint16_t>(caps.size() + 3));
      w.put_u8(kParamCapabilities);
      w.put_u16(static_cast<std::uint16_t>(caps.size()));
      w.put_bytes(caps);
    }
  }
  finish_message(out, start);
}

}  // namespace detail
}  // namespace nvabgpd::wire

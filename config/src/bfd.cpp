// `bfd:` of a peer or template: `bfd: true`, or a mapping (enabled, min-tx, min-rx,
// multiplier, multihop; intervals in milliseconds).
#include <fmt/format.h>

#include <array>

#include "parse.hpp"

namespace nvabgpd::config::detail {

namespace {
constexpr std::array<std::string_view, 5> kBfdKeys = {"enabled", "min-tx", "min-rx", "multiplier",
                                                      "multihop"};
// 10 ms .. 60 s: below 10 ms a userspace daemon on a loaded host flaps; RFC 5880 allows up to
// 2^32 us but nobody detects failures in minutes with BFD.
constexpr std::uint64_t kMinIntervalMs = 10;
constexpr std::uint64_t kMaxIntervalMs = 60000;
}  // namespace

bool bfd_sets_multihop(const Entry& e) {
  if (!e.value.IsMap()) return false;
  for (auto it = e.value.begin(); it != e.value.end(); ++it)
    if (it->first.IsScalar() && it->first.Scalar() == "multihop") return true;
  return false;
}

std::optional<BfdConfig> read_bfd(Reader& r, const Entry& e) {
  BfdConfig b;
  if (e.value.IsScalar()) {
    auto v = r.boolean(e.value, e.field);
    if (!v) return std::nullopt;
    b.enabled = *v;
    return b;
  }
  auto m = r.map(e.value, e.field, kBfdKeys);
  if (!m) return std::nullopt;
  b.enabled = true;
  bool ok = true;
  for (const Entry& x : *m) {
    if (x.key == "enabled" || x.key == "multihop") {
      auto v = r.boolean(x.value, x.field);
      if (v) (x.key == "enabled" ? b.enabled : b.multihop) = *v;
      ok = ok && v;
    } else if (x.key == "min-tx" || x.key == "min-rx") {
      auto v = r.uint(x.value, x.field, kMinIntervalMs, kMaxIntervalMs);
      if (v) (x.key == "min-tx" ? b.min_tx_ms : b.min_rx_ms) = static_cast<std::uint32_t>(*v);
      ok = ok && v;
    } else if (x.key == "multiplier") {
      auto v = r.uint(x.value, x.field, 1, 255);
      if (v) b.multiplier = static_cast<std::uint8_t>(*v);
      ok = ok && v;
    }
  }
  return ok ? std::optional<BfdConfig>(b) : std::nullopt;
}

}  // namespace nvabgpd::config::detail

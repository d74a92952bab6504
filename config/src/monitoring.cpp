// The `bmp` (RFC 7854 stations) and `mrt` (RFC 6396 dumps) sections.
#include "monitoring.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace nvabgpd::config::detail {

namespace {
constexpr std::array<std::string_view, 4> kBmpKeys = {"address", "port", "buffer",
                                                      "stats-interval"};
constexpr std::array<std::string_view, 4> kMrtKeys = {"file", "interval", "table-dump", "messages"};
constexpr std::uint64_t kMinBmpBuffer = 64u << 10;
constexpr std::uint64_t kMaxBmpBuffer = 1u << 30;
}  // namespace

void read_bmp(Reader& r, const Entry& e, Config& cfg) {
  auto items = r.seq(e.value, e.field);
  if (!items) return;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const std::string f = fmt::format("bmp[{}]", i);
    auto m = r.map((*items)[i], f, kBmpKeys);
    if (!m) continue;
    BmpStation s;
    bool ok = true;
    for (const char* required : {"address", "port"}) {
      if (!find(*m, required)) {
        r.error((*items)[i], f + "." + required,
                fmt::format("required key '{}' is missing", required));
        ok = false;
      }
    }
    for (const Entry& x : *m) {
      r.remember(x.field, x.value);
      if (x.key == "address") {
        auto v = r.address(x.value, x.field);
        if (v && v->is_unspecified()) {
          r.error(x.value, x.field, "a BMP station needs a real address, not " + v->to_string());
          v.reset();
        }
        if (v) s.address = *v;
        ok = ok && v.has_value();
      } else if (x.key == "port") {
        auto v = r.uint(x.value, x.field, 1, 65535);
        if (v) s.port = static_cast<std::uint16_t>(*v);
        ok = ok && v.has_value();
      } else if (x.key == "buffer") {
        auto v = r.uint(x.value, x.field, kMinBmpBuffer, kMaxBmpBuffer);
        if (v) s.buffer = *v;
        ok = ok && v.has_value();
      } else if (x.key == "stats-interval") {
        auto v = r.uint(x.value, x.field, 0, 86400);
        if (v) s.stats_interval = static_cast<std::uint32_t>(*v);
        ok = ok && v.has_value();
      }
    }
    if (!ok) continue;
    auto same = [&](const BmpStation& o) { return o.address == s.address && o.port == s.port; };
    if (std::any_of(cfg.bmp.begin(), cfg.bmp.end(), same)) {
      r.error((*items)[i], f,
              fmt::format("BMP station {} port {} is listed twice", s.address, s.port));
      continue;
    }
    cfg.bmp.push_back(s);
  }
}

void read_mrt(Reader& r, const Entry& e, Config& cfg, const std::filesystem::path& base_dir) {
  auto m = r.map(e.value, e.field, kMrtKeys);
  if (!m) return;
  MrtConfig c;
  c.enabled = true;
  bool ok = true;
  if (!find(*m, "file")) {
    r.error(e.value, e.field + ".file", "required key 'file' is missing");
    ok = false;
  }
  for (const Entry& x : *m) {
    r.remember(x.field, x.value);
    if (x.key == "file") {
      const std::optional<std::string> v = r.str(x.value, x.field);
      if (!v) {
        ok = false;
        continue;
      }
      const std::string& text = *v;
      if (text.empty() || text.back() == '/') {
        r.error(x.value, x.field, fmt::format("'{}' is not a file name pattern", text));
        ok = false;
        continue;
      }
      c.file = text;
      std::filesystem::path p(text);
      if (p.is_relative()) p = base_dir / p;
      c.path = p.lexically_normal().string();
    } else if (x.key == "interval") {
      auto v = r.uint(x.value, x.field, 0, 7 * 86400);
      if (v) c.interval = static_cast<std::uint32_t>(*v);
      ok = ok && v.has_value();
    } else if (x.key == "table-dump") {
      auto v = r.boolean(x.value, x.field);
      if (v) c.table_dump = *v;
      ok = ok && v.has_value();
    } else if (x.key == "messages") {
      auto v = r.boolean(x.value, x.field);
      if (v) c.messages = *v;
      ok = ok && v.has_value();
    }
  }
  if (ok && !c.table_dump && !c.messages) {
    r.error(e.value, e.field, "table-dump and messages are both false: nothing to write");
    ok = false;
  }
  if (ok) cfg.mrt = c;
}

}  // namespace nvabgpd::config::detail

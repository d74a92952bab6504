#include "reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace nvabgpd::config::detail {

namespace {

std::string_view kind_of(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "an undefined value";
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + cost});
      diag = up;
    }
  }
  return row[b.size()];
}

}  // namespace

std::optional<std::string_view> suggest(std::string_view word,
                                        std::span<const std::string_view> candidates) {
  if (word.size() > 64) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_d = 0;
  for (auto c : candidates) {
    std::size_t d = edit_distance(word, c);
    // Treat "_" for "-" and a different case as near misses too.
    std::string norm(word);
    for (auto& ch : norm) {
      if (ch == '_') ch = '-';
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    }
    if (norm == c) d = 0;
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  if (best && best_d <= std::max<std::size_t>(2, best->size() / 3)) return best;
  return std::nullopt;
}

const Entry* find(const std::vector<Entry>& entries, std::string_view key) {
  for (const auto& e : entries)
    if (e.key == key) return &e;
  return nullptr;
}

SourceLocation Reader::loc(const YAML::Node& n) const {
  const YAML::Mark m = n.Mark();
  if (m.is_null() || m.line < 0) return {file_, 0, 0};
  return {file_, m.line + 1, m.column + 1};
}

void Reader::error(const YAML::Node& at, std::string field, std::string message) {
  error_at(loc(at), std::move(field), std::move(message));
}
void Reader::error_at(SourceLocation at, std::string field, std::string message) {
  if (errors_.size() >= kMaxKeptDiagnostics) {
    ++dropped_errors_;
    return;
  }
  errors_.push_back({std::move(at), std::move(field), std::move(message)});
}
void Reader::warn(const YAML::Node& at, std::string field, std::string message) {
  warn_at(loc(at), std::move(field), std::move(message));
}
void Reader::warn_at(SourceLocation at, std::string field, std::string message) {
  if (warnings_.size() >= kMaxKeptDiagnostics) {
    ++dropped_warnings_;
    return;
  }
  warnings_.push_back({std::move(at), std::move(field), std::move(message)});
}
void Reader::remember(const std::string& field, const YAML::Node& at) {
  sources_.insert_or_assign(field, loc(at));
}
void Reader::remember_at(const std::string& field, SourceLocation at) {
  sources_.insert_or_assign(field, std::move(at));
}

std::optional<std::vector<Entry>> Reader::map(const YAML::Node& n, const std::string& field,
                                              std::span<const std::string_view> known) {
  if (!n.IsMap()) {
    error(n, field, fmt::format("expected a mapping (key: value), got {}", kind_of(n)));
    return std::nullopt;
  }
  std::vector<Entry> out;
  std::set<std::string, std::less<>> seen;
  const std::string prefix = field.empty() ? "" : field + ".";
  for (auto it = n.begin(); it != n.end(); ++it) {
    const YAML::Node k = it->first;
    if (!k.IsScalar()) {
      error(k, field, "a key must be a plain word");
      continue;
    }
    const std::string& key = k.Scalar();
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string msg = fmt::format("unknown key '{}'", key);
      if (auto s = suggest(key, known)) msg += fmt::format(" (did you mean '{}'?)", *s);
      error(k, prefix + key, std::move(msg));
      continue;
    }
    if (!seen.insert(key).second) {
      error(k, prefix + key, fmt::format("key '{}' is given twice", key));
      continue;
    }
    out.push_back({key, k, it->second, prefix + key});
  }
  return out;
}

std::optional<std::vector<YAML::Node>> Reader::seq(const YAML::Node& n, const std::string& field) {
  if (n.IsNull()) return std::vector<YAML::Node>{};
  if (!n.IsSequence()) {
    error(n, field, fmt::format("expected a list, got {}", kind_of(n)));
    return std::nullopt;
  }
  std::vector<YAML::Node> out;
  for (auto it = n.begin(); it != n.end(); ++it) out.push_back(*it);
  return out;
}

std::optional<std::string> Reader::scalar(const YAML::Node& n, const std::string& field,
                                          std::string_view what) {
  if (!n.IsScalar()) {
    error(n, field, fmt::format("expected {}, got {}", what, kind_of(n)));
    return std::nullopt;
  }
  return n.Scalar();
}

std::optional<std::string> Reader::str(const YAML::Node& n, const std::string& field) {
  return scalar(n, field, "a string");
}

std::optional<bool> Reader::boolean(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field, "true or false");
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "True" || *s == "TRUE") return true;
  if (*s == "false" || *s == "False" || *s == "FALSE") return false;
  error(n, field, fmt::format("expected true or false, got '{}'", *s));
  return std::nullopt;
}

std::optional<std::uint64_t> Reader::uint(const YAML::Node& n, const std::string& field,
                                          std::uint64_t min, std::uint64_t max) {
  auto s = scalar(n, field, "a number");
  if (!s) return std::nullopt;
  std::uint64_t v = 0;
  const char* b = s->data();
  const char* e = b + s->size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (s->empty() || ec == std::errc::invalid_argument || p != e) {
    error(n, field, fmt::format("expected a whole number, got '{}'", *s));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || v < min || v > max) {
    error(n, field, fmt::format("{} is out of range ({}..{})", *s, min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint32_t> Reader::asn(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field, "an AS number");
  if (!s) return std::nullopt;
  // asplain, or asdot (RFC 5396) "HIGH.LOW".
  auto parse_part = [](std::string_view t, std::uint64_t& out) {
    if (t.empty()) return false;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc{} && p == t.data() + t.size();
  };
  std::string_view t = *s;
  std::uint64_t v = 0;
  bool ok = false;
  if (auto dot = t.find('.'); dot != std::string_view::npos) {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    ok = parse_part(t.substr(0, dot), hi) && parse_part(t.substr(dot + 1), lo) && hi <= 65535 &&
         lo <= 65535;
    v = (hi << 16) | lo;
  } else {
    ok = parse_part(t, v);
  }
  if (!ok) {
    error(n, field, fmt::format("expected an AS number, got '{}'", *s));
    return std::nullopt;
  }
  if (v == 0 || v > 4294967294ULL) {
    error(n, field,
          fmt::format("AS number {} is out of range (1..4294967294; 0 and 4294967295 are "
                      "reserved)",
                      *s));
    return std::nullopt;
  }
  if (v == 23456) {
    error(n, field, "AS 23456 is AS_TRANS (RFC 6793) and cannot be a real AS number");
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(v);
}

std::optional<base::IpAddress> Reader::address(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field, "an IP address");
  if (!s) return std::nullopt;
  auto a = base::IpAddress::parse(*s);
  if (!a) {
    std::string msg = fmt::format("'{}' is not an IPv4 or IPv6 address", *s);
    if (s->find('/') != std::string::npos) msg += " (a prefix length is not allowed here)";
    error(n, field, std::move(msg));
  }
  return a;
}

std::optional<base::IpAddress> Reader::ipv4_id(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field, "an IPv4 address");
  if (!s) return std::nullopt;
  auto a = base::IpAddress::parse(*s);
  if (!a || !a->is_v4()) {
    error(n, field, fmt::format("'{}' is not an IPv4 address (dotted quad)", *s));
    return std::nullopt;
  }
  return a;
}

std::optional<base::Prefix> Reader::prefix(const YAML::Node& n, const std::string& field) {
  auto s = scalar(n, field, "a prefix");
  if (!s) return std::nullopt;
  auto slash = s->find('/');
  if (slash == std::string::npos) {
    error(n, field, fmt::format("'{}' is not a prefix: expected ADDRESS/LENGTH", *s));
    return std::nullopt;
  }
  auto p = base::Prefix::parse(*s);
  if (!p) {
    auto loose = base::Prefix::parse(*s, true);
    if (loose)
      error(n, field,
            fmt::format("'{}' has host bits set; did you mean {}?", *s, loose->to_string()));
    else
      error(n, field, fmt::format("'{}' is not a valid prefix", *s));
  }
  return p;
}

}  // namespace nvabgpd::config::detail

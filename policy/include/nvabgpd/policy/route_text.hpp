#pragma once
// Readable text forms of route attributes, shared by nvabgpctl (`filter test`) and anyone who
// prints routes: communities "65535:65282", large "1:2:3", extended "rt:65000:1" /
// "ro:192.0.2.1:7" / "generic:0x1:0x2", AS paths "65001 65515 {1 2}". Parsers return nullopt
// on any malformed input.
#include <optional>
#include <string>
#include <string_view>

#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::policy {

std::string community_text(wire::Community c);
std::string large_community_text(const wire::LargeCommunity& c);
std::string ext_community_text(wire::ExtCommunity c);
std::string as_path_text(const wire::AsPath& p);
std::string origin_text(wire::Origin o);  // "igp", "egp", "incomplete"

std::optional<wire::Community> parse_community(std::string_view s);
std::optional<wire::LargeCommunity> parse_large_community(std::string_view s);
std::optional<wire::ExtCommunity> parse_ext_community(std::string_view s);
// "65001 65515 {1 2}" ({...} is an AS_SET); empty text is the empty path.
std::optional<wire::AsPath> parse_as_path(std::string_view s);
std::optional<wire::Origin> parse_origin(std::string_view s);

// Extended community encoding as BIRD builds (kind, a, b): kind 2 = rt, 3 = ro, 0 = generic.
// a > 65535 selects the 4-octet-AS form. Returns nullopt when b does not fit.
std::optional<std::uint64_t> make_ext_community(unsigned kind, std::uint32_t a, std::uint32_t b,
                                                bool a_is_ipv4);

}  // namespace nvabgpd::policy

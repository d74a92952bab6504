#pragma once
// Private: the `health-checks` and `shutdown` sections, and the `track`/`on-failure` keys of
// originate items and peers.
#include <vector>

#include "nvabgpd/config/model.hpp"
#include "reader.hpp"

namespace nvabgpd::config::detail {

void read_health_checks(Reader& r, const Entry& e, Config& cfg);
void read_shutdown(Reader& r, const Entry& e, Config& cfg);
// `track: NAME` or `track: [NAME, ...]`.
bool read_track(Reader& r, const Entry& e, Tracking& t);
// `on-failure: withdraw` or `on-failure: {prepend: N, communities: [...]}`.
bool read_on_failure(Reader& r, const Entry& e, Tracking& t);
// Every tracked name is a configured check (`where` names the item in errors).
void check_tracking(Reader& r, const Config& cfg, const Tracking& t, const YAML::Node& at,
                    const std::string& where);

// Canonical print: `track`/`on-failure` keys (nothing when untracked), and the health-checks
// and shutdown sections (nothing when not configured, so older configs print unchanged).
void print_tracking(YAML::Emitter& out, const Tracking& t);
void print_health(YAML::Emitter& out, const Config& cfg);

}  // namespace nvabgpd::config::detail

#pragma once
// Canonical print: the whole validated config as YAML, every default shown, templates expanded
// (a peer keeps `template: azure-route-server` when the built-in template applies, so its
// checks still run when the output is loaded again). Loading the output gives an equal Config
// (user template names become comments). Used by `nvabgpd --check --print` and `show config`.
#include <string>

#include "nvabgpd/config/model.hpp"

namespace nvabgpd::config {

struct PrintOptions {
  // TCP-MD5 passwords are printed only when true; otherwise a comment says one is set.
  bool show_secrets = false;
};

std::string to_yaml(const Config& cfg, const PrintOptions& opts = {});

// Text forms used by the printer (and useful to show commands).
std::string community_to_string(wire::Community c);  // "65535:65282" / "no-advertise"
std::string large_community_to_string(const wire::LargeCommunity& c);  // "1:2:3"

}  // namespace nvabgpd::config

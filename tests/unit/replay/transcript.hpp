#pragma once
// What a replayed daemon did, as text lines under headings (the golden's form).
#include <map>
#include <string>

#include <fmt/format.h>

#include "nvabgpd/session/session_manager.hpp"

namespace nvabgpd::replay {

// The transcript: what the daemon did, under the heading of the input that made it do it.
struct Transcript {
  std::string text;
  std::map<session::PeerId, std::string> names;
  std::string name(session::PeerId id) const {
    auto it = names.find(id);
    return it == names.end() ? fmt::format("peer#{}", id) : it->second;
  }
  void line(const std::string& s) { text += s + "\n"; }
};

}  // namespace nvabgpd::replay

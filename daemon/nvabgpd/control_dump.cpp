// The `dump mrt` control verbs: an on-demand TABLE_DUMP_V2 snapshot written in slices by the
// daemon; the client polls `dump mrt status` until it is done (docs/control-protocol.md).
#include "daemon.hpp"
#include "monitoring.hpp"

namespace nvabgpd::daemon {

void install_dump_handlers(ControlServer& c, Monitoring& m) {
  c.on("dump mrt", [&m](const nlohmann::json& args) {
    auto it = args.find("file");
    if (it == args.end() || !it->is_string()) throw ControlError("dump mrt: 'file' is required");
    const std::uint64_t id = m.mrt().dump_to(it->get<std::string>());
    return nlohmann::json{{"id", id}, {"file", it->get<std::string>()}, {"done", false}};
  });
  c.on("dump mrt status", [&m](const nlohmann::json& args) {
    auto it = args.find("id");
    if (it == args.end() || !it->is_number_unsigned())
      throw ControlError("dump mrt status: 'id' is required");
    auto s = m.mrt().dump_status(it->get<std::uint64_t>());
    if (!s) throw ControlError("dump mrt status: no such dump");
    if (s->done && !s->ok) throw ControlError("dump mrt: writing " + s->path + " failed");
    return nlohmann::json{{"id", it->get<std::uint64_t>()},
                          {"file", s->path},
                          {"done", s->done},
                          {"prefixes", s->prefixes},
                          {"paths", s->entries},
                          {"longest_slice_us", s->longest_slice_us}};
  });
}

}  // namespace nvabgpd::daemon

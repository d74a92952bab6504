#pragma once
// Plays a recorded session script through a real Daemon wired to an in-memory transport, an
// in-memory FIB sink and a manual clock, and writes down everything the daemon does: the
// messages it sends to each peer (decoded to text), its FIB deltas and its transport calls.
//
// Script (input.replay), one event a line, '#' starts a comment:
//   <seconds> up <peer> local=<address> sent=<hex OPEN> received=<hex OPEN>
//   <seconds> recv <peer> <hex message>        an UPDATE or ROUTE-REFRESH from the peer
//   <seconds> down <peer> closed|sent=<hex NOTIFICATION>|received=<hex NOTIFICATION>
//   <seconds> tick                             time passes (timers due by then run)
//   <seconds> reload <file>                    the scenario's <file> becomes the configuration
//                                              and the daemon reloads it (as on SIGHUP)
// <seconds> counts from the start, never goes back. Messages are whole, header included.
#include <string>

namespace nvabgpd::replay {

// The daemon's outputs for `script`, with the configuration at `config_path` (its bmp, mrt,
// metrics and kernel sections are not used; the files of its directory are copied to a
// scratch directory first). Throws std::runtime_error on a bad script.
std::string run_replay(const std::string& config_path, const std::string& script);

}  // namespace nvabgpd::replay

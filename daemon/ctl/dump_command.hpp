#pragma once
// `nvabgpctl dump mrt FILE`: asks the daemon for a TABLE_DUMP_V2 snapshot into FILE and waits
// until it is written.
#include "command_spec.hpp"

namespace nvabgpd::ctl {

int run_dump_mrt(const Invocation& inv);

}  // namespace nvabgpd::ctl

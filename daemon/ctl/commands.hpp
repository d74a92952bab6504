#pragma once
// The commands of nvabgpctl's table (command_table.cpp): each runs one Invocation and returns
// the exit code; a wrong argument throws UsageError.
#include "command_spec.hpp"

namespace nvabgpd::ctl {

int run_show_protocols(const Invocation& inv);
int run_show_route(const Invocation& inv);  // show_route_command.cpp
int run_show_status(const Invocation& inv);
int run_show_memory(const Invocation& inv);
int run_show_health(const Invocation& inv);
int run_show_bfd(const Invocation& inv);
int run_explain(const Invocation& inv);
int run_enable(const Invocation& inv);
int run_disable(const Invocation& inv);
int run_restart(const Invocation& inv);
int run_drain(const Invocation& inv);
int run_undrain(const Invocation& inv);
int run_reload(const Invocation& inv);
int run_filter_test_command(const Invocation& inv);
int run_completion_bash(const Invocation& inv);

}  // namespace nvabgpd::ctl

#pragma once
// `nvabgpctl completion bash`: a bash completion script generated from the command table
// (command words, options, argument keywords; peer names asked from the running daemon).
#include <string>

namespace nvabgpd::ctl {

std::string bash_completion();

}  // namespace nvabgpd::ctl

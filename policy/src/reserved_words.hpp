#pragma once
// Names bird2 2.0.12 cannot use for constants, filters, functions or variables.
#include <string_view>

namespace nvabgpd::policy {

bool is_reserved_word(std::string_view w);

}  // namespace nvabgpd::policy

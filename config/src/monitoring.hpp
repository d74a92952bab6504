#pragma once
// Private: the `bmp` and `mrt` sections (monitoring exports).
#include <filesystem>

#include "nvabgpd/config/model.hpp"
#include "reader.hpp"

namespace nvabgpd::config::detail {

void read_bmp(Reader& r, const Entry& e, Config& cfg);
void read_mrt(Reader& r, const Entry& e, Config& cfg, const std::filesystem::path& base_dir);

}  // namespace nvabgpd::config::detail

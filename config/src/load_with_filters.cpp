#include "nvabgpd/config/load_with_filters.hpp"

#include <fstream>
#include <sstream>

#include "nvabgpd/config/load.hpp"

namespace nvabgpd::config {

LoadedConfig load_with_filters(const std::filesystem::path& path) {
  LoadedConfig out;
  LoadResult lr = load_config(path);
  for (const auto& w : lr.warnings) out.warnings.push_back(w.to_string());
  if (!lr.ok()) {
    for (const auto& e : lr.errors) out.errors.push_back(e.to_string());
    // The last listed entry is the "... and N more" line when some were left out.
    out.error_count =
        lr.errors_omitted ? lr.errors.size() - 1 + lr.errors_omitted : lr.errors.size();
    return out;
  }
  std::vector<policy::SourceFile> files;
  for (const auto& f : lr.config->filters) {
    std::ifstream in(f.path, std::ios::binary);
    if (!in) {
      out.errors.push_back(f.path + ": cannot read filter file");
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out.filter_texts[f.path] = ss.str();
    files.push_back(policy::SourceFile{f.path, ss.str()});
  }
  if (!out.errors.empty()) return out;
  auto prog = policy::load(files);
  if (!prog) {
    for (const auto& d : prog.error()) out.errors.push_back(d.to_string());
    return out;
  }
  auto program = std::make_shared<const policy::Program>(std::move(prog.value()));
  for (const auto& e : check_filter_names(*lr.config, lr.sources, [&](std::string_view n) {
         return program->find_filter(n) != nullptr;
       }))
    out.errors.push_back(e.to_string());
  if (!out.errors.empty()) return out;
  out.program = std::move(program);
  out.config = std::move(lr.config);
  return out;
}

}  // namespace nvabgpd::config

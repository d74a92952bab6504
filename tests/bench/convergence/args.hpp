#pragma once
// `--key value` command-line options for the benchmark tools.
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>

namespace nvabgpd::bench {

class Args {
 public:
  Args(int argc, char** argv) {
    for (int i = 1; i + 1 < argc; i += 2) values_[argv[i]] = argv[i + 1];
  }
  std::string str(const std::string& key, const std::string& def = "") const {
    auto it = values_.find(key);
    return it == values_.end() ? def : it->second;
  }
  std::uint64_t num(const std::string& key, std::uint64_t def) const {
    auto it = values_.find(key);
    return it == values_.end() ? def : std::strtoull(it->second.c_str(), nullptr, 10);
  }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace nvabgpd::bench

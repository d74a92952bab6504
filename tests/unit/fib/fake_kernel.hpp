#pragma once
// An in-memory KernelPort: holds our routes like the kernel would, records every op and can
// refuse ops for chosen prefixes with a chosen errno.
#include <map>
#include <vector>

#include "nvabgpd/fib/kernel_route.hpp"

namespace nvabgpd::fib::test {

class FakeKernel final : public KernelPort {
 public:
  void apply(std::span<const KernelOp> ops, std::vector<int>& errors) override {
    ++calls;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      const auto& op = ops[i];
      log.push_back(op);
      if (auto f = fail.find(op.route.prefix); f != fail.end()) {
        errors[i] = f->second;
        continue;
      }
      const auto key = std::pair{op.route.prefix, op.route.metric};
      if (op.kind == KernelOp::Kind::Replace) {
        routes[key] = op.route;
      } else if (routes.erase(key) == 0) {
        errors[i] = 3;  // ESRCH
      }
    }
  }
  const KernelRoute* find(const base::Prefix& p, std::uint32_t metric = 20) const {
    auto it = routes.find({p, metric});
    return it == routes.end() ? nullptr : &it->second;
  }

  std::map<std::pair<base::Prefix, std::uint32_t>, KernelRoute> routes;
  std::map<base::Prefix, int> fail;
  std::vector<KernelOp> log;
  int calls = 0;
};

}  // namespace nvabgpd::fib::test

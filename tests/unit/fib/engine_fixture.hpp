#pragma once
// The FibEngine test fixture shared by the engine and capture-protection tests.
#include <vector>

#include "fake_kernel.hpp"
#include "helpers.hpp"
#include "nvabgpd/fib/fib_engine.hpp"

namespace nvabgpd::fib::test {

// The seed's NVA1: eth0 (ifindex 2) on 10.1.1.0/24, default route via 10.1.1.1; a second
// link (ifindex 3) on 192.168.0.0/24 (the VXLAN overlay).
struct Fixture {
  IgpTable igp{254};
  FakeKernel kernel;
  FibEngine engine;
  explicit Fixture(unsigned max_paths = 8, std::size_t batch = 4)
      : engine(FibEngineConfig{254, 186, 20, max_paths, batch}, kernel, igp) {
    igp.set_link(2, true);
    igp.set_link(3, true);
    igp.upsert(
        IgpRoute{pfx("10.1.1.0/24"), 254, 2, IgpRouteType::Unicast, 0, {{std::nullopt, 2, false}}});
    igp.upsert(IgpRoute{
        pfx("192.168.0.0/24"), 254, 2, IgpRouteType::Unicast, 0, {{std::nullopt, 3, false}}});
    igp.upsert(IgpRoute{
        pfx("0.0.0.0/0"), 254, 16, IgpRouteType::Unicast, 100, {{ip("10.1.1.1"), 2, false}}});
  }
  void install(const char* p, std::vector<base::IpAddress> nhs) {
    std::vector<FibDelta> d{FibDelta::install(pfx(p), std::move(nhs))};
    engine.apply(d);
  }
  void withdraw(const char* p) {
    std::vector<FibDelta> d{FibDelta::withdraw(pfx(p))};
    engine.apply(d);
  }
};

inline KernelNextHop knh(const char* gw, int ifindex) { return KernelNextHop{ip(gw), ifindex}; }

}  // namespace nvabgpd::fib::test

#pragma once
// A fib::FibSink that writes every delta into the transcript ("fib install P via NH..." /
// "fib withdraw P").
#include <fmt/ranges.h>

#include "nvabgpd/fib/fib.hpp"
#include "transcript.hpp"

namespace nvabgpd::replay {

class MemoryFib final : public fib::FibSink {
 public:
  explicit MemoryFib(Transcript& t) : t_(t) {}
  void submit(fib::FibBatch batch) override {
    for (const auto& d : batch.deltas) {
      const auto* nhs =
          d.next_hops < batch.next_hop_sets.size() ? &batch.next_hop_sets[d.next_hops] : nullptr;
      if (!nhs || nhs->empty()) {
        t_.line("fib withdraw " + d.prefix.to_string());
        continue;
      }
      std::vector<std::string> v;
      for (const auto& a : *nhs) v.push_back(a.to_string());
      t_.line(fmt::format("fib install {} via {}", d.prefix.to_string(), fmt::join(v, " ")));
    }
  }
  void submit(std::vector<fib::FibDelta> batch) override {
    fib::FibBatch b;
    for (auto& d : batch) {
      std::uint32_t set = 0;
      if (d.kind == fib::FibDelta::Kind::Install) {
        b.next_hop_sets.push_back(std::move(d.next_hops));
        set = static_cast<std::uint32_t>(b.next_hop_sets.size() - 1);
      }
      b.deltas.push_back({d.prefix, set});
    }
    submit(std::move(b));
  }
  void initial_convergence_done() override { t_.line("fib initial-convergence-done"); }
  void set_protected_addresses(std::vector<base::IpAddress>) override {}

 private:
  Transcript& t_;
};

// The transport: the script's sessions. Knows which peers are Established and with what
// parameters, to decode what the daemon sends them.

}  // namespace nvabgpd::replay

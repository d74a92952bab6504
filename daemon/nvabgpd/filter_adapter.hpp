#pragma once
// Adapts a compiled BIRD-language filter (policy::Program) to the RIB's filter hook.
// Thread: the BGP io_context thread (the RIB calls it synchronously).
#include <memory>
#include <string>

#include "nvabgpd/policy/filter.hpp"
#include "nvabgpd/rib/filter.hpp"
#include "peer_directory.hpp"

namespace nvabgpd::daemon {

class PolicyFilter final : public rib::RouteFilter {
 public:
  PolicyFilter(std::shared_ptr<const policy::Program> program, const policy::Filter* filter,
               std::string name, const PeerDirectory& peers)
      : program_(std::move(program)), filter_(filter), name_(std::move(name)), peers_(peers) {}

  std::string name() const override { return name_; }
  std::uint64_t fingerprint() const override { return policy::Program::fingerprint(*filter_); }
  std::optional<std::uint64_t> prefix_signature(const base::Prefix& prefix) const override {
    // The runtime-error and fell-off-the-end logs are once per filter anyway.
    return program_->prefix_signature(*filter_, prefix);
  }
  rib::FilterResult run(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                        const rib::FilterContext& ctx) const override;
  // What run() does, with the filter's full outcome and its `print` output given to `sink`
  // (nullptr: logged as usual); `filter test --peer` reports it.
  policy::Outcome evaluate(const base::Prefix& prefix, const wire::PathAttributes& attrs,
                           const rib::FilterContext& ctx, const policy::PrintSink* sink) const;

 private:
  std::shared_ptr<const policy::Program> program_;  // keeps filter_ alive across reloads
  const policy::Filter* filter_;
  std::string name_;
  const PeerDirectory& peers_;
  mutable bool runtime_error_logged_ = false;
  mutable bool fell_off_logged_ = false;
};

// `all`, `none` or a named filter of `program`; nullptr with an error if the name is unknown.
rib::FilterPtr make_filter(const std::string& kind_or_name,
                           const std::shared_ptr<const policy::Program>& program,
                           const PeerDirectory& peers, std::string* error);

}  // namespace nvabgpd::daemon

#pragma once
// nvabgpd::policy — the BIRD 2 compatible filter language.
//
// Pipeline: lexer -> recursive-descent parser that type-checks as it goes and emits a tree of
// typed evaluation nodes ("closures": variables resolved to frame slots, attributes to ids,
// constant sub-expressions folded, set literals built into tries / sorted range vectors) ->
// evaluation over a RouteView. Nothing is re-parsed or compared as text per route.
//
// Usage (RIB / daemon):
//   auto prog = policy::load({policy::SourceFile{"nva1.conf", text}});
//   if (!prog) { for (auto& d : prog.error()) log(d.to_string()); refuse; }
//   const policy::Filter* f = prog->find_filter("TO_RS");
//   policy::Outcome o = prog->run(*f, route_view);
//   if (o.accepted()) use(o.modified ? *o.modified : *route_view.attrs);
//
// Threading: a Program is immutable after load; run() may be called concurrently from several
// threads (each evaluation keeps its scratch state in thread-local storage).
//
// Copy-on-write: run() reads the caller's PathAttributes in place and copies them only when a
// statement changes an attribute's value (assigning the value it has, or deleting an ASN that
// is not in the path, changes nothing). A rejected or untouched route costs no heap allocation.
//
// Errors: load() returns either a whole Program or diagnostics ("file:line:col: error: ...");
// never half a program. A runtime error (division by zero, assigning an unset value, type
// mismatch in untyped code) rejects the route with Outcome::Why::RuntimeError and a message;
// the caller should log it once per filter, not per route.
//
// NOTE for the RIB (export side): BIRD checks well-known communities (NO_ADVERTISE,
// NO_EXPORT) before running the export filter, on the attributes the route arrived with. A
// NO_ADVERTISE added by an export filter therefore does NOT stop the route toward that peer;
// it travels with the route and the receiver honours it (the seed relies on this at the
// Route Server). Community lists in results keep insertion order (duplicates received are
// kept); the wire encoder sorts them on output; an emptied list means "no attribute".
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/base/result.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::policy {

struct Diagnostic {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
  std::string message;            // "expected X, found Y" and similar
  std::string to_string() const;  // "file:line:col: error: message"
};

struct SourceFile {
  std::string name;  // used in diagnostics and reasons
  std::string text;
};

// Where a decision was taken.
struct SourceLoc {
  std::string_view file;
  std::uint32_t line = 0;
  std::uint32_t col = 0;
  std::string to_string() const;
};

// The route source (BIRD's RTS_* values, as `source` shows it).
enum class RouteSource : std::uint8_t { Device = 1, Static = 2, Inherit = 3, Bgp = 12 };

// One route as a filter sees it. attrs must stay valid during run().
struct RouteView {
  base::Prefix net;
  const wire::PathAttributes* attrs = nullptr;
  base::IpAddress from;    // neighbour address the route came from
  base::IpAddress gw;      // gateway (next hop in the table)
  std::string_view proto;  // protocol instance name
  std::string_view ifname;
  RouteSource source = RouteSource::Bgp;
  std::uint32_t preference = 100;
};

struct Outcome {
  enum class Why : std::uint8_t { Accept, Reject, FellOffEnd, RuntimeError };
  Why why = Why::FellOffEnd;
  // Engaged only when the route is accepted and a statement modified its attributes.
  std::optional<wire::PathAttributes> modified;
  std::optional<std::uint32_t> preference;  // set when the filter assigned `preference`
  // The filter assigned bgp_med, to any value (BIRD sends a MED to an eBGP peer only when the
  // export filter set one: assigning the value the route already had counts).
  bool med_assigned = false;
  SourceLoc where;  // the accept/reject statement, the failing one, or the filter's end
  // Why::RuntimeError: the message; Why::FellOffEnd: a fixed text. BIRD logs both, so should
  // the caller (once per filter).
  std::string error;

  bool accepted() const { return why == Why::Accept; }
  std::string reason() const;  // "accepted at f.conf:12:5", "runtime error at ...: ..."
};

class Filter;  // opaque handle, owned by its Program

// Receives `print` output one line per call, as BIRD logs it: `printn` text is kept and
// prefixed to the next `print` or accept/reject message; what is still pending when the
// filter ends is dropped, as bird2 does. newline is always true (kept for callers).
using PrintSink = std::function<void(std::string_view text, bool newline)>;

class Program {
 public:
  Program();
  Program(Program&&) noexcept;
  Program& operator=(Program&&) noexcept;
  ~Program();

  const Filter* find_filter(std::string_view name) const;
  std::vector<std::string> filter_names() const;
  Outcome run(const Filter& f, const RouteView& route, const PrintSink* sink = nullptr) const;
  // Identity of what `f` does (its tokens and those of every definition it uses; not where
  // they stand in the files): equal across programs and runs exactly when the filter text
  // and its definitions are equal. Update groups and reload compare filters by it.
  static std::uint64_t fingerprint(const Filter& f);
  // Filters whose result depends on the prefix only through yes/no tests (`net ~ [ ... ]`,
  // `net = p`, `net.len > 24`, none in a called function, no print or accept/reject message)
  // give two routes with the same attributes, source and answers the same Outcome. This is
  // the answers for `net`, one bit per test; nullopt when the filter may use the prefix in
  // other ways (then every route must be run). The RIB memoises export results by it.
  std::optional<std::uint64_t> prefix_signature(const Filter& f, const base::Prefix& net) const;

  struct Impl;

 private:
  explicit Program(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend base::Result<Program, std::vector<Diagnostic>> load(std::span<const SourceFile>);
};

// Loads files as one namespace (later files see earlier definitions). All or nothing.
base::Result<Program, std::vector<Diagnostic>> load(std::span<const SourceFile> files);
// Reads the files from disk first; unreadable files are diagnostics too.
base::Result<Program, std::vector<Diagnostic>> load_paths(std::span<const std::string> paths);

}  // namespace nvabgpd::policy

// Program: loading (all or nothing) and running a filter over one route.
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "nodes.hpp"
#include "parser.hpp"
#include "prefix_tests.hpp"

namespace nvabgpd::policy {

std::string Diagnostic::to_string() const {
  return fmt::format("{}:{}:{}: error: {}", file, line, col, message);
}

std::string SourceLoc::to_string() const { return fmt::format("{}:{}:{}", file, line, col); }

std::string Outcome::reason() const {
  switch (why) {
    case Why::Accept:
      return fmt::format("accepted at {}", where.to_string());
    case Why::Reject:
      return fmt::format("rejected at {}", where.to_string());
    case Why::FellOffEnd:
      return fmt::format("rejected: filter ended without accept/reject at {}", where.to_string());
    case Why::RuntimeError:
      return fmt::format("rejected: runtime error at {}: {}", where.to_string(), error);
  }
  return "?";
}

Program::Program() : impl_(std::make_unique<Impl>()) {}
Program::Program(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Program::Program(Program&&) noexcept = default;
Program& Program::operator=(Program&&) noexcept = default;
Program::~Program() = default;

const Filter* Program::find_filter(std::string_view name) const {
  for (const auto& f : impl_->filters) {
    if (f->name == name) return f.get();
  }
  return nullptr;
}

std::uint64_t Program::fingerprint(const Filter& f) { return f.fingerprint; }

std::optional<std::uint64_t> Program::prefix_signature(const Filter& f,
                                                       const base::Prefix& net) const {
  if (!f.prefix_only) return std::nullopt;
  static const wire::PathAttributes kNone;
  RouteView v;
  v.net = net;
  v.attrs = &kNone;
  Ctx c;
  c.route = &v;
  c.attrs = &kNone;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < f.prefix_tests.size(); ++i) {
    const Value r = f.prefix_tests[i]->eval(c);
    if (c.halted() || r.type != Type::Bool) return std::nullopt;
    if (r.u != 0) bits |= std::uint64_t{1} << i;
  }
  return bits;
}

std::vector<std::string> Program::filter_names() const {
  std::vector<std::string> out;
  for (const auto& f : impl_->filters) out.push_back(f->name);
  return out;
}

Outcome Program::run(const Filter& f, const RouteView& route, const PrintSink* sink) const {
  thread_local std::vector<Value> stack;
  Ctx c;
  c.route = &route;
  c.attrs = route.attrs;
  c.stack = &stack;
  c.base = stack.size();
  c.sink = sink;
  stack.resize(c.base + f.frame);
  Flow fl = f.body->exec(c);
  stack.resize(c.base);
  // printn text still pending here is dropped: bird2 logs it only with a later print or an
  // accept/reject message.
  Outcome o;
  switch (fl) {
    case Flow::Accept:
      o.why = Outcome::Why::Accept;
      o.where = impl_->loc(c.where);
      o.modified = std::move(c.copy);
      o.preference = c.preference;
      o.med_assigned = c.med_assigned;
      break;
    case Flow::Reject:
      o.why = Outcome::Why::Reject;
      o.where = impl_->loc(c.where);
      break;
    case Flow::Error:
      o.why = Outcome::Why::RuntimeError;
      o.where = impl_->loc(c.where);
      o.error = std::move(c.error);
      break;
    default:
      o.why = Outcome::Why::FellOffEnd;
      o.where = impl_->loc(f.end);
      o.error = "filter ended without accept or reject";  // BIRD logs this too
      break;
  }
  return o;
}

base::Result<Program, std::vector<Diagnostic>> load(std::span<const SourceFile> files) {
  auto impl = std::make_unique<Program::Impl>();
  GlobalScope globals;
  std::vector<Diagnostic> diags;
  for (const auto& f : files) {
    impl->files.push_back(f.name);
    auto idx = static_cast<std::uint32_t>(impl->files.size() - 1);
    if (auto d = parse_file(*impl, globals, idx, f.text)) {
      diags.push_back(std::move(*d));
      // Later files may depend on this one; one error per file is enough.
    }
  }
  if (!diags.empty()) return base::Err{std::move(diags)};
  for (auto& f : impl->filters) {
    PrefixTests t = find_prefix_tests(*f);
    f->prefix_only = t.usable;
    f->prefix_tests = std::move(t.tests);
  }
  return Program(std::move(impl));
}

base::Result<Program, std::vector<Diagnostic>> load_paths(std::span<const std::string> paths) {
  std::vector<SourceFile> files;
  std::vector<Diagnostic> diags;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      diags.push_back(Diagnostic{p, 0, 0, "cannot read file"});
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    files.push_back(SourceFile{p, ss.str()});
  }
  if (!diags.empty()) return base::Err{std::move(diags)};
  return load(files);
}

}  // namespace nvabgpd::policy

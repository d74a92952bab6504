#pragma once
// Parser + type checker + compiler: reads one file's tokens into the program (functions,
// filters, constants). Definitions from earlier files stay visible to later ones.
#include <map>
#include <string>

#include "nodes.hpp"

namespace nvabgpd::policy {

struct Symbol {
  enum class Kind : std::uint8_t { Const, Function, Filter };
  Kind kind = Kind::Const;
  Value value;  // Const
  Type type = Type::Void;
  const Function* fn = nullptr;
  std::uint64_t fingerprint = 0;  // of the definition (see Parser::fingerprint_since)
};

struct GlobalScope {
  std::map<std::string, Symbol, std::less<>> symbols;
};

// Parses file `file_index` of prog. On failure returns a diagnostic; prog may then hold
// partial definitions and must be discarded by the caller.
std::optional<Diagnostic> parse_file(Program::Impl& prog, GlobalScope& globals,
                                     std::uint32_t file_index, std::string_view text);

}  // namespace nvabgpd::policy

#pragma once
// Tokens of the filter language. The lexer never throws: malformed input yields an Error token
// carrying the message, at its position.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nvabgpd/base/ip.hpp"

namespace nvabgpd::policy {

enum class Tok : std::uint8_t {
  End,
  Error,
  Ident,
  Number,
  String,
  Ip,     // IPv4 or IPv6 literal
  Punct,  // text holds the punctuation: { } ( ) [ ] ; , . = != < > <= >= ~ !~ && || ! + -
          // * / % : .. [= =] ? -> +empty+ -empty- --empty-- ---empty---
};

struct Token {
  Tok kind = Tok::End;
  std::string text;       // identifier, punctuation, string contents or error message
  std::uint64_t num = 0;  // Number
  base::IpAddress ip;     // Ip
  std::uint32_t line = 1;
  std::uint32_t col = 1;
  bool is(std::string_view p) const { return kind == Tok::Punct && text == p; }
  bool is_word(std::string_view w) const { return kind == Tok::Ident && text == w; }
};

// Splits a whole file into tokens; the last token is End (or Error, which stops lexing).
std::vector<Token> lex(std::string_view src);

// A readable name of a token for "expected X, found Y".
std::string describe(const Token& t);

}  // namespace nvabgpd::policy

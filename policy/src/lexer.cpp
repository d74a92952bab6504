#include "lexer.hpp"

#include <cctype>

#include <fmt/format.h>

namespace nvabgpd::policy {

namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    for (;;) {
      Token t = next();
      bool stop = t.kind == Tok::End || t.kind == Tok::Error;
      out.push_back(std::move(t));
      if (stop) break;
    }
    return out;
  }

 private:
  char peek(std::size_t k = 0) const { return pos_ + k < s_.size() ? s_[pos_ + k] : '\0'; }
  bool starts(std::string_view w) const { return s_.substr(pos_, w.size()) == w; }
  void bump(std::size_t n = 1) {
    for (std::size_t i = 0; i < n && pos_ < s_.size(); ++i) {
      if (s_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
      ++pos_;
    }
  }

  Token make(Tok k, std::string text = {}) {
    Token t;
    t.kind = k;
    t.text = std::move(text);
    t.line = tline_;
    t.col = tcol_;
    return t;
  }

  bool skip_space(Token& err) {
    for (;;) {
      char c = peek();
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
        bump();
      } else if (c == '#') {
        while (pos_ < s_.size() && peek() != '\n') bump();
      } else if (c == '/' && peek(1) == '*') {
        tline_ = line_;
        tcol_ = col_;
        bump(2);
        while (pos_ < s_.size() && !starts("*/")) bump();
        if (pos_ >= s_.size()) {
          err = make(Tok::Error, "unterminated comment");
          return false;
        }
        bump(2);
      } else {
        return true;
      }
    }
  }

  // An IPv6 literal needs "::" or at least three colons in its run of [0-9a-fA-F:.].
  // The look-ahead stops past the longest IPv6 text (45 characters): a longer run is no
  // address, and scanning all of it from every token made "ab:ab:ab:..." quadratic.
  bool try_ipv6(Token& out) {
    constexpr std::size_t kMaxText = 45;
    std::size_t end = pos_;
    int colons = 0;
    bool dcolon = false;
    while (end < s_.size() && (is_hex(s_[end]) || s_[end] == ':' || s_[end] == '.')) {
      if (end - pos_ == kMaxText) return false;
      if (s_[end] == ':') {
        ++colons;
        if (end + 1 < s_.size() && s_[end + 1] == ':') dcolon = true;
      }
      ++end;
    }
    if (!dcolon && colons < 3) return false;
    // A trailing ':' that is not part of "::" belongs to the grammar (case labels).
    std::string_view text = s_.substr(pos_, end - pos_);
    auto ip = base::IpAddress::parse(text);
    if (!ip || !ip->is_v6()) return false;
    out = make(Tok::Ip, std::string(text));
    out.ip = *ip;
    bump(end - pos_);
    return true;
  }

  Token number() {
    std::uint64_t v = 0;
    if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') && is_hex(peek(2))) {
      bump(2);
      while (is_hex(peek())) {
        char c = peek();
        unsigned d = is_digit(c) ? static_cast<unsigned>(c - '0')
                                 : static_cast<unsigned>(std::tolower(c) - 'a' + 10);
        v = v * 16 + d;
        if (v > 0xFFFFFFFFULL) return make(Tok::Error, "number out of range");
        bump();
      }
    } else {
      // Dotted quad? (The scan stops at a fourth dot: that is no quad either, and scanning
      // all of "1.1.1.1.1..." from every number made the lexer quadratic.)
      std::size_t end = pos_;
      int dots = 0;
      while (end < s_.size() && (is_digit(s_[end]) || (s_[end] == '.' && end + 1 < s_.size() &&
                                                       is_digit(s_[end + 1])))) {
        if (s_[end] == '.' && ++dots > 3) break;
        ++end;
      }
      if (dots == 3) {
        auto text = s_.substr(pos_, end - pos_);
        auto ip = base::IpAddress::parse(text);
        if (!ip) return make(Tok::Error, fmt::format("invalid IPv4 address '{}'", text));
        Token t = make(Tok::Ip, std::string(text));
        t.ip = *ip;
        bump(end - pos_);
        return t;
      }
      while (is_digit(peek())) {
        v = v * 10 + static_cast<unsigned>(peek() - '0');
        if (v > 0xFFFFFFFFULL) return make(Tok::Error, "number out of range");
        bump();
      }
    }
    if (is_ident_char(peek())) return make(Tok::Error, "malformed number");
    Token t = make(Tok::Number);
    t.num = v;
    return t;
  }

  Token next() {
    Token err;
    if (!skip_space(err)) return err;
    tline_ = line_;
    tcol_ = col_;
    if (pos_ >= s_.size()) return make(Tok::End);
    char c = peek();
    Token t;
    if ((is_hex(c) || c == ':') && try_ipv6(t)) return t;
    if (is_digit(c)) return number();
    if (is_ident_start(c)) {
      std::size_t b = pos_;
      while (is_ident_char(peek())) bump();
      return make(Tok::Ident, std::string(s_.substr(b, pos_ - b)));
    }
    if (c == '"') {
      bump();
      std::string str;
      // bird2 has no escapes: a string is every character up to the next '"' on the line.
      while (pos_ < s_.size() && peek() != '"' && peek() != '\n') {
        str += peek();  // no escapes: a backslash is itself, as in BIRD 2.0
        bump();
      }
      if (peek() != '"') return make(Tok::Error, "unterminated string");
      bump();
      return make(Tok::String, std::move(str));
    }
    static const char* const kLong[] = {"---empty---", "--empty--", "+empty+", "-empty-", "!=",
                                        "<=",          ">=",        "!~",      "&&",      "||",
                                        "..",          "[=",        "=]",      "->"};
    for (const char* p : kLong) {
      if (starts(p)) {
        std::string_view w(p);
        bump(w.size());
        return make(Tok::Punct, std::string(w));
      }
    }
    static constexpr std::string_view kSingle = "{}()[];,.=<>~!+-*/%:?";
    if (kSingle.find(c) != std::string_view::npos) {
      bump();
      return make(Tok::Punct, std::string(1, c));
    }
    return make(Tok::Error,
                fmt::format("unexpected character '{}'",
                            std::isprint(static_cast<unsigned char>(c))
                                ? std::string(1, c)
                                : fmt::format("\\x{:02x}", static_cast<unsigned char>(c))));
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  std::uint32_t line_ = 1, col_ = 1, tline_ = 1, tcol_ = 1;
};

}  // namespace

std::vector<Token> lex(std::string_view src) { return Lexer(src).run(); }

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::End:
      return "end of file";
    case Tok::Error:
      return t.text;
    case Tok::Ident:
      return fmt::format("'{}'", t.text);
    case Tok::Number:
      return fmt::format("number {}", t.num);
    case Tok::String:
      return "string";
    case Tok::Ip:
      return fmt::format("address {}", t.text);
    case Tok::Punct:
      return fmt::format("'{}'", t.text);
  }
  return "?";
}

}  // namespace nvabgpd::policy

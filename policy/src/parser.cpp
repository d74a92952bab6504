// Recursive-descent parser for the BIRD 2 filter language (2.0 and 2.14+ forms). It checks
// types while it parses, resolves names to frame slots / attribute ids, folds constant
// sub-expressions and builds sets, so the result is directly executable.
//
// Operator precedence (as BIRD's grammar): && and || lowest, equal, left to right;
// comparisons and ~ non-associative; + -; * / (BIRD 2.0 has no %); unary !; method calls (.)
// highest.
#include "parser.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "lexer.hpp"
#include "nvabgpd/base/fingerprint.hpp"
#include "reserved_words.hpp"

namespace nvabgpd::policy {

namespace {

struct ParseError {
  Loc loc;
  std::string message;
};

// The deepest nesting a filter may have (see "Limits" in policy/README.md). One level is a
// parenthesis, a '!', a method call in a chain, a call argument or defined(), a block or a
// statement inside another; a function call adds the callee's own depth. Chains of one
// precedence level (a && b && c ..., a + b + c ...) do not nest: they are loops. Parsing and
// evaluation recurse at most a few frames per level, so this bounds the stack both need.
constexpr int kMaxDepth = 1000;
// A second guard on the stack the parser really uses: a release build needs about 1.5 KiB per
// level, but sanitizer builds take several times that (an ASan build overflowed the 8 MiB main
// stack at 1,170 nested '['). Past this much stack the filter is refused like too deep nesting.
constexpr std::uintptr_t kMaxStackBytes = 4u << 20;

struct EnumConst {
  const char* name;
  Type type;
  std::uint32_t value;
};
constexpr EnumConst kEnums[] = {
    {"ORIGIN_IGP", Type::Origin, 0},        {"ORIGIN_EGP", Type::Origin, 1},
    {"ORIGIN_INCOMPLETE", Type::Origin, 2}, {"RTS_DEVICE", Type::Source, 1},
    {"RTS_STATIC", Type::Source, 2},        {"RTS_INHERIT", Type::Source, 3},
    {"RTS_BGP", Type::Source, 12},          {"RTD_UNICAST", Type::Dest, 1},
    {"RTD_BLACKHOLE", Type::Dest, 2},       {"RTD_UNREACHABLE", Type::Dest, 3},
    {"RTD_PROHIBIT", Type::Dest, 4},        {"NET_IP4", Type::NetType, 1},
    {"NET_IP6", Type::NetType, 2},
};

struct MethodName {
  const char* name;
  Method m;
  bool takes_arg;
};
constexpr MethodName kMethods[] = {
    {"len", Method::Len, false},
    {"ip", Method::Ip, false},
    {"first", Method::First, false},
    {"last", Method::Last, false},
    {"last_nonaggregated", Method::LastNonAggregated, false},
    {"min", Method::Min, false},
    {"max", Method::Max, false},
    {"mask", Method::Mask, true},
    {"type", Method::Type, false},
    {"asn", Method::Asn, false},
    {"data", Method::Data, false},
    {"data1", Method::Data1, false},
    {"data2", Method::Data2, false},
    {"prepend", Method::Prepend, true},
    {"add", Method::Add, true},
    {"delete", Method::Delete, true},
    {"filter", Method::Filter, true},
    {"empty", Method::Empty, false},
    {"is_v4", Method::IsV4, false},
};

std::optional<Type> type_keyword(std::string_view w) {
  static const std::pair<const char*, Type> kTypes[] = {
      {"int", Type::Int},       {"bool", Type::Bool},     {"ip", Type::Ip},
      {"prefix", Type::Net},    {"pair", Type::Pair},     {"quad", Type::Quad},
      {"ec", Type::Ec},         {"lc", Type::Lc},         {"string", Type::String},
      {"bgppath", Type::Path},  {"bgpmask", Type::Mask},  {"clist", Type::Clist},
      {"eclist", Type::Eclist}, {"lclist", Type::Lclist},
  };
  for (const auto& [n, t] : kTypes) {
    if (w == n) return t;
  }
  return std::nullopt;
}

struct Local {
  std::size_t slot;
  Type type;
};

class Parser {
 public:
  Parser(Program::Impl& prog, GlobalScope& g, std::uint32_t file, std::string_view text)
      : prog_(prog), g_(g), file_(file), toks_(lex(text)) {}

  void run() {
    stack_top_ = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    while (!at_end()) {
      const Token& t = cur();
      if (t.is(";")) {  // bird2 allows empty statements between definitions
        advance();
      } else if (t.is_word("filter")) {
        parse_filter();
      } else if (t.is_word("function")) {
        parse_function();
      } else if (t.is_word("define")) {
        parse_define();
      } else {
        fail_expected("'filter', 'function' or 'define'");
      }
    }
  }

 private:
  // ------------------------------------------------------------ token helpers
  const Token& cur() const { return toks_[pos_]; }
  const Token& peek(std::size_t k = 1) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  bool at_end() const {
    if (cur().kind == Tok::Error) throw ParseError{loc_of(cur()), cur().text};
    return cur().kind == Tok::End;
  }
  Loc loc_of(const Token& t) const { return Loc{file_, t.line, t.col}; }
  Loc here() const { return loc_of(cur()); }
  void advance() {
    if (cur().kind == Tok::Error) throw ParseError{here(), cur().text};
    if (cur().kind != Tok::End) ++pos_;
  }
  [[noreturn]] void fail(const Loc& l, std::string msg) const {
    throw ParseError{l, std::move(msg)};
  }
  [[noreturn]] void fail_expected(std::string_view what) const {
    if (cur().kind == Tok::Error) fail(here(), cur().text);
    fail(here(), fmt::format("expected {}, found {}", what, describe(cur())));
  }
  bool accept_p(std::string_view p) {
    if (cur().is(p)) {
      advance();
      return true;
    }
    return false;
  }
  bool accept_w(std::string_view w) {
    if (cur().is_word(w)) {
      advance();
      return true;
    }
    return false;
  }
  void expect_p(std::string_view p) {
    if (!accept_p(p)) fail_expected(fmt::format("'{}'", p));
  }
  std::string expect_ident(std::string_view what) {
    if (cur().kind != Tok::Ident) fail_expected(what);
    std::string s = cur().text;
    advance();
    return s;
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : p_(p) { p_.enter_level(); }
    ~DepthGuard() { --p_.depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;
    Parser& p_;
  };

  void enter_level() {
    if (++depth_ > kMaxDepth) {
      fail(here(),
           fmt::format("nesting too deep: more than {} levels of parentheses, '!', method calls, "
                       "blocks or statements",
                       kMaxDepth));
    }
    const auto sp = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    if (stack_top_ - sp > kMaxStackBytes) {
      fail(here(), fmt::format("nesting too deep: {} levels use more than {} MiB of parser stack",
                               depth_, kMaxStackBytes >> 20));
    }
    max_depth_ = std::max(max_depth_, depth_);
  }

  // ------------------------------------------------------------ scopes
  void begin_body() {
    scopes_.clear();
    scopes_.emplace_back();
    next_slot_ = 0;
  }
  std::size_t declare(const Token& at, const std::string& name, Type t) {
    auto& s = scopes_.back();
    if (s.count(name) != 0)
      fail(loc_of(at), fmt::format("variable '{}' already declared in this block", name));
    if (find_attr(name) != nullptr)
      fail(loc_of(at), fmt::format("'{}' is a route attribute, not a variable name", name));
    check_not_reserved(at, name, "variable");
    s[name] = Local{next_slot_, t};
    return next_slot_++;
  }
  const Local* lookup_local(std::string_view name) const {
    for (auto it = scopes_.rbegin(); it != scopes_.rend(); ++it) {
      auto f = it->find(std::string(name));
      if (f != it->end()) return &f->second;
    }
    return nullptr;
  }
  void check_global_free(const Token& at, const std::string& name, std::string_view what) {
    check_not_reserved(at, name, what);
    if (g_.symbols.count(name) != 0)
      fail(loc_of(at), fmt::format("symbol '{}' already defined", name));
  }
  // bird2 refuses its keywords as names ("syntax error, unexpected TABLE").
  void check_not_reserved(const Token& at, const std::string& name, std::string_view what) {
    if (is_reserved_word(name)) {
      fail(loc_of(at), fmt::format("'{}' is a bird2 keyword, it cannot name a {}", name, what));
    }
  }

  std::optional<Type> try_type() {
    if (cur().kind != Tok::Ident) return std::nullopt;
    auto t = type_keyword(cur().text);
    if (!t) return std::nullopt;
    advance();
    if (accept_w("set")) {
      Type s = set_of(*t);
      if (s == Type::Void) fail(here(), fmt::format("sets of {} are not supported", type_name(*t)));
      return s;
    }
    return t;
  }
  bool at_type_decl() const {
    return cur().kind == Tok::Ident && type_keyword(cur().text) && (peek().kind == Tok::Ident);
  }

  // ------------------------------------------------------------ top level
  void parse_define() {
    const std::size_t start = pos_;
    advance();
    const Token name_tok = cur();
    std::string name = expect_ident("constant name");
    check_global_free(name_tok, name, "constant");
    expect_p("=");
    begin_body();
    ExprP e = parse_expr();
    if (!e->is_const())
      fail(e->loc, fmt::format("constant expression expected in define {}", name));
    expect_p(";");
    Symbol s;
    s.kind = Symbol::Kind::Const;
    s.value = static_cast<ConstExpr&>(*e).v;
    s.type = s.value.type;
    s.fingerprint = fingerprint_since(start, name);
    g_.symbols[name] = std::move(s);
  }

  // The identity of the definition that starts at token `start` and ends here: its tokens
  // without their positions (moving it or editing comments around it keeps it), and the
  // identity of every global definition it names (a changed constant or function changes the
  // filters that use it). A local that shadows a global name adds the global's identity too,
  // which can only make two definitions differ, never wrongly match.
  std::uint64_t fingerprint_since(std::size_t start, std::string_view self) const {
    base::Fingerprint fp;
    for (std::size_t i = start; i < pos_; ++i) {
      const Token& t = toks_[i];
      fp.add(static_cast<std::uint64_t>(t.kind)).add(t.text).add(t.num);
      if (t.kind != Tok::Ident || t.text == self) continue;
      if (auto g = g_.symbols.find(t.text); g != g_.symbols.end()) fp.add(g->second.fingerprint);
    }
    return fp.value();
  }

  // Old (2.0) style declarations between the header and the body: "int x; pair p;".
  void parse_old_decls() {
    while (at_type_decl()) {
      Type t = *try_type();
      const Token at = cur();
      std::string n = expect_ident("variable name");
      declare(at, n, t);
      expect_p(";");
    }
  }

  void parse_filter() {
    const std::size_t start = pos_;
    advance();
    const Token name_tok = cur();
    std::string name = expect_ident("filter name");
    check_global_free(name_tok, name, "filter");
    begin_body();
    fn_ = nullptr;
    parse_old_decls();
    auto f = std::make_unique<Filter>();
    f->name = name;
    f->loc = loc_of(name_tok);
    f->body = parse_block(&f->end);
    f->frame = max_slot();
    f->fingerprint = fingerprint_since(start, name);
    Symbol s;
    s.kind = Symbol::Kind::Filter;
    s.fingerprint = f->fingerprint;
    g_.symbols[name] = s;
    prog_.filters.push_back(std::move(f));
  }

  void parse_function() {
    const std::size_t start = pos_;
    advance();
    const Token name_tok = cur();
    std::string name = expect_ident("function name");
    check_global_free(name_tok, name, "function");
    auto fn = std::make_unique<Function>();
    fn->name = name;
    fn->loc = loc_of(name_tok);
    begin_body();
    expect_p("(");
    if (!cur().is(")")) {
      for (;;) {
        auto t = try_type();
        if (!t) fail_expected("parameter type");
        const Token at = cur();
        std::string pn = expect_ident("parameter name");
        declare(at, pn, *t);
        fn->params.push_back(*t);
        if (accept_p(";")) continue;
        if (cur().is(","))
          fail(here(), "function parameters are separated by ';' in bird2, not ','");
        break;
      }
    }
    expect_p(")");
    if (accept_p("->")) {
      auto t = try_type();
      if (!t) fail_expected("return type");
      fn->ret = *t;
    }
    parse_old_decls();
    fn_ = fn.get();
    Loc end;
    max_depth_ = 0;
    fn->body = parse_block(&end);
    fn->frame = max_slot();
    fn->depth = max_depth_;
    fn_ = nullptr;
    Symbol s;
    s.kind = Symbol::Kind::Function;
    s.fn = fn.get();
    s.fingerprint = fingerprint_since(start, name);
    g_.symbols[name] = s;
    prog_.functions.push_back(std::move(fn));
  }
  std::size_t max_slot() const { return next_slot_; }

  // ------------------------------------------------------------ statements
  std::unique_ptr<BlockStmt> parse_block(Loc* end = nullptr) {
    auto b = std::make_unique<BlockStmt>();
    b->loc = here();
    expect_p("{");
    scopes_.emplace_back();
    while (!cur().is("}")) {
      if (at_end()) fail_expected("'}'");
      b->body.push_back(parse_stmt());
    }
    if (end != nullptr) *end = here();
    advance();
    scopes_.pop_back();
    return b;
  }

  StmtP parse_stmt() {
    DepthGuard g(*this);
    const Token t = cur();
    Loc at = here();
    if (t.is("{")) return parse_block();
    if (t.is(";")) fail(at, "empty statement: bird2 refuses a ';' that ends no statement");
    if (at_type_decl()) return parse_decl();
    if (t.kind != Tok::Ident) fail_expected("statement");
    if (t.text == "if") {
      advance();
      auto s = std::make_unique<IfStmt>();
      s->loc = at;
      s->cond = parse_expr();
      need_bool(*s->cond, "if condition");
      if (!accept_w("then")) fail_expected("'then'");
      s->then_s = parse_stmt();
      if (accept_w("else")) s->else_s = parse_stmt();
      return s;
    }
    if (t.text == "accept" || t.text == "reject") {
      // accept/reject [message, ...]: the message goes out as one line, after any printn.
      advance();
      auto s = std::make_unique<TerminalStmt>();
      s->loc = at;
      s->what = t.text == "accept" ? Flow::Accept : Flow::Reject;
      if (!cur().is(";") && !cur().is("}")) {
        do {
          s->msg.push_back(parse_expr());
        } while (accept_p(","));
      }
      expect_p(";");
      return s;
    }
    if (t.text == "return") {
      // bird2 needs a value; in a filter body (no function) true accepts, false rejects and
      // anything else is a runtime error.
      advance();
      auto s = std::make_unique<TerminalStmt>();
      s->loc = at;
      s->what = Flow::Return;
      s->in_filter = fn_ == nullptr;
      s->e = parse_expr();
      if (fn_ != nullptr && fn_->ret != Type::Any && s->e->type != Type::Any &&
          !static_coercible(s->e->type, fn_->ret)) {
        fail(s->e->loc, fmt::format("function {} returns {}, not {}", fn_->name,
                                    type_name(fn_->ret), type_name(s->e->type)));
      }
      expect_p(";");
      return s;
    }
    if (t.text == "print" || t.text == "printn") {
      advance();
      auto s = std::make_unique<PrintStmt>();
      s->loc = at;
      s->newline = t.text == "print";
      if (!cur().is(";")) {  // bird2 accepts a bare `print;` (an empty line)
        do {
          s->args.push_back(parse_expr());
        } while (accept_p(","));
      }
      expect_p(";");
      return s;
    }
    if (t.text == "case") return parse_case();
    if (t.text == "for") return parse_for();
    if (t.text == "unset") {
      advance();
      expect_p("(");
      const Token a = cur();
      std::string n = expect_ident("attribute name");
      const AttrInfo* info = find_attr(n);
      if (info == nullptr || !info->writable || info->id == Attr::BgpOrigin) {
        fail(loc_of(a), fmt::format("cannot unset '{}'", n));
      }
      expect_p(")");
      expect_p(";");
      auto s = std::make_unique<AssignAttrStmt>();
      s->loc = at;
      s->attr = info->id;
      return s;
    }
    // name = expr; name.method(...); f(...);
    if (peek().is("=")) {
      advance();
      advance();
      ExprP e = parse_expr();
      expect_p(";");
      return make_assign(t, std::move(e));
    }
    if (peek().is(".")) return parse_method_stmt();
    if (peek().is("(")) {
      auto s = std::make_unique<ExprStmt>();
      s->loc = at;
      s->e = parse_expr();
      expect_p(";");
      return s;
    }
    fail_expected("statement");
  }

  StmtP parse_for() {
    Loc at = here();
    advance();
    auto s = std::make_unique<ForStmt>();
    s->loc = at;
    scopes_.emplace_back();
    const Token var_tok = cur();
    std::optional<Type> declared;
    if (at_type_decl()) declared = try_type();
    const Token name_tok = cur();
    std::string n = expect_ident("loop variable");
    if (!accept_w("in")) fail_expected("'in'");
    s->e = parse_expr();
    Type t = s->e->type;
    Type elem = t == Type::Path     ? Type::Int
                : t == Type::Clist  ? Type::Pair
                : t == Type::Eclist ? Type::Ec
                : t == Type::Lclist ? Type::Lc
                                    : Type::Any;
    if (t != Type::Any && elem == Type::Any)
      fail(s->e->loc, fmt::format("cannot iterate over {}", type_name(t)));
    if (declared) {
      if (elem != Type::Any && *declared != elem) {
        fail(loc_of(var_tok), fmt::format("loop variable must be {}, not {}", type_name(elem),
                                          type_name(*declared)));
      }
      s->slot = declare(name_tok, n, *declared);
    } else {
      const Local* l = lookup_local(n);
      if (l == nullptr) fail(loc_of(name_tok), fmt::format("unknown variable '{}'", n));
      s->slot = l->slot;
    }
    if (!accept_w("do")) fail_expected("'do'");
    s->body = parse_stmt();
    scopes_.pop_back();
    return s;
  }

  StmtP parse_decl() {
    const Token at = cur();
    Type ty = *try_type();
    const Token name_tok = cur();
    std::string n = expect_ident("variable name");
    ExprP init;
    if (accept_p("=")) init = parse_expr();
    expect_p(";");
    std::size_t slot = declare(name_tok, n, ty);
    if (!init) return std::make_unique<BlockStmt>();
    check_assignable(*init, ty, n);
    auto s = std::make_unique<AssignVarStmt>();
    s->loc = loc_of(at);
    s->slot = slot;
    s->type = ty;
    s->e = std::move(init);
    return s;
  }

  static bool static_coercible(Type from, Type to) {
    return from == to || from == Type::Any || to == Type::Any || from == Type::Void ||
           (to == Type::Quad && from == Type::Ip) || (to == Type::EnumSet && is_set(from));
  }
  void check_assignable(const Expr& e, Type to, std::string_view name) {
    if (!static_coercible(e.type, to)) {
      fail(e.loc, fmt::format("cannot assign {} to '{}' of type {}", type_name(e.type), name,
                              type_name(to)));
    }
  }

  StmtP make_assign(const Token& target, ExprP e) {
    Loc at = loc_of(target);
    if (const Local* l = lookup_local(target.text)) {
      check_assignable(*e, l->type, target.text);
      auto s = std::make_unique<AssignVarStmt>();
      s->loc = at;
      s->slot = l->slot;
      s->type = l->type;
      s->e = std::move(e);
      return s;
    }
    const AttrInfo* info = find_attr(target.text);
    if (info == nullptr) fail(at, fmt::format("unknown variable or attribute '{}'", target.text));
    if (!info->writable) fail(at, fmt::format("attribute '{}' is read-only", target.text));
    check_assignable(*e, info->type, target.text);
    auto s = std::make_unique<AssignAttrStmt>();
    s->loc = at;
    s->attr = info->id;
    s->e = std::move(e);
    return s;
  }

  // x.add(e); x.delete(e); x.filter(e); x.prepend(e); x.empty;  (the result is stored back)
  StmtP parse_method_stmt() {
    const Token target = cur();
    ExprP obj = parse_name(target);
    advance();  // name
    expect_p(".");
    const Token mt = cur();
    std::string mname = expect_ident("method name");
    const MethodName* mn = nullptr;
    for (const auto& m : kMethods) {
      if (mname == m.name) mn = &m;
    }
    if (mn == nullptr ||
        !(mn->m == Method::Add || mn->m == Method::Delete || mn->m == Method::Filter ||
          mn->m == Method::Prepend || mn->m == Method::Empty)) {
      fail(loc_of(mt),
           fmt::format("expected 'add', 'delete', 'filter', 'prepend' or 'empty', found '{}'",
                       mname));
    }
    ExprP arg;
    if (mn->takes_arg) {
      expect_p("(");
      arg = parse_expr();
      expect_p(")");
    }
    expect_p(";");
    const AttrInfo* info = lookup_local(target.text) ? nullptr : find_attr(target.text);
    // Fast path: adding one community to a route attribute appends in place.
    if (info != nullptr && mn->m == Method::Add && info->writable &&
        ((info->id == Attr::BgpCommunity && (arg->type == Type::Pair || arg->type == Type::Quad)) ||
         (info->id == Attr::BgpExtCommunity && arg->type == Type::Ec) ||
         (info->id == Attr::BgpLargeCommunity && arg->type == Type::Lc))) {
      auto s = std::make_unique<ClistAddStmt>();
      s->loc = loc_of(target);
      s->attr = info->id;
      s->e = std::move(arg);
      return s;
    }
    ExprP call = make_method(loc_of(mt), mn->m, std::move(obj), std::move(arg));
    return make_assign(target, std::move(call));
  }

  StmtP parse_case() {
    Loc at = here();
    advance();
    auto s = std::make_unique<CaseStmt>();
    s->loc = at;
    s->e = parse_expr();
    expect_p("{");
    for (;;) {
      if (accept_p("}")) break;
      if (at_end()) fail_expected("'}'");
      if (cur().is_word("else") && peek().is(":")) {
        // bird2 keeps else as a void label (and takes a second else too: the tree decides)
        advance();
        advance();
        s->labels.push_back(CaseStmt::Label{Value{}, Value{}, static_cast<int>(s->arms.size())});
        s->arms.push_back(parse_arm_body());
        s->has_else = true;
        continue;
      }
      const int arm = static_cast<int>(s->arms.size());
      do {
        ExprP lo = parse_case_label();
        Value lv = const_value(*lo, "case label");
        Value hv = lv;
        if (accept_p("..")) {
          ExprP hi = parse_case_label();
          hv = const_value(*hi, "case label");
        }
        s->labels.push_back(CaseStmt::Label{lv, hv, arm});
      } while (accept_p(","));
      expect_p(":");
      s->arms.push_back(parse_arm_body());
    }
    s->finish();
    return s;
  }
  // bird2's case labels are literals: numbers, addresses, enum names, tuples or (expr); no
  // operators, constant names, strings or booleans.
  ExprP parse_case_label() {
    const Token& t = cur();
    if (t.kind == Tok::String || t.is_word("true") || t.is_word("false")) {
      fail(here(), fmt::format("bird2 does not accept {} as a case label", describe(t)));
    }
    if (t.kind == Tok::Ip && peek().is("/"))
      fail(here(), "bird2 does not accept a prefix as a case label");
    if (t.kind == Tok::Ident) {
      auto g = g_.symbols.find(t.text);
      if (g != g_.symbols.end() && g->second.kind == Symbol::Kind::Const) {
        fail(here(),
             fmt::format("bird2 does not accept the constant '{}' as a case label; write ({})",
                         t.text, t.text));
      }
    }
    return parse_unary();
  }

  bool at_label_start() const {
    const Token& t = cur();
    if (t.kind == Tok::Number || t.kind == Tok::Ip || t.is("(") || t.is("}")) return true;
    if (t.is_word("else") && peek().is(":")) return true;
    if (t.kind == Tok::Ident) return peek().is(":") || peek().is(",") || peek().is("..");
    return false;
  }
  std::unique_ptr<BlockStmt> parse_arm_body() {
    auto b = std::make_unique<BlockStmt>();
    b->loc = here();
    scopes_.emplace_back();
    while (!at_label_start()) {
      if (at_end()) fail_expected("'}'");
      b->body.push_back(parse_stmt());
    }
    scopes_.pop_back();
    return b;
  }

  // ------------------------------------------------------------ expressions
  void need_bool(const Expr& e, std::string_view what) {
    if (e.type != Type::Bool && e.type != Type::Any) {
      fail(e.loc, fmt::format("{} must be bool, not {}", what, type_name(e.type)));
    }
    const auto* a = dynamic_cast<const AttrExpr*>(&e);
    if (a != nullptr && a->attr == Attr::BgpAtomicAggr) {  // BIRD: a flag, not a bool
      fail(e.loc,
           fmt::format("{} must be bool, not bgp_atomic_aggr (test it with defined())", what));
    }
  }
  Value const_value(const Expr& e, std::string_view what) {
    if (!e.is_const()) fail(e.loc, fmt::format("{} must be a constant", what));
    return static_cast<const ConstExpr&>(e).v;
  }

  ExprP make_const(const Loc& at, Value v) {
    auto c = std::make_unique<ConstExpr>();
    c->loc = at;
    c->type = v.type;
    if (v.own) prog_.pool.push_back(v.own);
    c->v = std::move(v);
    return c;
  }
  template <typename T>
  ExprP make_owned_const(const Loc& at, Type t, T obj) {
    return make_const(at, Value::owned(t, std::move(obj)));
  }

  // Folds a pure node whose children are all constants.
  ExprP maybe_fold(ExprP e) {
    if (!e->pure()) return e;
    std::vector<const Expr*> kids;
    e->children(kids);
    for (const auto* k : kids) {
      if (!k->is_const()) return e;
    }
    Value v;
    if (auto err = fold(*e, v)) fail(e->loc, *err);
    return make_const(e->loc, std::move(v));
  }

  // The operand chains below (&& ||, + -, * /) are loops, not recursion, and build one
  // ChainExpr (see make_chain): a 50,000-term chain costs no stack at load or per route.
  using Step = ChainExpr::Step;

  // Appends `op right` to the chain left [steps]. While the chain is still a single constant
  // and right is one too, folds at once, exactly as the left-deep tree of BinaryExprs did.
  void chain_step(ExprP& left, std::vector<Step>& steps, const Loc& at, Op op, ExprP right) {
    if (steps.empty() && left->is_const() && right->is_const()) {
      left = make_binary(at, op, std::move(left), std::move(right));
      return;
    }
    steps.push_back(Step{op, at, std::move(right)});
  }
  ExprP make_chain(ExprP first, std::vector<Step> steps, bool logical) {
    if (steps.empty()) return first;
    if (steps.size() == 1)
      return make_binary(steps[0].loc, steps[0].op, std::move(first), std::move(steps[0].e));
    auto n = std::make_unique<ChainExpr>();
    n->loc = steps[0].loc;
    n->type = logical ? Type::Bool : Type::Int;
    n->logical = logical;
    n->first = std::move(first);
    n->rest = std::move(steps);
    return n;
  }

  ExprP parse_expr() {
    ExprP left = parse_cmp();
    std::vector<Step> steps;
    for (;;) {
      Op op;
      if (cur().is("&&")) {
        op = Op::And;
      } else if (cur().is("||")) {
        op = Op::Or;
      } else {
        return make_chain(std::move(left), std::move(steps), true);
      }
      Loc at = here();
      advance();
      ExprP right = parse_cmp();
      need_bool(*left, "operand of && / ||");
      need_bool(*right, "operand of && / ||");
      chain_step(left, steps, at, op, std::move(right));
    }
  }

  ExprP parse_cmp() {
    ExprP left = parse_add();
    static const std::pair<const char*, Op> kOps[] = {
        {"=", Op::Eq},  {"!=", Op::Ne}, {"<", Op::Lt},    {">", Op::Gt},
        {"<=", Op::Le}, {">=", Op::Ge}, {"~", Op::Match}, {"!~", Op::NotMatch}};
    for (const auto& [p, op] : kOps) {
      if (cur().is(p)) {
        Loc at = here();
        advance();
        ExprP right = parse_add();
        return make_binary(at, op, std::move(left), std::move(right));
      }
    }
    return left;
  }

  ExprP parse_add() {
    ExprP left = parse_mul();
    std::vector<Step> steps;
    for (;;) {
      Op op;
      if (cur().is("+")) {
        op = Op::Add;
      } else if (cur().is("-")) {
        op = Op::Sub;
      } else {
        return make_chain(std::move(left), std::move(steps), false);
      }
      Loc at = here();
      advance();
      ExprP right = parse_mul();
      check_arith(at, steps.empty() ? left->type : Type::Int, right->type);
      chain_step(left, steps, at, op, std::move(right));
    }
  }

  ExprP parse_mul() {
    ExprP left = parse_unary();
    std::vector<Step> steps;
    for (;;) {
      Op op;
      if (cur().is("*")) {
        op = Op::Mul;
      } else if (cur().is("/")) {
        op = Op::Div;
      } else {
        return make_chain(std::move(left), std::move(steps), false);
      }
      Loc at = here();
      advance();
      ExprP right = parse_unary();
      check_arith(at, steps.empty() ? left->type : Type::Int, right->type);
      chain_step(left, steps, at, op, std::move(right));
    }
  }

  void check_arith(const Loc& at, Type ta, Type tb) {
    if ((ta != Type::Int && ta != Type::Any) || (tb != Type::Int && tb != Type::Any)) {
      fail(at, fmt::format("arithmetic needs int operands, found {} and {}", type_name(ta),
                           type_name(tb)));
    }
  }

  ExprP parse_unary() {
    if (cur().is("!")) {
      DepthGuard g(*this);
      Loc at = here();
      advance();
      ExprP a = parse_unary();
      need_bool(*a, "operand of !");
      auto n = std::make_unique<BinaryExpr>();
      n->loc = at;
      n->op = Op::Not;
      n->type = Type::Bool;
      n->a = std::move(a);
      return maybe_fold(std::move(n));
    }
    if (cur().is("-")) fail(here(), "negative numbers are not literals (integers are unsigned)");
    return parse_postfix();
  }

  ExprP make_binary(const Loc& at, Op op, ExprP a, ExprP b) {
    Type ta = a->type, tb = b->type;
    bool known = ta != Type::Any && tb != Type::Any;
    Type result = Type::Bool;
    switch (op) {
      case Op::Add:
      case Op::Sub:
      case Op::Mul:
      case Op::Div:
      case Op::Mod:
        check_arith(at, ta, tb);
        result = Type::Int;
        break;
      case Op::Lt:
      case Op::Gt:
      case Op::Le:
      case Op::Ge:
        if (known && ta != tb &&
            !((ta == Type::Ip && tb == Type::Quad) || (ta == Type::Quad && tb == Type::Ip))) {
          fail(at, fmt::format("cannot compare {} with {}", type_name(ta), type_name(tb)));
        }
        break;
      case Op::Match:
      case Op::NotMatch:
        // BIRD checks ~ operands only at run time ("~ applied on unknown type pair"), so a
        // mismatch here is not a load error either.
        if (tb == Type::PrefixSet && b->is_const()) {
          auto n = std::make_unique<NetInSetExpr>();
          n->loc = at;
          n->type = Type::Bool;
          n->set = &static_cast<const ConstExpr&>(*b).v.as<PrefixSet>();
          n->negate = op == Op::NotMatch;
          n->a = std::move(a);
          prog_.pool.push_back(static_cast<const ConstExpr&>(*b).v.own);
          if (!n->a->is_const()) return n;
          auto m = std::make_unique<BinaryExpr>();  // fold below through the generic node
          m->loc = at;
          m->op = op;
          m->a = std::move(n->a);
          m->b = std::move(b);
          return maybe_fold(std::move(m));
        }
        break;
      default:
        break;
    }
    auto n = std::make_unique<BinaryExpr>();
    n->loc = at;
    n->op = op;
    n->type = result;
    n->a = std::move(a);
    n->b = std::move(b);
    return maybe_fold(std::move(n));
  }

  ExprP parse_postfix() {
    ExprP e = parse_primary();
    const int outer = depth_;
    while (cur().is(".")) {
      enter_level();  // each method wraps the chain so far: one more level per route
      advance();
      const Token mt = cur();
      std::string mname = expect_ident("method or field name");
      const MethodName* mn = nullptr;
      for (const auto& m : kMethods) {
        if (mname == m.name) mn = &m;
      }
      if (mn == nullptr) fail(loc_of(mt), fmt::format("unknown method '{}'", mname));
      ExprP arg;
      if (mn->takes_arg) {
        expect_p("(");
        arg = parse_expr();
        expect_p(")");
      }
      e = make_method(loc_of(mt), mn->m, std::move(e), std::move(arg));
    }
    depth_ = outer;
    return e;
  }

  ExprP make_method(const Loc& at, Method m, ExprP obj, ExprP arg) {
    Type o = obj->type;
    Type r = Type::Any;
    auto need = [&](std::initializer_list<Type> ok) {
      if (o == Type::Any) return;
      for (Type t : ok) {
        if (o == t) return;
      }
      fail(at, fmt::format("this method is not defined for {}", type_name(o)));
    };
    switch (m) {
      case Method::Len:
        r = Type::Int;
        break;  // BIRD: checked at run time
      case Method::Ip:
        need({Type::Net});
        r = Type::Ip;
        break;
      case Method::Type:
        need({Type::Net});
        r = Type::NetType;
        break;
      case Method::IsV4:
        need({Type::Ip});
        r = Type::Bool;
        break;
      case Method::Mask:
        need({Type::Ip});
        r = Type::Ip;
        break;
      case Method::First:
      case Method::Last:
      case Method::LastNonAggregated:
        need({Type::Path});
        r = Type::Int;
        break;
      case Method::Asn:
        need({Type::Lc, Type::Pair});
        r = Type::Int;
        break;
      case Method::Data:
        need({Type::Pair});
        r = Type::Int;
        break;
      case Method::Data1:
      case Method::Data2:
        need({Type::Lc});
        r = Type::Int;
        break;
      case Method::Min:
      case Method::Max:
        need({Type::Clist, Type::Eclist, Type::Lclist});
        r = o == Type::Clist    ? Type::Pair
            : o == Type::Eclist ? Type::Ec
            : o == Type::Lclist ? Type::Lc
                                : Type::Any;
        break;
      case Method::Prepend:
        need({Type::Path});
        if (arg && arg->type != Type::Int && arg->type != Type::Any) {
          fail(arg->loc, fmt::format("prepend needs an int, found {}", type_name(arg->type)));
        }
        r = o;
        break;
      case Method::Add:
        need({Type::Clist, Type::Eclist, Type::Lclist});
        r = o;
        break;
      case Method::Delete:
      case Method::Filter:
      case Method::Empty:
        need({Type::Path, Type::Clist, Type::Eclist, Type::Lclist});
        r = o;
        break;
    }
    auto n = std::make_unique<MethodExpr>();
    n->loc = at;
    n->m = m;
    n->type = r;
    n->obj = std::move(obj);
    n->arg = std::move(arg);
    return maybe_fold(std::move(n));
  }

  // A name at the cursor (not consumed): variable, constant or attribute.
  ExprP parse_name(const Token& t) {
    Loc at = loc_of(t);
    if (const Local* l = lookup_local(t.text)) {
      auto v = std::make_unique<VarExpr>();
      v->loc = at;
      v->slot = l->slot;
      v->type = l->type;
      return v;
    }
    auto g = g_.symbols.find(t.text);
    if (g != g_.symbols.end() && g->second.kind == Symbol::Kind::Const) {
      Value v = g->second.value;
      return make_const(at, std::move(v));
    }
    if (const AttrInfo* a = find_attr(t.text)) {
      auto e = std::make_unique<AttrExpr>();
      e->loc = at;
      e->attr = a->id;
      e->type = a->type;
      return e;
    }
    for (const auto& en : kEnums) {
      if (t.text == en.name) return make_const(at, Value::scalar(en.type, en.value));
    }
    fail(at, fmt::format("unknown symbol '{}'", t.text));
  }

  ExprP parse_primary() {
    DepthGuard g(*this);
    const Token t = cur();
    Loc at = here();
    switch (t.kind) {
      case Tok::Number:
        advance();
        return make_const(at, Value::of_int(static_cast<std::uint32_t>(t.num)));
      case Tok::String: {
        advance();
        auto s = std::make_shared<const std::string>(t.text);
        prog_.pool.push_back(s);
        return make_const(at, Value::of_str(*s));
      }
      case Tok::Ip: {
        advance();
        if (cur().is("/") && peek().kind == Tok::Number) {
          advance();
          std::uint64_t len = cur().num;
          advance();
          return make_const(at, Value::of_net(make_prefix(at, t.ip, len)));
        }
        return make_const(at, Value::of_ip(t.ip));
      }
      case Tok::Punct:
        if (t.is("(")) return parse_paren();
        if (t.is("[")) return parse_set();
        if (t.is("[=")) return parse_mask();
        if (t.is("+empty+")) {
          advance();
          return make_const(at, null_list(Type::Path));
        }
        if (t.is("-empty-")) {
          advance();
          return make_const(at, null_list(Type::Clist));
        }
        if (t.is("--empty--")) {
          advance();
          return make_const(at, null_list(Type::Eclist));
        }
        if (t.is("---empty---")) {
          advance();
          return make_const(at, null_list(Type::Lclist));
        }
        fail_expected("expression");
      case Tok::Ident:
        break;
      default:
        fail_expected("expression");
    }
    if (t.text == "true" || t.text == "false") {
      advance();
      return make_const(at, Value::of_bool(t.text == "true"));
    }
    if (t.text == "defined") {
      advance();
      expect_p("(");
      auto d = std::make_unique<DefinedExpr>();
      d->loc = at;
      d->type = Type::Bool;
      d->e = parse_expr();
      expect_p(")");
      return d;
    }
    static const std::pair<const char*, Method> kOld[] = {{"prepend", Method::Prepend},
                                                          {"add", Method::Add},
                                                          {"delete", Method::Delete},
                                                          {"filter", Method::Filter}};
    for (const auto& [n, m] : kOld) {
      if (t.text == n && peek().is("(") && lookup_local(t.text) == nullptr) {
        advance();
        advance();
        ExprP o = parse_expr();
        expect_p(",");
        ExprP a = parse_expr();
        expect_p(")");
        return make_method(at, m, std::move(o), std::move(a));
      }
    }
    auto gs = g_.symbols.find(t.text);
    if (gs != g_.symbols.end() && gs->second.kind == Symbol::Kind::Function &&
        lookup_local(t.text) == nullptr) {
      advance();
      return parse_call(at, *gs->second.fn);
    }
    if (gs != g_.symbols.end() && gs->second.kind == Symbol::Kind::Filter) {
      fail(at, fmt::format("'{}' is a filter, not a function or value", t.text));
    }
    ExprP e = parse_name(t);
    advance();
    return e;
  }

  ExprP parse_call(const Loc& at, const Function& fn) {
    expect_p("(");
    auto c = std::make_unique<CallExpr>();
    c->loc = at;
    c->fn = &fn;
    c->type = fn.ret;
    if (!cur().is(")")) {
      do {
        c->args.push_back(parse_expr());
      } while (accept_p(","));
    }
    expect_p(")");
    // The callee runs below this call: its own depth adds to ours.
    if (depth_ + fn.depth > kMaxDepth) {
      fail(at,
           fmt::format(
               "nesting too deep: calling {} here nests {} levels deep (the function itself {}), "
               "more than {}",
               fn.name, depth_ + fn.depth, fn.depth, kMaxDepth));
    }
    max_depth_ = std::max(max_depth_, depth_ + fn.depth);
    if (c->args.size() != fn.params.size()) {
      fail(at, fmt::format("function {} takes {} argument(s), {} given", fn.name, fn.params.size(),
                           c->args.size()));
    }
    for (std::size_t i = 0; i < c->args.size(); ++i) {
      if (!static_coercible(c->args[i]->type, fn.params[i])) {
        fail(c->args[i]->loc, fmt::format("argument {} of {} must be {}, found {}", i + 1, fn.name,
                                          type_name(fn.params[i]), type_name(c->args[i]->type)));
      }
    }
    return c;
  }

  base::Prefix make_prefix(const Loc& at, const base::IpAddress& ip, std::uint64_t len) {
    if (len > base::max_len(ip.family())) fail(at, fmt::format("invalid prefix length {}", len));
    auto p = base::Prefix::make(ip, static_cast<unsigned>(len));
    if (p.addr() != ip) {
      fail(at, fmt::format("invalid network prefix {}/{}, maybe you wanted {}", ip.to_string(), len,
                           p.to_string()));
    }
    return p;
  }

  static bool is_ec_kind(const Token& t) {
    return t.is_word("rt") || t.is_word("ro") || t.is_word("generic");
  }
  static std::uint16_t ec_kind_of(const Token& t) {
    return t.is_word("rt") ? 2 : t.is_word("ro") ? 3 : 0xFFFF;
  }

  // ( e ) | (a, b) pair | (a, b, c) large community | (rt|ro|generic, a, b) ext community
  ExprP parse_paren() {
    Loc at = here();
    advance();
    auto tuple = std::make_unique<TupleExpr>();
    tuple->loc = at;
    if (is_ec_kind(cur()) && peek().is(",")) {
      tuple->ec_kind = ec_kind_of(cur());
      advance();
      advance();
      tuple->parts.push_back(parse_expr());
      expect_p(",");
      tuple->parts.push_back(parse_expr());
      expect_p(")");
      tuple->type = Type::Ec;
      check_int_parts(*tuple, true);
      return maybe_fold(std::move(tuple));
    }
    ExprP first = parse_expr();
    if (accept_p(")")) return first;
    tuple->parts.push_back(std::move(first));
    expect_p(",");
    tuple->parts.push_back(parse_expr());
    if (accept_p(",")) tuple->parts.push_back(parse_expr());
    expect_p(")");
    tuple->type = tuple->parts.size() == 2 ? Type::Pair : Type::Lc;
    check_int_parts(*tuple, false);
    return maybe_fold(std::move(tuple));
  }
  void check_int_parts(const TupleExpr& t, bool ec) {
    for (std::size_t i = 0; i < t.parts.size(); ++i) {
      Type pt = t.parts[i]->type;
      if (pt == Type::Int || pt == Type::Any || (ec && i == 0 && pt == Type::Ip)) continue;
      fail(t.parts[i]->loc, fmt::format("tuple component must be int, found {}", type_name(pt)));
    }
  }

  // ------------------------------------------------------------ sets
  std::uint32_t const_int(std::string_view what) {
    ExprP e = parse_add();
    Value v = const_value(*e, what);
    if (v.type != Type::Int)
      fail(e->loc, fmt::format("{} must be int, found {}", what, type_name(v.type)));
    return v.i();
  }
  // One component of a tuple pattern: NUM, NUM..NUM or *.
  std::pair<std::uint32_t, std::uint32_t> atom(std::uint32_t max, bool* single = nullptr) {
    Loc at = here();
    if (single != nullptr) *single = false;
    cur_was_star_ = cur().is("*");
    if (accept_p("*")) return {0, max};
    std::uint32_t lo = const_int("set item");
    std::uint32_t hi = lo;
    if (accept_p("..")) {
      hi = const_int("set item");
    } else if (single != nullptr) {
      *single = true;
    }
    if (lo > hi || hi > max) fail(at, fmt::format("value out of range in set item (max {})", max));
    return {lo, hi};
  }

  void add_tuple_item(ScalarSet& s, const Loc& at) {
    expect_p("(");
    if (is_ec_kind(cur())) {
      std::uint16_t kind = ec_kind_of(cur());
      advance();
      expect_p(",");
      ExprP ae = parse_add();
      Value a = const_value(*ae, "set item");
      expect_p(",");
      std::uint32_t vmax = 0xFFFFFFFF;
      bool wide = a.type == Type::Ip || (a.type == Type::Int && a.u > 0xFFFF && kind != 0xFFFF);
      if (wide) vmax = 0xFFFF;
      auto [lo, hi] = atom(vmax);
      expect_p(")");
      auto encode = [&](std::uint32_t v) {
        TupleExpr t;
        t.ec_kind = kind;
        t.parts.push_back(make_const(at, a));
        t.parts.push_back(make_const(at, Value::of_int(v)));
        Value out;
        if (auto err = fold(t, out)) fail(at, *err);
        return out.u;
      };
      set_elem_type(s, Type::Ec, at);
      add_range(s, Type::Ec, SetKey{encode(lo), 0}, SetKey{encode(hi), 0});
      return;
    }
    std::pair<std::uint32_t, std::uint32_t> c[3];
    int n = 0;
    // Large communities have 32-bit parts; pairs 16-bit. Decide after counting.
    std::size_t save = pos_;
    int commas = 0;
    for (std::size_t k = pos_, depth = 0; k < toks_.size(); ++k) {
      if (toks_[k].is("(")) ++depth;
      if (toks_[k].is(")")) {
        if (depth == 0) break;
        --depth;
      }
      if (toks_[k].is(",") && depth == 0) ++commas;
      if (toks_[k].kind == Tok::End || toks_[k].kind == Tok::Error) break;
    }
    pos_ = save;
    bool lc = commas == 2;
    std::uint32_t max = lc ? 0xFFFFFFFF : 0xFFFF;
    bool single[3] = {true, true, true};
    c[n++] = atom(max, &single[0]);
    expect_p(",");
    Loc second = here();
    c[n++] = atom(max, &single[1]);
    if (lc) {
      // bird2: once a component is a range or '*', every later one must be '*'.
      if (!single[0] && !(c[1].first == 0 && c[1].second == max && cur_was_star_)) {
        fail(second, "in a large community pattern only '*' may follow a range or '*'");
      }
      expect_p(",");
      Loc third = here();
      c[n++] = atom(max, &single[2]);
      if (!(single[0] && single[1]) && !cur_was_star_) {
        fail(third, "in a large community pattern only '*' may follow a range or '*'");
      }
    }
    expect_p(")");
    if (lc && single[0] && single[1] && single[2] && accept_p("..")) {
      // (a, b, c)..(d, e, f): a range of large communities
      Loc at2 = here();
      expect_p("(");
      std::uint32_t h[3];
      for (int j = 0; j < 3; ++j) {
        if (j > 0) expect_p(",");
        h[j] = const_int("set item");
      }
      expect_p(")");
      set_elem_type(s, Type::Lc, at);
      auto lo = Value::of_lc({c[0].first, c[1].first, c[2].first}).key();
      auto hi = Value::of_lc({h[0], h[1], h[2]}).key();
      if (hi < lo) fail(at2, "empty large community range");
      add_range(s, Type::Lc, lo, hi);
      return;
    }
    if (lc) {
      set_elem_type(s, Type::Lc, at);
      // Contiguous in key order when every component after the first varying one is full.
      int k = 0;
      while (k < 3 && c[k].first == c[k].second) ++k;
      bool contiguous = true;
      for (int j = k + 1; j < 3; ++j)
        contiguous = contiguous && c[j].first == 0 && c[j].second == max;
      if (contiguous) {
        add_range(s, Type::Lc, Value::of_lc({c[0].first, c[1].first, c[2].first}).key(),
                  Value::of_lc({c[0].second, c[1].second, c[2].second}).key());
      } else {
        SetBox b;
        for (int j = 0; j < 3; ++j) {
          b.lo[j] = c[j].first;
          b.hi[j] = c[j].second;
        }
        add_box(s, Type::Lc, b);
      }
      return;
    }
    set_elem_type(s, Type::Pair, at);
    std::uint64_t lo = (std::uint64_t{c[0].first} << 16) | c[1].first;
    if (c[0].first == c[0].second || (c[1].first == 0 && c[1].second == 0xFFFF)) {
      std::uint64_t hi = (std::uint64_t{c[0].second} << 16) | c[1].second;
      if (c[0].first == c[0].second && c[1].first == c[1].second && accept_p("..")) {
        // (a,b)..(c,d)
        Loc at2 = here();
        expect_p("(");
        auto x = atom(0xFFFF);
        expect_p(",");
        auto y = atom(0xFFFF);
        expect_p(")");
        hi = (std::uint64_t{x.first} << 16) | y.first;
        if (hi < lo) fail(at2, "empty pair range");
      }
      add_range(s, Type::Pair, SetKey{lo, 0}, SetKey{hi, 0});
    } else {
      SetBox b;
      b.lo[0] = c[0].first;
      b.hi[0] = c[0].second;
      b.lo[1] = c[1].first;
      b.hi[1] = c[1].second;
      b.lo[2] = b.hi[2] = 0;
      add_box(s, Type::Pair, b);
    }
  }

  // bird2 accepts items of different types in one set (and answers through its search tree,
  // see ScalarSet::bird); the set's static type is that of its first item.
  void set_elem_type(ScalarSet& s, Type t, const Loc& at) {
    (void)at;
    if (!have_elem_) {
      s.elem = t;
      have_elem_ = true;
    } else if (s.elem != t) {
      s.mixed = true;
    }
  }
  static void add_range(ScalarSet& s, Type t, SetKey lo, SetKey hi) {
    s.ranges.push_back({lo, hi});
    s.written.push_back(ScalarSet::Written{t, SetRange{lo, hi}, false, {}});
  }
  static void add_box(ScalarSet& s, Type t, const SetBox& b) {
    s.boxes.push_back(b);
    s.written.push_back(ScalarSet::Written{t, {}, true, b});
  }

  ExprP parse_set() {
    Loc at = here();
    advance();
    // Prefix set?
    if (cur().kind == Tok::Ip && peek().is("/")) return parse_prefix_set(at);
    ScalarSet s;
    have_elem_ = false;
    if (!cur().is("]")) {
      do {
        Loc item = here();
        if (cur().is("(") && (is_ec_kind(peek()) || looks_like_pattern())) {
          add_tuple_item(s, item);
          continue;
        }
        // bird2: an operator in a set item needs parentheses ([(1+1)], not [1+1])
        ExprP e = parse_unary();
        Value lo = const_value(*e, "set item");
        Value hi = lo;
        if (accept_p("..")) {
          ExprP e2 = parse_unary();
          hi = const_value(*e2, "set item");
        }
        Type t = lo.type == Type::Ip && lo.ip.is_v4() ? Type::Quad : lo.type;
        if (t == Type::Quad) {
          lo = Value::scalar(Type::Quad, lo.ip.v4_value());
          if (hi.type == Type::Ip) hi = Value::scalar(Type::Quad, hi.ip.v4_value());
        }
        if (hi.type != lo.type || set_of(t) == Type::Void || t == Type::Net) {
          fail(item, fmt::format("unsupported set item of type {}", type_name(lo.type)));
        }
        set_elem_type(s, t, item);
        if (hi.key() < lo.key()) {
          // bird2 keeps a reversed range as an item that holds nothing (it still shapes the
          // search tree, so the set is answered bird2's way).
          s.written.push_back(ScalarSet::Written{t, SetRange{lo.key(), hi.key()}, false, {}});
          s.mixed = true;
          continue;
        }
        add_range(s, t, lo.key(), hi.key());
      } while (accept_p(","));
    }
    expect_p("]");
    if (!s.finish()) {
      fail(at,
           fmt::format("set too large: its items of several types or overlapping items make more "
                       "than {} search tree entries",
                       ScalarSet::kMaxTreeItems));
    }
    Type st = set_of(s.elem);
    return make_owned_const(at, st, std::move(s));
  }
  // '(' followed by a tuple pattern with '*' or '..' or a plain constant tuple.
  bool looks_like_pattern() const {
    for (std::size_t k = pos_ + 1, depth = 0; k < toks_.size(); ++k) {
      const Token& t = toks_[k];
      if (t.is("(")) ++depth;
      if (t.is(")")) {
        if (depth == 0) return false;
        --depth;
      }
      bool wildcard = t.is("*") && (toks_[k - 1].is("(") || toks_[k - 1].is(","));  // not `2 * 12`
      if (depth == 0 && (t.is(",") || wildcard)) return true;
      if (t.kind == Tok::End || t.kind == Tok::Error) return false;
    }
    return false;
  }

  ExprP parse_prefix_set(const Loc& at) {
    PrefixSet ps;
    const bool v4 = cur().ip.is_v4();
    do {
      Loc item = here();
      if (cur().kind != Tok::Ip) fail_expected("prefix");
      base::IpAddress ip = cur().ip;
      if (ip.is_v4() != v4) fail(item, "mixed IPv4 and IPv6 prefixes in one prefix set");
      advance();
      expect_p("/");
      if (cur().kind != Tok::Number) fail_expected("prefix length");
      std::uint64_t len = cur().num;
      advance();
      base::Prefix p = make_prefix(item, ip, len);
      unsigned max = base::max_len(p.family());
      unsigned lo = p.len(), hi = p.len();
      if (accept_p("+")) {
        hi = max;
      } else if (accept_p("-")) {
        lo = 0;  // the prefix and all its supernets
        hi = p.len();
      } else if (Loc r = here(); accept_p("{")) {
        std::uint32_t a = const_int("prefix length");
        expect_p(",");
        std::uint32_t b = const_int("prefix length");
        expect_p("}");
        if (a > b || b > max) fail(r, fmt::format("invalid prefix pattern range {{{}, {}}}", a, b));
        lo = a;
        hi = b;
      }
      if (lo <= hi) (p.is_v4() ? ps.v4 : ps.v6).add(p, lo, hi);
    } while (accept_p(","));
    expect_p("]");
    return make_owned_const(at, Type::PrefixSet, std::move(ps));
  }

  // ------------------------------------------------------------ masks
  ExprP parse_mask() {
    Loc at = here();
    advance();
    auto m = std::make_unique<MaskExpr>();
    m->loc = at;
    m->type = Type::Mask;
    while (!accept_p("=]")) {
      MaskExpr::Item it;
      Loc il = here();
      if (accept_p("*")) {
        it.item.kind = MaskItem::Kind::Star;
      } else if (accept_p("?")) {
        it.item.kind = MaskItem::Kind::Question;
      } else if (cur().is("+")) {
        // X+ : the previous item once or more (bird2 refuses it first, at load)
        if (m->items.empty()) fail(il, "'+' (repeat) cannot be the first item of a path mask");
        advance();
        it.item.kind = MaskItem::Kind::Loop;
      } else if (cur().kind == Tok::Number) {
        it.item.lo = it.item.hi = static_cast<std::uint32_t>(cur().num);
        it.item.kind = MaskItem::Kind::Asn;
        advance();
        if (accept_p("..")) {
          if (cur().kind != Tok::Number) fail_expected("number");
          it.item.hi = static_cast<std::uint32_t>(cur().num);
          it.item.kind = MaskItem::Kind::Range;
          advance();
          if (it.item.hi < it.item.lo) fail(il, "empty range in path mask");
        }
      } else if (cur().is("[")) {
        ExprP s = parse_set();
        if (s->type != Type::IntSet) fail(il, "path mask sets must be int sets");
        it.item.kind = MaskItem::Kind::Set;
        it.item.set = &static_cast<const ConstExpr&>(*s).v.as<ScalarSet>();
      } else if (cur().is("(")) {
        advance();
        it.expr = parse_expr();
        expect_p(")");
        if (it.expr->type != Type::Int && it.expr->type != Type::IntSet &&
            it.expr->type != Type::Any) {
          fail(il, fmt::format("path mask item must be int, found {}", type_name(it.expr->type)));
        }
      } else if (cur().kind == Tok::Ident) {
        ExprP e = parse_name(cur());
        advance();
        if (e->type != Type::Int && e->type != Type::IntSet && e->type != Type::Any) {
          fail(il, fmt::format("path mask item must be int, found {}", type_name(e->type)));
        }
        it.expr = std::move(e);
      } else {
        fail_expected("path mask item or '=]'");
      }
      m->items.push_back(std::move(it));
    }
    return maybe_fold(std::move(m));
  }

  Program::Impl& prog_;
  GlobalScope& g_;
  std::uint32_t file_;
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::uintptr_t stack_top_ = 0;  // frame address of run(): stack use is measured from here
  int max_depth_ = 0;  // deepest level reached in the current function body, calls included
  std::vector<std::map<std::string, Local>> scopes_;
  std::size_t next_slot_ = 0;
  const Function* fn_ = nullptr;
  bool have_elem_ = false;
  bool cur_was_star_ = false;  // the last atom() read a '*'
};

}  // namespace

std::optional<Diagnostic> parse_file(Program::Impl& prog, GlobalScope& globals,
                                     std::uint32_t file_index, std::string_view text) {
  try {
    Parser p(prog, globals, file_index, text);
    p.run();
  } catch (const ParseError& e) {
    return Diagnostic{prog.files[e.loc.file], e.loc.line, e.loc.col, e.message};
  }
  return std::nullopt;
}

}  // namespace nvabgpd::policy

#include "cli_parser.hpp"

#include <algorithm>

namespace nvabgpd::ctl {

namespace {

enum class Kind { kWord, kOption, kValue };

struct Token {
  std::string text;
  Kind kind;
};

bool starts_with(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// The names of an option spec: "-m,--message" -> {"-m", "--message"}.
std::vector<std::string> names_of(const OptionSpec& o) {
  std::vector<std::string> out;
  std::string_view rest = o.names;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    out.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
  }
  return out;
}

// The key an option is stored under in Invocation::options: its long name without "--".
std::string key_of(const OptionSpec& o) {
  std::string key;
  for (const auto& n : names_of(o)) {
    if (starts_with(n, "--")) return n.substr(2);
    if (key.empty()) key = n.substr(1);
  }
  return key;
}

// Some command's option that takes a value (its value is never read as a global option).
bool takes_value_somewhere(const std::string& token) {
  for (const auto& c : command_table())
    for (const auto& o : c.options)
      if (o.value != nullptr)
        for (const auto& n : names_of(o))
          if (n == token) return true;
  return false;
}

// "5" -> 5000 ms; anything but 1..3600 whole seconds -> 0 (reported as a usage error).
int parse_seconds(const std::string& v) {
  if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos) return 0;
  int s = std::stoi(v);
  return s >= 1 && s <= 3600 ? s * 1000 : 0;
}

bool word_matches(const CommandSpec& c, std::size_t i, const std::string& word) {
  if (c.words[i] == word) return true;
  return i + 1 == c.words.size() &&
         std::find(c.aliases.begin(), c.aliases.end(), word) != c.aliases.end();
}

// The command whose words start `positional`, the one with the most words.
const CommandSpec* match(const std::vector<std::string>& positional) {
  const CommandSpec* best = nullptr;
  for (const auto& c : command_table()) {
    if (c.words.size() > positional.size()) continue;
    bool all = true;
    for (std::size_t i = 0; i < c.words.size() && all; ++i) all = word_matches(c, i, positional[i]);
    if (all && (best == nullptr || c.words.size() > best->words.size())) best = &c;
  }
  return best;
}

// How many leading words of `positional` some command's words begin with.
std::size_t group_depth(const std::vector<std::string>& positional) {
  std::size_t depth = 0;
  for (const auto& c : command_table()) {
    std::size_t i = 0;
    while (i < c.words.size() && i < positional.size() && word_matches(c, i, positional[i])) ++i;
    depth = std::max(depth, i);
  }
  return depth;
}

// "protocols, route, status" for the words that may follow `group`.
std::string next_words(const std::vector<std::string>& group) {
  std::string out;
  for (const auto& c : command_table()) {
    if (c.words.size() <= group.size()) continue;
    if (!std::equal(group.begin(), group.end(), c.words.begin())) continue;
    std::string w(c.words[group.size()]);
    if (out.find(w) == std::string::npos) out += (out.empty() ? "" : ", ") + w;
  }
  return out;
}

[[noreturn]] void unmatched(const std::vector<std::string>& positional) {
  if (positional.empty()) throw UsageError("no command given");
  const std::size_t depth = group_depth(positional);
  if (depth == 0) throw UsageError("unknown command '" + positional[0] + "'");
  std::vector<std::string> group(positional.begin(), positional.begin() + static_cast<long>(depth));
  std::string name;
  for (const auto& w : group) name += (name.empty() ? "" : " ") + w;
  if (depth < positional.size())
    throw UsageError("unknown command '" + name + " " + positional[depth] + "'; '" + name +
                     "' takes: " + next_words(group));
  throw UsageError(name + " what? " + next_words(group));
}

// The command's own options, from the tokens; unknown ones are usage errors.
void take_options(const CommandSpec& c, const std::vector<Token>& tokens, Invocation& inv) {
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].kind != Kind::kOption) continue;
    std::string name = tokens[i].text;
    std::string value;
    bool inline_value = false;
    if (auto eq = name.find('='); starts_with(name, "--") && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const auto& o : c.options)
      for (const auto& n : names_of(o))
        if (n == name) spec = &o;
    if (spec == nullptr)
      throw UsageError("unknown option '" + name + "' for '" + command_name(c) + "'");
    if (spec->value != nullptr && !inline_value) {
      if (i + 1 >= tokens.size() || tokens[i + 1].kind != Kind::kValue)
        throw UsageError("option " + name + " needs " + spec->value);
      value = tokens[++i].text;
    } else if (spec->value == nullptr && inline_value) {
      throw UsageError("option " + name + " takes no value");
    }
    inv.options[key_of(*spec)] = value;
  }
}

}  // namespace

ParsedLine parse_line(const std::vector<std::string>& argv, const Globals& defaults) {
  ParsedLine line;
  line.inv.globals = defaults;
  Globals& g = line.inv.globals;
  std::vector<Token> tokens;  // everything but the global options, in order
  bool words_only = false;    // after "--"
  std::string missing;        // a global option at the end of the line, without its value
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& t = argv[i];
    if (words_only || t.size() < 2 || t[0] != '-') {
      tokens.push_back({t, Kind::kWord});
    } else if (t == "--") {
      words_only = true;
    } else if (t == "--json") {
      g.json = true;
    } else if (t == "-V" || t == "--version") {
      line.version = true;
    } else if (t == "-h" || t == "--help") {
      line.help = true;
    } else if (t == "--timeout" || starts_with(t, "--timeout=")) {
      std::string v;
      if (t != "--timeout")
        v = t.substr(10);
      else if (i + 1 < argv.size())
        v = argv[++i];
      else
        missing = t;
      if (missing.empty()) g.timeout_ms = parse_seconds(v);
    } else if (t == "-s" || t == "--socket") {
      if (i + 1 >= argv.size())
        missing = t;
      else
        g.socket = argv[++i];
    } else if (starts_with(t, "--socket=")) {
      g.socket = t.substr(9);
    } else if (starts_with(t, "-s") && !starts_with(t, "--")) {
      g.socket = t.substr(2);
    } else {
      tokens.push_back({t, Kind::kOption});
      if (t.find('=') == std::string::npos && takes_value_somewhere(t) && i + 1 < argv.size())
        tokens.push_back({argv[++i], Kind::kValue});
    }
  }
  if (line.version) return line;
  std::vector<std::string> positional;
  for (const auto& t : tokens)
    if (t.kind == Kind::kWord) positional.push_back(t.text);
  const CommandSpec* c = match(positional);
  if (line.help) {
    line.command = c;
    if (c == nullptr)
      line.words.assign(positional.begin(),
                        positional.begin() + static_cast<long>(group_depth(positional)));
    return line;
  }
  if (!missing.empty())
    throw UsageError("option " + missing +
                     (missing == "--timeout" ? " needs SECONDS" : " needs a socket path"));
  if (g.timeout_ms <= 0) throw UsageError("--timeout needs a number of seconds (1..3600)");
  if (c == nullptr) unmatched(positional);
  line.command = c;
  Invocation& inv = line.inv;
  if (c->delegated) {
    std::size_t skip = c->words.size();  // the command's words are the first words
    for (const auto& t : tokens) {
      if (t.kind == Kind::kWord && skip > 0) {
        --skip;
        continue;
      }
      inv.tokens.push_back(t.text);
    }
    return line;
  }
  inv.args.assign(positional.begin() + static_cast<long>(c->words.size()), positional.end());
  try {
    take_options(*c, tokens, inv);
    if (inv.args.size() < c->min_args) throw UsageError(std::string("missing ") + c->synopsis);
    if (inv.args.size() > c->max_args)
      throw UsageError(c->max_args == 0 ? "'" + command_name(*c) + "' takes no arguments ('" +
                                              inv.args[0] + "' given)"
                                        : "unexpected '" + inv.args[c->max_args] + "'");
  } catch (UsageError& e) {
    if (e.usage.empty()) e.usage = usage_line(*c);
    throw;
  }
  return line;
}

}  // namespace nvabgpd::ctl

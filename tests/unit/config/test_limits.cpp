// Bounded loading (issue 18, item 5): YAML alias expansion is capped and refused with one
// error; however many errors a file has, the result lists the first few and counts the rest.
#include <catch2/catch.hpp>

#include <csignal>
#include <string>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.hpp"
#include "nvabgpd/config/model.hpp"

using namespace nvabgpd::config;
using namespace cfgtest;

namespace {

// "router-id..., asn..., originate: communities: [&a LONG, *a, *a, ...]" of about `bytes`.
std::string alias_repeat(std::size_t bytes, std::size_t long_len) {
  std::string s(kHead);
  s += "originate:\n  - prefix: 10.0.0.0/8\n    communities: [&a \"" + std::string(long_len, 'A') +
       "\"";
  while (s.size() + 4 < bytes) s += ", *a";
  return s + "]\n";
}

// parse_config in a child process with at most 1 GiB of address space and a watchdog, so
// a loader that explodes fails this test instead of the machine. The child reports the
// number of errors and the first one.
struct ChildResult {
  bool exited = false;  // normally, with status 0
  std::string report;
};
ChildResult parse_bounded(const std::string& text) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    rlimit as{1UL << 30, 1UL << 30};
    setrlimit(RLIMIT_AS, &as);
#endif
    alarm(120);  // a watchdog only: the bounded loader answers in milliseconds
    LoadResult r = parse(text);
    std::string out = std::to_string(r.errors.size()) + "\n";
    if (!r.errors.empty()) out += r.errors.front().to_string();
    out = out.substr(0, 4096);
    (void)!write(fds[1], out.data(), out.size());
    _exit(0);
  }
  close(fds[1]);
  ChildResult res;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    res.report.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  res.exited = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return res;
}

}  // namespace

TEST_CASE("a 1 MB file repeating an alias of a long string is refused with one error") {
  const std::string text = alias_repeat(1024 * 1024, 4096);
  REQUIRE(text.size() > 1000 * 1000);
  ChildResult r = parse_bounded(text);
  INFO(r.report.substr(0, 300));
  REQUIRE(r.exited);
  CHECK(r.report.rfind("1\ntest.yaml:5:", 0) == 0);
  // 4 KiB per alias crosses the 16 MiB expansion limit first; 3-byte strings the alias count.
  CHECK(r.report.find("YAML aliases expand to more than 1000000 nodes or 16 MiB of text") !=
        std::string::npos);
  ChildResult s = parse_bounded(alias_repeat(1024 * 1024, 3));
  INFO(s.report.substr(0, 300));
  REQUIRE(s.exited);
  CHECK(s.report.rfind("1\ntest.yaml:5:", 0) == 0);
  CHECK(s.report.find("more than 10000 YAML aliases (*name) in one file") != std::string::npos);
}

TEST_CASE("nested aliases (billion laughs) and aliases of a huge scalar are refused") {
  // Ten levels of ten aliases each: 10^10 nodes from 700 bytes.
  std::string laughs(kHead);
  laughs += "x0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    laughs += "x" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) laughs += (k ? ", *l" : "*l") + std::to_string(i - 1);
    laughs += "]\n";
  }
  LoadResult r = parse(laughs);
  INFO(all(r.errors));
  REQUIRE(r.errors.size() == 1);
  CHECK(r.errors[0].to_string() ==
        "test.yaml:8:45: YAML aliases expand to more than 1000000 nodes or 16 MiB of text; "
        "refusing the file (an "
        "alias bomb?)");

  // 1 MiB of text repeated 20 times: only 20 aliases, but 20 MiB.
  std::string big(kHead);
  big += "description: &d \"" + std::string(1024 * 1024, 'x') + "\"\nmore: [";
  for (int k = 0; k < 20; ++k) big += k ? ", *d" : "*d";
  big += "]\n";
  LoadResult b = parse(big);
  REQUIRE(b.errors.size() == 1);
  CHECK(b.errors[0].message.find("YAML aliases expand to more than") == 0);
}

TEST_CASE("anchors and aliases within the limits still work") {
  LoadResult r = parse(std::string(kHead) +
                       "originate:\n"
                       "  - { prefix: 10.0.0.0/8, communities: &c ['65001:1', '65001:2'] }\n"
                       "  - { prefix: 10.1.0.0/16, communities: *c }\n");
  INFO(all(r.errors));
  REQUIRE(r.ok());
  REQUIRE(r.config->originate.size() == 2);
  CHECK(r.config->originate[1].communities == r.config->originate[0].communities);
}

TEST_CASE("a file with thousands of errors lists the first 20 and counts the rest") {
  for (int n : {500, 5000}) {
    std::string text(kHead);
    text += "originate:\n  - prefix: 10.0.0.0/8\n    communities:\n";
    for (int i = 0; i < n; ++i) text += "      - bad" + std::to_string(i) + "\n";
    LoadResult r = parse(text);
    INFO(n);
    REQUIRE_FALSE(r.ok());
    REQUIRE(r.errors.size() == kMaxShownDiagnostics + 1);
    CHECK(r.errors[0].to_string() ==
          "test.yaml:6:9: originate[10.0.0.0/8].communities[0]: 'bad0' is not a valid community");
    CHECK(r.errors[19].field == "originate[10.0.0.0/8].communities[19]");
    const std::size_t more = static_cast<std::size_t>(n) - kMaxShownDiagnostics;
    CHECK(r.errors_omitted == more);
    CHECK(r.errors.back().to_string() ==
          "test.yaml: ... and " + std::to_string(more) + " more error(s) not shown");
  }
  // A short list is untouched.
  LoadResult few =
      parse(std::string(kHead) + "originate:\n  - { prefix: 10.0.0.0/8, communities: [x, y] }\n");
  CHECK(few.errors.size() == 2);
  CHECK(few.errors_omitted == 0);
}

TEST_CASE("undefined filter names: the first 20 and a count") {
  std::string text(kHead);
  text += "filters: [f.conf]\npeers:\n";
  for (int i = 0; i < 30; ++i) {
    text += "  - { name: p" + std::to_string(i) + ", address: 10.0.1." + std::to_string(i + 1) +
            ", asn: 65002, import: nope, export: nope }\n";
  }
  LoadResult r = parse(text);
  INFO(all(r.errors));
  REQUIRE(r.ok());
  auto d = check_filter_names(*r.config, r.sources, [](std::string_view) { return false; });
  REQUIRE(d.size() == kMaxShownDiagnostics + 1);
  CHECK(d.back().to_string() ==
        "test.yaml: ... and 40 more undefined filter reference(s) not shown");
}

TEST_CASE("template chains are limited to 32 templates") {
  auto chain = [](int n) {
    std::string s(kHead);
    s += "templates:\n  - { name: t0, hold-time: 30 }\n";
    for (int i = 1; i < n; ++i) {
      s += "  - { name: t" + std::to_string(i) + ", template: t" + std::to_string(i - 1) + " }\n";
    }
    return s + "peers:\n  - { name: p, template: t" + std::to_string(n - 1) +
           ", address: 10.0.0.2, asn: 65002, import: all, export: all }\n";
  };
  LoadResult ok = parse(chain(32));
  INFO(all(ok.errors));
  REQUIRE(ok.ok());
  CHECK(ok.config->peers[0].hold_time == 30);
  LoadResult deep = parse(chain(20000));
  REQUIRE(deep.errors.size() == 1);
  CHECK(deep.errors[0].to_string() ==
        "test.yaml:19972:31: templates[t19968].template: template chain is longer than 32 "
        "templates (at 't19967')");
}

TEST_CASE("duplicate peer names and addresses name the first peer") {
  LoadResult r =
      parse(std::string(kHead) +
            "peers:\n"
            "  - { name: a, address: 10.0.0.2, asn: 65002, import: all, export: all }\n"
            "  - { name: b, address: 10.0.0.3, asn: 65002, import: all, export: all }\n"
            "  - { name: a, address: 10.0.0.2, asn: 65002, import: all, export: all }\n"
            "  - { name: a, address: 10.0.0.3, asn: 65002, import: all, export: all }\n");
  INFO(all(r.errors));
  CHECK(has(r.errors, "test.yaml:6:13: peers[a].name: peer name 'a' is already used at line 4"));
  CHECK(has(r.errors, "peers[a].address: peer address 10.0.0.2 is already used by peer 'a'"));
  CHECK(has(r.errors, "test.yaml:7:13: peers[a].name: peer name 'a' is already used at line 4"));
  CHECK(has(r.errors, "peers[a].address: peer address 10.0.0.3 is already used by peer 'b'"));
}

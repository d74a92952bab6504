#include "health_prober.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

extern char** environ;

namespace nvabgpd::daemon {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct HealthProber::Job {
  explicit Job(asio::io_context& io, config::HealthCheck c)
      : cfg(std::make_shared<const config::HealthCheck>(std::move(c))),
        interval(io),
        deadline(io) {}
  std::shared_ptr<const config::HealthCheck> cfg;
  asio::steady_timer interval;  // start of the next probe
  asio::steady_timer deadline;  // timeout of the running probe
  bool running = false;
  bool stopped = false;
  std::uint64_t seq = 0;  // completions of an earlier probe are ignored
  Clock::time_point started;
  Clock::time_point next;
  // command
  pid_t pid = -1;
  std::unique_ptr<asio::posix::stream_descriptor> pidfd;
  bool killed = false;
  // tcp / http
  std::unique_ptr<asio::ip::tcp::socket> sock;
  std::string request;
  std::string response;
  std::array<char, 512> buf{};
};

HealthProber::HealthProber(Report report)
    : report_(std::move(report)), work_(asio::make_work_guard(io_)) {
  thread_ = std::thread([this] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::error("health checks: prober thread stopped: {}", e.what());
    }
  });
}

HealthProber::~HealthProber() {
  asio::post(io_, [this] {
    for (auto& j : jobs_) stop_job(*j);
    jobs_.clear();
    work_.reset();
  });
  if (thread_.joinable()) thread_.join();
}

void HealthProber::set_checks(std::vector<config::HealthCheck> checks) {
  asio::post(io_, [this, checks = std::move(checks)]() mutable {
    std::vector<std::shared_ptr<Job>> next;
    for (auto& c : checks) {
      auto same = std::find_if(jobs_.begin(), jobs_.end(),
                               [&](const std::shared_ptr<Job>& j) { return *j->cfg == c; });
      if (same != jobs_.end()) {
        next.push_back(*same);
        jobs_.erase(same);
        continue;
      }
      auto job = std::make_shared<Job>(io_, std::move(c));
      job->next = Clock::now();
      next.push_back(job);
      schedule(job);
    }
    for (auto& j : jobs_) stop_job(*j);  // removed or changed
    jobs_ = std::move(next);
  });
}

void HealthProber::stop_job(Job& job) {
  job.stopped = true;
  job.interval.cancel();
  job.deadline.cancel();
  if (job.pid > 0) {
    ::kill(-job.pid, SIGKILL);
    int st = 0;
    ::waitpid(job.pid, &st, 0);  // SIGKILL: immediate
    job.pid = -1;
  }
  job.pidfd.reset();
  if (job.sock) {
    boost::system::error_code ec;
    job.sock->close(ec);
  }
}

void HealthProber::schedule(const std::shared_ptr<Job>& job) {
  job->interval.expires_at(job->next);
  job->interval.async_wait([this, job](boost::system::error_code ec) {
    if (ec || job->stopped) return;
    // Fixed rate: the next probe starts one interval after this one started.
    job->next += std::chrono::milliseconds(job->cfg->interval_ms);
    if (job->next < Clock::now()) job->next = Clock::now();
    if (!job->running) probe(job);
    schedule(job);
  });
}

void HealthProber::probe(const std::shared_ptr<Job>& job) {
  job->running = true;
  ++job->seq;
  job->started = Clock::now();
  const config::HealthCheck& c = *job->cfg;
  std::string detail;
  switch (c.kind) {
    case config::HealthKind::Interface: {
      const bool ok = interface_up(c.interface, &detail);
      finish(job, ok, std::move(detail));
      return;
    }
    case config::HealthKind::Route: {
      const bool ok = kernel_route_exists(c.route, c.table, &detail);
      finish(job, ok, std::move(detail));
      return;
    }
    case config::HealthKind::Command:
      probe_command(job);
      break;
    case config::HealthKind::Tcp:
    case config::HealthKind::Http:
      probe_socket(job);
      break;
  }
  if (!job->running) return;  // failed to start
  job->deadline.expires_after(std::chrono::milliseconds(c.timeout_ms));
  job->deadline.async_wait([this, job, seq = job->seq](boost::system::error_code ec) {
    if (ec || job->stopped || !job->running || seq != job->seq) return;
    const std::string why = fmt::format("timed out after {} ms", job->cfg->timeout_ms);
    if (job->pid > 0) {
      // The whole process group: `sh -c` and whatever it started. The pidfd becomes readable
      // when the child is gone; the result is reported then (after it is reaped).
      job->killed = true;
      ::kill(-job->pid, SIGKILL);
      return;
    }
    finish(job, false, why);
  });
}

void HealthProber::finish(const std::shared_ptr<Job>& job, bool ok, std::string detail) {
  if (!job->running) return;
  job->running = false;
  job->deadline.cancel();
  if (job->sock) {
    boost::system::error_code ec;
    job->sock->close(ec);
    job->sock.reset();
  }
  ProbeResult r;
  r.check = job->cfg;
  r.ok = ok;
  r.detail = std::move(detail);
  r.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - job->started);
  if (!job->stopped) report_(std::move(r));
}

void HealthProber::probe_command(const std::shared_ptr<Job>& job) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t at;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_init(&at);
  sigset_t none;
  sigset_t defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&defaults, s);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &defaults);
  posix_spawnattr_setpgroup(&at, 0);  // its own group: a timeout kills everything it started
  posix_spawnattr_setflags(&at,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const std::string sh = "/bin/sh";
  const std::string dash_c = "-c";
  std::string cmd = job->cfg->command;
  char* argv[] = {const_cast<char*>(sh.c_str()), const_cast<char*>(dash_c.c_str()), cmd.data(),
                  nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, sh.c_str(), &fa, &at, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  if (rc != 0) {
    finish(job, false, fmt::format("cannot start /bin/sh: {}", std::strerror(rc)));
    return;
  }
  job->pid = pid;
  job->killed = false;
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    const int err = errno;
    ::kill(-pid, SIGKILL);
    int st = 0;
    ::waitpid(pid, &st, 0);
    job->pid = -1;
    finish(job, false, fmt::format("pidfd_open: {}", std::strerror(err)));
    return;
  }
  job->pidfd = std::make_unique<asio::posix::stream_descriptor>(io_, fd);
  job->pidfd->async_wait(
      asio::posix::stream_descriptor::wait_read,
      [this, job, seq = job->seq](boost::system::error_code ec) {
        if (ec || job->stopped || seq != job->seq || job->pid <= 0) return;
        int st = 0;
        const pid_t done = ::waitpid(job->pid, &st, WNOHANG);
        job->pid = -1;
        job->pidfd.reset();
        if (done <= 0) {
          finish(job, false, "lost the child process");
        } else if (job->killed) {
          finish(job, false, fmt::format("timed out after {} ms (killed)", job->cfg->timeout_ms));
        } else if (WIFEXITED(st)) {
          finish(job, WEXITSTATUS(st) == 0, fmt::format("exit status {}", WEXITSTATUS(st)));
        } else if (WIFSIGNALED(st)) {
          finish(job, false, fmt::format("killed by signal {}", WTERMSIG(st)));
        } else {
          finish(job, false, "ended abnormally");
        }
      });
}

void HealthProber::probe_socket(const std::shared_ptr<Job>& job) {
  const config::HealthCheck& c = *job->cfg;
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(c.address.to_string(), ec);
  if (ec) {
    finish(job, false, "bad address " + c.address.to_string());
    return;
  }
  job->sock = std::make_unique<asio::ip::tcp::socket>(io_);
  job->response.clear();
  const asio::ip::tcp::endpoint ep(addr, c.port);
  job->sock->async_connect(ep, [this, job, seq = job->seq](boost::system::error_code cec) {
    if (job->stopped || seq != job->seq || !job->running) return;
    if (cec) {
      finish(job, false, cec.message());
      return;
    }
    const config::HealthCheck& hc = *job->cfg;
    if (hc.kind == config::HealthKind::Tcp) {
      finish(job, true, "connected");
      return;
    }
    const std::string host =
        hc.host.empty()
            ? (hc.address.is_v6() ? "[" + hc.address.to_string() + "]" : hc.address.to_string())
            : hc.host;
    job->request = fmt::format(
        "GET {} HTTP/1.0\r\nHost: {}\r\nUser-Agent: nvabgpd-health-check\r\nConnection: "
        "close\r\n\r\n",
        hc.path, host);
    asio::async_write(*job->sock, asio::buffer(job->request),
                      [this, job, seq](boost::system::error_code wec, std::size_t) {
                        if (job->stopped || seq != job->seq || !job->running) return;
                        if (wec) {
                          finish(job, false, wec.message());
                          return;
                        }
                        read_status(job, seq);
                      });
  });
}

}  // namespace nvabgpd::daemon

namespace nvabgpd::daemon {

// Reads until the status line ("HTTP/1.x NNN reason") is complete, then judges it.
void HealthProber::read_status(const std::shared_ptr<Job>& job, std::uint64_t seq) {
  job->sock->async_read_some(
      asio::buffer(job->buf), [this, job, seq](boost::system::error_code rec, std::size_t n) {
        if (job->stopped || seq != job->seq || !job->running) return;
        job->response.append(job->buf.data(), n);
        const auto eol = job->response.find("\r\n");
        if (eol == std::string::npos && !rec && job->response.size() < 1024) {
          read_status(job, seq);
          return;
        }
        const std::string line = job->response.substr(0, std::min(eol, job->response.size()));
        unsigned status = 0;
        if (line.size() >= 12 && line.compare(0, 5, "HTTP/") == 0 &&
            std::sscanf(line.c_str() + 9, "%3u", &status) == 1) {
          const bool ok = status == job->cfg->expect_status;
          finish(job, ok,
                 ok ? fmt::format("HTTP {}", status)
                    : fmt::format("HTTP {} (expected {})", status, job->cfg->expect_status));
        } else {
          finish(job, false,
                 rec ? "no HTTP status line: " + rec.message() : std::string("not an HTTP answer"));
        }
      });
}

}  // namespace nvabgpd::daemon

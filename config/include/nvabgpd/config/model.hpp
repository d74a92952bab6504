#pragma once
// The validated configuration model: plain values, no YAML types. Produced by load_config()
// (load.hpp), printed by to_yaml() (print.hpp), compared by diff_configs() (diff.hpp).
// Every value here has passed validation; defaults are filled in and templates are expanded,
// so consumers never look anything up elsewhere. Owned by whoever loaded it (the daemon keeps
// one immutable Config per generation and swaps it on reload).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nvabgpd/base/ip.hpp"
#include "nvabgpd/config/bfd.hpp"
#include "nvabgpd/wire/attributes.hpp"

namespace nvabgpd::config {

inline constexpr std::uint16_t kDefaultBgpPort = 179;
inline constexpr std::uint32_t kKernelTableMain = 254;
inline constexpr std::uint8_t kDefaultKernelProtocol = 186;  // "bgp" in rt_protos
inline constexpr std::uint32_t kDefaultKernelMetric = 32;
inline constexpr std::uint32_t kDefaultMaxPaths = 16;
inline constexpr std::uint16_t kDefaultHoldTime = 90;
inline constexpr std::uint16_t kDefaultConnectRetry = 120;
inline constexpr std::uint16_t kDefaultIdleHold = 5;
inline constexpr std::uint16_t kDefaultIdleHoldMax = 120;
inline constexpr std::uint64_t kDefaultSendQueueLimit = std::uint64_t{64} << 20;
inline constexpr std::uint16_t kDefaultMetricsPort = 9179;
inline constexpr const char* kDefaultControlSocket = "/run/nvabgpd/nvabgpd.ctl";

enum class LogLevel : std::uint8_t { Trace, Debug, Info, Warn, Error, Critical, Off };

struct ListenAddress {
  base::IpAddress address;
  std::uint16_t port = kDefaultBgpPort;
  bool operator==(const ListenAddress&) const = default;
};

// A BIRD-syntax filter file. `written` is the path as it appears in the config, `path` the
// resolved absolute path (relative paths are resolved against the config file's directory).
struct FilterFile {
  std::string written;
  std::string path;
  bool operator==(const FilterFile&) const = default;
};

struct KernelConfig {
  bool enabled = true;  // false: never touch the kernel FIB
  std::uint32_t table = kKernelTableMain;
  std::uint8_t protocol = kDefaultKernelProtocol;
  std::uint32_t metric = kDefaultKernelMetric;
  bool persist = false;                        // leave routes installed on clean shutdown
  std::uint32_t max_paths = kDefaultMaxPaths;  // ECMP width; 1 disables multipath
  // Initial convergence (after which routes adopted from the kernel at start and not
  // re-learned are removed): how long to wait for a configured peer to come up, and for an
  // established peer's End-of-RIB. Seconds.
  std::uint32_t peer_up_wait = 60;
  std::uint32_t end_of_rib_wait = 60;
  // The table BGP next hops resolve through (BIRD's igp table): main by default, also when
  // routes go to another table for policy routing.
  std::uint32_t resolve_table = kKernelTableMain;
  bool operator==(const KernelConfig&) const = default;
};

// Health checks (issue 14): named probes run off the BGP thread; `originate` items and peers'
// exports track them. Exactly one kind per check.
enum class HealthKind : std::uint8_t {
  Command,    // /bin/sh -c COMMAND exits 0 within the timeout
  Interface,  // the interface is up with carrier (IFF_UP and IFF_RUNNING)
  Route,      // a kernel route for exactly this prefix exists in the table
  Tcp,        // a TCP connection to address:port is accepted
  Http,       // GET path on address:port answers with the expected status
};

struct HealthCheck {
  std::string name;
  HealthKind kind = HealthKind::Command;
  std::string command;                     // Command
  std::string interface;                   // Interface
  base::Prefix route;                      // Route
  std::uint32_t table = kKernelTableMain;  // Route
  base::IpAddress address;                 // Tcp, Http
  std::uint16_t port = 0;                  // Tcp, Http
  std::string path = "/";                  // Http
  std::string host;                        // Http Host header ("" : the address)
  std::uint16_t expect_status = 200;       // Http
  std::uint32_t interval_ms = 1000;        // between the starts of two probes
  std::uint32_t timeout_ms = 1000;         // a probe running longer fails (a command is killed)
  std::uint32_t rise = 2;                  // consecutive successes to go up
  std::uint32_t fall = 2;                  // consecutive failures to go down
  bool operator==(const HealthCheck&) const = default;
};
std::string_view to_string(HealthKind k);

// What a tracked announcement becomes while a tracked check is down (all tracked checks must
// be up for the plain announcement). withdraw, or keep it with a longer AS path and/or extra
// communities.
struct TrackAction {
  bool withdraw = true;
  std::uint8_t prepend = 0;  // extra copies of our ASN
  std::vector<wire::Community> communities;
  std::string to_string() const;  // "withdraw", "prepend 3, communities 65000:666"
  bool operator==(const TrackAction&) const = default;
};

struct Tracking {
  std::vector<std::string> checks;  // empty: not tracked
  TrackAction on_failure;
  bool empty() const { return checks.empty(); }
  std::string to_string() const;  // "none" or "fw, link: withdraw"
  bool operator==(const Tracking&) const = default;
};

// `shutdown:` what SIGTERM does before the sessions close.
struct ShutdownConfig {
  std::uint32_t drain_seconds = 0;  // 0: close at once; N: drain (RFC 8326), wait N s, close
  std::string message = "nvabgpd shutting down";  // RFC 8203 shutdown communication
  bool operator==(const ShutdownConfig&) const = default;
};

// A locally originated route. Attributes not set here take the usual defaults (ORIGIN IGP, no
// MED, LOCAL_PREF 100 toward iBGP, next hop self). Export filters apply to it like any route.
struct Originate {
  base::Prefix prefix;
  wire::Origin origin = wire::Origin::Igp;
  std::optional<std::uint32_t> med;
  std::optional<std::uint32_t> local_pref;
  std::vector<wire::Community> communities;
  std::vector<wire::LargeCommunity> large_communities;
  std::uint8_t as_path_prepend = 0;         // extra copies of the local ASN
  std::optional<base::IpAddress> next_hop;  // default: self
  Tracking track;                           // health checks this announcement follows
  bool operator==(const Originate&) const = default;
};

struct ControlConfig {
  std::string socket = kDefaultControlSocket;
  bool operator==(const ControlConfig&) const = default;
};

struct MetricsConfig {
  bool enabled = false;
  base::IpAddress address = base::IpAddress::v4(0x7F000001);  // loopback only
  std::uint16_t port = kDefaultMetricsPort;
  bool operator==(const MetricsConfig&) const = default;
};

// A BMP (RFC 7854) monitoring station nvabgpd connects to.
struct BmpStation {
  base::IpAddress address;
  std::uint16_t port = 0;
  std::uint64_t buffer = 16u << 20;   // bytes queued for the station before it is resynced
  std::uint32_t stats_interval = 60;  // seconds between Statistics Reports (0: none)
  bool operator==(const BmpStation&) const = default;
};

// MRT (RFC 6396) dumps: TABLE_DUMP_V2 snapshots and BGP4MP messages into files named by a
// strftime pattern, a new file every `interval` seconds.
struct MrtConfig {
  bool enabled = false;
  std::string file;            // strftime pattern, as written (relative: to the config dir)
  std::string path;            // the pattern resolved against the config directory
  std::uint32_t interval = 0;  // seconds; 0: one file, a snapshot only at start
  bool table_dump = true;
  bool messages = true;
  bool operator==(const MrtConfig&) const = default;
};

// import/export policy of a peer: everything, nothing, or a named filter from a filter file.
struct FilterRef {
  enum class Kind : std::uint8_t { All, None, Named };
  Kind kind = Kind::None;
  std::string name;  // when Named
  static FilterRef all() { return {Kind::All, {}}; }
  static FilterRef none() { return {Kind::None, {}}; }
  static FilterRef named(std::string n) { return {Kind::Named, std::move(n)}; }
  std::string to_string() const;  // "all", "none" or the name
  bool operator==(const FilterRef&) const = default;
};

enum class LimitAction : std::uint8_t {
  Warn,     // log only
  Block,    // stop accepting (import) or advertising (export) new prefixes
  Restart,  // import only: close the session, reconnect after restart_delay
};

struct PrefixLimit {
  std::uint32_t max = 0;
  LimitAction action = LimitAction::Warn;
  std::uint32_t restart_delay = 60;  // seconds, for Restart
  bool operator==(const PrefixLimit&) const = default;
};

struct GracefulRestart {
  bool enabled = false;
  std::uint16_t restart_time = 120;  // advertised in the capability (max 4095)
  std::uint32_t stale_time = 360;    // helper: keep a restarting peer's stale routes this long
  bool operator==(const GracefulRestart&) const = default;
};

struct PeerConfig {
  std::string name;
  base::IpAddress address;
  std::uint16_t port = kDefaultBgpPort;  // remote TCP port
  std::uint32_t asn = 0;
  std::string template_name;        // as written on the peer ("" when none)
  bool azure_route_server = false;  // the built-in azure-route-server template applies
  std::string description;
  std::optional<base::IpAddress> local_address;
  // Next hop (self) for IPv6 routes sent over an IPv4 session; unset: a global address of the
  // session's interface, when it has one.
  std::optional<base::IpAddress> ipv6_next_hop;
  // eBGP: nullopt = directly connected (TTL 1); N = up to N hops. iBGP ignores it (TTL 64).
  std::optional<std::uint8_t> multihop;
  bool ttl_security = false;                   // GTSM, RFC 5082
  std::string password;                        // TCP-MD5, RFC 2385; empty = none
  std::uint16_t hold_time = kDefaultHoldTime;  // 0 or 3..65535 seconds
  std::uint16_t keepalive = kDefaultHoldTime / 3;
  std::uint16_t connect_retry = kDefaultConnectRetry;
  // DampPeerOscillations (RFC 4271 8.1.1): hold-down after a failure, doubling per consecutive
  // failure up to idle_hold_max; applies to our connects and to the peer's incoming ones.
  std::uint16_t idle_hold = kDefaultIdleHold;
  std::uint16_t idle_hold_max = kDefaultIdleHoldMax;
  // RFC 9687 SendHoldTime in seconds; nullopt: max(480, 2 x hold time).
  std::optional<std::uint16_t> send_hold_time;
  std::uint64_t send_queue_limit = kDefaultSendQueueLimit;  // bytes; above: Cease/Out of Resources
  bool passive = false;
  std::vector<wire::AfiSafi> families;  // never empty
  FilterRef import_filter;
  FilterRef export_filter;
  bool next_hop_self = false;
  bool route_reflector_client = false;
  std::optional<std::uint32_t> cluster_id;  // default: router id
  bool route_server_client = false;
  std::uint8_t allowas_in = 0;  // accept paths holding our ASN up to this many times
  // LOCAL_PREF given to received routes without one, before the import filter (BIRD's
  // `default bgp_local_pref`); unset: 100.
  std::optional<std::uint32_t> default_local_pref;
  bool always_compare_med = false;
  std::optional<PrefixLimit> import_limit;
  std::optional<PrefixLimit> export_limit;
  GracefulRestart graceful_restart;
  bool soft_reconfiguration = false;  // keep the pre-policy Adj-RIB-In
  bool route_refresh = true;          // advertise/answer ROUTE-REFRESH (RFC 2918)
  BfdConfig bfd;                      // RFC 5880/5881/5883 (lib/bfd)
  bool enabled = true;
  Tracking track;  // health checks every export to this peer follows

  bool operator==(const PeerConfig&) const = default;
};

struct Config {
  base::IpAddress router_id;
  std::uint32_t asn = 0;
  std::vector<ListenAddress> listen;
  std::vector<FilterFile> filters;
  KernelConfig kernel;
  std::vector<Originate> originate;
  ControlConfig control;
  MetricsConfig metrics;
  std::vector<BmpStation> bmp;
  MrtConfig mrt;
  LogLevel log_level = LogLevel::Info;
  std::vector<PeerConfig> peers;
  std::vector<HealthCheck> health_checks;
  ShutdownConfig shutdown;

  const PeerConfig* find_peer(std::string_view name) const;
  bool is_ibgp(const PeerConfig& p) const { return p.asn == asn; }
  bool operator==(const Config&) const = default;
};

std::string_view to_string(LogLevel l);
std::string_view to_string(LimitAction a);
std::string_view family_name(wire::AfiSafi f);  // "ipv4-unicast" / "ipv6-unicast"

}  // namespace nvabgpd::config

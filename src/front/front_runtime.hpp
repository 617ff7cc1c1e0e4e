// What every session of a front role shares: users and their policies, TLS contexts, peer
// rules, rate and connection limits, the audit log, and the statement gate that applies them.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/front_config.hpp"
#include "engine/client_connection.hpp"
#include "front/audit_log.hpp"
#include "front/learned_allowlist.hpp"
#include "front/rate_limiter.hpp"
#include "net/mysql_client.hpp"
#include "net/peer_check.hpp"
#include "policy/policy.hpp"
#include "sql/classifier.hpp"
#include "sql/digest.hpp"

namespace sqlgate::front {

// How a front knows who its client is.
enum class Authentication {
    password,     // the gatekeeper: mysql_native_password against its own hashes
    certificate,  // the trusted host: the gatekeeper's certificate vouches for the user name
};

// One front role, described once by the role (gatekeeper, trusted host) from its config.
struct FrontSettings {
    std::string role;  // "gatekeeper", "trusted-host": logs and audit
    config::FrontListener listener;
    config::TlsFiles tls;
    bool allow_plain_from_loopback = false;
    config::PeerAccess access;
    Authentication authentication = Authentication::password;
    config::UpstreamHop upstream;
    std::vector<config::FrontUser> users;
    // Certificate mode: the credentials each user logs in upstream with. Password mode: none
    // (the front holds no credentials and asserts the user over mutual TLS).
    std::map<std::string, config::Credentials> upstream_credentials;
    config::RateLimits rate_limits;
    std::string audit_file;                // empty: no audit log
    std::filesystem::path allowlist_file;  // [firewall] allowlist; empty: none
    config::AdminListener admin;
    std::size_t threads = 1;  // event-loop threads, the control thread's included
    config::EventLoopIo io = config::EventLoopIo::io_uring;  // what the workers wait on
    std::string config_digest;  // of the file these settings came from (see config::digest)
};

// The gate's answer for one statement.
struct GateVerdict {
    enum class Kind { allow, reject, rate_limited } kind = Kind::allow;
    policy::Rule rule = policy::Rule::none;
    std::string message;  // for the client, naming the rule
    double retry_after_s = 0;
    sql::StatementInfo info;

    bool allowed() const { return kind == Kind::allow; }
};

// The error a client of the MySQL listener gets for a refused statement.
engine::ErrorReply verdict_error(const GateVerdict& verdict);

// One refused statement as the dashboard lists it: its digest, never its values.
struct RecentRefusal {
    std::string time;  // UTC, as in the audit log
    std::string user;
    std::string rule;
    std::string digest;  // sql::StatementDigest::hash in hex
};

// What the gate decided, for /metrics and /status.
// What a counted statement was: its class, or unclassified (refused before it was read, by
// a rate limit or as a command the gate does not carry).
inline constexpr std::array<std::string_view, 6> kStatementKindNames = {
    "read", "write", "transaction", "session_state", "other", "unclassified"};
inline constexpr std::size_t kUnclassified = kStatementKindNames.size() - 1;

struct GateCounters {
    // Statements by front (AuditFront), verdict (0: refused, 1: allowed) and kind (the
    // sql::StatementClass, or kUnclassified).
    std::array<std::array<std::array<std::uint64_t, kStatementKindNames.size()>, 2>, 2>
        statements{};
    std::uint64_t total(bool allowed) const;
    std::map<std::string, std::uint64_t, std::less<>> refusals;  // by rule id
    std::deque<RecentRefusal> recent_refusals;                   // the last few, oldest first
    // Statements of users in detect (0) and protect (1) whose shape the allowlist lacks.
    std::array<std::uint64_t, 2> allowlist_misses{};
};

// Shared by every event-loop thread of the role. What a reload replaces (users, upstream
// credentials, rate limits, the allowlist) and what every statement updates (rate buckets,
// learned shapes, counters, the audit file) is behind one mutex, taken around those steps
// only: lexing, the policy's checks and the relay run unlocked. The rest is fixed at start-up.
class FrontRuntime {
  public:
    // Throws at start-up on unreadable TLS files or an unopenable audit log.
    explicit FrontRuntime(FrontSettings settings);
    FrontRuntime(const FrontRuntime&) = delete;
    FrontRuntime& operator=(const FrontRuntime&) = delete;

    // What a reload changes in it (users, upstream_credentials, rate_limits, allowlist_file,
    // config_digest) is read on the control thread only (the thread that reloads); sessions
    // use find_user and upstream_login.
    const FrontSettings& settings() const { return settings_; }
    // Shared with the sessions: a reload that changes or removes the user leaves a session's
    // login (and policy) as it was; new logins get the new one.
    std::shared_ptr<const config::FrontUser> find_user(std::string_view name) const;
    // Applies re-read settings (SIGHUP) without dropping a session: users with their
    // policies, the credentials they log in upstream with, and the rate limits (whose
    // buckets start full again). What needs a restart is named in `ignored`.
    void reload(FrontSettings next, std::vector<std::string>& ignored);
    boost::asio::ssl::context* server_tls() { return server_tls_ ? &*server_tls_ : nullptr; }
    const net::PeerCheck& peers() const { return peers_; }
    ConnectionLimiter& connections() { return connections_; }
    std::uint32_t next_connection_id() {
        return last_connection_id_.fetch_add(1, std::memory_order_relaxed) + 1;
    }

    // Where and how a session of `user` reaches the next hop.
    const net::UpstreamAddress& upstream() const { return upstream_; }
    net::Login upstream_login(const config::FrontUser& user) const;
    // MariaDB capabilities to offer clients: what the upstream offered when a session last
    // logged in there (none before the first), so a client never negotiates what the hop
    // behind cannot relay.
    mysql::MariadbCapability upstream_mariadb_capabilities() const {
        return upstream_mariadb_.load(std::memory_order_relaxed);
    }
    void note_upstream_mariadb_capabilities(mysql::MariadbCapability offered) {
        upstream_mariadb_.store(offered & mysql::kRelayedMariadbCapabilities,
                                std::memory_order_relaxed);
    }
    // For a session that named no schema: enters the user's default schema upstream if it
    // exists (the policy resolves unqualified names in it, so the server should too).
    // Returns the schema entered, or "" (none configured, or it does not exist yet).
    boost::asio::awaitable<std::string> enter_default_schema(net::PacketChannel& upstream,
                                                             const config::FrontUser& user,
                                                             mysql::Capability capabilities);

    // Rate limits, then the user's policy, then the learned allowlist (firewall mode), then
    // one audit record: every statement from either front (MySQL listener or HTTP API)
    // passes here exactly once.
    GateVerdict check_statement(const config::FrontUser& user, std::string_view source,
                                std::string_view sql, std::string_view current_schema,
                                AuditFront front);
    // The rate limits alone, for work whose text was checked before: each COM_STMT_EXECUTE
    // of a statement the policy let through at prepare time. Audits only a refusal.
    GateVerdict check_rate(const config::FrontUser& user, std::string_view source,
                           std::string_view what, AuditFront front);
    GateCounters counters() const;  // a copy: the sessions go on counting
    // The statement allowlist in force (with what was learned since it was read), in its
    // file form, with one user's shapes or (user "") everyone's; empty when the config names
    // none.
    std::optional<std::string> allowlist_text(std::string_view user) const;
    std::optional<std::size_t> allowlist_size() const;
    // Opens the audit log file again (after logrotate moved it); logs the outcome.
    void reopen_logs();
    // Records a decision the gate did not make (a command refused outright).
    // `whole` is the statement's digest when the gate made one already (kWholeDigestText).
    void audit(const config::FrontUser& user, std::string_view source, std::string_view sql,
               AuditFront front, bool allowed, std::string_view rule,
               std::size_t kind = kUnclassified, const sql::StatementDigest* whole = nullptr);

  private:
    // What audit_locked needs of a statement: its abridged digest (from `whole`, its whole
    // shape, when there is one), or none for an allowed statement without an audit log.
    std::optional<sql::StatementDigest> audit_digest(std::string_view sql, bool allowed,
                                                     const sql::StatementDigest* whole) const;
    // With mutex_ held. `digest` is what audit_digest gave (null: only the counters change).
    void audit_locked(const config::FrontUser& user, std::string_view source, AuditFront front,
                      bool allowed, std::string_view rule, std::size_t kind,
                      const sql::StatementDigest* digest);
    // With mutex_ held and an allowlist in force.
    // The allowlist's part of the verdict for a statement the policy allowed; returns the
    // rule to audit (not_in_allowlist for a miss, also in detect, where it passes).
    policy::Rule check_allowlist(const config::FrontUser& user, policy::FirewallMode mode,
                                 const sql::StatementDigest& shape, GateVerdict& verdict);

    mutable std::mutex mutex_;  // see the class comment
    FrontSettings settings_;
    std::map<std::string, std::shared_ptr<const config::FrontUser>, std::less<>> users_;
    std::optional<boost::asio::ssl::context> server_tls_;
    std::atomic<mysql::MariadbCapability> upstream_mariadb_{mysql::MariadbCapability::none};
    std::optional<boost::asio::ssl::context> upstream_tls_;
    net::PeerCheck peers_;
    net::UpstreamAddress upstream_;
    std::optional<RateLimiter> rate_limiter_;
    ConnectionLimiter connections_;
    std::unique_ptr<AuditLog> audit_;
    std::unique_ptr<LearnedAllowlist> allowlist_;
    GateCounters counters_;
    std::atomic<std::uint32_t> last_connection_id_{0};
};

}  // namespace sqlgate::front

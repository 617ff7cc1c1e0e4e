#include "front/front_runtime.hpp"

#include <cmath>

#include "net/tls.hpp"
#include "obs/log.hpp"
#include "sql/digest.hpp"

namespace sqlgate::front {

engine::ErrorReply verdict_error(const GateVerdict& verdict) {
    const std::uint16_t code = verdict.kind == GateVerdict::Kind::rate_limited
                                   ? mysql::error_code::resource_limit
                                   : mysql::error_code::statement_rejected;
    return {code, "42000", verdict.message};
}

namespace {

RateLimiter rate_limiter_for(const config::RateLimits& limits) {
    return RateLimiter(RateLimit{limits.per_user_per_second, limits.per_user_burst},
                       RateLimit{limits.per_source_per_second, limits.per_source_burst});
}

std::unique_ptr<LearnedAllowlist> allowlist_for(const FrontSettings& s) {
    if (s.allowlist_file.empty()) return nullptr;
    return std::make_unique<LearnedAllowlist>(s.allowlist_file, s.users);
}

}  // namespace

FrontRuntime::FrontRuntime(FrontSettings settings)
    : settings_(std::move(settings)),
      peers_(settings_.access),
      connections_(ConnectionLimits{.max_total = settings_.listener.max_connections,
                                    .max_per_source = settings_.listener.max_connections_per_source,
                                    .max_per_user = settings_.listener.max_connections_per_user}) {
    rate_limiter_.emplace(rate_limiter_for(settings_.rate_limits));
    for (const config::FrontUser& user : settings_.users)
        users_.emplace(user.name, std::make_shared<const config::FrontUser>(user));
    if (settings_.tls.enabled()) {
        server_tls_.emplace(net::make_server_tls(settings_.tls, peers_.needs_certificate()));
    }
    upstream_tls_.emplace(net::make_client_tls(settings_.upstream.tls));
    upstream_.endpoint = {boost::asio::ip::make_address(settings_.upstream.address),
                          settings_.upstream.port};
    if (settings_.upstream.source_address) {
        upstream_.source = boost::asio::ip::make_address(*settings_.upstream.source_address);
    }
    upstream_.tls = {.context = &*upstream_tls_, .server_name = settings_.upstream.server_name};
    if (!settings_.audit_file.empty()) audit_ = std::make_unique<AuditLog>(settings_.audit_file);
    allowlist_ = allowlist_for(settings_);
}

std::shared_ptr<const config::FrontUser> FrontRuntime::find_user(std::string_view name) const {
    const std::lock_guard lock(mutex_);
    const auto it = users_.find(name);
    return it == users_.end() ? nullptr : it->second;
}

void FrontRuntime::reload(FrontSettings next, std::vector<std::string>& ignored) {
    // Built first: a limit it refuses, or an allowlist file it cannot read, changes nothing.
    RateLimiter limiter = rate_limiter_for(next.rate_limits);
    std::unique_ptr<LearnedAllowlist> allowlist = allowlist_for(next);
    auto note = [&](bool changed, std::string_view what) {
        if (changed) ignored.emplace_back(what);
    };
    const auto& now = settings_;
    note(next.listener.address != now.listener.address || next.listener.port != now.listener.port,
         "listener address");
    note(next.listener.max_connections != now.listener.max_connections ||
             next.listener.max_connections_per_source != now.listener.max_connections_per_source ||
             next.listener.max_connections_per_user != now.listener.max_connections_per_user,
         "connection limits");
    note(next.tls.certificate != now.tls.certificate || next.tls.ca != now.tls.ca, "tls");
    note(next.access.allowed_sources != now.access.allowed_sources ||
             next.access.client_certificate_names != now.access.client_certificate_names,
         "access");
    note(next.upstream.address != now.upstream.address || next.upstream.port != now.upstream.port,
         "upstream");
    note(next.audit_file != now.audit_file, "audit file");
    note(next.admin != now.admin, "admin listener");
    note(next.threads != now.threads, "runtime threads");
    note(next.io != now.io, "runtime io");
    decltype(users_) users;
    for (const config::FrontUser& user : next.users) {
        users.emplace(user.name, std::make_shared<const config::FrontUser>(user));
    }
    const std::lock_guard lock(mutex_);
    users_ = std::move(users);
    rate_limiter_.emplace(std::move(limiter));
    settings_.users = std::move(next.users);
    settings_.upstream_credentials = std::move(next.upstream_credentials);
    settings_.rate_limits = next.rate_limits;
    settings_.allowlist_file = std::move(next.allowlist_file);
    allowlist_ = std::move(allowlist);
    // The file's digest now names what is in force, but for the settings listed as ignored.
    settings_.config_digest = std::move(next.config_digest);
}

net::Login FrontRuntime::upstream_login(const config::FrontUser& user) const {
    net::Login login;
    const std::lock_guard lock(mutex_);
    const auto it = settings_.upstream_credentials.find(user.name);
    if (it != settings_.upstream_credentials.end()) {
        login.user = it->second.user;
        login.password = it->second.password;
    } else {
        // Asserted over mutual TLS: the next hop trusts our certificate for the name.
        login.user = user.name;
    }
    return login;
}

boost::asio::awaitable<std::string> FrontRuntime::enter_default_schema(
    net::PacketChannel& upstream, const config::FrontUser& user, mysql::Capability capabilities) {
    if (!user.policy.default_schema) co_return std::string();
    const std::string& schema = *user.policy.default_schema;
    net::CommandResult result;
    if (co_await net::run_command(upstream, mysql::Command::init_db, schema, capabilities,
                                  result) ||
        result.failed) {
        co_return std::string();
    }
    co_return schema;
}

GateVerdict FrontRuntime::check_statement(const config::FrontUser& user, std::string_view source,
                                          std::string_view sql, std::string_view current_schema,
                                          AuditFront front) {
    GateVerdict verdict = check_rate(user, source, sql, front);
    if (!verdict.allowed()) return verdict;
    // Lexing, the policy and the statement's digests need no lock.
    verdict.info = sql::describe(sql, policy::describe_options());
    policy::Verdict policy_verdict =
        policy::check_statement(sql, verdict.info, user.policy, current_schema);
    const auto kind = static_cast<std::size_t>(verdict.info.statement_class);
    if (!policy_verdict.allowed) {
        verdict.kind = GateVerdict::Kind::reject;
        verdict.rule = policy_verdict.rule;
        verdict.message =
            "sqlgate: statement rejected by rule " + std::move(policy_verdict.message);
        audit(user, source, sql, front, false, policy::to_string(policy_verdict.rule), kind);
        return verdict;
    }
    policy::FirewallMode mode = policy::FirewallMode::off;
    {
        const std::lock_guard lock(mutex_);
        if (allowlist_) mode = allowlist_->mode_of(user);
    }
    if (mode == policy::FirewallMode::off) {
        audit(user, source, sql, front, true, policy::to_string(policy::Rule::none), kind);
        return verdict;
    }
    const sql::StatementDigest shape = sql::digest(sql, {}, sql::kWholeDigestText);
    const std::lock_guard lock(mutex_);
    // A reload in between may have removed the allowlist: the statement then passes as with
    // none.
    const policy::Rule rule =
        allowlist_ ? check_allowlist(user, mode, shape, verdict) : policy::Rule::none;
    // From the whole shape: a copy, cut when long, not another pass over the statement.
    const auto digest = audit_digest(sql, verdict.allowed(), &shape);
    audit_locked(user, source, front, verdict.allowed(), policy::to_string(rule), kind,
                 digest ? &*digest : nullptr);
    return verdict;
}

policy::Rule FrontRuntime::check_allowlist(const config::FrontUser& user, policy::FirewallMode mode,
                                           const sql::StatementDigest& shape,
                                           GateVerdict& verdict) {
    using policy::FirewallMode;
    if (mode == FirewallMode::learn) {
        allowlist_->learn(user.name, shape.text);
        return policy::Rule::none;
    }
    if (allowlist_->contains(user.name, shape.text)) return policy::Rule::none;
    ++counters_.allowlist_misses[mode == FirewallMode::protect ? 1 : 0];
    if (mode == FirewallMode::protect) {
        verdict.kind = GateVerdict::Kind::reject;
        verdict.rule = policy::Rule::not_in_allowlist;
        verdict.message = "sqlgate: statement rejected by rule not_in_allowlist: statement shape " +
                          sql::hex64(shape.hash) + " is not in the allowlist of user '" +
                          user.name + "'";
    }
    return policy::Rule::not_in_allowlist;
}

GateVerdict FrontRuntime::check_rate(const config::FrontUser& user, std::string_view source,
                                     std::string_view what, AuditFront front) {
    const std::lock_guard lock(mutex_);
    GateVerdict verdict;
    const auto limit = rate_limiter_->check(user.name, source, std::chrono::steady_clock::now());
    if (limit.allowed()) return verdict;
    verdict.kind = GateVerdict::Kind::rate_limited;
    verdict.retry_after_s = std::chrono::duration<double>(limit.retry_after).count();
    const char* which = limit.hit == LimitHit::user ? "user" : "source address";
    verdict.message = "sqlgate: rate_limit: too many statements for this " + std::string(which) +
                      "; retry in " +
                      std::to_string(static_cast<int>(std::ceil(verdict.retry_after_s))) + " s";
    const auto digest = audit_digest(what, false, nullptr);  // a refusal: rare, and audited
    audit_locked(user, source, front, false, "rate_limit", kUnclassified, &*digest);
    return verdict;
}

std::uint64_t GateCounters::total(bool allowed) const {
    std::uint64_t sum = 0;
    for (const auto& by_verdict : statements) {
        for (const std::uint64_t count : by_verdict[allowed ? 1 : 0])
            sum += count;
    }
    return sum;
}

GateCounters FrontRuntime::counters() const {
    const std::lock_guard lock(mutex_);
    return counters_;
}

std::optional<std::string> FrontRuntime::allowlist_text(std::string_view user) const {
    const std::lock_guard lock(mutex_);
    if (!allowlist_) return std::nullopt;
    return allowlist_->list().to_text(user);
}

std::optional<std::size_t> FrontRuntime::allowlist_size() const {
    const std::lock_guard lock(mutex_);
    if (!allowlist_) return std::nullopt;
    return allowlist_->list().size();
}

void FrontRuntime::reopen_logs() {
    const std::lock_guard lock(mutex_);
    if (!audit_ || audit_->path() == "-") return;
    if (audit_->reopen()) {
        obs::log(obs::LogLevel::info, "audit_log_reopened",
                 {{"role", settings_.role}, {"file", audit_->path()}});
    } else {
        obs::log(obs::LogLevel::error, "audit_log_reopen_failed",
                 {{"role", settings_.role},
                  {"file", audit_->path()},
                  {"meaning", "still writing to the file it had open"}});
    }
}

void FrontRuntime::audit(const config::FrontUser& user, std::string_view source,
                         std::string_view sql, AuditFront front, bool allowed,
                         std::string_view rule, std::size_t kind,
                         const sql::StatementDigest* whole) {
    const auto digest = audit_digest(sql, allowed, whole);  // outside the lock: it lexes
    const std::lock_guard lock(mutex_);
    audit_locked(user, source, front, allowed, rule, kind, digest ? &*digest : nullptr);
}

std::optional<sql::StatementDigest> FrontRuntime::audit_digest(
    std::string_view sql, bool allowed, const sql::StatementDigest* whole) const {
    // An allowed statement with no audit log needs no digest: the common path stays cheap.
    // (Whether there is an audit log is fixed at start-up.)
    if (allowed && !audit_) return std::nullopt;
    return whole ? sql::abridged(*whole) : sql::digest(sql);
}

void FrontRuntime::audit_locked(const config::FrontUser& user, std::string_view source,
                                AuditFront front, bool allowed, std::string_view rule,
                                std::size_t kind, const sql::StatementDigest* digest) {
    ++counters_.statements[static_cast<std::size_t>(front)][allowed ? 1 : 0][kind];
    if (digest == nullptr) return;  // allowed, and no audit log
    const auto now = std::chrono::system_clock::now();
    if (!allowed) {
        const auto it = counters_.refusals.find(rule);
        if (it != counters_.refusals.end()) {
            ++it->second;
        } else {
            counters_.refusals.emplace(std::string(rule), 1);
        }
        constexpr std::size_t kRecentRefusals = 20;
        auto& recent = counters_.recent_refusals;
        if (recent.size() == kRecentRefusals) recent.pop_front();
        recent.push_back(
            {utc_timestamp(now), user.name, std::string(rule), sql::hex64(digest->hash)});
    }
    if (!audit_) return;
    audit_->record({.time = now,
                    .user = user.name,
                    .source = source,
                    .role = settings_.role,
                    .front = front,
                    .digest = digest->hash,
                    .statement = digest->text,
                    .verdict = allowed ? AuditVerdict::allow : AuditVerdict::reject,
                    .rule = rule});
}

}  // namespace sqlgate::front

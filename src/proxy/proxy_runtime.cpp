#include "proxy/proxy_runtime.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>

#include "net/tls.hpp"

namespace sqlgate::proxy {

ProxyRuntime::ProxyRuntime(const config::ProxyConfig& config,
                           std::shared_ptr<boost::asio::ssl::context> tls)
    : config_(&config), rng_(std::random_device{}()), peers_(config.access) {
    if (config.tls.enabled()) {
        tls_ = tls ? std::move(tls)
                   : std::make_shared<boost::asio::ssl::context>(
                         net::make_server_tls(config.tls, peers_.needs_certificate()));
    }
    failover_status_ = config.failover == config::FailoverMode::off
                           ? "failover is off"
                           : "failover has not started yet";
    // Never reallocated: the monitor and sessions hold references to servers while a reload
    // adds others.
    backends_.reserve(kMaxBackends);
    for (const config::ServerConfig& s : config.servers) {
        BackendState& b = add_backend(s);
        if (s.role == config::ServerRole::primary) {
            b.is_primary = true;
            primary_index_ = b.index;
        }
    }
    apply_settings(config);
    apply_pool_limits();
}

BackendState& ProxyRuntime::add_backend(const config::ServerConfig& s) {
    BackendState b;
    b.index = backends_.size();
    b.name = s.name;
    b.priority = s.priority;
    b.address.endpoint = {boost::asio::ip::make_address(s.address), s.port};
    if (config_->source_address) {
        b.address.source = boost::asio::ip::make_address(*config_->source_address);
    }
    backends_.push_back(std::move(b));
    return backends_.back();
}

void ProxyRuntime::apply_pool_limits() {
    // The limit is the process's: each thread that serves clients opens its share (at least
    // one; the control thread's goes unused when workers serve).
    const std::size_t limit = config_->max_connections_per_server;
    const std::size_t share = limit == 0 ? 0 : std::max<std::size_t>(1, limit / serving_threads_);
    for (BackendState& b : backends_)
        b.links->set_limit(share);
}

void ProxyRuntime::apply_settings(const config::ProxyConfig& config) {
    decltype(users_) users;
    for (const config::UserConfig& u : config.users) {
        const auto hash = mysql::parse_native_password_hash(u.password_hash);
        if (!hash) throw config::ConfigError("user '" + u.name + "': malformed password_hash");
        users[u.name] = std::make_shared<const ProxyUser>(
            ProxyUser{u.name, *hash, u.default_route, u.max_replication_lag_s});
    }
    users_ = std::move(users);
    describe_options_.replica_safe_functions = config.replica_safe_functions;
    limits_.failure_threshold = config.failure_threshold;
    limits_.max_replication_lag_s = config.max_replication_lag_s;
}

std::vector<BackendState*> ProxyRuntime::reload(std::unique_ptr<const config::ProxyConfig> next,
                                                std::vector<std::string>& ignored) {
    const config::ProxyConfig& now = *config_;
    // Checked first, so that a refused reload changes nothing.
    std::size_t slots = backends_.size();
    for (const config::ServerConfig& s : next->servers) {
        const BackendState* known = find_backend(s.name, true);
        if (known == nullptr) {
            ++slots;
            continue;
        }
        if (known->address.endpoint !=
            net::tcp::endpoint{boost::asio::ip::make_address(s.address), s.port}) {
            throw config::ConfigError("server '" + s.name +
                                      "': a new address needs a new name (or a restart)");
        }
    }
    if (slots > kMaxBackends) {
        throw config::ConfigError("more than " + std::to_string(kMaxBackends) +
                                  " servers since start (removed ones count until a restart)");
    }
    for (const BackendState& b : backends_) {
        const bool kept =
            std::any_of(next->servers.begin(), next->servers.end(),
                        [&](const config::ServerConfig& s) { return s.name == b.name; });
        if (b.is_primary && !kept) {
            throw config::ConfigError("server '" + b.name +
                                      "' is the primary: it cannot be removed");
        }
    }
    apply_settings(*next);  // may throw on a user's hash, before anything else changes

    std::vector<BackendState*> added;
    for (BackendState& b : backends_) {
        b.removed = std::none_of(next->servers.begin(), next->servers.end(),
                                 [&](const config::ServerConfig& s) { return s.name == b.name; });
    }
    for (const config::ServerConfig& s : next->servers) {
        if (BackendState* known = find_backend(s.name, true)) {
            known->priority = s.priority;
            continue;
        }
        added.push_back(&add_backend(s));
    }
    auto note = [&](bool changed, std::string_view what) {
        if (changed) ignored.emplace_back(what);
    };
    note(next->listen_address != now.listen_address || next->listen_port != now.listen_port,
         "listener address");
    note(next->tls.certificate != now.tls.certificate || next->tls.ca != now.tls.ca ||
             next->require_tls != now.require_tls,
         "tls");
    note(next->access.allowed_sources != now.access.allowed_sources ||
             next->access.client_certificate_names != now.access.client_certificate_names,
         "access");
    note(next->backend.user != now.backend.user || next->monitor.user != now.monitor.user,
         "accounts");
    note(next->monitor_interval != now.monitor_interval || next->failover != now.failover ||
             next->failover_after != now.failover_after ||
             next->heartbeat_interval != now.heartbeat_interval ||
             next->heartbeat_table != now.heartbeat_table,
         "monitor and failover");
    note(next->admin != now.admin, "admin listener");
    note(next->threads != now.threads, "runtime threads");
    note(next->io != now.io, "runtime io");
    loaded_.push_back(std::move(next));
    config_ = loaded_.back().get();
    apply_pool_limits();
    return added;
}

void ProxyRuntime::promote(std::size_t index) {
    BackendState& former = primary();
    former.is_primary = false;
    former.fenced = true;
    former.replication = ReplicationLink::stopped;
    BackendState& successor = backends_.at(index);
    successor.is_primary = true;
    successor.fenced = false;
    successor.replication = ReplicationLink::streaming;
    successor.replication_lag_s = 0;
    successor.lag_held_back = false;
    primary_index_ = index;
    failover_status_.clear();
}

std::shared_ptr<const ProxyUser> ProxyRuntime::find_user(std::string_view name) const {
    const auto it = users_.find(std::string(name));
    return it == users_.end() ? nullptr : it->second;
}

BackendState* ProxyRuntime::find_backend(std::string_view name, bool removed_too) {
    for (BackendState& b : backends_) {
        if (b.name == name && (removed_too || !b.removed)) return &b;
    }
    return nullptr;
}

void ProxyRuntime::set_thread(std::size_t index, std::size_t count, std::size_t serving,
                              ProxyShards* shards) {
    thread_index_ = index;
    thread_count_ = count;
    serving_threads_ = serving;
    shards_ = shards;
    apply_pool_limits();
}

ClusterView ProxyRuntime::view() const {
    ClusterView v;
    v.health.reserve(backends_.size());
    for (const BackendState& b : backends_)
        v.health.push_back(b);
    v.primary_index = primary_index_;
    v.failover_status = failover_status_;
    v.writes_paused = writes_paused_;
    return v;
}

void ProxyRuntime::apply(const ClusterView& view) {
    // A server a reload added reaches this thread with the reload (posted before the view
    // that names it), so the sizes agree; a view from before a reload names fewer.
    const std::size_t n = std::min(view.health.size(), backends_.size());
    for (std::size_t i = 0; i < n; ++i)
        static_cast<BackendHealth&>(backends_[i]) = view.health[i];
    if (view.primary_index < backends_.size()) primary_index_ = view.primary_index;
    failover_status_ = view.failover_status;
    writes_paused_ = view.writes_paused;
}

ProxyTraffic ProxyRuntime::traffic() const {
    ProxyTraffic t;
    t.servers.reserve(backends_.size());
    for (const BackendState& b : backends_) {
        t.servers.push_back({.in_flight = b.in_flight,
                             .statements = b.statements,
                             .latency = b.latency,
                             .connections = static_cast<std::size_t>(b.links->open()),
                             .idle_connections = b.links->idle()});
    }
    t.counters = counters_;
    return t;
}

void ProxyTraffic::add(const ProxyTraffic& other) {
    const std::size_t n = std::min(servers.size(), other.servers.size());
    for (std::size_t i = 0; i < n; ++i) {
        ServerTraffic& mine = servers[i];
        const ServerTraffic& theirs = other.servers[i];
        mine.in_flight += theirs.in_flight;
        for (std::size_t r = 0; r < mine.statements.size(); ++r)
            mine.statements[r] += theirs.statements[r];
        mine.latency.add(theirs.latency);
        mine.connections += theirs.connections;
        mine.idle_connections += theirs.idle_connections;
    }
    ProxyCounters& c = counters;
    const ProxyCounters& o = other.counters;
    for (std::size_t e = 0; e < c.errors.size(); ++e)
        c.errors[e] += o.errors[e];
    for (std::size_t p = 0; p < c.pins.size(); ++p)
        c.pins[p] += o.pins[p];
    c.failovers += o.failovers;
    c.switchovers += o.switchovers;
    c.pipelined += o.pipelined;
    for (std::size_t r = 0; r < c.route_latency.size(); ++r)
        c.route_latency[r].add(o.route_latency[r]);
}

mysql::MariadbCapability ProxyRuntime::mariadb_capabilities() const {
    auto shared = static_cast<std::uint32_t>(mysql::kRelayedMariadbCapabilities);
    for (const BackendState& b : backends_) {
        if (b.server_version.empty()) return mysql::MariadbCapability::none;
        shared &= static_cast<std::uint32_t>(b.mariadb_capabilities);
    }
    return static_cast<mysql::MariadbCapability>(shared);
}

std::string_view ProxyRuntime::server_version() {
    const std::string& v = primary().server_version;
    return v.empty() ? std::string_view(config_->server_version) : std::string_view(v);
}

}  // namespace sqlgate::proxy

#include "proxy/proxy_runtime.hpp"

#include <boost/asio/ip/address.hpp>

#include "net/tls.hpp"

namespace sqlgate::proxy {

ProxyRuntime::ProxyRuntime(const config::ProxyConfig& config)
    : config_(config), rng_(std::random_device{}()), peers_(config.access) {
    if (config.tls.enabled()) {
        tls_.emplace(net::make_server_tls(config.tls, peers_.needs_certificate()));
    }
    failover_status_ = config.failover == config::FailoverMode::off
                           ? "failover is off"
                           : "failover has not started yet";
    describe_options_.replica_safe_functions = config.replica_safe_functions;
    limits_.failure_threshold = config.failure_threshold;
    limits_.max_replication_lag_s = config.max_replication_lag_s;
    std::optional<boost::asio::ip::address> source;
    if (config.source_address) source = boost::asio::ip::make_address(*config.source_address);
    for (const config::ServerConfig& s : config.servers) {
        BackendState b;
        b.index = backends_.size();
        b.name = s.name;
        b.is_primary = s.role == config::ServerRole::primary;
        b.priority = s.priority;
        b.address.endpoint = {boost::asio::ip::make_address(s.address), s.port};
        b.address.source = source;
        if (b.is_primary) primary_index_ = b.index;
        backends_.push_back(std::move(b));
    }
    for (const config::UserConfig& u : config.users) {
        const auto hash = mysql::parse_native_password_hash(u.password_hash);
        if (!hash) throw config::ConfigError("user '" + u.name + "': malformed password_hash");
        users_[u.name] = ProxyUser{u.name, *hash, u.default_route};
    }
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
    primary_index_ = index;
    failover_status_.clear();
}

const ProxyUser* ProxyRuntime::find_user(std::string_view name) const {
    const auto it = users_.find(std::string(name));
    return it == users_.end() ? nullptr : &it->second;
}

BackendState* ProxyRuntime::find_backend(std::string_view name) {
    for (BackendState& b : backends_) {
        if (b.name == name) return &b;
    }
    return nullptr;
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
    return v.empty() ? std::string_view(config_.server_version) : std::string_view(v);
}

}  // namespace sqlgate::proxy

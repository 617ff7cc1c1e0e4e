#include "proxy/proxy_metrics.hpp"

#include <cstdio>
#include <optional>
#include <vector>

#include "obs/dashboard.hpp"
#include "obs/json_string.hpp"
#include "obs/metric_catalog.hpp"
#include "proxy/gtid_position.hpp"
#include "proxy/replica_selector.hpp"

namespace sqlgate::proxy {
namespace {

namespace metric = obs::metric;

std::string_view role_of(const BackendState& b) {
    return b.is_primary ? "primary" : "replica";
}

std::string_view replication_of(const BackendState& b) {
    if (b.is_primary) return "primary";
    switch (b.replication) {
        case ReplicationLink::streaming:
            return "streaming";
        case ReplicationLink::reconnecting:
            return "reconnecting";
        case ReplicationLink::stopped:
            break;
    }
    return "stopped";
}

// Transactions the primary has applied that `b` has not; nullopt while either position is
// unknown (before the monitor has read both).
std::optional<std::uint64_t> gtid_lag(ProxyRuntime& runtime, const BackendState& b) {
    const BackendState& primary = runtime.primary();
    if (b.gtid_position.empty() || primary.gtid_position.empty()) return std::nullopt;
    const auto mine = GtidPosition::parse(b.gtid_position);
    const auto ahead = GtidPosition::parse(primary.gtid_position);
    if (!mine || !ahead) return std::nullopt;
    return mine->transactions_behind(*ahead);
}

// A server's figures summed over the threads; a server added since they were taken has none.
const ServerTraffic& traffic_of(const ProxyTraffic& traffic, const BackendState& b) {
    static const ServerTraffic none;
    return b.index < traffic.servers.size() ? traffic.servers[b.index] : none;
}

bool replica_usable(ProxyRuntime& runtime, const BackendState& b, Clock::time_point now) {
    return !b.is_primary && !b.removed &&
           usable_for_reads(b, runtime.limits(), runtime.primary_down(), now);
}

// {"primary": 3, "direct": 0, ...}
void append_route_counts(std::string& out, const RouteCounts& counts) {
    out += '{';
    for (std::size_t r = 0; r < kStatementRouteNames.size(); ++r) {
        if (r > 0) out += ", ";
        obs::append_json_string(out, kStatementRouteNames[r]);
        out += ": ";
        out += std::to_string(counts[r]);
    }
    out += '}';
}

// , "read_shares": {"random": {"replica-1": 0.34, ...}, ...}: for each read strategy, the
// share of the last minute's reads each server ran (strategies with none are left out).
void append_read_shares(std::string& out, const std::vector<BackendState>& backends,
                        const std::vector<RouteCounts>& minute) {
    out += ", \"read_shares\": {";
    bool first_route = true;
    for (const StatementRoute route :
         {StatementRoute::direct, StatementRoute::random, StatementRoute::customized}) {
        const auto r = static_cast<std::size_t>(route);
        std::uint64_t total = 0;
        for (const RouteCounts& counts : minute)
            total += counts[r];
        if (total == 0) continue;
        if (!first_route) out += ", ";
        first_route = false;
        obs::append_json_string(out, kStatementRouteNames[r]);
        out += ": {";
        bool first_server = true;
        for (std::size_t i = 0; i < backends.size(); ++i) {
            if (minute[i][r] == 0) continue;
            if (!first_server) out += ", ";
            first_server = false;
            obs::append_json_string(out, backends[i].name);
            char share[16];
            std::snprintf(share, sizeof share, ": %.3f",
                          static_cast<double>(minute[i][r]) / static_cast<double>(total));
            out += share;
        }
        out += '}';
    }
    out += '}';
}

}  // namespace

std::string proxy_metrics(ProxyRuntime& runtime, const ProxyTraffic& traffic,
                          const obs::ProcessFigures& process) {
    obs::PrometheusText out;
    obs::write_process_metrics(out, process);
    const auto& backends = runtime.backends();
    const int threshold = runtime.limits().failure_threshold;
    const auto now = Clock::now();

    out.family(metric::kProxyServerUp);
    for (const BackendState& b : backends) {
        if (b.removed) continue;
        out.sample(metric::kProxyServerUp.name, {{"server", b.name}, {"role", role_of(b)}},
                   b.reachable(threshold) ? 1 : 0);
    }
    out.family(metric::kProxyInFlight);
    for (const BackendState& b : backends) {
        if (!b.removed) {
            out.sample(metric::kProxyInFlight.name, {{"server", b.name}},
                       traffic_of(traffic, b).in_flight);
        }
    }
    out.family(metric::kProxyReplicating);
    for (const BackendState& b : backends) {
        if (b.removed || b.is_primary) continue;
        out.sample(metric::kProxyReplicating.name, {{"server", b.name}},
                   b.reachable(threshold) && b.replication == ReplicationLink::streaming ? 1 : 0);
    }
    out.family(metric::kProxyLag);
    for (const BackendState& b : backends) {
        if (!b.removed && !b.is_primary) {
            out.sample(metric::kProxyLag.name, {{"server", b.name}}, b.replication_lag_s);
        }
    }
    out.family(metric::kProxyGtidLag);
    for (const BackendState& b : backends) {
        if (b.removed || b.is_primary) continue;
        if (const auto lag = gtid_lag(runtime, b)) {
            out.sample(metric::kProxyGtidLag.name, {{"server", b.name}}, static_cast<double>(*lag));
        }
    }
    out.family(metric::kProxyBackendConnections);
    for (const BackendState& b : backends) {
        if (!b.removed) {
            out.sample(metric::kProxyBackendConnections.name, {{"server", b.name}},
                       static_cast<double>(traffic_of(traffic, b).connections));
        }
    }
    out.family(metric::kProxyIdleBackendConnections);
    for (const BackendState& b : backends) {
        if (!b.removed) {
            out.sample(metric::kProxyIdleBackendConnections.name, {{"server", b.name}},
                       static_cast<double>(traffic_of(traffic, b).idle_connections));
        }
    }
    out.family(metric::kProxyScore);
    for (const BackendState& b : backends) {
        if (!b.removed && !b.is_primary) {
            out.sample(metric::kProxyScore.name, {{"server", b.name}},
                       expected_response_ms(b, runtime.limits(), now) / 1000);
        }
    }
    out.family(metric::kProxyStatements);
    for (const BackendState& b : backends) {
        const RouteCounts& statements = traffic_of(traffic, b).statements;
        for (std::size_t r = 0; r < kStatementRouteNames.size(); ++r) {
            if (statements[r] == 0) continue;
            out.sample(metric::kProxyStatements.name,
                       {{"server", b.name}, {"route", kStatementRouteNames[r]}},
                       static_cast<double>(statements[r]));
        }
    }
    out.family(metric::kProxyStatementDuration);
    for (const BackendState& b : backends) {
        out.histogram(metric::kProxyStatementDuration.name, {{"server", b.name}},
                      traffic_of(traffic, b).latency);
    }
    const ProxyCounters& counters = traffic.counters;
    out.family(metric::kProxyRouteDuration);
    for (std::size_t r = 0; r < kStatementRouteNames.size(); ++r) {
        out.histogram(metric::kProxyRouteDuration.name, {{"route", kStatementRouteNames[r]}},
                      counters.route_latency[r]);
    }
    out.family(metric::kProxyErrors);
    for (std::size_t e = 0; e < kProxyErrorNames.size(); ++e) {
        out.sample(metric::kProxyErrors.name, {{"cause", kProxyErrorNames[e]}},
                   static_cast<double>(counters.errors[e]));
    }
    out.family(metric::kProxySessionPins);
    for (std::size_t p = 0; p < kPinReasonNames.size(); ++p) {
        out.sample(metric::kProxySessionPins.name, {{"reason", kPinReasonNames[p]}},
                   static_cast<double>(counters.pins[p]));
    }
    out.family(metric::kProxyFailovers);
    out.sample(metric::kProxyFailovers.name, {}, static_cast<double>(counters.failovers));
    out.family(metric::kProxySwitchovers);
    out.sample(metric::kProxySwitchovers.name, {}, static_cast<double>(counters.switchovers));
    out.family(metric::kProxyPipelined);
    out.sample(metric::kProxyPipelined.name, {}, static_cast<double>(counters.pipelined));
    return out.text();
}

std::string proxy_status(ProxyRuntime& runtime, const ProxyTraffic& traffic,
                         const obs::ProcessFigures& process) {
    const int threshold = runtime.limits().failure_threshold;
    const auto now = Clock::now();
    std::string out = obs::begin_status_json(process);
    const config::FailoverMode mode = runtime.config().failover;
    obs::append_json_field(out, "failover_mode",
                           obs::json_string(mode == config::FailoverMode::automatic ? "auto"
                                            : mode == config::FailoverMode::manual  ? "manual"
                                                                                    : "off"));
    obs::append_json_field(out, "primary_down", obs::json_bool(runtime.primary_down()));
    // What writes are told while the primary is down.
    obs::append_json_field(out, "failover", obs::json_string(runtime.failover_status()));
    const auto& backends = runtime.backends();
    std::vector<RouteCounts> minute;
    minute.reserve(backends.size());
    for (const BackendState& b : backends)
        minute.push_back(
            b.statement_history.added_in_window(now, traffic_of(traffic, b).statements));
    out += ", \"servers\": [";
    bool first = true;
    for (const BackendState& b : backends) {
        if (b.removed) continue;
        out += first ? "\n  {" : ",\n  {";
        first = false;
        out += "\"name\": ";
        obs::append_json_string(out, b.name);
        std::string address = b.address.endpoint.address().to_string();
        address += ':';
        address += std::to_string(b.address.endpoint.port());
        obs::append_json_field(out, "address", obs::json_string(address));
        obs::append_json_field(out, "role", obs::json_string(role_of(b)));
        obs::append_json_field(out, "up", obs::json_bool(b.reachable(threshold)));
        obs::append_json_field(out, "replication", obs::json_string(replication_of(b)));
        obs::append_json_field(out, "lag_s", std::to_string(b.replication_lag_s));
        obs::append_json_field(out, "gtid_position", obs::json_string(b.gtid_position));
        const auto lag = b.is_primary ? std::optional<std::uint64_t>() : gtid_lag(runtime, b);
        obs::append_json_field(out, "gtid_lag", lag ? std::to_string(*lag) : "null");
        const ServerTraffic& served = traffic_of(traffic, b);
        obs::append_json_field(out, "connections", std::to_string(served.connections));
        obs::append_json_field(out, "serves_reads",
                               obs::json_bool(replica_usable(runtime, b, now)));
        obs::append_json_field(out, "fenced", obs::json_bool(b.fenced));
        obs::append_json_field(out, "in_flight", std::to_string(served.in_flight));
        obs::append_json_field(
            out, "latency_ms",
            b.query_ms.has_value() ? std::to_string(b.query_ms.value()) : "null");
        obs::append_json_field(out, "ping_ms",
                               b.ping_ms.has_value() ? std::to_string(b.ping_ms.value()) : "null");
        out += ", \"statements\": ";
        append_route_counts(out, served.statements);
        out += ", \"statements_last_minute\": ";
        append_route_counts(out, minute[&b - backends.data()]);
        obs::append_json_field(out, "last_error", obs::json_string(b.last_error));
        out += '}';
    }
    out += "\n]";
    append_read_shares(out, backends, minute);
    obs::append_recent_events(out);
    out += '}';
    return out;
}

std::pair<bool, std::string> proxy_readiness(ProxyRuntime& runtime) {
    const int threshold = runtime.limits().failure_threshold;
    const bool writes = runtime.primary().reachable(threshold);
    bool reads = false;
    const auto now = Clock::now();
    for (const BackendState& b : runtime.backends())
        reads = reads || replica_usable(runtime, b, now);
    std::string body = "{\"ready\": ";
    body += obs::json_bool(writes || reads);
    obs::append_json_field(body, "primary_reachable", obs::json_bool(writes));
    obs::append_json_field(body, "replica_serving", obs::json_bool(reads));
    body += '}';
    return {writes || reads, std::move(body)};
}

}  // namespace sqlgate::proxy

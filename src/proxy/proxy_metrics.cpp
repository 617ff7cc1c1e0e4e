#include "proxy/proxy_metrics.hpp"

#include "obs/dashboard.hpp"
#include "obs/json_string.hpp"
#include "obs/metric_catalog.hpp"
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

bool replica_usable(ProxyRuntime& runtime, const BackendState& b, Clock::time_point now) {
    return !b.is_primary && !b.removed &&
           usable_for_reads(b, runtime.limits(), runtime.primary_down(), now);
}

}  // namespace

std::string proxy_metrics(ProxyRuntime& runtime, const obs::ProcessFigures& process) {
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
        if (!b.removed) out.sample(metric::kProxyInFlight.name, {{"server", b.name}}, b.in_flight);
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
    out.family(metric::kProxyScore);
    for (const BackendState& b : backends) {
        if (!b.removed && !b.is_primary) {
            out.sample(metric::kProxyScore.name, {{"server", b.name}},
                       expected_response_ms(b, runtime.limits(), now) / 1000);
        }
    }
    out.family(metric::kProxyStatements);
    for (const BackendState& b : backends) {
        for (std::size_t r = 0; r < kStatementRouteNames.size(); ++r) {
            if (b.statements[r] == 0) continue;
            out.sample(metric::kProxyStatements.name,
                       {{"server", b.name}, {"route", kStatementRouteNames[r]}},
                       static_cast<double>(b.statements[r]));
        }
    }
    out.family(metric::kProxyStatementDuration);
    for (const BackendState& b : backends) {
        out.histogram(metric::kProxyStatementDuration.name, {{"server", b.name}}, b.latency);
    }
    const ProxyCounters& counters = runtime.counters();
    out.family(metric::kProxyErrors);
    for (std::size_t e = 0; e < kProxyErrorNames.size(); ++e) {
        out.sample(metric::kProxyErrors.name, {{"cause", kProxyErrorNames[e]}},
                   static_cast<double>(counters.errors[e]));
    }
    out.family(metric::kProxyFailovers);
    out.sample(metric::kProxyFailovers.name, {}, static_cast<double>(counters.failovers));
    out.family(metric::kProxySwitchovers);
    out.sample(metric::kProxySwitchovers.name, {}, static_cast<double>(counters.switchovers));
    return out.text();
}

std::string proxy_status(ProxyRuntime& runtime, const obs::ProcessFigures& process) {
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
    out += ", \"servers\": [";
    bool first = true;
    for (const BackendState& b : runtime.backends()) {
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
        obs::append_json_field(out, "serves_reads",
                               obs::json_bool(replica_usable(runtime, b, now)));
        obs::append_json_field(out, "fenced", obs::json_bool(b.fenced));
        obs::append_json_field(out, "in_flight", std::to_string(b.in_flight));
        obs::append_json_field(
            out, "latency_ms",
            b.query_ms.has_value() ? std::to_string(b.query_ms.value()) : "null");
        obs::append_json_field(out, "ping_ms",
                               b.ping_ms.has_value() ? std::to_string(b.ping_ms.value()) : "null");
        out += ", \"statements\": {";
        for (std::size_t r = 0; r < kStatementRouteNames.size(); ++r) {
            if (r > 0) out += ", ";
            obs::append_json_string(out, kStatementRouteNames[r]);
            out += ": ";
            out += std::to_string(b.statements[r]);
        }
        out += '}';
        obs::append_json_field(out, "last_error", obs::json_string(b.last_error));
        out += '}';
    }
    out += "\n]";
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

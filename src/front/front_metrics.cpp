#include "front/front_metrics.hpp"

#include <boost/asio/this_coro.hpp>

#include "obs/dashboard.hpp"
#include "obs/json_string.hpp"
#include "obs/metric_catalog.hpp"

namespace sqlgate::front {
namespace {

namespace metric = obs::metric;

constexpr std::array<std::string_view, 2> kFrontNames = {"mysql", "http"};
constexpr std::array<std::string_view, 2> kVerdictNames = {"reject", "allow"};

std::string upstream_of(const FrontSettings& s) {
    std::string address = s.upstream.address;
    address += ':';
    address += std::to_string(s.upstream.port);
    return address;
}

}  // namespace

std::string front_metrics(const FrontRuntime& runtime, const obs::ProcessFigures& process) {
    obs::PrometheusText out;
    obs::write_process_metrics(out, process);
    const GateCounters counters = runtime.counters();
    out.family(metric::kFrontStatements);
    for (std::size_t f = 0; f < kFrontNames.size(); ++f) {
        for (std::size_t v = 0; v < kVerdictNames.size(); ++v) {
            for (std::size_t k = 0; k < kStatementKindNames.size(); ++k) {
                out.sample(metric::kFrontStatements.name,
                           {{"role", process.role},
                            {"front", kFrontNames[f]},
                            {"verdict", kVerdictNames[v]},
                            {"kind", kStatementKindNames[k]}},
                           static_cast<double>(counters.statements[f][v][k]));
            }
        }
    }
    out.family(metric::kFrontRefusals);
    for (const auto& [rule, count] : counters.refusals) {
        out.sample(metric::kFrontRefusals.name, {{"role", process.role}, {"rule", rule}},
                   static_cast<double>(count));
    }
    if (const std::optional<std::size_t> shapes = runtime.allowlist_size()) {
        out.family(metric::kFrontAllowlistShapes);
        out.sample(metric::kFrontAllowlistShapes.name, {{"role", process.role}},
                   static_cast<double>(*shapes));
        out.family(metric::kFrontAllowlistMisses);
        for (std::size_t m = 0; m < counters.allowlist_misses.size(); ++m) {
            out.sample(metric::kFrontAllowlistMisses.name,
                       {{"role", process.role}, {"mode", m == 0 ? "detect" : "protect"}},
                       static_cast<double>(counters.allowlist_misses[m]));
        }
    }
    return out.text();
}

std::string front_status(const FrontRuntime& runtime, const obs::ProcessFigures& process) {
    const FrontSettings& s = runtime.settings();
    const GateCounters counters = runtime.counters();
    std::string out = obs::begin_status_json(process);
    obs::append_json_field(out, "upstream", obs::json_string(upstream_of(s)));
    obs::append_json_field(out, "users", std::to_string(s.users.size()));
    out += ", \"statements\": {\"allowed\": ";
    out += std::to_string(counters.total(true));
    obs::append_json_field(out, "refused", std::to_string(counters.total(false)));
    out += "}, \"refusals\": {";
    bool first = true;
    for (const auto& [rule, count] : counters.refusals) {
        if (!first) out += ", ";
        first = false;
        obs::append_json_string(out, rule);
        out += ": ";
        out += std::to_string(count);
    }
    out += "}, \"recent_refusals\": [";
    first = true;
    for (const RecentRefusal& r : counters.recent_refusals) {
        out += first ? "{\"ts\": " : ", {\"ts\": ";
        first = false;
        obs::append_json_string(out, r.time);
        obs::append_json_field(out, "user", obs::json_string(r.user));
        obs::append_json_field(out, "rule", obs::json_string(r.rule));
        obs::append_json_field(out, "digest", obs::json_string(r.digest));
        out += '}';
    }
    out += ']';
    obs::append_recent_events(out);
    out += '}';
    return out;
}

boost::asio::awaitable<std::pair<bool, std::string>> front_readiness(FrontRuntime& runtime) {
    auto executor = co_await boost::asio::this_coro::executor;
    net::PacketChannel channel{executor};
    std::string diagnostics;
    const auto ec = co_await net::probe_server(channel, runtime.upstream(), std::chrono::seconds(2),
                                               diagnostics);
    std::string body = "{\"ready\": ";
    body += obs::json_bool(!ec);
    obs::append_json_field(body, "upstream", obs::json_string(upstream_of(runtime.settings())));
    if (ec) {
        obs::append_json_field(body, "error",
                               obs::json_string(diagnostics.empty() ? ec.message() : diagnostics));
    }
    body += '}';
    co_return std::pair{!ec, std::move(body)};
}

}  // namespace sqlgate::front

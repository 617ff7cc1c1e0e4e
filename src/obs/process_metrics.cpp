#include "obs/process_metrics.hpp"

#include "obs/json_string.hpp"
#include "obs/metric_catalog.hpp"

namespace sqlgate::obs {

std::string_view sqlgate_version() {
    return SQLGATE_VERSION;
}

std::string begin_status_json(const ProcessFigures& figures) {
    std::string out = "{\"role\": ";
    append_json_string(out, figures.role);
    append_json_field(out, "version", json_string(sqlgate_version()));
    append_json_field(out, "started",
                      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         figures.started.time_since_epoch())
                                         .count()));
    append_json_field(out, "config_digest", json_string(figures.config_digest));
    append_json_field(out, "sessions", std::to_string(figures.sessions_open));
    out += ", \"connections_refused\": {";
    bool first = true;
    for (const ListenerFigures& l : figures.listeners) {
        for (std::size_t r = 0; r < kConnectionRefusalNames.size(); ++r) {
            if (l.counters->refused[r] == 0) continue;
            if (!first) out += ", ";
            first = false;
            std::string key(l.listener);
            key += '/';
            key += kConnectionRefusalNames[r];
            append_json_string(out, key);
            out += ": ";
            out += std::to_string(l.counters->refused[r]);
        }
    }
    out += '}';
    return out;
}

void write_process_metrics(PrometheusText& out, const ProcessFigures& figures) {
    out.family(metric::kBuildInfo);
    out.sample(metric::kBuildInfo.name, {{"role", figures.role}, {"version", sqlgate_version()}},
               1);
    out.family(metric::kStartTime);
    out.sample(metric::kStartTime.name, {{"role", figures.role}},
               std::chrono::duration<double>(figures.started.time_since_epoch()).count());
    out.family(metric::kSessionsOpen);
    out.sample(metric::kSessionsOpen.name, {{"role", figures.role}},
               static_cast<double>(figures.sessions_open));
    out.family(metric::kSessionsAccepted);
    out.sample(metric::kSessionsAccepted.name, {{"role", figures.role}},
               static_cast<double>(figures.sessions_accepted));
    out.family(metric::kConnectionsRefused);
    for (const ListenerFigures& l : figures.listeners) {
        for (std::size_t r = 0; r < kConnectionRefusalNames.size(); ++r) {
            out.sample(metric::kConnectionsRefused.name,
                       {{"role", figures.role},
                        {"listener", l.listener},
                        {"reason", kConnectionRefusalNames[r]}},
                       static_cast<double>(l.counters->refused[r]));
        }
    }
    out.family(metric::kTlsHandshakes);
    for (const ListenerFigures& l : figures.listeners) {
        out.sample(metric::kTlsHandshakes.name,
                   {{"role", figures.role}, {"listener", l.listener}, {"outcome", "ok"}},
                   static_cast<double>(l.counters->tls_handshakes));
        out.sample(metric::kTlsHandshakes.name,
                   {{"role", figures.role}, {"listener", l.listener}, {"outcome", "failed"}},
                   static_cast<double>(l.counters->refusals(ConnectionRefusal::tls_failed)));
    }
}

}  // namespace sqlgate::obs

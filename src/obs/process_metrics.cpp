#include "obs/process_metrics.hpp"

#include "obs/metric_catalog.hpp"

namespace sqlgate::obs {

std::string_view sqlgate_version() {
    return SQLGATE_VERSION;
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
}

}  // namespace sqlgate::obs

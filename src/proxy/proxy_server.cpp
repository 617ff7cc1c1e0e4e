#include "proxy/proxy_server.hpp"

#include <boost/asio/ip/address.hpp>
#include <optional>

#include "engine/admin_listener.hpp"
#include "engine/session_server.hpp"
#include "net/listener.hpp"
#include "obs/admin_server.hpp"
#include "obs/dashboard.hpp"
#include "obs/log.hpp"
#include "proxy/failover.hpp"
#include "proxy/proxy_metrics.hpp"
#include "proxy/proxy_runtime.hpp"
#include "proxy/proxy_session.hpp"
#include "proxy/proxy_shards.hpp"
#include "proxy/replica_monitor.hpp"

namespace sqlgate::proxy {
namespace {

using boost::asio::awaitable;

// POST /switchover?to=NAME: 200 with the new primary, 400 without a name, 409 when the
// switchover was refused or failed (the cluster then is as it was).
awaitable<obs::AdminAnswer> switchover_answer(FailoverCoordinator& failover,
                                              const obs::AdminRequest& request) {
    const auto to = request.query.find("to");
    if (to == request.query.end() || to->second.empty()) {
        co_return obs::AdminAnswer{400,
                                   "{\"error\": \"name the new primary: "
                                   "POST /switchover?to=NAME\"}"};
    }
    const std::string target = to->second;
    const std::string error = co_await failover.switchover(target);
    if (!error.empty()) {
        std::string body = "{\"error\": " + obs::json_string(error) + "}";
        co_return obs::AdminAnswer{409, std::move(body)};
    }
    std::string body = "{\"primary\": " + obs::json_string(target) + "}";
    co_return obs::AdminAnswer{200, std::move(body)};
}

}  // namespace

void run_proxy(const config::ProxyConfig& config) {
    const auto started = std::chrono::system_clock::now();
    boost::asio::io_context io(1);
    ProxyRuntime runtime(config);
    net::tcp::acceptor acceptor =
        net::open_listener(io.get_executor(), config.listen_address, config.listen_port);
    ReplicaMonitor monitor(io.get_executor(), config, runtime.backends(), runtime.limits());
    monitor.start();
    FailoverCoordinator failover(io.get_executor(), runtime);
    failover.start();
    engine::SessionRegistry sessions;
    ProxyShards shards(io, runtime, sessions, config, config.threads);
    monitor.on_health_change([&shards] { shards.publish_soon(); });
    // Figures of every thread; `connections` must outlive the ProcessFigures that point at it.
    const auto figures = [&](const obs::ConnectionCounters& connections) {
        return obs::ProcessFigures{.role = "proxy",
                                   .started = started,
                                   .sessions_open = shards.sessions_open(),
                                   .sessions_accepted = shards.sessions_accepted(),
                                   .listeners = {{"mysql", &connections}},
                                   .config_digest = runtime.config().digest};
    };
    // A page (proxy_metrics, proxy_status) rendered from every thread's figures.
    const auto render = [&](auto page) {
        const obs::ConnectionCounters connections = shards.connections();
        return page(runtime, shards.traffic(), figures(connections));
    };
    const auto status = [&render] { return render(proxy_status); };
    std::optional<obs::AdminServer> admin;
    if (config.admin.enabled()) {
        engine::open_admin_listener(admin, io.get_executor(), config.admin);
        admin->route("GET", "/readyz",
                     [&runtime](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                         auto [ready, body] = proxy_readiness(runtime);
                         co_return obs::AdminAnswer{ready ? 200u : 503u, std::move(body)};
                     });
        admin->route("GET", "/metrics",
                     [&render](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                         co_return obs::AdminAnswer{200, render(proxy_metrics),
                                                    obs::PrometheusText::kContentType};
                     });
        admin->route("GET", "/status",
                     [&status](const obs::AdminRequest&) -> awaitable<obs::AdminAnswer> {
                         co_return obs::AdminAnswer{200, status()};
                     });
        admin->route("POST", "/switchover", [&failover](const obs::AdminRequest& request) {
            return switchover_answer(failover, request);
        });
        obs::add_dashboard(
            *admin, "proxy", [&status]() -> awaitable<std::string> { co_return status(); },
            config.admin.peers);
        admin->start();
        obs::log(obs::LogLevel::info, "admin_listening",
                 {{"address", config.admin.address},
                  {"port", std::to_string(admin->local_endpoint().port())}});
    }
    shards.start();
    engine::start_accepting(
        io, acceptor, runtime.peers(), "proxy", sessions.connections(),
        [&shards](net::tcp::socket socket) { shards.serve(std::move(socket)); },
        [&shards] { return shards.wait_for_room(); });

    obs::log(
        obs::LogLevel::info, "proxy_listening",
        {{"address", config.listen_address},
         {"port", std::to_string(config.listen_port)},
         {"servers", std::to_string(config.servers.size())},
         {"threads", std::to_string(shards.serving())},
         {"tls", config.require_tls ? "required" : (config.tls.enabled() ? "offered" : "off")}});
    net::tcp::acceptor* const listeners[] = {&acceptor};
    const auto reload = [&] {
        auto next = std::make_unique<const config::ProxyConfig>(
            config::load_proxy_config(config.source_file));
        engine::ReloadOutcome outcome;
        const auto added = runtime.reload(std::move(next), outcome.needs_restart);
        shards.reload(runtime.config());
        for (BackendState* b : added)
            monitor.start_watching(*b);
        outcome.users = runtime.config().users.size();
        outcome.servers = runtime.config().servers.size();
        outcome.servers_added = added.size();
        return outcome;
    };
    engine::run_until_stopped(
        io, {.role = "proxy",
             .listeners = listeners,
             .sessions = &sessions,
             .sessions_elsewhere = [&shards] { return shards.sessions_on_workers(); },
             .drain_elsewhere = [&shards] { shards.drain(); },
             .config_file = config.source_file,
             .reload = reload});
}

}  // namespace sqlgate::proxy

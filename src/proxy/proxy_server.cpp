#include "proxy/proxy_server.hpp"

#include "engine/session_server.hpp"
#include "net/listener.hpp"
#include "obs/log.hpp"
#include "proxy/failover.hpp"
#include "proxy/proxy_runtime.hpp"
#include "proxy/proxy_session.hpp"
#include "proxy/replica_monitor.hpp"

namespace sqlgate::proxy {

void run_proxy(const config::ProxyConfig& config) {
    boost::asio::io_context io(1);
    ProxyRuntime runtime(config);
    net::tcp::acceptor acceptor =
        net::open_listener(io.get_executor(), config.listen_address, config.listen_port);
    ReplicaMonitor monitor(io.get_executor(), config, runtime.backends());
    monitor.start();
    FailoverCoordinator failover(io.get_executor(), runtime);
    failover.start();
    engine::SessionRegistry sessions;
    engine::start_serving<ProxySession>(io, acceptor, runtime, sessions, "proxy");

    obs::log(
        obs::LogLevel::info, "proxy_listening",
        {{"address", config.listen_address},
         {"port", std::to_string(config.listen_port)},
         {"servers", std::to_string(config.servers.size())},
         {"tls", config.require_tls ? "required" : (config.tls.enabled() ? "offered" : "off")}});
    net::tcp::acceptor* const listeners[] = {&acceptor};
    engine::run_until_stopped(io, {.role = "proxy", .listeners = listeners, .sessions = &sessions});
}

}  // namespace sqlgate::proxy

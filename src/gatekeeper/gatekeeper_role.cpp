#include "gatekeeper/gatekeeper_role.hpp"

#include <boost/asio/io_context.hpp>
#include <optional>

#include "front/front_server.hpp"
#include "gatekeeper/api_query_runner.hpp"
#include "obs/log.hpp"

namespace sqlgate::gatekeeper {

front::FrontSettings front_settings(const config::GatekeeperConfig& config) {
    front::FrontSettings s;
    s.role = "gatekeeper";
    s.listener = config.listener;
    s.tls = config.tls;
    s.allow_plain_from_loopback = config.allow_plain_from_loopback;
    s.authentication = front::Authentication::password;
    s.upstream = config.upstream;
    s.users = config.users;
    s.rate_limits = config.rate_limits;
    s.audit_file = config.audit_file;
    s.allowlist_file = config.firewall.allowlist;
    s.admin = config.admin;
    s.threads = config.threads;
    s.io = config.io;
    s.config_digest = config.digest;
    return s;
}

HttpApiSettings http_settings(const config::GatekeeperConfig& config) {
    HttpApiSettings s;
    s.listen = {boost::asio::ip::make_address(config.http.address), config.http.port};
    for (const config::FrontUser& user : config.users) {
        if (!user.api_token_sha256.empty()) s.tokens.push_back({user.name, user.api_token_sha256});
    }
    s.max_body_bytes = config.http.max_body_bytes;
    s.header_timeout = config.listener.handshake_timeout;
    s.idle_timeout = config.listener.idle_timeout;
    s.max_connections = config.listener.max_connections;
    s.pre_auth = {.total = config.listener.max_unauthenticated,
                  .per_source = config.listener.max_unauthenticated_per_source,
                  .timeout = config.listener.handshake_timeout,
                  .timeout_under_pressure = config.listener.handshake_timeout_under_pressure};
    return s;
}

void run_gatekeeper(const config::GatekeeperConfig& config) {
    boost::asio::io_context io(1);
    front::FrontRuntime runtime(front_settings(config));
    front::FrontServer server(io, runtime);
    server.start();
    std::optional<HttpApiServer> api;
    UpstreamSessionPool pool;
    if (config.http.enabled) {
        api.emplace(
            io, *runtime.server_tls(), http_settings(config),
            [&runtime, &pool](const ApiQuery& query) {
                return run_api_query(runtime, pool, query);
            },
            [&runtime] { return probe_upstream(runtime); });
        api->start();
        server.add_listener_figures("http", api->connections());
        obs::log(obs::LogLevel::info, "http_listening",
                 {{"role", "gatekeeper"},
                  {"address", config.http.address},
                  {"port", std::to_string(api->local_endpoint().port())}});
    }
    server.run_until_stopped(config.source_file, [&] {
        const config::GatekeeperConfig next = config::load_gatekeeper_config(config.source_file);
        // The API's tokens with the users: checked before anything changes.
        if (api) api->replace_tokens(TokenStore(http_settings(next).tokens));
        return front_settings(next);
    });
}

}  // namespace sqlgate::gatekeeper

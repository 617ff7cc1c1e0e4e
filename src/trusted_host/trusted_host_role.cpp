#include "trusted_host/trusted_host_role.hpp"

#include <boost/asio/io_context.hpp>

#include "front/front_server.hpp"

namespace sqlgate::trusted_host {

front::FrontSettings front_settings(const config::TrustedHostConfig& config) {
    front::FrontSettings s;
    s.role = "trusted-host";
    s.listener = config.listener;
    s.tls = config.tls;
    s.access = config.access;
    s.authentication = front::Authentication::certificate;
    s.upstream = config.upstream;
    s.users = config.users;
    s.upstream_credentials = config.credentials;
    s.allowlist_file = config.firewall.allowlist;
    s.admin = config.admin;
    s.threads = config.threads;
    s.io = config.io;
    s.config_digest = config.digest;
    return s;
}

void run_trusted_host(const config::TrustedHostConfig& config) {
    boost::asio::io_context io(1);
    front::FrontRuntime runtime(front_settings(config));
    front::FrontServer server(io, runtime);
    server.start();
    server.run_until_stopped(config.source_file, [&] {
        return front_settings(config::load_trusted_host_config(config.source_file));
    });
}

}  // namespace sqlgate::trusted_host

// sqlgate: one binary, a subcommand per role. main only parses the command line and wires
// the libraries together; everything it calls is tested on its own.
#include <CLI/CLI.hpp>
#include <iostream>
#include <string>

#include "config/proxy_config.hpp"
#include "mysql/auth.hpp"
#include "obs/log.hpp"
#include "proxy/proxy_server.hpp"
#include "workload/send_requests.hpp"

#ifndef SQLGATE_VERSION
#define SQLGATE_VERSION "0.0.0"
#endif

namespace {

int run_proxy_command(const std::string& config_path, bool check_only) {
    sqlgate::config::ProxyConfig config;
    try {
        config = sqlgate::config::load_proxy_config(config_path);
    } catch (const sqlgate::config::ConfigError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    if (check_only) {
        std::cout << config_path << ": ok (" << config.servers.size() << " servers, "
                  << config.users.size() << " users)\n";
        return 0;
    }
    try {
        sqlgate::proxy::run_proxy(config);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sqlgate: a gatekeeper and read/write-splitting proxy for MySQL and MariaDB"};
    app.set_version_flag("--version", std::string("sqlgate ") + SQLGATE_VERSION);
    app.require_subcommand(1);
    std::string log_level = "info";
    app.add_option("--log-level", log_level, "debug, info, warn or error")
        ->check(CLI::IsMember({"debug", "info", "warn", "error"}));

    std::string config_path;
    bool check_only = false;
    auto* proxy = app.add_subcommand("proxy", "Run the proxy role");
    proxy->add_option("--config", config_path, "The proxy's TOML configuration")->required();
    proxy->add_flag("--check", check_only, "Validate the configuration and exit");

    sqlgate::workload::SendRequestsOptions workload;
    auto* send = app.add_subcommand("send-requests", "Run the demo workload and print a report");
    sqlgate::workload::add_send_requests_options(*send, workload);

    auto* hash = app.add_subcommand(
        "hash-password", "Read a password on stdin and print its hash for a [[users]] entry");

    CLI11_PARSE(app, argc, argv);
    using sqlgate::obs::LogLevel;
    sqlgate::obs::set_log_level(log_level == "debug"   ? LogLevel::debug
                                : log_level == "warn"  ? LogLevel::warn
                                : log_level == "error" ? LogLevel::error
                                                       : LogLevel::info);
    if (*proxy) return run_proxy_command(config_path, check_only);
    if (*send) return sqlgate::workload::run_send_requests(workload, std::cout);
    if (*hash) {
        std::string password;
        std::getline(std::cin, password);
        std::cout << sqlgate::mysql::native_password_hash(password) << '\n';
        return 0;
    }
    return 2;
}

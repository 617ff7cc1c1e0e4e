// sqlgate: one binary, a subcommand per role. main only parses the command line and wires
// the libraries together; everything it calls is tested on its own.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "config/front_config.hpp"
#include "config/proxy_config.hpp"
#include "front/allowlist_import.hpp"
#include "gatekeeper/gatekeeper_role.hpp"
#include "mysql/auth.hpp"
#include "obs/admin_client.hpp"
#include "obs/log.hpp"
#include "obs/status_report.hpp"
#include "proxy/proxy_server.hpp"
#include "trusted_host/trusted_host_role.hpp"
#include "workload/idle_clients.hpp"
#include "workload/mixed_load.hpp"
#include "workload/send_requests.hpp"

#ifndef SQLGATE_VERSION
#define SQLGATE_VERSION "0.0.0"
#endif

namespace {

// Loads a role's config (exit 2 with file:line on errors), then checks or runs it.
template <typename Config, typename Load, typename Describe, typename Run>
int run_role(const std::string& config_path, bool check_only, Load load, Describe describe,
             Run run) {
    Config config;
    try {
        config = load(config_path);
    } catch (const sqlgate::config::ConfigError& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 2;
    }
    if (check_only) {
        std::cout << config_path << ": ok (" << describe(config) << ")\n";
        return 0;
    }
    try {
        run(config);
    } catch (const std::exception& e) {
        std::cerr << "error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}

std::string users_of(std::size_t n) {
    return std::to_string(n) + (n == 1 ? " user" : " users");
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
    auto* gatekeeper = app.add_subcommand("gatekeeper", "Run the gatekeeper role (public front)");
    gatekeeper->add_option("--config", config_path, "The gatekeeper's TOML configuration")
        ->required();
    gatekeeper->add_flag("--check", check_only, "Validate the configuration and exit");
    auto* trusted_host = app.add_subcommand("trusted-host", "Run the trusted host role");
    trusted_host->add_option("--config", config_path, "The trusted host's TOML configuration")
        ->required();
    trusted_host->add_flag("--check", check_only, "Validate the configuration and exit");

    sqlgate::workload::SendRequestsOptions workload;
    auto* send = app.add_subcommand("send-requests", "Run the demo workload and print a report");
    sqlgate::workload::add_send_requests_options(*send, workload);

    sqlgate::workload::MixedLoadOptions mixed;
    auto* load = app.add_subcommand(
        "mixed-load", "Run writers and readers for a while (failover drills); print what failed");
    sqlgate::workload::add_mixed_load_options(*load, mixed);

    sqlgate::workload::IdleClientsOptions idle;
    auto* idle_clients = app.add_subcommand(
        "idle-clients", "Open many client connections and hold them idle (bench --connections)");
    sqlgate::workload::add_idle_clients_options(*idle_clients, idle);

    std::string admin_address;
    std::string switchover_to;
    auto* switchover = app.add_subcommand(
        "switchover", "Make a replica the primary through the running proxy (planned, no loss)");
    std::string switchover_config;
    auto* admin_option = switchover->add_option("--admin", admin_address,
                                                "the proxy's admin listener, ADDRESS:PORT");
    auto* config_option = switchover->add_option(
        "--config", switchover_config, "the running proxy's TOML configuration (its [admin])");
    admin_option->excludes(config_option);
    switchover->add_option("--to", switchover_to, "the replica that becomes the primary")
        ->required();

    std::vector<std::string> status_admins;
    auto* status = app.add_subcommand(
        "status", "Show what each role's admin listener reports: the chain and every server");
    status
        ->add_option("--admin", status_admins,
                     "a role's admin listener, ADDRESS:PORT (repeat for each role of the chain)")
        ->required();

    auto* firewall = app.add_subcommand(
        "firewall", "Review and ship the learned statement allowlist ([firewall] allowlist)");
    firewall->require_subcommand(1);
    std::string export_admin;
    std::string firewall_user;
    auto* firewall_export = firewall->add_subcommand(
        "export", "Print the allowlist a running role enforces, learned shapes included");
    firewall_export->add_option("--admin", export_admin, "the role's admin listener, ADDRESS:PORT")
        ->required();
    firewall_export->add_option("--user", firewall_user, "only this user's shapes");
    sqlgate::front::FirewallImport import;
    auto* firewall_import = firewall->add_subcommand(
        "import", "Merge allowlist files or audit logs (allowed statements) into an allowlist");
    firewall_import->add_option("--into", import.into, "the allowlist file to extend")->required();
    firewall_import->add_option("--user", import.user, "only this user's shapes");
    firewall_import->add_option("sources", import.sources, "allowlist files or audit logs")
        ->required()
        ->check(CLI::ExistingFile);

    auto* hash = app.add_subcommand(
        "hash-password", "Read a password on stdin and print its hash for a [[users]] entry");

    CLI11_PARSE(app, argc, argv);
    using sqlgate::obs::LogLevel;
    sqlgate::obs::set_log_level(log_level == "debug"   ? LogLevel::debug
                                : log_level == "warn"  ? LogLevel::warn
                                : log_level == "error" ? LogLevel::error
                                                       : LogLevel::info);
    namespace config = sqlgate::config;
    if (*proxy) {
        return run_role<config::ProxyConfig>(
            config_path, check_only, config::load_proxy_config,
            [](const config::ProxyConfig& c) {
                return std::to_string(c.servers.size()) + " servers, " + users_of(c.users.size());
            },
            sqlgate::proxy::run_proxy);
    }
    if (*gatekeeper) {
        return run_role<config::GatekeeperConfig>(
            config_path, check_only, config::load_gatekeeper_config,
            [](const config::GatekeeperConfig& c) { return users_of(c.users.size()); },
            sqlgate::gatekeeper::run_gatekeeper);
    }
    if (*trusted_host) {
        return run_role<config::TrustedHostConfig>(
            config_path, check_only, config::load_trusted_host_config,
            [](const config::TrustedHostConfig& c) { return users_of(c.users.size()); },
            sqlgate::trusted_host::run_trusted_host);
    }
    if (*send) return sqlgate::workload::run_send_requests(workload, std::cout);
    if (*load) return sqlgate::workload::run_mixed_load(mixed, std::cout);
    if (*idle_clients) return sqlgate::workload::run_idle_clients(idle, std::cout);
    if (*switchover) {
        if (admin_address.empty()) {
            if (switchover_config.empty()) {
                std::cerr << "sqlgate switchover: give --admin ADDRESS:PORT or --config FILE\n";
                return 2;
            }
            try {
                const auto config = config::load_proxy_config(switchover_config);
                if (!config.admin.enabled()) {
                    std::cerr << "sqlgate switchover: " << switchover_config
                              << " has no admin listener (set [admin] port) to ask\n";
                    return 1;
                }
                admin_address = config.admin.address + ":" + std::to_string(config.admin.port);
            } catch (const std::exception& e) {
                std::cerr << "sqlgate switchover: " << e.what() << '\n';
                return 1;
            }
        }
        const auto answer =
            sqlgate::obs::call_admin(admin_address, "POST", "/switchover?to=" + switchover_to);
        (answer.status == 200 ? std::cout : std::cerr) << answer.body;
        if (answer.status == 0) std::cerr << '\n';
        return answer.status == 200 ? 0 : 1;
    }
    if (*status) {
        std::vector<sqlgate::obs::RoleStatus> roles;
        for (const std::string& admin : status_admins) {
            const auto answer =
                sqlgate::obs::call_admin(admin, "GET", "/status", std::chrono::seconds(5));
            roles.push_back({admin, answer.status, answer.body});
        }
        const bool colour = ::isatty(STDOUT_FILENO) != 0;
        return sqlgate::obs::write_status_report(std::cout, roles, colour) ? 0 : 1;
    }
    if (*firewall_export) {
        const auto answer = sqlgate::obs::call_admin(
            export_admin, "GET",
            "/allowlist" + (firewall_user.empty() ? std::string() : "?user=" + firewall_user),
            std::chrono::seconds(10));
        (answer.status == 200 ? std::cout : std::cerr) << answer.body;
        if (answer.status != 200) std::cerr << '\n';
        return answer.status == 200 ? 0 : 1;
    }
    if (*firewall_import) return sqlgate::front::run_firewall_import(import, std::cout, std::cerr);
    if (*hash) {
        std::string password;
        std::getline(std::cin, password);
        std::cout << sqlgate::mysql::native_password_hash(password) << '\n';
        return 0;
    }
    return 2;
}

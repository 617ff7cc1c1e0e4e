#include "workload/cli_options.hpp"

#include <CLI/CLI.hpp>

#include "workload/send_requests.hpp"

namespace sqlgate::workload {

void add_defaults_file_option(CLI::App& sub, std::string& into) {
    sub.add_option("--defaults-file", into,
                   "client option file ([client] group): host, port, user, password, TLS")
        ->required()
        ->check(CLI::ExistingFile);
}

void add_seconds_option(CLI::App& sub, std::chrono::milliseconds& into, std::string_view what) {
    sub.add_option_function<double>(
           "--seconds",
           [&into](const double& s) {
               into = std::chrono::milliseconds(static_cast<long long>(s * 1000));
           },
           std::string(what))
        ->check(CLI::PositiveNumber);
}

void add_send_requests_options(CLI::App& sub, SendRequestsOptions& opts) {
    // host, port and user stay unset unless given, so a --defaults-file can supply them.
    sub.add_option_function<std::string>(
        "--host", [&opts](const std::string& v) { opts.host = v; },
        "address of sqlgate (or of any MySQL server) [default: 127.0.0.1]");
    sub.add_option_function<unsigned>(
           "--port", [&opts](const unsigned& v) { opts.port = v; }, "port [default: 3306]")
        ->check(CLI::Range(1u, 65535u));
    sub.add_option_function<std::string>(
        "--user", [&opts](const std::string& v) { opts.user = v; }, "user to log in as");
    // No --password: it would be visible to every local user in the process list.
    sub.add_option(
           "--password-file", opts.password_file,
           "file holding the password (else $" + opts.password_env + ", else --defaults-file)")
        ->check(CLI::ExistingFile);
    sub.add_option("--defaults-file", opts.defaults_file,
                   "client option file ([client] group) for host, port, user, password, TLS")
        ->check(CLI::ExistingFile);
    sub.add_option("--bind-address", opts.bind_address, "local address to connect from");
    sub.add_option("--http", opts.http_url,
                   "send the statements to the gatekeeper's HTTPS JSON API at this URL "
                   "(e.g. https://127.0.10.1:8443) instead of over the MySQL protocol");
    sub.add_option("--token-file", opts.token_file,
                   "with --http: file holding the API bearer token (else $" + opts.token_env + ")")
        ->check(CLI::ExistingFile);
    sub.add_option("--ssl-ca", opts.ssl_ca,
                   "with --http: CA certificate(s) the server's certificate must chain to "
                   "[default: the system's]")
        ->check(CLI::ExistingFile);
    sub.add_option("--database", opts.database, "database holding the demo tables")
        ->capture_default_str();
    // `--nodes ''` leaves the list empty, which skips the replication check.
    std::string default_nodes;
    for (const auto& node : opts.nodes)
        default_nodes += (default_nodes.empty() ? "" : ",") + node;
    sub.add_option_function<std::vector<std::string>>(
           "--nodes",
           [&opts](const std::vector<std::string>& nodes) {
               opts.nodes.clear();
               for (const auto& node : nodes) {
                   if (!node.empty()) opts.nodes.push_back(node);
               }
           },
           "the proxy's backend names, primary first, for the replication check "
           "(comma-separated; '' skips it)")
        ->delimiter(',')
        ->default_str(default_nodes);
    sub.add_option("--writes", opts.writes_per_table, "INSERTs per table")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub.add_option("--reads", opts.reads_per_strategy, "reads per routing strategy")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    sub.add_option_function<double>(
           "--replication-timeout",
           [&opts](const double& seconds) {
               opts.replication_deadline =
                   std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0));
           },
           "seconds to wait for every node to reach the primary's row count [default: 10]")
        ->check(CLI::NonNegativeNumber);
}

}  // namespace sqlgate::workload

// The send-requests demo workload: writes to three tables, reads each with one routing
// strategy, checks every node caught up, and reports who answered and how fast.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "workload/result.hpp"

namespace CLI {
class App;
}

namespace sqlgate::workload {

struct SendRequestsOptions {
    // Unset host/port/user fall back to defaults_file when one is given, else to
    // 127.0.0.1, 3306 and the connector's default user.
    std::optional<std::string> host;
    std::optional<unsigned> port;
    std::optional<std::string> user;

    // Password sources, first match wins: password_file, password, the environment
    // variable named by password_env, defaults_file. The CLI never sets `password` from argv,
    // so a password does not show up in ps; tests set it directly.
    std::string password_file;
    std::optional<std::string> password;
    std::string password_env = "SQLGATE_PASSWORD";  // empty: ignore the environment
    std::string defaults_file;                      // my.cnf syntax, [client] group

    std::string bind_address;  // local address to connect from; empty: the kernel's choice

    // HTTP mode: the statements go to the gatekeeper's HTTPS JSON API at this URL instead
    // of over the MySQL protocol; host, port, user and the password sources are then not
    // used. Empty: MySQL mode.
    std::string http_url;
    // API token sources, first match wins: token_file, token, the environment variable
    // named by token_env. As with the password, the CLI never sets `token` from argv.
    std::string token_file;
    std::optional<std::string> token;
    std::string token_env = "SQLGATE_API_TOKEN";  // empty: ignore the environment
    std::string ssl_ca;  // CA file the server certificate must chain to; empty: the system's

    std::string database = "main_db";
    int writes_per_table = 20;
    int reads_per_strategy = 20;

    // The proxy's backend names, each addressed with a node:NAME route hint. The first is
    // the primary: replicas must reach its row count. Empty: skip the replication check.
    std::vector<std::string> nodes = {"primary", "replica-1", "replica-2", "replica-3"};
    std::chrono::milliseconds replication_deadline{10'000};
    std::chrono::milliseconds replication_poll_interval{50};

    std::chrono::seconds connect_timeout{5};
    std::chrono::seconds read_timeout{10};
};

// Registers --host, --port, --user, --password-file, --defaults-file, --bind-address,
// --http, --token-file, --ssl-ca, --database, --nodes, --writes, --reads and
// --replication-timeout on `sub`, bound to `opts`.
void add_send_requests_options(CLI::App& sub, SendRequestsOptions& opts);

// Empty when the options are usable, else what is wrong with them.
std::string validate(const SendRequestsOptions& opts);

// The password to send, following the precedence documented on SendRequestsOptions;
// nullopt leaves it to defaults_file (or none). Throws std::runtime_error when
// password_file cannot be read.
std::optional<std::string> resolve_password(const SendRequestsOptions& opts);

// The API token in `path`: its content without the trailing newline an editor or echo adds.
// Throws std::runtime_error when the file cannot be read, is empty, or holds characters
// that cannot go in an HTTP header.
std::string read_token_file(const std::string& path);

// The API token for HTTP mode, following the precedence documented on SendRequestsOptions.
// Throws std::runtime_error when there is none or it is unusable (see read_token_file).
std::string resolve_token(const SendRequestsOptions& opts);

// Runs the workload and returns what it observed; never throws. When the run cannot proceed
// (bad options, no connection, schema setup refused) `fatal_error` says why.
SendRequestsResult run_workload(const SendRequestsOptions& opts);

// run_workload, then the report on `out`. Returns the process exit code: 0 when every
// statement succeeded and every replica converged, 1 when some did not, 2 when the workload
// could not run at all.
int run_send_requests(const SendRequestsOptions& opts, std::ostream& out);

}  // namespace sqlgate::workload

#include "workload/send_requests.hpp"

#include <errmsg.h>
#include <mysqld_error.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "workload/client.hpp"
#include "workload/http_client.hpp"
#include "workload/report.hpp"

namespace sqlgate::workload {

namespace {

using Clock = std::chrono::steady_clock;

bool is_identifier(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

// Node names end up inside a /* ... */ hint, so nothing that could close the comment.
bool is_node_name(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-' || c == '.';
    });
}

template <typename T>
std::optional<T> parse_number(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    T value{};
    const char* end = text->data() + text->size();
    auto [ptr, ec] = std::from_chars(text->data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

std::string random_text(std::mt19937_64& rng, std::size_t length) {
    static constexpr char kAlphabet[] =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    std::uniform_int_distribution<std::size_t> pick(0, sizeof kAlphabet - 2);
    std::string text(length, ' ');
    for (auto& c : text)
        c = kAlphabet[pick(rng)];
    return text;
}

// A password or token kept in a file; `what` names it in the error.
std::string read_secret_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(std::string("cannot read ") + what + " file " + path);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Files written by echo or an editor end with a newline that is not part of it.
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
        secret.pop_back();
    return secret;
}

std::string endpoint(const SendRequestsOptions& opts) {
    if (!opts.http_url.empty()) {
        std::string where = parse_http_url(opts.http_url).to_string();
        if (!opts.bind_address.empty()) where += " from " + opts.bind_address;
        return where;
    }
    const bool from_file = !opts.defaults_file.empty();
    std::string where = opts.host.value_or(from_file ? "(host from " + opts.defaults_file + ")"
                                                     : std::string("127.0.0.1"));
    if (opts.port) {
        where += ":" + std::to_string(*opts.port);
    } else if (!from_file) {
        where += ":3306";
    }
    if (!opts.bind_address.empty()) where += " from " + opts.bind_address;
    if (opts.user) where += " as '" + *opts.user + "'";
    return where;
}

std::string connect_hint(unsigned code) {
    switch (code) {
        case CR_CONNECTION_ERROR:
        case CR_CONN_HOST_ERROR:
        case CR_SERVER_LOST:
        case CR_SERVER_GONE_ERROR:
            return "is sqlgate listening there? check --host/--port (and --bind-address: it must "
                   "be a local address)";
        case ER_HOST_NOT_PRIVILEGED:
            return "the server does not accept this source address; check --bind-address";
        case CR_UNKNOWN_HOST:
            return "check --host";
        case ER_ACCESS_DENIED_ERROR:
            return "check --user and the password (--password-file, $SQLGATE_PASSWORD or "
                   "--defaults-file)";
        default:
            return {};
    }
}

std::string connect_hint(ConnectProblem problem) {
    switch (problem) {
        case ConnectProblem::unreachable:
            return "is the gatekeeper's HTTP API listening there? check --http (and "
                   "--bind-address: it must be a local address)";
        case ConnectProblem::certificate:
            return "the server's certificate must chain to --ssl-ca (else to the system's CAs) "
                   "and name the host given in --http";
        case ConnectProblem::tls:
            return "does that port serve HTTPS?";
        case ConnectProblem::none:
        case ConnectProblem::bad_settings:
            break;
    }
    return {};
}

// Said after a schema statement the HTTP API refused, since that is where a wrong token or
// a policy without DDL rights shows first.
std::string refusal_hint(const QueryResult& q) {
    switch (q.http_status) {
        case 401:
            return "\n  the gatekeeper did not accept the token; check --token-file (or "
                   "$SQLGATE_API_TOKEN)";
        case 403:
            return "\n  the gatekeeper's policy refused it; the token's user needs the ddl and "
                   "write kinds on the database";
        default:
            return {};
    }
}

Route route_for_strategy(std::string_view strategy) {
    return strategy == "direct"   ? Route::direct
           : strategy == "random" ? Route::random
                                  : Route::customized;
}

class Workload {
  public:
    Workload(const SendRequestsOptions& opts, StatementSink& client, SendRequestsResult& result)
        : opts_(opts), client_(client), result_(result), rng_(std::random_device{}()) {}

    bool create_schema() {
        const std::string db = opts_.database;
        if (auto q = client_.query("CREATE DATABASE IF NOT EXISTS " + db, Route::write); !q.ok()) {
            result_.fatal_error =
                "could not create database " + db + ": " + q.error + refusal_hint(q);
            return false;
        }
        for (const char* strategy : kStrategies) {
            const auto table = db + "." + table_for_strategy(strategy);
            const auto create = "CREATE TABLE IF NOT EXISTS " + table +
                                " (id INT AUTO_INCREMENT PRIMARY KEY, column1 VARCHAR(255), "
                                "column2 VARCHAR(255))";
            auto q = client_.query(create, Route::write);
            // Each run starts empty, so the replication check counts exactly this run's rows.
            if (q.ok()) q = client_.query("TRUNCATE TABLE " + table, Route::write);
            if (!q.ok()) {
                result_.fatal_error =
                    "could not create table " + table + ": " + q.error + refusal_hint(q);
                return false;
            }
        }
        return true;
    }

    void write() {
        for (const char* strategy : kStrategies) {
            WriteTally& tally = result_.writes.emplace_back();
            tally.table = table_for_strategy(strategy);
            for (int i = 0; i < opts_.writes_per_table; ++i) {
                ++tally.attempted;
                // Alphanumeric only, so nothing needs escaping.
                const auto sql = "INSERT INTO " + opts_.database + "." + tally.table +
                                 " (column1, column2) VALUES ('" + random_text(rng_, 16) + "', '" +
                                 random_text(rng_, 16) + "')";
                auto q = client_.query(sql, Route::write);
                if (!q.ok()) {
                    tally.errors.push_back(q.error);
                } else if (q.affected_rows == 1) {
                    ++tally.acknowledged;
                }
            }
        }
    }

    // An aggregate always yields one row, so even a replica that has not received any row
    // yet still says who it is.
    void read() {
        for (const char* strategy : kStrategies) {
            StrategyReads& reads = result_.reads.emplace_back();
            reads.strategy = strategy;
            reads.table = table_for_strategy(strategy);
            const auto sql = std::string("/* sqlgate:route=") + strategy +
                             " */ SELECT @@server_id, COUNT(*), MAX(id) FROM " + opts_.database +
                             "." + reads.table;
            const Route route = route_for_strategy(strategy);
            for (int i = 0; i < opts_.reads_per_strategy; ++i) {
                ReadSample& sample = reads.samples.emplace_back();
                const auto start = Clock::now();
                auto q = client_.query(sql, route);
                sample.latency = Clock::now() - start;
                if (!q.ok()) {
                    sample.error = q.error;
                } else if (auto id = first_number<std::uint32_t>(q)) {
                    sample.server_id = id;
                } else {
                    sample.error = "the answer carried no @@server_id";
                }
            }
        }
    }

    void check_replication() {
        if (opts_.nodes.empty()) return;
        result_.replication_checked = true;
        for (const char* strategy : kStrategies) {
            TableReplication& table = result_.replication.emplace_back();
            table.table = table_for_strategy(strategy);
            for (const auto& node : opts_.nodes)
                table.nodes.push_back({node, std::nullopt, {}});
        }
        const auto start = Clock::now();
        const auto deadline = start + opts_.replication_deadline;
        for (;;) {
            bool all_converged = true;
            for (auto& table : result_.replication) {
                if (!table.converged) poll(table);
                all_converged = all_converged && table.converged;
            }
            const auto now = Clock::now();
            if (all_converged || now >= deadline) break;
            std::this_thread::sleep_for(
                std::min<Clock::duration>(opts_.replication_poll_interval, deadline - now));
        }
        result_.replication_wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
        warn_about_shared_server_ids();
    }

  private:
    template <typename T>
    static std::optional<T> first_number(const QueryResult& q, std::size_t column = 0) {
        if (q.rows.empty() || q.rows.front().size() <= column) return std::nullopt;
        return parse_number<T>(q.rows.front()[column]);
    }

    void poll(TableReplication& table) {
        for (auto& node : table.nodes) {
            const auto sql = "/* sqlgate:route=node:" + node.node +
                             " */ SELECT COUNT(*), @@server_id FROM " + opts_.database + "." +
                             table.table;
            auto q = client_.query(sql, Route::node);
            auto rows = first_number<std::uint64_t>(q, 0);
            auto server_id = first_number<std::uint32_t>(q, 1);
            if (!q.ok() || !rows || !server_id) {
                node.rows.reset();
                node.error = q.ok() ? "the answer carried no row count and @@server_id" : q.error;
                continue;
            }
            node.rows = rows;
            node.error.clear();
            learn(*server_id, node.node);
        }
        const auto& reference = table.nodes.front();
        table.converged = std::all_of(table.nodes.begin(), table.nodes.end(), [&](const auto& n) {
            return n.rows && reference.rows && *n.rows == *reference.rows;
        });
    }

    void learn(std::uint32_t server_id, const std::string& node) {
        result_.node_by_server_id.emplace(server_id, node);
        auto& names = nodes_by_server_id_[server_id];
        if (std::find(names.begin(), names.end(), node) == names.end()) names.push_back(node);
    }

    // Two names behind one server id mean the node:NAME hints did not reach distinct servers.
    void warn_about_shared_server_ids() {
        for (const auto& [server_id, names] : nodes_by_server_id_) {
            if (names.size() < 2) continue;
            std::string list;
            for (const auto& name : names)
                list += (list.empty() ? "" : ", ") + name;
            result_.warnings.push_back(
                "nodes " + list + " answered with the same @@server_id " +
                std::to_string(server_id) +
                ": either they share a server_id or the node:NAME route hints are not honoured, "
                "so the replication check proves little (reads by that server are shown as " +
                names.front() + ")");
        }
    }

    const SendRequestsOptions& opts_;
    StatementSink& client_;
    SendRequestsResult& result_;
    std::mt19937_64 rng_;
    std::map<std::uint32_t, std::vector<std::string>> nodes_by_server_id_;
};

// The connection settings both modes share.
template <class Params>
void copy_connection_options(const SendRequestsOptions& opts, Params& params) {
    params.bind_address = opts.bind_address;
    params.connect_timeout = opts.connect_timeout;
    params.read_timeout = opts.read_timeout;
}

// Connects `client`; on failure sets result.fatal_error, with a hint when one helps, and
// returns nullptr. `Problem` is what the client's connect reports the failure as.
template <class Problem, class Sink>
std::unique_ptr<StatementSink> connected(std::unique_ptr<Sink> client,
                                         const SendRequestsOptions& opts,
                                         SendRequestsResult& result) {
    Problem problem{};
    if (auto error = client->connect(&problem); !error.empty()) {
        result.fatal_error = "cannot connect to " + endpoint(opts) + ": " + error;
        if (auto hint = connect_hint(problem); !hint.empty()) result.fatal_error += "\n  " + hint;
        return nullptr;
    }
    return client;
}

// Both throw std::runtime_error when the password or token cannot be had.

std::unique_ptr<StatementSink> connect_mysql(const SendRequestsOptions& opts,
                                             SendRequestsResult& result) {
    ConnectParams params;
    params.password = resolve_password(opts);
    // Without a defaults file an unset host would mean "localhost", i.e. a Unix socket.
    params.host = opts.host                    ? opts.host
                  : opts.defaults_file.empty() ? std::optional<std::string>("127.0.0.1")
                                               : std::nullopt;
    params.port = opts.port.value_or(0);
    params.user = opts.user;
    params.defaults_file = opts.defaults_file;
    copy_connection_options(opts, params);
    return connected<unsigned>(std::make_unique<Client>(std::move(params)), opts, result);
}

std::unique_ptr<StatementSink> connect_http(const SendRequestsOptions& opts,
                                            SendRequestsResult& result) {
    HttpParams params;
    params.token = resolve_token(opts);
    params.url = parse_http_url(opts.http_url);  // validate() has accepted it
    params.ca_file = opts.ssl_ca;
    copy_connection_options(opts, params);
    return connected<ConnectProblem>(std::make_unique<HttpClient>(std::move(params)), opts, result);
}

}  // namespace

std::string validate(const SendRequestsOptions& opts) {
    if (!is_identifier(opts.database)) {
        return "database name '" + opts.database + "' must be 1-64 letters, digits or '_'";
    }
    std::set<std::string> seen;
    for (const auto& node : opts.nodes) {
        if (!is_node_name(node)) {
            return "node name '" + node + "' must be 1-64 letters, digits, '_', '-' or '.'";
        }
        if (!seen.insert(node).second) return "node '" + node + "' is listed twice in --nodes";
    }
    if (opts.port && (*opts.port == 0 || *opts.port > 65535)) {
        return "port " + std::to_string(*opts.port) + " is not in 1-65535";
    }
    if (opts.writes_per_table < 0 || opts.reads_per_strategy < 0) {
        return "--writes and --reads must not be negative";
    }
    if (opts.replication_deadline.count() < 0 || opts.replication_poll_interval.count() <= 0) {
        return "the replication deadline must not be negative and the poll interval must be "
               "positive";
    }
    if (opts.connect_timeout.count() <= 0 || opts.read_timeout.count() <= 0) {
        return "connect and read timeouts must be positive";
    }
    if (opts.http_url.empty()) {
        if (!opts.token_file.empty() || !opts.ssl_ca.empty()) {
            return "--token-file and --ssl-ca are for --http (MySQL mode takes TLS settings "
                   "from --defaults-file)";
        }
        return {};
    }
    // Refused rather than ignored: whoever gives them expects them to matter.
    if (opts.host || opts.port || opts.user || !opts.password_file.empty() ||
        !opts.defaults_file.empty()) {
        return "--http goes to the gatekeeper's API with a token; --host, --port, --user, "
               "--password-file and --defaults-file are for MySQL mode";
    }
    try {
        parse_http_url(opts.http_url);
    } catch (const std::invalid_argument& e) {
        return std::string("--http ") + e.what();
    }
    return {};
}

std::optional<std::string> resolve_password(const SendRequestsOptions& opts) {
    if (!opts.password_file.empty()) return read_secret_file(opts.password_file, "password");
    if (opts.password) return opts.password;
    if (!opts.password_env.empty()) {
        if (const char* env = std::getenv(opts.password_env.c_str())) return std::string(env);
    }
    return std::nullopt;
}

std::string read_token_file(const std::string& path) {
    std::string token = read_secret_file(path, "token");
    try {
        check_token(token);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error("token file " + path + ": " + e.what());
    }
    return token;
}

std::string resolve_token(const SendRequestsOptions& opts) {
    if (!opts.token_file.empty()) return read_token_file(opts.token_file);
    std::optional<std::string> token = opts.token;
    std::string source = "the token";
    if (!token && !opts.token_env.empty()) {
        if (const char* env = std::getenv(opts.token_env.c_str())) token = env;
        source = "$" + opts.token_env;
    }
    if (!token) {
        throw std::runtime_error("no API token: give --token-file" +
                                 (opts.token_env.empty() ? "" : " or set $" + opts.token_env));
    }
    try {
        check_token(*token);
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(source + ": " + e.what());
    }
    return *token;
}

SendRequestsResult run_workload(const SendRequestsOptions& opts) {
    SendRequestsResult result;
    result.nodes = opts.nodes;
    if (auto problem = validate(opts); !problem.empty()) {
        result.fatal_error = "bad options: " + problem;
        return result;
    }
    std::unique_ptr<StatementSink> client;
    try {
        client = opts.http_url.empty() ? connect_mysql(opts, result) : connect_http(opts, result);
    } catch (const std::exception& e) {
        result.fatal_error = e.what();
    }
    if (!client) return result;
    Workload workload(opts, *client, result);
    if (!workload.create_schema()) return result;
    workload.write();
    workload.read();
    workload.check_replication();
    return result;
}

int run_send_requests(const SendRequestsOptions& opts, std::ostream& out) {
    const auto result = run_workload(opts);
    print_report(result, out);
    return exit_code(result);
}

}  // namespace sqlgate::workload

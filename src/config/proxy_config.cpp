#include "config/proxy_config.hpp"

#include <algorithm>
#include <set>
#include <thread>

#include "config/sha256.hpp"
#include "config/toml_reader.hpp"
#include "mysql/auth.hpp"

namespace sqlgate::config {
namespace {

void validate(const ProxyConfig& c, const TableReader& root) {
    std::size_t primaries = 0;
    std::set<std::string> names;
    for (const auto& s : c.servers) {
        primaries += s.role == ServerRole::primary;
        if (!names.insert(s.name).second)
            root.fail("servers", "duplicate server name '" + s.name + "'");
    }
    if (primaries != 1) root.fail("servers", "exactly one server must have role = \"primary\"");
    if (c.servers.size() > 64) root.fail("servers", "at most 64 servers are supported");
    std::set<std::string> users;
    for (const auto& u : c.users) {
        if (!users.insert(u.name).second) root.fail("users", "duplicate user '" + u.name + "'");
    }
    if (c.users.empty()) root.fail("users", "at least one [[users]] entry is needed");
}

// schema.table of plain ASCII identifier characters: safe to quote into the monitor's SQL.
bool is_qualified_table_name(std::string_view name) {
    const auto plain = [](std::string_view part) {
        return !part.empty() && std::ranges::all_of(part, [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '$';
        });
    };
    const std::size_t dot = name.find('.');
    return dot != std::string_view::npos && plain(name.substr(0, dot)) &&
           plain(name.substr(dot + 1));
}

// One function per section; each rejects keys it does not know.
void read_listener(const toml::table& root, const std::filesystem::path& file, ProxyConfig& c) {
    TableReader listener(subtable(root, "listener", file), "listener.", file);
    if (auto a = listener.optional_address("address")) c.listen_address = *a;
    listener.read("port", c.listen_port);
    if (auto r = listener.optional_route("default_route")) c.default_route = *r;
    listener.read("max_statement_bytes", c.max_statement_bytes);
    listener.read_ms("handshake_timeout_ms", c.handshake_timeout, 100);
    listener.read("server_version", c.server_version);
    listener.reject_unknown();

    const RuntimeSection runtime = read_runtime(root, file);
    c.threads = runtime.threads;
    c.io = runtime.io;
}

void read_backends(const toml::table& root, const std::filesystem::path& file, ProxyConfig& c) {
    TableReader backend(subtable(root, "backend", file), "backend.", file);
    c.backend = backend.credentials();
    c.source_address = backend.optional_address("source_address");
    backend.read_ms("connect_timeout_ms", c.connect_timeout, 10);
    backend.read("multiplex", c.multiplex);
    backend.read("max_connections_per_server", c.max_connections_per_server);
    backend.read_ms("connection_wait_timeout_ms", c.connection_wait_timeout, 1);
    backend.read("pipeline_depth", c.pipeline_depth);
    if (c.pipeline_depth < 1 || c.pipeline_depth > 64) {
        backend.fail("pipeline_depth", "must be from 1 (no pipelining) to 64");
    }
    backend.reject_unknown();

    TableReader monitor(subtable(root, "monitor", file), "monitor.", file);
    c.monitor = monitor.credentials();
    monitor.read_ms("interval_ms", c.monitor_interval, 10);
    monitor.read("failure_threshold", c.failure_threshold);
    monitor.read("max_replication_lag_s", c.max_replication_lag_s);
    if (auto ms = monitor.optional<double>("max_replication_lag_ms")) {
        if (monitor.optional<double>("max_replication_lag_s")) {
            monitor.fail("max_replication_lag_ms", "give max_replication_lag_s or _ms, not both");
        }
        c.max_replication_lag_s = *ms / 1000;
    }
    if (c.max_replication_lag_s < 0) {
        monitor.fail("max_replication_lag_ms", "cannot be negative");
    }
    monitor.read("ewma_weight", c.ewma_weight);
    monitor.read_ms("heartbeat_interval_ms", c.heartbeat_interval, 0);
    if (c.heartbeat_interval.count() > 0 && c.heartbeat_interval.count() < 10) {
        monitor.fail("heartbeat_interval_ms", "must be 0 (off) or at least 10");
    }
    monitor.read("heartbeat_table", c.heartbeat_table);
    if (!is_qualified_table_name(c.heartbeat_table)) {
        monitor.fail("heartbeat_table",
                     "must be schema.table, each of letters, digits, _ and $ (got '" +
                         c.heartbeat_table + "')");
    }
    if (c.failure_threshold < 1) monitor.fail("failure_threshold", "must be at least 1");
    if (c.ewma_weight <= 0 || c.ewma_weight > 1) monitor.fail("ewma_weight", "must be in (0, 1]");
    monitor.reject_unknown();

    TableReader routing(subtable(root, "routing", file), "routing.", file);
    routing.read("fallback_to_primary", c.fallback_to_primary);
    routing.read("read_your_writes", c.read_your_writes);
    routing.read_ms("read_your_writes_timeout_ms", c.read_your_writes_timeout, 1);
    c.replica_safe_functions = routing.string_list("replica_safe_functions");
    for (const std::string& name : c.replica_safe_functions) {
        const std::size_t dot = name.find('.');
        const bool well_formed = !name.empty() && name.find('.', dot + 1) == std::string::npos &&
                                 dot != 0 && dot != name.size() - 1;
        if (!well_formed) {
            routing.fail("replica_safe_functions",
                         "'" + name + "' is not a function name (NAME or SCHEMA.NAME)");
        }
    }
    routing.reject_unknown();

    TableReader failover(subtable(root, "failover", file), "failover.", file);
    if (const auto mode = failover.optional<std::string>("mode")) {
        if (*mode == "off") {
            c.failover = FailoverMode::off;
        } else if (*mode == "manual") {
            c.failover = FailoverMode::manual;
        } else if (*mode == "auto") {
            c.failover = FailoverMode::automatic;
        } else {
            failover.fail("mode", "must be \"auto\", \"manual\" or \"off\"");
        }
    }
    failover.read_ms("failover_after_ms", c.failover_after, 1);
    failover.read_ms("promotion_timeout_ms", c.promotion_timeout, 100);
    if (c.failover != FailoverMode::off) {
        c.replication = failover.credentials();
        // They go into CHANGE MASTER as string literals, whatever the server's sql_mode.
        for (const std::string* value : {&c.replication.user, &c.replication.password}) {
            if (value->find_first_of("'\\") != std::string::npos ||
                std::any_of(value->begin(), value->end(),
                            [](unsigned char ch) { return ch < 0x20; })) {
                failover.fail(value == &c.replication.user ? "user" : "password_file",
                              "quotes, backslashes and control characters are not supported");
            }
        }
    }
    failover.reject_unknown();
}

void read_servers_and_users(const toml::table& root, const std::filesystem::path& file,
                            ProxyConfig& c) {
    for_each_entry(root, "servers", file, [&](TableReader t) {
        ServerConfig s;
        s.name = t.required<std::string>("name");
        s.address = t.address("address");
        t.read("port", s.port);
        const auto role = t.required<std::string>("role");
        if (role == "primary") {
            s.role = ServerRole::primary;
        } else if (role == "replica") {
            s.role = ServerRole::replica;
        } else {
            t.fail("role", "must be \"primary\" or \"replica\"");
        }
        t.read("priority", s.priority);
        t.reject_unknown();
        c.servers.push_back(std::move(s));
    });
    for_each_entry(root, "users", file, [&](TableReader t) {
        UserConfig u;
        u.name = t.required<std::string>("name");
        u.password_hash = t.required<std::string>("password_hash");
        if (!mysql::parse_native_password_hash(u.password_hash)) {
            t.fail("password_hash", "expected \"*\" and 40 hex digits, as PASSWORD() prints");
        }
        u.default_route = t.optional_route("default_route");
        if (auto ms = t.optional<double>("max_replication_lag_ms")) {
            if (*ms < 0) t.fail("max_replication_lag_ms", "cannot be negative");
            u.max_replication_lag_s = *ms / 1000;
        }
        t.reject_unknown();
        c.users.push_back(std::move(u));
    });
}

void read_tls_and_access(const toml::table& root, const std::filesystem::path& file,
                         ProxyConfig& c) {
    TableReader tls(subtable(root, "tls", file), "tls.", file);
    c.tls = tls.tls_files({});
    tls.read("require", c.require_tls);
    tls.reject_unknown();
    TableReader access(subtable(root, "access", file), "access.", file);
    c.access = access.peer_access();
    access.reject_unknown();
    if (!c.access.client_certificate_names.empty()) {
        if (!c.tls.enabled() || c.tls.ca.empty()) {
            access.fail("client_certificate_names", "needs [tls] certificate, private_key and ca");
        }
        c.require_tls = true;
    }
    if (c.require_tls && !c.tls.enabled()) tls.fail("require", "needs certificate and private_key");
}

}  // namespace

ProxyConfig parse_proxy_config(std::string_view text, const std::filesystem::path& file) {
    const toml::table root = parse_toml(text, file);
    ProxyConfig c;
    c.source_file = file;
    c.digest = sha256_hex(text);
    TableReader top(root, "", file);
    read_listener(root, file, c);
    read_backends(root, file, c);
    read_servers_and_users(root, file, c);
    read_tls_and_access(root, file, c);
    c.admin = read_admin_listener(root, file);
    for (std::string_view key : {"listener", "runtime", "backend", "monitor", "routing", "failover",
                                 "admin", "servers", "users", "tls", "access"}) {
        top.known(key);
    }
    top.reject_unknown();
    validate(c, top);
    return c;
}

ProxyConfig load_proxy_config(const std::filesystem::path& file) {
    return parse_proxy_config(read_config_file(file), file);
}

}  // namespace sqlgate::config

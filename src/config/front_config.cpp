#include "config/front_config.hpp"

#include <sys/stat.h>

#include "config/sha256.hpp"
#include "config/toml_reader.hpp"
#include "mysql/auth.hpp"

namespace sqlgate::config {
namespace {

constexpr std::string_view kNoCredentials =
    "the gatekeeper holds no database credentials; they belong in the trusted host's "
    "secrets_file";

// `l` holds the role's defaults.
FrontListener read_listener(TableReader& t, FrontListener l = {}) {
    if (auto a = t.optional_address("address")) l.address = *a;
    t.read("port", l.port);
    t.read_ms("handshake_timeout_ms", l.handshake_timeout, 100);
    t.read_ms("idle_timeout_ms", l.idle_timeout, 100);
    t.read("max_statement_bytes", l.max_statement_bytes);
    if (l.max_statement_bytes < 64) t.fail("max_statement_bytes", "must be at least 64");
    t.read("max_connections", l.max_connections);
    t.read("max_connections_per_source", l.max_connections_per_source);
    t.read("max_connections_per_user", l.max_connections_per_user);
    t.read("max_unauthenticated", l.max_unauthenticated);
    t.read("max_unauthenticated_per_source", l.max_unauthenticated_per_source);
    t.read_ms("handshake_timeout_under_pressure_ms", l.handshake_timeout_under_pressure, 100);
    t.read("server_version", l.server_version);
    return l;
}

UpstreamHop read_upstream(TableReader& t) {
    UpstreamHop u;
    u.address = t.address("address");
    t.read("port", u.port);
    u.source_address = t.optional_address("source_address");
    u.server_name = t.required<std::string>("server_name");
    u.tls = t.tls_files({.need_ca = true});
    if (!u.tls.enabled()) t.fail("certificate", "missing: every internal hop uses mutual TLS");
    t.read_ms("connect_timeout_ms", u.connect_timeout, 10);
    return u;
}

void read_policy_user(TableReader& t, FrontUser& u) {
    u.name = t.required<std::string>("name");
    u.policy = t.user_policy();
}

void check_unique_users(const std::vector<FrontUser>& users, const TableReader& top) {
    std::set<std::string> names;
    for (const auto& u : users) {
        if (!names.insert(u.name).second) top.fail("users", "duplicate user '" + u.name + "'");
    }
    if (users.empty()) top.fail("users", "at least one [[users]] entry is needed");
}

// [firewall], checked against the users: a mode other than "off" needs the list's file.
FirewallFiles read_firewall(const toml::table& root, const std::filesystem::path& file,
                            const std::vector<FrontUser>& users) {
    TableReader t(subtable(root, "firewall", file), "firewall.", file);
    FirewallFiles f;
    if (auto p = t.optional_path("allowlist")) f.allowlist = *p;
    t.reject_unknown();
    for (const FrontUser& u : users) {
        if (u.policy.firewall != policy::FirewallMode::off && f.allowlist.empty()) {
            t.fail("allowlist", "missing: user '" + u.name + "' has firewall = \"" +
                                    std::string(policy::to_string(u.policy.firewall)) +
                                    "\", which needs the allowlist's file");
        }
    }
    return f;
}

}  // namespace

GatekeeperConfig parse_gatekeeper_config(std::string_view text, const std::filesystem::path& file) {
    const toml::table root = parse_toml(text, file);
    GatekeeperConfig c;
    c.source_file = file;
    c.digest = sha256_hex(text);
    TableReader top(root, "", file);

    TableReader listener(subtable(root, "listener", file), "listener.", file);
    c.listener = read_listener(listener);
    listener.reject_unknown_and_credentials(kNoCredentials);

    TableReader tls(subtable(root, "tls", file), "tls.", file);
    c.tls = tls.tls_files({});
    tls.read("allow_plain_from_loopback", c.allow_plain_from_loopback);
    if (!c.tls.enabled() && !c.allow_plain_from_loopback) {
        tls.fail("certificate",
                 "missing: the gatekeeper requires TLS (or set "
                 "allow_plain_from_loopback = true for loopback-only tests)");
    }
    tls.reject_unknown_and_credentials(kNoCredentials);

    TableReader upstream(subtable(root, "upstream", file), "upstream.", file);
    c.upstream = read_upstream(upstream);
    upstream.reject_unknown_and_credentials(kNoCredentials);

    TableReader http(subtable(root, "http", file), "http.", file);
    http.read("enabled", c.http.enabled);
    if (auto a = http.optional_address("address")) c.http.address = *a;
    http.read("port", c.http.port);
    http.read("max_body_bytes", c.http.max_body_bytes);
    if (c.http.enabled && !c.tls.enabled()) http.fail("enabled", "the HTTP API needs [tls]");
    http.reject_unknown_and_credentials(kNoCredentials);

    TableReader limits(subtable(root, "rate_limits", file), "rate_limits.", file);
    limits.read("per_user_per_second", c.rate_limits.per_user_per_second);
    limits.read("per_user_burst", c.rate_limits.per_user_burst);
    limits.read("per_source_per_second", c.rate_limits.per_source_per_second);
    limits.read("per_source_burst", c.rate_limits.per_source_burst);
    for (double v : {c.rate_limits.per_user_per_second, c.rate_limits.per_user_burst,
                     c.rate_limits.per_source_per_second, c.rate_limits.per_source_burst}) {
        if (v < 0) limits.fail("per_user_per_second", "rates and bursts cannot be negative");
    }
    limits.reject_unknown_and_credentials(kNoCredentials);

    TableReader audit(subtable(root, "audit", file), "audit.", file);
    if (auto p = audit.optional<std::string>("file")) {
        c.audit_file = *p == "-" ? *p : audit.path("file").string();
    }
    audit.reject_unknown_and_credentials(kNoCredentials);

    for_each_entry(root, "users", file, [&](TableReader t) {
        FrontUser u;
        read_policy_user(t, u);
        u.password_hash = t.required<std::string>("password_hash");
        if (!mysql::parse_native_password_hash(u.password_hash)) {
            t.fail("password_hash", "expected \"*\" and 40 hex digits, as PASSWORD() prints");
        }
        if (auto token = t.optional<std::string>("api_token_sha256")) {
            if (!parse_sha256_hex(*token)) {
                t.fail("api_token_sha256", "expected 64 hex digits (the token's SHA-256)");
            }
            u.api_token_sha256 = *token;
        }
        t.reject_unknown_and_credentials(kNoCredentials);
        c.users.push_back(std::move(u));
    });

    c.admin = read_admin_listener(root, file);
    const RuntimeSection runtime = read_runtime(root, file);
    c.threads = runtime.threads;
    c.io = runtime.io;
    c.firewall = read_firewall(root, file, c.users);
    for (std::string_view key : {"listener", "tls", "upstream", "http", "rate_limits", "audit",
                                 "firewall", "admin", "runtime", "users"}) {
        top.known(key);
    }
    top.reject_unknown_and_credentials(kNoCredentials);
    check_unique_users(c.users, top);
    return c;
}

GatekeeperConfig load_gatekeeper_config(const std::filesystem::path& file) {
    return parse_gatekeeper_config(read_config_file(file), file);
}

TrustedHostConfig parse_trusted_host_config(std::string_view text,
                                            const std::filesystem::path& file) {
    const toml::table root = parse_toml(text, file);
    TrustedHostConfig c;
    c.source_file = file;
    c.digest = sha256_hex(text);
    TableReader top(root, "", file);

    TableReader listener(subtable(root, "listener", file), "listener.", file);
    // Only the gatekeeper, from an address the config names, logs in here: its bursts of
    // upstream logins must not be thinned out as a flood would be.
    c.listener = read_listener(
        listener, FrontListener{.max_unauthenticated = 0, .max_unauthenticated_per_source = 0});
    listener.reject_unknown();

    TableReader tls(subtable(root, "tls", file), "tls.", file);
    c.tls = tls.tls_files({.need_ca = true});
    if (!c.tls.enabled()) tls.fail("certificate", "missing: the trusted host accepts only TLS");
    tls.reject_unknown();

    TableReader access(subtable(root, "access", file), "access.", file);
    c.access = access.peer_access();
    if (c.access.client_certificate_names.empty()) {
        access.fail("client_certificate_names",
                    "missing: name the gatekeeper's certificate (only it may connect)");
    }
    if (c.access.allowed_sources.empty()) {
        access.fail("allowed_sources", "missing: list the gatekeeper's addresses");
    }
    access.reject_unknown();

    TableReader upstream(subtable(root, "upstream", file), "upstream.", file);
    c.upstream = read_upstream(upstream);
    upstream.reject_unknown();

    c.secrets_file = top.path("secrets_file");
    for_each_entry(root, "users", file, [&](TableReader t) {
        FrontUser u;
        read_policy_user(t, u);
        t.reject_unknown();
        c.users.push_back(std::move(u));
    });
    c.admin = read_admin_listener(root, file);
    const RuntimeSection runtime = read_runtime(root, file);
    c.threads = runtime.threads;
    c.io = runtime.io;
    c.firewall = read_firewall(root, file, c.users);
    for (std::string_view key :
         {"listener", "tls", "access", "upstream", "firewall", "admin", "runtime", "users"})
        top.known(key);
    top.reject_unknown();
    check_unique_users(c.users, top);

    // The secrets file holds passwords: readable by the service user alone, or refused.
    struct stat st {};
    if (::stat(c.secrets_file.c_str(), &st) != 0) {
        top.fail("secrets_file", "cannot read " + c.secrets_file.string());
    }
    if ((st.st_mode & 077) != 0) {
        top.fail("secrets_file", c.secrets_file.string() +
                                     " is readable or writable by group or others; "
                                     "chmod 600 it");
    }
    const std::string secrets_text = read_config_file(c.secrets_file);
    const toml::table secrets = parse_toml(secrets_text, c.secrets_file);
    TableReader secrets_top(secrets, "", c.secrets_file);
    for (const FrontUser& u : c.users) {
        const toml::table& entry =
            subtable(subtable(secrets, "users", c.secrets_file), u.name, c.secrets_file);
        TableReader t(entry, "users." + u.name + ".", c.secrets_file);
        Credentials cred;
        cred.user = t.required<std::string>("user");
        cred.password = t.required<std::string>("password");
        t.reject_unknown();
        c.credentials.emplace(u.name, std::move(cred));
    }
    secrets_top.known("users");
    secrets_top.reject_unknown();
    return c;
}

TrustedHostConfig load_trusted_host_config(const std::filesystem::path& file) {
    return parse_trusted_host_config(read_config_file(file), file);
}

}  // namespace sqlgate::config

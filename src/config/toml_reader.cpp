#include "config/toml_reader.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "config/sha256.hpp"

namespace sqlgate::config {

std::string location(const std::filesystem::path& file, const toml::source_region& where) {
    std::ostringstream out;
    out << file.string();
    if (where.begin.line > 0) out << ':' << where.begin.line;
    return out.str();
}

toml::table parse_toml(std::string_view text, const std::filesystem::path& file) {
    try {
        return toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(location(file, e.source()) + ": " + std::string(e.description()));
    }
}

std::string read_config_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

const toml::table& subtable(const toml::table& root, std::string_view name,
                            const std::filesystem::path& file) {
    static const toml::table empty;
    const toml::node* node = root.get(name);
    if (!node) return empty;
    if (!node->is_table()) {
        throw ConfigError(location(file, node->source()) + ": " + std::string(name) +
                          ": expected a table [" + std::string(name) + "]");
    }
    return *node->as_table();
}

RuntimeSection read_runtime(const toml::table& root, const std::filesystem::path& file) {
    TableReader runtime(subtable(root, "runtime", file), "runtime.", file);
    std::size_t threads = 0;
    runtime.read("threads", threads);
    if (threads > kMaxThreads) {
        runtime.fail("threads", "at most " + std::to_string(kMaxThreads) + " (0: one per core)");
    }
    std::string io = "io_uring";
    runtime.read("io", io);
    if (io != "io_uring" && io != "epoll") runtime.fail("io", "\"io_uring\" or \"epoll\"");
    runtime.reject_unknown();
    return {.threads = threads == 0 ? std::max(1u, std::thread::hardware_concurrency()) : threads,
            .io = io == "epoll" ? EventLoopIo::epoll : EventLoopIo::io_uring};
}

AdminListener read_admin_listener(const toml::table& root, const std::filesystem::path& file) {
    AdminListener listener;
    TableReader admin(subtable(root, "admin", file), "admin.", file);
    // A server certificate and its key only: clients of the admin listener are not asked
    // for certificates, so there is no tls_ca.
    listener.tls = admin.tls_files({.prefix = "tls_", .ca = false});
    if (auto token = admin.optional<std::string>("token_sha256")) {
        if (!parse_sha256_hex(*token)) {
            admin.fail("token_sha256", "expected 64 hex digits (the token's SHA-256)");
        }
        listener.token_sha256 = *token;
    }
    if (listener.tls.enabled() != !listener.token_sha256.empty()) {
        // A token over plain HTTP could be read on the way; TLS without one lets anyone in.
        admin.fail(listener.tls.enabled() ? "token_sha256" : "tls_certificate",
                   "TLS and a token go together on the admin listener");
    }
    if (auto a = admin.optional_address("address")) {
        const bool loopback = a->starts_with("127.") || *a == "::1";
        if (!loopback && !listener.secured()) {
            admin.fail("address",
                       "a non-loopback address needs tls_certificate, tls_private_key and "
                       "token_sha256: the admin listener shows and changes the cluster");
        }
        listener.address = *a;
    }
    admin.read("port", listener.port);
    listener.peers = admin.string_list("peers");
    for (const std::string& peer : listener.peers) {
        const std::size_t colon = peer.rfind(':');
        const std::string host = peer.substr(0, colon);
        if (colon == std::string::npos || colon + 1 == peer.size() ||
            peer.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
            !(host.starts_with("127.") || host == "::1")) {
            admin.fail("peers", "'" + peer + "': expected a loopback ADDRESS:PORT");
        }
    }
    admin.reject_unknown();
    return listener;
}

std::optional<std::string> TableReader::optional_address(std::string_view key) {
    const auto text = optional<std::string>(key);
    boost::system::error_code ec;
    if (text) boost::asio::ip::make_address(*text, ec);
    if (ec) fail(key, "'" + *text + "' is not an IP address");
    return text;
}

Credentials TableReader::credentials() {
    Credentials c;
    c.user = required<std::string>("user");
    if (table_.contains("password")) {
        fail("password", "passwords are not written in the config; use password_file");
    }
    const std::filesystem::path file = path("password_file");
    std::ifstream in(file);
    if (!in) fail("password_file", "cannot read " + file.string());
    std::getline(in, c.password, '\0');
    while (!c.password.empty() && (c.password.back() == '\n' || c.password.back() == '\r')) {
        c.password.pop_back();
    }
    return c;
}

std::vector<std::string> TableReader::string_list(std::string_view key) {
    used_.insert(std::string(key));
    std::vector<std::string> out;
    const toml::node* node = table_.get(key);
    if (!node) return out;
    const toml::array* items = node->as_array();
    if (!items) fail(key, "expected a list of strings");
    for (const toml::node& item : *items) {
        const auto v = item.value_exact<std::string>();
        if (!v) fail(key, "expected a list of strings");
        out.push_back(*v);
    }
    return out;
}

std::optional<std::filesystem::path> TableReader::optional_path(std::string_view key) {
    const auto text = optional<std::string>(key);
    if (!text) return std::nullopt;
    if (text->empty()) fail(key, "empty path");
    std::filesystem::path p = *text;
    if (p.is_relative()) p = file_.parent_path() / p;
    return p;
}

std::filesystem::path TableReader::path(std::string_view key) {
    if (auto p = optional_path(key)) return *p;
    fail(key, "missing");
}

TlsFiles TableReader::tls_files(TlsKeys keys) {
    const std::string certificate = std::string(keys.prefix) + "certificate";
    const std::string private_key = std::string(keys.prefix) + "private_key";
    const std::string ca = std::string(keys.prefix) + "ca";
    TlsFiles files;
    if (auto p = optional_path(certificate)) files.certificate = *p;
    if (auto p = optional_path(private_key)) files.private_key = *p;
    if (keys.ca) {
        if (auto p = optional_path(ca)) files.ca = *p;
    }
    const std::string ciphers = std::string(keys.prefix) + "tls12_ciphers";
    if (auto list = optional<std::string>(ciphers)) {
        if (list->empty()) fail(ciphers, "empty; leave it out for the default suites");
        files.tls12_ciphers = *list;
    }
    if (files.certificate.empty() != files.private_key.empty()) {
        fail(files.certificate.empty() ? certificate : private_key,
             certificate + " and " + private_key + " go together");
    }
    if (keys.need_ca && files.ca.empty()) fail(ca, "missing");
    for (const auto& [key, p] :
         {std::pair{&certificate, &files.certificate}, std::pair{&private_key, &files.private_key},
          std::pair{&ca, &files.ca}}) {
        // The overload without error_code throws filesystem_error (a name too long, a symlink
        // loop), which the roles' start-up does not expect from a bad configuration.
        std::error_code error;
        if (!p->empty() && !std::filesystem::exists(*p, error)) {
            fail(*key, error ? "cannot check " + p->string() + ": " + error.message()
                             : "no such file " + p->string());
        }
    }
    return files;
}

PeerAccess TableReader::peer_access() {
    PeerAccess access;
    access.allowed_sources = string_list("allowed_sources");
    for (const std::string& source : access.allowed_sources) {
        boost::system::error_code ec;
        if (source.find('/') == std::string::npos) {
            boost::asio::ip::make_address(source, ec);
        } else if (source.find(':') == std::string::npos) {
            boost::asio::ip::make_network_v4(source, ec);
        } else {
            boost::asio::ip::make_network_v6(source, ec);
        }
        if (ec) fail("allowed_sources", "'" + source + "' is not an address or CIDR block");
    }
    access.client_certificate_names = string_list("client_certificate_names");
    return access;
}

policy::UserPolicy TableReader::user_policy() {
    policy::UserPolicy p;
    const auto kinds = string_list("allowed_kinds");
    if (!kinds.empty()) {
        p.allowed_kinds = {};
        for (const std::string& name : kinds) {
            const auto kind = policy::parse_statement_kind(name);
            if (!kind) {
                fail("allowed_kinds", "unknown statement kind '" + name +
                                          "' (read, write, ddl, transaction, session, admin, "
                                          "other)");
            }
            p.allowed_kinds.add(*kind);
        }
    }
    p.allowed_schemas = string_list("allowed_schemas");
    p.allowed_tables = string_list("allowed_tables");
    if (auto s = optional<std::string>("default_schema")) p.default_schema = *s;
    read("max_statement_bytes", p.max_statement_bytes);
    read("allow_system_schemas", p.allow_system_schemas);
    read("allow_multiple_statements", p.allow_multiple_statements);
    read("allow_executable_comments", p.allow_executable_comments);
    read("injection_heuristics", p.injection_heuristics);
    if (auto mode = optional<std::string>("firewall")) {
        const auto parsed = policy::parse_firewall_mode(*mode);
        if (!parsed) fail("firewall", "unknown mode '" + *mode + "' (off, learn, detect, protect)");
        p.firewall = *parsed;
    }
    return p;
}

void TableReader::reject_unknown() const {
    for (const auto& [key, node] : table_) {
        if (!used_.contains(std::string(key.str()))) {
            throw ConfigError(location(file_, node.source()) + ": " + prefix_ +
                              std::string(key.str()) + ": unknown key");
        }
    }
}

void TableReader::reject_unknown_and_credentials(std::string_view why) const {
    for (const auto& [key, node] : table_) {
        const std::string_view name = key.str();
        const bool credential =
            name.find("password") != std::string_view::npos && name != "password_hash";
        if (credential || name == "secrets_file") {
            throw ConfigError(location(file_, node.source()) + ": " + prefix_ + std::string(name) +
                              ": " + std::string(why));
        }
    }
    reject_unknown();
}

}  // namespace sqlgate::config

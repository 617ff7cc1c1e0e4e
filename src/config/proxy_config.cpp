#include "config/proxy_config.hpp"

#include <toml++/toml.h>

#include <boost/asio/ip/address.hpp>
#include <fstream>
#include <set>
#include <sstream>

namespace sqlgate::config {
namespace {

std::string location(const std::filesystem::path& file, const toml::source_region& where) {
    std::ostringstream out;
    out << file.string();
    if (where.begin.line > 0) out << ':' << where.begin.line;
    return out.str();
}

// Reads the keys of one TOML table, remembering which were used so that any other key is
// reported as unknown (a typo must not silently fall back to a default).
class TableReader {
  public:
    TableReader(const toml::table& table, std::string prefix, const std::filesystem::path& file)
        : table_(table), prefix_(std::move(prefix)), file_(file) {}

    [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
        const toml::node* node = table_.get(key);
        throw ConfigError(location(file_, node ? node->source() : table_.source()) + ": " +
                          prefix_ + std::string(key) + ": " + std::string(problem));
    }

    template <typename T>
    std::optional<T> optional(std::string_view key) {
        used_.insert(std::string(key));
        const toml::node* node = table_.get(key);
        if (!node) return std::nullopt;
        if constexpr (std::is_same_v<T, double>) {
            if (auto v = node->value<double>()) return *v;
            fail(key, "expected a number");
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            const auto v = node->value_exact<std::int64_t>();
            if (!v) fail(key, "expected an integer");
            if (*v < 0 || static_cast<std::uint64_t>(*v) > std::numeric_limits<T>::max()) {
                fail(key, "out of range");
            }
            return static_cast<T>(*v);
        } else {
            const auto v = node->value_exact<T>();
            if (!v)
                fail(key, std::is_same_v<T, bool> ? "expected true or false" : "expected a string");
            return *v;
        }
    }

    template <typename T>
    T required(std::string_view key) {
        auto v = optional<T>(key);
        if (!v) fail(key, "missing");
        return *v;
    }

    template <typename T>
    void read(std::string_view key, T& into) {
        if (auto v = optional<T>(key)) into = *v;
    }

    void read_ms(std::string_view key, std::chrono::milliseconds& into, std::int64_t minimum) {
        if (auto v = optional<std::int64_t>(key)) {
            if (*v < minimum) fail(key, "must be at least " + std::to_string(minimum));
            into = std::chrono::milliseconds(*v);
        }
    }

    std::optional<std::string> optional_address(std::string_view key) {
        const auto text = optional<std::string>(key);
        boost::system::error_code ec;
        if (text) boost::asio::ip::make_address(*text, ec);
        if (ec) fail(key, "'" + *text + "' is not an IP address");
        return text;
    }

    std::string address(std::string_view key) {
        if (auto a = optional_address(key)) return *a;
        fail(key, "missing");
    }

    std::optional<RouteStrategy> optional_route(std::string_view key) {
        const auto name = optional<std::string>(key);
        if (!name) return std::nullopt;
        const auto s = parse_route_strategy(*name);
        if (!s) fail(key, "unknown route '" + *name + "' (use direct, random or customized)");
        return s;
    }

    void known(std::string_view key) { used_.insert(std::string(key)); }

    Credentials credentials() {
        Credentials c;
        c.user = required<std::string>("user");
        if (table_.contains("password")) {
            fail("password", "passwords are not written in the config; use password_file");
        }
        std::filesystem::path path = required<std::string>("password_file");
        if (path.is_relative()) path = file_.parent_path() / path;
        std::ifstream in(path);
        if (!in) fail("password_file", "cannot read " + path.string());
        std::getline(in, c.password, '\0');
        while (!c.password.empty() && (c.password.back() == '\n' || c.password.back() == '\r')) {
            c.password.pop_back();
        }
        return c;
    }

    void reject_unknown() const {
        for (const auto& [key, node] : table_) {
            if (!used_.contains(std::string(key.str()))) {
                throw ConfigError(location(file_, node.source()) + ": " + prefix_ +
                                  std::string(key.str()) + ": unknown key");
            }
        }
    }

  private:
    const toml::table& table_;
    std::string prefix_;
    const std::filesystem::path& file_;
    std::set<std::string> used_;
};

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

template <typename Fn>
void for_each_entry(const toml::table& root, std::string_view name,
                    const std::filesystem::path& file, Fn&& fn) {
    const toml::node* node = root.get(name);
    if (!node) return;
    const toml::array* entries = node->as_array();
    if (!entries) {
        throw ConfigError(location(file, node->source()) + ": " + std::string(name) +
                          ": expected an array of tables [[" + std::string(name) + "]]");
    }
    std::size_t i = 0;
    for (const toml::node& entry : *entries) {
        if (!entry.is_table()) {
            throw ConfigError(location(file, entry.source()) + ": " + std::string(name) +
                              ": expected a table");
        }
        fn(TableReader(*entry.as_table(), std::string(name) + "[" + std::to_string(i++) + "].",
                       file));
    }
}

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

}  // namespace

ProxyConfig parse_proxy_config(std::string_view text, const std::filesystem::path& file) {
    toml::table root;
    try {
        root = toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(location(file, e.source()) + ": " + std::string(e.description()));
    }
    ProxyConfig c;
    c.source_file = file;
    TableReader top(root, "", file);

    TableReader listener(subtable(root, "listener", file), "listener.", file);
    if (auto a = listener.optional_address("address")) c.listen_address = *a;
    listener.read("port", c.listen_port);
    if (auto r = listener.optional_route("default_route")) c.default_route = *r;
    listener.read("max_statement_bytes", c.max_statement_bytes);
    listener.read_ms("handshake_timeout_ms", c.handshake_timeout, 100);
    listener.read("server_version", c.server_version);
    listener.reject_unknown();

    TableReader backend(subtable(root, "backend", file), "backend.", file);
    c.backend = backend.credentials();
    c.source_address = backend.optional_address("source_address");
    backend.read_ms("connect_timeout_ms", c.connect_timeout, 10);
    backend.reject_unknown();

    TableReader monitor(subtable(root, "monitor", file), "monitor.", file);
    c.monitor = monitor.credentials();
    monitor.read_ms("interval_ms", c.monitor_interval, 10);
    monitor.read("failure_threshold", c.failure_threshold);
    monitor.read("max_replication_lag_s", c.max_replication_lag_s);
    monitor.read("ewma_weight", c.ewma_weight);
    if (c.failure_threshold < 1) monitor.fail("failure_threshold", "must be at least 1");
    if (c.ewma_weight <= 0 || c.ewma_weight > 1) monitor.fail("ewma_weight", "must be in (0, 1]");
    monitor.reject_unknown();

    TableReader routing(subtable(root, "routing", file), "routing.", file);
    routing.read("fallback_to_primary", c.fallback_to_primary);
    routing.read("read_your_writes", c.read_your_writes);
    routing.read_ms("read_your_writes_timeout_ms", c.read_your_writes_timeout, 1);
    routing.reject_unknown();

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
        t.reject_unknown();
        c.servers.push_back(std::move(s));
    });
    for_each_entry(root, "users", file, [&](TableReader t) {
        UserConfig u;
        u.name = t.required<std::string>("name");
        u.password_hash = t.required<std::string>("password_hash");
        if (u.password_hash.size() != 41 || u.password_hash[0] != '*') {
            t.fail("password_hash", "expected \"*\" and 40 hex digits, as PASSWORD() prints");
        }
        u.default_route = t.optional_route("default_route");
        t.reject_unknown();
        c.users.push_back(std::move(u));
    });

    for (std::string_view key : {"listener", "backend", "monitor", "routing", "servers", "users"}) {
        top.known(key);
    }
    top.reject_unknown();
    validate(c, top);
    return c;
}

ProxyConfig load_proxy_config(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw ConfigError(file.string() + ": cannot open the file");
    std::stringstream text;
    text << in.rdbuf();
    return parse_proxy_config(text.str(), file);
}

}  // namespace sqlgate::config

// Reading the TOML files every role's configuration is written in: a reader per table that
// reports unknown keys, typed values and shared sections (TLS files, peer access, policies).
#pragma once

#include <toml++/toml.h>

#include <chrono>
#include <filesystem>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/route_strategy.hpp"
#include "config/shared_sections.hpp"
#include "policy/user_policy.hpp"

namespace sqlgate::config {

std::string location(const std::filesystem::path& file, const toml::source_region& where);
toml::table parse_toml(std::string_view text, const std::filesystem::path& file);
std::string read_config_file(const std::filesystem::path& file);

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

    std::optional<std::string> optional_address(std::string_view key);

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

    Credentials credentials();
    std::vector<std::string> string_list(std::string_view key);
    // A file path; relative ones are taken from the config file's folder.
    std::optional<std::filesystem::path> optional_path(std::string_view key);
    std::filesystem::path path(std::string_view key);
    // Which keys hold the TLS files: PREFIXcertificate, PREFIXprivate_key and (when `ca`)
    // PREFIXca, the last optional unless `need_ca`.
    struct TlsKeys {
        std::string_view prefix;
        bool ca = true;
        bool need_ca = false;
    };
    TlsFiles tls_files(TlsKeys keys);
    // allowed_sources and client_certificate_names.
    PeerAccess peer_access();
    // The statement policy keys of a [[users]] entry.
    policy::UserPolicy user_policy();

    void reject_unknown() const;
    // As reject_unknown, but a key that would hold a password is refused with `why`.
    void reject_unknown_and_credentials(std::string_view why) const;

  private:
    const toml::table& table_;
    std::string prefix_;
    const std::filesystem::path& file_;
    std::set<std::string> used_;
};

const toml::table& subtable(const toml::table& root, std::string_view name,
                            const std::filesystem::path& file);

// The [admin] section every role has.
AdminListener read_admin_listener(const toml::table& root, const std::filesystem::path& file);

// [runtime], which every role has. threads: its event-loop threads; absent or 0 gives one per
// core, at most kMaxThreads. io: what the worker threads wait on, "io_uring" (the default; a
// kernel without it, or a sandbox that refuses it, falls back to epoll and says so) or "epoll".
inline constexpr std::size_t kMaxThreads = 64;
struct RuntimeSection {
    std::size_t threads = 1;
    EventLoopIo io = EventLoopIo::io_uring;
};
RuntimeSection read_runtime(const toml::table& root, const std::filesystem::path& file);

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

}  // namespace sqlgate::config

// The data a per-user statement policy is made of: statement kinds and the user's grants.
// Header-only and free of the firewall's code, so configuration can name it without linking it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate::policy {

// What a statement does, at the grain permissions are granted. Finer than the router's
// sql::StatementClass: an application that may write rows must not thereby drop tables,
// grant privileges or change global settings.
enum class StatementKind : std::uint8_t {
    read,         // SELECT, SHOW, EXPLAIN, DESCRIBE, HELP, TABLE, VALUES
    write,        // INSERT, UPDATE, DELETE, REPLACE, CALL, LOCK TABLES, temporary tables,
                  // locking reads (FOR UPDATE / FOR SHARE hold row locks other users wait on)
    ddl,          // CREATE, ALTER, DROP, TRUNCATE, RENAME of schema objects; ANALYZE/OPTIMIZE
    transaction,  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT, XA
    session,      // USE, SET NAMES, SET [SESSION] var, SET TRANSACTION: the user's own session
    admin,        // GRANT, REVOKE, users and roles, SET GLOBAL, KILL, SHUTDOWN, replication...
    other,        // PREPARE/EXECUTE (dynamic SQL the firewall cannot see), DO, HANDLER, unknown
};

inline constexpr std::array<std::string_view, 7> kStatementKindNames = {
    "read", "write", "ddl", "transaction", "session", "admin", "other",
};

constexpr std::string_view to_string(StatementKind kind) noexcept {
    const auto i = static_cast<std::size_t>(kind);
    return i < kStatementKindNames.size() ? kStatementKindNames[i] : std::string_view("other");
}

// "read", "write", ... as to_string spells them; for mapping configuration onto policies.
constexpr std::optional<StatementKind> parse_statement_kind(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kStatementKindNames.size(); ++i) {
        if (kStatementKindNames[i] == name) return static_cast<StatementKind>(i);
    }
    return std::nullopt;
}

// A small set of StatementKind.
class KindSet {
  public:
    constexpr KindSet() noexcept = default;
    constexpr KindSet(std::initializer_list<StatementKind> kinds) noexcept {
        for (const StatementKind k : kinds)
            add(k);
    }
    constexpr KindSet& add(StatementKind k) noexcept {
        bits_ |= bit(k);
        return *this;
    }
    constexpr KindSet& remove(StatementKind k) noexcept {
        bits_ &= static_cast<std::uint8_t>(~bit(k));
        return *this;
    }
    constexpr bool contains(StatementKind k) const noexcept { return (bits_ & bit(k)) != 0; }
    constexpr bool empty() const noexcept { return bits_ == 0; }
    friend constexpr bool operator==(KindSet, KindSet) noexcept = default;

  private:
    static constexpr std::uint8_t bit(StatementKind k) noexcept {
        return static_cast<std::uint8_t>(1u << static_cast<unsigned>(k));
    }
    std::uint8_t bits_ = 0;
};

// The learned statement allowlist's mode for one user (see policy::StatementAllowlist).
enum class FirewallMode : std::uint8_t {
    off,      // no allowlist: the rules and heuristics alone
    learn,    // every statement the rules let through adds its shape to the list
    detect,   // shapes outside the list pass, audited as not_in_allowlist
    protect,  // shapes outside the list are refused (Rule::not_in_allowlist)
};

inline constexpr std::array<std::string_view, 4> kFirewallModeNames = {"off", "learn", "detect",
                                                                       "protect"};

constexpr std::string_view to_string(FirewallMode mode) noexcept {
    return kFirewallModeNames[static_cast<std::size_t>(mode)];
}

constexpr std::optional<FirewallMode> parse_firewall_mode(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kFirewallModeNames.size(); ++i) {
        if (kFirewallModeNames[i] == name) return static_cast<FirewallMode>(i);
    }
    return std::nullopt;
}

struct UserPolicy {
    // Kinds the user may run. transaction and session are implied by read or write: drivers
    // send SET NAMES, SET autocommit, USE, COMMIT on their own, and these touch only the
    // user's own session (the settings that would change lexing are a separate rule).
    KindSet allowed_kinds{StatementKind::read};

    // Schemas the user may name or USE, matched case-sensitively (as the server does on
    // Linux). "*" allows any schema but the system ones. Empty: no schema at all, so only
    // statements that name no table (SELECT 1, SELECT @@server_id) pass.
    std::vector<std::string> allowed_schemas;

    // If not empty, the only tables the user may name: "schema.table" or "table" (the latter
    // in any allowed schema). Case-sensitive. CTE names and derived tables are not tables.
    std::vector<std::string> allowed_tables;

    // Resolves unqualified table names when the session has no current schema.
    std::optional<std::string> default_schema;

    std::size_t max_statement_bytes = std::size_t{1} << 20;

    bool allow_system_schemas = false;
    bool allow_multiple_statements = false;  // also allows compound BEGIN ... END blocks
    bool allow_executable_comments = false;
    // Off only for trusted tooling: the heuristics reject rare legitimate SQL (OR 1=1, a
    // comment right after a string literal, UNION SELECT NULL) by design.
    bool injection_heuristics = true;
    // The learned allowlist, a line after the rules: the heuristics recognise attacks they
    // know; the allowlist refuses whatever the application never sent.
    FirewallMode firewall = FirewallMode::off;
};

}  // namespace sqlgate::policy

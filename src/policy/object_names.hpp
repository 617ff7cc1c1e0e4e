// The object-names family: the schemas a statement names where the classifier's table list
// does not look (qualifiers, SHOW ... FROM db, CREATE DATABASE db, DROP VIEW db.v, db.f()),
// the table a SHOW names, and CREATE / DROP / ALTER / RENAME of users, roles and servers.
#pragma once

#include <cstdint>

#include "policy/scan_context.hpp"
#include "policy/user_policy.hpp"

namespace sqlgate::policy::detail {

class ObjectNames {
  public:
    // Schemas are checked against the policy's allow-list as they are met.
    ObjectNames(ScanResult& result, const UserPolicy& policy) noexcept
        : result_(result), policy_(policy) {}

    void on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept;

  private:
    void on_name(const ScanCursor& at, const Token& t, Keyword w) noexcept;
    void on_dot(const ScanCursor& at) noexcept;
    void on_show_name(const ScanCursor& at, const Token& t, Keyword w) noexcept;
    void on_database_name(const Token& t, Keyword w) noexcept;
    void leading_qualifier(const ScanCursor& at) noexcept;
    void schema_reference(const Token& name) noexcept;

    ScanResult& result_;
    const UserPolicy& policy_;
    bool in_show_ = false;           // a SHOW statement
    bool show_names_table_ = false;  // SHOW COLUMNS / INDEX: the first FROM names a table
    bool show_filter_ = false;       // past the LIKE or WHERE of a SHOW
    int show_targets_ = 0;           // names after FROM / IN in a SHOW
    // Where a SHOW is in naming its table: about to, just did (a dot would make that name
    // the schema), or after such a dot.
    enum class ShowTable : std::uint8_t { none, next_name, have_name, after_dot };
    ShowTable show_table_ = ShowTable::none;
    bool database_name_next_ = false;  // CREATE / DROP / ALTER DATABASE: its name may come
    bool ddl_names_ = false;           // CREATE / DROP / ALTER / RENAME, before any body
    int account_check_ = 0;  // tokens left in which CREATE/DROP ... may name USER/ROLE/SERVER
};

}  // namespace sqlgate::policy::detail

// The firewall's token pass: one walk over a statement's tokens that finds what the
// classifier does not report (injection patterns, schema qualifiers, unsafe settings).
// Internal to src/policy.
#pragma once

#include <string_view>

#include "policy/user_policy.hpp"
#include "sql/lexer.hpp"
#include "sql/statement.hpp"

namespace sqlgate::policy::detail {

// The first place a rule matched: `evidence` points into the statement, `reason` is static.
struct Finding {
    bool found = false;
    std::string_view evidence;
    std::string_view reason;
};

struct ScanResult {
    Finding unsafe_session_setting;
    Finding system_schema;
    Finding schema_not_allowed;
    Finding time_delay;
    Finding union_probe;
    Finding error_probe;
    Finding tautology;
    Finding comment_truncation;
    Finding encoded_payload;
    // CREATE/DROP/ALTER/RENAME USER, ROLE or SERVER: account administration, not DDL.
    bool names_account_object = false;
    // The table of SHOW COLUMNS | INDEX FROM t [FROM db] and SHOW CREATE TABLE | VIEW [db.]t,
    // which the classifier does not collect; name empty if none.
    sql::TableName shown_table;
};

// Never allocates. The policy is read for schema allow-lists of qualified names.
ScanResult scan(std::string_view sql, sql::LexerOptions lexer, const UserPolicy& policy) noexcept;

}  // namespace sqlgate::policy::detail

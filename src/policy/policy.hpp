// Per-user SQL statement policy and injection heuristics: the firewall that the gatekeeper
// and the trusted host run on every statement. Pure functions over text; no I/O, no config.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policy/user_policy.hpp"
#include "sql/classifier.hpp"
#include "sql/lexer.hpp"
#include "sql/statement.hpp"

namespace sqlgate::policy {

// The rules a statement can break. Each has a stable id (to_string) for audit logs and
// metrics; the order below is the order in which they are checked.
enum class Rule : std::uint8_t {
    none,                    // allowed
    statement_too_large,     // longer than UserPolicy::max_statement_bytes
    unterminated,            // a string, quoted name or comment never closed
    executable_comment,      // /*! ... */, /*!50100 ... */, /*M! ... */
    stacked_statements,      // more than one statement, or a compound BEGIN ... END block
    into_outfile,            // SELECT ... INTO OUTFILE / DUMPFILE
    load_file,               // LOAD_FILE(...)
    load_data,               // LOAD DATA [LOCAL] INFILE, LOAD XML
    unsafe_session_setting,  // sql_mode or client charset that would change how text lexes
    statement_not_allowed,   // the statement's kind is not granted to the user
    system_schema,           // mysql, information_schema, performance_schema, sys
    schema_not_allowed,      // a schema outside UserPolicy::allowed_schemas
    table_not_allowed,       // a table outside UserPolicy::allowed_tables
    time_delay,              // SLEEP(), BENCHMARK(), PG_SLEEP(), WAITFOR DELAY
    union_probe,             // UNION SELECT NULL,... / 1,2,3 / @@version; ORDER BY n probing
    error_probe,             // EXTRACTVALUE(1, CONCAT(0x7e, (SELECT ...))), EXP(~(...)),
                             // FLOOR(RAND(0)*2): errors made to carry data in their message
    tautology,               // OR 1=1, OR 'a'='a', OR x=x, OR TRUE, || 2>1 ... in a condition
    comment_truncation,      // a comment hiding the rest of an injected-into statement
    encoded_payload,         // 0x61646d696e, CHAR(97,100,...), UNHEX('6164...') in a condition
    not_in_allowlist,        // firewall = protect: a statement shape the user's allowlist lacks
                             // (checked by the front after the rules above, see
                             // StatementAllowlist)
};

// The stable id, e.g. "stacked_statements"; "none" for Rule::none.
std::string_view to_string(Rule rule) noexcept;

// Whether a client may use the handshake's one-byte collation id as its character set. The
// firewall lexes as if no multibyte character can end in a backslash or quote byte, so big5,
// sjis, cp932, gbk and gb18030 are refused; ucs2, utf16, utf16le and utf32 cannot be client
// character sets at all. Unknown ids are accepted: the server answers them with its default
// character set. COM_CHANGE_USER carries two bytes, which this does not cover.
bool is_safe_client_collation(std::uint8_t collation_id) noexcept;

struct Verdict {
    bool allowed = true;
    Rule rule = Rule::none;
    // For the client: "<rule id>: <reason>", e.g. "tautology: condition `OR 1=1` is always
    // true". Empty when allowed, so the accept path allocates nothing.
    std::string message;

    std::string_view rule_id() const noexcept { return to_string(rule); }
    explicit operator bool() const noexcept { return allowed; }
};

// The describe() options whose result check_statement() expects: tables collected (the
// schema and table allow-lists are checked against StatementInfo::tables; without them a
// restricted user's qualified tables would go unchecked) and the session's lexer options.
sql::DescribeOptions describe_options(sql::LexerOptions lexer = {}) noexcept;

// Checks one request. `info` must be describe(sql, describe_options(lexer)) for the same
// text and lexer options, so the router and the firewall share one description.
// `current_schema` is the session's schema (empty if none; then policy.default_schema
// resolves unqualified names). `lexer` must match the session's sql_mode.
Verdict check_statement(std::string_view sql, const sql::StatementInfo& info,
                        const UserPolicy& policy, std::string_view current_schema,
                        sql::LexerOptions lexer = {});

// Convenience: describes `sql` itself, then checks it.
Verdict check_statement(std::string_view sql, const UserPolicy& policy,
                        std::string_view current_schema, sql::LexerOptions lexer = {});

// The permission a described statement needs. `sql` is the text `info` describes; it is
// scanned only for CREATE/DROP/ALTER/RENAME USER|ROLE|SERVER.
StatementKind statement_kind(std::string_view sql, const sql::StatementInfo& info,
                             sql::LexerOptions lexer = {}) noexcept;

}  // namespace sqlgate::policy

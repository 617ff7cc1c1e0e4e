// The description of one SQL statement that the router and the firewall consume.
// Produced by describe() (classifier.hpp); views in it point into the described text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/keyword.hpp"

namespace sqlgate::sql {

enum class StatementClass : std::uint8_t {
    read,           // safe to run on any replica: no locks, no side effects, no session reads
    write,          // must run on the primary (data, schema, locks, primary-only functions)
    transaction,    // starts or ends a transaction, or manages savepoints / XA
    session_state,  // changes session state that must be replayed on every backend
    other,          // unknown, empty or administrative: route to the primary
};

// What a statement does to the session's transaction.
enum class TransactionEffect : std::uint8_t {
    none,
    begin,               // BEGIN, START TRANSACTION, XA START; see read_only_transaction
    commit,              // COMMIT, XA COMMIT
    rollback,            // ROLLBACK, XA ROLLBACK
    commit_and_chain,    // COMMIT AND CHAIN: a new transaction starts at once
    rollback_and_chain,  // ROLLBACK AND CHAIN: likewise
    savepoint,           // SAVEPOINT, ROLLBACK TO, RELEASE SAVEPOINT: transaction stays open
};

// Why a statement that reads must still go to the primary (for logs and metrics).
enum class PrimaryReason : std::uint8_t {
    none,
    locking_read,              // FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE
    select_into,               // SELECT ... INTO @var / OUTFILE / DUMPFILE
    primary_function,          // LAST_INSERT_ID(), GET_LOCK(), NEXT VALUE FOR s, ...
    primary_variable,          // @@last_insert_id, @@identity, @@insert_id
    user_variable_assignment,  // SELECT @x := ...
    calc_found_rows,           // SQL_CALC_FOUND_ROWS, whose FOUND_ROWS() runs on the primary
    stored_function,           // calls a stored function or UDF, which may write
    multiple_statements,       // a read followed by a statement that is not a read
    versioned_comment,         // a read only if /*!50100 ... */ runs, or only if it does not
};

// Facts a SQL firewall checks; cheap to collect during the same pass.
struct StatementFlags {
    bool empty = false;                   // nothing but whitespace, comments and semicolons
    bool multiple_statements = false;     // another non-empty statement follows a ';'
    bool has_comment = false;             // any comment, executable ones included
    bool has_executable_comment = false;  // /*! ... */, /*!50100 ... */, /*M! ... */
    bool unterminated = false;            // a string, quoted name or comment never closed
    bool into_outfile_or_dumpfile = false;
    bool load_file = false;        // LOAD_FILE(...)
    bool load_data_local = false;  // LOAD DATA LOCAL INFILE / LOAD XML LOCAL INFILE
    bool has_union = false;
    bool has_placeholders = false;  // ? parameters of a prepared statement
    bool implicit_commit = false;   // DDL, LOCK TABLES...: ends an open transaction
    bool global_variable = false;   // SET GLOBAL / PERSIST, @@global.x = ...
    // CREATE TEMPORARY TABLE: the table exists only on the primary's connection, so later
    // reads of it must not go to a replica.
    bool creates_temporary_table = false;
    // A routine body or BEGIN NOT ATOMIC block: its inner ';' do not split statements, so
    // a firewall that forbids stacked statements should treat this with the same care.
    bool compound_statement = false;
    // About the previous statement, so it must run on the server that ran that: SHOW
    // WARNINGS / ERRORS, @@warning_count, @@error_count, FOUND_ROWS(), ROW_COUNT(), SHOW
    // [SESSION] STATUS, SHOW PROFILE(S), OPTIMIZER_TRACE, SESSION_STATUS, PROFILING.
    bool reads_diagnostics = false;
    bool user_variables = false;  // names a user variable (@x) anywhere
    // Names a session setting (@@x, @@session.x; not @@global.x nor @@server_id and the like).
    bool session_settings = false;
    // A SET gives a user variable a value that replaying the SET elsewhere would not
    // reproduce (NOW(), @@server_id, a subquery, a function with side effects).
    bool assigns_user_variables = false;
    // Calls a stored function or UDF not listed in DescribeOptions::replica_safe_functions:
    // its body is unknown here and may write (or set user variables).
    bool calls_stored_function = false;
    // A SET after which the session's reads need its primary connection: one that cannot
    // be replayed (a value has side effects) but changes session variables, or one that
    // turns on sql_auto_is_null (WHERE id IS NULL then finds the session's last insert),
    // optimizer_trace or profiling (what they record must all come from one server).
    bool needs_primary_session = false;
    // Sets session_track_system_variables: which changes the server reports in its OK
    // packets (a proxy that tracks some for itself must leave the choice to the client).
    bool sets_session_tracking = false;
};

// A table a statement names, as written: no backticks, doubled backticks left doubled.
struct TableName {
    std::string_view schema;  // empty when the name is not qualified
    std::string_view name;

    friend bool operator==(const TableName&, const TableName&) = default;
};

struct StatementInfo {
    StatementClass statement_class = StatementClass::other;
    // The statement's leading keyword (the inner one for SET STATEMENT ... FOR and the main
    // one after WITH); kNone when unknown. keyword_text(verb) is a stable metric label.
    Keyword verb = Keyword::kNone;
    PrimaryReason primary_reason = PrimaryReason::none;

    // With multiple statements, the class and verb are the first statement's, while the
    // transaction, autocommit and schema are what the last statement setting them left.
    TransactionEffect transaction = TransactionEffect::none;
    bool read_only_transaction = false;  // START TRANSACTION READ ONLY

    std::optional<bool> autocommit;  // SET autocommit = 0|1|ON|OFF|TRUE|FALSE

    // USE target, without backticks; doubled backticks are still doubled (see schema_name).
    std::string_view schema;
    bool schema_quoted = false;

    // NAME of the first `sqlgate:route=NAME` found in a comment; empty if none.
    std::string_view route_hint;

    StatementFlags flags;

    // Tables after FROM, JOIN, INTO, UPDATE, TABLE(S)..., in order of first appearance, CTE
    // names excluded. Filled only with DescribeOptions::collect_tables (it allocates).
    std::vector<TableName> tables;

    // True when the statement may run on a replica.
    bool is_replica_safe() const noexcept { return statement_class == StatementClass::read; }

    // The USE target as the server sees it. Allocates; call only for USE statements.
    std::string schema_name() const;
};

std::string_view to_string(StatementClass value) noexcept;
std::string_view to_string(TransactionEffect value) noexcept;
std::string_view to_string(PrimaryReason value) noexcept;

}  // namespace sqlgate::sql

#include "policy/object_names.hpp"

#include <algorithm>
#include <array>

#include "policy/allow_lists.hpp"

namespace sqlgate::policy::detail {
namespace {

// The words after which a DDL statement names an object, so that in `a.b` right after one
// of them `a` is a schema: CREATE VIEW a.v, DROP PROCEDURE a.p, DROP INDEX i ON a.t,
// RENAME TABLE t TO a.t, ALTER TABLE t RENAME [TO | AS] a.t, CREATE TABLE t LIKE a.t,
// DROP VIEW IF EXISTS x, a.v. The classifier's table list holds none of these.
bool precedes_ddl_object(const Token& t) noexcept {
    static constexpr std::array<std::string_view, 17> kWords = {
        "VIEW",  "TABLE",   "TABLES", "INDEX", "ON", "TRIGGER", "PROCEDURE", "FUNCTION", "SEQUENCE",
        "EVENT", "PACKAGE", "BODY",   "TO",    "AS", "LIKE",    "EXISTS",    "RENAME",
    };
    if (t.is(TokenKind::comma)) return true;
    if (!t.is(TokenKind::identifier)) return false;
    return std::any_of(kWords.begin(), kWords.end(),
                       [&t](std::string_view w) { return iequals(t.text, w); });
}

// Where the body of a CREATE starts (AS SELECT ..., FOR EACH ROW ..., DO ...): from there on
// `a.b` is a column of a table or alias, as in any statement.
bool starts_ddl_body(const Token& t, Keyword w) noexcept {
    return w == Keyword::kSelect || w == Keyword::kFor || w == Keyword::kSet ||
           w == Keyword::kValues || w == Keyword::kWhere || iequals(t.text, "DO") ||
           iequals(t.text, "BEGIN") || iequals(t.text, "RETURN") || iequals(t.text, "RETURNS") ||
           iequals(t.text, "WITH");
}

}  // namespace

void ObjectNames::on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    if (at.first_of_statement) {
        in_show_ = w == Keyword::kShow;
        show_names_table_ = show_filter_ = false;
        show_targets_ = 0;
        show_table_ = ShowTable::none;
        ddl_names_ = w == Keyword::kCreate || w == Keyword::kDrop || w == Keyword::kAlter ||
                     w == Keyword::kRename;
    }
    if (database_name_next_ && !sql::is_name(t)) database_name_next_ = false;
    if (show_table_ == ShowTable::have_name && !t.is(TokenKind::dot)) {
        show_table_ = ShowTable::none;
    }
    if (account_check_ > 0) --account_check_;
    switch (t.kind) {
        case TokenKind::semicolon:
            if (at.depth == 0) in_show_ = ddl_names_ = false;
            break;
        case TokenKind::dot:
            on_dot(at);
            break;
        case TokenKind::left_paren:
            // schema.function(: the schema of a stored routine
            if (sql::is_name(at.history[0]) && at.history[1].is(TokenKind::dot)) {
                leading_qualifier(at);
            }
            break;
        case TokenKind::identifier:
        case TokenKind::quoted_identifier:
            on_name(at, t, w);
            break;
        default:
            break;
    }
}

void ObjectNames::on_name(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    if (in_show_ && is_system_schema(sql::unquoted(t))) {
        const Keyword before = word_of(at.history[0]);
        if (before == Keyword::kFrom || before == Keyword::kIn) {
            note(result_.system_schema, t.text, "SHOW names a system schema");
        }
    }
    if (database_name_next_) on_database_name(t, w);
    if (in_show_ && at.depth == 0) on_show_name(at, t, w);
    if (!t.is(TokenKind::identifier)) return;
    if (account_check_ > 0) {
        if (w == Keyword::kUser || w == Keyword::kRole || w == Keyword::kServer) {
            result_.names_account_object = true;
            account_check_ = 0;
        } else if (w == Keyword::kOr || w == Keyword::kReplace) {
            account_check_ = 2;  // CREATE OR REPLACE USER
        } else {
            // CREATE / DROP / ALTER DATABASE, and SHOW CREATE DATABASE: the name follows.
            database_name_next_ = w == Keyword::kDatabase;
            account_check_ = 0;
        }
    }
    if (ddl_names_ && at.depth == 0 && starts_ddl_body(t, w)) ddl_names_ = false;
    const bool names_object = w == Keyword::kCreate || w == Keyword::kDrop ||
                              w == Keyword::kAlter || w == Keyword::kRename;
    if (names_object && at.depth == 0) account_check_ = 2;
}

// mysql.user, `information_schema`.tables: a qualifier that can only be a schema. `sys` is
// left to three-part names and tables, because `sys` is also a plausible table alias. In a
// SHOW, before its LIKE or WHERE, any qualifier is a schema (SHOW CREATE TABLE db.t), and so
// is one right after an object keyword of a DDL statement (DROP VIEW db.v).
void ObjectNames::on_dot(const ScanCursor& at) noexcept {
    const Token& q = at.history[0];
    if (!sql::is_name(q)) return;
    if (at.history[1].is(TokenKind::dot)) {
        leading_qualifier(at);  // a.b.c: `a` is a schema
        return;
    }
    if (in_show_ && at.depth == 0 && !show_filter_) {
        if (show_table_ == ShowTable::have_name) {
            result_.shown_table.schema = result_.shown_table.name;
            result_.shown_table.name = {};
            show_table_ = ShowTable::after_dot;
        }
        schema_reference(q);
        return;
    }
    if (ddl_names_ && at.depth == 0 && precedes_ddl_object(at.history[1])) {
        schema_reference(q);
        return;
    }
    const std::string_view name = sql::unquoted(q);
    if (iequals(name, "mysql") || iequals(name, "information_schema") ||
        iequals(name, "performance_schema")) {
        note(result_.system_schema, q.text, "a system schema is named");
    }
}

// SHOW TABLES | TABLE STATUS | OPEN TABLES | TRIGGERS | EVENTS {FROM | IN} db, and
// SHOW COLUMNS | INDEX {FROM | IN} t {FROM | IN} db: the classifier collects no table for a
// SHOW, so its schema is checked here. The first FROM of SHOW COLUMNS / INDEX names a table
// (db.t, whose schema on_dot sees), as does SHOW CREATE TABLE | VIEW; that table is reported
// for the table allow-list, as DESCRIBE's is.
void ObjectNames::on_show_name(const ScanCursor& at, const Token& t, Keyword w) noexcept {
    if (show_filter_) return;
    switch (show_table_) {
        case ShowTable::next_name:
            result_.shown_table = sql::TableName{{}, sql::unquoted(t)};
            show_table_ = ShowTable::have_name;
            return;
        case ShowTable::after_dot:
            result_.shown_table.name = sql::unquoted(t);
            show_table_ = ShowTable::none;
            return;
        default:
            break;
    }
    if (w == Keyword::kLike || w == Keyword::kWhere) {
        show_filter_ = true;
        return;
    }
    if ((w == Keyword::kColumns || w == Keyword::kIndex) && show_targets_ == 0) {
        show_names_table_ = true;
        return;
    }
    const Keyword before = word_of(at.history[0]);
    if (before == Keyword::kCreate && (iequals(t.text, "TABLE") || iequals(t.text, "VIEW"))) {
        show_table_ = ShowTable::next_name;
        return;
    }
    if (before != Keyword::kFrom && before != Keyword::kIn) return;
    if (show_names_table_ && show_targets_++ == 0) {
        result_.shown_table = sql::TableName{{}, sql::unquoted(t)};
        show_table_ = ShowTable::have_name;
        return;
    }
    if (!result_.shown_table.name.empty() && result_.shown_table.schema.empty()) {
        result_.shown_table.schema = sql::unquoted(t);
    }
    schema_reference(t);
}

// CREATE / DROP / ALTER [OR REPLACE] DATABASE | SCHEMA [IF [NOT] EXISTS] db, and SHOW
// CREATE DATABASE db: a schema named without a dot, which no table list holds.
void ObjectNames::on_database_name(const Token& t, Keyword w) noexcept {
    if (w == Keyword::kIf || w == Keyword::kNot || w == Keyword::kExists) return;
    database_name_next_ = false;
    // ALTER DATABASE [DEFAULT] CHARACTER SET ... without a name alters the current schema.
    if (w == Keyword::kDefault || w == Keyword::kCharacter || w == Keyword::kCharset ||
        w == Keyword::kCollate || w == Keyword::kComment) {
        return;
    }
    schema_reference(t);
}

// a.b followed by `.` or `(`: `a` is a schema, unless it qualifies something itself.
void ObjectNames::leading_qualifier(const ScanCursor& at) noexcept {
    if (sql::is_name(at.history[2]) && !at.history[3].is(TokenKind::dot)) {
        schema_reference(at.history[2]);
    }
}

void ObjectNames::schema_reference(const Token& name) noexcept {
    const std::string_view schema = sql::unquoted(name);
    if (is_system_schema(schema)) {
        note(result_.system_schema, name.text, "a system schema is named");
    } else if (!schema_allowed(policy_, schema)) {
        note(result_.schema_not_allowed, name.text, "a schema outside the allowed list is named");
    }
}

}  // namespace sqlgate::policy::detail

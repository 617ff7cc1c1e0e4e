#include "policy/policy.hpp"

#include <array>
#include <string>
#include <utility>

#include "policy/allow_lists.hpp"
#include "policy/scan.hpp"
#include "sql/keyword.hpp"

namespace sqlgate::policy {
namespace {

using detail::allows_any_schema;
using detail::kind_allowed;
using detail::table_allowed;
using sql::Keyword;
using sql::StatementClass;
using sql::StatementInfo;

constexpr std::array<std::string_view, 20> kRuleNames = {
    "none",
    "statement_too_large",
    "unterminated",
    "executable_comment",
    "stacked_statements",
    "into_outfile",
    "load_file",
    "load_data",
    "unsafe_session_setting",
    "statement_not_allowed",
    "system_schema",
    "schema_not_allowed",
    "table_not_allowed",
    "time_delay",
    "union_probe",
    "error_probe",
    "tautology",
    "comment_truncation",
    "encoded_payload",
    "not_in_allowlist",
};
static_assert(kRuleNames.size() == static_cast<std::size_t>(Rule::not_in_allowlist) + 1);

// Reads that a StatementInfo marks as writes only because they need the primary's session
// (LAST_INSERT_ID(), SELECT ... INTO @v, @x := ...). Permission-wise they still only read.
// A stored function is routed to the primary because it may write; whether the account may
// run it (EXECUTE, its SQL SECURITY) is the server's to decide, as for any read.
bool primary_only_read(sql::PrimaryReason reason) noexcept {
    switch (reason) {
        case sql::PrimaryReason::select_into:
        case sql::PrimaryReason::primary_function:
        case sql::PrimaryReason::primary_variable:
        case sql::PrimaryReason::user_variable_assignment:
        case sql::PrimaryReason::calc_found_rows:
        case sql::PrimaryReason::stored_function:
            return true;
        default:
            return false;
    }
}

StatementKind kind_of(const StatementInfo& info, bool names_account_object) noexcept {
    const Keyword verb = info.verb;
    // SET GLOBAL / PERSIST (class other) and SET PASSWORD / DEFAULT ROLE (class write). A SET
    // whose value has side effects (SET @v = NEXTVAL(s)) is a write for routing only.
    if (verb == Keyword::kSet && info.flags.assigns_user_variables && !info.flags.global_variable) {
        return StatementKind::session;
    }
    if (verb == Keyword::kSet &&
        (info.flags.global_variable || info.statement_class != StatementClass::session_state)) {
        return StatementKind::admin;
    }
    switch (info.statement_class) {
        case StatementClass::read:
            return StatementKind::read;
        case StatementClass::transaction:
            return StatementKind::transaction;
        case StatementClass::session_state:
            return StatementKind::session;
        case StatementClass::write:
            // The classifier gives a reason only to reads it sent to the primary.
            if (info.primary_reason != sql::PrimaryReason::none) {
                return primary_only_read(info.primary_reason) ? StatementKind::read
                                                              : StatementKind::write;
            }
            switch (verb) {
                case Keyword::kCreate:
                case Keyword::kDrop:
                case Keyword::kAlter:
                case Keyword::kRename:
                    if (names_account_object) return StatementKind::admin;
                    if (info.flags.creates_temporary_table) return StatementKind::write;
                    // DROP TEMPORARY TABLE is the one DROP that leaves the transaction open.
                    if (verb == Keyword::kDrop && !info.flags.implicit_commit) {
                        return StatementKind::write;
                    }
                    return StatementKind::ddl;
                case Keyword::kTruncate:
                case Keyword::kAnalyze:
                case Keyword::kOptimize:
                case Keyword::kRepair:
                case Keyword::kImport:
                    return StatementKind::ddl;
                case Keyword::kGrant:
                case Keyword::kRevoke:
                case Keyword::kBinlog:
                    return StatementKind::admin;
                case Keyword::kBegin:  // BEGIN NOT ATOMIC ... END runs whatever it holds
                    return StatementKind::other;
                default:
                    return StatementKind::write;
            }
        case StatementClass::other:
            switch (verb) {
                case Keyword::kStart:  // START SLAVE / REPLICA
                case Keyword::kStop:
                case Keyword::kChange:
                case Keyword::kReset:
                case Keyword::kPurge:
                case Keyword::kFlush:
                case Keyword::kKill:
                case Keyword::kShutdown:
                case Keyword::kInstall:
                case Keyword::kUninstall:
                case Keyword::kCache:
                case Keyword::kBackup:
                case Keyword::kLoad:  // LOAD INDEX INTO CACHE
                    return StatementKind::admin;
                default:
                    return StatementKind::other;
            }
    }
    return StatementKind::other;
}

// Evidence is the client's own text, echoed into an error packet and an audit line: control
// bytes would break both, so they become spaces.
Verdict reject(Rule rule, std::string_view reason, std::string_view evidence = {}) {
    Verdict v;
    v.allowed = false;
    v.rule = rule;
    v.message.reserve(to_string(rule).size() + reason.size() + evidence.size() + 16);
    v.message.append(to_string(rule)).append(": ").append(reason);
    if (!evidence.empty()) {
        v.message.append(" near `");
        for (const char c : evidence) {
            v.message.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
        }
        v.message.push_back('`');
    }
    return v;
}

Verdict reject(Rule rule, const detail::Finding& f) {
    return reject(rule, f.reason, f.evidence);
}

Verdict check_schema(const UserPolicy& policy, std::string_view schema, std::string_view what) {
    if (detail::is_system_schema(schema)) {
        if (policy.allow_system_schemas) return {};
        return reject(Rule::system_schema, "a system schema is named", what);
    }
    if (!detail::schema_allowed(policy, schema)) {
        return reject(Rule::schema_not_allowed, "schema not in the user's allowed list", what);
    }
    return {};
}

// `resolved` is the schema of unqualified names.
Verdict check_table(const UserPolicy& policy, const sql::TableName& table,
                    std::string_view resolved) {
    const std::string_view schema = table.schema.empty() ? resolved : table.schema;
    if (schema.empty()) {
        // The server will answer "No database selected"; a restricted user is refused
        // here so that no table is ever resolved against a schema the firewall did not see.
        if (!allows_any_schema(policy)) {
            return reject(Rule::schema_not_allowed, "no schema selected for table", table.name);
        }
    } else if (Verdict v = check_schema(policy, schema, schema); !v) {
        return v;
    }
    if (!policy.allowed_tables.empty() && !table_allowed(policy, schema, table.name)) {
        return reject(Rule::table_not_allowed, "table not in the user's allowed list", table.name);
    }
    return {};
}

// `shown` is the table a SHOW names (empty if none), which info.tables does not hold.
Verdict check_tables(const UserPolicy& policy, const StatementInfo& info,
                     const sql::TableName& shown, std::string_view current_schema) {
    const std::string_view resolved = !current_schema.empty() ? current_schema
                                      : policy.default_schema ? *policy.default_schema
                                                              : std::string_view{};
    if (info.verb == Keyword::kUse && !info.schema.empty()) {
        if (Verdict v = check_schema(policy, info.schema, info.schema); !v) return v;
    }
    for (const sql::TableName& table : info.tables) {
        if (Verdict v = check_table(policy, table, resolved); !v) return v;
    }
    if (!shown.name.empty()) return check_table(policy, shown, resolved);
    return {};
}

Verdict check_one(std::string_view sql, const StatementInfo& info, const UserPolicy& policy,
                  std::string_view current_schema, sql::LexerOptions lexer);

// Multiple statements, when allowed, are checked one by one: the description of a
// multi-statement text carries the first statement's class only.
Verdict check_each(std::string_view sql, const UserPolicy& policy, std::string_view current_schema,
                   sql::LexerOptions lexer) {
    sql::Lexer lx(sql, lexer);
    std::size_t start = 0;
    for (;;) {
        const sql::Token t = lx.next();
        if (!t.is(sql::TokenKind::end) && !t.is(sql::TokenKind::semicolon)) continue;
        const std::size_t stop = t.is(sql::TokenKind::end)
                                     ? sql.size()
                                     : static_cast<std::size_t>(t.text.data() - sql.data());
        const std::string_view piece = sql.substr(start, stop - start);
        const StatementInfo info = sql::describe(piece, describe_options(lexer));
        if (!info.flags.empty) {
            if (info.flags.multiple_statements) {  // the split disagrees with the classifier
                return reject(Rule::stacked_statements, "statements could not be separated");
            }
            Verdict v = check_one(piece, info, policy, current_schema, lexer);
            if (!v) return v;
            if (info.verb == Keyword::kUse && !info.schema.empty()) current_schema = info.schema;
        }
        if (t.is(sql::TokenKind::end)) return {};
        start = stop + 1;
    }
}

Verdict check_one(std::string_view sql, const StatementInfo& info, const UserPolicy& policy,
                  std::string_view current_schema, sql::LexerOptions lexer) {
    const sql::StatementFlags& flags = info.flags;
    if (flags.unterminated) {
        return reject(Rule::unterminated, "a string, quoted name or comment is never closed");
    }
    if (flags.empty) return {};
    if (flags.has_executable_comment && !policy.allow_executable_comments) {
        return reject(Rule::executable_comment, "executable comments /*! */ are not allowed");
    }
    if (flags.multiple_statements || flags.compound_statement) {
        if (!policy.allow_multiple_statements) {
            return reject(Rule::stacked_statements, "only one statement per request is allowed");
        }
        if (flags.multiple_statements && !flags.compound_statement) {
            return check_each(sql, policy, current_schema, lexer);
        }
    }
    if (flags.into_outfile_or_dumpfile) {
        return reject(Rule::into_outfile, "INTO OUTFILE / DUMPFILE writes server files");
    }
    if (flags.load_file) return reject(Rule::load_file, "LOAD_FILE() reads server files");
    if (info.verb == Keyword::kLoad && info.statement_class == StatementClass::write) {
        return reject(Rule::load_data, "LOAD DATA / LOAD XML reads files");
    }

    const detail::ScanResult found = detail::scan(sql, lexer, policy);
    if (found.unsafe_session_setting.found) {
        return reject(Rule::unsafe_session_setting, found.unsafe_session_setting);
    }
    const StatementKind kind = kind_of(info, found.names_account_object);
    if (!kind_allowed(policy.allowed_kinds, kind)) {
        std::string reason = "the user may not run ";
        reason.append(to_string(kind)).append(" statements");
        std::string_view verb = sql::keyword_text(info.verb);
        return reject(Rule::statement_not_allowed, reason, verb);
    }
    if (found.system_schema.found && !policy.allow_system_schemas) {
        return reject(Rule::system_schema, found.system_schema);
    }
    if (found.schema_not_allowed.found) {
        return reject(Rule::schema_not_allowed, found.schema_not_allowed);
    }
    if (Verdict v = check_tables(policy, info, found.shown_table, current_schema); !v) return v;

    if (!policy.injection_heuristics) return {};
    const std::pair<Rule, const detail::Finding*> heuristics[] = {
        {Rule::time_delay, &found.time_delay},
        {Rule::union_probe, &found.union_probe},
        {Rule::error_probe, &found.error_probe},
        {Rule::tautology, &found.tautology},
        {Rule::comment_truncation, &found.comment_truncation},
        {Rule::encoded_payload, &found.encoded_payload},
    };
    for (const auto& [rule, finding] : heuristics) {
        if (finding->found) return reject(rule, *finding);
    }
    return {};
}

}  // namespace

std::string_view to_string(Rule rule) noexcept {
    const auto i = static_cast<std::size_t>(rule);
    return i < kRuleNames.size() ? kRuleNames[i] : std::string_view("unknown");
}

// Ids as MariaDB and MySQL number them (SHOW COLLATION). Ids above 255, among them the nopad
// collations of the unsafe sets (MariaDB's 1024 + the id of the pad collation), do not fit
// the handshake's byte.
bool is_safe_client_collation(std::uint8_t collation_id) noexcept {
    switch (collation_id) {
        case 1:    // big5_chinese_ci
        case 84:   // big5_bin
        case 13:   // sjis_japanese_ci
        case 88:   // sjis_bin
        case 28:   // gbk_chinese_ci
        case 87:   // gbk_bin
        case 95:   // cp932_japanese_ci
        case 96:   // cp932_bin
        case 248:  // gb18030_chinese_ci (MySQL)
        case 249:  // gb18030_bin
        case 250:  // gb18030_unicode_520_ci
        case 35:   // ucs2_general_ci
        case 90:   // ucs2_bin
        case 159:  // ucs2_general_mysql500_ci
        case 54:   // utf16_general_ci
        case 55:   // utf16_bin
        case 56:   // utf16le_general_ci
        case 62:   // utf16le_bin
        case 60:   // utf32_general_ci
        case 61:   // utf32_bin
            return false;
        default:
            break;
    }
    const bool utf16 = collation_id >= 101 && collation_id <= 124;  // utf16_unicode_ci ...
    const bool ucs2 = collation_id >= 128 && collation_id <= 151;   // ucs2_unicode_ci ...
    const bool utf32 = collation_id >= 160 && collation_id <= 183;  // utf32_unicode_ci ...
    return !utf16 && !ucs2 && !utf32;
}

sql::DescribeOptions describe_options(sql::LexerOptions lexer) noexcept {
    return sql::DescribeOptions{.lexer = lexer, .collect_tables = true};
}

Verdict check_statement(std::string_view sql, const StatementInfo& info, const UserPolicy& policy,
                        std::string_view current_schema, sql::LexerOptions lexer) {
    // Checked before anything reads the text, so a huge statement costs nothing more.
    if (sql.size() > policy.max_statement_bytes) {
        return reject(
            Rule::statement_too_large,
            "statement is longer than " + std::to_string(policy.max_statement_bytes) + " bytes");
    }
    return check_one(sql, info, policy, current_schema, lexer);
}

Verdict check_statement(std::string_view sql, const UserPolicy& policy,
                        std::string_view current_schema, sql::LexerOptions lexer) {
    if (sql.size() > policy.max_statement_bytes) {
        return check_statement(sql, StatementInfo{}, policy, current_schema, lexer);
    }
    const StatementInfo info = sql::describe(sql, describe_options(lexer));
    return check_statement(sql, info, policy, current_schema, lexer);
}

StatementKind statement_kind(std::string_view sql, const StatementInfo& info,
                             sql::LexerOptions lexer) noexcept {
    bool account = false;
    if (info.verb == Keyword::kCreate || info.verb == Keyword::kDrop ||
        info.verb == Keyword::kAlter || info.verb == Keyword::kRename) {
        account = detail::scan(sql, lexer, UserPolicy{}).names_account_object;
    }
    return kind_of(info, account);
}

}  // namespace sqlgate::policy

// Fuzzes the firewall's check_statement() for a handful of users (the first byte picks the
// user, the session's schema and sql_mode): every verdict is whole, and both entry points agree.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "policy/policy.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using namespace sqlgate::policy;

// The users a demo gatekeeper configures, and the corners of what a policy can say.
UserPolicy user_policy(unsigned variant) {
    UserPolicy p;
    p.allowed_schemas = {"main_db", "shop"};
    p.default_schema = "main_db";
    switch (variant) {
        case 0:  // reader
            break;
        case 1:  // writer
            p.allowed_kinds.add(StatementKind::write);
            break;
        case 2:  // limited to two tables
            p.allowed_tables = {"main_db.products", "categories"};
            break;
        case 3:  // the application's owner
            p.allowed_kinds = {StatementKind::read, StatementKind::write, StatementKind::ddl,
                               StatementKind::transaction, StatementKind::session};
            p.allowed_schemas = {"*"};
            break;
        case 4:  // trusted tooling: every kind, every schema, no heuristics
            p.allowed_kinds = {StatementKind::read,    StatementKind::write,
                               StatementKind::ddl,     StatementKind::transaction,
                               StatementKind::session, StatementKind::admin,
                               StatementKind::other};
            p.allowed_schemas = {"*"};
            p.allow_system_schemas = true;
            p.injection_heuristics = false;
            break;
        case 5:  // a batch job: stacked statements and executable comments
            p.allowed_kinds.add(StatementKind::write);
            p.allow_multiple_statements = true;
            p.allow_executable_comments = true;
            break;
        case 6:  // no schema at all, small statements
            p.allowed_schemas.clear();
            p.default_schema.reset();
            p.max_statement_bytes = 64;
            break;
        default:  // learned allowlist in protect mode (checked by the front afterwards)
            p.allowed_kinds.add(StatementKind::write);
            p.firewall = FirewallMode::protect;
            break;
    }
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t choice = in.byte();
    // A space (0x20) picks the reader in main_db with the default sql_mode.
    const UserPolicy policy = user_policy(choice & 7);
    const std::string_view current_schema = (choice & 0x20) != 0 ? "main_db" : "";
    const sqlgate::sql::LexerOptions lexer =
        sqlgate::fuzz::lexer_options(((choice >> 3) & 3) | ((choice >> 4) & 4));
    const std::string_view sql = in.rest_text();

    const sqlgate::sql::StatementInfo info = describe(sql, describe_options(lexer));
    const Verdict verdict = check_statement(sql, info, policy, current_schema, lexer);
    require(verdict.allowed == (verdict.rule == Rule::none), "allowed disagrees with the rule");
    require(verdict.allowed == verdict.message.empty(), "a verdict's message does not match it");
    if (!verdict.allowed) {
        require(verdict.rule != Rule::not_in_allowlist, "the allowlist rule outside the front");
        require(verdict.message.starts_with(std::string(verdict.rule_id()) + ": "),
                "a refusal's message does not start with its rule id");
    }
    const Verdict again = check_statement(sql, policy, current_schema, lexer);
    require(again.allowed == verdict.allowed && again.rule == verdict.rule &&
                again.message == verdict.message,
            "the two check_statement() entry points disagree");
    statement_kind(sql, info, lexer);
    is_safe_client_collation(choice);
    return 0;
}

// Fuzzes describe(), the one pass that routes every statement and feeds the firewall: views
// point into the statement, and collecting tables changes nothing but the table list.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "sql/classifier.hpp"
#include "sql/kill_statement.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using sqlgate::fuzz::within;
using namespace sqlgate::sql;

const std::string kReplicaSafe[] = {"f", "shop.price_of", "main_db.score"};

bool same_flags(const StatementFlags& a, const StatementFlags& b) {
    return a.empty == b.empty && a.multiple_statements == b.multiple_statements &&
           a.has_comment == b.has_comment && a.has_executable_comment == b.has_executable_comment &&
           a.unterminated == b.unterminated &&
           a.into_outfile_or_dumpfile == b.into_outfile_or_dumpfile && a.load_file == b.load_file &&
           a.load_data_local == b.load_data_local && a.has_union == b.has_union &&
           a.has_placeholders == b.has_placeholders && a.implicit_commit == b.implicit_commit &&
           a.global_variable == b.global_variable &&
           a.creates_temporary_table == b.creates_temporary_table &&
           a.compound_statement == b.compound_statement &&
           a.reads_diagnostics == b.reads_diagnostics && a.user_variables == b.user_variables &&
           a.assigns_user_variables == b.assigns_user_variables &&
           a.calls_stored_function == b.calls_stored_function &&
           a.needs_primary_session == b.needs_primary_session &&
           a.sets_session_tracking == b.sets_session_tracking;
}

bool same_description(const StatementInfo& a, const StatementInfo& b) {
    return a.statement_class == b.statement_class && a.verb == b.verb &&
           a.primary_reason == b.primary_reason && a.transaction == b.transaction &&
           a.read_only_transaction == b.read_only_transaction && a.autocommit == b.autocommit &&
           a.schema == b.schema && a.schema_quoted == b.schema_quoted &&
           a.route_hint == b.route_hint && same_flags(a.flags, b.flags);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const std::uint8_t choice = in.byte();
    DescribeOptions options{.lexer = sqlgate::fuzz::lexer_options(choice)};
    if ((choice & 8) != 0) options.replica_safe_functions = kReplicaSafe;
    const std::string_view sql = in.rest_text();

    const StatementInfo plain = describe(sql, options);
    options.collect_tables = true;
    const StatementInfo with_tables = describe(sql, options);
    require(same_description(plain, with_tables), "collecting tables changed the description");
    require(plain.tables.empty(), "tables collected without collect_tables");

    require(within(with_tables.schema, sql) && within(with_tables.route_hint, sql),
            "schema or route hint outside the statement");
    for (const TableName& table : with_tables.tables) {
        require(within(table.schema, sql) && within(table.name, sql),
                "a collected table outside the statement");
    }
    if (with_tables.verb == Keyword::kUse) with_tables.schema_name();
    require(!with_tables.is_replica_safe() || with_tables.primary_reason == PrimaryReason::none,
            "a replica-safe read names a reason to go to the primary");
    require(with_tables.route_hint.empty() || with_tables.flags.has_comment,
            "a route hint outside any comment");
    require(!with_tables.flags.empty || with_tables.verb == Keyword::kNone,
            "an empty statement has a verb");

    const std::string_view hint = find_route_hint(sql);
    require(within(hint, sql), "find_route_hint returned text outside its input");
    parse_kill(sql);
    return 0;
}

// Statement classifier: one lexer pass that tells the router where a statement may run
// and tells the firewall what it contains. No heap allocation unless tables are collected.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sql/lexer.hpp"
#include "sql/statement.hpp"

namespace sqlgate::sql {

struct DescribeOptions {
    LexerOptions lexer{};         // match the session's sql_mode (NO_BACKSLASH_ESCAPES, ...)
    bool collect_tables = false;  // fill StatementInfo::tables; the only path that allocates
    // Stored functions the operator declared read-only ("f" in any schema, or "db.f"):
    // calling them does not keep a read off the replicas.
    std::span<const std::string> replica_safe_functions;
};

// Describes the first non-empty statement of `sql`; later statements only add flags
// (multiple_statements, firewall facts) and can make a read unsafe for a replica.
// Allocates nothing unless options.collect_tables is set.
StatementInfo describe(std::string_view sql, const DescribeOptions& options = {});

// NAME from the first `sqlgate:route=NAME` (spaces allowed around '=') in a comment's text;
// empty if there is none. NAME is [A-Za-z0-9_:.-]+ and is not validated here.
std::string_view find_route_hint(std::string_view comment) noexcept;

}  // namespace sqlgate::sql

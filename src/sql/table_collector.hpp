// Collects the tables a statement names while the classifier walks its tokens.
// Internal to src/sql: fed token by token, it never looks back at the text.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sql/keyword.hpp"
#include "sql/lexer.hpp"
#include "sql/statement.hpp"

namespace sqlgate::sql {

// A heuristic, not a parser: names right after FROM, JOIN, INTO, TABLE(S) and some verbs,
// with comma lists and aliases. Good enough for allow-lists of tables; it may miss exotic
// forms (CREATE INDEX ... ON t) but never reports a string, comment or function argument.
class TableCollector {
  public:
    explicit TableCollector(std::vector<TableName>& out) noexcept : out_(out) {}

    // The next name is a table (after UPDATE, INSERT, DESCRIBE ...).
    void expect_table() noexcept { state_ = State::expect_name; }
    // A WITH clause names `name`; FROM name later refers to it, not to a table.
    void add_cte_name(const Token& name);
    // `depth` is the parenthesis depth after `token`.
    void on_token(const Token& token, Keyword keyword, int depth);
    void finish_statement();
    // Drops repeated names, keeping the first of each. Once, after the last statement.
    void finish_input();

  private:
    enum class State : std::uint8_t {
        idle,
        expect_name,  // a table name may come next
        have_name,    // got a name; a '.' would make it the schema
        after_dot,
        after_table,  // an alias, a comma or the end of the table list may come next
        after_as,
        after_alias,
    };

    bool trigger(Keyword keyword, int depth) noexcept;
    void after_table(const Token& token, Keyword keyword) noexcept;
    void add(std::string_view schema, std::string_view name);

    std::vector<TableName>& out_;
    std::vector<std::string_view> cte_names_;
    std::size_t statement_start_ = 0;  // first entry of out_ added by this statement
    State state_ = State::idle;
    std::string_view pending_;         // first part of a name, maybe a schema
    std::uint64_t select_depths_ = 0;  // bit d: a SELECT opened at parenthesis depth d
};

}  // namespace sqlgate::sql

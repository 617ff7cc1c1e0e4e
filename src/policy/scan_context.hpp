// What every heuristic family of the firewall's token pass reads: the firewall's words, the
// walk's position (history, depth, clause), bounded lookahead probes and findings.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/scan.hpp"
#include "sql/keyword.hpp"
#include "sql/lexer.hpp"

namespace sqlgate::policy::detail {

using sql::iequals;
using sql::Keyword;
using sql::Lexer;
using sql::Token;
using sql::TokenKind;

// The firewall's reading of a bare word: its keyword if the heuristics act on it, kNone
// otherwise; quoted names are never keywords. Spellings the heuristics treat alike come back
// as one keyword: RLIKE as REGEXP, DISTINCTROW as DISTINCT, PERSIST_ONLY as PERSIST, FIELDS
// as COLUMNS, INDEXES and KEYS as INDEX, SCHEMA as DATABASE.
Keyword word_of(const Token& token) noexcept;

// Words that start a clause other than a condition (FROM, INTO, ORDER, GROUP, LIMIT, UNION,
// SET, VALUES, JOIN ...): they end a SELECT list and, at depth 0, an ORDER BY list.
bool starts_clause(Keyword w) noexcept;

// Functions whose result identifies the server or the account: what probes ask for.
bool is_fingerprint_function(Keyword w) noexcept;

// The content of a string token without its quotes or N prefix; escapes are left as they
// are, which only matters for comparisons the heuristics then fail to prove true.
std::string_view string_content(std::string_view text) noexcept;

// The text from the start of `first` to the end of `last`, capped for messages.
std::string_view span(const Token& first, const Token& last) noexcept;

// MySQL's string-to-number: the longest numeric prefix, 0 if there is none.
double to_number(std::string_view text) noexcept;

inline bool ends_with_ci(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() &&
           sql::iequals(text.substr(text.size() - suffix.size()), suffix);
}

// Records the first match of a rule only: later ones would not change the verdict.
inline void note(Finding& f, std::string_view evidence, std::string_view reason) noexcept {
    if (f.found) return;
    f = Finding{true, evidence.substr(0, 80), reason};
}

// Lookahead on a copy of the main lexer: the main pass never backtracks, and the copies
// run only at the rare tokens that start a pattern (OR, CHAR(, SET sql_mode ...). Each
// probe reads a bounded number of tokens, so that nested patterns (OR (1 OR (1 OR ...)
// cannot make the scan quadratic; a probe that runs out proves nothing.
constexpr int kProbeBudget = 1024;

struct Probe {
    explicit Probe(const Lexer& from) noexcept : lexer(from) { cur = lexer.next_code(); }
    // Starts at `current`, the token `from` returned last.
    Probe(const Lexer& from, const Token& current) noexcept : lexer(from), cur(current) {}

    void advance() noexcept;
    Keyword word() const noexcept { return word_of(cur); }
    Token peek() const noexcept {
        Lexer copy = lexer;
        return copy.next_code();
    }

    Lexer lexer;
    Token cur;
    Token prev;
    int budget = kProbeBudget;
    bool exhausted = false;
};

// Whether a part of a statement is a condition (WHERE, ON, HAVING), where a constant-true
// predicate or a spelled-out string widens what the statement touches.
enum class Clause : std::uint8_t { other, condition };
constexpr int kTrackedDepth = 64;

// Where the walk is at the current code token, as every family sees it.
struct ScanCursor {
    explicit ScanCursor(const Lexer& l) noexcept : lexer(l) {}

    // Positioned just after the current token; copy it (Probe) to look ahead.
    const Lexer& lexer;
    // The code tokens before the current one, most recent first.
    std::array<Token, 4> history{};
    // The parenthesis depth before the current token.
    int depth = 0;
    // The current token starts a statement (of a list, or of a compound statement's body).
    bool first_of_statement = false;
    std::array<Clause, kTrackedDepth> clause{};

    Clause& clause_here() noexcept {
        return clause[static_cast<std::size_t>(std::min(depth, kTrackedDepth - 1))];
    }
    bool in_condition() const noexcept {
        return clause[static_cast<std::size_t>(std::min(depth, kTrackedDepth - 1))] ==
               Clause::condition;
    }
};

}  // namespace sqlgate::policy::detail

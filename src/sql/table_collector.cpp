#include "sql/table_collector.hpp"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <tuple>

namespace sqlgate::sql {
namespace {

// Modifiers that may sit between a trigger and the table: FROM LATERAL, INTO IGNORE ...
bool is_modifier(Keyword k) noexcept {
    switch (k) {
        case Keyword::kIf:
        case Keyword::kNot:
        case Keyword::kExists:
        case Keyword::kIgnore:
        case Keyword::kLowPriority:
        case Keyword::kHighPriority:
        case Keyword::kDelayed:
        case Keyword::kQuick:
        case Keyword::kLateral:
        case Keyword::kNoWriteToBinlog:
        case Keyword::kLocal:
        case Keyword::kTemporary:
            return true;
        default:
            return false;
    }
}

// Words that follow a trigger but are not table names: FROM DUAL, INTO OUTFILE ...
bool ends_table_list(Keyword k) noexcept {
    switch (k) {
        case Keyword::kDual:
        case Keyword::kSelect:
        case Keyword::kValues:
        case Keyword::kValue:
        case Keyword::kWith:
        case Keyword::kOutfile:
        case Keyword::kDumpfile:
        case Keyword::kSet:
            return true;
        default:
            return false;
    }
}

constexpr int kTrackedDepths = 64;

}  // namespace

// FROM inside parentheses is a table clause only in a subquery, not in EXTRACT(YEAR FROM d)
// or TRIM(x FROM s): hence the bit per depth recording where a SELECT is open.
bool TableCollector::trigger(Keyword keyword, int depth) noexcept {
    const bool tracked = depth >= 0 && depth < kTrackedDepths;
    switch (keyword) {
        case Keyword::kSelect:
            if (tracked) select_depths_ |= std::uint64_t{1} << depth;
            return false;
        case Keyword::kFrom:
            if (depth == 0 || (tracked && (select_depths_ >> depth & 1u) != 0)) {
                state_ = State::expect_name;
            } else {
                state_ = State::idle;
            }
            return true;
        case Keyword::kJoin:
        case Keyword::kStraightJoin:
        case Keyword::kInto:
        case Keyword::kTable:
        case Keyword::kTables:
            state_ = State::expect_name;
            return true;
        default:
            return false;
    }
}

void TableCollector::on_token(const Token& token, Keyword keyword, int depth) {
    if (token.kind == TokenKind::right_paren && depth + 1 < kTrackedDepths) {
        select_depths_ &= ~(std::uint64_t{1} << (depth + 1));  // that group is closed
    }
    if (state_ == State::have_name && token.kind != TokenKind::dot) {
        add({}, pending_);
        state_ = State::after_table;
    }
    if (token.kind == TokenKind::identifier && trigger(keyword, depth)) return;
    switch (state_) {
        case State::expect_name:
            if (token.kind == TokenKind::identifier && is_modifier(keyword)) return;
            if (is_name(token) && !ends_table_list(keyword)) {
                pending_ = unquoted(token);
                state_ = State::have_name;
            } else {
                state_ = State::idle;
            }
            return;
        case State::have_name:  // only a '.' gets here
            state_ = State::after_dot;
            return;
        case State::after_dot:
            if (is_name(token)) add(pending_, unquoted(token));
            state_ = is_name(token) ? State::after_table : State::idle;
            return;
        case State::after_table:
        case State::after_as:
        case State::after_alias:
            after_table(token, keyword);
            return;
        case State::idle:
            return;
    }
}

void TableCollector::after_table(const Token& token, Keyword keyword) noexcept {
    if (token.kind == TokenKind::comma && state_ != State::after_as) {
        state_ = State::expect_name;
    } else if (state_ == State::after_table && keyword == Keyword::kAs) {
        state_ = State::after_as;
    } else if (state_ != State::after_alias && is_name(token)) {
        state_ = State::after_alias;
    } else {
        state_ = State::idle;
    }
}

void TableCollector::add_cte_name(const Token& name) {
    cte_names_.push_back(unquoted(name));
}

void TableCollector::add(std::string_view schema, std::string_view name) {
    out_.push_back(TableName{schema, name});
}

// Everything here is sorting and binary search: hostile input with thousands of names or
// CTEs must stay n log n.
void TableCollector::finish_statement() {
    if (state_ == State::have_name) add({}, pending_);
    // A CTE's own name is not a table; qualified names never refer to a CTE.
    std::sort(cte_names_.begin(), cte_names_.end());
    const auto is_cte = [this](const TableName& t) {
        return t.schema.empty() && std::binary_search(cte_names_.begin(), cte_names_.end(), t.name);
    };
    const auto first = out_.begin() + static_cast<std::ptrdiff_t>(statement_start_);
    out_.erase(std::remove_if(first, out_.end(), is_cte), out_.end());
    statement_start_ = out_.size();
    cte_names_.clear();
    state_ = State::idle;
    select_depths_ = 0;
}

void TableCollector::finish_input() {
    std::vector<std::size_t> order(out_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    const auto key = [this](std::size_t i) { return std::tie(out_[i].schema, out_[i].name); };
    std::stable_sort(order.begin(), order.end(),
                     [&key](std::size_t a, std::size_t b) { return key(a) < key(b); });
    std::vector<bool> repeated(out_.size(), false);
    for (std::size_t k = 1; k < order.size(); ++k) {
        repeated[order[k]] = out_[order[k]] == out_[order[k - 1]];
    }
    std::size_t kept = 0;
    for (std::size_t i = 0; i < out_.size(); ++i) {
        if (!repeated[i]) out_[kept++] = out_[i];
    }
    out_.resize(kept);
}

}  // namespace sqlgate::sql

// What the classifier reads from the values of a SET: whether a value can be replayed on
// another server with the same result, and which settings bind a session to its primary.
#pragma once

#include <optional>
#include <string_view>

#include "sql/word.hpp"

namespace sqlgate::sql {

// 1, 0, ON, OFF, TRUE, FALSE, quoted or not; nullopt for anything else.
std::optional<bool> boolean_value(const Word& w) noexcept;

// A literal, another user variable or an operator: what a SET of a user variable can run
// again elsewhere and get the same value from.
bool is_replayable_value(const Word& w) noexcept;

// Session settings whose effect lives in one connection (sql_auto_is_null,
// optimizer_trace, profiling), and whether a value turns one on.
bool binds_session(std::string_view name) noexcept;
bool turns_on(const Word& value) noexcept;

}  // namespace sqlgate::sql

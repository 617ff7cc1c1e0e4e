#include "sql/set_values.hpp"

namespace sqlgate::sql {

std::optional<bool> boolean_value(const Word& w) noexcept {
    std::string_view text = w.token.text;
    if (w.is(TokenKind::string) && text.size() >= 2) text = text.substr(1, text.size() - 2);
    if (text == "1" || iequals(text, "ON") || iequals(text, "TRUE")) return true;
    if (text == "0" || iequals(text, "OFF") || iequals(text, "FALSE")) return false;
    return std::nullopt;
}

// A value a SET can assign to a user variable and assign again, with the same result, on
// any server: literals, other user variables and operators. Anything else (a function,
// a system variable, a subquery) may give another value elsewhere.
bool is_replayable_value(const Word& w) noexcept {
    switch (w.token.kind) {
        case TokenKind::string:
        case TokenKind::number:
        case TokenKind::hex_literal:
        case TokenKind::bit_literal:
        case TokenKind::user_variable:
        case TokenKind::symbol:
            return true;
        case TokenKind::identifier:  // NULL, TRUE, FALSE, a _charset introducer
            return iequals(w.token.text, "NULL") || iequals(w.token.text, "TRUE") ||
                   iequals(w.token.text, "FALSE") || w.token.text.starts_with('_');
        default:
            return false;
    }
}

// Session settings whose effect lives in one connection: sql_auto_is_null (WHERE id IS NULL
// finds the session's last insert), and the recorders of its statements, optimizer_trace
// and profiling (a trace or profile read must cover statements that all ran in one place).
bool binds_session(std::string_view name) noexcept {
    return iequals(name, "sql_auto_is_null") || iequals(name, "optimizer_trace") ||
           iequals(name, "profiling");
}

// Whether a value turns such a setting on: 1, ON, TRUE, or optimizer_trace's 'enabled=on';
// anything unknown counts as on.
bool turns_on(const Word& value) noexcept {
    if (const std::optional<bool> flag = boolean_value(value)) return *flag;
    const std::string_view text = value.token.text;
    if (!value.is(TokenKind::string)) return true;
    for (std::size_t i = 0; i + 10 <= text.size(); ++i) {
        if (iequals(text.substr(i, 10), "enabled=of")) return false;
    }
    return true;
}

}  // namespace sqlgate::sql

#include "sql/kill_statement.hpp"

#include <charconv>

#include "sql/lexer.hpp"

namespace sqlgate::sql {
namespace {

bool is_word(const Token& t, std::string_view word) noexcept {
    return t.is(TokenKind::identifier) && iequals(t.text, word);
}

}  // namespace

std::optional<KillRequest> parse_kill(std::string_view sql) noexcept {
    Lexer lexer(sql);
    Token t = lexer.next_code();
    if (!is_word(t, "KILL")) return std::nullopt;
    t = lexer.next_code();
    if (is_word(t, "HARD") || is_word(t, "SOFT")) t = lexer.next_code();
    KillRequest request;
    if (is_word(t, "QUERY")) {
        request.query_only = true;
        t = lexer.next_code();
        if (is_word(t, "ID")) t = lexer.next_code();
    } else if (is_word(t, "CONNECTION")) {
        t = lexer.next_code();
    }
    if (!t.is(TokenKind::number)) return std::nullopt;
    const auto [end, ec] =
        std::from_chars(t.text.data(), t.text.data() + t.text.size(), request.id);
    if (ec != std::errc{} || end != t.text.data() + t.text.size()) return std::nullopt;
    t = lexer.next_code();
    if (t.is(TokenKind::semicolon)) t = lexer.next_code();
    if (!t.is(TokenKind::end)) return std::nullopt;
    return request;
}

}  // namespace sqlgate::sql

// Fuzzes the SQL lexer under each sql_mode reading: tokens are views into the statement, in
// order, finite in number, and next_code() yields exactly the non-comment tokens of next().
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "sql/lexer.hpp"

namespace {

using sqlgate::fuzz::FuzzInput;
using sqlgate::fuzz::require;
using sqlgate::fuzz::within;
using namespace sqlgate::sql;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzInput in(data, size);
    const LexerOptions options = sqlgate::fuzz::lexer_options(in.byte());
    const std::string_view sql = in.rest_text();

    Lexer all(sql, options);
    Lexer code(sql, options);
    std::size_t tokens = 0;
    std::size_t comments_seen = 0;
    std::size_t comments_stepped = 0;
    const char* last_end = sql.data();
    for (;;) {
        const Token t = all.next();
        if (t.kind == TokenKind::end) {
            require(t.text.empty(), "the end token has text");
            break;
        }
        // Each token consumes input, so there are never more tokens than bytes.
        require(++tokens <= sql.size(), "more tokens than bytes: the lexer does not advance");
        require(!t.text.empty() && within(t.text, sql), "a token outside the statement");
        require(t.text.data() >= last_end, "tokens overlap or go backwards");
        last_end = t.text.data() + t.text.size();
        require(all.offset() <= sql.size(), "the lexer's offset ran past the statement");

        if (t.kind == TokenKind::comment) {
            ++comments_seen;
            continue;
        }
        const Token c = code.next_code([&](const Token&) { ++comments_stepped; });
        require(c.kind == t.kind && c.text.data() == t.text.data() && c.text == t.text,
                "next_code() disagrees with next() on a non-comment token");
        if (is_name(t)) {
            const std::string value = identifier_value(t.text);
            require(value.size() <= t.text.size(), "an identifier's value outgrew its text");
            require(unquoted(t).size() <= t.text.size(), "unquoted() outgrew its token");
        }
    }
    require(code.next_code([&](const Token&) { ++comments_stepped; }).kind == TokenKind::end,
            "next_code() has tokens after next() ended");
    require(comments_stepped == comments_seen, "next_code() stepped over other comments");
    require(all.next().kind == TokenKind::end, "the lexer restarted after the end");
    require(!all.flags().has_executable_comment || all.flags().has_comment,
            "an executable comment not counted as a comment");
    return 0;
}

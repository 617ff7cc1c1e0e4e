#include "policy/comment_truncation.hpp"

#include <algorithm>

#include "policy/constant_expression.hpp"

namespace sqlgate::policy::detail {
namespace {

// Whether a comment's text reads as the rest of a condition behind a little filler:
// `- AND customer_id = 2`, `x OR owner = 'bob'`. sqlmap and hand-written injections end
// with `-- -` or `#` plus a few random characters, and the application's own text after the
// injected value then continues the WHERE clause inside the comment. A connective among the
// first three tokens, then an operand and a comparison; prose ("and that is all") has none.
bool hides_condition(std::string_view body) noexcept {
    Lexer lexer(body);
    for (int i = 0; i < 3; ++i) {
        const Token t = lexer.next_code();
        if (t.is(TokenKind::end)) return false;
        const Keyword w = word_of(t);
        if (w != Keyword::kAnd && w != Keyword::kOr && w != Keyword::kXor && !t.is_symbol("&&") &&
            !t.is_symbol("||")) {
            continue;
        }
        Probe p(lexer);
        for (int j = 0; j < 8 && (p.cur.is(TokenKind::left_paren) || p.word() == Keyword::kNot);
             ++j)
            p.advance();
        if (read_sum(p, 0).kind == Operand::Kind::none) return false;
        if (p.word() == Keyword::kNot) p.advance();
        const Keyword op = p.word();
        if (is_comparison(p.cur) || op == Keyword::kLike || op == Keyword::kRegexp ||
            op == Keyword::kBetween || op == Keyword::kSounds) {
            return true;
        }
        if (op == Keyword::kIn) return p.peek().is(TokenKind::left_paren);
        if (op != Keyword::kIs) return false;
        p.advance();
        if (p.word() == Keyword::kNot) p.advance();
        const Keyword what = p.word();
        return what == Keyword::kNull || what == Keyword::kTrue || what == Keyword::kFalse ||
               what == Keyword::kUnknown;
    }
    return false;
}

}  // namespace

// Comment truncation: an injection that closes the application's literal early and comments
// out the rest (`admin'-- `, `1) OR 1=1 #`) leaves a comment hiding what the application
// wrote after the value. A comment is taken for that when
//   1. its body starts with a quote that is unpaired in the body: the application's
//      closing quote, followed by the rest of its text (`'admin'-- ' AND pw = '...'`); or
//   2. it follows a string literal and its body is blank or holds an odd number of ' or "
//      (`'admin'#`, `'admin' -- x' AND pw = 'y'`); or
//   3. it is trailing (no code after it) and its body starts with `)` or `=`, or with AND,
//      OR, XOR, `&&`, `||` followed by a comparison or a parenthesis: the rest of a
//      condition, cut off (`-- AND owner_id = 42`, not `-- and that is all`); or
//   4. it is a trailing line comment in a condition and its body is a few characters of
//      filler, then a connective and a comparison (`id = 101 -- - AND customer_id = 2`).
// Only line comments and trailing block comments count: a block comment inside a statement
// (route hints, /**/ between tokens) hides nothing. Leading comments never count.
void CommentTruncation::on_comment(const ScanCursor& at, const Token& t) noexcept {
    if (at.history[0].kind == TokenKind::end) return;
    const std::string_view text = t.text;
    const bool line = text.starts_with("#") || text.starts_with("--");
    std::string_view body;
    if (line) {
        body = text.substr(text.front() == '#' ? 1 : 2);
    } else {
        body = text.substr(2);
        if (body.ends_with("*/")) body.remove_suffix(2);
    }
    // A run of comments shares one look past it; looking again for each would make a
    // text of a million comments quadratic.
    if (t.text.data() >= next_code_after_comments_) {
        Lexer rest = at.lexer;
        Token after = rest.next_code();
        next_code_after_comments_ = after.text.data();
        if (after.kind == TokenKind::semicolon) after = rest.next_code();
        trailing_ = after.kind == TokenKind::end;
    }
    const bool trailing = trailing_;
    if (!line && !trailing) return;

    std::size_t start = 0;
    while (start < body.size() && static_cast<unsigned char>(body[start]) <= ' ')
        ++start;
    const std::string_view trimmed = body.substr(start);
    const auto odd = [body](char quote) {
        return std::count(body.begin(), body.end(), quote) % 2 != 0;
    };
    const char first = trimmed.empty() ? '\0' : trimmed.front();
    if ((first == '\'' || first == '"') && odd(first)) {
        note(found_, text, "a comment starts with an unpaired quote");
        return;
    }
    if (at.history[0].kind == TokenKind::string) {
        if (trimmed.empty() || odd('\'') || odd('"')) {
            note(found_, text, "a comment after a string literal cuts the statement short");
            return;
        }
    }
    if (!trailing) return;
    Lexer body_lexer(trimmed);
    const Token lead = body_lexer.next();
    const Keyword w = word_of(lead);
    const bool connective = w == Keyword::kAnd || w == Keyword::kOr || w == Keyword::kXor ||
                            lead.is_symbol("&&") || lead.is_symbol("||");
    // Prose may start with "and"; a hidden condition compares something.
    const bool compares = trimmed.find_first_of("=<>(") != std::string_view::npos;
    if (lead.kind == TokenKind::right_paren || lead.is_symbol("=") || (connective && compares) ||
        (line && at.in_condition() && hides_condition(trimmed))) {
        note(found_, text, "a trailing comment hides the rest of a condition");
    }
}

}  // namespace sqlgate::policy::detail

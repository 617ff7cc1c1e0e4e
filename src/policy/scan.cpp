#include "policy/scan.hpp"

#include <algorithm>
#include <array>

#include "policy/comment_truncation.hpp"
#include "policy/encoded_payload.hpp"
#include "policy/error_probe.hpp"
#include "policy/object_names.hpp"
#include "policy/scan_context.hpp"
#include "policy/session_settings.hpp"
#include "policy/tautology.hpp"
#include "policy/time_delay.hpp"
#include "policy/union_probe.hpp"

namespace sqlgate::policy::detail {
namespace {

// Words after which a compound statement's body (BEGIN NOT ATOMIC ... END, IF ... THEN,
// LOOP ...) starts a statement: a SET there changes the session as a SET of its own does.
bool opens_statement_list(const Token& t) noexcept {
    static constexpr std::array<std::string_view, 7> kWords = {
        "ATOMIC", "BEGIN", "THEN", "ELSE", "DO", "LOOP", "REPEAT",
    };
    return t.is(TokenKind::identifier) &&
           std::any_of(kWords.begin(), kWords.end(),
                       [&t](std::string_view w) { return iequals(t.text, w); });
}

// Where a word puts the walk, clause-wise: a condition after WHERE, ON, HAVING; elsewhere
// after the words that start a clause of another kind.
void update_clause(ScanCursor& at, Keyword w) noexcept {
    switch (w) {
        case Keyword::kWhere:
        case Keyword::kOn:
        case Keyword::kHaving:
            at.clause_here() = Clause::condition;
            break;
        default:
            if (w == Keyword::kSelect || starts_clause(w)) at.clause_here() = Clause::other;
            break;
    }
}

// One walk over the statement's tokens, never backtracking: it keeps the position every
// family reads (ScanCursor) and hands each token to the families, each of which records
// the first match of its own rule.
class TokenPass {
  public:
    TokenPass(std::string_view sql, sql::LexerOptions options, const UserPolicy& policy) noexcept
        : lexer_(sql, options),
          at_(lexer_),
          comments_(result_.comment_truncation),
          settings_(result_.unsafe_session_setting),
          names_(result_, policy),
          unions_(result_.union_probe),
          errors_(result_.error_probe),
          encoded_(result_.encoded_payload) {}
    TokenPass(const TokenPass&) = delete;  // the families refer to result_, at_ to lexer_
    TokenPass& operator=(const TokenPass&) = delete;

    ScanResult run() noexcept {
        for (;;) {
            const Token t =
                lexer_.next_code([this](const Token& c) { comments_.on_comment(at_, c); });
            if (t.kind == TokenKind::end) break;
            on_code(t);
            std::shift_right(at_.history.begin(), at_.history.end(), 1);
            at_.history[0] = t;
        }
        unions_.finish();
        return result_;
    }

  private:
    void on_code(const Token& t) noexcept;
    void on_left_paren(const Token& t) noexcept;

    Lexer lexer_;
    ScanResult result_;
    ScanCursor at_;
    bool statement_start_ = true;
    CommentTruncation comments_;
    SessionSettings settings_;
    ObjectNames names_;
    UnionProbe unions_;
    ErrorProbe errors_;
    EncodedPayload encoded_;
};

void TokenPass::on_code(const Token& t) noexcept {
    const Keyword w = word_of(t);
    at_.first_of_statement = (statement_start_ && !t.is(TokenKind::left_paren)) ||
                             (w == Keyword::kSet && opens_statement_list(at_.history[0]));
    if (at_.first_of_statement) statement_start_ = false;
    unions_.on_code(at_, t, w);
    if (settings_.on_code(at_, t, w)) statement_start_ = true;
    names_.on_code(at_, t, w);
    errors_.on_code(at_, t, w);
    switch (t.kind) {
        case TokenKind::semicolon:
            if (at_.depth == 0) {
                statement_start_ = true;
                at_.clause.fill(Clause::other);
            }
            break;
        case TokenKind::left_paren:
            on_left_paren(t);
            if (at_.depth + 1 < kTrackedDepth) {
                at_.clause[static_cast<std::size_t>(at_.depth + 1)] = at_.clause_here();
            }
            ++at_.depth;
            break;
        case TokenKind::right_paren:
            if (at_.depth > 0) --at_.depth;
            errors_.on_right_paren(at_.depth);
            break;
        case TokenKind::hex_literal:
        case TokenKind::bit_literal:
            encoded_.on_literal(at_, t);
            break;
        case TokenKind::symbol:
            if (t.text == "||") check_tautology(at_, t, result_.tautology);
            break;
        case TokenKind::identifier:
            if (w == Keyword::kOr) check_tautology(at_, t, result_.tautology);
            check_waitfor(at_.history[0], t, w, result_.time_delay);
            update_clause(at_, w);
            break;
        default:
            break;
    }
}

// A bare function name before `(`: the families that recognise calls look at it.
void TokenPass::on_left_paren(const Token& t) noexcept {
    const Token& name = at_.history[0];
    if (!name.is(TokenKind::identifier) || at_.history[1].is(TokenKind::dot)) return;
    const Keyword function = word_of(name);
    errors_.on_call(at_, name, t, function);
    check_delay_call(name, t, function, result_.time_delay);
    encoded_.on_call(at_, name, function);
}

}  // namespace

ScanResult scan(std::string_view sql, sql::LexerOptions lexer, const UserPolicy& policy) noexcept {
    return TokenPass(sql, lexer, policy).run();
}

}  // namespace sqlgate::policy::detail

#include "policy/tautology.hpp"

#include <optional>

#include "policy/constant_expression.hpp"

namespace sqlgate::policy::detail {
namespace {

// Where a predicate ends: after it, OR 1=1 is a whole operand of OR, not the start of a
// longer expression such as OR a = a + 1 or OR 1 = f(x).
bool ends_predicate(const Token& t) noexcept {
    switch (t.kind) {
        case TokenKind::end:
        case TokenKind::semicolon:
        case TokenKind::right_paren:
        case TokenKind::comma:
            return true;
        case TokenKind::symbol:
            return t.text == "||" || t.text == "&&";
        case TokenKind::identifier:
            switch (word_of(t)) {
                case Keyword::kAnd:
                case Keyword::kOr:
                case Keyword::kXor:
                case Keyword::kOrder:
                case Keyword::kGroup:
                case Keyword::kLimit:
                case Keyword::kHaving:
                case Keyword::kUnion:
                case Keyword::kThen:
                case Keyword::kElse:
                case Keyword::kEnd:
                case Keyword::kWhen:
                case Keyword::kInto:
                case Keyword::kFor:
                case Keyword::kLock:
                case Keyword::kWindow:
                case Keyword::kProcedure:
                    return true;
                default:
                    return false;
            }
        default:
            return false;
    }
}

}  // namespace

// OR followed by a predicate that is constant true: OR 1=1, OR 'a'='a', OR 1, OR TRUE,
// OR 2>1, OR x=x, OR 1 LIKE 1, OR 'a' IS NOT NULL, OR 1 IN (1), OR 2-1=1, OR ~0,
// OR 'a' = BINARY 'a', OR EXISTS(SELECT 1), with any parentheses, NOT and comments around.
// Only in conditions (WHERE, ON, HAVING), where it widens what a statement touches.
void check_tautology(const ScanCursor& at, const Token& op, Finding& tautology) noexcept {
    if (!at.in_condition() || tautology.found) return;
    Probe p(at.lexer);
    bool negate = false;
    for (int i = 0; i < 16; ++i) {
        if (p.cur.is(TokenKind::left_paren)) {
            p.advance();
        } else if (p.word() == Keyword::kNot) {
            negate = !negate;
            p.advance();
        } else {
            break;
        }
    }
    const Operand value = read_comparison(p, 0);
    if (p.exhausted || value.kind == Operand::Kind::null || !ends_predicate(p.cur)) return;
    const std::optional<bool> truth = truthy(value);
    if (truth && *truth != negate) {
        note(tautology, span(op, p.prev), "a condition that is always true");
    }
}

}  // namespace sqlgate::policy::detail

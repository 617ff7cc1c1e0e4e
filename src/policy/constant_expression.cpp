#include "policy/constant_expression.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>

#include "policy/encoded_literals.hpp"
#include "policy/string_matching.hpp"

namespace sqlgate::policy::detail {
namespace {

using OK = Operand::Kind;

Operand number_operand(double value, std::string_view text = {}) noexcept {
    Operand o;
    o.kind = OK::number;
    o.number = value;
    o.text = text;
    return o;
}

Operand null_operand() noexcept {
    Operand o;
    o.kind = OK::null;
    return o;
}

bool is_constant(const Operand& o) noexcept {
    return o.kind == OK::number || o.kind == OK::string || o.kind == OK::bytes ||
           o.kind == OK::null;
}

std::optional<double> numeric(const Operand& o) noexcept {
    switch (o.kind) {
        case OK::number:
            return o.number;
        case OK::string:
            return to_number(o.text);
        case OK::bytes:
            return literal_number(o.text);
        default:
            return std::nullopt;
    }
}

}  // namespace

std::optional<bool> truthy(const Operand& o) noexcept {
    if (o.kind == OK::null) return false;
    const std::optional<double> n = numeric(o);
    if (!n) return std::nullopt;
    return *n != 0;
}

namespace {

// A condition's value as an operand: 1, 0, NULL (`null`), or none when not constant.
Operand truth_operand(std::optional<bool> value) noexcept {
    if (!value) return {};
    return number_operand(*value ? 1 : 0);
}

// The bytes of a string or hex/bit operand, into `out`; nullopt if they do not fit.
std::optional<std::size_t> operand_bytes(const Operand& o,
                                         std::array<unsigned char, 256>& out) noexcept {
    if (o.kind == OK::string) {
        if (o.text.size() > out.size()) return std::nullopt;
        std::copy(o.text.begin(), o.text.end(), out.begin());
        return o.text.size();
    }
    std::size_t n = 0;
    bool fits = true;
    const bool valid =
        for_each_byte(literal_digits(o.text), literal_radix_bits(o.text), [&](unsigned b) {
            if (n == out.size()) {
                fits = false;
            } else {
                out[n++] = static_cast<unsigned char>(b);
            }
        });
    if (!valid || !fits) return std::nullopt;
    return n;
}

std::optional<bool> apply_order(int order, std::string_view op) noexcept {
    if (op == "=" || op == "<=>") return order == 0;
    if (op == "<>" || op == "!=") return order != 0;
    if (op == "<") return order < 0;
    if (op == ">") return order > 0;
    if (op == "<=") return order <= 0;
    if (op == ">=") return order >= 0;
    return std::nullopt;
}

// The value of `a op b` when it is a constant; nullopt when it depends on data or is NULL.
std::optional<bool> compare(const Operand& a, std::string_view op, const Operand& b) noexcept {
    if (a.kind == OK::none || b.kind == OK::none) return std::nullopt;
    if (a.kind == OK::name || b.kind == OK::name) {
        // x = x is true for every non-NULL x: the `OR x=x` spelling of OR 1=1.
        const bool same = a.kind == OK::name && b.kind == OK::name && iequals(a.text, b.text);
        if (same && (op == "=" || op == "<=>" || op == ">=" || op == "<=")) return true;
        return std::nullopt;
    }
    if (a.kind == OK::null || b.kind == OK::null) {
        if (op == "<=>") return a.kind == b.kind;
        return std::nullopt;
    }
    if (a.kind == OK::number || b.kind == OK::number) {
        const double x = *numeric(a);
        const double y = *numeric(b);
        return apply_order(x < y ? -1 : (x > y ? 1 : 0), op);
    }
    if (a.kind == OK::bytes || b.kind == OK::bytes) {
        std::array<unsigned char, 256> x;
        std::array<unsigned char, 256> y;
        const auto nx = operand_bytes(a, x);
        const auto ny = operand_bytes(b, y);
        if (!nx || !ny) return std::nullopt;
        const std::string_view sx(reinterpret_cast<const char*>(x.data()), *nx);
        const std::string_view sy(reinterpret_cast<const char*>(y.data()), *ny);
        return apply_order(compare_text(sx, sy, false, false), op);
    }
    const Operand::Match match = std::max(a.match, b.match);
    return apply_order(
        compare_text(a.text, b.text, match == Operand::Match::folded, match != Operand::Match::raw),
        op);
}

// `a REGEXP b` for constants. Patterns without metacharacters are searched for, case-
// insensitively as the default collations do; other constant patterns count as true, since
// only an injection compares two constants by a regular expression.
std::optional<bool> regexp_match(const Operand& a, const Operand& b) noexcept {
    const bool texts = (a.kind == OK::number || a.kind == OK::string) &&
                       (b.kind == OK::number || b.kind == OK::string) && !a.text.empty() &&
                       !b.text.empty();
    if (!texts) {
        const bool constants =
            is_constant(a) && is_constant(b) && a.kind != OK::null && b.kind != OK::null;
        return constants ? std::optional<bool>(true) : std::nullopt;
    }
    for (const char c : b.text) {
        if (!sql::is_identifier_char(c) && c != ' ') return true;
    }
    if (b.text.size() > a.text.size()) return false;
    for (std::size_t i = 0; i + b.text.size() <= a.text.size(); ++i) {
        if (iequals(a.text.substr(i, b.text.size()), b.text)) return true;
    }
    return false;
}

}  // namespace

bool is_comparison(const Token& t) noexcept {
    if (t.kind != TokenKind::symbol) return false;
    const std::string_view s = t.text;
    return s == "=" || s == "<=>" || s == "<>" || s == "!=" || s == "<" || s == ">" || s == "<=" ||
           s == ">=";
}

namespace {

// A small evaluator for the constant expressions injections use in place of 1=1 (2-1=1,
// ~0, 'a' = BINARY 'a', EXISTS(SELECT 1) ...). Each reader starts at p.cur and leaves p.cur
// after what it read; `depth` bounds the recursion of parentheses and unary operators.
constexpr int kMaxNesting = 16;

Operand read_or(Probe& p, int depth) noexcept;

// EXISTS (SELECT <constants> [FROM DUAL]): a subquery that always has a row.
Operand read_exists(Probe& p, int depth) noexcept {
    p.advance();
    if (!p.cur.is(TokenKind::left_paren)) return {};
    p.advance();
    if (p.word() != Keyword::kSelect) return {};
    p.advance();
    for (int i = 0; i < 64; ++i) {
        if (!is_constant(read_sum(p, depth + 1))) return {};
        if (!p.cur.is(TokenKind::comma)) break;
        p.advance();
    }
    if (p.word() == Keyword::kFrom) {
        p.advance();
        if (p.word() != Keyword::kDual) return {};
        p.advance();
    }
    if (!p.cur.is(TokenKind::right_paren)) return {};
    p.advance();
    return number_operand(1);
}

Operand read_primary(Probe& p, int depth) noexcept {
    const Token first = p.cur;
    Operand o;
    switch (first.kind) {
        case TokenKind::number:
            p.advance();
            return number_operand(to_number(first.text), first.text);
        case TokenKind::string:
            o.kind = OK::string;
            o.text = string_content(first.text);
            p.advance();
            return o;
        case TokenKind::hex_literal:
        case TokenKind::bit_literal:
            o.kind = OK::bytes;
            o.match = Operand::Match::raw;
            o.text = first.text;
            p.advance();
            return o;
        case TokenKind::left_paren:
            if (depth >= kMaxNesting) return {};
            p.advance();
            o = read_or(p, depth + 1);
            if (!p.cur.is(TokenKind::right_paren)) return {};
            p.advance();
            return o;
        case TokenKind::identifier:
        case TokenKind::quoted_identifier:
            break;
        default:
            return {};
    }
    const Keyword w = word_of(first);
    if (w == Keyword::kNull) {
        p.advance();
        return null_operand();
    }
    if (w == Keyword::kTrue || w == Keyword::kFalse) {
        p.advance();
        return w == Keyword::kTrue ? number_operand(1, "1") : number_operand(0, "0");
    }
    if (w == Keyword::kExists) return read_exists(p, depth);
    if (w != Keyword::kNone) return {};  // a keyword: not something this check understands
    // _utf8mb4'x', _binary'x': a character set introducer before a string.
    if (first.is(TokenKind::identifier) && first.text.starts_with('_')) {
        const Token next = p.peek();
        if (next.is(TokenKind::string)) {
            p.advance();
            p.advance();
            o.kind = OK::string;
            o.text = string_content(next.text);
            if (iequals(first.text, "_binary")) o.match = Operand::Match::raw;
            return o;
        }
    }
    p.advance();
    while (p.cur.is(TokenKind::dot)) {
        p.advance();
        if (!is_name(p.cur)) return {};
        p.advance();
    }
    o.kind = OK::name;
    o.text = span(first, p.prev);
    return o;
}

std::uint64_t to_unsigned(double x) noexcept {
    if (!(x > -9.2e18)) return 0x8000000000000000u;
    if (x >= 18446744073709551615.0) return std::numeric_limits<std::uint64_t>::max();
    if (x < 0) return static_cast<std::uint64_t>(static_cast<std::int64_t>(std::llround(x)));
    return static_cast<std::uint64_t>(std::round(x));
}

Operand read_unary(Probe& p, int depth) noexcept {
    if (depth >= kMaxNesting) return {};
    const Token t = p.cur;
    if (t.is_symbol("-") || t.is_symbol("+") || t.is_symbol("~") || t.is_symbol("!")) {
        p.advance();
        const Operand o = read_unary(p, depth + 1);
        if (t.text == "+" || o.kind == OK::none || o.kind == OK::null) return o;
        if (o.kind == OK::name) return {};
        const double x = *numeric(o);
        if (t.text == "-") return number_operand(-x);
        if (t.text == "!") return number_operand(x == 0 ? 1 : 0);
        return number_operand(static_cast<double>(~to_unsigned(x)));
    }
    if (p.word() == Keyword::kBinary) {
        p.advance();
        Operand o = read_unary(p, depth + 1);
        if (o.kind != OK::name) o.match = Operand::Match::raw;
        return o;
    }
    Operand o = read_primary(p, depth);
    if (p.word() == Keyword::kCollate) {
        p.advance();
        if (!is_name(p.cur) && !p.cur.is(TokenKind::string)) return {};
        const std::string_view collation =
            p.cur.is(TokenKind::string) ? string_content(p.cur.text) : unquoted(p.cur);
        if (iequals(collation, "binary")) {
            o.match = Operand::Match::raw;
        } else if (ends_with_ci(collation, "_bin") || ends_with_ci(collation, "_cs")) {
            o.match = std::max(o.match, Operand::Match::exact);
        }
        p.advance();
    }
    return o;
}

// a op b for + - * / DIV MOD %: NULL on division by zero, as the server answers.
Operand arithmetic(const Operand& a, std::string_view op, const Operand& b) noexcept {
    if (a.kind == OK::none || a.kind == OK::name || b.kind == OK::none || b.kind == OK::name) {
        return {};
    }
    if (a.kind == OK::null || b.kind == OK::null) return null_operand();
    const double x = *numeric(a);
    const double y = *numeric(b);
    if (op == "+") return number_operand(x + y);
    if (op == "-") return number_operand(x - y);
    if (op == "*") return number_operand(x * y);
    if (y == 0) return null_operand();
    if (op == "/") return number_operand(x / y);
    if (iequals(op, "DIV")) return number_operand(std::trunc(x / y));
    return number_operand(std::fmod(x, y));  // MOD, %
}

Operand read_product(Probe& p, int depth) noexcept {
    Operand a = read_unary(p, depth);
    for (;;) {
        const Token op = p.cur;
        const Keyword w = word_of(op);
        if (!op.is_symbol("*") && !op.is_symbol("/") && !op.is_symbol("%") && w != Keyword::kDiv &&
            w != Keyword::kMod) {
            return a;
        }
        p.advance();
        a = arithmetic(a, op.text, read_unary(p, depth));
        if (a.kind == OK::none) return a;
    }
}

}  // namespace

Operand read_sum(Probe& p, int depth) noexcept {
    Operand a = read_product(p, depth);
    for (;;) {
        const Token op = p.cur;
        if (!op.is_symbol("+") && !op.is_symbol("-")) return a;
        p.advance();
        a = arithmetic(a, op.text, read_product(p, depth));
        if (a.kind == OK::none) return a;
    }
}

namespace {

// NOT x: NULL stays NULL; whatever is not constant stays unknown.
Operand logical_not(const Operand& o) noexcept {
    if (o.kind == OK::null) return o;
    const std::optional<bool> t = truthy(o);
    return t ? number_operand(*t ? 0 : 1) : Operand{};
}

// How reading a predicate operator after an operand went.
enum class PredicateRead : std::uint8_t { not_a_predicate, read, malformed };
using Value = std::optional<bool>;

bool is_text(const Operand& o) noexcept {
    return (o.kind == OK::number || o.kind == OK::string) && !o.text.empty();
}

// a LIKE b, p.cur past LIKE: a pattern match for texts, and `x LIKE x` for names.
Value read_like(Probe& p, int depth, const Operand& a) noexcept {
    const Operand b = read_sum(p, depth);
    Value value;
    if (is_text(a) && is_text(b)) value = like_match(a.text, b.text);
    if (a.kind == OK::name && b.kind == OK::name) value = compare(a, "=", b);
    return value;
}

// a SOUNDS LIKE b, p.cur past SOUNDS.
PredicateRead read_sounds_like(Probe& p, int depth, const Operand& a, Value& value) noexcept {
    if (p.word() != Keyword::kLike) return PredicateRead::malformed;
    p.advance();
    const Operand b = read_sum(p, depth);
    if ((a.kind == OK::string || a.kind == OK::number) &&
        (b.kind == OK::string || b.kind == OK::number)) {
        value = sounds_alike(a.text, b.text);
    }
    return PredicateRead::read;
}

// a IS [NOT] NULL | UNKNOWN | TRUE | FALSE, p.cur past IS.
Value read_is(Probe& p, const Operand& a) noexcept {
    bool is_not = false;
    if (p.word() == Keyword::kNot) {
        is_not = true;
        p.advance();
    }
    const Keyword what = p.word();
    p.advance();
    Value value;
    if (is_constant(a)) {
        const bool null = a.kind == OK::null;
        if (what == Keyword::kNull || what == Keyword::kUnknown) value = null;
        if (what == Keyword::kTrue) value = *truthy(a);
        if (what == Keyword::kFalse) value = !null && !*truthy(a);
        if (value && is_not) value = !*value;
    }
    return value;
}

// a BETWEEN low AND high, p.cur past BETWEEN.
PredicateRead read_between(Probe& p, int depth, const Operand& a, Value& value) noexcept {
    const Operand low = read_sum(p, depth);
    if (p.word() != Keyword::kAnd) return PredicateRead::malformed;
    p.advance();
    const Operand high = read_sum(p, depth);
    const auto lo = compare(a, ">=", low);
    const auto hi = compare(a, "<=", high);
    if (lo && hi) value = *lo && *hi;
    return PredicateRead::read;
}

// a IN (b, c, ...), p.cur past IN: known only when every item compares to a constant.
PredicateRead read_in(Probe& p, int depth, const Operand& a, Value& value) noexcept {
    if (!p.cur.is(TokenKind::left_paren)) return PredicateRead::malformed;
    p.advance();
    bool any = false;
    for (int item = 0; item < 64 && !p.cur.is(TokenKind::right_paren); ++item) {
        const auto eq = compare(a, "=", read_sum(p, depth));
        if (!eq) return PredicateRead::malformed;
        any = any || *eq;
        if (p.cur.is(TokenKind::comma)) p.advance();
        if (p.cur.is(TokenKind::end)) return PredicateRead::malformed;
    }
    if (!p.cur.is(TokenKind::right_paren)) return PredicateRead::malformed;
    p.advance();
    value = any;
    return PredicateRead::read;
}

// The predicate operator at p.cur applied to `a`, its value into `value` (nullopt when not
// constant). `negate`: a NOT came before the operator, which comparisons, SOUNDS LIKE and IS
// do not take.
PredicateRead read_predicate(Probe& p, int depth, const Operand& a, bool negate,
                             Value& value) noexcept {
    if (is_comparison(p.cur) && !negate) {
        const std::string_view op = p.cur.text;
        p.advance();
        value = compare(a, op, read_sum(p, depth));
        return PredicateRead::read;
    }
    const Keyword w = p.word();
    const bool takes_not = w != Keyword::kSounds && w != Keyword::kIs;
    if (negate && !takes_not) return PredicateRead::not_a_predicate;
    switch (w) {
        case Keyword::kLike:
            p.advance();
            value = read_like(p, depth, a);
            return PredicateRead::read;
        case Keyword::kRegexp:
            p.advance();
            value = regexp_match(a, read_sum(p, depth));
            return PredicateRead::read;
        case Keyword::kSounds:
            p.advance();
            return read_sounds_like(p, depth, a, value);
        case Keyword::kIs:
            p.advance();
            value = read_is(p, a);
            return PredicateRead::read;
        case Keyword::kBetween:
            p.advance();
            return read_between(p, depth, a, value);
        case Keyword::kIn:
            p.advance();
            return read_in(p, depth, a, value);
        default:
            return PredicateRead::not_a_predicate;
    }
}

}  // namespace

// A comparison, or a lone operand: a [NOT] LIKE | REGEXP | IN | BETWEEN b, a = b = c,
// a IS [NOT] NULL, a SOUNDS LIKE b, NOT ..., EXISTS (...).
Operand read_comparison(Probe& p, int depth) noexcept {
    if (depth >= kMaxNesting) return {};
    if (p.word() == Keyword::kNot) {
        p.advance();
        return logical_not(read_comparison(p, depth + 1));
    }
    Operand a = read_sum(p, depth);
    for (int i = 0; i < 16 && a.kind != OK::none; ++i) {
        bool negate = false;
        if (p.word() == Keyword::kNot) {
            negate = true;
            p.advance();
        }
        Value value;
        switch (read_predicate(p, depth, a, negate, value)) {
            case PredicateRead::not_a_predicate:
                return negate ? Operand{} : a;
            case PredicateRead::malformed:
                return {};
            case PredicateRead::read:
                break;
        }
        if (value && negate) value = !*value;
        a = truth_operand(value);
    }
    return a;
}

namespace {

// Three-valued AND / OR / XOR over constants; unknown when an operand is not constant,
// unless the other one decides (1=1 OR x).
enum class Truth : std::uint8_t { no, yes, null, unknown };

Truth truth_of(const Operand& o) noexcept {
    if (o.kind == OK::null) return Truth::null;
    const std::optional<bool> t = truthy(o);
    if (!t) return Truth::unknown;
    return *t ? Truth::yes : Truth::no;
}

Operand operand_of(Truth t) noexcept {
    switch (t) {
        case Truth::no:
            return number_operand(0);
        case Truth::yes:
            return number_operand(1);
        case Truth::null:
            return null_operand();
        case Truth::unknown:
            break;
    }
    return {};
}

Truth logical(Truth a, Keyword op, Truth b) noexcept {
    const Truth decides = op == Keyword::kAnd ? Truth::no : Truth::yes;
    if (op != Keyword::kXor && (a == decides || b == decides)) return decides;
    if (a == Truth::unknown || b == Truth::unknown) return Truth::unknown;
    if (a == Truth::null || b == Truth::null) return Truth::null;
    if (op == Keyword::kXor) return a != b ? Truth::yes : Truth::no;
    return op == Keyword::kAnd ? Truth::yes : Truth::no;
}

Operand read_and(Probe& p, int depth) noexcept {
    Operand a = read_comparison(p, depth);
    while (p.word() == Keyword::kAnd || p.cur.is_symbol("&&")) {
        p.advance();
        const Operand b = read_comparison(p, depth);
        a = operand_of(logical(truth_of(a), Keyword::kAnd, truth_of(b)));
    }
    return a;
}

Operand read_or(Probe& p, int depth) noexcept {
    Operand a = read_and(p, depth);
    for (;;) {
        const Keyword w = p.word();
        if (w != Keyword::kOr && w != Keyword::kXor && !p.cur.is_symbol("||")) return a;
        p.advance();
        const Operand b = read_and(p, depth);
        a = operand_of(
            logical(truth_of(a), w == Keyword::kXor ? Keyword::kXor : Keyword::kOr, truth_of(b)));
    }
}

}  // namespace

}  // namespace sqlgate::policy::detail

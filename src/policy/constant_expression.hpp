// A small evaluator for the constant expressions injections use in place of 1=1 (2-1=1, ~0,
// 'a' = BINARY 'a', 'a' LIKE 'a%', EXISTS(SELECT 1) ...), read from a probe of tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

// A value the evaluator can reason about: a constant, or a plain (possibly qualified) name
// whose one known property is that it equals itself.
struct Operand {
    enum class Kind : std::uint8_t { none, number, string, bytes, null, name };
    // How strings compare: the default collations fold case and pad; _bin and _cs collations
    // do not fold; BINARY, _binary'' and hex or bit literals compare raw bytes.
    enum class Match : std::uint8_t { folded, exact, raw };
    Kind kind = Kind::none;
    Match match = Match::folded;
    double number = 0;
    // String content, the literal of `bytes` (0x61, b'1'), the name; for a number its
    // literal, empty when computed.
    std::string_view text;
};

// Each reader starts at p.cur and leaves p.cur after what it read; `depth` bounds the
// recursion of parentheses and unary operators. Kind::none: not something it understands.

// An arithmetic expression: + - * / DIV MOD % over unary operands and parentheses.
Operand read_sum(Probe& p, int depth) noexcept;

// A comparison, or a lone operand: a [NOT] LIKE | REGEXP | IN | BETWEEN b, a = b = c,
// a IS [NOT] NULL, a SOUNDS LIKE b, NOT ..., EXISTS (...).
Operand read_comparison(Probe& p, int depth) noexcept;

// The truth value of a constant operand (NULL is false); nullopt when not constant.
std::optional<bool> truthy(const Operand& o) noexcept;

// = <=> <> != < > <= >=
bool is_comparison(const Token& t) noexcept;

}  // namespace sqlgate::policy::detail

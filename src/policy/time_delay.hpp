// The time-delay family: statements made to answer late, so that a blind injection reads
// one bit per request from the delay — SLEEP(), BENCHMARK(), PG_SLEEP(), WAITFOR DELAY.
#pragma once

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

// `name(` of a bare function name, with the walk at the parenthesis `paren`.
void check_delay_call(const Token& name, const Token& paren, Keyword function,
                      Finding& found) noexcept;

// A word `t` right after `previous`: WAITFOR DELAY | TIME.
void check_waitfor(const Token& previous, const Token& t, Keyword w, Finding& found) noexcept;

}  // namespace sqlgate::policy::detail

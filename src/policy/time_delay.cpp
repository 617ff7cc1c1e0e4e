#include "policy/time_delay.hpp"

namespace sqlgate::policy::detail {

void check_delay_call(const Token& name, const Token& paren, Keyword function,
                      Finding& found) noexcept {
    if (function == Keyword::kSleep || function == Keyword::kBenchmark ||
        function == Keyword::kPgSleep) {
        note(found, span(name, paren), "a delay function");
    }
}

void check_waitfor(const Token& previous, const Token& t, Keyword w, Finding& found) noexcept {
    if ((w == Keyword::kDelay || w == Keyword::kTime) && word_of(previous) == Keyword::kWaitfor) {
        note(found, span(previous, t), "WAITFOR delays the answer");
    }
}

}  // namespace sqlgate::policy::detail

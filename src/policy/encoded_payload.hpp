// The encoded-payload family: text spelled without quotes where a condition compares it —
// hex and bit literals, CHAR(97,100,...), UNHEX('6164...'), FROM_BASE64(...), CONV(n,10,36).
#pragma once

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

class EncodedPayload {
  public:
    explicit EncodedPayload(Finding& found) noexcept : found_(found) {}

    // A hex or bit literal token.
    void on_literal(const ScanCursor& at, const Token& t) noexcept;
    // `name(` of CHAR, UNHEX, FROM_BASE64 or CONV, with the walk at the parenthesis.
    void on_call(const ScanCursor& at, const Token& name, Keyword function) noexcept;

  private:
    void check_char_call(const ScanCursor& at, const Token& name) noexcept;
    void check_unhex_call(const ScanCursor& at, const Token& name) noexcept;
    void check_base64_call(const ScanCursor& at, const Token& name) noexcept;
    void check_conv_call(const ScanCursor& at, const Token& name) noexcept;

    Finding& found_;
    int printable_char_calls_ = 0;  // CHAR() calls with printable codes in conditions
};

}  // namespace sqlgate::policy::detail

// The error-probe family: errors made to carry data in their message — EXTRACTVALUE or
// UPDATEXML of a subquery or fingerprint, EXP(~(...)) overflows, FLOOR(RAND(0)*2) keys.
#pragma once

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

class ErrorProbe {
  public:
    explicit ErrorProbe(Finding& found) noexcept : found_(found) {}

    void on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept;
    // `name(` of a bare function name, with the walk at the parenthesis `paren`.
    void on_call(const ScanCursor& at, const Token& name, const Token& paren,
                 Keyword function) noexcept;
    void on_right_paren(int depth_after) noexcept;

  private:
    // Inside the arguments of EXTRACTVALUE() or UPDATEXML().
    bool in_xml_call(const ScanCursor& at) const noexcept {
        return xml_call_depth_ >= 0 && at.depth > xml_call_depth_;
    }
    void check_floor_call(const ScanCursor& at, const Token& name) noexcept;

    Finding& found_;
    int xml_call_depth_ = -1;  // the depth outside an EXTRACTVALUE / UPDATEXML call
    Token xml_call_;
};

}  // namespace sqlgate::policy::detail

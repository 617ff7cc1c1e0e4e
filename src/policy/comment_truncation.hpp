// The comment-truncation family: a comment that hides the rest of a statement an injection
// cut short (`admin'-- `, `1) OR 1=1 #`, `id = 101 -- - AND customer_id = 2`).
#pragma once

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

class CommentTruncation {
  public:
    explicit CommentTruncation(Finding& found) noexcept : found_(found) {}

    // `comment` is the comment token the walk is at; at.history holds the code before it.
    void on_comment(const ScanCursor& at, const Token& comment) noexcept;

  private:
    Finding& found_;
    // Where the code after the current run of comments starts, and whether there is none.
    const char* next_code_after_comments_ = nullptr;
    bool trailing_ = false;
};

}  // namespace sqlgate::policy::detail

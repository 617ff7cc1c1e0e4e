// The union-probe family: UNION SELECT lists that ask what an attacker asks (all NULL, 1, 2,
// 3 ..., server fingerprints) and ORDER BY n past the select list, the column-count probe.
#pragma once

#include <cstdint>

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

class UnionProbe {
  public:
    explicit UnionProbe(Finding& found) noexcept : found_(found) {}

    void on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept;
    // The end of input: judges a UNION list still open.
    void finish() noexcept;

  private:
    void on_word(const ScanCursor& at, const Token& t, Keyword w) noexcept;
    void on_number(const ScanCursor& at, const Token& t) noexcept;
    void on_list_token(const ScanCursor& at, const Token& t, Keyword w) noexcept;
    void finish_item() noexcept;

    // The select list after the latest UNION.
    struct UnionList {
        enum class State : std::uint8_t { idle, awaiting_select, in_list };
        State state = State::idle;
        int depth = 0;  // of the list's items
        long items = 0;
        bool all_null = true;
        bool sequence = true;
        bool in_alias = false;
        bool after_select = false;
        int item_tokens = 0;  // of the current item, before AS
        Token single;         // its last token
        Token start;          // the UNION
        Token last;           // the last token of the list
    };

    Finding& found_;
    UnionList list_;
    bool in_select_list_ = false;
    bool select_list_known_ = false;  // a depth-0 SELECT list was counted
    bool select_star_ = false;
    long select_items_ = 0;
    bool in_order_list_ = false;  // a depth-0 ORDER BY or GROUP BY list
};

}  // namespace sqlgate::policy::detail

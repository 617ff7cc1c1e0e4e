// The session-settings family: SET of sql_mode or of the client character set to a value
// that would change how the server splits text into tokens, which the firewall could not see.
#pragma once

#include <cstdint>
#include <string_view>

#include "policy/scan_context.hpp"

namespace sqlgate::policy::detail {

// Ordered from best to worst, so that std::max of two verdicts is the worse one.
enum class SettingValue : std::uint8_t { safe, unsafe, unreadable };

// A string of comma-separated sql_mode names; unsafe if one of them changes lexing.
SettingValue classify_sql_modes(std::string_view value) noexcept;

// A character set or collation name (the character set is the part before the first `_`);
// unsafe if a multibyte character of it may hold a backslash or quote byte.
SettingValue classify_charset_name(std::string_view name) noexcept;

class SessionSettings {
  public:
    explicit SessionSettings(Finding& found) noexcept : found_(found) {}

    // Follows SET lists and checks each assignment. True when the statement of a
    // SET STATEMENT ... FOR starts after `t`.
    bool on_code(const ScanCursor& at, const Token& t, Keyword w) noexcept;

  private:
    void check_assignment(const ScanCursor& at, const Token& first) noexcept;
    void check_sql_mode_value(const Token& target, Probe& p) noexcept;
    void check_charset_value(const Token& target, Probe& p, bool names) noexcept;

    Finding& found_;
    bool in_set_ = false;         // a SET statement's assignment list, at depth 0
    bool set_statement_ = false;  // SET STATEMENT ... FOR <statement>
    bool set_item_next_ = false;  // the next token starts an assignment
};

}  // namespace sqlgate::policy::detail

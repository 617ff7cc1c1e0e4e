// What the classifier knows of system variable names (@@x, @@global.x): their scope, and
// which ones only the primary's session, or only the previous statement's server, answers.
#pragma once

#include <string_view>

namespace sqlgate::sql {

struct SystemVariable {
    std::string_view name;
    bool global = false;
};

// "@@global.x" names x at global scope; "@@x", "@@session.x" and "@@local.x" at session scope.
SystemVariable split_system_variable(std::string_view text) noexcept;

// Session values that only the primary's connection knows (sqlgate opens its replica
// sessions read-only, so only the primary's says what the client set).
bool is_primary_variable(std::string_view token_text) noexcept;

// Counts that describe the previous statement of the same connection.
bool is_diagnostics_variable(std::string_view token_text) noexcept;

// A session's setting (@@x or @@session.x) that the session itself may have changed: not a
// global value, and not one that names the answering server (@@server_id, @@hostname, ...).
bool is_session_setting(std::string_view token_text) noexcept;

}  // namespace sqlgate::sql

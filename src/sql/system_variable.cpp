#include "sql/system_variable.hpp"

#include <algorithm>
#include <array>

#include "sql/lexer.hpp"

namespace sqlgate::sql {

SystemVariable split_system_variable(std::string_view text) noexcept {
    text.remove_prefix(std::min<std::size_t>(2, text.size()));
    const std::size_t dot = text.find('.');
    if (dot == std::string_view::npos) return {text, false};
    const std::string_view scope = text.substr(0, dot);
    const bool global =
        iequals(scope, "global") || iequals(scope, "persist") || iequals(scope, "persist_only");
    return {text.substr(dot + 1), global};
}

bool is_primary_variable(std::string_view token_text) noexcept {
    constexpr std::array<std::string_view, 5> kNames = {"last_insert_id", "identity", "insert_id",
                                                        "tx_read_only", "transaction_read_only"};
    const std::string_view name = split_system_variable(token_text).name;
    return std::any_of(kNames.begin(), kNames.end(),
                       [name](std::string_view n) { return iequals(n, name); });
}

bool is_diagnostics_variable(std::string_view token_text) noexcept {
    const std::string_view name = split_system_variable(token_text).name;
    return iequals(name, "warning_count") || iequals(name, "error_count");
}

bool is_session_setting(std::string_view token_text) noexcept {
    constexpr std::array<std::string_view, 8> kServerFacts = {
        "server_id", "hostname",        "port",    "socket",
        "version",   "version_comment", "datadir", "basedir"};
    const SystemVariable variable = split_system_variable(token_text);
    if (variable.global) return false;
    return std::none_of(kServerFacts.begin(), kServerFacts.end(),
                        [&](std::string_view n) { return iequals(n, variable.name); });
}

}  // namespace sqlgate::sql

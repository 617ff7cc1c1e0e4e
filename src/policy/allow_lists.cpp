#include "policy/allow_lists.hpp"

#include <string>

#include "sql/lexer.hpp"

namespace sqlgate::policy::detail {

bool is_system_schema(std::string_view name) noexcept {
    return sql::iequals(name, "mysql") || sql::iequals(name, "information_schema") ||
           sql::iequals(name, "performance_schema") || sql::iequals(name, "sys");
}

bool schema_allowed(const UserPolicy& policy, std::string_view schema) noexcept {
    for (const std::string& allowed : policy.allowed_schemas) {
        if (allowed == schema) return true;
        if (allowed == "*" && !is_system_schema(schema)) return true;
    }
    return false;
}

bool allows_any_schema(const UserPolicy& policy) noexcept {
    for (const std::string& s : policy.allowed_schemas) {
        if (s == "*") return true;
    }
    return false;
}

bool table_allowed(const UserPolicy& policy, std::string_view schema,
                   std::string_view name) noexcept {
    for (const std::string& entry : policy.allowed_tables) {
        const std::string_view e = entry;
        const std::size_t dot = e.find('.');
        if (dot == std::string_view::npos) {
            if (e == name) return true;
        } else if (e.substr(0, dot) == schema && e.substr(dot + 1) == name) {
            return true;
        }
    }
    return false;
}

bool kind_allowed(KindSet allowed, StatementKind kind) noexcept {
    if (allowed.contains(kind)) return true;
    const bool session_only = kind == StatementKind::transaction || kind == StatementKind::session;
    return session_only &&
           (allowed.contains(StatementKind::read) || allowed.contains(StatementKind::write));
}

}  // namespace sqlgate::policy::detail

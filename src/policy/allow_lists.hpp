// The policy's allow-list rules: which statement kinds, schemas and tables a user's grants
// admit. Pure functions of a UserPolicy and names as written (no quotes).
#pragma once

#include <string_view>

#include "policy/user_policy.hpp"

namespace sqlgate::policy::detail {

// True for mysql, information_schema, performance_schema and sys, in any letter case.
bool is_system_schema(std::string_view name) noexcept;

// Whether `schema` (unquoted) is in the policy's allowed_schemas ("*": any non-system).
bool schema_allowed(const UserPolicy& policy, std::string_view schema) noexcept;

// Whether allowed_schemas holds "*".
bool allows_any_schema(const UserPolicy& policy) noexcept;

// Whether allowed_tables holds "schema.name" or a bare "name".
bool table_allowed(const UserPolicy& policy, std::string_view schema,
                   std::string_view name) noexcept;

// Whether `kind` is granted; transaction and session come with read or write.
bool kind_allowed(KindSet allowed, StatementKind kind) noexcept;

}  // namespace sqlgate::policy::detail

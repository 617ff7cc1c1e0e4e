// Policies shared by the policy tests: the users a gatekeeper of the demo would configure.
// A reader and a writer of main_db and shop, and a narrow user limited to two tables.
#pragma once

#include "policy/policy.hpp"

namespace sqlgate::policy::testing {

inline UserPolicy reader() {
    UserPolicy p;
    p.allowed_kinds = KindSet{StatementKind::read};
    p.allowed_schemas = {"main_db", "shop"};
    p.default_schema = "main_db";
    return p;
}

inline UserPolicy writer() {
    UserPolicy p = reader();
    p.allowed_kinds.add(StatementKind::write);
    return p;
}

inline UserPolicy narrow() {
    UserPolicy p = reader();
    p.allowed_tables = {"main_db.products", "categories"};
    return p;
}

}  // namespace sqlgate::policy::testing

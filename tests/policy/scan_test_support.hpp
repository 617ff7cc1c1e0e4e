// Runs the firewall's token pass alone, for the tests of each heuristic family: what one
// family found in a statement, without the rest of the policy around it.
#pragma once

#include <string_view>

#include "policy/scan.hpp"

namespace sqlgate::policy::testing {

inline UserPolicy any_schema() {
    UserPolicy p;
    p.allowed_schemas = {"*"};
    return p;
}

inline detail::ScanResult scan(std::string_view sql, const UserPolicy& policy = any_schema(),
                               sql::LexerOptions lexer = {}) {
    return detail::scan(sql, lexer, policy);
}

}  // namespace sqlgate::policy::testing

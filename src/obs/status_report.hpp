// `sqlgate status`: what the roles' GET /status say, as tables for a terminal (coloured
// when it is one), so an operator sees the chain and every server at a glance.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate::obs {

// One role's answer: its admin address and the status JSON (or why there is none).
struct RoleStatus {
    std::string admin;
    unsigned http_status = 0;  // 0: no answer
    std::string body;
};

// Writes the report; returns false when a role did not answer or a server is down.
bool write_status_report(std::ostream& out, const std::vector<RoleStatus>& roles, bool colour);

}  // namespace sqlgate::obs

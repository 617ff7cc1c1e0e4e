// Where a statement goes, decided from its description and the session's situation alone:
// the router never parses SQL and never touches a socket.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "config/route_strategy.hpp"
#include "sql/statement.hpp"

namespace sqlgate::proxy {

struct SessionSituation {
    bool in_transaction = false;     // the primary's last status said a transaction is open
    bool autocommit = true;          // likewise for autocommit
    bool pinned_to_primary = false;  // e.g. after temporary tables or LOCK TABLES
    // The primary ran something that may have set user variables the replicas' sessions do
    // not have (CALL p(@x), SELECT @x := ..., a trigger, a computed SET value).
    bool user_variables_on_primary = false;
    // The primary ran a stored function or procedure, which may have set session variables
    // there that the replicas' sessions (brought up to date by replay) do not have.
    bool session_settings_on_primary = false;
    std::optional<config::RouteStrategy> user_default;
    config::RouteStrategy listener_default = config::RouteStrategy::random;
};

struct RouteDecision {
    // previous_server: where the session's previous statement ran (diagnostics about it).
    enum class Target { primary, replica, named_server, previous_server, reject };
    Target target = Target::primary;
    config::RouteStrategy strategy = config::RouteStrategy::direct;  // for Target::replica
    // A read placed by `strategy` (direct ones go to the primary), not sent to the primary
    // because it had to be.
    bool by_strategy = false;
    std::string_view server;  // for Target::named_server: the name in the hint
    std::string error;        // for Target::reject
};

// The prefix of a route hint that names one server: `sqlgate:route=node:replica-2`.
constexpr std::string_view kNodeHintPrefix = "node:";

RouteDecision decide_route(const sql::StatementInfo& statement, const SessionSituation& session);

}  // namespace sqlgate::proxy

#include "proxy/router.hpp"

namespace sqlgate::proxy {

RouteDecision decide_route(const sql::StatementInfo& statement, const SessionSituation& session) {
    using Target = RouteDecision::Target;
    RouteDecision d;
    std::optional<config::RouteStrategy> hinted;
    std::string_view node;
    const std::string_view hint = statement.route_hint;
    if (!hint.empty()) {
        // A hint is checked even where it cannot apply, so that a typo is always reported.
        if (hint.starts_with(kNodeHintPrefix) && hint.size() > kNodeHintPrefix.size()) {
            node = hint.substr(kNodeHintPrefix.size());
        } else if (!(hinted = config::parse_route_strategy(hint))) {
            d.target = Target::reject;
            d.error = "sqlgate: unknown route '" + std::string(hint) +
                      "' (use direct, random, customized or node:NAME)";
            return d;
        }
    }
    if (statement.flags.reads_diagnostics && statement.is_replica_safe()) {
        d.target = Target::previous_server;
        return d;
    }
    // Only plain reads outside a transaction may leave the primary.
    if (!statement.is_replica_safe() || session.in_transaction || !session.autocommit ||
        session.pinned_to_primary ||
        (statement.flags.user_variables && session.user_variables_on_primary) ||
        (statement.flags.session_settings && session.session_settings_on_primary)) {
        return d;
    }
    if (!node.empty()) {
        d.target = Target::named_server;
        d.server = node;
        return d;
    }
    d.strategy = hinted.value_or(session.user_default.value_or(session.listener_default));
    d.by_strategy = true;
    d.target = d.strategy == config::RouteStrategy::direct ? Target::primary : Target::replica;
    return d;
}

}  // namespace sqlgate::proxy

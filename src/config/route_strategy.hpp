// The read-routing strategies of the Proxy pattern and their names, shared by the typed
// configuration and by the router so that both accept exactly the same names.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace sqlgate::config {

enum class RouteStrategy {
    direct,      // the primary
    random,      // a uniformly random usable replica
    customized,  // the usable replica with the lowest expected response time
};

constexpr std::array<std::string_view, 3> kRouteStrategyNames = {"direct", "random", "customized"};

constexpr std::string_view route_strategy_name(RouteStrategy s) {
    return kRouteStrategyNames[static_cast<std::size_t>(s)];
}

constexpr std::optional<RouteStrategy> parse_route_strategy(std::string_view name) {
    for (std::size_t i = 0; i < kRouteStrategyNames.size(); ++i) {
        if (kRouteStrategyNames[i] == name) return static_cast<RouteStrategy>(i);
    }
    return std::nullopt;
}

}  // namespace sqlgate::config

#include "proxy/replica_selector.hpp"

#include <limits>

namespace sqlgate::proxy {

bool usable_for_reads(const BackendState& b, const SelectionLimits& limits, bool primary_down,
                      Clock::time_point now) {
    if (b.is_primary || b.fenced || b.removed || !b.reachable(limits.failure_threshold)) {
        return false;
    }
    switch (b.replication) {
        case ReplicationLink::streaming:
            return !b.lag_held_back && b.replication_lag_s <= limits.max_replication_lag_s;
        case ReplicationLink::reconnecting: {
            if (primary_down) return b.replication_lag_s <= limits.max_replication_lag_s;
            const double cut_off_s =
                std::chrono::duration<double>(now - b.reconnecting_since).count();
            return b.replication_lag_s + cut_off_s <= limits.max_replication_lag_s;
        }
        case ReplicationLink::stopped:
            break;
    }
    return false;
}

double expected_response_ms(const BackendState& b, const SelectionLimits& limits,
                            Clock::time_point now) {
    const bool query_fresh =
        b.query_ms.has_value() && now - b.last_query_sample <= limits.query_sample_ttl;
    double base = 0;
    if (b.ping_ms.has_value() && query_fresh) {
        base = (b.ping_ms.value() + b.query_ms.value()) / 2;
    } else if (b.ping_ms.has_value()) {
        base = b.ping_ms.value();
    } else if (query_fresh) {
        base = b.query_ms.value();
    }
    return base * (1 + b.in_flight);
}

std::optional<std::size_t> select_replica(config::RouteStrategy strategy,
                                          std::span<const BackendState> backends,
                                          const SelectionLimits& limits, std::mt19937_64& rng,
                                          Clock::time_point now, BackendMask excluded) {
    using config::RouteStrategy;
    if (strategy == RouteStrategy::direct) return std::nullopt;
    std::optional<std::size_t> chosen;
    double best = std::numeric_limits<double>::infinity();
    std::size_t seen = 0;
    const bool primary_down = primary_known_down(backends, limits.failure_threshold);
    for (const BackendState& b : backends) {
        const bool skipped = b.index < kMaxBackends && (excluded >> b.index & 1) != 0;
        if (skipped || !usable_for_reads(b, limits, primary_down, now)) continue;
        ++seen;
        if (strategy == RouteStrategy::random) {
            // Reservoir sampling: each usable replica ends up chosen with probability 1/seen.
            if (std::uniform_int_distribution<std::size_t>(1, seen)(rng) == 1) chosen = b.index;
        } else {
            const double score = expected_response_ms(b, limits, now);
            if (score < best) {
                best = score;
                chosen = b.index;
            }
        }
    }
    return chosen;
}

}  // namespace sqlgate::proxy

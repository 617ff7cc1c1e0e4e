// Picking the replica for a read: candidates filtered by health, then a choice by the
// configured strategy. Pure functions over BackendState, so they are tested without sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <span>

#include "config/route_strategy.hpp"
#include "proxy/backend_state.hpp"

namespace sqlgate::proxy {

struct SelectionLimits {
    int failure_threshold = 3;
    double max_replication_lag_s = 30;
    // Query-latency samples older than this no longer count: a replica that got no traffic
    // for a while is judged by its pings alone, so it can win back reads when it recovers.
    Clock::duration query_sample_ttl = std::chrono::seconds(5);
};

// A replica that only reconnects to its primary serves reads while the primary is known
// down (it holds all it received, and nothing new is written); otherwise it falls behind
// from the moment it lost the primary, and serves reads only while its last lag plus that
// time stays within max_replication_lag_s.
bool usable_for_reads(const BackendState& b, const SelectionLimits& limits, bool primary_down,
                      Clock::time_point now);

// The expected response time of a statement on `b`, in milliseconds: the average of its
// ping and (recent) query latency averages, scaled by one plus its statements in flight.
double expected_response_ms(const BackendState& b, const SelectionLimits& limits,
                            Clock::time_point now);

// A set of backend indexes (the configuration allows at most kMaxBackends servers).
using BackendMask = std::uint64_t;
constexpr std::size_t kMaxBackends = 64;

// The index of the chosen replica, or nullopt when no replica is usable. Backends in
// `excluded` (already tried for this statement) are skipped.
std::optional<std::size_t> select_replica(config::RouteStrategy strategy,
                                          std::span<const BackendState> backends,
                                          const SelectionLimits& limits, std::mt19937_64& rng,
                                          Clock::time_point now, BackendMask excluded = 0);

}  // namespace sqlgate::proxy

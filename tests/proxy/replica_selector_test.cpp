#include "proxy/replica_selector.hpp"

#include <gtest/gtest.h>

#include <map>

namespace sqlgate::proxy {
namespace {

using config::RouteStrategy;

std::vector<BackendState> cluster(std::size_t replicas) {
    std::vector<BackendState> v(replicas + 1);
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i].index = i;
        v[i].name = i == 0 ? "primary" : "replica-" + std::to_string(i);
        v[i].is_primary = i == 0;
        v[i].ever_reached = true;
        v[i].ping_ms.add(1.0, 1.0);
    }
    return v;
}

class ReplicaSelector : public ::testing::Test {
  protected:
    std::mt19937_64 rng{42};
    SelectionLimits limits;
    Clock::time_point now = Clock::now();

    std::optional<std::size_t> pick(RouteStrategy s, const std::vector<BackendState>& b,
                                    BackendMask excluded = 0) {
        return select_replica(s, b, limits, rng, now, excluded);
    }
};

TEST_F(ReplicaSelector, RandomNeverPicksThePrimaryAndSpreads) {
    const auto b = cluster(3);
    std::map<std::size_t, int> seen;
    for (int i = 0; i < 3000; ++i)
        ++seen[*pick(RouteStrategy::random, b)];
    EXPECT_EQ(seen.count(0), 0u);
    ASSERT_EQ(seen.size(), 3u);
    for (const auto& [index, count] : seen)
        EXPECT_GT(count, 800) << index;
}

TEST_F(ReplicaSelector, DirectPicksNoReplica) {
    EXPECT_FALSE(pick(RouteStrategy::direct, cluster(3)));
}

TEST_F(ReplicaSelector, UnhealthyReplicasAreSkipped) {
    auto b = cluster(3);
    b[1].consecutive_failures = limits.failure_threshold;
    b[2].replication = ReplicationLink::stopped;
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(pick(RouteStrategy::random, b), 3u);
        EXPECT_EQ(pick(RouteStrategy::customized, b), 3u);
    }
    b[3].replication_lag_s = limits.max_replication_lag_s + 1;
    EXPECT_FALSE(pick(RouteStrategy::random, b));
    EXPECT_FALSE(pick(RouteStrategy::customized, b));
    // Within the limit again, but held back until it is well within (hysteresis).
    b[3].replication_lag_s = 0;
    b[3].lag_held_back = true;
    EXPECT_FALSE(pick(RouteStrategy::random, b));
}

// Every replica shows "Connecting" the moment its primary dies, before the monitor has
// counted the primary down: they serve reads meanwhile, for as long as they could be
// behind by no more than max_replication_lag_s, and without limit once the primary is
// known down (nothing new is written then).
TEST_F(ReplicaSelector, ReconnectingReplicasServeReadsWhileTheyCannotBeFarBehind) {
    auto b = cluster(2);
    b[1].replication = ReplicationLink::reconnecting;
    b[2].replication = ReplicationLink::reconnecting;
    b[1].reconnecting_since = b[2].reconnecting_since = now - std::chrono::seconds(1);
    EXPECT_TRUE(pick(RouteStrategy::random, b));
    b[1].reconnecting_since = b[2].reconnecting_since = now - std::chrono::seconds(31);
    EXPECT_FALSE(pick(RouteStrategy::random, b));
    EXPECT_FALSE(pick(RouteStrategy::customized, b));
    b[0].consecutive_failures = limits.failure_threshold;
    EXPECT_TRUE(pick(RouteStrategy::random, b));
    EXPECT_TRUE(pick(RouteStrategy::customized, b));
    b[2].replication = ReplicationLink::stopped;
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(pick(RouteStrategy::random, b), 1u);
}

TEST_F(ReplicaSelector, NeverReachedReplicaIsSkipped) {
    auto b = cluster(2);
    b[1].ever_reached = false;
    EXPECT_EQ(pick(RouteStrategy::random, b), 2u);
}

TEST_F(ReplicaSelector, ExcludedReplicasAreSkipped) {
    const auto b = cluster(3);
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(pick(RouteStrategy::random, b, 0b0110), 3u);
    EXPECT_EQ(pick(RouteStrategy::customized, b, 0b0110), 3u);
    EXPECT_FALSE(pick(RouteStrategy::random, b, 0b1110));
}

TEST_F(ReplicaSelector, CustomizedPicksLowestExpectedResponse) {
    auto b = cluster(3);
    b[1].ping_ms = {};
    b[1].ping_ms.add(20, 1);
    b[2].ping_ms = {};
    b[2].ping_ms.add(0.3, 1);
    b[3].ping_ms = {};
    b[3].ping_ms.add(0.5, 1);
    EXPECT_EQ(pick(RouteStrategy::customized, b), 2u);
}

TEST_F(ReplicaSelector, InFlightStatementsWeighTheScore) {
    auto b = cluster(2);
    b[1].in_flight = 3;  // 1 ms x 4
    b[2].ping_ms = {};
    b[2].ping_ms.add(2, 1);  // 2 ms x 1
    EXPECT_EQ(pick(RouteStrategy::customized, b), 2u);
}

TEST_F(ReplicaSelector, RecentQueryLatencyCountsStaleDoesNot) {
    auto b = cluster(2);
    b[1].query_ms.add(50, 1);
    b[1].last_query_sample = now;
    b[2].ping_ms = {};
    b[2].ping_ms.add(5, 1);
    EXPECT_EQ(pick(RouteStrategy::customized, b), 2u);  // (1 + 50) / 2 > 5
    b[1].last_query_sample = now - limits.query_sample_ttl - std::chrono::seconds(1);
    EXPECT_EQ(pick(RouteStrategy::customized, b), 1u);  // judged by its 1 ms pings alone
}

TEST(Ewma, FirstSampleThenWeighted) {
    Ewma e;
    EXPECT_FALSE(e.has_value());
    e.add(10, 0.5);
    EXPECT_DOUBLE_EQ(e.value(), 10);
    e.add(20, 0.5);
    EXPECT_DOUBLE_EQ(e.value(), 15);
}

}  // namespace
}  // namespace sqlgate::proxy

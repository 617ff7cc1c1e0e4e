// Sub-second replication lag on the real cluster: a replica that falls behind by more than
// max_replication_lag_ms (measured in time by GTID position and the heartbeat row, not
// Seconds_Behind_Master's whole seconds) gets no reads within one monitor interval more, gets
// them back once it has caught up, and does not flap in between.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "eventually.hpp"
#include "harness/proxy_process.hpp"

namespace sqlgate::testing {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

constexpr int kMaxLagMs = 500;
constexpr int kIntervalMs = 100;

// Reads by the random route every 5 ms, noting which server answered when, and (unless told
// not to) writes through the proxy every 20 ms, so replicas have something to fall behind on.
class LagLoad {
  public:
    explicit LagLoad(const ProxyProcess& proxy, bool writes = true) {
        auto setup = proxy.connect();
        for (const char* sql : {"CREATE DATABASE IF NOT EXISTS lag_db",
                                "CREATE TABLE IF NOT EXISTS lag_db.ticks (id INT AUTO_INCREMENT "
                                "PRIMARY KEY, n INT)"}) {
            EXPECT_TRUE(setup->query(sql).ok) << sql;
        }
        if (writes) {
            writer_ = std::thread([this, &proxy] {
                auto c = proxy.connect();
                for (int n = 0; !stop_ && c; ++n) {
                    const std::string sql =
                        "INSERT INTO lag_db.ticks (n) VALUES (" + std::to_string(n) + ")";
                    if (!c->query(sql).ok) ++failures_;
                    std::this_thread::sleep_for(20ms);
                }
            });
        }
        reader_ = std::thread([this, &proxy] {
            auto c = proxy.connect();
            while (!stop_ && c) {
                const int id = c->server_id("/* sqlgate:route=random */ ");
                if (id <= 0) ++failures_;
                {
                    const std::lock_guard lock(mutex_);
                    reads_.push_back({SteadyClock::now(), id});
                }
                std::this_thread::sleep_for(5ms);
            }
        });
    }
    ~LagLoad() { stop(); }

    void stop() {
        stop_ = true;
        if (writer_.joinable()) writer_.join();
        if (reader_.joinable()) reader_.join();
    }
    int failures() const { return failures_; }
    // The longest run of reads within [from, to) that other servers answered. Counted in
    // reads, not time, so a stall of the whole machine (a sanitizer build, a busy CI host)
    // is not taken for the replica leaving the reads.
    std::size_t longest_miss_run(int server_id, SteadyClock::time_point from,
                                 SteadyClock::time_point to) const {
        const std::lock_guard lock(mutex_);
        std::size_t run = 0;
        std::size_t longest = 0;
        for (const auto& [at, id] : reads_) {
            if (at < from || at >= to) continue;
            run = id == server_id ? 0 : run + 1;
            longest = std::max(longest, run);
        }
        return longest;
    }
    // When `server_id` answered a read within [from, to).
    std::vector<SteadyClock::time_point> reads_on(int server_id, SteadyClock::time_point from,
                                                  SteadyClock::time_point to) const {
        const std::lock_guard lock(mutex_);
        std::vector<SteadyClock::time_point> out;
        for (const auto& [at, id] : reads_)
            if (id == server_id && at >= from && at < to) out.push_back(at);
        return out;
    }

  private:
    struct Read {
        SteadyClock::time_point at;
        int server_id;
    };
    std::atomic<bool> stop_ = false;
    std::atomic<int> failures_ = 0;
    mutable std::mutex mutex_;
    std::vector<Read> reads_;
    std::thread writer_;
    std::thread reader_;
};

long long ms(SteadyClock::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

class ReplicationLag : public ::testing::Test {
  protected:
    const TestCluster& cluster = TestCluster::get();
    const ClusterNode& replica = cluster.nodes().at(1);
    // Started in SetUp, once the fixture is whole, so a derived fixture's scenario() counts.
    std::optional<ProxyProcess> proxy_;

    // The limit for the proxy, or (ReplicationLagOfAUser) for the app user only.
    virtual ProxyScenario scenario() const {
        return {.monitor_interval_ms = kIntervalMs, .max_replication_lag_ms = kMaxLagMs};
    }
    void SetUp() override { proxy_.emplace(scenario()); }
    ProxyProcess& proxy() { return *proxy_; }

    // Whatever a test did to the replica's replication is undone, for the tests after it.
    void TearDown() override {
        cluster.admin_sql(replica, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
    }
    // Under load, the replica one to two seconds behind (MASTER_DELAY = 2, threads running; the
    // delay counts from whole-second event times, so 1 would hover between 0 and 1 s) for 4 s, then
    // not: no reads from 1.5 s into the delay to its end, back within 1 s after.
    void delay_a_second_then_catch_up(bool application_writes = true) {
        proxy().wait_until_replicas_serve();
        LagLoad load(proxy(), application_writes);
        std::this_thread::sleep_for(500ms);
        cluster.admin_sql(replica, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 2; START SLAVE");
        const auto delayed = SteadyClock::now();
        std::this_thread::sleep_for(4s);
        const auto undelayed = SteadyClock::now();
        cluster.admin_sql(replica, "STOP SLAVE; CHANGE MASTER TO MASTER_DELAY = 0; START SLAVE");
        std::this_thread::sleep_for(4s);
        const auto end = SteadyClock::now();
        load.stop();
        EXPECT_EQ(load.failures(), 0);
        expect_out_then_back(load, delayed + 1500ms, undelayed, undelayed + 1s, end);
    }
    // No reads in [from, to), and reads again after `back_from`, never again missing 40 reads
    // in a row (with two replicas to choose from, 40 misses by chance is below 1e-12).
    void expect_out_then_back(const LagLoad& load, SteadyClock::time_point from,
                              SteadyClock::time_point to, SteadyClock::time_point back_from,
                              SteadyClock::time_point end) const {
        EXPECT_EQ(load.reads_on(replica.server_id, from, to).size(), 0u)
            << "reads on the lagging replica between " << ms(from - back_from) << " and "
            << ms(to - back_from) << " ms";
        const auto back = load.reads_on(replica.server_id, back_from, end);
        ASSERT_FALSE(back.empty()) << "no reads on the replica after it caught up";
        EXPECT_LT(ms(back.front() - back_from), 3000) << "it caught up late";
        EXPECT_LE(load.longest_miss_run(replica.server_id, back.front(), end), 40u)
            << "the replica flapped out of the reads";
    }
};

// The case: the SQL thread stopped for 2 s while writes go on.
TEST_F(ReplicationLag, AReplicaStoppedForTwoSecondsIsOutWithinTheLimitAndBackWithoutFlapping) {
    proxy().wait_until_replicas_serve();
    LagLoad load(proxy());
    std::this_thread::sleep_for(500ms);
    const auto stopped = SteadyClock::now();
    cluster.admin_sql(replica, "STOP SLAVE SQL_THREAD");
    std::this_thread::sleep_for(2s);
    const auto started = SteadyClock::now();
    cluster.admin_sql(replica, "START SLAVE SQL_THREAD");
    std::this_thread::sleep_for(3s);
    const auto end = SteadyClock::now();
    load.stop();
    EXPECT_EQ(load.failures(), 0);
    expect_out_then_back(load, stopped + std::chrono::milliseconds(kMaxLagMs + kIntervalMs),
                         started, started, end);
}

// Threads running, the replica one to two seconds behind (MASTER_DELAY): Seconds_Behind_Master
// reads 0 or 1 from one poll to the next; the delay by GTID position keeps it out the whole
// time, and lets it back once the delay is gone.
TEST_F(ReplicationLag, AReplicaASecondBehindWithItsThreadsRunningGetsNoReads) {
    delay_a_second_then_catch_up();
}

// The same limit set for the app user alone ([[users]] max_replication_lag_ms), the proxy's
// own left at its 30 s default.
class ReplicationLagOfAUser : public ReplicationLag {
  protected:
    ProxyScenario scenario() const override {
        return {.monitor_interval_ms = kIntervalMs, .user_max_replication_lag_ms = kMaxLagMs};
    }
};

TEST_F(ReplicationLagOfAUser, AUsersOwnLimitKeepsItsReadsOffALaggingReplica) {
    delay_a_second_then_catch_up();
}

// No application writes at all: a replica whose applier runs two seconds late holds every
// transaction there is, so by GTID position alone it is current. The monitor's heartbeat row
// (written on the primary every 100 ms) shows it is two seconds behind: whatever the
// application writes next reaches it that late.
class ReplicationLagByHeartbeat : public ReplicationLag {
  protected:
    ProxyScenario scenario() const override {
        return {.monitor_interval_ms = kIntervalMs,
                .max_replication_lag_ms = kMaxLagMs,
                .heartbeat_interval_ms = kIntervalMs};
    }
};

TEST_F(ReplicationLagByHeartbeat, AReplicaBehindWithNothingToApplyIsSeenByTheHeartbeat) {
    delay_a_second_then_catch_up(/*application_writes=*/false);
    // The beats are there on the primary and on the replica, in this proxy's row.
    const auto beats = [&](const ClusterNode& node) {
        const std::string max =
            cluster.admin_sql(node,
                              "SELECT COALESCE(MAX(beat), 0) FROM sqlgate.heartbeat WHERE "
                              "written_at > NOW(6) - INTERVAL 1 MINUTE");
        return std::strtoll(max.c_str(), nullptr, 10);
    };
    EXPECT_GT(beats(cluster.nodes().at(0)), 50);
    EXPECT_GT(beats(replica), 50);
}

}  // namespace
}  // namespace sqlgate::testing

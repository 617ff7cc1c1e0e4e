#include "gatekeeper/upstream_session_pool.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

namespace sqlgate::gatekeeper {
namespace {

using namespace std::chrono_literals;
using Clock = UpstreamSessionPool::Clock;

class UpstreamSessionPoolTest : public ::testing::Test {
  protected:
    std::unique_ptr<net::PacketChannel> session() {
        return std::make_unique<net::PacketChannel>(net::tcp::socket(io_));
    }
    boost::asio::io_context io_;
    Clock::time_point t0_ = Clock::now();
};

TEST_F(UpstreamSessionPoolTest, GivesBackTheSameSessionToTheSameUserOnly) {
    UpstreamSessionPool pool;
    auto s = session();
    const net::PacketChannel* parked = s.get();
    pool.give_back("alice", std::move(s), t0_);
    EXPECT_EQ(pool.take("bob", t0_), nullptr);
    auto again = pool.take("alice", t0_ + 1s);
    EXPECT_EQ(again.get(), parked);
    EXPECT_EQ(pool.take("alice", t0_ + 1s), nullptr);
}

TEST_F(UpstreamSessionPoolTest, TakesTheMostRecentlyParkedFirst) {
    UpstreamSessionPool pool;
    auto older = session();
    auto newer = session();
    const net::PacketChannel* newer_address = newer.get();
    pool.give_back("alice", std::move(older), t0_);
    pool.give_back("alice", std::move(newer), t0_ + 1s);
    EXPECT_EQ(pool.take("alice", t0_ + 2s).get(), newer_address);
    EXPECT_EQ(pool.idle_count("alice"), 1u);
}

TEST_F(UpstreamSessionPoolTest, ExpiredSessionsAreNotHandedOut) {
    UpstreamSessionPool pool({.idle_per_user = 4, .max_idle = 30s});
    pool.give_back("alice", session(), t0_);
    pool.give_back("alice", session(), t0_ + 20s);
    auto live = pool.take("alice", t0_ + 40s);  // the first is 40 s old, the second 20 s
    EXPECT_NE(live, nullptr);
    EXPECT_EQ(pool.take("alice", t0_ + 40s), nullptr);
    pool.give_back("alice", session(), t0_);
    EXPECT_EQ(pool.take("alice", t0_ + 31s), nullptr);
    EXPECT_EQ(pool.idle_count("alice"), 0u);
}

TEST_F(UpstreamSessionPoolTest, KeepsAtMostTheLimitPerUser) {
    UpstreamSessionPool pool({.idle_per_user = 2, .max_idle = 30s});
    for (int i = 0; i < 5; ++i)
        pool.give_back("alice", session(), t0_);
    pool.give_back("bob", session(), t0_);
    EXPECT_EQ(pool.idle_count("alice"), 2u);
    EXPECT_EQ(pool.idle_count("bob"), 1u);
    pool.give_back("alice", nullptr, t0_);
    EXPECT_EQ(pool.idle_count("alice"), 2u);
}

}  // namespace
}  // namespace sqlgate::gatekeeper

#include "front/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sqlgate::front {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const Clock::time_point kT0 = Clock::time_point{} + std::chrono::hours(1);

TEST(TokenBucket, StartsFullAndEmptiesAfterTheBurst) {
    TokenBucket bucket(10, 3);
    EXPECT_DOUBLE_EQ(bucket.available(kT0), 3);
    EXPECT_TRUE(bucket.full(kT0));
    EXPECT_TRUE(bucket.try_take(kT0));
    EXPECT_TRUE(bucket.try_take(kT0));
    EXPECT_TRUE(bucket.try_take(kT0));
    EXPECT_FALSE(bucket.try_take(kT0));
    EXPECT_DOUBLE_EQ(bucket.available(kT0), 0);
    EXPECT_FALSE(bucket.full(kT0));
}

TEST(TokenBucket, RefillsOverSimulatedTime) {
    TokenBucket bucket(10, 3);  // a token every 100 ms
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(bucket.try_take(kT0));
    EXPECT_EQ(bucket.time_until(kT0), milliseconds(100));
    EXPECT_FALSE(bucket.try_take(kT0 + milliseconds(99)));
    EXPECT_NEAR(bucket.available(kT0 + milliseconds(150)), 1.5, 1e-9);
    EXPECT_TRUE(bucket.try_take(kT0 + milliseconds(100)));
    EXPECT_FALSE(bucket.try_take(kT0 + milliseconds(100)));
    // Never more than the burst, however long it rests.
    EXPECT_DOUBLE_EQ(bucket.available(kT0 + seconds(60)), 3);
    EXPECT_TRUE(bucket.full(kT0 + milliseconds(400)));
    EXPECT_FALSE(bucket.full(kT0 + milliseconds(399)));
}

TEST(TokenBucket, WaitingExactlyTimeUntilIsEnough) {
    TokenBucket bucket(3, 3);  // 333.33... ms a token: not a whole number of ticks
    for (int i = 0; i < 3; ++i)
        ASSERT_TRUE(bucket.try_take(kT0));
    ASSERT_FALSE(bucket.try_take(kT0));
    Clock::time_point now = kT0;
    for (int i = 0; i < 30; ++i) {
        const Clock::duration wait = bucket.time_until(now);
        ASSERT_GT(wait, Clock::duration::zero());
        EXPECT_FALSE(bucket.try_take(now + wait - Clock::duration(1)));
        now += wait;
        EXPECT_TRUE(bucket.try_take(now));
    }
    // 30 tokens at 3 a second: about 10 s, never less than 9.99 s.
    EXPECT_GE(now - kT0, milliseconds(9990));
    EXPECT_LE(now - kT0, seconds(10));
}

TEST(TokenBucket, FractionalAndOversizedTakes) {
    TokenBucket bucket(1, 2);
    EXPECT_TRUE(bucket.try_take(kT0, 1.5));
    EXPECT_NEAR(bucket.available(kT0), 0.5, 1e-9);
    EXPECT_FALSE(bucket.try_take(kT0, 1));
    EXPECT_EQ(bucket.time_until(kT0, 1), milliseconds(500));
    EXPECT_EQ(bucket.time_until(kT0, 3), Clock::duration::max());
    EXPECT_FALSE(bucket.try_take(kT0 + seconds(10), 3));
}

TEST(TokenBucket, RejectsNonsense) {
    EXPECT_THROW(TokenBucket(0, 1), std::invalid_argument);
    EXPECT_THROW(TokenBucket(1, 0), std::invalid_argument);
    EXPECT_THROW(TokenBucket(-1, 1), std::invalid_argument);
    EXPECT_THROW(TokenBucket(1, std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(TokenBucket, VerySlowRateDoesNotOverflow) {
    TokenBucket bucket(1e-12, 1e6);
    EXPECT_TRUE(bucket.try_take(kT0));
    EXPECT_FALSE(bucket.try_take(kT0));
    EXPECT_GT(bucket.time_until(kT0), std::chrono::hours(24 * 365));
}

TEST(RateLimiter, UnlimitedByDefault) {
    RateLimiter limiter({}, {});
    for (int i = 0; i < 1000; ++i)
        ASSERT_TRUE(limiter.check("u", "1.2.3.4", kT0).allowed());
    EXPECT_EQ(limiter.tracked_users(), 0u);
    EXPECT_EQ(limiter.tracked_sources(), 0u);
}

TEST(RateLimiter, UserLimitIsPerUser) {
    RateLimiter limiter({.per_second = 1, .burst = 2}, {});
    EXPECT_TRUE(limiter.check("alice", "a", kT0).allowed());
    EXPECT_TRUE(limiter.check("alice", "b", kT0).allowed());
    const Decision refused = limiter.check("alice", "c", kT0);
    EXPECT_EQ(refused.hit, LimitHit::user);
    EXPECT_EQ(refused.retry_after, seconds(1));
    EXPECT_TRUE(limiter.check("bob", "a", kT0).allowed());
    EXPECT_TRUE(limiter.check("alice", "a", kT0 + seconds(1)).allowed());
}

TEST(RateLimiter, SourceLimitIsPerSource) {
    RateLimiter limiter({}, {.per_second = 2, .burst = 1});
    EXPECT_TRUE(limiter.check("alice", "10.0.0.1", kT0).allowed());
    const Decision refused = limiter.check("bob", "10.0.0.1", kT0);
    EXPECT_EQ(refused.hit, LimitHit::source);
    EXPECT_EQ(refused.retry_after, milliseconds(500));
    EXPECT_TRUE(limiter.check("bob", "10.0.0.2", kT0).allowed());
}

TEST(RateLimiter, RefusalByOneBucketLeavesTheOtherAlone) {
    RateLimiter limiter({.per_second = 1, .burst = 2}, {.per_second = 1, .burst = 1});
    EXPECT_TRUE(limiter.check("alice", "s1", kT0).allowed());
    // s1 is empty now; these refusals must not cost alice her second token.
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(limiter.check("alice", "s1", kT0).hit, LimitHit::source);
    EXPECT_TRUE(limiter.check("alice", "s2", kT0).allowed());
    EXPECT_EQ(limiter.check("alice", "s3", kT0).hit, LimitHit::user);
    // Nor may alice's refusal drain s3.
    EXPECT_TRUE(limiter.check("bob", "s3", kT0).allowed());
}

TEST(RateLimiter, BothEmptyNamesTheLongerWait) {
    RateLimiter limiter({.per_second = 1, .burst = 1}, {.per_second = 0.25, .burst = 1});
    EXPECT_TRUE(limiter.check("alice", "s", kT0).allowed());
    const Decision d = limiter.check("alice", "s", kT0);
    EXPECT_EQ(d.hit, LimitHit::source);
    EXPECT_EQ(d.retry_after, seconds(4));
    const Decision later = limiter.check("alice", "s", kT0 + seconds(3));
    EXPECT_EQ(later.hit, LimitHit::source);
    EXPECT_EQ(later.retry_after, seconds(1));
}

TEST(RateLimiter, RejectsBadLimits) {
    EXPECT_THROW(RateLimiter({.per_second = -1}, {}), std::invalid_argument);
    EXPECT_THROW(RateLimiter({}, {.per_second = 5, .burst = 0.5}), std::invalid_argument);
    EXPECT_NO_THROW(RateLimiter({.per_second = 0, .burst = 0}, {}));
}

TEST(RateLimiter, IdleFullBucketsAreEvicted) {
    RateLimiter limiter({}, {.per_second = 1, .burst = 2}, 100);
    for (int i = 0; i < 100; ++i)
        ASSERT_TRUE(limiter.check("u", "10.0.0." + std::to_string(i), kT0).allowed());
    EXPECT_EQ(limiter.tracked_sources(), 100u);
    // One second later every bucket is full again: the 101st key sweeps them all out.
    EXPECT_TRUE(limiter.check("u", "10.0.1.0", kT0 + seconds(1)).allowed());
    EXPECT_EQ(limiter.tracked_sources(), 1u);
}

TEST(RateLimiter, BusyBucketsStayBoundedAndTheMostIndebtedAreKept) {
    RateLimiter limiter({.per_second = 1, .burst = 2}, {}, 100);
    ASSERT_TRUE(limiter.check("hot", "s", kT0).allowed());
    ASSERT_TRUE(limiter.check("hot", "s", kT0).allowed());
    ASSERT_FALSE(limiter.check("hot", "s", kT0).allowed());
    for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(limiter.check("user" + std::to_string(i), "s", kT0).allowed());
        ASSERT_LE(limiter.tracked_users(), 100u);
    }
    // Each newcomer owes one token, "hot" owes two: it is never the one dropped.
    const Decision d = limiter.check("hot", "s", kT0);
    EXPECT_EQ(d.hit, LimitHit::user);
    EXPECT_EQ(d.retry_after, seconds(1));
}

TEST(ConnectionLimiter, SlotsCountAndReleaseOnDestruction) {
    ConnectionLimiter limiter({.max_total = 3, .max_per_source = 2});
    {
        std::optional<ConnectionSlot> a = limiter.try_acquire("10.0.0.1");
        std::optional<ConnectionSlot> b = limiter.try_acquire("10.0.0.1");
        ASSERT_TRUE(a && b);
        EXPECT_FALSE(limiter.try_acquire("10.0.0.1"));  // the source's maximum
        std::optional<ConnectionSlot> c = limiter.try_acquire("10.0.0.2");
        ASSERT_TRUE(c);
        EXPECT_FALSE(limiter.try_acquire("10.0.0.3"));  // the total
        EXPECT_EQ(limiter.total(), 3u);
        EXPECT_EQ(limiter.from_source("10.0.0.1"), 2u);
        EXPECT_EQ(c->source(), "10.0.0.2");
    }
    EXPECT_EQ(limiter.total(), 0u);
    EXPECT_EQ(limiter.from_source("10.0.0.1"), 0u);
    EXPECT_TRUE(limiter.try_acquire("10.0.0.3"));
}

// A front role's event-loop threads share one limiter: acquiring, binding and releasing from
// several threads at once never lets more in than the limits and ends with nothing counted.
TEST(ConnectionLimiter, ThreadsSharingItKeepTheLimitsAndTheCounts) {
    ConnectionLimiter limiter({.max_total = 50, .max_per_source = 30, .max_per_user = 20});
    // The most seen at once, by anyone.
    std::atomic<std::size_t> most_total{0};
    std::atomic<std::size_t> most_of_app{0};
    const auto note = [](std::atomic<std::size_t>& most, std::size_t seen) {
        for (std::size_t m = most; seen > m && !most.compare_exchange_weak(m, seen);) {
        }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::vector<std::optional<ConnectionSlot>> held;
            for (int round = 0; round < 5000; ++round) {
                held.push_back(limiter.try_acquire(t % 2 == 0 ? "10.0.0.1" : "10.0.0.2"));
                if (held.back()) held.back()->bind_user(t < 2 ? "app" : "reporter");
                note(most_total, limiter.total());
                note(most_of_app, limiter.of_user("app"));
                if (held.size() == 15) held.clear();
            }
        });
    }
    for (std::thread& t : threads)
        t.join();
    EXPECT_LE(most_total.load(), 50u);
    EXPECT_LE(most_of_app.load(), 20u);
    EXPECT_EQ(limiter.total(), 0u);
    EXPECT_EQ(limiter.from_source("10.0.0.1"), 0u);
    EXPECT_EQ(limiter.of_user("app"), 0u);
}

TEST(ConnectionLimiter, ZeroMeansUnlimited) {
    ConnectionLimiter limiter({});
    std::vector<ConnectionSlot> slots;
    for (int i = 0; i < 500; ++i) {
        std::optional<ConnectionSlot> slot = limiter.try_acquire("s");
        ASSERT_TRUE(slot);
        ASSERT_TRUE(slot->bind_user("u"));
        slots.push_back(std::move(*slot));
    }
    EXPECT_EQ(limiter.total(), 500u);
    EXPECT_EQ(limiter.of_user("u"), 500u);
    slots.clear();
    EXPECT_EQ(limiter.total(), 0u);
    EXPECT_EQ(limiter.of_user("u"), 0u);
}

TEST(ConnectionLimiter, UserMaximumIsCheckedAtBinding) {
    ConnectionLimiter limiter({.max_per_user = 1});
    std::optional<ConnectionSlot> first = limiter.try_acquire("a");
    std::optional<ConnectionSlot> second = limiter.try_acquire("b");
    ASSERT_TRUE(first && second);
    EXPECT_TRUE(first->bind_user("alice"));
    EXPECT_TRUE(first->bind_user("alice"));  // binding the same user again is no new count
    EXPECT_FALSE(second->bind_user("alice"));
    EXPECT_FALSE(second->user());
    EXPECT_TRUE(second->bind_user("bob"));
    EXPECT_EQ(limiter.of_user("alice"), 1u);
    // A refused change of user keeps the slot with its old one.
    EXPECT_FALSE(second->bind_user("alice"));
    EXPECT_EQ(second->user(), "bob");
    first.reset();
    EXPECT_EQ(limiter.of_user("alice"), 0u);
    EXPECT_TRUE(second->bind_user("alice"));  // moves the count from bob
    EXPECT_EQ(limiter.of_user("bob"), 0u);
    EXPECT_EQ(limiter.of_user("alice"), 1u);
}

TEST(ConnectionLimiter, MovingASlotMovesTheCount) {
    ConnectionLimiter limiter({.max_total = 1});
    std::optional<ConnectionSlot> acquired = limiter.try_acquire("s");
    ASSERT_TRUE(acquired);
    ASSERT_TRUE(acquired->bind_user("u"));
    ConnectionSlot moved = std::move(*acquired);
    acquired.reset();  // the moved-from slot gives nothing back
    EXPECT_EQ(limiter.total(), 1u);
    EXPECT_EQ(limiter.of_user("u"), 1u);
    EXPECT_FALSE(limiter.try_acquire("s"));

    // Assigning over a live slot releases what it held.
    ConnectionLimiter other({});
    std::optional<ConnectionSlot> elsewhere = other.try_acquire("t");
    ASSERT_TRUE(elsewhere);
    moved = std::move(*elsewhere);
    EXPECT_EQ(limiter.total(), 0u);
    EXPECT_EQ(limiter.of_user("u"), 0u);
    EXPECT_EQ(other.total(), 1u);
    EXPECT_EQ(moved.source(), "t");
    moved.release();
    moved.release();
    EXPECT_EQ(other.total(), 0u);
    EXPECT_FALSE(moved.bind_user("u"));
}

}  // namespace
}  // namespace sqlgate::front

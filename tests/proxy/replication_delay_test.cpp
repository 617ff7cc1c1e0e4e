#include "proxy/replication_delay.hpp"

#include <gtest/gtest.h>

namespace sqlgate::proxy {
namespace {

using namespace std::chrono_literals;

GtidPosition at(std::string_view text) {
    return *GtidPosition::parse(text);
}

TEST(PrimaryTimeline, DelayIsTheAgeOfTheOldestTransactionTheReplicaLacks) {
    PrimaryTimeline timeline;
    const Clock::time_point t0 = Clock::now();
    timeline.note(at("0-1-100"), t0);
    timeline.note(at("0-1-100"), t0 + 250ms);  // no write: nothing new to lack
    timeline.note(at("0-1-130"), t0 + 500ms);
    timeline.note(at("0-1-170"), t0 + 750ms);
    const Clock::time_point now = t0 + 1000ms;
    EXPECT_EQ(timeline.delay_of(at("0-1-170"), now), 0s);
    EXPECT_EQ(timeline.delay_of(at("0-1-180"), now), 0s);  // ahead of the last sample
    EXPECT_EQ(timeline.delay_of(at("0-1-150"), now), 250ms);
    EXPECT_EQ(timeline.delay_of(at("0-1-129"), now), 500ms);
    EXPECT_EQ(timeline.delay_of(at("0-1-99"), now), 1000ms);
    // A replica behind everything kept reads as at least the oldest's age.
    EXPECT_EQ(timeline.delay_of(at(""), now), 1000ms);
}

TEST(PrimaryTimeline, EveryDomainCounts) {
    PrimaryTimeline timeline;
    const Clock::time_point t0 = Clock::now();
    timeline.note(at("0-1-10,1-1-5"), t0);
    timeline.note(at("0-1-10,1-1-9"), t0 + 300ms);
    EXPECT_EQ(timeline.delay_of(at("0-1-10,1-1-9"), t0 + 400ms), 0ms);
    EXPECT_EQ(timeline.delay_of(at("0-1-99,1-1-5"), t0 + 400ms), 100ms);
    EXPECT_EQ(timeline.delay_of(at("0-1-99"), t0 + 400ms), 400ms);
}

TEST(PrimaryTimeline, NothingSeenIsNoDelay) {
    const PrimaryTimeline timeline;
    EXPECT_EQ(timeline.delay_of(at("0-1-1"), Clock::now()), 0s);
}

TEST(HeartbeatTimeline, AReplicaLacksTheBeatsAfterItsOwn) {
    HeartbeatTimeline timeline;
    const Clock::time_point t0 = Clock::now();
    for (std::uint64_t beat = 1; beat <= 4; ++beat) {
        timeline.note({beat}, t0 + beat * 100ms);
    }
    const Clock::time_point now = t0 + 450ms;
    EXPECT_EQ(timeline.delay_of({4}, now), 0ms);
    EXPECT_EQ(timeline.delay_of({3}, now), 50ms);
    EXPECT_EQ(timeline.delay_of({1}, now), 250ms);
    EXPECT_EQ(timeline.delay_of({0}, now), 350ms);  // no row yet: lacks the first beat
}

TEST(HeldBackForLag, HysteresisKeepsAReplicaNearTheLimitFromFlapping) {
    const double max = 0.5;
    bool held = false;
    held = held_back_for_lag(held, 0.4, max);
    EXPECT_FALSE(held);
    held = held_back_for_lag(held, 0.6, max);
    EXPECT_TRUE(held);
    held = held_back_for_lag(held, 0.45, max);  // back under the limit, not far enough
    EXPECT_TRUE(held);
    held = held_back_for_lag(held, 0.3, max);
    EXPECT_TRUE(held);
    held = held_back_for_lag(held, 0.25, max);
    EXPECT_FALSE(held);
    held = held_back_for_lag(held, 0.45, max);  // within the limit and not held: stays in
    EXPECT_FALSE(held);
}

}  // namespace
}  // namespace sqlgate::proxy

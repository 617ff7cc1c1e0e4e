// Counts added in the last minute, from samples taken about once a second.
#include "obs/count_history.hpp"

#include <gtest/gtest.h>

namespace sqlgate::obs {
namespace {

using namespace std::chrono_literals;
using History = CountHistory<2>;

TEST(CountHistory, WithoutSamplesEverythingCounts) {
    const History h;
    EXPECT_EQ(h.added_in_window(History::Clock::now(), {5, 7}), (History::Counts{5, 7}));
}

TEST(CountHistory, CountsSinceTheOldestSampleWhileUnderAMinuteIsKept) {
    History h;
    const auto t0 = History::Clock::now();
    h.sample(t0, {10, 1});
    h.sample(t0 + 1s, {12, 1});
    EXPECT_EQ(h.added_in_window(t0 + 2s, {15, 4}), (History::Counts{5, 3}));
}

TEST(CountHistory, CountsSinceTheSampleNearestAMinuteAgo) {
    History h;
    const auto t0 = History::Clock::now();
    for (std::uint64_t s = 0; s <= 120; ++s) {
        h.sample(t0 + std::chrono::seconds(s), {s * 10, s});
    }
    // At t0 + 120 s the sample a minute before was taken at t0 + 60 s: counts 600 and 60.
    EXPECT_EQ(h.added_in_window(t0 + 120s, {1200, 120}), (History::Counts{600, 60}));
}

TEST(CountHistory, SamplesUnderASecondApartAreOne) {
    History h;
    const auto t0 = History::Clock::now();
    h.sample(t0, {1, 0});
    h.sample(t0 + 300ms, {2, 0});  // ignored: the first is under a second old
    EXPECT_EQ(h.added_in_window(t0 + 500ms, {3, 0}), (History::Counts{2, 0}));
}

TEST(CountHistory, ACountThatWentBackwardsAddsNothing) {
    History h;
    const auto t0 = History::Clock::now();
    h.sample(t0, {9, 9});
    EXPECT_EQ(h.added_in_window(t0 + 1s, {4, 10}), (History::Counts{0, 1}));
}

}  // namespace
}  // namespace sqlgate::obs

// How a test waits for something another process or thread makes happen: it polls a
// condition that shows it happened, up to a deadline. A fixed sleep is too short on a loaded
// machine (a flaky failure) and too long everywhere else (a slow suite); a poll is neither,
// and a deadline miss says what did not happen. Header-only: unit and integration tests alike.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <string_view>
#include <thread>

namespace sqlgate::testing {

// Often enough that a test hardly waits longer than it must, seldom enough not to load the
// process it waits for.
inline constexpr std::chrono::milliseconds kPollInterval{20};

// Checks `condition` every kPollInterval until it holds (success) or `within` has passed, or
// `give_up` holds (e.g. the process that should make it true has exited): then a failure
// that names `what`, to be used as EXPECT_TRUE(eventually(...)) << more context.
inline ::testing::AssertionResult eventually(std::string_view what,
                                             std::chrono::steady_clock::duration within,
                                             const std::function<bool()>& condition,
                                             const std::function<bool()>& give_up = {}) {
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto deadline = start + within;
    for (;;) {
        if (condition()) return ::testing::AssertionSuccess();
        const auto now = Clock::now();
        const auto waited =
            std::chrono::duration_cast<std::chrono::milliseconds>(now - start).count();
        if (give_up && give_up()) {
            return ::testing::AssertionFailure()
                   << "gave up waiting after " << waited << " ms for: " << what;
        }
        if (now >= deadline) {
            return ::testing::AssertionFailure()
                   << "deadline of "
                   << std::chrono::duration_cast<std::chrono::milliseconds>(within).count()
                   << " ms passed waiting for: " << what;
        }
        std::this_thread::sleep_for(std::min<Clock::duration>(kPollInterval, deadline - now));
    }
}

}  // namespace sqlgate::testing

// The time-delay family: statements made to answer late.
#include "policy/time_delay.hpp"

#include <gtest/gtest.h>

#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::scan;

bool time_delay(std::string_view sql) {
    return scan(sql).time_delay.found;
}

TEST(TimeDelay, FindsDelayFunctions) {
    EXPECT_TRUE(time_delay("SELECT * FROM t WHERE id = 1 AND SLEEP(5)"));
    EXPECT_TRUE(time_delay("SELECT BENCHMARK(1000000, MD5('x'))"));
    EXPECT_TRUE(time_delay("SELECT pg_sleep (5)"));
    EXPECT_TRUE(time_delay("SELECT 1; WAITFOR DELAY '0:0:5'"));
}

TEST(TimeDelay, AcceptsNamesThatOnlyLookAlike) {
    EXPECT_FALSE(time_delay("SELECT sleep FROM t"));
    EXPECT_FALSE(time_delay("SELECT `sleep`(5)"));
    EXPECT_FALSE(time_delay("SELECT s.sleep(5)"));
    EXPECT_FALSE(time_delay("SELECT delay, time FROM t"));
}

}  // namespace
}  // namespace sqlgate::policy

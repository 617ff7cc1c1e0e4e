#include "sql/kill_statement.hpp"

#include <gtest/gtest.h>

namespace sqlgate::sql {
namespace {

TEST(KillStatement, Forms) {
    struct Case {
        std::string_view sql;
        bool query_only;
        std::uint64_t id;
    };
    for (const Case& c :
         {Case{"KILL 5", false, 5}, Case{"kill connection 12;", false, 12},
          Case{"KILL QUERY 7", true, 7}, Case{"KILL HARD QUERY ID 9", true, 9},
          Case{"/* x */ KILL SOFT CONNECTION 3 -- done", false, 3},
          Case{"KILL\n\tQUERY\n18446744073709551615", true, 18446744073709551615ull}}) {
        const auto k = parse_kill(c.sql);
        ASSERT_TRUE(k) << c.sql;
        EXPECT_EQ(k->query_only, c.query_only) << c.sql;
        EXPECT_EQ(k->id, c.id) << c.sql;
    }
}

TEST(KillStatement, NotUnderstood) {
    for (std::string_view sql :
         {"KILL USER app", "KILL @id", "KILL 5, 6", "KILL QUERY", "SELECT 1", "KILL 5; KILL 6",
          "KILL 1.5", "KILL 18446744073709551616", "KILL '5'", ""}) {
        EXPECT_FALSE(parse_kill(sql)) << sql;
    }
}

}  // namespace
}  // namespace sqlgate::sql

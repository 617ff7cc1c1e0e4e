// The tautology family: OR followed by a predicate that is always true, in a condition.
#include "policy/tautology.hpp"

#include <gtest/gtest.h>

#include "policy/constant_expression.hpp"
#include "policy/string_matching.hpp"
#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::scan;

bool tautology(std::string_view sql) {
    return scan(sql).tautology.found;
}

TEST(Tautology, FindsConstantTruePredicatesAfterOr) {
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR 1=1"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE name = '' OR 'a'='a'"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 || 2>1"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR x = x"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR (NOT 0)"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR 2-1=1"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR 'a' = BINARY 'a'"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR EXISTS(SELECT 1)"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR 1 IN (1, 2)"));
    EXPECT_TRUE(tautology("SELECT * FROM t WHERE id = 5 OR 'a' IS NOT NULL"));
}

TEST(Tautology, AcceptsPredicatesThatDependOnData) {
    EXPECT_FALSE(tautology("SELECT * FROM t WHERE id = 5 OR id = 6"));
    EXPECT_FALSE(tautology("SELECT * FROM t WHERE id = 5 OR 1=0"));
    EXPECT_FALSE(tautology("SELECT * FROM t WHERE id = 5 OR a = a + 1"));
    EXPECT_FALSE(tautology("SELECT * FROM t WHERE id = 5 OR NOT 1=1"));
    EXPECT_FALSE(tautology("SELECT * FROM t WHERE id = 5 OR NULL"));
    EXPECT_FALSE(tautology("SELECT * FROM t WHERE id = 5 OR 'a' = BINARY 'A'"));
}

TEST(Tautology, OnlyInConditions) {
    EXPECT_FALSE(tautology("SELECT 1 OR 1=1"));
    EXPECT_FALSE(tautology("UPDATE t SET flag = 1 OR 1=1"));
    EXPECT_TRUE(tautology("SELECT * FROM a JOIN b ON a.id = b.id OR 1=1"));
}

TEST(ConstantExpression, LikeMatchesWildcardsCaseInsensitively) {
    EXPECT_TRUE(detail::like_match("Admin", "a%"));
    EXPECT_TRUE(detail::like_match("abc", "a_c"));
    EXPECT_FALSE(detail::like_match("abc", "a_"));
    EXPECT_TRUE(detail::like_match("", "%"));
}

TEST(ConstantExpression, SoundsAlikeFollowsSoundex) {
    EXPECT_TRUE(detail::sounds_alike("Robert", "Rupert"));
    EXPECT_FALSE(detail::sounds_alike("Robert", "Rubin"));
}

}  // namespace
}  // namespace sqlgate::policy

#include "sql/keyword.hpp"

#include <gtest/gtest.h>

#include <string>

namespace sqlgate::sql {
namespace {

TEST(Keyword, LooksUpInAnyCase) {
    EXPECT_EQ(keyword_of("select"), Keyword::kSelect);
    EXPECT_EQ(keyword_of("SeLeCt"), Keyword::kSelect);
    EXPECT_EQ(keyword_of("LAST_INSERT_ID"), Keyword::kLastInsertId);
    EXPECT_EQ(keyword_of("wait_until_sql_thread_after_gtids"),
              Keyword::kWaitUntilSqlThreadAfterGtids);
}

TEST(Keyword, RejectsNonKeywords) {
    EXPECT_EQ(keyword_of(""), Keyword::kNone);
    EXPECT_EQ(keyword_of("selec"), Keyword::kNone);
    EXPECT_EQ(keyword_of("selects"), Keyword::kNone);
    EXPECT_EQ(keyword_of("my_last_insert_id_col"), Keyword::kNone);
    EXPECT_EQ(keyword_of(std::string(200, 'a')), Keyword::kNone);
}

TEST(Keyword, SpellingRoundTrips) {
    EXPECT_EQ(keyword_text(Keyword::kSelect), "SELECT");
    EXPECT_EQ(keyword_text(Keyword::kNone), "");
    EXPECT_EQ(keyword_of(keyword_text(Keyword::kXml)), Keyword::kXml);
    EXPECT_EQ(keyword_of(keyword_text(Keyword::kAggregate)), Keyword::kAggregate);
}

TEST(Keyword, PrimaryOnlyFunctions) {
    EXPECT_TRUE(is_primary_only_function(Keyword::kGetLock));
    EXPECT_TRUE(is_primary_only_function(Keyword::kNextval));
    // Answered where the previous statement ran, not necessarily on the primary.
    EXPECT_FALSE(is_primary_only_function(Keyword::kFoundRows));
    EXPECT_TRUE(has_all(traits_of(Keyword::kFoundRows), KeywordTrait::previous_statement));
    EXPECT_FALSE(is_primary_only_function(Keyword::kSelect));
    EXPECT_FALSE(is_primary_only_function(Keyword::kLoadFile));
    EXPECT_FALSE(is_primary_only_function(Keyword::kNone));
}

}  // namespace
}  // namespace sqlgate::sql

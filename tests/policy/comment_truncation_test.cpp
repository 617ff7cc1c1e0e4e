// The comment-truncation family: a comment hiding the rest of a statement an injection cut.
#include "policy/comment_truncation.hpp"

#include <gtest/gtest.h>

#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::scan;

bool truncated(std::string_view sql) {
    return scan(sql).comment_truncation.found;
}

TEST(CommentTruncation, FindsCommentsThatCutAStatementShort) {
    EXPECT_TRUE(truncated("SELECT * FROM u WHERE name = 'admin'-- ' AND pw = 'x'"));
    EXPECT_TRUE(truncated("SELECT * FROM u WHERE name = 'admin'#"));
    EXPECT_TRUE(truncated("SELECT * FROM u WHERE id = 1 /* AND owner_id = 42 */"));
    EXPECT_TRUE(truncated("SELECT * FROM u WHERE (id = 1) -- ) AND owner = 2"));
    EXPECT_TRUE(truncated("SELECT * FROM u WHERE id = 101 -- - AND customer_id = 2"));
}

TEST(CommentTruncation, AcceptsOrdinaryComments) {
    EXPECT_FALSE(truncated("/* report */ SELECT * FROM u WHERE id = 1"));
    EXPECT_FALSE(truncated("SELECT * FROM u /* sqlgate:route=random */ WHERE id = 1"));
    EXPECT_FALSE(truncated("SELECT * FROM u WHERE id = 1 -- and that is all"));
    EXPECT_FALSE(truncated("SELECT * FROM u WHERE id = 1 -- first user\n AND active = 1"));
    EXPECT_FALSE(truncated("SELECT 'a' /* note */, 2"));
}

}  // namespace
}  // namespace sqlgate::policy

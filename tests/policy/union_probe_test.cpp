// The union-probe family: UNION SELECT lists that probe columns or fingerprint the server,
// and ORDER BY positions past the select list.
#include "policy/union_probe.hpp"

#include <gtest/gtest.h>

#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::scan;

bool union_probe(std::string_view sql) {
    return scan(sql).union_probe.found;
}

TEST(UnionProbe, FindsProbingSelectLists) {
    EXPECT_TRUE(union_probe("SELECT a FROM t WHERE id = 1 UNION SELECT NULL, NULL"));
    EXPECT_TRUE(union_probe("SELECT a, b FROM t UNION ALL SELECT 1, 2, 3"));
    EXPECT_TRUE(union_probe("SELECT a FROM t UNION SELECT @@version"));
    EXPECT_TRUE(union_probe("SELECT a FROM t UNION SELECT version()"));
    EXPECT_TRUE(union_probe("SELECT a FROM t UNION DISTINCT SELECT CURRENT_USER"));
}

TEST(UnionProbe, AcceptsUnionsOfRealRows) {
    EXPECT_FALSE(union_probe("SELECT id, name FROM a UNION ALL SELECT 0, 'none'"));
    EXPECT_FALSE(union_probe("SELECT id FROM a UNION SELECT id FROM b"));
    EXPECT_FALSE(union_probe("SELECT 1 AS n UNION SELECT 1 AS n"));
}

TEST(UnionProbe, FindsOrderByPastTheSelectList) {
    EXPECT_TRUE(union_probe("SELECT a, b FROM t ORDER BY 3"));
    EXPECT_TRUE(union_probe("SELECT * FROM t ORDER BY 40"));
    EXPECT_FALSE(union_probe("SELECT a, b FROM t ORDER BY 2 DESC"));
    EXPECT_FALSE(union_probe("SELECT * FROM t ORDER BY 5"));
    EXPECT_FALSE(union_probe("SELECT a, b FROM t ORDER BY 3 + a"));
}

}  // namespace
}  // namespace sqlgate::policy

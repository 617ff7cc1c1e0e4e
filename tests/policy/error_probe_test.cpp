// The error-probe family: errors made to carry data in their message.
#include "policy/error_probe.hpp"

#include <gtest/gtest.h>

#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::scan;

bool error_probe(std::string_view sql) {
    return scan(sql).error_probe.found;
}

TEST(ErrorProbe, FindsXmlFunctionsMadeToFail) {
    EXPECT_TRUE(error_probe("SELECT EXTRACTVALUE(1, CONCAT(0x7e, (SELECT password FROM u)))"));
    EXPECT_TRUE(error_probe("SELECT UPDATEXML(1, CONCAT(0x7e, @@version), 1)"));
    EXPECT_TRUE(error_probe("SELECT EXTRACTVALUE(1, CONCAT(0x7e, user()))"));
}

TEST(ErrorProbe, AcceptsXmlFunctionsOnData) {
    EXPECT_FALSE(error_probe("SELECT EXTRACTVALUE(doc, '/a/b') FROM t"));
    EXPECT_FALSE(error_probe("SELECT EXTRACTVALUE(doc, '/a'), (SELECT 1) FROM t"));
}

TEST(ErrorProbe, FindsOverflowsAndDuplicateKeys) {
    EXPECT_TRUE(error_probe("SELECT EXP(~(SELECT * FROM (SELECT user()) x))"));
    EXPECT_TRUE(error_probe("SELECT COUNT(*) FROM t GROUP BY CONCAT(version(), FLOOR(RAND(0)*2))"));
    EXPECT_FALSE(error_probe("SELECT EXP(2) FROM t"));
    EXPECT_FALSE(error_probe("SELECT FLOOR(RAND()*10) FROM t"));
}

}  // namespace
}  // namespace sqlgate::policy

// The session-settings family: changes to sql_mode or the client character set that would
// change how the server splits text into tokens.
#include "policy/session_settings.hpp"

#include <gtest/gtest.h>

#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

using detail::SettingValue;
using testing::scan;

bool unsafe_setting(std::string_view sql) {
    return scan(sql).unsafe_session_setting.found;
}

TEST(SessionSettings, ClassifiesModeLists) {
    EXPECT_EQ(detail::classify_sql_modes("STRICT_TRANS_TABLES, NO_ZERO_DATE"), SettingValue::safe);
    EXPECT_EQ(detail::classify_sql_modes("TRADITIONAL,ansi_quotes"), SettingValue::unsafe);
    EXPECT_EQ(detail::classify_sql_modes("ORACLE"), SettingValue::unsafe);
    EXPECT_EQ(detail::classify_sql_modes("N\\O_BACKSLASH_ESCAPES"), SettingValue::unreadable);
    EXPECT_EQ(detail::classify_sql_modes("1ANSI"), SettingValue::unreadable);
}

TEST(SessionSettings, ClassifiesCharsets) {
    EXPECT_EQ(detail::classify_charset_name("utf8mb4_general_ci"), SettingValue::safe);
    EXPECT_EQ(detail::classify_charset_name("latin1"), SettingValue::safe);
    EXPECT_EQ(detail::classify_charset_name("gbk"), SettingValue::unsafe);
    EXPECT_EQ(detail::classify_charset_name("sjis_japanese_ci"), SettingValue::unsafe);
    EXPECT_EQ(detail::classify_charset_name(""), SettingValue::unreadable);
    EXPECT_EQ(detail::classify_charset_name("utf8 "), SettingValue::unreadable);
}

TEST(SessionSettings, RefusesLexingChanges) {
    EXPECT_TRUE(unsafe_setting("SET sql_mode = 'ANSI_QUOTES'"));
    EXPECT_TRUE(unsafe_setting("SET @@SESSION.sql_mode = CONCAT(@@sql_mode, ',ANSI')"));
    EXPECT_TRUE(unsafe_setting("SET autocommit = 1, sql_mode = @x"));
    EXPECT_TRUE(unsafe_setting("SET NAMES gbk"));
    EXPECT_TRUE(unsafe_setting("SET CHARACTER SET 'big5'"));
    EXPECT_TRUE(unsafe_setting("SET character_set_client = sjis"));
    EXPECT_TRUE(unsafe_setting("SET STATEMENT sql_mode = 'ANSI' FOR SELECT 1"));
    EXPECT_TRUE(unsafe_setting("BEGIN NOT ATOMIC SET sql_mode = 'ANSI'; END"));
}

TEST(SessionSettings, AcceptsReadableSafeValues) {
    EXPECT_FALSE(unsafe_setting("SET sql_mode = 'STRICT_TRANS_TABLES'"));
    EXPECT_FALSE(unsafe_setting("SET sql_mode = DEFAULT"));
    EXPECT_FALSE(
        unsafe_setting("SET SESSION sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')"));
    EXPECT_FALSE(unsafe_setting("SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci"));
    EXPECT_FALSE(unsafe_setting("SET autocommit = 0, time_zone = '+00:00'"));
    EXPECT_FALSE(unsafe_setting("SELECT @@sql_mode"));
    EXPECT_FALSE(unsafe_setting("UPDATE t SET sql_mode = 'ANSI'"));
}

}  // namespace
}  // namespace sqlgate::policy

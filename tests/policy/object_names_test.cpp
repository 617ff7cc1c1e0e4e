// The object-names family: schemas named outside the classifier's table list, the table a
// SHOW names, and account objects of CREATE / DROP / ALTER / RENAME.
#include "policy/object_names.hpp"

#include <gtest/gtest.h>

#include "scan_test_support.hpp"

namespace sqlgate::policy {
namespace {

UserPolicy shop_only() {
    UserPolicy p;
    p.allowed_schemas = {"shop"};
    return p;
}

detail::ScanResult scan(std::string_view sql) {
    return testing::scan(sql, shop_only());
}

TEST(ObjectNames, FindsSystemSchemas) {
    EXPECT_TRUE(
        scan("SELECT * FROM t WHERE x IN (SELECT user FROM mysql.user)").system_schema.found);
    EXPECT_TRUE(scan("SHOW TABLES FROM information_schema").system_schema.found);
    EXPECT_TRUE(scan("SELECT sys.f(1)").system_schema.found);
    EXPECT_FALSE(scan("SELECT sys.id FROM t AS sys").system_schema.found);
}

TEST(ObjectNames, FindsSchemasOutsideTheAllowList) {
    EXPECT_TRUE(scan("SHOW TABLES FROM other").schema_not_allowed.found);
    EXPECT_TRUE(scan("CREATE DATABASE IF NOT EXISTS other").schema_not_allowed.found);
    EXPECT_TRUE(scan("DROP VIEW other.v").schema_not_allowed.found);
    EXPECT_TRUE(scan("SELECT other.t.c FROM x").schema_not_allowed.found);
    EXPECT_FALSE(scan("SHOW TABLES FROM shop").schema_not_allowed.found);
    EXPECT_FALSE(scan("SELECT t.c FROM shop.t AS t").schema_not_allowed.found);
    EXPECT_FALSE(scan("ALTER DATABASE CHARACTER SET utf8mb4").schema_not_allowed.found);
}

TEST(ObjectNames, ReportsTheTableASHOWNames) {
    const detail::ScanResult columns = scan("SHOW COLUMNS FROM orders FROM shop");
    EXPECT_EQ(columns.shown_table, (sql::TableName{"shop", "orders"}));
    const detail::ScanResult create = scan("SHOW CREATE TABLE shop.`orders`");
    EXPECT_EQ(create.shown_table, (sql::TableName{"shop", "orders"}));
    EXPECT_TRUE(scan("SHOW TABLES").shown_table.name.empty());
}

TEST(ObjectNames, FindsAccountObjects) {
    EXPECT_TRUE(scan("CREATE USER bob IDENTIFIED BY 'x'").names_account_object);
    EXPECT_TRUE(scan("CREATE OR REPLACE ROLE r").names_account_object);
    EXPECT_TRUE(scan("DROP SERVER s").names_account_object);
    EXPECT_FALSE(scan("CREATE TABLE user (id INT)").names_account_object);
    EXPECT_FALSE(scan("SELECT user FROM t").names_account_object);
}

}  // namespace
}  // namespace sqlgate::policy

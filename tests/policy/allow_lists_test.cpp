// The allow-list rules: statement kinds, schemas and tables a user's grants admit.
#include "policy/allow_lists.hpp"

#include <gtest/gtest.h>

namespace sqlgate::policy {
namespace {

using namespace detail;

TEST(AllowLists, SystemSchemasInAnyCase) {
    EXPECT_TRUE(is_system_schema("mysql"));
    EXPECT_TRUE(is_system_schema("INFORMATION_SCHEMA"));
    EXPECT_TRUE(is_system_schema("Sys"));
    EXPECT_FALSE(is_system_schema("mysql2"));
}

TEST(AllowLists, SchemasAreMatchedExactlyOrByStar) {
    UserPolicy p;
    p.allowed_schemas = {"shop"};
    EXPECT_TRUE(schema_allowed(p, "shop"));
    EXPECT_FALSE(schema_allowed(p, "Shop"));
    EXPECT_FALSE(allows_any_schema(p));
    p.allowed_schemas = {"*"};
    EXPECT_TRUE(schema_allowed(p, "anything"));
    EXPECT_FALSE(schema_allowed(p, "mysql"));
    EXPECT_TRUE(allows_any_schema(p));
}

TEST(AllowLists, TablesQualifiedOrBare) {
    UserPolicy p;
    p.allowed_tables = {"shop.orders", "categories"};
    EXPECT_TRUE(table_allowed(p, "shop", "orders"));
    EXPECT_FALSE(table_allowed(p, "main_db", "orders"));
    EXPECT_TRUE(table_allowed(p, "main_db", "categories"));
    EXPECT_FALSE(table_allowed(p, "shop", "order"));
}

TEST(AllowLists, SessionKindsComeWithReadOrWrite) {
    EXPECT_TRUE(kind_allowed(KindSet{StatementKind::read}, StatementKind::session));
    EXPECT_TRUE(kind_allowed(KindSet{StatementKind::write}, StatementKind::transaction));
    EXPECT_FALSE(kind_allowed(KindSet{StatementKind::ddl}, StatementKind::session));
    EXPECT_FALSE(kind_allowed(KindSet{StatementKind::read}, StatementKind::write));
}

}  // namespace
}  // namespace sqlgate::policy

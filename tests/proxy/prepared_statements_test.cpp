#include "proxy/prepared_statements.hpp"

#include <gtest/gtest.h>

namespace sqlgate::proxy {
namespace {

TEST(PreparedStatements, AnEntryDescribesItsOwnCopyOfTheText) {
    PreparedStatements statements;
    std::string text = "/* sqlgate:route=customized */ SELECT a FROM t WHERE id = ?";
    statements.add(7, text, 1);
    text.assign(text.size(), 'x');  // the client's buffer is reused for the next command
    const PreparedStatement* s = statements.find(7);
    ASSERT_NE(s, nullptr);
    EXPECT_TRUE(s->info.is_replica_safe());
    EXPECT_EQ(s->info.route_hint, "customized");
    EXPECT_EQ(s->parameters, 1u);
    EXPECT_TRUE(s->types.empty());
    EXPECT_EQ(statements.find(8), nullptr);
}

TEST(PreparedStatements, AReusedIdReplacesTheEntry) {
    PreparedStatements statements;
    statements.add(3, "SELECT 1", 0);
    statements.add(3, "SELECT ? FOR UPDATE", 1);
    const PreparedStatement* s = statements.find(3);
    ASSERT_NE(s, nullptr);
    EXPECT_FALSE(s->info.is_replica_safe());
    statements.erase(3);
    EXPECT_EQ(statements.find(3), nullptr);
    EXPECT_TRUE(statements.empty());
}

TEST(PreparedStatements, TheLastTypesSentAreKept) {
    PreparedStatements statements;
    PreparedStatement& s = statements.add(1, "SELECT ?, ?", 2);
    const mysql::Bytes ints{0x08, 0x00, 0x08, 0x00};
    s.note_types(ints);
    EXPECT_EQ(s.types, ints);
    const mysql::Bytes strings{0xfe, 0x00, 0xfe, 0x00};
    s.note_types(strings);
    EXPECT_EQ(s.types, strings);
}

}  // namespace
}  // namespace sqlgate::proxy

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

// Whether any statement has a cursor open or long data waiting (what pins a session to the
// primary) follows every way a flag changes: set, cleared, the statement closed or replaced,
// the set cleared.
TEST(PreparedStatements, OpenCursorsAndPendingLongDataAreCountedThroughEveryChange) {
    PreparedStatements statements;
    PreparedStatement& a = statements.add(1, "SELECT 1", 0);
    PreparedStatement& b = statements.add(2, "SELECT 2", 0);
    EXPECT_FALSE(statements.has_open_cursor());
    statements.set_cursor_open(a, true);
    statements.set_cursor_open(a, true);  // again: still one
    statements.set_cursor_open(b, true);
    statements.set_cursor_open(a, false);
    EXPECT_TRUE(statements.has_open_cursor());  // b's
    EXPECT_TRUE(b.cursor_open());
    statements.erase(2);  // closing b ends its cursor
    EXPECT_FALSE(statements.has_open_cursor());

    statements.set_long_data_pending(a, true);
    EXPECT_TRUE(statements.has_long_data());
    statements.add(1, "SELECT 3", 0);  // the id reused: the old entry's data is gone
    EXPECT_FALSE(statements.has_long_data());

    PreparedStatement& c = statements.add(3, "SELECT 4", 0);
    statements.set_cursor_open(c, true);
    statements.set_long_data_pending(c, true);
    statements.clear();
    EXPECT_FALSE(statements.has_open_cursor());
    EXPECT_FALSE(statements.has_long_data());
    PreparedStatement& d = statements.add(4, "SELECT 5", 0);
    statements.set_long_data_pending(d, true);
    statements.set_long_data_pending(d, false);
    EXPECT_FALSE(statements.has_long_data());
}

}  // namespace
}  // namespace sqlgate::proxy

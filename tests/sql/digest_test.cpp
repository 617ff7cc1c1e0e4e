#include "sql/digest.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

namespace sqlgate::sql {
namespace {

struct DigestCase {
    std::string_view name;
    std::string_view sql;
    std::string_view text;
};

std::ostream& operator<<(std::ostream& os, const DigestCase& c) {
    return os << c.name;
}

class DigestTable : public testing::TestWithParam<DigestCase> {};

TEST_P(DigestTable, NormalizesText) {
    const DigestCase& c = GetParam();
    const StatementDigest d = digest(c.sql);
    EXPECT_EQ(d.text, c.text);
    EXPECT_FALSE(d.truncated);
    EXPECT_EQ(d.hash, fnv1a64(d.text));
}

const DigestCase kDigestCases[] = {
    {"keywords_upper_cased_names_kept", "select * from Users where id = 42",
     "SELECT * FROM Users WHERE id = ?"},
    {"whitespace_and_comments", "SELECT  a,b\n\tFROM t1 -- trailing\n WHERE name='x' AND n=1.5e3;",
     "SELECT a, b FROM t1 WHERE name = ? AND n = ?"},
    {"in_list", "select id from t where id in (1, 2, 3)", "SELECT id FROM t WHERE id IN (...)"},
    {"in_list_of_one", "select id from t where id IN ( 7 )", "SELECT id FROM t WHERE id IN (...)"},
    {"in_list_of_every_literal", "select 1 from t where x in (-1, +2, 'a', x'1f', 0b101, ?, 1e3)",
     "SELECT ? FROM t WHERE x IN (...)"},
    {"not_in_subquery", "select * from t where a not in (select b from u where c in (1,2))",
     "SELECT * FROM t WHERE a NOT IN (SELECT b FROM u WHERE c IN (...))"},
    {"in_list_with_expression_kept", "select 1 from t where x in (1, y + 2)",
     "SELECT ? FROM t WHERE x IN (?, y + ?)"},
    {"row_in_list", "SELECT 1 FROM t WHERE (a, b) IN ((1, 2), (3, 4), (5, 6))",
     "SELECT ? FROM t WHERE (a, b) IN ((...))"},
    {"multi_row_insert", "INSERT INTO `order items` (a, b) VALUES (1, 'x'), (2, 'y'),(3,'z')",
     "INSERT INTO `order items` (a, b) VALUES (...)"},
    {"single_column_rows", "insert into t(a) values (1),(2),(3)", "INSERT INTO t (a) VALUES (...)"},
    {"hints_and_route_comments_dropped",
     "/* sqlgate:route=random */ SELECT /*+ MAX_EXECUTION_TIME(10) */ name FROM db.t",
     "SELECT name FROM db.t"},
    {"signs_and_minus", "update t set x = x - 1, y = -5, z = (-2) where k = \"str\\\"ing\"",
     "UPDATE t SET x = x - ?, y = ?, z = (?) WHERE k = ?"},
    {"double_minus_is_not_a_comment", "select 1--1", "SELECT ? - ?"},
    {"functions_and_clauses",
     "select count(*) from t group by a having count(*) > 0x10 order by a desc limit 10 offset 5",
     "SELECT count (*) FROM t GROUP BY a HAVING count (*) > ? ORDER BY a DESC LIMIT ? OFFSET ?"},
    {"typed_list_collapses_too", "select cast(x as decimal(10, 2)) from t",
     "SELECT cast (x AS DECIMAL (...)) FROM t"},
    {"classifier_words_upper_cased", "start transaction", "START TRANSACTION"},
    {"commit", "commit work", "COMMIT WORK"},
    {"variables_and_qualified_reserved_names", "select @a := @@session.sql_mode, t.order from t",
     "SELECT @a := @@session.sql_mode, t.order FROM t"},
    {"executable_comment_is_code", "SELECT /*!40001 SQL_NO_CACHE */ * FROM t",
     "SELECT SQL_NO_CACHE * FROM t"},
    {"prefixed_strings", "SELECT N'abc', _utf8mb4'x', X'00', b'1'", "SELECT ?, _utf8mb4 ?, ?, ?"},
    {"statements_separated_trailing_dropped", "select 1; select 2;;", "SELECT ?; SELECT ?"},
    {"unterminated_string", "SELECT 'unterminated", "SELECT ?"},
    {"unterminated_comment", "select 1 /* open", "SELECT ? ?"},
    {"unterminated_in_list", "select * from t where a in (1, 2",
     "SELECT * FROM t WHERE a IN (?, ?"},
    {"control_byte", "SELECT 1 \x01", "SELECT ? ?"},
    {"only_comments", "-- nothing\n/* at all */", ""},
};

INSTANTIATE_TEST_SUITE_P(Statements, DigestTable, testing::ValuesIn(kDigestCases),
                         [](const testing::TestParamInfo<DigestCase>& info) {
                             return std::string(info.param.name);
                         });

TEST(Digest, SameShapeSameHash) {
    const StatementDigest a = digest("select * from t where id = 1");
    const StatementDigest b = digest("SELECT *\n  FROM t WHERE id=99 -- why\n");
    const StatementDigest c = digest("select * from t where id in (1, 2)");
    const StatementDigest d = digest("select * from T where id = 1");
    EXPECT_EQ(a.hash, b.hash);
    EXPECT_NE(a.hash, c.hash);
    EXPECT_NE(a.hash, d.hash);  // table names are case-sensitive on Linux
}

TEST(Digest, AnsiQuotesMakeDoubleQuotesNames) {
    EXPECT_EQ(digest("select \"col\" from t", LexerOptions{.ansi_quotes = true}).text,
              "SELECT \"col\" FROM t");
    EXPECT_EQ(digest("select \"col\" from t").text, "SELECT ? FROM t");
}

TEST(Digest, Fnv1a64KnownVectors) {
    EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
    EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
    EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
    EXPECT_EQ(fnv1a64("bar", fnv1a64("foo")), fnv1a64("foobar"));
}

TEST(Digest, HashHexIsSixteenLowercaseDigits) {
    EXPECT_EQ(hex64(0), "0000000000000000");
    EXPECT_EQ(hex64(0x85944171f73967e8ull), "85944171f73967e8");
    EXPECT_EQ(hex64(0xABCull), "0000000000000abc");
    StatementDigest d;
    d.hash = 0xaf63dc4c8601ec8cull;
    EXPECT_EQ(d.hash_hex(), "af63dc4c8601ec8c");
}

std::string long_select(int columns, std::string_view last) {
    std::string sql = "SELECT ";
    for (int i = 0; i < columns; ++i)
        sql += "column_" + std::to_string(i) + ", ";
    sql += last;
    sql += " FROM t";
    return sql;
}

TEST(Digest, LongTextIsCutButHashedWhole) {
    const StatementDigest a = digest(long_select(300, "tail_a"));
    const StatementDigest b = digest(long_select(300, "tail_b"));
    EXPECT_TRUE(a.truncated);
    EXPECT_EQ(a.text.size(), kDigestTextLimit);
    EXPECT_TRUE(a.text.starts_with("SELECT column_0, column_1, "));
    EXPECT_TRUE(a.text.ends_with("..."));
    EXPECT_EQ(a.text, b.text);
    EXPECT_NE(a.hash, b.hash);
    EXPECT_NE(a.hash, fnv1a64(a.text));
}

TEST(Digest, TextAtTheLimitIsNotCut) {
    const StatementDigest d = digest("select abc", {}, 10);
    EXPECT_EQ(d.text, "SELECT abc");
    EXPECT_FALSE(d.truncated);
    const StatementDigest cut = digest("select abcd", {}, 10);
    EXPECT_EQ(cut.text, "SELECT ...");
    EXPECT_TRUE(cut.truncated);
    EXPECT_EQ(cut.hash, fnv1a64("SELECT abcd"));
}

TEST(Digest, CutKeepsUtf8Whole) {
    // "SELECT ééé" has 13 bytes; a cut after 8 bytes would split the first two-byte é.
    const std::string_view sql = "select \xC3\xA9\xC3\xA9\xC3\xA9";
    EXPECT_EQ(digest(sql, {}, 11).text, "SELECT ...");
    EXPECT_EQ(digest(sql, {}, 12).text, "SELECT \xC3\xA9...");
    EXPECT_EQ(digest(sql, {}, 13).text, "SELECT \xC3\xA9\xC3\xA9\xC3\xA9");
}

TEST(Digest, AbridgedIsWhatTheLimitedDigestWouldHaveBeen) {
    const std::string sql = long_select(300, "tail_a");
    const StatementDigest whole = digest(sql, {}, kWholeDigestText);
    EXPECT_FALSE(whole.truncated);
    EXPECT_GT(whole.text.size(), kDigestTextLimit);
    EXPECT_EQ(whole.hash, fnv1a64(whole.text));
    const StatementDigest limited = digest(sql);
    const StatementDigest cut = abridged(whole);
    EXPECT_EQ(cut.text, limited.text);
    EXPECT_EQ(cut.hash, limited.hash);
    EXPECT_TRUE(cut.truncated);
    const std::string_view utf8 = "select \xC3\xA9\xC3\xA9\xC3\xA9";
    for (std::size_t limit : {0, 11, 12, 13, 40}) {
        EXPECT_EQ(abridged(digest(utf8, {}, kWholeDigestText), limit).text,
                  digest(utf8, {}, limit).text)
            << limit;
    }
}

TEST(Digest, TinyLimitStillHoldsTheEllipsis) {
    const StatementDigest d = digest("select 1", {}, 0);
    EXPECT_EQ(d.text, "...");
}

TEST(Digest, EveryPrefixIsSafeAndBounded) {
    const std::string_view sqls[] = {
        "SELECT 'a\\'b', `x``y`, \"q\" FROM t WHERE a IN (1, -2, 'x') /* c */ AND b = -- d\n 3",
        "INSERT INTO t VALUES (1, 'a'), (2, 'b') /*!50100 , (3, 'c') */; SELECT @@x.y, @'u v'",
        "select x'1f', 0b10, .5e-3, 1.e, ((((1)))), (-), (+ 'a'), in (), values (,)",
    };
    for (const std::string_view sql : sqls) {
        for (std::size_t n = 0; n <= sql.size(); ++n) {
            const StatementDigest d = digest(sql.substr(0, n), {}, 40);
            EXPECT_LE(d.text.size(), 40u) << sql.substr(0, n);
            if (!d.truncated) {
                EXPECT_EQ(d.hash, fnv1a64(d.text)) << sql.substr(0, n);
            }
        }
    }
}

}  // namespace
}  // namespace sqlgate::sql

#include "policy/statement_allowlist.hpp"

#include <gtest/gtest.h>

#include "sql/digest.hpp"

namespace sqlgate::policy {
namespace {

std::string shape_of(std::string_view sql) {
    return sql::digest(sql, {}, sql::kWholeDigestText).text;
}

TEST(StatementAllowlist, OneShapeCoversEveryValue) {
    StatementAllowlist list;
    EXPECT_TRUE(list.add("app", shape_of("SELECT name FROM t WHERE id = 1")));
    EXPECT_FALSE(list.add("app", shape_of("select name from t where id=42 -- note")));
    EXPECT_TRUE(list.add("app", shape_of("SELECT * FROM t WHERE id IN (1, 2, 3)")));
    EXPECT_EQ(list.size(), 2u);
    EXPECT_EQ(list.size("app"), 2u);
    EXPECT_TRUE(list.contains("app", shape_of("SELECT name FROM t WHERE id = -7")));
    EXPECT_TRUE(list.contains("app", shape_of("SELECT * FROM t WHERE id IN (9)")));
    // What an injection makes of the same request: other shapes.
    EXPECT_FALSE(list.contains("app", shape_of("SELECT name FROM t WHERE id = 1 AND 5=5")));
    EXPECT_FALSE(list.contains("app", shape_of("SELECT name FROM t WHERE id = 1 UNION ALL "
                                               "SELECT column1 FROM direct_table")));
    EXPECT_FALSE(list.contains("app", shape_of("SELECT name FROM t WHERE id = 2-1")));
    // Per user: another user's list does not count.
    EXPECT_FALSE(list.contains("reader", shape_of("SELECT name FROM t WHERE id = 1")));
    EXPECT_EQ(list.size("reader"), 0u);
}

TEST(StatementAllowlist, TextFormRoundTripsSortedAndEscaped) {
    StatementAllowlist list;
    list.add("zed", "SELECT ?");
    list.add("app", "SELECT `a\tb` FROM `x\ny\\z`");
    list.add("app", "DELETE FROM t WHERE id = ?");
    list.add("we\tird", "SELECT ?");
    const std::string text = list.to_text();
    EXPECT_TRUE(text.starts_with("# sqlgate statement allowlist"));
    const std::size_t del = text.find("app\t");
    ASSERT_NE(del, std::string::npos);
    EXPECT_EQ(text.substr(del, text.find('\n', del) - del + 1),
              allowlist_line("app", "DELETE FROM t WHERE id = ?"));
    EXPECT_NE(text.find("SELECT `a\\tb` FROM `x\\ny\\\\z`\n"), std::string::npos);
    EXPECT_LT(text.find("app\t"), text.find("we\\tird\t"));
    EXPECT_LT(text.find("we\\tird\t"), text.find("zed\t"));

    const ParsedAllowlist parsed = parse_allowlist(text);
    ASSERT_EQ(parsed.error, "");
    EXPECT_EQ(parsed.list.size(), 4u);
    EXPECT_TRUE(parsed.list.contains("app", "SELECT `a\tb` FROM `x\ny\\z`"));
    EXPECT_TRUE(parsed.list.contains("we\tird", "SELECT ?"));
    EXPECT_EQ(parsed.list.to_text(), text);
    EXPECT_EQ(parsed.list.to_text("zed"), list.to_text("zed"));
    EXPECT_EQ(parse_allowlist(list.to_text("zed")).list.size(), 1u);
}

TEST(StatementAllowlist, TheDigestColumnIsTheShapesOwn) {
    EXPECT_EQ(allowlist_line("app", "SELECT ?"),
              "app\t" + sql::hex64(sql::fnv1a64("SELECT ?")) + "\tSELECT ?\n");
    std::string line = allowlist_line("app", "SELECT ?");
    line.replace(line.find("SELECT ?"), 8, "SELECT 1");  // the shape edited, digest left
    const ParsedAllowlist parsed = parse_allowlist("# header\n\n" + line);
    EXPECT_TRUE(parsed.error.starts_with("line 3: digest ")) << parsed.error;
    EXPECT_NE(parsed.error.find("is not the shape's"), std::string::npos);
}

// Found by tests/fuzz/statement_allowlist_fuzz: the line of a user named "#ops" began with
// '#', so reading the file skipped it as a comment and the user lost every learned shape.
TEST(StatementAllowlist, AUserStartingWithHashIsNotReadAsAComment) {
    const std::string line = allowlist_line("#ops", "SELECT ?");
    EXPECT_TRUE(line.starts_with("\\#ops\t")) << line;
    const ParsedAllowlist parsed = parse_allowlist(line);
    EXPECT_EQ(parsed.error, "");
    EXPECT_TRUE(parsed.list.contains("#ops", "SELECT ?"));
    EXPECT_EQ(parse_allowlist(parsed.list.to_text()).list.size(), 1u);
    // Only the leading '#' is escaped; others read as they are.
    EXPECT_TRUE(
        parse_allowlist(allowlist_line("a#b", "SELECT `#`")).list.contains("a#b", "SELECT `#`"));
}

TEST(StatementAllowlist, BadLinesAreNamed) {
    EXPECT_EQ(parse_allowlist("app SELECT ?\n").error,
              "line 1: expected <user> TAB <digest> TAB <statement shape>");
    EXPECT_TRUE(parse_allowlist("\t0000000000000000\tSELECT ?")
                    .error.starts_with("line 1: the user is empty"));
    EXPECT_TRUE(
        parse_allowlist("app\tx\tSELECT \\q")
            .error.starts_with("line 1: the statement shape is empty or holds a stray backslash"));
    EXPECT_TRUE(parse_allowlist("app\tx\t").error.starts_with("line 1: the statement shape"));
    // CRLF files (edited on another system) read the same.
    const std::string line = allowlist_line("app", "SELECT ?");
    const std::string crlf = line.substr(0, line.size() - 1) + "\r\n";
    const ParsedAllowlist parsed = parse_allowlist(crlf);
    EXPECT_EQ(parsed.error, "");
    EXPECT_TRUE(parsed.list.contains("app", "SELECT ?"));
}

TEST(StatementAllowlist, MergeCountsWhatIsNew) {
    StatementAllowlist a;
    a.add("app", "SELECT ?");
    StatementAllowlist b;
    b.add("app", "SELECT ?");
    b.add("app", "UPDATE t SET a = ?");
    b.add("ops", "SELECT ?");
    StatementAllowlist only_app;
    EXPECT_EQ(only_app.merge(b, "app"), 2u);
    EXPECT_EQ(only_app.size("ops"), 0u);
    EXPECT_EQ(a.merge(b), 2u);
    EXPECT_EQ(a.size(), 3u);
    EXPECT_EQ(a.merge(b), 0u);
}

}  // namespace
}  // namespace sqlgate::policy

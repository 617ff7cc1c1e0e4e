#include "sql/lexer.hpp"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sqlgate::sql {
namespace {

using K = TokenKind;
using Expected = std::vector<std::pair<TokenKind, std::string_view>>;

std::vector<Token> lex_all(std::string_view sql, LexerOptions options = {}) {
    Lexer lexer(sql, options);
    std::vector<Token> tokens;
    for (Token t = lexer.next(); t.kind != K::end; t = lexer.next()) {
        tokens.push_back(t);
        if (tokens.size() > sql.size() + 1) break;  // a lexer that stops advancing
    }
    return tokens;
}

std::string describe_tokens(const std::vector<Token>& tokens) {
    std::string out;
    for (const Token& t : tokens) {
        out += std::to_string(static_cast<int>(t.kind)) + ":[" + std::string(t.text) + "] ";
    }
    return out;
}

struct LexCase {
    std::string_view name;
    std::string_view sql;
    Expected tokens;
};

std::ostream& operator<<(std::ostream& os, const LexCase& c) {
    return os << c.name;
}

class LexerTable : public testing::TestWithParam<LexCase> {};

TEST_P(LexerTable, ProducesExpectedTokens) {
    const LexCase& c = GetParam();
    const std::vector<Token> tokens = lex_all(c.sql);
    ASSERT_EQ(tokens.size(), c.tokens.size()) << describe_tokens(tokens);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        EXPECT_EQ(tokens[i].kind, c.tokens[i].first)
            << "token " << i << " " << describe_tokens(tokens);
        EXPECT_EQ(tokens[i].text, c.tokens[i].second) << "token " << i;
    }
}

const LexCase kLexCases[] = {
    {"simple_select",
     "SELECT a, b FROM t;",
     {{K::identifier, "SELECT"},
      {K::identifier, "a"},
      {K::comma, ","},
      {K::identifier, "b"},
      {K::identifier, "FROM"},
      {K::identifier, "t"},
      {K::semicolon, ";"}}},
    {"qualified_name",
     "db.t.c",
     {{K::identifier, "db"},
      {K::dot, "."},
      {K::identifier, "t"},
      {K::dot, "."},
      {K::identifier, "c"}}},
    {"backticks",
     "`a b`.`c``d`",
     {{K::quoted_identifier, "`a b`"}, {K::dot, "."}, {K::quoted_identifier, "`c``d`"}}},
    {"backtick_ignores_backslash",
     "`a\\` x",
     {{K::quoted_identifier, "`a\\`"}, {K::identifier, "x"}}},
    {"single_quoted_escapes",
     R"('it\'s' 'a''b' '\\')",
     {{K::string, R"('it\'s')"}, {K::string, "'a''b'"}, {K::string, R"('\\')"}}},
    {"double_quoted",
     R"("say \"hi\"" "x""y")",
     {{K::string, R"("say \"hi\"")"}, {K::string, R"("x""y")"}}},
    {"national_and_introducer",
     "N'abc' _utf8mb4'x'",
     {{K::string, "N'abc'"}, {K::identifier, "_utf8mb4"}, {K::string, "'x'"}}},
    {"integers_and_decimals",
     "1 23 4.5 .5 6. 1e10 2.5E-3 7e+2",
     {{K::number, "1"},
      {K::number, "23"},
      {K::number, "4.5"},
      {K::number, ".5"},
      {K::number, "6."},
      {K::number, "1e10"},
      {K::number, "2.5E-3"},
      {K::number, "7e+2"}}},
    {"hex_and_bit",
     "0x1F X'ab' x'' 0b101 B'10'",
     {{K::hex_literal, "0x1F"},
      {K::hex_literal, "X'ab'"},
      {K::hex_literal, "x''"},
      {K::bit_literal, "0b101"},
      {K::bit_literal, "B'10'"}}},
    {"digit_leading_identifiers",
     "2fa_codes 1e 0x1g 123abc",
     {{K::identifier, "2fa_codes"},
      {K::identifier, "1e"},
      {K::identifier, "0x1g"},
      {K::identifier, "123abc"}}},
    {"dot_after_name_is_not_decimal",
     "t.5 `q`.5",
     {{K::identifier, "t"},
      {K::dot, "."},
      {K::number, "5"},
      {K::quoted_identifier, "`q`"},
      {K::dot, "."},
      {K::number, "5"}}},
    {"dot_after_space_is_decimal",
     "SELECT .5, (.5)",
     {{K::identifier, "SELECT"},
      {K::number, ".5"},
      {K::comma, ","},
      {K::left_paren, "("},
      {K::number, ".5"},
      {K::right_paren, ")"}}},
    {"placeholders",
     "a = ? AND b IN (?, ?)",
     {{K::identifier, "a"},
      {K::symbol, "="},
      {K::placeholder, "?"},
      {K::identifier, "AND"},
      {K::identifier, "b"},
      {K::identifier, "IN"},
      {K::left_paren, "("},
      {K::placeholder, "?"},
      {K::comma, ","},
      {K::placeholder, "?"},
      {K::right_paren, ")"}}},
    {"user_variables",
     "@x @a.b$c @'q r' @`b` @\"d\"",
     {{K::user_variable, "@x"},
      {K::user_variable, "@a.b$c"},
      {K::user_variable, "@'q r'"},
      {K::user_variable, "@`b`"},
      {K::user_variable, "@\"d\""}}},
    {"system_variables",
     "@@server_id @@session.sql_mode @@GLOBAL.max_connections",
     {{K::system_variable, "@@server_id"},
      {K::system_variable, "@@session.sql_mode"},
      {K::system_variable, "@@GLOBAL.max_connections"}}},
    {"assignment", "@x:=1", {{K::user_variable, "@x"}, {K::symbol, ":="}, {K::number, "1"}}},
    {"multi_char_operators",
     "a<=>b<=c>=d<>e!=f&&g||h<<i>>j->k->>l",
     {{K::identifier, "a"}, {K::symbol, "<=>"}, {K::identifier, "b"}, {K::symbol, "<="},
      {K::identifier, "c"}, {K::symbol, ">="},  {K::identifier, "d"}, {K::symbol, "<>"},
      {K::identifier, "e"}, {K::symbol, "!="},  {K::identifier, "f"}, {K::symbol, "&&"},
      {K::identifier, "g"}, {K::symbol, "||"},  {K::identifier, "h"}, {K::symbol, "<<"},
      {K::identifier, "i"}, {K::symbol, ">>"},  {K::identifier, "j"}, {K::symbol, "->"},
      {K::identifier, "k"}, {K::symbol, "->>"}, {K::identifier, "l"}}},
    {"dash_dash_without_space_is_arithmetic",
     "1--1",
     {{K::number, "1"}, {K::symbol, "-"}, {K::symbol, "-"}, {K::number, "1"}}},
    {"dash_dash_space_comment",
     "1 -- x\n2",
     {{K::number, "1"}, {K::comment, "-- x"}, {K::number, "2"}}},
    {"dash_dash_tab_comment", "1 --\tx", {{K::number, "1"}, {K::comment, "--\tx"}}},
    {"dash_dash_at_end", "1 --", {{K::number, "1"}, {K::comment, "--"}}},
    {"hash_comment", "1 #x\n2", {{K::number, "1"}, {K::comment, "#x"}, {K::number, "2"}}},
    {"block_comment",
     "1 /* a * / b */ 2",
     {{K::number, "1"}, {K::comment, "/* a * / b */"}, {K::number, "2"}}},
    {"optimizer_hint_is_comment",
     "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1",
     {{K::identifier, "SELECT"}, {K::comment, "/*+ MAX_EXECUTION_TIME(1) */"}, {K::number, "1"}}},
    {"executable_comment_is_code",
     "SELECT /*! STRAIGHT_JOIN */ 1",
     {{K::identifier, "SELECT"}, {K::identifier, "STRAIGHT_JOIN"}, {K::number, "1"}}},
    {"versioned_executable_comment",
     "SELECT 1 /*!50000 FOR UPDATE */",
     {{K::identifier, "SELECT"},
      {K::number, "1"},
      {K::identifier, "FOR"},
      {K::identifier, "UPDATE"}}},
    {"mariadb_executable_comment",
     "/*M!100101 SELECT*/ 1",
     {{K::identifier, "SELECT"}, {K::number, "1"}}},
    {"mariadb_executable_no_version", "/*M! x */", {{K::identifier, "x"}}},
    {"executable_comment_with_short_number",
     "/*!12 x*/",
     {{K::number, "12"}, {K::identifier, "x"}}},
    {"comment_inside_executable_comment",
     "/*! a /* b */ c */ d",
     {{K::identifier, "a"}, {K::comment, "/* b */"}, {K::identifier, "c"}, {K::identifier, "d"}}},
    {"string_inside_executable_comment_keeps_star_slash", "/*! '*/' */", {{K::string, "'*/'"}}},
    {"star_slash_outside_comment_is_operators",
     "2 */ 3",
     {{K::number, "2"}, {K::symbol, "*"}, {K::symbol, "/"}, {K::number, "3"}}},
    {"unknown_bytes", "\\ \x01", {{K::unknown, "\\"}, {K::unknown, "\x01"}}},
    {"utf8_identifier",
     "SELECT caf\xc3\xa9",
     {{K::identifier, "SELECT"}, {K::identifier, "caf\xc3\xa9"}}},
    {"whitespace_only", " \t\r\n\f\v", {}},
    {"empty", "", {}},
};

INSTANTIATE_TEST_SUITE_P(Cases, LexerTable, testing::ValuesIn(kLexCases),
                         [](const testing::TestParamInfo<LexCase>& info) {
                             return std::string(info.param.name);
                         });

struct UnterminatedCase {
    std::string_view sql;
    std::string_view error_text;
};

class LexerUnterminated : public testing::TestWithParam<UnterminatedCase> {};

TEST_P(LexerUnterminated, ReportsAnErrorTokenAndFlag) {
    const UnterminatedCase& c = GetParam();
    Lexer lexer(c.sql);
    Token last;
    for (Token t = lexer.next(); t.kind != K::end; t = lexer.next())
        last = t;
    EXPECT_EQ(last.kind, K::error);
    EXPECT_EQ(last.text, c.error_text);
    EXPECT_TRUE(lexer.flags().unterminated);
    EXPECT_EQ(lexer.next().kind, K::end);
    EXPECT_EQ(lexer.next().kind, K::end);
}

INSTANTIATE_TEST_SUITE_P(Cases, LexerUnterminated,
                         testing::Values(UnterminatedCase{"SELECT 'abc", "'abc"},
                                         UnterminatedCase{"SELECT 'ab\\'", "'ab\\'"},
                                         UnterminatedCase{"SELECT 'a\\", "'a\\"},
                                         UnterminatedCase{"SELECT \"abc", "\"abc"},
                                         UnterminatedCase{"SELECT `abc", "`abc"},
                                         UnterminatedCase{"SELECT 1 /* abc", "/* abc"},
                                         UnterminatedCase{"SELECT 1 /*", "/*"},
                                         UnterminatedCase{"x'12", "x'12"},
                                         UnterminatedCase{"N'12", "N'12"},
                                         UnterminatedCase{"@'x", "@'x"}));

TEST(Lexer, UnterminatedExecutableCommentStillLexesItsContent) {
    Lexer lexer("SELECT 1 /*!50000 FOR UPDATE");
    std::vector<std::string_view> texts;
    for (Token t = lexer.next(); t.kind != K::end; t = lexer.next())
        texts.push_back(t.text);
    EXPECT_EQ(texts, (std::vector<std::string_view>{"SELECT", "1", "FOR", "UPDATE"}));
    EXPECT_TRUE(lexer.flags().unterminated);
    EXPECT_TRUE(lexer.flags().has_executable_comment);
}

TEST(Lexer, FlagsComments) {
    Lexer plain("SELECT 1 -- x");
    while (plain.next().kind != K::end) {
    }
    EXPECT_TRUE(plain.flags().has_comment);
    EXPECT_FALSE(plain.flags().has_executable_comment);
    EXPECT_FALSE(plain.flags().unterminated);

    Lexer executable("SELECT /*!40001 SQL_NO_CACHE */ 1");
    while (executable.next().kind != K::end) {
    }
    EXPECT_TRUE(executable.flags().has_executable_comment);
    EXPECT_TRUE(executable.flags().has_comment);
}

TEST(Lexer, VersionedCommentsCanBeReadAsComments) {
    const auto tokens = lex_all("SELECT /*!50000 1, */ /*! 2 */ /*M!100100 3 */",
                                LexerOptions{.versioned_comments_as_code = false});
    ASSERT_EQ(tokens.size(), 4u) << describe_tokens(tokens);
    EXPECT_EQ(tokens[1].kind, K::comment);
    EXPECT_EQ(tokens[1].text, "/*!50000 1, */");
    EXPECT_EQ(tokens[2].text, "2");  // unversioned: every server runs it
    EXPECT_EQ(tokens[3].text, "/*M!100100 3 */");

    Lexer lexer("/*!50000 x */");
    while (lexer.next().kind != K::end) {
    }
    EXPECT_TRUE(lexer.flags().has_versioned_comment);
}

TEST(Lexer, NoBackslashEscapesMode) {
    const auto tokens = lex_all(R"('a\' 'b')", LexerOptions{.backslash_escapes = false});
    ASSERT_EQ(tokens.size(), 2u) << describe_tokens(tokens);
    EXPECT_EQ(tokens[0].text, R"('a\')");
    EXPECT_EQ(tokens[1].text, "'b'");
}

TEST(Lexer, AnsiQuotesMakeDoubleQuotesIdentifiers) {
    const auto tokens = lex_all(R"("my\" x)", LexerOptions{.ansi_quotes = true});
    ASSERT_EQ(tokens.size(), 2u) << describe_tokens(tokens);
    EXPECT_EQ(tokens[0].kind, K::quoted_identifier);
    EXPECT_EQ(tokens[0].text, R"("my\")");
    EXPECT_EQ(tokens[1].kind, K::identifier);
}

TEST(Lexer, TokensAreViewsIntoTheInput) {
    const std::string sql = "SELECT `x` FROM t";
    Lexer lexer(sql);
    for (Token t = lexer.next(); t.kind != K::end; t = lexer.next()) {
        EXPECT_GE(t.text.data(), sql.data());
        EXPECT_LE(t.text.data() + t.text.size(), sql.data() + sql.size());
    }
}

TEST(Lexer, EmbeddedNulBytesDoNotStopOrCrash) {
    const std::string sql("SELECT '\0' \0 1", 14);
    const auto tokens = lex_all(sql);
    ASSERT_EQ(tokens.size(), 4u) << describe_tokens(tokens);
    EXPECT_EQ(tokens[1].kind, K::string);
    EXPECT_EQ(tokens[2].kind, K::unknown);
    EXPECT_EQ(tokens[3].text, "1");
}

// Every prefix of tricky inputs must lex to the end without reading past it; the
// sanitizer build turns any out-of-bounds read into a failure.
TEST(Lexer, EveryPrefixOfTrickyInputTerminates) {
    const std::string_view samples[] = {
        R"(SELECT 'a\'b' "c""d" `e``f` /*!50000 x /* y */ */ -- z)",
        "SELECT 0x1F x'a' b'1' N'n' @'u' @@global.v 1.5e-3 .5 ?;# c\n/*M!100101 q*/",
        "a<=>b->>c:=d /*+ h */ --",
    };
    for (const std::string_view sample : samples) {
        for (std::size_t n = 0; n <= sample.size(); ++n) {
            const std::string prefix(sample.substr(0, n));  // own buffer: exact bounds
            Lexer lexer(prefix);
            std::size_t count = 0;
            while (lexer.next().kind != K::end)
                ASSERT_LE(++count, prefix.size());
        }
    }
}

TEST(IdentifierValue, RemovesQuotesAndUndoublesThem) {
    EXPECT_EQ(identifier_value("`a``b`"), "a`b");
    EXPECT_EQ(identifier_value("plain"), "plain");
    EXPECT_EQ(identifier_value("\"x\"\"y\""), "x\"y");
    EXPECT_EQ(identifier_value("`unterminated"), "unterminated");
}

}  // namespace
}  // namespace sqlgate::sql

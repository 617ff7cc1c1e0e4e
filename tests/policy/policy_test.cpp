// Unit tests of the policy, rule by rule, and of the permissions model around them.
#include "policy/policy.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "policy_test_support.hpp"

// Counts heap allocations so a test can assert the accept path makes none. Every
// non-aligned form is replaced, so that no block crosses between this pair and the
// runtime's (sanitizers check that new and delete match).
namespace {
std::atomic<std::size_t> g_allocations{0};

void* counted_alloc(std::size_t size) noexcept {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}
}  // namespace

// The replaced global operators below pair malloc with free; GCC's inliner cannot see that
// and reports a mismatch at -O2.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
    if (void* p = counted_alloc(size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    if (void* p = counted_alloc(size)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
    return counted_alloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
    return counted_alloc(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
    std::free(p);
}

namespace sqlgate::policy {
namespace {

using testing::narrow;
using testing::reader;
using testing::writer;

Rule rule_of(std::string_view sql, const UserPolicy& policy, std::string_view schema = "main_db",
             sql::LexerOptions lexer = {}) {
    return check_statement(sql, policy, schema, lexer).rule;
}

// --- names and sets ---------------------------------------------------------------------

TEST(Names, RuleIdsAreDistinctAndStable) {
    std::set<std::string_view> ids;
    for (int i = 0; i <= static_cast<int>(Rule::encoded_payload); ++i) {
        EXPECT_TRUE(ids.insert(to_string(static_cast<Rule>(i))).second);
    }
    EXPECT_EQ(to_string(Rule::stacked_statements), "stacked_statements");
    EXPECT_EQ(to_string(Rule::tautology), "tautology");
    EXPECT_EQ(to_string(Rule::none), "none");
}

TEST(Names, StatementKindsRoundTrip) {
    for (int i = 0; i <= static_cast<int>(StatementKind::other); ++i) {
        const auto kind = static_cast<StatementKind>(i);
        EXPECT_EQ(parse_statement_kind(to_string(kind)), kind);
    }
    EXPECT_FALSE(parse_statement_kind("READ").has_value());
    EXPECT_FALSE(parse_statement_kind("").has_value());
}

TEST(KindSetTest, AddRemoveContains) {
    KindSet s;
    EXPECT_TRUE(s.empty());
    s.add(StatementKind::read).add(StatementKind::ddl);
    EXPECT_TRUE(s.contains(StatementKind::read));
    EXPECT_TRUE(s.contains(StatementKind::ddl));
    EXPECT_FALSE(s.contains(StatementKind::write));
    s.remove(StatementKind::read);
    EXPECT_FALSE(s.contains(StatementKind::read));
    EXPECT_EQ(s, KindSet{StatementKind::ddl});
}

// --- statement kinds --------------------------------------------------------------------

StatementKind kind(std::string_view sql) {
    return statement_kind(sql, sql::describe(sql, describe_options()));
}

TEST(StatementKindTest, MapsStatementsToPermissions) {
    using K = StatementKind;
    EXPECT_EQ(kind("SELECT * FROM t"), K::read);
    EXPECT_EQ(kind("SHOW TABLES"), K::read);
    EXPECT_EQ(kind("SELECT LAST_INSERT_ID()"), K::read);
    EXPECT_EQ(kind("SELECT a INTO @x FROM t"), K::read);
    EXPECT_EQ(kind("SELECT * FROM t FOR UPDATE"), K::write);
    EXPECT_EQ(kind("SELECT * FROM t LOCK IN SHARE MODE"), K::write);
    EXPECT_EQ(kind("INSERT INTO t VALUES (1)"), K::write);
    EXPECT_EQ(kind("CALL p()"), K::write);
    EXPECT_EQ(kind("CREATE TEMPORARY TABLE x (a INT)"), K::write);
    EXPECT_EQ(kind("DROP TEMPORARY TABLE x"), K::write);
    EXPECT_EQ(kind("LOCK TABLES t READ"), K::write);
    EXPECT_EQ(kind("CREATE TABLE x (a INT)"), K::ddl);
    EXPECT_EQ(kind("DROP TABLE x"), K::ddl);
    EXPECT_EQ(kind("TRUNCATE t"), K::ddl);
    EXPECT_EQ(kind("ALTER TABLE t ADD b INT"), K::ddl);
    EXPECT_EQ(kind("BEGIN"), K::transaction);
    EXPECT_EQ(kind("ROLLBACK TO SAVEPOINT a"), K::transaction);
    EXPECT_EQ(kind("USE main_db"), K::session);
    EXPECT_EQ(kind("SET NAMES utf8mb4"), K::session);
    EXPECT_EQ(kind("SET SESSION wait_timeout = 10"), K::session);
    EXPECT_EQ(kind("SET GLOBAL wait_timeout = 10"), K::admin);
    EXPECT_EQ(kind("SET PASSWORD = PASSWORD('x')"), K::admin);
    EXPECT_EQ(kind("GRANT SELECT ON db.* TO u"), K::admin);
    EXPECT_EQ(kind("CREATE USER u IDENTIFIED BY 'p'"), K::admin);
    EXPECT_EQ(kind("CREATE OR REPLACE USER u"), K::admin);
    EXPECT_EQ(kind("DROP ROLE r"), K::admin);
    EXPECT_EQ(kind("ALTER USER u ACCOUNT LOCK"), K::admin);
    EXPECT_EQ(kind("KILL 5"), K::admin);
    EXPECT_EQ(kind("FLUSH PRIVILEGES"), K::admin);
    EXPECT_EQ(kind("STOP SLAVE"), K::admin);
    EXPECT_EQ(kind("PREPARE s FROM @q"), K::other);
    EXPECT_EQ(kind("EXECUTE s"), K::other);
    EXPECT_EQ(kind("DO 1"), K::other);
    EXPECT_EQ(kind("FROBNICATE"), K::other);
}

TEST(StatementNotAllowed, TransactionAndSessionComeWithReadOrWrite) {
    UserPolicy p = reader();
    EXPECT_EQ(rule_of("COMMIT", p), Rule::none);
    EXPECT_EQ(rule_of("SET autocommit = 0", p), Rule::none);
    p.allowed_kinds = KindSet{StatementKind::write};
    EXPECT_EQ(rule_of("COMMIT", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT 1", p), Rule::statement_not_allowed);
    p.allowed_kinds = KindSet{};
    EXPECT_EQ(rule_of("SET NAMES utf8mb4", p), Rule::statement_not_allowed);
    p.allowed_kinds = KindSet{StatementKind::session};
    EXPECT_EQ(rule_of("SET NAMES utf8mb4", p), Rule::none);
}

TEST(StatementNotAllowed, WriteDoesNotGrantDdlOrAdmin) {
    const UserPolicy p = writer();
    EXPECT_EQ(rule_of("DELETE FROM users WHERE id = 1", p), Rule::none);
    EXPECT_EQ(rule_of("DROP TABLE users", p), Rule::statement_not_allowed);
    EXPECT_EQ(rule_of("GRANT ALL ON *.* TO eve", p), Rule::statement_not_allowed);
    UserPolicy ddl = writer();
    ddl.allowed_kinds.add(StatementKind::ddl);
    EXPECT_EQ(rule_of("DROP TABLE users", ddl), Rule::none);
    EXPECT_EQ(rule_of("DROP USER eve", ddl), Rule::statement_not_allowed);
}

TEST(StatementNotAllowed, MessageNamesRuleKindAndVerb) {
    const Verdict v = check_statement("DELETE FROM users", reader(), "main_db");
    EXPECT_FALSE(v);
    EXPECT_EQ(v.message,
              "statement_not_allowed: the user may not run write statements near `DELETE`");
}

// --- size, broken text, executable comments, stacked statements ------------------------

TEST(StatementTooLarge, LimitIsInclusive) {
    UserPolicy p = reader();
    p.max_statement_bytes = 10;
    EXPECT_EQ(rule_of("SELECT 123", p), Rule::none);  // exactly 10 bytes
    EXPECT_EQ(rule_of("SELECT 1234", p), Rule::statement_too_large);
    const std::string big(2u << 20, ' ');
    EXPECT_EQ(rule_of(big, reader()), Rule::statement_too_large);
}

TEST(Unterminated, StringsNamesAndComments) {
    EXPECT_EQ(rule_of("SELECT 'abc", reader()), Rule::unterminated);
    EXPECT_EQ(rule_of("SELECT `abc", reader()), Rule::unterminated);
    EXPECT_EQ(rule_of("SELECT 1 /* abc", reader()), Rule::unterminated);
    EXPECT_EQ(rule_of("SELECT \"abc", reader()), Rule::unterminated);
}

TEST(ExecutableComment, RejectedUnlessAllowedAndThenStillChecked) {
    UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT 1 /*!, 2 */", p), Rule::executable_comment);
    EXPECT_EQ(rule_of("SELECT 1 /*M!, 2 */", p), Rule::executable_comment);
    EXPECT_EQ(rule_of("SELECT 1 /* !, 2 */", p), Rule::none);  // an ordinary comment
    p.allow_executable_comments = true;
    EXPECT_EQ(rule_of("SELECT 1 /*!, 2 */", p), Rule::none);
    EXPECT_EQ(rule_of("/*!50000 DROP TABLE users */", p), Rule::statement_not_allowed);
    EXPECT_EQ(rule_of("SELECT * FROM users WHERE id = 1 /*!OR 1=1*/", p), Rule::tautology);
}

TEST(StackedStatements, OneStatementPerRequest) {
    EXPECT_EQ(rule_of("SELECT 1;", reader()), Rule::none);
    EXPECT_EQ(rule_of("SELECT 1; ;", reader()), Rule::none);
    EXPECT_EQ(rule_of("SELECT ';'", reader()), Rule::none);
    EXPECT_EQ(rule_of("SELECT 1; SELECT 2", reader()), Rule::stacked_statements);
    EXPECT_EQ(rule_of("SELECT 1;SELECT 2;", reader()), Rule::stacked_statements);
}

TEST(StackedStatements, WhenAllowedEachStatementIsChecked) {
    UserPolicy p = reader();
    p.allow_multiple_statements = true;
    EXPECT_EQ(rule_of("SELECT 1; SELECT 2", p), Rule::none);
    EXPECT_EQ(rule_of("SET NAMES utf8mb4; DELETE FROM users", p), Rule::statement_not_allowed);
    EXPECT_EQ(rule_of("SELECT 1; SELECT * FROM mysql.user", p), Rule::system_schema);
    EXPECT_EQ(rule_of("SELECT 1; SELECT * FROM t WHERE a = 1 OR 1=1", p), Rule::tautology);
    // A USE in the text resolves the later statements' unqualified tables.
    EXPECT_EQ(rule_of("USE shop; SELECT * FROM products", p, ""), Rule::none);
    UserPolicy w = writer();
    w.allow_multiple_statements = true;
    EXPECT_EQ(rule_of("BEGIN NOT ATOMIC DELETE FROM t; END", w), Rule::statement_not_allowed);
}

// --- files ------------------------------------------------------------------------------

TEST(Files, OutfileLoadFileLoadData) {
    EXPECT_EQ(rule_of("SELECT 1 INTO OUTFILE '/tmp/x'", reader()), Rule::into_outfile);
    EXPECT_EQ(rule_of("SELECT 1 INTO DUMPFILE '/tmp/x'", reader()), Rule::into_outfile);
    EXPECT_EQ(rule_of("SELECT load_file('/etc/passwd')", reader()), Rule::load_file);
    EXPECT_EQ(rule_of("LOAD DATA INFILE 'x' INTO TABLE t", writer()), Rule::load_data);
    EXPECT_EQ(rule_of("LOAD DATA LOCAL INFILE 'x' INTO TABLE t", writer()), Rule::load_data);
    // Named only in literals, or as columns: nothing happens to files.
    EXPECT_EQ(rule_of("SELECT 'INTO OUTFILE', 'LOAD_FILE(x)', `load_file` FROM t", reader()),
              Rule::none);
    EXPECT_EQ(rule_of("SELECT a INTO @outfile FROM t", reader()), Rule::none);
}

// --- session settings -------------------------------------------------------------------

TEST(UnsafeSessionSetting, SqlModesThatChangeLexing) {
    const UserPolicy p = reader();
    for (const char* sql : {
             "SET sql_mode = 'ANSI_QUOTES'",
             "SET sql_mode = 'ansi'",
             "SET sql_mode = 'ORACLE'",
             "SET sql_mode = 'STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES'",
             "SET @@sql_mode = 'NO_BACKSLASH_ESCAPES'",
             "SET @@local.sql_mode := 'MSSQL'",
             "SET SESSION sql_mode = @saved",
             "SET sql_mode = 4",
             "SET sql_mode = (SELECT v FROM settings)",
             "SET sql_mode = ?",
             "SET autocommit = 1, sql_mode = 'ANSI_QUOTES'",
             "SET STATEMENT sql_mode = 'NO_BACKSLASH_ESCAPES' FOR SELECT 1",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::unsafe_session_setting) << sql;
    }
    for (const char* sql : {
             "SET sql_mode = ''",
             "SET sql_mode = DEFAULT",
             "SET sql_mode = 'TRADITIONAL'",
             "SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', '')",
             "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ANSI_QUOTES_X'",
             "SET @sql_mode = 'ANSI_QUOTES'",  // a user variable: lexing does not change
             "SELECT @@sql_mode",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::none) << sql;
    }
}

TEST(UnsafeSessionSetting, ClientCharsetsThatHideQuotes) {
    const UserPolicy p = reader();
    for (const char* sql : {
             "SET NAMES gbk",
             "SET NAMES 'sjis'",
             "SET NAMES utf8mb4 COLLATE big5_chinese_ci",
             "SET CHARACTER SET cp932",
             "SET CHARSET gb18030",
             "SET character_set_client = 'GBK'",
             "SET @@session.character_set_client = @cs",
             "SET character_set_client = 28",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::unsafe_session_setting) << sql;
    }
    for (const char* sql : {
             "SET NAMES utf8mb4", "SET NAMES latin1", "SET NAMES DEFAULT",
             "SET CHARACTER SET utf8mb4", "SET character_set_client = utf8mb4",
             "SET character_set_results = gbk",  // output only
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::none) << sql;
    }
}

// --- schemas and tables -----------------------------------------------------------------

TEST(SystemSchema, AnySpellingAnyPosition) {
    const UserPolicy p = reader();
    for (const char* sql : {
             "SELECT * FROM mysql.user",
             "SELECT * FROM `MYSQL`.`user`",
             "SELECT * FROM mysql/**/.user",
             "SELECT mysql.user.authentication_string FROM t",
             "SELECT information_schema.tables.table_name FROM t",
             "SELECT * FROM t JOIN Performance_Schema.threads x ON 1",
             "SELECT * FROM sys.x$processlist",
             "SELECT sys.ps_thread_id(1)",
             "DESCRIBE mysql.user",
             "SHOW COLUMNS FROM user FROM mysql",
             "SHOW TABLES IN `information_schema`",
             "USE Performance_Schema",
             "USE sys",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::system_schema) << sql;
    }
    EXPECT_EQ(rule_of("SELECT * FROM user", p, "mysql"), Rule::system_schema);
    EXPECT_EQ(rule_of("INSERT INTO t SELECT * FROM mysql.db", writer()), Rule::system_schema);
    EXPECT_EQ(rule_of("SELECT 'mysql.user', `mysql_user` FROM t", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT sys.name FROM systems sys", p), Rule::none);
}

TEST(SystemSchema, AllowedWhenThePolicySaysSo) {
    UserPolicy p = reader();
    p.allow_system_schemas = true;
    EXPECT_EQ(rule_of("SELECT * FROM information_schema.tables", p), Rule::none);
    EXPECT_EQ(rule_of("USE mysql", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT sys.format_bytes(1)", p), Rule::none);
}

TEST(SchemaNotAllowed, QualifiedUseAndRoutines) {
    const UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT * FROM shop.products", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM hr.salaries", p), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("SELECT * FROM `hr`.salaries", p), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("UPDATE hr.salaries SET x = 1", writer()), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("SELECT hr.salaries.amount FROM t", p), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("SELECT hr.raise(5)", p), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("USE hr", p), Rule::schema_not_allowed);
    // Allow-lists match case-sensitively, as schema names are on a Linux server.
    EXPECT_EQ(rule_of("SELECT * FROM MAIN_DB.users", p), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("USE Main_Db", p), Rule::schema_not_allowed);
}

TEST(SchemaNotAllowed, UnqualifiedNamesResolveToTheCurrentOrDefaultSchema) {
    UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT * FROM users", p, "shop"), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM users", p, "hr"), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("SELECT * FROM users", p, ""), Rule::none);  // default_schema main_db
    p.default_schema.reset();
    EXPECT_EQ(rule_of("SELECT * FROM users", p, ""), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("SELECT 1", p, ""), Rule::none);
    p.allowed_schemas = {"*"};
    EXPECT_EQ(rule_of("SELECT * FROM users", p, ""), Rule::none);
}

TEST(SchemaNotAllowed, WildcardMeansAnyButSystem) {
    UserPolicy p = reader();
    p.allowed_schemas = {"*"};
    EXPECT_EQ(rule_of("SELECT * FROM anything.t", p), Rule::none);
    EXPECT_EQ(rule_of("USE whatever", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM mysql.user", p), Rule::system_schema);
    EXPECT_EQ(rule_of("USE information_schema", p), Rule::system_schema);
}

TEST(SchemaNotAllowed, EmptyListAllowsOnlyStatementsWithoutTables) {
    UserPolicy p;
    EXPECT_EQ(rule_of("SELECT @@server_id", p, ""), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM t", p, ""), Rule::schema_not_allowed);
    EXPECT_EQ(rule_of("SELECT * FROM t", p, "main_db"), Rule::schema_not_allowed);
}

TEST(TableNotAllowed, QualifiedAndBareEntries) {
    const UserPolicy p = narrow();  // main_db.products, categories (any allowed schema)
    EXPECT_EQ(rule_of("SELECT * FROM products", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM main_db.products", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM products", p, "shop"), Rule::table_not_allowed);
    EXPECT_EQ(rule_of("SELECT * FROM shop.categories", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM categories c JOIN users u ON u.id = c.owner", p),
              Rule::table_not_allowed);
    EXPECT_EQ(rule_of("SELECT * FROM products WHERE id IN (SELECT id FROM users)", p),
              Rule::table_not_allowed);
    EXPECT_EQ(rule_of("WITH users AS (SELECT 1) SELECT * FROM users", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM `products`", p), Rule::none);
}

// --- heuristics -------------------------------------------------------------------------

TEST(Tautology, OnlyInConditions) {
    const UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT a OR 1 FROM t", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT IF(a OR 1=1, 1, 0) FROM t", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a OR 1=1", p), Rule::tautology);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a IN (SELECT b FROM u) OR 1=1", p), Rule::tautology);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = (SELECT MAX(b) FROM u) OR 1=1", p),
              Rule::tautology);
}

TEST(Tautology, ConstantFalseAndDataDependentPass) {
    const UserPolicy p = reader();
    for (const char* sql : {
             "SELECT * FROM t WHERE a = 1 OR 1=2",
             "SELECT * FROM t WHERE a = 1 OR 0",
             "SELECT * FROM t WHERE a = 1 OR FALSE",
             "SELECT * FROM t WHERE a = 1 OR 'a'",  // 'a' is 0 as a number
             "SELECT * FROM t WHERE a = 1 OR NULL",
             "SELECT * FROM t WHERE a = 1 OR NULL = NULL",
             "SELECT * FROM t WHERE a = 1 OR x <> x",
             "SELECT * FROM t WHERE a = 1 OR x = y",
             "SELECT * FROM t WHERE a = 1 OR x = x + 1",
             "SELECT * FROM t WHERE a = 1 OR f(x) = f(x)",
             "SELECT * FROM t WHERE a = 1 OR 1 = x",
             "SELECT * FROM t WHERE a = 1 OR 'a' LIKE 'b%'",
             "SELECT * FROM t WHERE a = 1 OR 1 NOT IN (1, 2)",
             "SELECT * FROM t WHERE a = 1 OR 5 NOT BETWEEN 1 AND 10",
             "SELECT * FROM t WHERE a = 1 OR 1 IS NULL",
             "SELECT * FROM t WHERE a = 1 OR 1 IN (2, x)",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::none) << sql;
    }
    for (const char* sql : {
             "SELECT * FROM t WHERE a = 1 OR NULL <=> NULL",
             "SELECT * FROM t WHERE a = 1 OR 1 NOT LIKE 2",
             "SELECT * FROM t WHERE a = 1 OR 1 IS NOT NULL",
             "SELECT * FROM t WHERE a = 1 OR 1 IS TRUE",
             "SELECT * FROM t WHERE a = 1 OR 0 IS FALSE",
             "SELECT * FROM t WHERE a = 1 OR '1'",
             "SELECT * FROM t WHERE a = 1 OR 1.5 >= 1e0",
             "SELECT * FROM t WHERE a = 1 OR 'abc ' = 'ABC'",
             "SELECT * FROM t WHERE a = 1 OR t.x <=> t.x",
             "SELECT * FROM t WHERE a = 1 OR ((('a'='a')))",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::tautology) << sql;
    }
}

TEST(Tautology, MessageQuotesTheEvidence) {
    const Verdict v = check_statement("SELECT * FROM t WHERE a = 1 OR 1 = 1", reader(), "main_db");
    EXPECT_EQ(v.message, "tautology: a condition that is always true near `OR 1 = 1`");
    // Control bytes of the client's text never reach the message.
    const Verdict nl = check_statement("SELECT * FROM t WHERE a = 1 OR\n1=1", reader(), "main_db");
    EXPECT_EQ(nl.message.find('\n'), std::string::npos) << nl.message;
}

TEST(CommentTruncation, WhatCountsAndWhatDoesNot) {
    const UserPolicy p = reader();
    for (const char* sql : {
             "SELECT * FROM t WHERE a = 'x'-- '",
             "SELECT * FROM t WHERE a = 'x' #'",
             "SELECT * FROM t WHERE a = 'x' -- \"",
             "SELECT * FROM t WHERE a = 'x'--  ",
             "SELECT * FROM t WHERE a = 'x' /**/",
             "SELECT * FROM t WHERE a = 1 -- ) AND b = 2",
             "SELECT * FROM t WHERE a = 1 # and b = 2",
             "SELECT * FROM t WHERE a = 1 -- OR (b IS NULL)",
             "SELECT * FROM t WHERE a = 1 /* && b = 2 */",
             "SELECT * FROM t WHERE a = 1 -- = 2",
             "SELECT * FROM t WHERE a = 1 /* ' */ AND b = 2 -- '",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::comment_truncation) << sql;
    }
    for (const char* sql : {
             "-- leading\nSELECT 1",
             "/* sqlgate:route=random */ SELECT * FROM t WHERE a = 'x'",
             "SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t",
             "SELECT * FROM t WHERE a = 'x' /* ' */ AND b = 1",  // closed, mid-statement
             "SELECT * FROM t WHERE a = 1 -- and that is all\n",
             "SELECT * FROM t WHERE a = 'x' -- by name",
             "SELECT * FROM t WHERE a = 'x' -- 'quoted' twice",
             "SELECT * FROM t WHERE a = 1 -- 'quoted' note",
             "SELECT * FROM t WHERE a = 1 -- or whatever",
             "SELECT * FROM t -- it's fine",
             "SELECT * FROM t WHERE a = 1 -- AND b = 2\nAND c = 3",
             "SELECT 1 -- note",
             "SELECT 1 # note",
             "SELECT 1 /* note */",
             "SELECT 1 /* sqlgate:route=random */;",
         }) {
        EXPECT_EQ(rule_of(sql, p), Rule::none) << sql;
    }
}

TEST(UnionProbe, SelectListShapes) {
    const UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT a FROM t UNION SELECT NULL", p), Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a FROM t UNION ALL SELECT 1, 2", p), Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a FROM t UNION SELECT a FROM u UNION SELECT NULL", p),
              Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a FROM t UNION SELECT CONCAT(@@version_compile_os)", p),
              Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a FROM t WHERE a IN (SELECT 1 UNION SELECT NULL)", p),
              Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a FROM t UNION SELECT 1", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT a, b FROM t UNION SELECT 2, 1", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT a, b FROM t UNION SELECT NULL, b FROM u", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT a FROM t UNION SELECT version FROM releases", p), Rule::none);
}

TEST(UnionProbe, OrderByPositionsPastTheSelectList) {
    const UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT a, b FROM t ORDER BY 2", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT a, b FROM t ORDER BY 3", p), Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a, b FROM t ORDER BY 1, 3 DESC", p), Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a, b FROM t GROUP BY 3", p), Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a, f(b, c) FROM t ORDER BY 2", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM t ORDER BY 12", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM t ORDER BY 33", p), Rule::union_probe);
    EXPECT_EQ(rule_of("SELECT a FROM t ORDER BY 5 * a", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT a, ROW_NUMBER() OVER (ORDER BY 9) FROM t", p), Rule::none);
}

TEST(TimeDelay, FunctionsNotNames) {
    const UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT SLEEP(1)", p), Rule::time_delay);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE BENCHMARK(10, 1)", p), Rule::time_delay);
    EXPECT_EQ(rule_of("SELECT sleep, benchmark FROM t", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT `sleep`(1)", p), Rule::none);        // a quoted name is a column
    EXPECT_EQ(rule_of("SELECT main_db.sleep(1)", p), Rule::none);  // a stored function
    EXPECT_EQ(rule_of("SELECT 'SLEEP(5)'", p), Rule::none);
}

TEST(EncodedPayload, TextInHexOrCharCodesInConditions) {
    const UserPolicy p = reader();
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = 0x726f6f74", p), Rule::encoded_payload);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = CHAR(114, 111)", p), Rule::encoded_payload);
    EXPECT_EQ(rule_of("SELECT * FROM t HAVING a = UNHEX('726f6f74')", p), Rule::encoded_payload);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = 0x726f6f", p), Rule::none);  // three bytes
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = 0x00112233", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = CHAR(13, 10)", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = CHAR(65)", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT 0x726f6f74, CHAR(114, 111) FROM t", p), Rule::none);
    EXPECT_EQ(rule_of("INSERT INTO t VALUES (0x726f6f74)", writer()), Rule::none);
}

TEST(Heuristics, CanBeTurnedOffButHardRulesStay) {
    UserPolicy p = reader();
    p.injection_heuristics = false;
    EXPECT_EQ(rule_of("SELECT * FROM t WHERE a = 1 OR 1=1", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT SLEEP(1)", p), Rule::none);
    EXPECT_EQ(rule_of("SELECT 1; SELECT 2", p), Rule::stacked_statements);
    EXPECT_EQ(rule_of("SELECT * FROM mysql.user", p), Rule::system_schema);
}

// --- lexer options ----------------------------------------------------------------------

TEST(LexerOptions, MustMatchTheSession) {
    const UserPolicy p = reader();
    const std::string_view sql = "SELECT * FROM t WHERE a = 'x\\' OR 1=1 -- '";
    EXPECT_EQ(rule_of(sql, p), Rule::none);  // one string literal with an escaped quote
    sql::LexerOptions no_escapes;
    no_escapes.backslash_escapes = false;
    EXPECT_EQ(rule_of(sql, p, "main_db", no_escapes), Rule::tautology);

    sql::LexerOptions ansi;
    ansi.ansi_quotes = true;
    EXPECT_EQ(rule_of("SELECT * FROM \"mysql\".user", p, "main_db", ansi), Rule::system_schema);
}

// --- cost -------------------------------------------------------------------------------

TEST(Cost, AcceptPathDoesNotAllocate) {
    const UserPolicy p = reader();
    const std::string_view sql =
        "/* sqlgate:route=random */ SELECT u.name, COUNT(*) FROM users u JOIN orders o "
        "ON o.user_id = u.id WHERE u.status = 'a' OR u.status = 'b' GROUP BY u.name "
        "ORDER BY 2 DESC LIMIT 10 -- report";
    const auto info = sql::describe(sql, describe_options());
    const std::size_t before = g_allocations.load();
    const Verdict v = check_statement(sql, info, p, "main_db");
    const std::size_t after = g_allocations.load();
    EXPECT_TRUE(v.allowed) << v.message;
    EXPECT_EQ(after - before, 0u);
}

double seconds_to_check(std::string_view sql, const UserPolicy& p) {
    const auto start = std::chrono::steady_clock::now();
    (void)check_statement(sql, p, "main_db");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// `unit` repeated after `head` until the text is `bytes` long.
std::string repeated(std::string_view head, std::string_view unit, std::size_t bytes) {
    std::string s(head);
    while (s.size() < bytes)
        s += unit;
    return s;
}

// Hostile shapes must cost linear time: four times the text may take about four times as
// long, never sixteen. Ratios rather than absolute bounds, because this runs under
// sanitizers on a shared machine; the constant absorbs timer noise on small inputs.
TEST(Cost, HostileInputStaysLinear) {
    UserPolicy p = reader();
    p.allow_multiple_statements = true;
    const std::pair<std::string_view, std::string_view> shapes[] = {
        {"SELECT 1 ", "#\n"},
        {"SELECT 1 ", "-- x\n"},
        {"SELECT a FROM t", " UNION SELECT (a"},
        {"SELECT a FROM t WHERE a = 1", " OR (((1 IN (2, 3, 4, 5, 6"},
        {"SELECT a FROM t WHERE a = 1", " OR 'a' LIKE '%%%%%%%%%%%%%%%%b"},
        {"SET sql_mode = ''", ", sql_mode = CONCAT('', ''"},
        {"SELECT a FROM t WHERE a = CHAR(1", ", 1"},
        {"SELECT a FROM t ORDER BY 1", ", 1 /* x */"},
        {"", "SELECT 1;"},
    };
    constexpr std::size_t kSmall = 64 * 1024;
    for (const auto& [head, unit] : shapes) {
        const double small = seconds_to_check(repeated(head, unit, kSmall), p);
        const double large = seconds_to_check(repeated(head, unit, 4 * kSmall), p);
        EXPECT_LT(large, 8 * small + 0.2)
            << head << unit << ": " << small << " s, " << large << " s";
    }
}

}  // namespace
}  // namespace sqlgate::policy

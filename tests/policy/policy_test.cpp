// Unit tests of the policy, rule by rule, and of the permissions model around them.
#include "policy/policy.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
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

// Each statement must get `rule` (Rule::none: must pass); a failure names the statement.
void expect_rule(const UserPolicy& policy, Rule rule, std::initializer_list<const char*> sqls) {
    for (const char* sql : sqls) {
        EXPECT_EQ(rule_of(sql, policy), rule) << sql;
    }
}

// --- names and sets ---------------------------------------------------------------------

TEST(Names, RuleIdsAreDistinctAndStable) {
    std::set<std::string_view> ids;
    for (int i = 0; i <= static_cast<int>(Rule::not_in_allowlist); ++i) {
        EXPECT_TRUE(ids.insert(to_string(static_cast<Rule>(i))).second);
    }
    EXPECT_EQ(to_string(Rule::stacked_statements), "stacked_statements");
    EXPECT_EQ(to_string(Rule::tautology), "tautology");
    EXPECT_EQ(to_string(Rule::error_probe), "error_probe");
    EXPECT_EQ(to_string(Rule::not_in_allowlist), "not_in_allowlist");
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

// Found by tests/fuzz/sql_classifier_fuzz: a statement that runs another (ANALYZE, EXPLAIN
// ANALYZE, SET STATEMENT ... FOR) with nothing after it read as empty, and empty statements
// pass unchecked, so whatever followed its ';' passed too.
TEST(StackedStatements, AStatementWithoutItsInnerStatementIsNotEmpty) {
    EXPECT_EQ(rule_of("ANALYZE; DROP TABLE t", reader()), Rule::stacked_statements);
    EXPECT_EQ(rule_of("EXPLAIN ANALYZE; GRANT ALL ON *.* TO x", reader()),
              Rule::stacked_statements);
    EXPECT_EQ(rule_of("SET STATEMENT max_statement_time=1 FOR; DELETE FROM t", reader()),
              Rule::stacked_statements);
    EXPECT_NE(rule_of("ANALYZE", reader()), Rule::none);
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
    // A compound block's SET changes the session's lexing as a SET of its own would.
    w.allowed_kinds.add(StatementKind::other);
    expect_rule(w, Rule::unsafe_session_setting,
                {
                    "BEGIN NOT ATOMIC SET sql_mode = 'ANSI'; END",
                    "BEGIN NOT ATOMIC IF 1 THEN SET NAMES gbk; END IF; END",
                    "BEGIN NOT ATOMIC SELECT 1; SET character_set_client = big5; END",
                });
    EXPECT_EQ(rule_of("BEGIN NOT ATOMIC SET @x = 1; SELECT @x; END", w), Rule::none);
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
    expect_rule(p, Rule::unsafe_session_setting,
                {
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
                });
    expect_rule(p, Rule::none,
                {
                    "SET sql_mode = ''",
                    "SET sql_mode = DEFAULT",
                    "SET sql_mode = 'TRADITIONAL'",
                    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ANSI_QUOTES_X'",
                    "SET @sql_mode = 'ANSI_QUOTES'",  // a user variable: lexing does not change
                    "SELECT @@sql_mode",
                });
}

// Only one literal (or DEFAULT) whose modes the firewall can read passes: every computed
// value is refused, since what it computes is known only to the server.
TEST(UnsafeSessionSetting, SqlModeValueIsAnAllowList) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::unsafe_session_setting,
                {
                    // Each of these sets NO_BACKSLASH_ESCAPES on MariaDB 10.11.
                    "SET sql_mode = 'NO_BACKSLASH_' 'ESCAPES'",
                    "SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH', '_ESCAPES')",
                    "SET sql_mode = REPLACE('NO-BACKSLASH-ESCAPES', '-', '_')",
                    // Computed, or not one plain literal.
                    "SET sql_mode = REPLACE(@@sql_mode, 'ONLY_FULL_GROUP_BY', '')",
                    "SET sql_mode = 'N\\O_BACKSLASH_ESCAPES'",  // \O is O to the server
                    "SET sql_mode = _latin1'ANSI'",
                    "SET sql_mode = 0x414E5349",
                    "SET sql_mode = N'ANSI'",
                    "SET sql_mode = 'TRADITIONAL' COLLATE utf8mb4_bin",
                    "SET sql_mode = ('TRADITIONAL')",
                    "SET sql_mode = TRADITIONAL",
                    "SET sql_mode = CONCAT(@@global.sql_mode, ',STRICT_TRANS_TABLES')",
                    "SET sql_mode = CONCAT(@@sql_mode, ',ANSI')",
                    "SET sql_mode = 'STRICT_TRANS_TABLES,\nANSI_QUOTES'",
                    // Every spelling of the variable.
                    "SET SESSION sql_mode = 'ANSI'",
                    "SET LOCAL sql_mode = 'ansi_quotes'",
                    "SET @@session.sql_mode = 'DB2'",
                    "SET @@SESSION.SQL_MODE = 'MAXDB'",
                    "SET @@sql_mode := 'POSTGRESQL'",
                    "SET `sql_mode` = 'ANSI'",
                    "SET @@session.`sql_mode` = 'ANSI'",
                    "SET @@'sql_mode' = 'ANSI'",
                    "SET a = 1, sql_mode = 'NO_BACKSLASH_ESCAPES'",
                    "SET sql_mode = 'TRADITIONAL', @@sql_mode = 'ANSI'",
                    "SET STATEMENT sql_mode = 'ANSI' FOR SELECT 1",
                    "SET STATEMENT max_statement_time = 1, sql_mode = 'ANSI' FOR SELECT 1",
                    "SET STATEMENT max_statement_time = 1 FOR SET sql_mode = 'ANSI'",
                    "SET sql_mode /* x */ = /* y */ 'ANSI'",
                    "SET sql_mode",
                });
    expect_rule(
        writer(), Rule::none,
        {
            "SET sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE'",
            "SET sql_mode = ' STRICT_TRANS_TABLES , NO_ZERO_DATE ,'",
            "SET @@SESSION.sql_mode = 'NO_ENGINE_SUBSTITUTION', @@SESSION.wait_timeout = 100",
            "SET sql_mode := DEFAULT", "SET STATEMENT sql_mode = '' FOR SELECT 1",
            // Adding a mode to the current one, which was checked when it was set.
            "SET sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')",
            "SET SESSION sql_mode = CONCAT(@@session.sql_mode, 'STRICT_ALL_TABLES')",
            "SET @x = 'ANSI', @@sql_mode = DEFAULT",
            "UPDATE t SET sql_mode = 'ANSI'",  // a column
        });
}

TEST(UnsafeSessionSetting, CharsetValueIsAnAllowList) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::unsafe_session_setting,
                {
                    // Each of these sets gbk on MariaDB 10.11.
                    "SET character_set_client = 'g' 'bk'",
                    "SET character_set_client = CONCAT('g', 'bk')",
                    "SET NAMES 'g' 'bk'",
                    "SET NAMES big5",
                    "SET NAMES `cp932`",
                    "SET NAMES utf8mb4 COLLATE gbk_bin",
                    "SET NAMES utf8mb4 COLLATE 'sjis_japanese_ci'",
                    "SET NAMES ucs2",
                    "SET NAMES utf16",
                    "SET CHARSET 'gbk'",
                    "SET autocommit = 1, NAMES gbk",
                    "SET autocommit = 1, CHARACTER SET big5",
                    "SET SESSION character_set_client = gbk",
                    "SET @@character_set_client = sjis",
                    "SET @@session.character_set_connection = big5",
                    "SET character_set_connection = gbk",
                    "SET collation_connection = gbk_chinese_ci",
                    "SET @@SESSION.COLLATION_CONNECTION = 'big5_bin'",
                    "SET character_set_client = @@character_set_results",
                    "SET character_set_client = 'utf8mb4' 'x'",
                    "SET character_set_client = utf8mb4 COLLATE utf8mb4_bin",
                    "SET character_set_client = 'ut\\f8'",
                    "SET STATEMENT character_set_client = gbk FOR SELECT 1",
                });
    expect_rule(
        p, Rule::none,
        {
            "SET NAMES utf8", "SET NAMES utf8mb3",
            "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'",
            "SET NAMES utf8mb4 COLLATE utf8mb4_0900_ai_ci", "SET NAMES latin1 COLLATE DEFAULT",
            "SET NAMES binary", "SET NAMES `ascii`", "SET CHARSET DEFAULT",
            "SET CHARACTER SET 'cp1251'", "SET character_set_client = koi8r",
            "SET @@session.character_set_connection = 'euckr'",
            "SET collation_connection = utf8mb4_general_ci", "SET character_set_client = DEFAULT",
            "SET NAMES gb2312", "SET NAMES ujis",
            "SET character_set_client = latin1, character_set_results = latin1",
            "SET character_set_results = big5",  // output only
            "SET character_set_database = gbk",  // names no lexing setting
        });
}

TEST(UnsafeSessionSetting, ClientCollationIds) {
    // big5, sjis, gbk, cp932 and MySQL's gb18030.
    for (const int id : {1, 84, 13, 88, 28, 87, 95, 96, 248, 249, 250}) {
        EXPECT_FALSE(is_safe_client_collation(static_cast<std::uint8_t>(id))) << id;
    }
    // ucs2, utf16, utf16le and utf32, which cannot be client character sets.
    for (const int id :
         {35, 90, 128, 140, 151, 159, 54, 55, 101, 112, 124, 56, 62, 60, 61, 160, 171, 183}) {
        EXPECT_FALSE(is_safe_client_collation(static_cast<std::uint8_t>(id))) << id;
    }
    // latin1, utf8 and utf8mb4 collations, binary, ujis, euckr, gb2312, eucjpms, and ids
    // no collation has (the server uses its default for those).
    for (const int id : {8,  5,  47, 33, 83, 192, 223, 45,  46,  224, 247, 255,
                         63, 11, 12, 19, 24, 97,  0,   100, 125, 152, 184, 251}) {
        EXPECT_TRUE(is_safe_client_collation(static_cast<std::uint8_t>(id))) << id;
    }
}

TEST(UnsafeSessionSetting, ClientCharsetsThatHideQuotes) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::unsafe_session_setting,
                {
                    "SET NAMES gbk",
                    "SET NAMES 'sjis'",
                    "SET NAMES utf8mb4 COLLATE big5_chinese_ci",
                    "SET CHARACTER SET cp932",
                    "SET CHARSET gb18030",
                    "SET character_set_client = 'GBK'",
                    "SET @@session.character_set_client = @cs",
                    "SET character_set_client = 28",
                });
    expect_rule(p, Rule::none,
                {
                    "SET NAMES utf8mb4", "SET NAMES latin1", "SET NAMES DEFAULT",
                    "SET CHARACTER SET utf8mb4", "SET character_set_client = utf8mb4",
                    "SET character_set_results = gbk",  // output only
                });
}

// --- schemas and tables -----------------------------------------------------------------

TEST(SystemSchema, AnySpellingAnyPosition) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::system_schema,
                {
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
                });
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

// A schema named without a dot, which no table list holds.
TEST(SchemaNotAllowed, DatabaseDdl) {
    UserPolicy p = writer();
    p.allowed_kinds.add(StatementKind::ddl);
    expect_rule(p, Rule::schema_not_allowed,
                {
                    "DROP DATABASE billing",
                    "DROP SCHEMA IF EXISTS billing",
                    "CREATE DATABASE x",
                    "CREATE SCHEMA `x`",
                    "CREATE OR REPLACE DATABASE billing",
                    "CREATE DATABASE IF NOT EXISTS billing CHARACTER SET utf8mb4",
                    "ALTER DATABASE billing CHARACTER SET utf8mb4",
                    "ALTER SCHEMA billing DEFAULT COLLATE utf8mb4_bin",
                    "DROP DATABASE Main_Db",
                });
    EXPECT_EQ(rule_of("DROP DATABASE mysql", p), Rule::system_schema);
    EXPECT_EQ(rule_of("CREATE SCHEMA IF NOT EXISTS `sys`", p), Rule::system_schema);
    expect_rule(p, Rule::none,
                {
                    "CREATE DATABASE IF NOT EXISTS main_db",
                    "CREATE SCHEMA shop CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
                    "DROP DATABASE IF EXISTS `shop`",
                    "ALTER DATABASE main_db DEFAULT CHARACTER SET utf8mb4",
                    "ALTER DATABASE CHARACTER SET utf8mb4",  // the current schema
                });
}

// Objects of other kinds than tables, named with a schema the table list does not see.
TEST(SchemaNotAllowed, DdlObjectsInOtherSchemas) {
    UserPolicy p = writer();
    p.allowed_kinds.add(StatementKind::ddl);
    expect_rule(p, Rule::schema_not_allowed,
                {
                    "CREATE VIEW billing.v AS SELECT 1",
                    "DROP VIEW IF EXISTS main_db.v, billing.v",
                    "DROP INDEX i ON billing.t",
                    "DROP TRIGGER billing.tr",
                    "DROP PROCEDURE billing.p",
                    "DROP FUNCTION IF EXISTS billing.f",
                    "CREATE SEQUENCE billing.s",
                    "RENAME TABLE main_db.t TO billing.t",
                    "ALTER TABLE main_db.t RENAME TO billing.t",
                    "ALTER TABLE t RENAME billing.t",
                    "CREATE TABLE t2 LIKE billing.t",
                });
    expect_rule(
        p, Rule::none,
        {
            "CREATE VIEW v AS SELECT a.x, b.y FROM t a JOIN u b ON a.id = b.id",
            "CREATE OR REPLACE VIEW main_db.v AS SELECT t.a, u.b FROM t, u WHERE t.id = u.id",
            "CREATE TABLE t3 AS SELECT a.x, b.y FROM t a, u b",
            "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES shop.u (id)",
            "RENAME TABLE t TO t_old, t_new TO t",
            "DROP VIEW IF EXISTS v, shop.v2",
            "CREATE TABLE t2 LIKE shop.t",
        });
}

// The classifier collects no table for a SHOW: its schema, and the table of SHOW COLUMNS,
// INDEX and CREATE TABLE, are checked like those of any statement.
TEST(SchemaNotAllowed, ShowStatements) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::schema_not_allowed,
                {
                    "SHOW TABLES FROM billing",
                    "SHOW TABLES IN billing",
                    "SHOW FULL TABLES FROM `billing` LIKE 'inv%'",
                    "SHOW COLUMNS FROM billing.invoices",
                    "SHOW COLUMNS FROM invoices FROM billing",
                    "SHOW FULL COLUMNS FROM invoices IN billing",
                    "SHOW FIELDS FROM billing.invoices",
                    "SHOW CREATE TABLE billing.invoices",
                    "SHOW CREATE VIEW billing.v",
                    "SHOW TABLE STATUS FROM billing",
                    "SHOW INDEX FROM t IN billing",
                    "SHOW KEYS FROM billing.t",
                    "SHOW TRIGGERS FROM billing",
                    "SHOW EVENTS FROM billing",
                    "SHOW OPEN TABLES FROM billing",
                    "SHOW CREATE DATABASE billing",
                    "SHOW CREATE SCHEMA IF NOT EXISTS billing",
                    "SHOW CREATE PROCEDURE billing.p",
                    "SHOW PROCEDURE CODE billing.p",
                    "SET STATEMENT max_statement_time = 1 FOR SHOW TABLES FROM billing",
                });
    EXPECT_EQ(rule_of("SHOW CREATE TABLE mysql.user", p), Rule::system_schema);
    EXPECT_EQ(rule_of("SHOW TRIGGERS FROM sys", p), Rule::system_schema);
    expect_rule(p, Rule::none,
                {
                    "SHOW TABLES FROM shop",
                    "SHOW FULL TABLES IN main_db WHERE Table_type = 'VIEW'",
                    "SHOW COLUMNS FROM shop.products",
                    "SHOW COLUMNS FROM products FROM shop",
                    "SHOW FULL COLUMNS FROM products LIKE 'p%'",
                    "SHOW CREATE TABLE main_db.users",
                    "SHOW CREATE DATABASE main_db",
                    "SHOW INDEX FROM users IN main_db",
                    "SHOW TABLE STATUS LIKE 'users'",
                    "SHOW TABLES WHERE Tables_in_main_db IN ('a', 'b')",
                    "SHOW BINLOG EVENTS IN 'mysql-bin.000001' FROM 4",
                    "SHOW VARIABLES LIKE 'sql_mode'",
                });
    // For a user limited to some tables, the table a SHOW describes is one it names.
    const UserPolicy n = narrow();  // main_db.products, categories (any allowed schema)
    EXPECT_EQ(rule_of("SHOW COLUMNS FROM users", n), Rule::table_not_allowed);
    EXPECT_EQ(rule_of("SHOW CREATE TABLE `users`", n), Rule::table_not_allowed);
    EXPECT_EQ(rule_of("SHOW INDEX FROM products FROM shop", n), Rule::table_not_allowed);
    EXPECT_EQ(rule_of("SHOW COLUMNS FROM main_db.products", n), Rule::none);
    EXPECT_EQ(rule_of("SHOW COLUMNS FROM categories FROM shop", n), Rule::none);
    EXPECT_EQ(rule_of("SHOW TABLES", n), Rule::none);
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
    expect_rule(p, Rule::none,
                {
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
                });
    expect_rule(p, Rule::tautology,
                {
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
                });
}

// Constant-only operands written so that the literal comparison above does not see them.
TEST(Tautology, ConstantExpressions) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::tautology,
                {
                    "SELECT * FROM t WHERE a = 1 OR 2-1=1",
                    "SELECT * FROM t WHERE a = 1 OR 1+1=2",
                    "SELECT * FROM t WHERE a = 1 OR 3*2 > 5",
                    "SELECT * FROM t WHERE a = 1 OR 10 DIV 3 = 3",
                    "SELECT * FROM t WHERE a = 1 OR 7 % 2",
                    "SELECT * FROM t WHERE a = 1 OR 1 = (1)",
                    "SELECT * FROM t WHERE a = 1 OR 1 = ((2 - 1))",
                    "SELECT * FROM t WHERE a = 1 OR 1 REGEXP 1",
                    "SELECT * FROM t WHERE a = 1 OR 'abc' RLIKE '^a'",
                    "SELECT * FROM t WHERE a = 1 OR 'a' SOUNDS LIKE 'a'",
                    "SELECT * FROM t WHERE a = 1 OR 'Robert' SOUNDS LIKE 'Rupert'",
                    "SELECT * FROM t WHERE a = 1 OR ~0",
                    "SELECT * FROM t WHERE a = 1 OR !0",
                    "SELECT * FROM t WHERE a = 1 OR 'a' = BINARY 'a'",
                    "SELECT * FROM t WHERE a = 1 OR _utf8mb4'x'='x'",
                    "SELECT * FROM t WHERE a = 1 OR _binary'x' = 'x'",
                    "SELECT * FROM t WHERE a = 1 OR 1 = 1 COLLATE utf8mb4_bin",
                    "SELECT * FROM t WHERE a = 1 OR EXISTS(SELECT 1)",
                    "SELECT * FROM t WHERE a = 1 OR EXISTS (SELECT 'x', NULL FROM DUAL)",
                    "SELECT * FROM t WHERE a = 1 OR 0x61 = 'a'",
                    "SELECT * FROM t WHERE a = 1 OR 0x41 = 65",
                    "SELECT * FROM t WHERE a = 1 OR 1 = 1 = 1",
                    "SELECT * FROM t WHERE a = 1 OR 1/0 IS NULL",
                    "SELECT * FROM t WHERE a = 1 OR (1=1 OR x = 2)",
                    "SELECT * FROM t WHERE a = 1 OR NOT (1 = 2 AND x = 3)",
                    "SELECT * FROM t WHERE a = 1 OR `x` = `x`",
                });
    expect_rule(p, Rule::none,
                {
                    "SELECT * FROM t WHERE a = 1 OR 2-2=1",
                    "SELECT * FROM t WHERE a = 1 OR 'a' = BINARY 'A'",
                    "SELECT * FROM t WHERE a = 1 OR 'a' = 'A' COLLATE utf8mb4_bin",
                    "SELECT * FROM t WHERE a = 1 OR 'abc' SOUNDS LIKE 'xyz'",
                    "SELECT * FROM t WHERE a = 1 OR 1 REGEXP 2",
                    "SELECT * FROM t WHERE a = 1 OR NOT EXISTS(SELECT 1)",
                    "SELECT * FROM t WHERE a = 1 OR NOT NULL",
                    "SELECT * FROM t WHERE a = 1 OR 1/0",
                    "SELECT * FROM t WHERE a = 1 OR EXISTS (SELECT 1 FROM u WHERE u.id = t.id)",
                    "SELECT * FROM t WHERE a = 1 OR b = a + 1",
                    "SELECT * FROM t WHERE a = 1 OR b = ~a",
                    "SELECT * FROM t WHERE a = 1 OR -x = -x",
                    "SELECT * FROM t WHERE a = 1 OR !b",
                    "SELECT * FROM t WHERE a = 1 OR 2 * 3 > b",
                    "SELECT * FROM t WHERE a = 1 OR b REGEXP '^x'",
                    "SELECT * FROM t WHERE a = 1 OR name SOUNDS LIKE 'smith'",
                    "SELECT * FROM t WHERE a = 1 OR b = BINARY 'x'",
                    "SELECT * FROM t WHERE a = 1 OR b COLLATE utf8mb4_bin = 'x'",
                    "SELECT * FROM t WHERE a = 1 OR b = _utf8mb4'x'",
                    "SELECT * FROM t WHERE a = 1 OR (b = 2 AND c = 3)",
                    "SELECT * FROM t WHERE a = 1 OR x = x(1)",
                });
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
    expect_rule(p, Rule::comment_truncation,
                {
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
                });
    expect_rule(p, Rule::none,
                {
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
                });
}

// sqlmap ends an injection with `-- -` or `#` and a few random characters; what the
// application wrote after the value then continues the condition inside the comment.
TEST(CommentTruncation, FillerBeforeAHiddenCondition) {
    const UserPolicy p = reader();
    expect_rule(writer(), Rule::comment_truncation,
                {
                    "SELECT * FROM orders WHERE id = 101 -- - AND customer_id = 2",
                    "SELECT * FROM orders WHERE id = 101 # x AND customer_id = 2",
                    "SELECT * FROM orders WHERE id = 101 -- xYzW OR owner = 'bob'",
                    "SELECT * FROM orders WHERE id = 101 -- - && customer_id IN (2, 3)",
                    "SELECT * FROM orders WHERE id = 101 #- AND deleted_at IS NULL",
                    "DELETE FROM orders WHERE id = 101 -- - AND customer_id = 2",
                });
    expect_rule(p, Rule::none,
                {
                    "SELECT * FROM orders WHERE id = 101 -- and that is all",
                    "SELECT * FROM orders WHERE id = 101 -- - or whatever",
                    "SELECT * FROM orders WHERE id = 101 -- filter by a and b = 2 later",
                    "SELECT * FROM orders WHERE id = 101 -- see ticket #12",
                    "SELECT * FROM orders -- x AND customer_id = 2",  // not in a condition
                    "SELECT * FROM orders WHERE id = 101 -- - AND customer_id = 2\nAND x = 1",
                });
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

TEST(EncodedPayload, OtherEncodingsInConditions) {
    const UserPolicy p = reader();
    expect_rule(p, Rule::encoded_payload,
                {
                    "SELECT * FROM t WHERE a = CHAR(0x70, 0x61, 0x69, 0x64)",
                    "SELECT * FROM t WHERE a = CHAR(0x7061)",
                    "SELECT * FROM t WHERE a = CHAR(28769)",  // 0x7061, 'pa'
                    "SELECT * FROM t WHERE a = FROM_BASE64('cGFpZA==')",
                    "SELECT * FROM t WHERE a = UNHEX(CONCAT('7061', '6964'))",
                    "SELECT * FROM t WHERE a = CONCAT(CONV(25, 10, 36), CONV(10, 10, 36))",
                    "SELECT * FROM t WHERE a = CONV('p', 36, 36)",
                    "SELECT * FROM t WHERE a = 0b01110000011000010110100101100100",
                    "SELECT * FROM t WHERE a = b'01110000011000010110100101100100'",
                    "SELECT * FROM t WHERE a = B'1110000011000010110100101100100'",  // padded
                });
    expect_rule(p, Rule::none,
                {
                    "SELECT * FROM t WHERE token = FROM_BASE64('q83vEjRWeJA=')",
                    "SELECT * FROM t WHERE id = UNHEX(REPLACE(?, '-', ''))",
                    "SELECT * FROM t WHERE id = UNHEX(CONCAT(?, 'ff'))",
                    "SELECT * FROM t WHERE CONV(hex_col, 16, 10) = 5",
                    "SELECT * FROM t WHERE a = CONV(255, 10, 2)",
                    "SELECT * FROM t WHERE flags & b'1010' = b'1010'",
                    "SELECT * FROM t WHERE a = CHAR(1000)",
                    "SELECT FROM_BASE64('cGFpZA=='), CONV(25, 10, 36) FROM t",
                });
}

TEST(ErrorProbe, ErrorsMadeToCarryData) {
    const UserPolicy p = reader();
    expect_rule(
        p, Rule::error_probe,
        {
            "SELECT * FROM t WHERE a = 1 AND EXTRACTVALUE(1, CONCAT(0x7e, (SELECT @@version)))",
            "SELECT * FROM t WHERE a = 1 AND updatexml(1, concat(0x7e, @@version), 1)",
            "SELECT * FROM t WHERE a = 1 AND extractvalue(1, concat(0x5c, version()))",
            "SELECT * FROM t WHERE a = 1 AND extractvalue(1, concat(0x5c, current_user))",
            "SELECT extractvalue(rand(), concat(0x3a, (select database())))",
            "SELECT * FROM t WHERE a = 1 AND EXP(~(SELECT * FROM (SELECT user()) x))",
            "SELECT COUNT(*), CONCAT(version(), FLOOR(RAND(0)*2)) x FROM t GROUP BY x",
            "SELECT * FROM t WHERE a = 1 AND (SELECT 1 FROM (SELECT COUNT(*), "
            "CONCAT(user(), floor(rand(0) * 2)) x FROM u GROUP BY x) y)",
        });
    expect_rule(p, Rule::none,
                {
                    "SELECT EXTRACTVALUE(doc, '/a/b') FROM t WHERE id = 1",
                    "SELECT * FROM t WHERE EXTRACTVALUE(doc, '//title') = 'x'",
                    "SELECT UPDATEXML(doc, '/a', '<a>1</a>') FROM t",
                    "SELECT EXTRACTVALUE(doc, '/a'), version() FROM t",
                    "SELECT FLOOR(RAND() * 2), FLOOR(RAND(7) * 10), EXP(2), EXP(-x) FROM t",
                    "SELECT * FROM t ORDER BY RAND(42)",
                });
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
        {"SET a = 1", ", @@session.sql_mode = DEFAULT, NAMES utf8mb4 COLLATE utf8mb4_bin"},
        {"SELECT a FROM t WHERE a = 1", " OR (1 = (1"},
        {"SELECT a FROM t WHERE a = 1", " OR NOT (1 OR EXISTS (SELECT 1, ~!-"},
        {"SELECT a FROM t WHERE a = 1 OR 1", " + 1 * 2"},
        {"SELECT a FROM t WHERE EXTRACTVALUE(1, (", "SELECT EXTRACTVALUE(1, (@@a"},
        {"SHOW COLUMNS FROM a.b FROM c", " FROM d.e"},
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

// The acceptance corpora: abuse that every restricted user must be refused, with the rule
// that must refuse it, and ordinary application and driver traffic that must pass.
#include <gtest/gtest.h>

#include <cstddef>
#include <ostream>
#include <string_view>

#include "policy/policy.hpp"
#include "policy_test_support.hpp"

namespace sqlgate::policy {
namespace {

using testing::narrow;
using testing::reader;
using testing::writer;

enum class Who { reader, writer, narrow, tiny, ddl };

UserPolicy policy_for(Who who) {
    switch (who) {
        case Who::reader:
            return reader();
        case Who::writer:
            return writer();
        case Who::narrow:
            return narrow();
        case Who::tiny: {
            UserPolicy p = reader();
            p.max_statement_bytes = 48;
            return p;
        }
        case Who::ddl: {
            UserPolicy p = writer();
            p.allowed_kinds.add(StatementKind::ddl);
            return p;
        }
    }
    return reader();
}

struct Rejected {
    std::string_view sql;
    Who who;
    Rule rule;
};

void PrintTo(const Rejected& c, std::ostream* os) {
    *os << c.sql;
}

constexpr Who R = Who::reader;
constexpr Who W = Who::writer;
constexpr Who D = Who::ddl;

// Most read like what an application concatenating `name = '$input'` or `id = $input` would
// send after the input `admin'-- `, `1 OR 1=1`, `1 UNION SELECT NULL` ...
const Rejected kRejected[] = {
    // Tautologies, in many spellings.
    {"SELECT * FROM users WHERE name = '' OR '1'='1'", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = 'admin' OR 1=1 -- ' AND password = 'x'", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1=1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 or 1 = 1", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = '' OR 'a'='a'", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = '' OR ''=''", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = '' OR ''='' AND password = '' OR ''=''", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR TRUE", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 || 1=1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 2>1", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = 'x' OR name = name", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1 LIKE 1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR (1=1)", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR/**/1/**/=/**/1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR(1)=(1)", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = \"\" OR \"x\"=\"x\"", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = -1 OR 3 > 2 ORDER BY id", R, Rule::tautology},
    {"SELECT * FROM users WHERE (name = 'a') OR ('1'='1')", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 'a' = 'A'", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR NOT 1=2", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1 <> 2", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 'abc' LIKE 'a%'", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1 IN (1, 2)", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 5 BETWEEN 1 AND 10", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR NULL IS NULL", R, Rule::tautology},
    {"SELECT * FROM users u JOIN orders o ON u.id = o.user_id OR 1=1", R, Rule::tautology},
    {"SELECT user_id FROM orders GROUP BY user_id HAVING COUNT(*) > 5 OR 1=1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR users.id = users.id", R, Rule::tautology},
    {"DELETE FROM orders WHERE id = 5 OR 1=1", W, Rule::tautology},
    {"UPDATE users SET role = 'admin' WHERE id = 7 OR 'x'='x'", W, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 0x41 = 0x41", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = 'x' OR 'a' = 0", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR -1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id IN (SELECT user_id FROM orders WHERE total > 0 OR 1=1)", R,
     Rule::tautology},
    {"SELECT * FROM users WHERE name = 'x' OR 1=1 AND password = 'y'", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 2-1=1", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1+1=2", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1 = (1)", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1 REGEXP 1", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = '' OR 'a' SOUNDS LIKE 'a'", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR ~0", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR !0", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = '' OR 'a' = BINARY 'a'", R, Rule::tautology},
    {"SELECT * FROM users WHERE name = '' OR _utf8mb4'x'='x'", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR 1 = 1 COLLATE utf8mb4_bin", R, Rule::tautology},
    {"SELECT * FROM users WHERE id = 1 OR EXISTS(SELECT 1)", R, Rule::tautology},

    // Comment truncation.
    {"SELECT * FROM users WHERE name = 'admin'-- ' AND password = 'secret'", R,
     Rule::comment_truncation},
    {"SELECT * FROM users WHERE name = 'admin'#' AND password = 'secret'", R,
     Rule::comment_truncation},
    {"SELECT * FROM users WHERE name = 'admin' -- ", R, Rule::comment_truncation},
    {"SELECT * FROM users WHERE name = 'admin'#", R, Rule::comment_truncation},
    {"SELECT * FROM users WHERE (name = 'admin')-- ') AND (password = 'x')", R,
     Rule::comment_truncation},
    {"SELECT * FROM users WHERE id = 5 -- AND owner_id = 42", R, Rule::comment_truncation},
    {"SELECT * FROM users WHERE name = 'admin' /*' AND password = 'x'*/", R,
     Rule::comment_truncation},
    {"SELECT * FROM docs WHERE (owner = 'bob' -- ') AND shared = 1\n)", R,
     Rule::comment_truncation},
    {"SELECT * FROM users WHERE name = 'admin' -- x' AND password = 'y'", R,
     Rule::comment_truncation},
    {"SELECT * FROM users WHERE id = 5 # OR 1=1", R, Rule::comment_truncation},
    {"SELECT * FROM users WHERE name = 'admin'-- '\nLIMIT 1", R, Rule::comment_truncation},
    {"SELECT * FROM orders WHERE id = 101 -- - AND customer_id = 2", R, Rule::comment_truncation},
    {"SELECT * FROM orders WHERE id = 101 # x AND customer_id = 2", R, Rule::comment_truncation},

    // UNION probing and column counting.
    {"SELECT name FROM products WHERE id = 1 UNION SELECT NULL", R, Rule::union_probe},
    {"SELECT name, price FROM products WHERE id = 1 UNION ALL SELECT NULL, NULL", R,
     Rule::union_probe},
    {"SELECT name, price FROM products WHERE id = 1 UNION SELECT 1,2", R, Rule::union_probe},
    {"SELECT name, price, stock FROM products WHERE id = 1 UNION SELECT 1, 2, 3", R,
     Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 UNION SELECT @@version", R, Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 UNION SELECT version()", R, Rule::union_probe},
    {"SELECT name, price FROM products WHERE id = -1 UNION SELECT user(), database()", R,
     Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 ORDER BY 5", R, Rule::union_probe},
    {"SELECT * FROM products WHERE id = 1 ORDER BY 100", R, Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 UNION DISTINCT SELECT current_user", R,
     Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 UNION (SELECT NULL)", R, Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 union select @@hostname", R, Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 UNION SELECT NULL AS a FROM dual", R,
     Rule::union_probe},
    {"SELECT name FROM products WHERE id = 1 UNION SELECT table_name FROM "
     "information_schema.tables",
     R, Rule::system_schema},

    // Error-based extraction.
    {"SELECT * FROM users WHERE id = 1 AND EXTRACTVALUE(1, CONCAT(0x7e, (SELECT @@version)))", R,
     Rule::error_probe},
    {"SELECT * FROM users WHERE id = 1 AND UPDATEXML(1, CONCAT(0x7e, user()), 1)", R,
     Rule::error_probe},
    {"SELECT * FROM users WHERE id = 1 AND EXP(~(SELECT * FROM (SELECT user()) x))", R,
     Rule::error_probe},
    {"SELECT COUNT(*), CONCAT(version(), FLOOR(RAND(0)*2)) x FROM users GROUP BY x", R,
     Rule::error_probe},

    // Time-based blind injection.
    {"SELECT * FROM users WHERE id = 1 AND SLEEP(5)", R, Rule::time_delay},
    {"SELECT * FROM users WHERE id = 1 OR SLEEP(5)=0", R, Rule::time_delay},
    {"SELECT BENCHMARK(1000000, MD5('a'))", R, Rule::time_delay},
    {"SELECT * FROM users WHERE id = 1 AND IF(1=1, SLEEP(5), 0)", R, Rule::time_delay},
    {"SELECT pg_sleep(5)", R, Rule::time_delay},
    {"SELECT * FROM users WHERE id = 1 WAITFOR DELAY '0:0:5'", R, Rule::time_delay},
    {"SELECT * FROM users WHERE id = (SELECT 1 FROM (SELECT SLEEP(5)) x)", R, Rule::time_delay},
    {"SELECT * FROM users WHERE id = 1 AND sleep /**/ (5)", R, Rule::time_delay},

    // Encoded payloads.
    {"SELECT * FROM users WHERE name = 0x61646d696e", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = X'61646d696e'", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = CHAR(97,100,109,105,110)", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = CONCAT(CHAR(97),CHAR(100),CHAR(109))", R,
     Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = UNHEX('61646d696e')", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name LIKE 0x25616425", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = CHAR(0x61, 0x64, 0x6d)", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = FROM_BASE64('YWRtaW4=')", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = UNHEX(CONCAT('6164', '6d696e'))", R, Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = CONCAT(CONV(10, 10, 36), CONV(13, 10, 36))", R,
     Rule::encoded_payload},
    {"SELECT * FROM users WHERE name = 0b0110000101100100011011010110100101101110", R,
     Rule::encoded_payload},

    // Stacked statements.
    {"SELECT * FROM users WHERE id = 1; DROP TABLE users", R, Rule::stacked_statements},
    {"SELECT * FROM users WHERE name = 'x'; DELETE FROM users; -- '", W, Rule::stacked_statements},
    {"SELECT 1; SELECT 2", R, Rule::stacked_statements},
    {"SET autocommit=1; DELETE FROM orders", W, Rule::stacked_statements},
    {"BEGIN NOT ATOMIC DELETE FROM orders; END", W, Rule::stacked_statements},

    // Executable comments.
    {"SELECT * FROM users WHERE id = 1 /*!UNION*/ SELECT NULL", R, Rule::executable_comment},
    {"/*!50000 DROP TABLE users */", R, Rule::executable_comment},
    {"SELECT 1 /*M!100000 , SLEEP(5) */", R, Rule::executable_comment},
    {"SELECT * FROM users /*!; DELETE FROM orders */", R, Rule::executable_comment},

    // Server files.
    {"SELECT * FROM users INTO OUTFILE '/tmp/users.txt'", R, Rule::into_outfile},
    {"SELECT '<?php system($_GET[1]); ?>' INTO DUMPFILE '/var/www/shell.php'", R,
     Rule::into_outfile},
    {"SELECT LOAD_FILE('/etc/passwd')", R, Rule::load_file},
    {"SELECT name FROM products WHERE id = 1 UNION SELECT load_file('/etc/passwd')", R,
     Rule::load_file},
    {"LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE notes", W, Rule::load_data},
    {"LOAD DATA INFILE '/var/lib/mysql-files/x.csv' INTO TABLE notes", W, Rule::load_data},
    {"LOAD XML LOCAL INFILE 'x.xml' INTO TABLE notes", W, Rule::load_data},

    // System schemas.
    {"SELECT * FROM mysql.user", R, Rule::system_schema},
    {"SELECT * FROM `mysql`.`user`", R, Rule::system_schema},
    {"SELECT * FROM MySQL.User", R, Rule::system_schema},
    {"SELECT table_name FROM INFORMATION_SCHEMA.TABLES", R, Rule::system_schema},
    {"SELECT * FROM performance_schema.threads", R, Rule::system_schema},
    {"SELECT * FROM sys.processlist", R, Rule::system_schema},
    {"USE mysql", R, Rule::system_schema},
    {"USE `information_schema`", R, Rule::system_schema},
    {"SELECT * FROM users WHERE id = (SELECT COUNT(*) FROM mysql.user)", R, Rule::system_schema},
    {"SHOW TABLES FROM mysql", R, Rule::system_schema},
    {"SELECT * FROM `INFORMATION_SCHEMA`.`COLUMNS` WHERE table_name = 'users'", R,
     Rule::system_schema},
    {"SELECT sys.format_bytes(1024)", R, Rule::system_schema},

    // Statements the user may not run.
    {"INSERT INTO users (name) VALUES ('mallory')", R, Rule::statement_not_allowed},
    {"UPDATE users SET role = 'admin' WHERE id = 7", R, Rule::statement_not_allowed},
    {"DELETE FROM users WHERE id = 7", R, Rule::statement_not_allowed},
    {"DROP TABLE users", R, Rule::statement_not_allowed},
    {"CREATE TABLE x (id INT)", R, Rule::statement_not_allowed},
    {"CALL reset_all()", R, Rule::statement_not_allowed},
    {"SET GLOBAL general_log = 'ON'", R, Rule::statement_not_allowed},
    {"GRANT ALL ON *.* TO 'eve'@'%'", W, Rule::statement_not_allowed},
    {"TRUNCATE TABLE orders", W, Rule::statement_not_allowed},
    {"CREATE USER 'eve'@'%' IDENTIFIED BY 'x'", W, Rule::statement_not_allowed},
    {"PREPARE s FROM 'DELETE FROM users'", W, Rule::statement_not_allowed},
    {"SELECT * FROM users WHERE id = 1 FOR UPDATE", R, Rule::statement_not_allowed},
    {"REPLACE INTO users VALUES (1, 'x')", R, Rule::statement_not_allowed},
    {"KILL 1", W, Rule::statement_not_allowed},
    {"SET @@global.max_connections = 1", W, Rule::statement_not_allowed},
    {"ALTER TABLE users ADD COLUMN is_admin INT", W, Rule::statement_not_allowed},
    {"WITH x AS (SELECT 1) DELETE FROM users", R, Rule::statement_not_allowed},
    {"SHUTDOWN", W, Rule::statement_not_allowed},
    {"SET PASSWORD FOR 'root'@'localhost' = PASSWORD('x')", W, Rule::statement_not_allowed},

    // Schemas and tables outside the user's lists.
    {"SELECT * FROM billing.invoices", R, Rule::schema_not_allowed},
    {"USE billing", R, Rule::schema_not_allowed},
    {"SELECT * FROM main_db.users u JOIN billing.cards c ON c.user_id = u.id", R,
     Rule::schema_not_allowed},
    {"SELECT billing.charge(5)", R, Rule::schema_not_allowed},
    {"SELECT * FROM users", Who::narrow, Rule::table_not_allowed},
    {"SELECT * FROM shop.products", Who::narrow, Rule::table_not_allowed},
    {"SHOW COLUMNS FROM users", Who::narrow, Rule::table_not_allowed},
    {"DROP DATABASE billing", D, Rule::schema_not_allowed},
    {"CREATE DATABASE x", D, Rule::schema_not_allowed},
    {"ALTER DATABASE x CHARACTER SET utf8mb4", D, Rule::schema_not_allowed},
    {"CREATE SCHEMA x", D, Rule::schema_not_allowed},
    {"DROP SCHEMA IF EXISTS x", D, Rule::schema_not_allowed},
    {"DROP DATABASE mysql", D, Rule::system_schema},
    {"CREATE VIEW billing.v AS SELECT * FROM main_db.users", D, Rule::schema_not_allowed},
    {"RENAME TABLE main_db.users TO billing.users", D, Rule::schema_not_allowed},
    {"SHOW TABLES FROM billing", R, Rule::schema_not_allowed},
    {"SHOW TABLES IN billing", R, Rule::schema_not_allowed},
    {"SHOW COLUMNS FROM billing.invoices", R, Rule::schema_not_allowed},
    {"SHOW COLUMNS FROM invoices FROM billing", R, Rule::schema_not_allowed},
    {"SHOW CREATE TABLE billing.invoices", R, Rule::schema_not_allowed},
    {"SHOW TABLE STATUS FROM billing", R, Rule::schema_not_allowed},
    {"SHOW INDEX FROM t IN billing", R, Rule::schema_not_allowed},
    {"SHOW TRIGGERS FROM billing", R, Rule::schema_not_allowed},
    {"SHOW EVENTS FROM billing", R, Rule::schema_not_allowed},
    {"SHOW OPEN TABLES FROM billing", R, Rule::schema_not_allowed},
    {"SHOW CREATE DATABASE billing", R, Rule::schema_not_allowed},
    {"SHOW FULL COLUMNS FROM invoices FROM billing", R, Rule::schema_not_allowed},

    // Settings that would make the server read text differently from the firewall.
    {"SET sql_mode = 'ANSI_QUOTES'", R, Rule::unsafe_session_setting},
    {"SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')", R,
     Rule::unsafe_session_setting},
    {"SET NAMES gbk", R, Rule::unsafe_session_setting},
    {"SET @@session.sql_mode = @m", R, Rule::unsafe_session_setting},
    {"SET character_set_client = sjis", R, Rule::unsafe_session_setting},
    {"SET STATEMENT sql_mode='ANSI' FOR SELECT * FROM users", R, Rule::unsafe_session_setting},
    {"SET sql_mode = 'NO_BACKSLASH_' 'ESCAPES'", R, Rule::unsafe_session_setting},
    {"SET sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH', '_ESCAPES')", R,
     Rule::unsafe_session_setting},
    {"SET sql_mode = REPLACE('NO-BACKSLASH-ESCAPES', '-', '_')", R, Rule::unsafe_session_setting},
    {"SET @@SESSION.SQL_MODE = 'ANSI'", R, Rule::unsafe_session_setting},
    {"SET LOCAL sql_mode = 'MSSQL'", R, Rule::unsafe_session_setting},
    {"SET a = 1, sql_mode = 'NO_BACKSLASH_ESCAPES'", R, Rule::unsafe_session_setting},
    {"SET character_set_client = 'g' 'bk'", R, Rule::unsafe_session_setting},
    {"SET character_set_client = CONCAT('g', 'bk')", R, Rule::unsafe_session_setting},
    {"SET NAMES big5 COLLATE big5_bin", R, Rule::unsafe_session_setting},
    {"SET CHARSET cp932", R, Rule::unsafe_session_setting},
    {"SET collation_connection = gbk_chinese_ci", R, Rule::unsafe_session_setting},

    // Broken text.
    {"SELECT * FROM users WHERE name = 'admin", R, Rule::unterminated},
    {"SELECT * FROM users WHERE name = 'admin'/*", R, Rule::unterminated},
    {"SELECT * FROM users WHERE name = 'it's'", R, Rule::unterminated},
    {"SELECT * FROM users WHERE name = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa'", Who::tiny,
     Rule::statement_too_large},
};

class RejectedCorpus : public ::testing::TestWithParam<Rejected> {};

TEST_P(RejectedCorpus, IsRejectedByItsRule) {
    const Rejected& c = GetParam();
    const Verdict v = check_statement(c.sql, policy_for(c.who), "main_db");
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.rule_id(), to_string(c.rule)) << v.message;
    EXPECT_TRUE(v.message.starts_with(to_string(c.rule))) << v.message;
}

INSTANTIATE_TEST_SUITE_P(Policy, RejectedCorpus, ::testing::ValuesIn(kRejected));

TEST(RejectedCorpusSize, AtLeastEighty) {
    EXPECT_GE(std::size(kRejected), 80u);
}

struct Accepted {
    std::string_view sql;
    Who who;
};

void PrintTo(const Accepted& c, std::ostream* os) {
    *os << c.sql;
}

const Accepted kAccepted[] = {
    // What drivers and the stock client send on their own.
    {"SELECT @@version_comment LIMIT 1", R},
    {"SET NAMES utf8mb4", R},
    {"SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'", R},
    {"SET autocommit=1", R},
    {"SET autocommit = 0", R},
    {"SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ZERO_DATE'", R},
    {"SET sql_mode = CONCAT(@@sql_mode, ',STRICT_TRANS_TABLES')", R},
    {"SET SESSION transaction_isolation = 'READ-COMMITTED'", R},
    {"SET character_set_results = NULL", R},
    {"SELECT @@session.auto_increment_increment AS auto_increment_increment, "
     "@@character_set_client AS character_set_client, @@max_allowed_packet AS "
     "max_allowed_packet, @@sql_mode AS sql_mode, @@time_zone AS time_zone, @@wait_timeout AS "
     "wait_timeout",
     R},
    {"SHOW WARNINGS", R},
    {"SELECT DATABASE()", R},
    {"SELECT @@server_id", R},
    {"USE main_db", R},
    {"USE `shop`", R},
    {"/* sqlgate:route=random */ SELECT * FROM users WHERE id = 1", R},
    {"/* sqlgate:route=customized */ SELECT @@server_id", R},
    {"SELECT 1 -- note", R},
    {"SELECT 1 /* sqlgate:route=direct */", R},
    {"SELECT VERSION()", R},
    {"SELECT CONNECTION_ID()", R},
    {"SHOW VARIABLES LIKE 'max_allowed_packet'", R},
    {"SHOW TABLES", R},
    {"SHOW DATABASES", R},
    {"BEGIN", R},
    {"START TRANSACTION READ ONLY", R},
    {"COMMIT", R},
    {"ROLLBACK", R},
    {"SELECT LAST_INSERT_ID()", R},
    {"SELECT SQL_CALC_FOUND_ROWS * FROM users LIMIT 10", R},
    {"SELECT FOUND_ROWS()", R},
    {"SET @last = 5", R},
    {"SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci", R},
    {"SET NAMES 'latin1'", R},
    {"SET CHARACTER SET utf8mb4", R},
    {"SET character_set_client = utf8mb4, character_set_results = utf8mb4", R},
    {"SET collation_connection = 'utf8mb4_general_ci'", R},
    {"SET sql_mode = ''", R},
    {"SET @@SESSION.sql_mode = 'STRICT_TRANS_TABLES', @@SESSION.wait_timeout = 600", R},
    {"SET STATEMENT sql_mode = 'STRICT_ALL_TABLES' FOR SELECT * FROM users", R},
    {"SET STATEMENT max_statement_time = 5 FOR SHOW TABLES FROM shop", R},
    {"SHOW TABLES FROM main_db", R},
    {"SHOW FULL COLUMNS FROM products FROM shop", R},
    {"SHOW CREATE TABLE shop.products", R},
    {"SHOW INDEX FROM users", R},
    {"SHOW TABLE STATUS LIKE 'users'", R},

    // Application reads.
    {"SELECT u.name, o.total FROM users u JOIN orders o ON o.user_id = u.id WHERE o.total > 100",
     R},
    {"SELECT u.name FROM users u LEFT JOIN orders o ON o.user_id = u.id AND o.status = 'open' "
     "WHERE o.id IS NULL",
     R},
    {"SELECT * FROM users WHERE id IN (1, 2, 3, 4)", R},
    {"SELECT * FROM users WHERE id IN (SELECT user_id FROM orders WHERE total > 50)", R},
    {"SELECT * FROM users WHERE EXISTS (SELECT 1 FROM orders WHERE orders.user_id = users.id)", R},
    {"SELECT status, COUNT(*) AS n FROM orders GROUP BY status HAVING COUNT(*) > 10", R},
    {"SELECT user_id, SUM(total) OVER (PARTITION BY user_id ORDER BY created_at) AS running "
     "FROM orders",
     R},
    {"SELECT id, ROW_NUMBER() OVER (ORDER BY created_at DESC) AS rn FROM orders", R},
    {"WITH recent AS (SELECT * FROM orders WHERE created_at > NOW() - INTERVAL 7 DAY) "
     "SELECT user_id, COUNT(*) FROM recent GROUP BY user_id",
     R},
    {"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) SELECT i FROM n",
     R},
    {"SELECT * FROM users WHERE name LIKE 'jo%'", R},
    {"SELECT * FROM users WHERE name LIKE '%50!%%' ESCAPE '!'", R},
    {"SELECT * FROM users WHERE name = 'O''Brien'", R},
    {"SELECT * FROM users WHERE name = 'it\\'s'", R},
    {"SELECT * FROM notes WHERE body = 'see -- this'", R},
    {"SELECT * FROM notes WHERE body = 'tag #1'", R},
    {"SELECT * FROM notes WHERE body = 'a /* b */ c'", R},
    {"SELECT * FROM notes WHERE body = 'x'' OR 1=1 --'", R},
    {"SELECT * FROM notes WHERE body = ' OR 1=1'", R},
    {"SELECT * FROM notes WHERE body = \"' OR '1'='1\"", R},
    {"SELECT * FROM notes WHERE body LIKE '%UNION SELECT NULL%'", R},
    {"SELECT * FROM notes WHERE body = 'SLEEP(5)'", R},
    {"SELECT * FROM notes WHERE body = 'a;b;c'", R},
    {"SELECT * FROM notes WHERE body = 'DROP TABLE users; --'", R},
    {"SELECT * FROM notes WHERE body = '/*!50000 x */ mysql.user'", R},
    {"SELECT * FROM users WHERE a = 1 OR b = 2", R},
    {"SELECT * FROM orders WHERE status = 'x' OR status = 'y'", R},
    {"SELECT * FROM orders WHERE (status = 'open' OR status = 'held') AND total > 0", R},
    {"SELECT * FROM users WHERE id = 42", R},
    {"SELECT * FROM users WHERE score > 3.5 AND score <= 10", R},
    {"SELECT * FROM users ORDER BY name LIMIT 10 OFFSET 20", R},
    {"SELECT * FROM users ORDER BY created_at DESC, id LIMIT 20, 10", R},
    {"SELECT id, name FROM users ORDER BY 2", R},
    {"SELECT id, name FROM users ORDER BY 1 DESC", R},
    {"SELECT * FROM users ORDER BY 3", R},
    {"SELECT * FROM users WHERE 1=1 AND name = 'x'", R},
    {"SELECT * FROM users WHERE 1=0", R},
    {"SELECT * FROM users WHERE 1=0 OR id = 5", R},
    {"SELECT * FROM users WHERE id = 1 AND 1=1", R},
    {"SELECT name FROM users UNION SELECT name FROM archived_users", R},
    {"SELECT id, name FROM users UNION ALL SELECT 0, 'none'", R},
    {"SELECT name FROM users WHERE id = 1 UNION SELECT name FROM users WHERE id = 2", R},
    {"SELECT COUNT(*) FROM orders WHERE created_at BETWEEN '2024-01-01' AND '2024-12-31'", R},
    {"SELECT * FROM users WHERE flags & 0x0f = 0x0f", R},
    {"SELECT * FROM sessions WHERE token = X'3A4F9B00C1D2E3F4A5B6C7D8E9F00112'", R},
    {"SELECT * FROM sessions WHERE id = UNHEX('3a4f9b00c1d2e3f4a5b6c7d8e9f00112')", R},
    {"SELECT REPLACE(name, CHAR(13), '') FROM users", R},
    {"SELECT * FROM users WHERE name NOT LIKE CONCAT('%', CHAR(9), '%')", R},
    {"SELECT CASE WHEN a > 0 OR b > 0 THEN 'pos' ELSE 'neg' END FROM t", R},
    {"SELECT * FROM users WHERE name = ? AND status = ?", R},
    {"SELECT * FROM users WHERE deleted_at IS NULL", R},
    {"SELECT * FROM users WHERE email IS NOT NULL OR phone IS NOT NULL", R},
    {"SELECT GREATEST(1, 2), LEAST(3, 4), COALESCE(NULL, 1)", R},
    {"SELECT NOW(), CURRENT_DATE, UUID()", R},
    {"SELECT JSON_EXTRACT(data, '$.name') FROM events WHERE JSON_EXTRACT(data, '$.type') = "
     "'click'",
     R},
    {"SELECT * FROM shop.products WHERE price < 10", R},
    {"SELECT p.*, c.name FROM shop.products p JOIN shop.categories c ON c.id = p.category_id", R},
    {"SELECT * FROM users WHERE name = 'bob' -- lookup by name", R},
    {"SELECT * FROM users -- it's all users", R},
    {"SELECT * FROM users WHERE id = 5 -- and that is all", R},
    {"SELECT * FROM users WHERE id = 5 -- see ticket #12", R},
    {"SELECT EXTRACTVALUE(profile, '/user/name') FROM users WHERE id = 5", R},
    {"SELECT FLOOR(RAND() * 10), EXP(2) FROM users", R},
    {"SELECT * FROM users WHERE token = FROM_BASE64('q83vEjRWeJA=')", R},
    {"SELECT * FROM users WHERE id = UNHEX(REPLACE(?, '-', ''))", R},
    {"SELECT * FROM users WHERE CONV(code, 16, 10) = 255", R},
    {"SELECT * FROM users WHERE flags & b'1010' = b'1010'", R},
    {"SELECT * FROM users WHERE id = 5 OR id = ~flags", R},
    {"SELECT * FROM users WHERE name SOUNDS LIKE 'smith' OR name REGEXP '^sm'", R},
    {"SELECT * FROM users WHERE id = 5 OR name = BINARY 'Bob'", R},
    {"SELECT * FROM users WHERE id = 5 OR EXISTS (SELECT 1 FROM orders WHERE user_id = 5)", R},
    {"SELECT *\nFROM users\nWHERE id = 5 -- only active\n  AND active = 1", R},
    {"SELECT id FROM users WHERE id = 1 LIMIT 1 # single", R},
    {"SELECT * FROM users WHERE name = 'a' COLLATE utf8mb4_bin", R},
    {"SELECT 'a' = 'a', 1 = 1", R},
    {"SELECT * FROM users WHERE id = 5 OR id = 5 + 0", R},
    {"SELECT * FROM t1 WHERE t1.a = t1.b OR t1.a = t1.c", R},
    {"SELECT * FROM orders WHERE total > 10 OR total IS NULL", R},
    {"SELECT * FROM orders WHERE total > 10 OR status IN ('a', 'b')", R},
    {"SELECT id FROM users WHERE id = 1 FOR UPDATE", W},
    {"SELECT sys.id FROM systems sys WHERE sys.id = 1", R},
    {"SELECT @x := 1", R},
    {"EXPLAIN SELECT * FROM users WHERE id = 1", R},
    {"DESCRIBE users", R},
    {"SELECT * FROM users;", R},
    {"", R},
    {"  -- nothing to do", R},

    // Application writes by a writer.
    {"INSERT INTO users (name, email) VALUES ('O''Brien', 'ob@example.com')", W},
    {"INSERT INTO orders (user_id, total) VALUES (1, 9.99), (2, 19.99)", W},
    {"UPDATE users SET visits = visits + 1 WHERE id = 7", W},
    {"UPDATE users SET name = 'x' WHERE id = 7 OR id = 8", W},
    {"UPDATE users SET x = x + 1 WHERE id = 7", W},
    {"DELETE FROM sessions WHERE expires_at < NOW()", W},
    {"INSERT INTO users (id, name) VALUES (1, 'a') ON DUPLICATE KEY UPDATE name = VALUES(name)", W},
    {"REPLACE INTO settings (k, v) VALUES ('theme', 'dark')", W},
    {"INSERT INTO files (id, data) VALUES (1, 0x89504e470d0a1a0a)", W},
    {"INSERT INTO notes (body) VALUES ('-- not a comment; OR 1=1 /* nope */')", W},
    {"CREATE TEMPORARY TABLE tmp_ids (id INT)", W},
    {"INSERT INTO audit SELECT * FROM orders WHERE id = 5", W},
    {"UPDATE users SET note = 0x68656c6c6f20776f726c64 WHERE id = 1", W},
    {"CALL refresh_stats(1)", W},
    {"/* sqlgate:route=direct */ INSERT INTO direct_table (value) VALUES ('abc')", W},

    // Schema changes by a user granted ddl, in its own schemas.
    {"CREATE DATABASE IF NOT EXISTS main_db", D},
    {"ALTER DATABASE main_db CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", D},
    {"CREATE TABLE IF NOT EXISTS shop.tags (id INT PRIMARY KEY, name VARCHAR(40))", D},
    {"CREATE OR REPLACE VIEW v AS SELECT u.id, o.total FROM users u JOIN orders o ON o.user_id "
     "= u.id",
     D},
    {"ALTER TABLE orders ADD CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES users (id)", D},
    {"CREATE INDEX idx_orders_user ON orders (user_id)", D},
    {"RENAME TABLE orders TO orders_old, orders_new TO orders", D},
    {"DROP VIEW IF EXISTS main_db.v", D},
};

class AcceptedCorpus : public ::testing::TestWithParam<Accepted> {};

TEST_P(AcceptedCorpus, IsAccepted) {
    const Accepted& c = GetParam();
    const Verdict v = check_statement(c.sql, policy_for(c.who), "main_db");
    EXPECT_TRUE(v.allowed) << v.message;
    EXPECT_EQ(v.rule, Rule::none);
    EXPECT_TRUE(v.message.empty());
}

INSTANTIATE_TEST_SUITE_P(Policy, AcceptedCorpus, ::testing::ValuesIn(kAccepted));

TEST(AcceptedCorpusSize, AtLeastEighty) {
    EXPECT_GE(std::size(kAccepted), 80u);
}

// The trusted host re-checks what the gatekeeper passed: the same verdicts must come out
// of the two-step API (describe once, check with the description) as of the convenience one.
TEST(Corpora, DescribeOnceGivesTheSameVerdicts) {
    for (const Rejected& c : kRejected) {
        const auto info = sql::describe(c.sql, describe_options());
        const Verdict v = check_statement(c.sql, info, policy_for(c.who), "main_db");
        EXPECT_EQ(v.rule, c.rule) << c.sql;
    }
    for (const Accepted& c : kAccepted) {
        const auto info = sql::describe(c.sql, describe_options());
        EXPECT_TRUE(check_statement(c.sql, info, policy_for(c.who), "main_db").allowed) << c.sql;
    }
}

}  // namespace
}  // namespace sqlgate::policy

#include "sql/classifier.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sqlgate::sql {
namespace {

using C = StatementClass;
using P = PrimaryReason;

// Expected flags as a bit set, so each table row states every flag that must be true and
// the test checks that all the others are false.
enum Flag : std::uint32_t {
    kNoFlags = 0,
    kEmpty = 1u << 0,
    kMulti = 1u << 1,
    kComment = 1u << 2,
    kExecutable = 1u << 3,
    kUnterminated = 1u << 4,
    kOutfile = 1u << 5,
    kLoadFile = 1u << 6,
    kLoadLocal = 1u << 7,
    kUnion = 1u << 8,
    kPlaceholders = 1u << 9,
    kImplicitCommit = 1u << 10,
    kGlobal = 1u << 11,
    kCompound = 1u << 12,
    kTemporary = 1u << 13,
};

std::uint32_t flag_bits(const StatementFlags& f) {
    std::uint32_t bits = 0;
    const auto set = [&bits](bool on, Flag flag) {
        if (on) bits |= flag;
    };
    set(f.empty, kEmpty);
    set(f.multiple_statements, kMulti);
    set(f.has_comment, kComment);
    set(f.has_executable_comment, kExecutable);
    set(f.unterminated, kUnterminated);
    set(f.into_outfile_or_dumpfile, kOutfile);
    set(f.load_file, kLoadFile);
    set(f.load_data_local, kLoadLocal);
    set(f.has_union, kUnion);
    set(f.has_placeholders, kPlaceholders);
    set(f.implicit_commit, kImplicitCommit);
    set(f.global_variable, kGlobal);
    set(f.compound_statement, kCompound);
    set(f.creates_temporary_table, kTemporary);
    return bits;
}

struct Case {
    std::string_view sql;
    StatementClass statement_class;
    PrimaryReason reason = P::none;
    std::uint32_t flags = kNoFlags;
};

std::ostream& operator<<(std::ostream& os, const Case& c) {
    return os << c.sql;
}

class ClassifierTable : public testing::TestWithParam<Case> {};

TEST_P(ClassifierTable, ClassReasonAndFlags) {
    const Case& c = GetParam();
    const StatementInfo info = describe(c.sql);
    EXPECT_EQ(to_string(info.statement_class), to_string(c.statement_class));
    EXPECT_EQ(to_string(info.primary_reason), to_string(c.reason));
    EXPECT_EQ(flag_bits(info.flags), c.flags) << "expected flag bits " << c.flags;
}

// clang-format off
const Case kReads[] = {
    {"SELECT 1", C::read},
    {"select 1", C::read},
    {"SeLeCt 1", C::read},
    {"SELECT @@server_id", C::read},
    {"SELECT @@session.sql_mode", C::read},
    {"SELECT * FROM t WHERE id = 1", C::read},
    {"SELECT * FROM t;", C::read},
    {"SELECT * FROM t;;;", C::read},
    {"SELECT * FROM t ; \n ", C::read},
    {"  \n\t SELECT 1", C::read},
    {"(SELECT 1)", C::read},
    {"((SELECT 1))", C::read},
    {"(SELECT a FROM t) UNION (SELECT b FROM u)", C::read, P::none, kUnion},
    {"SELECT a FROM t UNION ALL SELECT b FROM u", C::read, P::none, kUnion},
    {"SELECT * FROM (SELECT * FROM (SELECT 1) x) y", C::read},
    {"SELECT * FROM t WHERE a IN (SELECT a FROM u WHERE b > 2)", C::read},
    {"WITH c AS (SELECT 1 AS x) SELECT * FROM c", C::read},
    {"WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT * FROM c",
     C::read, P::none, kUnion},
    {"with a as (select 1), b as (select 2) select * from a, b", C::read},
    {"SHOW TABLES", C::read},
    {"show databases", C::read},
    {"SHOW CREATE TABLE t", C::read},
    {"SHOW SLAVE STATUS", C::read},
    {"DESCRIBE t", C::read},
    {"DESC t", C::read},
    {"EXPLAIN SELECT * FROM t", C::read},
    {"EXPLAIN FORMAT=JSON SELECT * FROM t", C::read},
    {"EXPLAIN EXTENDED SELECT 1", C::read},
    {"EXPLAIN UPDATE t SET a = 1", C::read},
    {"EXPLAIN SELECT * FROM t FOR UPDATE", C::read},
    {"EXPLAIN SELECT LAST_INSERT_ID()", C::read},
    {"DESCRIBE SELECT * FROM t", C::read},
    {"HELP 'contents'", C::read},
    {"ANALYZE SELECT * FROM t", C::read},
    {"ANALYZE FORMAT=JSON SELECT * FROM t", C::read},
    {"EXPLAIN ANALYZE SELECT * FROM t", C::read},
    {"VALUES (1, 2), (3, 4)", C::read},
    {"TABLE t", C::read},
    {"SELECT 'FOR UPDATE'", C::read},
    {"SELECT 'it\\'s FOR UPDATE'", C::read},
    {"SELECT 'a''b FOR UPDATE'", C::read},
    {"SELECT \"FOR UPDATE\"", C::read},
    {"SELECT \"a\\\"b FOR UPDATE\"", C::read},
    {"SELECT * FROM t /* FOR UPDATE */", C::read, P::none, kComment},
    {"SELECT * FROM t -- FOR UPDATE", C::read, P::none, kComment},
    {"SELECT * FROM t # FOR UPDATE", C::read, P::none, kComment},
    {"SELECT * FROM t #FOR UPDATE\n", C::read, P::none, kComment},
    {"SELECT * FROM t /*+ FOR UPDATE */", C::read, P::none, kComment},
    {"SELECT `for update` FROM t", C::read},
    {"SELECT `FOR` `UPDATE` FROM t", C::read},
    {"SELECT 1--1", C::read},
    {"SELECT 1 --1", C::read},
    {"SELECT 1-- \nFROM dual", C::read, P::none, kComment},
    {"SELECT 'LAST_INSERT_ID()'", C::read},
    {"SELECT `LAST_INSERT_ID` FROM t", C::read},
    {"SELECT `LAST_INSERT_ID`() FROM t", C::write, P::stored_function},  // quoted: not resolved as a builtin here
    {"SELECT my_last_insert_id_col FROM t", C::read},
    {"SELECT last_insert_id FROM t", C::read},
    {"SELECT t.last_insert_id FROM t", C::read},
    {"SELECT db.last_insert_id() FROM t", C::write, P::stored_function},
    {"SELECT get_lock_count FROM locks", C::read},
    {"SELECT * FROM t WHERE a = @x", C::read},
    {"SELECT @x = 1", C::read},
    {"SELECT @@last_insert_id_fake", C::read},
    {"SELECT * FROM t WHERE a = ? AND b = ?", C::read, P::none, kPlaceholders},
    {"/* leading */ SELECT 1", C::read, P::none, kComment},
    {"-- leading\nSELECT 1", C::read, P::none, kComment},
    {"# leading\nSELECT 1", C::read, P::none, kComment},
    {"/*!40001 SQL_NO_CACHE */ SELECT 1", C::other, P::none, kComment | kExecutable},
    {"SELECT /*!40001 SQL_NO_CACHE */ * FROM t", C::read, P::none, kComment | kExecutable},
    {"SELECT /*+ MAX_EXECUTION_TIME(100) */ * FROM t", C::read, P::none, kComment},
    {"/*!SELECT*/ 1", C::read, P::none, kComment | kExecutable},
    {"SELECT 1 /*!50000 , 2 */", C::read, P::none, kComment | kExecutable},
    {"SELECT /*!50001 SQL_NO_CACHE */ a /*M!100100 , b */ FROM t", C::read, P::none,
     kComment | kExecutable},
    {"SELECT * FROM t FORCE INDEX (a) WHERE b LIKE 'x%' ORDER BY c LIMIT 10", C::read},
    {"SELECT CASE WHEN a THEN 'b' END FROM t", C::read},
    {"SELECT COUNT(*) FROM t GROUP BY a HAVING COUNT(*) > 1", C::read},
    {"SELECT a FROM t FOR SYSTEM_TIME AS OF TIMESTAMP '2020-01-01'", C::read},
    {"SELECT LOAD_FILE('/etc/passwd')", C::read, P::none, kLoadFile},
    {"SELECT 1 FROM dual WHERE 'x' = \"x\" -- sqlgate:route=random", C::read, P::none, kComment},
    {"SELECT UPDATE_TIME FROM information_schema.TABLES", C::read},
    {"SELECT share, mode FROM t", C::read},
    {"SELECT * FROM t1 JOIN t2 USING (id) LEFT JOIN t3 ON t3.a = t1.a", C::read},
    {"SELECT JSON_EXTRACT(doc, '$.a') FROM t", C::read},
    {"SELECT doc->>'$.a' FROM t", C::read},
    {"SELECT 1;", C::read},
    {"SELECT 'unterminated", C::read, P::none, kUnterminated},
    {"SELECT 1 /* unterminated", C::read, P::none, kComment | kUnterminated},
    {"SELECT `unterminated", C::read, P::none, kUnterminated},
    {"SELECT * FROM t WHERE note = 'LOCK IN SHARE MODE'", C::read},
    {"SELECT * FROM t WHERE a = 'x\\\\' AND b = 'FOR UPDATE'", C::read},
    {"SELECT \"it''s FOR UPDATE\" FROM t", C::read},
    {"SELECT /* multi\nline\ncomment */ 1", C::read, P::none, kComment},
    {"SELECT 1 /**/", C::read, P::none, kComment},
    {"SELECT 1 /***/", C::read, P::none, kComment},
    {"SELECT 1 # comment with 'quote\nFROM dual", C::read, P::none, kComment},
    {"SELECT 1 -- comment with 'quote\n", C::read, P::none, kComment},
    {"SELECT '#not a comment', '-- nor this', '/* nor this */'", C::read},
    {"SELECT `a``FOR UPDATE` FROM t", C::read},
    {"SELECT @@server_id, @@hostname", C::read},
    {"SELECT @@global.read_only", C::read},
    {"SELECT * FROM information_schema.processlist", C::read},
    {"SELECT 1 FROM DUAL", C::read},
    {"SELECT NOW(), RAND(), UUID(), SLEEP(0)", C::read},
    {"SELECT CONCAT('a', \"b\") AS `c`", C::read},
    {"SELECT x'4142', 0x4142, b'01', N'x'", C::read},
    {"SELECT -1--1", C::read},
    {"SELECT a FROM t WHERE b = -- comment\n 1", C::read, P::none, kComment},
    {"\n\n  -- comment\n  /* another */  # third\n SELECT 1", C::read, P::none, kComment},
    {"SELECT found_rows FROM stats", C::read},
    {"SELECT a, ROW_NUMBER() OVER w FROM t WINDOW w AS (PARTITION BY a)", C::read},
    {"SELECT a FROM t WHERE b LIKE '%;%'", C::read},
    {"SELECT 1 /* ; DROP TABLE t */", C::read, P::none, kComment},
    {"SELECT \"x;y\"", C::read},
    {"SELECT 1 -- ;DROP TABLE t", C::read, P::none, kComment},
    {"SHOW FULL PROCESSLIST", C::read},
    {"SHOW VARIABLES LIKE 'x%'", C::read},
    {"show global status", C::read},
    {"EXPLAIN FORMAT=JSON DELETE FROM t", C::read},
    {"DESCRIBE `my table`", C::read},
    {"HELP SELECT", C::read},
    {"SELECT * FROM t WHERE MATCH (a) AGAINST ('x' IN BOOLEAN MODE)", C::read},
    {"SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.a = t1.a)", C::read},
};

const Case kPrimaryReads[] = {
    {"SELECT * FROM t FOR UPDATE", C::write, P::locking_read},
    {"select * from t for update", C::write, P::locking_read},
    {"SELECT * FROM t FOR UPDATE SKIP LOCKED", C::write, P::locking_read},
    {"SELECT * FROM t FOR UPDATE NOWAIT", C::write, P::locking_read},
    {"SELECT * FROM t FOR UPDATE WAIT 5", C::write, P::locking_read},
    {"SELECT * FROM t WHERE a = 'x' FOR\nUPDATE", C::write, P::locking_read},
    {"SELECT * FROM t FOR /* c */ UPDATE", C::write, P::locking_read, kComment},
    {"SELECT * FROM t LOCK IN SHARE MODE", C::write, P::locking_read},
    {"SELECT * FROM t lock in share mode", C::write, P::locking_read},
    {"SELECT * FROM t FOR SHARE", C::write, P::locking_read},
    {"(SELECT * FROM t FOR UPDATE)", C::write, P::locking_read},
    {"SELECT * FROM (SELECT * FROM t FOR UPDATE) x", C::write, P::locking_read},
    {"WITH c AS (SELECT 1) SELECT * FROM c FOR UPDATE", C::write, P::locking_read},
    {"SELECT 1 /*!50000 FOR UPDATE */", C::write, P::locking_read, kComment | kExecutable},
    {"SELECT 1 /*M!100100 FOR UPDATE */", C::write, P::locking_read, kComment | kExecutable},
    {"SELECT 1 /*!50000 FOR UPDATE", C::write, P::locking_read,
     kComment | kExecutable | kUnterminated},
    {"SELECT * FROM t -- x\nFOR UPDATE", C::write, P::locking_read, kComment},
    {"SELECT a INTO @x FROM t", C::write, P::select_into},
    {"SELECT a, b INTO @x, @y FROM t LIMIT 1", C::write, P::select_into},
    {"SELECT * FROM t INTO OUTFILE '/tmp/x'", C::write, P::select_into, kOutfile},
    {"SELECT * INTO DUMPFILE '/tmp/x' FROM t", C::write, P::select_into, kOutfile},
    {"select * from t into outfile '/tmp/x' fields terminated by ','", C::write, P::select_into,
     kOutfile},
    {"SELECT LAST_INSERT_ID()", C::write, P::primary_function},
    {"select last_insert_id()", C::write, P::primary_function},
    {"SELECT Last_Insert_Id ()", C::write, P::primary_function},
    {"SELECT last_insert_id\n(\n)", C::write, P::primary_function},
    {"SELECT last_insert_id/**/()", C::write, P::primary_function, kComment},
    {"SELECT GET_LOCK('a', 10)", C::write, P::primary_function},
    {"SELECT RELEASE_LOCK('a')", C::write, P::primary_function},
    {"SELECT RELEASE_ALL_LOCKS()", C::write, P::primary_function},
    {"SELECT IS_FREE_LOCK('a')", C::write, P::primary_function},
    {"SELECT IS_USED_LOCK('a')", C::write, P::primary_function},
    {"SELECT NEXTVAL(s)", C::write, P::primary_function},
    {"SELECT LASTVAL(s)", C::write, P::primary_function},
    {"SELECT SETVAL(s, 10)", C::write, P::primary_function},
    {"SELECT NEXT VALUE FOR s", C::write, P::primary_function},
    {"SELECT previous value for s", C::write, P::primary_function},
    {"SELECT MASTER_POS_WAIT('log.000001', 4)", C::write, P::primary_function},
    {"SELECT MASTER_GTID_WAIT('0-1-100')", C::write, P::primary_function},
    {"SELECT a FROM t WHERE id = LAST_INSERT_ID()", C::write, P::primary_function},
    {"SELECT * FROM t WHERE id IN (SELECT LAST_INSERT_ID())", C::write, P::primary_function},
    {"SELECT @@last_insert_id", C::write, P::primary_variable},
    {"SELECT @@identity", C::write, P::primary_variable},
    {"SELECT @@IDENTITY", C::write, P::primary_variable},
    {"SELECT @@insert_id", C::write, P::primary_variable},
    {"SELECT @@session.last_insert_id", C::write, P::primary_variable},
    {"SELECT @x := 1", C::write, P::user_variable_assignment},
    {"SELECT @x:=a FROM t", C::write, P::user_variable_assignment},
    {"SELECT @rownum := @rownum + 1 AS n, a FROM t", C::write, P::user_variable_assignment},
    {"SELECT SQL_CALC_FOUND_ROWS * FROM t LIMIT 10", C::write, P::calc_found_rows},
    {"SELECT /*!50000 LAST_INSERT_ID() */", C::write, P::primary_function,
     kComment | kExecutable},
    {"SELECT 1; DELETE FROM t", C::write, P::multiple_statements, kMulti},
    {"/*!99999 SELECT */ DELETE FROM t", C::write, P::versioned_comment, kComment | kExecutable},
    {"/*M!999999 SELECT */ DELETE FROM t", C::write, P::versioned_comment,
     kComment | kExecutable},
    {"SELECT * FROM t /*!99999 ; DROP TABLE t */", C::write, P::multiple_statements,
     kComment | kExecutable | kMulti | kImplicitCommit},
    {"SELECT 1; SELECT LAST_INSERT_ID()", C::write, P::multiple_statements, kMulti},
    {"SELECT * FROM t LIMIT 1 FOR UPDATE OF t", C::write, P::locking_read},
    {"SELECT NEXTVAL(`seq`)", C::write, P::primary_function},
    {"select * from t where id = 1 for update -- trailing", C::write, P::locking_read, kComment},
    {"SELECT * FROM t WHERE a = 'it''s' FOR UPDATE", C::write, P::locking_read},
    {"SELECT * FROM t WHERE a = 'it\\'s' FOR UPDATE", C::write, P::locking_read},
    {"SELECT * FROM t WHERE a = \"x\" LOCK IN SHARE MODE", C::write, P::locking_read},
    {"SELECT @a := 1, @b := 2", C::write, P::user_variable_assignment},
    {"SELECT CAST(@x := 5 AS CHAR)", C::write, P::user_variable_assignment},
    {"SELECT 1 INTO @a", C::write, P::select_into},
    {"SELECT @@SESSION.IDENTITY", C::write, P::primary_variable},
    {"SELECT MASTER_POS_WAIT ('f', 1)", C::write, P::primary_function},
    {"SELECT source_pos_wait('f', 1)", C::write, P::primary_function},
    {"SELECT 1 UNION SELECT LAST_INSERT_ID()", C::write, P::primary_function, kUnion},
    {"SELECT\tget_lock('x',1)", C::write, P::primary_function},
    {"WITH x AS (SELECT GET_LOCK('a',1)) SELECT * FROM x", C::write, P::primary_function},
    {"WITH x AS (SELECT * FROM t FOR UPDATE) SELECT * FROM x", C::write, P::locking_read},
    {"SELECT * FROM t FOR/**/UPDATE", C::write, P::locking_read, kComment},
    {"SELECT * FROM t For Update", C::write, P::locking_read},
};

const Case kWrites[] = {
    {"INSERT INTO t VALUES (1)", C::write},
    {"insert into t (a) values ('FOR UPDATE')", C::write},
    {"INSERT INTO t SELECT * FROM u", C::write},
    {"INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 2", C::write},
    {"INSERT INTO t VALUES (?, ?)", C::write, P::none, kPlaceholders},
    {"UPDATE t SET a = 1 WHERE b = 2", C::write},
    {"DELETE FROM t WHERE a = 1", C::write},
    {"REPLACE INTO t VALUES (1)", C::write},
    {"CREATE TABLE t (a INT)", C::write, P::none, kImplicitCommit},
    {"CREATE TEMPORARY TABLE t (a INT)", C::write, P::none, kTemporary},
    {"CREATE OR REPLACE TEMPORARY TABLE t SELECT 1", C::write, P::none, kTemporary},
    {"SELECT 1; CREATE TEMPORARY TABLE t (a INT)", C::write, P::multiple_statements,
     kMulti | kTemporary},
    {"CREATE OR REPLACE TABLE t (a INT)", C::write, P::none, kImplicitCommit},
    {"CREATE TABLE t AS SELECT * FROM u", C::write, P::none, kImplicitCommit},
    {"CREATE INDEX i ON t (a)", C::write, P::none, kImplicitCommit},
    {"CREATE DATABASE d", C::write, P::none, kImplicitCommit},
    {"CREATE VIEW v AS SELECT 1", C::write, P::none, kImplicitCommit},
    {"ALTER TABLE t ADD COLUMN b INT", C::write, P::none, kImplicitCommit},
    {"DROP TABLE t", C::write, P::none, kImplicitCommit},
    {"DROP TEMPORARY TABLE t", C::write},
    {"TRUNCATE TABLE t", C::write, P::none, kImplicitCommit},
    {"RENAME TABLE a TO b", C::write, P::none, kImplicitCommit},
    {"GRANT SELECT ON d.* TO 'u'@'%'", C::write, P::none, kImplicitCommit},
    {"REVOKE SELECT ON d.* FROM 'u'@'%'", C::write, P::none, kImplicitCommit},
    {"LOAD DATA INFILE '/tmp/x' INTO TABLE t", C::write},
    {"LOAD DATA LOCAL INFILE '/tmp/x' INTO TABLE t", C::write, P::none, kLoadLocal},
    {"load data low_priority local infile 'x' into table t", C::write, P::none, kLoadLocal},
    {"LOAD XML LOCAL INFILE 'x' INTO TABLE t", C::write, P::none, kLoadLocal},
    {"LOAD INDEX INTO CACHE t", C::other},
    {"CALL p()", C::write},
    {"CALL p(1, 'a')", C::write},
    {"LOCK TABLES t WRITE", C::write, P::none, kImplicitCommit},
    {"LOCK TABLE t READ", C::write, P::none, kImplicitCommit},
    {"UNLOCK TABLES", C::write},
    {"ANALYZE TABLE t", C::write, P::none, kImplicitCommit},
    {"ANALYZE NO_WRITE_TO_BINLOG TABLE t", C::write, P::none, kImplicitCommit},
    {"ANALYZE UPDATE t SET a = 1", C::write},
    {"ANALYZE DELETE FROM t", C::write},
    {"OPTIMIZE TABLE t", C::write, P::none, kImplicitCommit},
    {"REPAIR TABLE t", C::write, P::none, kImplicitCommit},
    {"WITH c AS (SELECT 1 AS id) UPDATE t JOIN c USING (id) SET a = 1", C::write},
    {"WITH c AS (SELECT 1 AS id) DELETE FROM t WHERE id IN (SELECT id FROM c)", C::write},
    {"/*!40101 INSERT INTO t VALUES (1) */", C::write, P::none, kComment | kExecutable},
    {"/*M!100101 DELETE FROM t */", C::write, P::none, kComment | kExecutable},
    {"/* c */ UPDATE t SET a = 1", C::write, P::none, kComment},
    {"SET PASSWORD = PASSWORD('x')", C::write},
    {"SET PASSWORD FOR 'u'@'%' = 'x'", C::write},
    {"SET DEFAULT ROLE r FOR u", C::write},
    {"BEGIN NOT ATOMIC SELECT 1; INSERT INTO t VALUES (1); END", C::write, P::none, kCompound},
    {"CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END", C::write, P::none,
     kImplicitCommit | kCompound},
    {"CREATE DEFINER=`root`@`localhost` PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; "
     "CASE WHEN 1 THEN SELECT 2; END CASE; END",
     C::write, P::none, kImplicitCommit | kCompound},
    {"CREATE PROCEDURE p() BEGIN SELECT 1; END; DROP TABLE t", C::write, P::none,
     kImplicitCommit | kCompound | kMulti},
    {"CREATE TABLE event (begin INT); DROP TABLE t", C::write, P::none,
     kImplicitCommit | kMulti},
    {"CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END", C::write,
     P::none, kImplicitCommit | kCompound},
    {"SET STATEMENT max_statement_time=10 FOR UPDATE t SET a = 1", C::write},
    {"SET STATEMENT max_statement_time=10 FOR SELECT * FROM t FOR UPDATE", C::write,
     P::locking_read},
    {"DELETE FROM t; SELECT 1", C::write, P::none, kMulti},
    {"UPDATE t SET a = 1 WHERE b = 'x;y'", C::write},
    {"BINLOG 'abc'", C::write},
    {"INSERT INTO t VALUES ('SELECT 1')", C::write},
    {"insert into t values (1) returning id", C::write},
    {"DELETE FROM t ORDER BY id LIMIT 10", C::write},
    {"UPDATE t SET a = (SELECT b FROM u WHERE u.id = t.id)", C::write},
    {"REPLACE t SET a = 1", C::write},
    {"CREATE USER 'u'@'%' IDENTIFIED BY 'p'", C::write, P::none, kImplicitCommit},
    {"DROP USER u", C::write, P::none, kImplicitCommit},
    {"ALTER USER u IDENTIFIED BY 'x'", C::write, P::none, kImplicitCommit},
    {"CREATE SEQUENCE s", C::write, P::none, kImplicitCommit},
    {"CREATE FUNCTION f() RETURNS INT RETURN 1", C::write, P::none, kImplicitCommit | kCompound},
    {"CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END", C::write, P::none,
     kImplicitCommit | kCompound},
    {"CREATE PROCEDURE p() BEGIN WHILE 1 DO SELECT 1; END WHILE; REPEAT SELECT 2; UNTIL 1 "
     "END REPEAT; l: LOOP LEAVE l; END LOOP; END",
     C::write, P::none, kImplicitCommit | kCompound},
    {"IMPORT TABLE FROM '/tmp/x.sdi'", C::write, P::none, kImplicitCommit},
    {"   insert into t values(1)", C::write},
    {"/* sqlgate:route=random */ INSERT INTO t VALUES (1)", C::write, P::none, kComment},
    {"CALL `p`()", C::write},
    {"LOCK TABLES t READ LOCAL", C::write, P::none, kImplicitCommit},
};

const Case kTransactions[] = {
    {"BEGIN", C::transaction},
    {"begin work", C::transaction},
    {"START TRANSACTION", C::transaction},
    {"START TRANSACTION READ ONLY", C::transaction},
    {"START TRANSACTION READ WRITE", C::transaction},
    {"START TRANSACTION WITH CONSISTENT SNAPSHOT", C::transaction},
    {"COMMIT", C::transaction},
    {"COMMIT WORK", C::transaction},
    {"COMMIT AND CHAIN", C::transaction},
    {"ROLLBACK", C::transaction},
    {"ROLLBACK AND NO CHAIN", C::transaction},
    {"ROLLBACK TO SAVEPOINT s", C::transaction},
    {"ROLLBACK WORK TO s", C::transaction},
    {"SAVEPOINT s", C::transaction},
    {"RELEASE SAVEPOINT s", C::transaction},
    {"XA START 'x'", C::transaction},
    {"XA END 'x'", C::transaction},
    {"XA PREPARE 'x'", C::transaction},
    {"XA COMMIT 'x'", C::transaction},
    {"XA ROLLBACK 'x'", C::transaction},
    {"XA RECOVER", C::transaction},
    {"commit;", C::transaction},
    {"START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT", C::transaction},
    {"ROLLBACK WORK AND CHAIN RELEASE", C::transaction},
    {"COMMIT NO RELEASE", C::transaction},
    {"BEGIN;", C::transaction},
    {"/* c */ BEGIN", C::transaction, P::none, kComment},
    {"XA START 'a', 'b', 1", C::transaction},
};

const Case kSessionState[] = {
    {"USE db", C::session_state},
    {"use `my db`", C::session_state},
    {"USE db;", C::session_state},
    {"SET NAMES utf8mb4", C::session_state},
    {"SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'", C::session_state},
    {"SET CHARACTER SET utf8", C::session_state},
    {"SET CHARSET utf8", C::session_state},
    {"SET SESSION sql_mode = 'STRICT_ALL_TABLES'", C::session_state},
    {"SET LOCAL wait_timeout = 10", C::session_state},
    {"SET @@session.time_zone = '+00:00'", C::session_state},
    {"SET @@time_zone = '+00:00'", C::session_state},
    {"SET time_zone = '+00:00'", C::session_state},
    {"SET @x = 1", C::session_state},
    {"SET @x := (SELECT COUNT(*) FROM t), @y = 2", C::session_state},
    {"SET autocommit = 0", C::session_state},
    {"SET autocommit=ON", C::session_state},
    {"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", C::session_state},
    {"SET TRANSACTION READ ONLY", C::session_state},
    {"SET sql_mode='ANSI,NO_BACKSLASH_ESCAPES'", C::session_state},
    {"SET NAMES utf8mb4, autocommit = 1", C::session_state},
    {"SET ROLE r", C::session_state},
    {"SET STATEMENT max_statement_time=1 FOR SET NAMES utf8", C::session_state},
    {"SET @a = 1, @b = 'x'", C::session_state},
    {"SET SESSION wait_timeout=60, SESSION net_read_timeout=30", C::session_state},
    {"SET LOCAL TRANSACTION READ WRITE", C::session_state},
    {"SET @@SESSION.sql_mode = CONCAT(@@sql_mode, ',STRICT_ALL_TABLES')", C::session_state},
    {"/*!40101 SET NAMES utf8mb4 */", C::session_state, P::none, kComment | kExecutable},
    {"/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;", C::session_state,
     P::none, kComment | kExecutable},
    {"SET sql_log_bin = 0", C::session_state},
    {"set names latin1;", C::session_state},
    {"USE information_schema", C::session_state},
};

const Case kOthers[] = {
    {"", C::other, P::none, kEmpty},
    {"   \n\t ", C::other, P::none, kEmpty},
    {";", C::other, P::none, kEmpty},
    {" ; ; ", C::other, P::none, kEmpty},
    {"/* only a comment */", C::other, P::none, kEmpty | kComment},
    {"-- only a comment", C::other, P::none, kEmpty | kComment},
    {"# only a comment", C::other, P::none, kEmpty | kComment},
    {"/* unterminated", C::other, P::none, kComment | kUnterminated},
    {"'just a string'", C::other},
    {"FROBNICATE t", C::other},
    {"SET GLOBAL max_connections = 10", C::other, P::none, kGlobal},
    {"SET @@global.max_connections = 10", C::other, P::none, kGlobal},
    {"SET PERSIST max_connections = 10", C::other, P::none, kGlobal},
    {"SET autocommit = 0, GLOBAL max_connections = 10", C::other, P::none, kGlobal},
    {"SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE", C::other, P::none, kGlobal},
    {"SET", C::other},
    {"DO 1", C::other},
    {"DO GET_LOCK('a', 1)", C::other},
    {"FLUSH PRIVILEGES", C::other, P::none, kImplicitCommit},
    {"KILL 42", C::other},
    {"CHECK TABLE t", C::other, P::none, kImplicitCommit},
    {"PREPARE s FROM 'SELECT 1'", C::other},
    {"EXECUTE s", C::other},
    {"DEALLOCATE PREPARE s", C::other},
    {"HANDLER t OPEN", C::other},
    {"START SLAVE", C::other},
    {"STOP SLAVE", C::other, P::none, kImplicitCommit},
    {"CHANGE MASTER TO MASTER_HOST='x'", C::other, P::none, kImplicitCommit},
    {"RELEASE x", C::other},
    {"USE", C::other},
    {"(1)", C::other},
    {"SET STATEMENT x=1", C::other},
    {"`select` 1", C::other},
    {"GET DIAGNOSTICS @x = NUMBER", C::other},
    {"SIGNAL SQLSTATE '45000'", C::other},
    {"RESET QUERY CACHE", C::other, P::none, kImplicitCommit},
    {"PURGE BINARY LOGS TO 'x'", C::other},
    {"SHUTDOWN", C::other},
    {"INSTALL PLUGIN x SONAME 'y'", C::other},
    {"CHECKSUM TABLE t", C::other},
    {"CACHE INDEX t IN k", C::other, P::none, kImplicitCommit},
    {"BACKUP STAGE START", C::other},
    {"SET GLOBAL sql_mode = ''; SELECT 1", C::other, P::none, kGlobal | kMulti},
    {"1", C::other},
    {"?", C::other, P::none, kPlaceholders},
    {"/*!*/", C::other, P::none, kEmpty | kComment | kExecutable},
    {"/*!50000 */ ;", C::other, P::none, kEmpty | kComment | kExecutable},
};
// clang-format on

INSTANTIATE_TEST_SUITE_P(Reads, ClassifierTable, testing::ValuesIn(kReads));
INSTANTIATE_TEST_SUITE_P(PrimaryReads, ClassifierTable, testing::ValuesIn(kPrimaryReads));
INSTANTIATE_TEST_SUITE_P(Writes, ClassifierTable, testing::ValuesIn(kWrites));
INSTANTIATE_TEST_SUITE_P(Transactions, ClassifierTable, testing::ValuesIn(kTransactions));
INSTANTIATE_TEST_SUITE_P(SessionState, ClassifierTable, testing::ValuesIn(kSessionState));
INSTANTIATE_TEST_SUITE_P(Others, ClassifierTable, testing::ValuesIn(kOthers));

struct TransactionCase {
    std::string_view sql;
    TransactionEffect effect;
    bool read_only = false;
};

std::ostream& operator<<(std::ostream& os, const TransactionCase& c) {
    return os << c.sql;
}

class TransactionTable : public testing::TestWithParam<TransactionCase> {};

TEST_P(TransactionTable, Effect) {
    const TransactionCase& c = GetParam();
    const StatementInfo info = describe(c.sql);
    EXPECT_EQ(to_string(info.transaction), to_string(c.effect));
    EXPECT_EQ(info.read_only_transaction, c.read_only);
}

using E = TransactionEffect;

INSTANTIATE_TEST_SUITE_P(
    Cases, TransactionTable,
    testing::Values(TransactionCase{"BEGIN", E::begin}, TransactionCase{"BEGIN WORK", E::begin},
                    TransactionCase{"START TRANSACTION", E::begin},
                    TransactionCase{"START TRANSACTION READ ONLY", E::begin, true},
                    TransactionCase{"start transaction read write", E::begin},
                    TransactionCase{"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
                                    E::begin, true},
                    TransactionCase{"COMMIT", E::commit},
                    TransactionCase{"COMMIT WORK AND NO CHAIN", E::commit},
                    TransactionCase{"COMMIT AND CHAIN", E::commit_and_chain},
                    TransactionCase{"COMMIT WORK AND CHAIN NO RELEASE", E::commit_and_chain},
                    TransactionCase{"ROLLBACK", E::rollback},
                    TransactionCase{"ROLLBACK AND CHAIN", E::rollback_and_chain},
                    TransactionCase{"ROLLBACK TO SAVEPOINT s", E::savepoint},
                    TransactionCase{"ROLLBACK TO s", E::savepoint},
                    TransactionCase{"SAVEPOINT s", E::savepoint},
                    TransactionCase{"RELEASE SAVEPOINT s", E::savepoint},
                    TransactionCase{"XA START 'x'", E::begin},
                    TransactionCase{"XA BEGIN 'x'", E::begin},
                    TransactionCase{"XA END 'x'", E::none},
                    TransactionCase{"XA COMMIT 'x' ONE PHASE", E::commit},
                    TransactionCase{"XA ROLLBACK 'x'", E::rollback},
                    TransactionCase{"/* c */ commit", E::commit},
                    TransactionCase{"BEGIN NOT ATOMIC SELECT 1; END", E::none},
                    TransactionCase{"SELECT 1", E::none}));

struct AutocommitCase {
    std::string_view sql;
    std::optional<bool> autocommit;
};

std::ostream& operator<<(std::ostream& os, const AutocommitCase& c) {
    return os << c.sql;
}

class AutocommitTable : public testing::TestWithParam<AutocommitCase> {};

TEST_P(AutocommitTable, Value) {
    const AutocommitCase& c = GetParam();
    EXPECT_EQ(describe(c.sql).autocommit, c.autocommit);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AutocommitTable,
    testing::Values(AutocommitCase{"SET autocommit = 0", false},
                    AutocommitCase{"SET autocommit=1", true},
                    AutocommitCase{"set AUTOCOMMIT = on", true},
                    AutocommitCase{"SET autocommit = OFF", false},
                    AutocommitCase{"SET autocommit := TRUE", true},
                    AutocommitCase{"SET autocommit = false", false},
                    AutocommitCase{"SET autocommit = 'ON'", true},
                    AutocommitCase{"SET SESSION autocommit = 0", false},
                    AutocommitCase{"SET @@autocommit = 0", false},
                    AutocommitCase{"SET @@session.autocommit = 1", true},
                    AutocommitCase{"SET NAMES utf8, autocommit = 0", false},
                    AutocommitCase{"SET autocommit = 0, NAMES utf8", false},
                    AutocommitCase{"SET autocommit = 1 + 0", std::nullopt},
                    AutocommitCase{"SET autocommit = @x", std::nullopt},
                    AutocommitCase{"SET GLOBAL autocommit = 0", std::nullopt},
                    AutocommitCase{"SET @@global.autocommit = 0", std::nullopt},
                    AutocommitCase{"SET @autocommit = 0", std::nullopt},
                    AutocommitCase{"SET sql_mode = 'autocommit'", std::nullopt},
                    AutocommitCase{"SELECT 'SET autocommit = 0'", std::nullopt}));

TEST(ClassifierUse, ExposesSchema) {
    const StatementInfo plain = describe("USE shop");
    EXPECT_EQ(plain.schema, "shop");
    EXPECT_FALSE(plain.schema_quoted);
    EXPECT_EQ(plain.schema_name(), "shop");
    EXPECT_EQ(plain.verb, Keyword::kUse);

    const StatementInfo quoted = describe("USE `my``db`;");
    EXPECT_EQ(quoted.schema, "my``db");
    EXPECT_TRUE(quoted.schema_quoted);
    EXPECT_EQ(quoted.schema_name(), "my`db");

    EXPECT_TRUE(describe("/* x */ use\n  `a b`").schema == "a b");
    EXPECT_TRUE(describe("SELECT 1").schema.empty());
}

TEST(ClassifierFlags, DiagnosticsOfThePreviousStatement) {
    for (std::string_view sql :
         {"SHOW WARNINGS", "show errors limit 5", "SHOW COUNT(*) WARNINGS",
          "SHOW COUNT ( * ) ERRORS", "SELECT @@warning_count", "SELECT @@session.error_count, 1"}) {
        const StatementInfo info = describe(sql);
        EXPECT_TRUE(info.flags.reads_diagnostics) << sql;
        EXPECT_EQ(info.statement_class, StatementClass::read) << sql;
    }
    for (std::string_view sql :
         {"SHOW TABLES", "SHOW VARIABLES LIKE 'warning%'", "SELECT 'SHOW WARNINGS'",
          "SELECT warning_count FROM t", "SHOW /* WARNINGS */ VARIABLES", "SHOW GLOBAL STATUS",
          "SELECT found_rows FROM t", "SELECT 'FOUND_ROWS()'"}) {
        EXPECT_FALSE(describe(sql).flags.reads_diagnostics) << sql;
    }
}

// Counts and traces of the previous statement are answered where it ran, like warnings.
TEST(ClassifierFlags, OtherFactsOfThePreviousStatement) {
    for (std::string_view sql :
         {"SELECT FOUND_ROWS()", "select row_count()",
          "SELECT a FROM t WHERE b = (SELECT ROW_COUNT())", "SHOW STATUS",
          "SHOW SESSION STATUS LIKE 'Handler%'", "show local status", "SHOW PROFILES",
          "SHOW PROFILE CPU", "SELECT * FROM information_schema.OPTIMIZER_TRACE",
          "SELECT VARIABLE_VALUE FROM information_schema.session_status "
          "WHERE VARIABLE_NAME = 'HANDLER_READ_KEY'",
          "SELECT * FROM INFORMATION_SCHEMA.PROFILING"}) {
        const StatementInfo info = describe(sql);
        EXPECT_TRUE(info.flags.reads_diagnostics) << sql;
        EXPECT_EQ(info.statement_class, StatementClass::read) << sql;
    }
}

// A call of anything but a builtin runs code sqlgate cannot see: a stored function or a
// UDF, which may write. Only the primary may run it.
TEST(ClassifierStoredFunctions, CallsOfNonBuiltinsStayOnThePrimary) {
    for (std::string_view sql :
         {"SELECT next_seq_value()", "SELECT f(1) FROM t", "SELECT db.f()", "SELECT `f`()",
          "SELECT `db`.`f`(a) FROM t", "SELECT * FROM t WHERE a = my_func(b)",
          "SELECT COUNT(*) FROM t WHERE x = CONCAT(udf_thing(1), 'a')",
          "SELECT a FROM t ORDER BY ranker (a)", "WITH c AS (SELECT g() AS v) SELECT v FROM c",
          "SELECT 1 UNION SELECT h()", "(SELECT f())"}) {
        const StatementInfo info = describe(sql);
        EXPECT_EQ(info.statement_class, StatementClass::write) << sql;
        EXPECT_EQ(info.primary_reason, PrimaryReason::stored_function) << sql;
        EXPECT_TRUE(info.flags.calls_stored_function) << sql;
    }
}

TEST(ClassifierStoredFunctions, BuiltinsTypesAndSyntaxAreNotCalls) {
    for (std::string_view sql : {
             "SELECT COUNT(*), SUM(a), CONCAT(a, 'x'), DATE(NOW()), IF(a, 1, 2) FROM t",
             "SELECT CAST(a AS DECIMAL(10, 2)), CONVERT(a, CHAR(3)), CAST(b AS DATETIME(6)) FROM t",
             "SELECT ST_AsText(g), JSON_EXTRACT(j, '$.a'), Point(1, 2), uuid() FROM t",
             "SELECT * FROM t WHERE a IN (1, 2) AND EXISTS (SELECT 1) AND NOT (b > 1)",
             "WITH cte (a, b) AS (SELECT 1, 2) SELECT * FROM cte",
             "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
             "SELECT n FROM r",
             "SELECT MATCH (a) AGAINST ('x' IN BOOLEAN MODE) FROM t",
             "SELECT ROW_NUMBER() OVER (PARTITION BY a ORDER BY b), LAG(a) OVER w FROM t "
             "WINDOW w AS (ORDER BY a)",
             "SELECT * FROM t1 JOIN t2 USING (id) FORCE INDEX (i)",
             "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$')) AS jt",
             "SELECT (1), ((SELECT 2)), a FROM t WHERE (a, b) = (1, 2) AND c = ANY (SELECT d FROM "
             "u)",
             "SELECT GROUP_CONCAT(a SEPARATOR ','), DATE_FORMAT(d, '%Y'), TIMESTAMPDIFF(DAY, a, b)",
             "SELECT CURRENT_TIMESTAMP(6), LEFT(a, 2), RIGHT(a, 2), TRIM(BOTH 'x' FROM a) FROM t",
             "SELECT * FROM t PARTITION (p0) WHERE a BETWEEN (1) AND (2)",
             "SELECT INTERVAL(5, 1, 10), CHAR(65 USING utf8mb4), WEIGHT_STRING('a')",
         }) {
        const StatementInfo info = describe(sql);
        EXPECT_EQ(info.statement_class, StatementClass::read) << sql;
        EXPECT_FALSE(info.flags.calls_stored_function) << sql;
    }
}

TEST(ClassifierStoredFunctions, OperatorDeclaredReplicaSafeFunctions) {
    const std::vector<std::string> safe = {"f", "db.g"};
    const DescribeOptions options{.replica_safe_functions = safe};
    for (std::string_view sql :
         {"SELECT f()", "SELECT other.f(1)", "SELECT `F`()", "SELECT db.g()", "SELECT `DB`.g()"}) {
        const StatementInfo info = describe(sql, options);
        EXPECT_EQ(info.statement_class, StatementClass::read) << sql;
        EXPECT_FALSE(info.flags.calls_stored_function) << sql;
    }
    for (std::string_view sql : {"SELECT g()", "SELECT x.g()", "SELECT f(), h()"}) {
        EXPECT_EQ(describe(sql, options).primary_reason, PrimaryReason::stored_function) << sql;
    }
}

// A SET is replayed on every server the session uses; the classifier says when replaying
// would not give the same session there.
TEST(ClassifierSet, ReplayableOrNot) {
    struct SetCase {
        std::string_view sql;
        StatementClass statement_class;
        bool assigns_user_variables;
        bool needs_primary_session;
    };
    const SetCase cases[] = {
        {"SET @x = 5", C::session_state, false, false},
        {"SET @x := 'a', @y = @x + 1, @z = NULL, @h = 0x1F", C::session_state, false, false},
        {"SET @s = _utf8mb4'x', NAMES utf8mb4", C::session_state, false, false},
        {"SET sql_mode = CONCAT(@@sql_mode, ',NO_ZERO_DATE')", C::session_state, false, false},
        {"SET @x = NOW()", C::session_state, true, false},
        {"SET @x = @@server_id", C::session_state, true, false},
        {"SET @x = (SELECT COUNT(*) FROM t)", C::session_state, true, false},
        {"SET @id = LAST_INSERT_ID()", C::write, true, false},
        {"SET @x = f()", C::write, true, false},
        {"SET @x = db.f(1), @y = 2", C::write, true, false},
        {"SET @x = NEXTVAL(s)", C::write, true, false},
        {"SET @v = NEXT VALUE FOR s", C::write, true, false},
        {"SET @l = GET_LOCK('a', 1), time_zone = '+00:00'", C::write, true, true},
        {"SET sql_mode = f()", C::write, true, true},
        {"SET sql_auto_is_null = 1", C::session_state, false, true},
        {"SET SESSION sql_auto_is_null = ON, @x = 1", C::session_state, false, true},
        {"SET sql_auto_is_null = 0", C::session_state, false, false},
        {"SET optimizer_trace = 'enabled=on'", C::session_state, false, true},
        {"SET optimizer_trace = 'enabled=off'", C::session_state, false, false},
        {"SET profiling = 1", C::session_state, false, true},
        {"SET profiling = OFF", C::session_state, false, false},
    };
    for (const SetCase& c : cases) {
        const StatementInfo info = describe(c.sql);
        EXPECT_EQ(info.statement_class, c.statement_class) << c.sql;
        EXPECT_EQ(info.flags.assigns_user_variables, c.assigns_user_variables) << c.sql;
        EXPECT_EQ(info.flags.needs_primary_session, c.needs_primary_session) << c.sql;
    }
}

TEST(ClassifierFlags, UserVariables) {
    for (std::string_view sql : {"SELECT @x", "SELECT a FROM t WHERE b = @`x y`", "SET @a = 1",
                                 "CALL p(@cnt)", "SELECT 1; SELECT @b"}) {
        EXPECT_TRUE(describe(sql).flags.user_variables) << sql;
    }
    for (std::string_view sql : {"SELECT '@x'", "SELECT @@version", "SELECT a FROM t -- @x"}) {
        EXPECT_FALSE(describe(sql).flags.user_variables) << sql;
    }
}

// sqlgate opens replica sessions READ ONLY: only the primary's says what the client set.
TEST(ClassifierFlags, ReadOnlynessOfTheSessionIsAskedOfThePrimary) {
    for (std::string_view sql :
         {"SELECT @@tx_read_only", "SELECT @@session.transaction_read_only"}) {
        EXPECT_EQ(describe(sql).primary_reason, PrimaryReason::primary_variable) << sql;
    }
}

struct HintCase {
    std::string_view sql;
    std::string_view hint;
};

std::ostream& operator<<(std::ostream& os, const HintCase& c) {
    return os << c.sql;
}

class RouteHintTable : public testing::TestWithParam<HintCase> {};

TEST_P(RouteHintTable, Extracted) {
    const HintCase& c = GetParam();
    EXPECT_EQ(describe(c.sql).route_hint, c.hint);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RouteHintTable,
    testing::Values(
        HintCase{"/* sqlgate:route=random */ SELECT 1", "random"},
        HintCase{"/*sqlgate:route=direct*/SELECT 1", "direct"},
        HintCase{"/* sqlgate:route = customized */ SELECT 1", "customized"},
        HintCase{"SELECT 1 /* sqlgate:route=random */", "random"},
        HintCase{"SELECT /* sqlgate:route=random */ 1 FROM t", "random"},
        HintCase{"SELECT 1 -- sqlgate:route=random", "random"},
        HintCase{"SELECT 1 # sqlgate:route=random\n", "random"},
        HintCase{"-- sqlgate:route=random\nSELECT 1", "random"},
        HintCase{"/* app=x, sqlgate:route=my-pool.v2:eu_1 */ SELECT 1", "my-pool.v2:eu_1"},
        HintCase{"/* SQLGATE:ROUTE=Random */ SELECT 1", "Random"},
        HintCase{"/*+ sqlgate:route=random */ SELECT 1", "random"},
        HintCase{"/* a */ /* sqlgate:route=first */ /* sqlgate:route=second */ "
                 "SELECT 1",
                 "first"},
        HintCase{"/* sqlgate:route= */ SELECT 1", ""}, HintCase{"/* sqlgate:route */ SELECT 1", ""},
        HintCase{"SELECT '/* sqlgate:route=random */'", ""},
        HintCase{"SELECT `sqlgate:route=random`", ""},
        HintCase{"/*! sqlgate:route=random */ SELECT 1", ""}, HintCase{"SELECT 1", ""}));

TEST(RouteHint, FindsTheNameInCommentText) {
    EXPECT_EQ(find_route_hint("/* sqlgate:route=random */"), "random");
    EXPECT_EQ(find_route_hint("sqlgate:route\t=\tx"), "x");
    EXPECT_EQ(find_route_hint("sqlgate:route=="), "");
    EXPECT_EQ(find_route_hint("sqlgate:rout"), "");
    EXPECT_EQ(find_route_hint("sqlgate:route=!x sqlgate:route=y"), "y");
}

struct VerbCase {
    std::string_view sql;
    Keyword verb;
};

std::ostream& operator<<(std::ostream& os, const VerbCase& c) {
    return os << c.sql;
}

class VerbTable : public testing::TestWithParam<VerbCase> {};

TEST_P(VerbTable, Verb) {
    const VerbCase& c = GetParam();
    EXPECT_EQ(keyword_text(describe(c.sql).verb), keyword_text(c.verb));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, VerbTable,
    testing::Values(VerbCase{"select 1", Keyword::kSelect},
                    VerbCase{"((select 1))", Keyword::kSelect},
                    VerbCase{"WITH c AS (SELECT 1) SELECT * FROM c", Keyword::kSelect},
                    VerbCase{"WITH c AS (SELECT 1) DELETE FROM t", Keyword::kDelete},
                    VerbCase{"SET STATEMENT a=1 FOR INSERT INTO t VALUES (1)", Keyword::kInsert},
                    VerbCase{"EXPLAIN ANALYZE SELECT 1", Keyword::kExplain},
                    VerbCase{"ANALYZE SELECT 1", Keyword::kAnalyze},
                    VerbCase{"/*!40101 SET NAMES utf8 */", Keyword::kSet},
                    VerbCase{"FROBNICATE", Keyword::kNone}, VerbCase{"", Keyword::kNone}));

TEST(ClassifierFlags, MultipleStatements) {
    EXPECT_FALSE(describe("SELECT 1;").flags.multiple_statements);
    EXPECT_FALSE(describe("SELECT 1; -- trailing comment").flags.multiple_statements);
    EXPECT_FALSE(describe("SELECT 1; /* c */ ;").flags.multiple_statements);
    EXPECT_FALSE(describe("SELECT ';' FROM t").flags.multiple_statements);
    EXPECT_TRUE(describe("SELECT 1; SELECT 2").flags.multiple_statements);
    EXPECT_TRUE(describe("SELECT 1;SELECT 2;").flags.multiple_statements);
    EXPECT_EQ(describe("SELECT 1; SELECT 2").statement_class, C::read);
    EXPECT_TRUE(
        describe("SELECT 1; SELECT * INTO OUTFILE 'x' FROM t").flags.into_outfile_or_dumpfile);
}

TEST(ClassifierMultipleStatements, SessionEffectsAreThoseOfTheLastStatement) {
    const StatementInfo tx = describe("BEGIN; INSERT INTO t VALUES (1); COMMIT");
    EXPECT_EQ(tx.statement_class, C::transaction);
    EXPECT_EQ(tx.transaction, TransactionEffect::commit);
    EXPECT_TRUE(tx.flags.multiple_statements);
    EXPECT_EQ(describe("COMMIT; START TRANSACTION READ ONLY").read_only_transaction, true);
    EXPECT_EQ(describe("SET autocommit = 0; SELECT 1; SET autocommit = 1").autocommit, true);
    const StatementInfo use = describe("USE a; SELECT 1; USE `b`");
    EXPECT_EQ(use.schema, "b");
    EXPECT_TRUE(use.schema_quoted);
    EXPECT_EQ(use.verb, Keyword::kUse);
}

TEST(ClassifierFlags, LeadingEmptyStatementsAreSkipped) {
    const StatementInfo info = describe(";; SELECT 1");
    EXPECT_EQ(info.statement_class, C::read);
    EXPECT_FALSE(info.flags.multiple_statements);
    EXPECT_FALSE(info.flags.empty);
}

TEST(ClassifierOptions, NoBackslashEscapesChangesWhereStringsEnd) {
    // With backslash escapes the string swallows FOR UPDATE; without them it ends at \'.
    constexpr std::string_view sql = R"(SELECT 'a\' FOR UPDATE -- ')";
    EXPECT_EQ(describe(sql).statement_class, C::read);
    const DescribeOptions no_escapes{.lexer = {.backslash_escapes = false}};
    EXPECT_EQ(describe(sql, no_escapes).primary_reason, P::locking_read);
}

TEST(ClassifierOptions, AnsiQuotesMakeDoubleQuotedNamesColumns) {
    const DescribeOptions ansi{.lexer = {.ansi_quotes = true}};
    EXPECT_EQ(describe(R"(SELECT "FOR UPDATE" FROM t)", ansi).statement_class, C::read);
}

TEST(ClassifierRobustness, EveryPrefixOfTrickyStatementsIsSafe) {
    const std::string_view samples[] = {
        "/* sqlgate:route=random */ WITH c AS (SELECT 'x\\'y' FROM t) SELECT * FROM c FOR UPDATE;",
        "SET STATEMENT a=1 FOR SELECT @x := LAST_INSERT_ID() /*!50000 INTO @y */; SELECT 2",
        "CREATE PROCEDURE p() BEGIN IF a THEN SELECT 1; END IF; END; USE `d``b`",
        "START TRANSACTION READ ONLY; SET autocommit = 'ON', @@global.x = 1 # c",
    };
    for (const std::string_view sample : samples) {
        for (std::size_t n = 0; n <= sample.size(); ++n) {
            const std::string prefix(sample.substr(0, n));
            const StatementInfo info = describe(prefix);
            EXPECT_LE(info.route_hint.size(), prefix.size());
        }
    }
}

// Found by tests/fuzz/sql_classifier_fuzz: the missing inner statement made the whole text
// empty, which the firewall lets through unchecked.
TEST(ClassifierFlags, AVerbWithoutItsInnerStatementIsNotEmpty) {
    for (const char* sql : {"ANALYZE", "EXPLAIN ANALYZE", "SET STATEMENT a=1 FOR",
                            "ANALYZE; DROP TABLE t", "ANALYZE FORMAT=JSON"}) {
        EXPECT_FALSE(describe(sql).flags.empty) << sql;
    }
    EXPECT_TRUE(describe("ANALYZE; DROP TABLE t").flags.multiple_statements);
    EXPECT_TRUE(describe(" ; ").flags.empty);
}

TEST(ClassifierRobustness, DeepNestingDoesNotRecurseWithoutBound) {
    std::string analyze;
    while (analyze.size() < (1u << 20))
        analyze += "ANALYZE ";
    EXPECT_EQ(describe(analyze + "SELECT 1").statement_class, C::other);
    std::string set_statement;
    while (set_statement.size() < (1u << 20))
        set_statement += "SET STATEMENT a=1 FOR ";
    EXPECT_EQ(describe(set_statement + "SELECT 1").statement_class, C::other);
    EXPECT_EQ(describe("ANALYZE ANALYZE SELECT 1").statement_class, C::read);
}

TEST(ClassifierPerformance, ManyTablesAndCtesStayLinear) {
    std::string from = "SELECT * FROM t0";
    std::string with = "WITH c0 AS (SELECT 1)";
    for (int i = 1; from.size() < (1u << 18); ++i) {  // 256 KiB: quadratic would take minutes
        from += ", t" + std::to_string(i) + ", t" + std::to_string(i / 2);
        with += ", c" + std::to_string(i) + " AS (SELECT 1)";
    }
    with += " SELECT * FROM c1";
    const DescribeOptions collect{.collect_tables = true};
    const auto start = std::chrono::steady_clock::now();
    const StatementInfo tables = describe(from, collect);
    const StatementInfo ctes = describe(with, collect);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    ASSERT_GT(tables.tables.size(), 1000u);
    EXPECT_EQ(tables.tables[0], (TableName{"", "t0"}));
    EXPECT_EQ(tables.tables[1], (TableName{"", "t1"}));
    EXPECT_EQ(tables.tables[2], (TableName{"", "t2"}));
    EXPECT_TRUE(ctes.tables.empty());
}

// Generous bound: it only catches quadratic behaviour (which would take minutes at 1 MiB),
// not a slowdown, and holds under sanitizers on a busy shared machine.
TEST(ClassifierPerformance, OneMebibyteIsLinear) {
    std::string sql = "SELECT a";
    while (sql.size() < (1u << 20))
        sql += ", b + 'str''s' /* c */ - (c * 2) AS `x`";
    sql += " FROM t FOR UPDATE";
    const auto start = std::chrono::steady_clock::now();
    const StatementInfo info = describe(sql);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(info.primary_reason, P::locking_read);
    EXPECT_LT(elapsed, std::chrono::seconds(5));

    std::string long_string = "SELECT '" + std::string(1u << 20, 'x');  // unterminated
    EXPECT_TRUE(describe(long_string).flags.unterminated);
    std::string parens(1u << 20, '(');
    EXPECT_EQ(describe(parens).statement_class, C::other);
    std::string semicolons(1u << 20, ';');
    EXPECT_TRUE(describe(semicolons).flags.empty);
}

struct TablesCase {
    std::string_view sql;
    std::vector<TableName> tables;
};

std::ostream& operator<<(std::ostream& os, const TablesCase& c) {
    return os << c.sql;
}

class TablesTable : public testing::TestWithParam<TablesCase> {};

TEST_P(TablesTable, Collected) {
    const TablesCase& c = GetParam();
    const StatementInfo info = describe(c.sql, DescribeOptions{.collect_tables = true});
    std::string got;
    for (const TableName& t : info.tables)
        got += std::string(t.schema) + "." + std::string(t.name) + " ";
    EXPECT_EQ(info.tables, c.tables) << "got: " << got;
}

using TN = TableName;

INSTANTIATE_TEST_SUITE_P(
    Cases, TablesTable,
    testing::Values(
        TablesCase{"SELECT 1", {}}, TablesCase{"SELECT * FROM dual", {}},
        TablesCase{"SELECT * FROM t", {TN{"", "t"}}},
        TablesCase{"SELECT * FROM shop.orders o WHERE o.id = 1", {TN{"shop", "orders"}}},
        TablesCase{"SELECT * FROM `my db`.`my``t`", {TN{"my db", "my``t"}}},
        TablesCase{"SELECT * FROM a, b AS x, c y WHERE a.id = x.id",
                   {TN{"", "a"}, TN{"", "b"}, TN{"", "c"}}},
        TablesCase{"SELECT * FROM a LEFT JOIN b ON a.id = b.id JOIN d.c USING (id)",
                   {TN{"", "a"}, TN{"", "b"}, TN{"d", "c"}}},
        TablesCase{"SELECT * FROM a STRAIGHT_JOIN b", {TN{"", "a"}, TN{"", "b"}}},
        TablesCase{"SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE x > 1)",
                   {TN{"", "t"}, TN{"", "u"}}},
        TablesCase{"SELECT * FROM (SELECT * FROM inner_t) AS x", {TN{"", "inner_t"}}},
        TablesCase{"SELECT EXTRACT(YEAR FROM created), TRIM(LEADING 'x' FROM name) FROM t",
                   {TN{"", "t"}}},
        TablesCase{"SELECT * FROM event", {TN{"", "event"}}},
        TablesCase{"SELECT 'FROM fake' FROM t /* FROM fake2 */", {TN{"", "t"}}},
        TablesCase{"WITH c AS (SELECT * FROM base) SELECT * FROM c JOIN other",
                   {TN{"", "base"}, TN{"", "other"}}},
        TablesCase{"SELECT a INTO @x FROM t", {TN{"", "t"}}},
        TablesCase{"SELECT * FROM t INTO OUTFILE '/tmp/x'", {TN{"", "t"}}},
        TablesCase{"INSERT INTO t (a, b) VALUES (1, 2)", {TN{"", "t"}}},
        TablesCase{"INSERT IGNORE INTO d.t SELECT * FROM u", {TN{"d", "t"}, TN{"", "u"}}},
        TablesCase{"INSERT t VALUES (1)", {TN{"", "t"}}},
        TablesCase{"INSERT INTO t VALUES (1) ON DUPLICATE KEY UPDATE a = 2", {TN{"", "t"}}},
        TablesCase{"REPLACE INTO t SET a = 1", {TN{"", "t"}}},
        TablesCase{"UPDATE LOW_PRIORITY t SET a = 1", {TN{"", "t"}}},
        TablesCase{"UPDATE a, b SET a.x = b.x WHERE a.id = b.id", {TN{"", "a"}, TN{"", "b"}}},
        TablesCase{"DELETE FROM t WHERE a = 1", {TN{"", "t"}}},
        TablesCase{"TRUNCATE TABLE t", {TN{"", "t"}}}, TablesCase{"TRUNCATE t", {TN{"", "t"}}},
        TablesCase{"CREATE TABLE IF NOT EXISTS d.t (a INT)", {TN{"d", "t"}}},
        TablesCase{"DROP TABLE IF EXISTS a, b", {TN{"", "a"}, TN{"", "b"}}},
        TablesCase{"ALTER TABLE t ADD COLUMN c INT", {TN{"", "t"}}},
        TablesCase{"LOCK TABLES a READ, b WRITE", {TN{"", "a"}, TN{"", "b"}}},
        TablesCase{"LOAD DATA LOCAL INFILE 'f' INTO TABLE t", {TN{"", "t"}}},
        TablesCase{"DESCRIBE t", {TN{"", "t"}}},
        TablesCase{"EXPLAIN SELECT * FROM t", {TN{"", "t"}}}, TablesCase{"SHOW TABLES FROM db", {}},
        TablesCase{"SELECT * FROM a; SELECT * FROM b; SELECT * FROM a",
                   {TN{"", "a"}, TN{"", "b"}}}));

TEST(ClassifierTables, NotCollectedByDefault) {
    EXPECT_TRUE(describe("SELECT * FROM t").tables.empty());
}

}  // namespace
}  // namespace sqlgate::sql

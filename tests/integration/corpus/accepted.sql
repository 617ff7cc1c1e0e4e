# Ordinary application and driver traffic that a user allowed read and write (INSERT, UPDATE,
# DELETE, REPLACE, locking reads) in chain_db must be able to run, and that MariaDB 10.11 runs
# without error against the tables of schema.sql. One statement per line, run in order on one
# connection (later lines may rely on earlier writes); `\n` in a line stands for a newline.
# Lines starting with '#' are comments.
#
# What connectors and ORMs send on their own.
SELECT @@version_comment LIMIT 1
SET NAMES utf8mb4
SET NAMES utf8mb4 COLLATE utf8mb4_general_ci
SET autocommit=1
SET time_zone = '+00:00'
SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED
SET SESSION sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'
SET SESSION group_concat_max_len = 65536
SELECT @@session.tx_isolation
SELECT @@max_allowed_packet, @@wait_timeout, @@session.time_zone
SELECT DATABASE()
SELECT 1
SELECT CAST('test plain returns' AS CHAR(60)) AS anon_1
SHOW VARIABLES LIKE 'lower_case_table_names'
SHOW COLLATION WHERE `Charset` = 'utf8mb4' AND `Collation` = 'utf8mb4_bin'
SHOW TABLES
SHOW FULL TABLES
SHOW COLUMNS FROM orders
SHOW FULL COLUMNS FROM customers
SHOW INDEX FROM order_items
SHOW CREATE TABLE products
SHOW TABLE STATUS LIKE 'orders'
DESCRIBE order_items
/* sqlgate:route=random */ SELECT @@server_id
/* mysql-connector-j-8.4.0 (Revision: 1c3f5c149e0bfe31c7fbeb24e2d260cd890972c4) */SELECT @@session.auto_increment_increment AS auto_increment_increment
USE chain_db
#
# Reads: joins, subqueries, grouping, ordering.
SELECT c.name, c.email, o.id, o.total FROM customers c INNER JOIN orders o ON o.customer_id = c.id WHERE o.status = 'paid' ORDER BY o.created_at DESC LIMIT 20
SELECT o.id, p.title, oi.qty, oi.qty * oi.price AS line_total FROM orders o JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id WHERE o.customer_id = 1 ORDER BY o.id, p.title
SELECT c.id, c.name, COUNT(o.id) AS order_count FROM customers c LEFT JOIN orders o ON o.customer_id = c.id GROUP BY c.id, c.name ORDER BY order_count DESC, c.name
SELECT c.name FROM customers c LEFT OUTER JOIN orders o ON o.customer_id = c.id AND o.status <> 'cancelled' WHERE o.id IS NULL
SELECT c.city, p.title, SUM(oi.qty) AS units FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id GROUP BY c.city, p.title
SELECT o.id, o.total FROM orders AS o, customers AS c WHERE c.id = o.customer_id AND c.city = 'Dublin'
SELECT id, total, status FROM orders WHERE status IN ('pending', 'paid', 'shipped') AND total >= 10.00
SELECT sku, title FROM products WHERE id NOT IN (SELECT product_id FROM order_items)
SELECT name, email FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.total > 100)
SELECT name FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
SELECT c.name, (SELECT MAX(o.created_at) FROM orders o WHERE o.customer_id = c.id) AS last_order_at FROM customers c ORDER BY c.id
SELECT id, total FROM orders WHERE total > (SELECT AVG(total) FROM orders)
SELECT t.status, t.n, t.revenue FROM (SELECT status, COUNT(*) AS n, SUM(total) AS revenue FROM orders GROUP BY status) AS t WHERE t.n > 0 ORDER BY t.revenue DESC
SELECT title FROM products WHERE price > ALL (SELECT price FROM order_items WHERE qty > 5)
SELECT id, status FROM orders WHERE (customer_id, status) IN ((1, 'paid'), (2, 'pending'))
SELECT EXISTS (SELECT 1 FROM customers WHERE email = 'ana@example.com') AS email_taken
SELECT customer_id, SUM(total) AS spent FROM orders GROUP BY customer_id HAVING SUM(total) > 50 OR COUNT(*) >= 3
SELECT status, COUNT(*) FROM orders GROUP BY 1 ORDER BY 2 DESC
SELECT DISTINCT city FROM customers WHERE city IS NOT NULL ORDER BY city
SELECT COUNT(DISTINCT customer_id) AS buyers, MIN(total), MAX(total), ROUND(AVG(total), 2) FROM orders WHERE status <> 'cancelled'
SELECT id, title, price FROM products ORDER BY price DESC, id LIMIT 2 OFFSET 2
SELECT id, name FROM customers ORDER BY id LIMIT 3, 3
SELECT id, created_at FROM orders WHERE customer_id = 2 OR total > 100 ORDER BY created_at
SELECT * FROM orders WHERE (status = 'paid' || status = 'shipped') && total BETWEEN 50 AND 500
SELECT * FROM customers WHERE city = 'Dublin' OR city IS NULL
SELECT id FROM products WHERE 0 = 1 OR sku = 'BK-001'
SELECT id, name FROM customers WHERE 1 = 1 AND city = 'Berlin' AND email LIKE '%@example.de'
SELECT * FROM products WHERE price BETWEEN 5 AND 50 AND stock > 0 ORDER BY price
SELECT id, status FROM orders ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'paid' THEN 1 ELSE 2 END, id
SELECT c.*, o.total FROM customers c JOIN orders o ON o.customer_id = c.id ORDER BY 2 LIMIT 5
SELECT name AS label FROM customers UNION SELECT title FROM products ORDER BY label LIMIT 10
SELECT 'customers' AS kind, COUNT(*) AS n FROM customers UNION ALL SELECT 'products', COUNT(*) FROM products
SELECT status, SUM(total) FROM orders GROUP BY status UNION ALL SELECT 'TOTAL', SUM(total) FROM orders
SELECT COUNT(*) FROM chain_db.orders WHERE status = 'paid'
#
# CTEs and window functions.
WITH spend AS (SELECT customer_id, SUM(total) AS total_spent FROM orders GROUP BY customer_id) SELECT c.name, s.total_spent FROM customers c JOIN spend s ON s.customer_id = c.id ORDER BY s.total_spent DESC
WITH paid AS (SELECT * FROM orders WHERE status = 'paid'), big AS (SELECT * FROM paid WHERE total > 60) SELECT COUNT(*) AS big_paid FROM big
WITH RECURSIVE days (d) AS (SELECT DATE('2024-04-01') UNION ALL SELECT d + INTERVAL 1 DAY FROM days WHERE d < '2024-04-07') SELECT days.d, COUNT(o.id) AS orders_that_day FROM days LEFT JOIN orders o ON DATE(o.created_at) = days.d GROUP BY days.d ORDER BY days.d
SELECT id, customer_id, total, RANK() OVER (PARTITION BY customer_id ORDER BY total DESC) AS rnk FROM orders
SELECT id, total, SUM(total) OVER (ORDER BY created_at ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running_total FROM orders
SELECT id, created_at, LAG(created_at) OVER w AS previous_order, LEAD(total) OVER w AS next_total FROM orders WINDOW w AS (PARTITION BY customer_id ORDER BY created_at)
SELECT title, price, NTILE(2) OVER (ORDER BY price) AS price_band, DENSE_RANK() OVER (ORDER BY stock DESC) AS stock_rank FROM products
#
# Functions: CASE, strings, dates, JSON.
SELECT id, CASE WHEN total >= 100 THEN 'large' WHEN total >= 20 THEN 'medium' ELSE 'small' END AS size FROM orders
SELECT CONCAT_WS(' <', name, CONCAT(email, '>')) AS mailbox, UPPER(city), LOWER(email), SUBSTRING_INDEX(email, '@', -1) AS domain FROM customers
SELECT LPAD(id, 8, '0') AS order_no, REPLACE(IFNULL(note, ''), '\n', ' ') AS note_line, CHAR_LENGTH(note) FROM orders
SELECT customer_id, GROUP_CONCAT(DISTINCT status ORDER BY status SEPARATOR ', ') AS statuses FROM orders GROUP BY customer_id
SELECT TRIM(BOTH '-' FROM sku) AS code, LOCATE('-', sku) AS dash_at, COALESCE(NULLIF(stock, 0), 'sold out') AS availability FROM products
SELECT DATE_FORMAT(created_at, '%Y-%m') AS month, COUNT(*) FROM orders GROUP BY DATE_FORMAT(created_at, '%Y-%m') ORDER BY month
SELECT id, DATEDIFF(NOW(), created_at) AS age_days, TIMESTAMPDIFF(HOUR, created_at, NOW()) AS age_hours FROM orders WHERE created_at >= '2024-01-01' - INTERVAL 1 YEAR
SELECT EXTRACT(YEAR FROM created_at) AS y, MONTHNAME(created_at), LAST_DAY(created_at), UNIX_TIMESTAMP(created_at) FROM orders WHERE created_at < DATE_SUB(NOW(), INTERVAL 30 DAY)
SELECT * FROM orders WHERE created_at BETWEEN STR_TO_DATE('01/04/2024', '%d/%m/%Y') AND '2024-04-30 23:59:59'
SELECT JSON_OBJECT('id', id, 'name', name, 'city', city) AS doc FROM customers WHERE id = 1
SELECT JSON_ARRAYAGG(sku) FROM products WHERE JSON_VALUE('{"min": 5}', '$.min') < price
SELECT CONVERT(name USING utf8mb4), CAST(total AS CHAR) AS total_text, FLOOR(total), MOD(orders.id, 2) FROM customers JOIN orders ON orders.customer_id = customers.id
#
# Strings that hold quotes, comment markers and injection-looking text.
SELECT id, email FROM customers WHERE name IN ('Liam O''Brien', 'D\'Arcy Fenn')
SELECT id FROM customers WHERE name = "Miles \"Mo\" O'Neil"
SELECT id FROM orders WHERE note LIKE '%--%'
SELECT id FROM orders WHERE note = 'door code 4#2; call before -- 9am'
SELECT id FROM orders WHERE note LIKE '%/* fragile */%'
SELECT id FROM orders WHERE note = 'x'' OR ''1''=''1 UNION SELECT is only text here'
SELECT id FROM orders WHERE note LIKE '% OR 1=1 %'
SELECT id FROM orders WHERE note LIKE '%;%' AND note NOT LIKE '%DROP TABLE%'
SELECT id FROM orders WHERE note = 'it\'s -- fine' OR note LIKE 'customer\'s%'
SELECT COUNT(*) FROM orders WHERE note IN ('admin''--', '1; SELECT 1', '\' OR \'\'=\'', 'SLEEP(5)', '0x61646d696e')
SELECT sku FROM products WHERE sku LIKE 'TS\_%' OR title LIKE '%100\%%'
SELECT id FROM customers WHERE email LIKE '%@example.com' AND name NOT LIKE 'Z%'
SELECT id, email FROM customers WHERE email REGEXP '^[a-z.]+@example\\.(com|ie)$'
SELECT title FROM products WHERE title LIKE '%"-- ; #"%'
#
# Comments that applications and ORMs add.
SELECT id, total -- amount in EUR\nFROM orders\nWHERE status = 'paid' -- settled only\nORDER BY id
SELECT c.name,\n       SUM(o.total) AS spent\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nGROUP BY c.name\nHAVING spent > 10
SELECT COUNT(*) FROM products # inventory size
SELECT name FROM customers WHERE id = 1 LIMIT 1 -- by primary key
SELECT id FROM orders WHERE status = 'pending' /*controller='orders',action='index',framework='rails'*/
/* load Customer by email */ SELECT id, name FROM customers WHERE email = 'zoe@example.de'
SELECT /*+ NO_RANGE_OPTIMIZATION(o) */ o.id FROM orders o WHERE o.status = 'paid'
SELECT id FROM orders WHERE customer_id = 2 /* repository: OrderRepository.findByCustomer */ AND status <> 'cancelled'
#
# Session variables and statement-level settings.
SET @page_size = 20
SELECT COUNT(*) INTO @order_count FROM orders
SELECT @order_count AS n, @page_size AS page_size
SET STATEMENT max_statement_time = 10 FOR SELECT COUNT(*) FROM orders
EXPLAIN SELECT id FROM orders WHERE customer_id = 2
ANALYZE SELECT COUNT(*) FROM orders WHERE status = 'paid'
VALUES (1, 'one'), (2, 'two')
#
# Writes.
INSERT INTO customers (name, email, city, created_at) VALUES ('Mary-Kate O''Hara', 'mk@example.ie', 'Cork', NOW()), ('Jean d\'Arc', 'jeanne@example.fr', 'Orleans', '2024-06-01 08:00:00')
SELECT LAST_INSERT_ID() AS new_id
INSERT INTO orders (customer_id, total, status, note, created_at) VALUES (5, 0.00, 'pending', 'promo code: '' OR 1=1; -- not SQL', NOW())
INSERT INTO orders SET customer_id = 4, total = 15.00, status = 'pending', note = 'ring #3 /* twice */', created_at = NOW()
INSERT INTO products (sku, title, price, stock) VALUES ('BK-001', 'SQL Antipatterns', 34.95, 5) ON DUPLICATE KEY UPDATE stock = stock + VALUES(stock), price = VALUES(price)
INSERT INTO order_items (order_id, product_id, qty, price) VALUES (102, 3, 1, 9.50) ON DUPLICATE KEY UPDATE qty = qty + 1
INSERT IGNORE INTO customers (id, name, email) VALUES (1, 'duplicate', 'ana@example.com')
INSERT INTO order_items (order_id, product_id, qty, price) SELECT 106, id, 1, price FROM products WHERE sku = 'MUG-10'
REPLACE INTO products (id, sku, title, price, stock) VALUES (6, 'GC-25', 'Gift card ''25''', 25.00, 999)
REPLACE INTO order_items SET order_id = 104, product_id = 1, qty = 1, price = 34.95
UPDATE customers SET email = LOWER(email), city = TRIM(city) WHERE id IN (1, 2, 3)
UPDATE orders SET status = 'shipped', note = CONCAT(IFNULL(note, ''), ' [shipped]') WHERE status = 'paid' AND created_at < NOW()
UPDATE orders o JOIN customers c ON c.id = o.customer_id SET o.note = CONCAT('Dublin desk: ', c.name) WHERE c.city = 'Dublin' AND o.status = 'pending'
UPDATE products p JOIN order_items oi ON oi.product_id = p.id SET p.stock = p.stock - oi.qty WHERE oi.order_id = 103 AND p.stock >= oi.qty
UPDATE products SET price = ROUND(price * 1.05, 2) WHERE title LIKE '%SQL%'
UPDATE orders SET status = CASE WHEN total > 100 THEN 'review' ELSE status END WHERE status = 'pending'
UPDATE orders SET note = 'it''s fragile -- handle with care; no OR 1=1 here' WHERE id = 105
UPDATE products SET stock = stock + 10 ORDER BY stock ASC LIMIT 2
DELETE FROM order_items WHERE qty <= 0 OR price < 0
DELETE FROM orders WHERE status = 'cancelled' AND created_at < '2020-01-01'
DELETE oi FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.status = 'void'
DELETE FROM customers WHERE email = 'nobody@example.com' LIMIT 1
#
# Transactions and locking reads.
START TRANSACTION
SELECT stock FROM products WHERE sku = 'BK-002' FOR UPDATE
UPDATE products SET stock = stock - 1 WHERE sku = 'BK-002' AND stock > 0
SAVEPOINT before_items
INSERT INTO order_items (order_id, product_id, qty, price) VALUES (104, 2, 1, 41.00)
ROLLBACK TO SAVEPOINT before_items
RELEASE SAVEPOINT before_items
COMMIT
START TRANSACTION READ WRITE
SELECT id, total FROM orders WHERE customer_id = 1 LOCK IN SHARE MODE
UPDATE orders SET total = total + 0.01 WHERE id = 102
ROLLBACK
SET autocommit=0
SELECT id FROM orders WHERE id = 101 FOR UPDATE NOWAIT
UPDATE orders SET status = 'paid' WHERE id = 102 AND status = 'pending'
COMMIT
SET autocommit=1
SELECT 1

# The tables the firewall corpora run against, created and refilled in the session's current
# schema (chain_db) by a user allowed read, write and ddl there. One statement per line, no
# trailing semicolon; lines starting with '#' are comments. Every run starts from these rows.
CREATE TABLE IF NOT EXISTS customers (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(100), email VARCHAR(200), city VARCHAR(100), created_at DATETIME, UNIQUE KEY uk_customers_email (email))
CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY AUTO_INCREMENT, customer_id INT NOT NULL, total DECIMAL(10,2) NOT NULL DEFAULT 0, status VARCHAR(20) NOT NULL DEFAULT 'pending', note TEXT, created_at DATETIME, KEY ix_orders_customer (customer_id), KEY ix_orders_status_created (status, created_at))
CREATE TABLE IF NOT EXISTS products (id INT PRIMARY KEY AUTO_INCREMENT, sku VARCHAR(32) NOT NULL, title VARCHAR(200) NOT NULL, price DECIMAL(10,2) NOT NULL, stock INT NOT NULL DEFAULT 0, UNIQUE KEY uk_products_sku (sku))
CREATE TABLE IF NOT EXISTS order_items (order_id INT NOT NULL, product_id INT NOT NULL, qty INT NOT NULL DEFAULT 1, price DECIMAL(10,2) NOT NULL, PRIMARY KEY (order_id, product_id), KEY ix_order_items_product (product_id))
DELETE FROM order_items
DELETE FROM orders
DELETE FROM products
DELETE FROM customers
INSERT INTO customers (id, name, email, city, created_at) VALUES (1, 'Ana Silva', 'ana@example.com', 'Lisbon', '2024-01-05 10:00:00'), (2, 'Liam O''Brien', 'liam.obrien@example.ie', 'Dublin', '2024-02-11 09:30:00'), (3, 'D\'Arcy Fenn', 'darcy@example.co.uk', 'London', '2024-03-01 14:15:00')
INSERT INTO customers (id, name, email, city, created_at) VALUES (4, 'Zoë Müller', 'zoe@example.de', 'Berlin', '2024-03-20 08:00:00'), (5, 'Kenji Sato', 'kenji@example.jp', NULL, '2024-04-02 17:45:00'), (6, 'Miles "Mo" O''Neil', 'mo@example.com', 'Dublin', '2024-05-15 12:00:00')
INSERT INTO products (id, sku, title, price, stock) VALUES (1, 'BK-001', 'SQL Antipatterns', 34.95, 12), (2, 'BK-002', 'The Art of SQL', 41.00, 3), (3, 'MUG-10', 'Coffee mug, 100% ceramic', 9.50, 40), (4, 'TS_M', 'T-shirt (M)', 19.99, 0), (5, 'STK-5', 'Sticker pack "-- ; #"', 2.50, 500)
INSERT INTO orders (id, customer_id, total, status, note, created_at) VALUES (101, 1, 59.90, 'paid', 'gift wrap, please', '2024-04-01 12:00:00'), (102, 1, 12.50, 'pending', NULL, '2024-04-03 09:00:00'), (103, 2, 240.00, 'shipped', 'leave at back door -- ring twice; OR 1=1 is not a password', '2024-04-05 16:20:00')
INSERT INTO orders (id, customer_id, total, status, note, created_at) VALUES (104, 3, 8.75, 'cancelled', 'customer''s request; refund issued', '2024-04-06 11:11:00'), (105, 4, 130.00, 'paid', '/* fragile */ box #2 of 3', '2024-05-01 10:00:00'), (106, 2, 33.30, 'pending', 'x'' OR ''1''=''1 UNION SELECT is only text here', '2024-05-02 13:00:00')
INSERT INTO orders (id, customer_id, total, status, note, created_at) VALUES (107, 6, 75.00, 'paid', 'door code 4#2; call before -- 9am', '2024-06-10 08:45:00')
INSERT INTO order_items (order_id, product_id, qty, price) VALUES (101, 1, 1, 34.95), (101, 5, 10, 2.50), (102, 3, 1, 9.50), (103, 2, 2, 41.00), (103, 3, 1, 9.50), (105, 4, 3, 19.99), (106, 5, 4, 2.50), (107, 1, 2, 34.95)

// A workload through sqlgate with mysql2, a Node.js driver written by others: text queries,
// prepared statements (mysql2's execute()), a transaction, a pool, and errors. It prints one
// JSON object of what it saw; the integration test (tests/integration/clients_test.cpp)
// judges it, knowing which server is the primary.
// Usage: node client.mjs HOST PORT USER PASSWORD_FILE
import { readFileSync } from "node:fs";
import mysql from "mysql2/promise";

const [host, port, user, passwordFile] = process.argv.slice(2);
const options = {
  host,
  port: Number(port),
  user,
  password: readFileSync(passwordFile, "utf8").trim(),
  connectTimeout: 10000,
};

const serverOf = (rows) => Number(rows[0].sid);

async function main() {
  const out = {};
  const c = await mysql.createConnection(options);

  out.text_servers = [];
  for (let i = 0; i < 20; i++) {
    const [rows] = await c.query("/* sqlgate:route=random */ SELECT @@server_id AS sid");
    out.text_servers.push(serverOf(rows));
  }

  // execute() prepares once per connection and caches the statement.
  out.prepared_servers = [];
  out.prepared_values_ok = true;
  for (let i = 0; i < 20; i++) {
    const [rows] = await c.execute("SELECT @@server_id AS sid, ? + 1 AS next, CONCAT(?, 'z') AS s", [i, `v${i}`]);
    out.prepared_servers.push(serverOf(rows));
    if (Number(rows[0].next) !== i + 1 || rows[0].s !== `v${i}z`) out.prepared_values_ok = false;
  }

  await c.query("CREATE DATABASE IF NOT EXISTS itest");
  await c.query("CREATE TABLE IF NOT EXISTS itest.node_rw (id INT PRIMARY KEY, v VARCHAR(40))");
  await c.query("DELETE FROM itest.node_rw");
  out.read_your_writes_ok = true;
  out.read_after_write_servers = [];
  for (let id = 1; id <= 10; id++) {
    await c.execute("INSERT INTO itest.node_rw VALUES (?, ?)", [id, `row ${id}`]);
    const [rows] = await c.execute("SELECT v, @@server_id AS sid FROM itest.node_rw WHERE id = ?", [id]);
    if (rows.length !== 1 || rows[0].v !== `row ${id}`) out.read_your_writes_ok = false;
    if (rows.length === 1) out.read_after_write_servers.push(serverOf(rows));
  }

  await c.beginTransaction();
  const [inTrx] = await c.execute("SELECT @@server_id AS sid, COUNT(*) AS n FROM itest.node_rw");
  await c.commit();
  out.transaction_server = serverOf(inTrx);
  out.transaction_count = Number(inTrx[0].n);

  try {
    await c.execute("SELECT * FROM itest.no_such_table WHERE id = ?", [1]);
    out.missing_table_error = 0;
  } catch (e) {
    out.missing_table_error = e.errno;
  }
  try {
    await c.query("/* sqlgate:route=nowhere */ SELECT 1");
    out.unknown_route_error = 0;
  } catch (e) {
    out.unknown_route_error = e.errno;
  }
  const [still] = await c.query("SELECT 'usable' AS s");
  out.usable_after_errors = still[0].s === "usable";
  await c.end();

  // A pool: parallel prepared reads over several proxy sessions.
  const pool = mysql.createPool({ ...options, connectionLimit: 4 });
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      pool.execute("SELECT @@server_id AS sid, ? * 2 AS twice", [i]).then(([rows]) => ({
        sid: serverOf(rows),
        ok: Number(rows[0].twice) === i * 2,
      })),
    ),
  );
  await pool.end();
  out.pool_servers = results.map((r) => r.sid);
  out.pool_values_ok = results.every((r) => r.ok);
  process.stdout.write(JSON.stringify(out) + "\n");
}

main().catch((e) => {
  process.stderr.write(`client failed: ${e.stack || e}\n`);
  process.exit(1);
});

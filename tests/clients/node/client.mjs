// A workload through sqlgate with a Node.js driver written by others — mysql2, or MariaDB
// Connector/Node.js (which pipelines commands and runs prepare + execute back to back):
// text queries, prepared statements (each driver's execute()), a transaction, a pool, and
// errors. It prints one JSON object of what it saw; the integration test
// (tests/integration/clients_test.cpp) judges it, knowing which server is the primary.
// Usage: node client.mjs mysql2|mariadb HOST PORT USER PASSWORD_FILE
import { readFileSync } from "node:fs";
import mariadb from "mariadb";
import mysql2 from "mysql2/promise";

const [driverName, host, port, user, passwordFile] = process.argv.slice(2);
const options = {
  host,
  port: Number(port),
  user,
  password: readFileSync(passwordFile, "utf8").trim(),
  connectTimeout: 10000,
};

// The two drivers' promise APIs differ in little: mysql2 answers [rows, fields] and
// mariadb the rows; the rest is the same calls.
const rowsOf = driverName === "mysql2" ? (result) => result[0] : (result) => result;
const drivers = {
  mysql2: {
    connect: () => mysql2.createConnection(options),
    pool: (limit) => mysql2.createPool({ ...options, connectionLimit: limit }),
  },
  mariadb: {
    connect: () => mariadb.createConnection(options),
    pool: (limit) => mariadb.createPool({ ...options, connectionLimit: limit }),
  },
};
const driver = drivers[driverName];
if (!driver) {
  process.stderr.write(`unknown driver '${driverName}' (mysql2 or mariadb)\n`);
  process.exit(2);
}
const query = async (c, sql, params) => rowsOf(await c.query(sql, params));
const execute = async (c, sql, params) => rowsOf(await c.execute(sql, params));

const serverOf = (rows) => Number(rows[0].sid);

async function main() {
  const out = {};
  const c = await driver.connect();

  out.text_servers = [];
  for (let i = 0; i < 20; i++) {
    const rows = await query(c, "/* sqlgate:route=random */ SELECT @@server_id AS sid");
    out.text_servers.push(serverOf(rows));
  }

  // execute() prepares once per connection and caches the statement.
  out.prepared_servers = [];
  out.prepared_values_ok = true;
  for (let i = 0; i < 20; i++) {
    const rows = await execute(c, "SELECT @@server_id AS sid, ? + 1 AS next, CONCAT(?, 'z') AS s", [i, `v${i}`]);
    out.prepared_servers.push(serverOf(rows));
    if (Number(rows[0].next) !== i + 1 || rows[0].s !== `v${i}z`) out.prepared_values_ok = false;
  }

  const table = `itest.node_rw_${driverName}`;
  await query(c, "CREATE DATABASE IF NOT EXISTS itest");
  await query(c, `CREATE TABLE IF NOT EXISTS ${table} (id INT PRIMARY KEY, v VARCHAR(40))`);
  await query(c, `DELETE FROM ${table}`);
  out.read_your_writes_ok = true;
  out.read_after_write_servers = [];
  for (let id = 1; id <= 10; id++) {
    await execute(c, `INSERT INTO ${table} VALUES (?, ?)`, [id, `row ${id}`]);
    const rows = await execute(c, `SELECT v, @@server_id AS sid FROM ${table} WHERE id = ?`, [id]);
    if (rows.length !== 1 || rows[0].v !== `row ${id}`) out.read_your_writes_ok = false;
    if (rows.length === 1) out.read_after_write_servers.push(serverOf(rows));
  }

  await c.beginTransaction();
  const inTrx = await execute(c, `SELECT @@server_id AS sid, COUNT(*) AS n FROM ${table}`);
  await c.commit();
  out.transaction_server = serverOf(inTrx);
  out.transaction_count = Number(inTrx[0].n);

  try {
    await execute(c, "SELECT * FROM itest.no_such_table WHERE id = ?", [1]);
    out.missing_table_error = 0;
  } catch (e) {
    out.missing_table_error = e.errno;
  }
  try {
    await query(c, "/* sqlgate:route=nowhere */ SELECT 1");
    out.unknown_route_error = 0;
  } catch (e) {
    out.unknown_route_error = e.errno;
  }
  const still = await query(c, "SELECT 'usable' AS s");
  out.usable_after_errors = still[0].s === "usable";
  await c.end();

  // A pool: parallel prepared reads over several proxy sessions.
  const pool = driver.pool(4);
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      execute(pool, "SELECT @@server_id AS sid, ? * 2 AS twice", [i]).then((rows) => ({
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

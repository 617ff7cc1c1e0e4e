// A deliberately careless web application for the firewall's sqlmap test: it splices request
// parameters into its SQL as string concatenation, the mistake injection lives on, and reaches
// the database only through the gatekeeper (mysql2 over TLS). Never run it anywhere else.
//   GET /item?id=N       SELECT ... WHERE id = N            (a numeric parameter)
//   GET /search?name=S   SELECT ... WHERE name = 'S'        (a string parameter)
// Rows come back as an HTML table; a database error as a 500 page with its message, as
// careless applications show it.
// Usage: node injectable_app.mjs LISTEN_ADDRESS PORT GATEKEEPER_HOST GATEKEEPER_PORT USER
//        PASSWORD_FILE CA_FILE TABLE
import { readFileSync } from "node:fs";
import http from "node:http";
import mysql2 from "mysql2/promise";

const [listenAddress, port, host, gatekeeperPort, user, passwordFile, caFile, table] =
  process.argv.slice(2);
const pool = mysql2.createPool({
  host,
  port: Number(gatekeeperPort),
  user,
  password: readFileSync(passwordFile, "utf8").trim(),
  ssl: { ca: readFileSync(caFile, "utf8") },
  connectionLimit: 4,
  connectTimeout: 10000,
});

const escapeHtml = (v) =>
  String(v).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);

function page(title, body) {
  return `<html><head><title>${title}</title></head><body><h1>${title}</h1>${body}</body></html>\n`;
}

async function answer(res, sql) {
  try {
    const [rows] = await pool.query(sql);
    const cells = rows
      .map((r) => `<tr>${Object.values(r).map((v) => `<td>${escapeHtml(v)}</td>`).join("")}</tr>`)
      .join("\n");
    res.writeHead(200, { "content-type": "text/html" });
    res.end(page("Items", `<table>\n${cells}\n</table>`));
  } catch (e) {
    res.writeHead(500, { "content-type": "text/html" });
    res.end(page("Error", `<p>${escapeHtml(e.message)}</p>`));
  }
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://app");
  const columns = `SELECT id, name, price FROM ${table}`;
  if (url.pathname === "/item") {
    return answer(res, `${columns} WHERE id = ${url.searchParams.get("id")}`);
  }
  if (url.pathname === "/search") {
    return answer(res, `${columns} WHERE name = '${url.searchParams.get("name")}'`);
  }
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found\n");
});
server.listen(Number(port), listenAddress, () => {
  process.stdout.write(`listening on ${listenAddress}:${port}\n`);
});

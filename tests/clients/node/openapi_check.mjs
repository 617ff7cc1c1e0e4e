// Checks the gatekeeper's OpenAPI document against itself and against the gatekeeper: the
// document must be valid OpenAPI (a maintained validator, not ours), and every answer the
// test provokes — results and each documented error — must have a status the document lists
// for its path and a body its schema accepts (Ajv). Prints a JSON summary; exit 1 on failure.
// Usage: node openapi_check.mjs BASE_URL TOKEN_FILE CA_FILE
import { readFileSync } from "node:fs";
import https from "node:https";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";

const [base, tokenFile, caFile] = process.argv.slice(2);
const token = readFileSync(tokenFile, "utf8").trim();
const ca = readFileSync(caFile, "utf8");

function call(method, path, { body, auth = true, type = "application/json" } = {}) {
  return new Promise((resolve, reject) => {
    const headers = {};
    if (auth) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = type;
    const req = https.request(new URL(path, base), { method, headers, ca }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const failures = [];
const docAnswer = await call("GET", "/v1/openapi.json", { auth: false });
const doc = JSON.parse(docAnswer.text);
const validation = await new Validator().validate(doc);
if (!validation.valid) failures.push({ check: "document", errors: validation.errors });

// The document's schemas as one JSON Schema (2020-12, which OpenAPI 3.1 uses).
const defs = JSON.parse(JSON.stringify(doc.components.schemas).replaceAll("#/components/schemas/", "#/$defs/"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
const resolve = (node) => {
  while (node && node.$ref) {
    node = node.$ref.split("/").slice(1).reduce((n, key) => n[key], doc);
  }
  return node;
};
const schemaFor = (response) => {
  const schema = resolve(response).content["application/json"].schema;
  return JSON.parse(JSON.stringify(schema).replaceAll("#/components/schemas/", "#/$defs/"));
};

let checked = 0;
async function expect(name, method, path, status, options) {
  const answer = await call(method, path, options);
  checked++;
  if (answer.status !== status) {
    failures.push({ check: name, expected: status, got: answer.status, body: answer.text });
    return;
  }
  const operation = doc.paths[path]?.[method.toLowerCase()];
  // Unknown paths and methods have no operation to list them: their body is an Error.
  const response = operation ? operation.responses[String(status)] : doc.components.responses.BadRequest;
  if (!response) {
    failures.push({ check: name, problem: `status ${status} is not documented for ${method} ${path}` });
    return;
  }
  const validate = ajv.compile({ ...schemaFor(response), $defs: defs });
  let body;
  try {
    body = JSON.parse(answer.text);
  } catch {
    failures.push({ check: name, problem: "not JSON", body: answer.text });
    return;
  }
  if (!validate(body)) failures.push({ check: name, body, errors: validate.errors });
}

const sql = (s, extra = {}) => JSON.stringify({ sql: s, ...extra });
await expect("health", "GET", "/health_check", 200, { auth: false });
await expect("create", "POST", "/populate_tables", 200, {
  body: sql("CREATE TABLE IF NOT EXISTS api_doc (id INT PRIMARY KEY, v VARCHAR(20), b BLOB, d DECIMAL(10, 2), t DATETIME)"),
});
await expect("write", "POST", "/populate_tables", 200, {
  body: sql("REPLACE INTO api_doc VALUES (1, 'one', 'bytes', 10.50, '2026-12-06 10:00:00'), (2, NULL, NULL, NULL, NULL)"),
});
await expect("typed result", "POST", "/v1/query", 200, { body: sql("SELECT * FROM api_doc ORDER BY id", { route: "direct" }) });
await expect("fetch_random", "POST", "/fetch_random", 200, { body: sql("SELECT 1") });
await expect("fetch_customized", "POST", "/fetch_customized", 200, { body: sql("SELECT @@server_id") });
await expect("fetch_direct", "POST", "/fetch_direct", 200, { body: sql("SELECT COUNT(*) FROM api_doc") });
await expect("bad json", "POST", "/v1/query", 400, { body: "not json" });
await expect("no sql", "POST", "/v1/query", 400, { body: JSON.stringify({ statement: "SELECT 1" }) });
await expect("unknown route", "POST", "/v1/query", 400, { body: sql("SELECT 1", { route: "fastest" }) });
await expect("statement failed", "POST", "/v1/query", 400, { body: sql("SELECT no_such_column FROM api_doc") });
await expect("no token", "POST", "/v1/query", 401, { body: sql("SELECT 1"), auth: false });
await expect("policy", "POST", "/v1/query", 403, { body: sql("SELECT * FROM api_doc WHERE id = 1 OR 1=1") });
await expect("too large", "POST", "/v1/query", 413, { body: sql("SELECT '" + "x".repeat(2 << 20) + "'") });
await expect("media type", "POST", "/v1/query", 415, { body: sql("SELECT 1"), type: "text/plain" });
await expect("unknown path", "POST", "/v2/query", 404, { body: sql("SELECT 1") });
await expect("wrong method", "GET", "/v1/query", 405, {});

process.stdout.write(JSON.stringify({ checked, failures }, null, 1) + "\n");
process.exit(failures.length === 0 ? 0 : 1);

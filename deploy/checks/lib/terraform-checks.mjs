// Offline policy checks of the Terraform deployment (no terraform binary, no AWS account).
// One line per check: "PASS [x] ..." or "FAIL [x] ...", then a summary. The checks:
//   [a] only the gatekeeper's security group admits addresses (CIDRs, prefix lists) at all:
//       var.allowed_client_cidrs, whose default (if any) is not the whole internet, and SSH
//       (tcp/22 alone) from an address list the operator must set; nothing literal, never /0
//   [b] every security group admits exactly the previous hop on exactly the needed ports:
//       gatekeeper <- var.allowed_client_cidrs on var.mysql_port and var.https_port (plus the
//       optional SSH of [a]), trusted_host <- gatekeeper SG on 3306, proxy <- trusted_host SG
//       on 3306, database <- proxy SG and database SG on 3306; one port per rule, TCP only;
//       extra or missing sources and ports fail, and so does a rule on any other group
//   [c] no rule opens the database port (3306, var.mysql_port) to 0.0.0.0/0 or ::/0, literally
//       or through a variable's default
//   [d] no secret literal in any .tf file or template under the deploy root: private key
//       blocks, AWS access keys, secret-named attributes/keys with literal values, long
//       base64 or hex strings (a line marked "deploy-check: allow-literal" is exempt, and
//       reported)
//   [e] every variable has a non-empty description and a type
//   [f] the aws provider's version is pinned (required_providers, with an upper bound); every
//       instance and launch template requires IMDSv2; no user_data carries private key
//       material (followed through locals, data sources and the template files)
//   [g] nothing admits port 22 unless from a variable the operator must set (no default, or
//       an empty one)
//   [h] every instance is attached to exactly its role's security group (membership is also
//       what a source-SG rule matches), and only the gatekeeper gets a public address; each
//       instance of a count/for_each resource is judged alone, its role being what its
//       resource name, for_each key and Role tag say (those that name one must agree)
// Rules are read in every form the AWS provider accepts: aws_vpc_security_group_ingress_rule,
// aws_security_group_rule, inline and dynamic ingress blocks of aws_security_group, with
// count/for_each, locals and variable defaults resolved offline. A rule that a switch turns
// on (a bool variable, one whose default is null or empty) is judged as if it were on.
import fs from "node:fs";
import path from "node:path";
import { Module, Sym, Unknown, OneOf, isOpaque, isMap, show, parseTemplate, references } from "./hcl.mjs";

const CONTRACT_SGS = ["gatekeeper", "trusted_host", "proxy", "database"];
const INTERNAL_PORT = 3306;
const CLIENT_CIDRS_VAR = "allowed_client_cidrs";

/* ---------------------------------------------------------------- reporting ---- */
export class InputError extends Error {}

// Runs every check on the Terraform in `dir`; `log` receives each output line. Returns
// {results: [{id, ok}], failedIds: [...]}; throws InputError when the input cannot be read.
// File names in messages are relative to `relativeTo`.
export async function checkTerraform(
    dir,
    { deployRoot = path.join(dir, ".."), verbose = false, log = console.log, relativeTo = process.cwd() } = {}
) {
    const results = [];
    function pass(id, msg) {
        results.push({ id, ok: true });
        log(`PASS [${id}] ${msg}`);
    }
    function fail(id, msg) {
        results.push({ id, ok: false });
        log(`FAIL [${id}] ${msg}`);
    }
    function info(id, msg) {
        log(`INFO [${id}] ${msg}`);
    }

    if (!fs.existsSync(dir) || !fs.readdirSync(dir).some((f) => f.endsWith(".tf"))) throw new InputError(`no .tf files in '${dir}'`);
    const jsonConfigs = fs.readdirSync(dir).filter((f) => f.endsWith(".tf.json"));
    if (jsonConfigs.length) throw new InputError(`${jsonConfigs.join(", ")} in '${dir}': JSON configuration is not read by these checks; write HCL (.tf)`);
    let mod;
    try {
        mod = await Module.load(dir);
    } catch (e) {
        throw new InputError(`cannot parse the Terraform in '${dir}': ${e.message}`);
    }
    // Operator-supplied address lists stay symbolic: a rule must name the variable itself.
    for (const name of Object.keys(mod.variables)) if (/cidr/i.test(name)) mod.symbolicVars.add(name);

    const where = (r) => `${r.type}.${r.name} (${r.file})`;
    const alternatives = (v) => (v instanceof OneOf ? v.options.flatMap(alternatives) : [v]);
    const asList = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);
    const block = (v) => (Array.isArray(v) ? v[0] : isMap(v) ? v : undefined);

    /* ------------------------------------------------ resource instances (count/for_each) ---- */
    function withSwitchesUnknown(f) {
        mod.switchesSymbolic = true;
        mod.localCache.clear();
        try {
            return f();
        } finally {
            mod.switchesSymbolic = false;
            mod.localCache.clear();
        }
    }
    // Scopes (count/each) of every instance a resource may have. A switch the operator may flip
    // (a bool, a variable whose default is null or empty) is unknown, so a rule the operator can
    // turn on is judged too; an unknown count is one instance with an unknown index.
    function instanceScopes(body) {
        if ("count" in body) {
            const counts = alternatives(withSwitchesUnknown(() => mod.evalValue(body.count, {})));
            const n = Math.max(0, ...counts.map((c) => (typeof c === "number" ? c : 1)));
            if (counts.every((c) => typeof c === "number"))
                return Array.from({ length: n }, (_, i) => ({ count: { index: i } }));
            return [{ count: { index: new Sym("count.index") } }];
        }
        if ("for_each" in body) {
            const scopes = [];
            for (const fe of alternatives(withSwitchesUnknown(() => mod.evalValue(body.for_each, {})))) {
                const pairs = Array.isArray(fe) ? fe.map((v) => [v, v]) : isMap(fe) ? Object.entries(fe) : null;
                if (pairs) for (const [key, value] of pairs) scopes.push({ each: { key, value } });
                else scopes.push({ each: { key: new Sym("each.key"), value: new Sym("each.value") } });
            }
            return scopes;
        }
        return [{}];
    }
    const ev = (value, scope) => (value === undefined ? undefined : mod.evalValue(value, scope));

    /* ---------------------------------------------------------------- rules ---- */
    // The security group an expression designates: a contract/extra SG name, or null.
    function sgName(v) {
        if (v instanceof Sym && v.root === "resource" && /^aws_(default_)?security_group$/.test(v.resourceType) &&
            v.ref === `${v.resourceType}.${v.resourceName}.id`)
            return v.resourceType === "aws_default_security_group" ? `default:${v.resourceName}` : v.resourceName;
        return null;
    }
    function normProto(p) {
        const s = String(p).toLowerCase();
        if (s === "-1" || s === "all") return "all";
        if (s === "tcp" || s === "6") return "tcp";
        if (s === "udp" || s === "17") return "udp";
        if (s === "icmp" || s === "1") return "icmp";
        if (s === "icmpv6" || s === "58") return "icmpv6";
        return isOpaque(p) ? `unknown(${show(p)})` : s;
    }
    // A source as {kind: "cidr"|"sg"|"prefix"|"unknown", ...} with a printable label.
    function cidrSource(v, ipv6 = false) {
        if (typeof v === "string") return { kind: "cidr", literal: v, label: v };
        if (v instanceof Sym && v.variable) return { kind: "cidr", variable: v.variable, label: `var.${v.variable}` };
        return { kind: "cidr", unresolved: true, label: `${ipv6 ? "ipv6 " : ""}cidr ${show(v)}` };
    }
    function sgSource(v) {
        const name = sgName(v);
        return name ? { kind: "sg", sg: name, label: `${name} SG` } : { kind: "sg", unresolved: true, label: `security group ${show(v)}` };
    }

    const rules = []; // {origin, direction, sg, source, proto, from, to}
    function addRule(origin, direction, sgValue, source, protoValue, fromValue, toValue) {
        for (const sgv of alternatives(sgValue))
            for (const protoV of alternatives(protoValue))
                for (const fromV of alternatives(fromValue))
                    for (const toV of alternatives(toValue)) {
                        const proto = normProto(protoV);
                        let from = fromV;
                        let to = toV;
                        if (proto === "all") [from, to] = [0, 65535];
                        rules.push({
                            origin,
                            direction,
                            sg: typeof sgv === "string" ? sgv : sgName(sgv),
                            sgText: show(sgv),
                            source,
                            proto,
                            from,
                            to,
                        });
                    }
    }
    function sourcesOf(attrs, scopeSelf, { cidrKeys, cidr6Keys, sgKeys, sgListKeys, prefixKeys }) {
        const out = [];
        for (const k of cidrKeys) for (const v of alternatives(attrs(k))) for (const c of asList(v)) for (const a of alternatives(c)) out.push(cidrSource(a));
        for (const k of cidr6Keys) for (const v of alternatives(attrs(k))) for (const c of asList(v)) for (const a of alternatives(c)) out.push(cidrSource(a, true));
        for (const k of sgKeys) for (const v of alternatives(attrs(k))) if (v !== undefined && v !== null) out.push(sgSource(v));
        for (const k of sgListKeys) for (const v of alternatives(attrs(k))) for (const s of asList(v)) for (const a of alternatives(s)) out.push(sgSource(a));
        for (const k of prefixKeys) for (const v of alternatives(attrs(k))) for (const p of asList(v)) out.push({ kind: "prefix", label: `prefix list ${show(p)}` });
        if (alternatives(attrs("self")).includes(true)) out.push(scopeSelf);
        return out;
    }

    const modernRuleKeys = { cidrKeys: ["cidr_ipv4"], cidr6Keys: ["cidr_ipv6"], sgKeys: ["referenced_security_group_id"], sgListKeys: [], prefixKeys: ["prefix_list_id"] };
    const legacyRuleKeys = { cidrKeys: ["cidr_blocks"], cidr6Keys: ["ipv6_cidr_blocks"], sgKeys: ["source_security_group_id"], sgListKeys: [], prefixKeys: ["prefix_list_ids"] };
    const inlineKeys = { cidrKeys: ["cidr_blocks"], cidr6Keys: ["ipv6_cidr_blocks"], sgKeys: [], sgListKeys: ["security_groups"], prefixKeys: ["prefix_list_ids"] };

    const securityGroups = new Map(); // name -> resource
    for (const r of mod.resources) {
        if (r.type === "aws_security_group") securityGroups.set(r.name, r);
        if (r.type === "aws_default_security_group") securityGroups.set(`default:${r.name}`, r);
    }

    for (const r of mod.resources) {
        for (const scope of instanceScopes(r.body)) {
            const attrs = (k) => ev(r.body[k], scope);
            if (r.type === "aws_vpc_security_group_ingress_rule" || r.type === "aws_vpc_security_group_egress_rule") {
                const dirn = r.type.includes("ingress") ? "ingress" : "egress";
                const sgv = attrs("security_group_id");
                const srcs = sourcesOf(attrs, sgSource(sgv), modernRuleKeys);
                if (!srcs.length) srcs.push({ kind: "unknown", label: "no source" });
                for (const s of srcs) addRule(where(r), dirn, sgv, s, attrs("ip_protocol"), attrs("from_port"), attrs("to_port"));
            } else if (r.type === "aws_security_group_rule") {
                const sgv = attrs("security_group_id");
                for (const t of alternatives(attrs("type"))) {
                    const srcs = sourcesOf(attrs, sgSource(sgv), legacyRuleKeys);
                    if (!srcs.length) srcs.push({ kind: "unknown", label: "no source" });
                    const dirn = t === "egress" ? "egress" : "ingress"; // unknown type: judged as ingress
                    for (const s of srcs) addRule(where(r), dirn, sgv, s, attrs("protocol"), attrs("from_port"), attrs("to_port"));
                }
            } else if (securityGroups.get(r.type === "aws_default_security_group" ? `default:${r.name}` : r.name) === r) {
                const name = r.type === "aws_default_security_group" ? `default:${r.name}` : r.name;
                const self = { kind: "sg", sg: name, label: `${name} SG (self)` };
                for (const dirn of ["ingress", "egress"]) {
                    const blocks = [];
                    // ingress { ... } blocks, or ingress = [ {...} ] (attributes as blocks)
                    for (const b of alternatives(attrs(dirn))) for (const x of asList(b)) blocks.push({ body: x, scope: null });
                    // dynamic "ingress" { for_each = ..., iterator = ..., content { ... } }
                    for (const dyn of asList((r.body.dynamic || {})[dirn])) {
                        const iter = typeof dyn.iterator === "string" ? dyn.iterator.replace(/^\$\{|\}$/g, "") : dirn;
                        const content = block(dyn.content) || {};
                        const fes = alternatives(withSwitchesUnknown(() => ev(dyn.for_each, scope)));
                        for (const fe of fes) {
                            const pairs = Array.isArray(fe) ? fe.map((v, i) => [i, v]) : isMap(fe) ? Object.entries(fe) : [[new Sym("key"), new Sym(`${iter}.value`)]];
                            for (const [key, value] of pairs) blocks.push({ raw: content, scope: { ...scope, [iter]: { key, value } } });
                        }
                    }
                    for (const b of blocks) {
                        const battrs = b.raw ? (k) => ev(b.raw[k], b.scope) : (k) => (isMap(b.body) ? b.body[k] : undefined);
                        const srcs = sourcesOf(battrs, self, inlineKeys);
                        if (!srcs.length) srcs.push({ kind: "unknown", label: "no source" });
                        for (const s of srcs) addRule(`${where(r)} inline ${dirn}`, dirn, name, s, battrs("protocol"), battrs("from_port"), battrs("to_port"));
                    }
                }
            }
        }
    }
    const ingress = rules.filter((r) => r.direction === "ingress");

    /* ---------------------------------------------------------------- ports ---- */
    function portDefault(name) {
        const v = mod.variables[name];
        if (!v) return { error: `var.${name} is not declared` };
        const d = mod.variableDefault(name);
        if (typeof d !== "number") return { error: `var.${name} has no numeric default (${show(d)})` };
        return { port: d };
    }
    const mysqlPort = portDefault("mysql_port");
    const httpsPort = portDefault("https_port");
    const dbPorts = [...new Set([INTERNAL_PORT, ...(mysqlPort.port ? [mysqlPort.port] : [])])];
    const covers = (r, port) => r.proto === "all" || (typeof r.from === "number" && typeof r.to === "number" && r.from <= port && port <= r.to) ||
        ((r.proto === "tcp" || r.proto.startsWith("unknown")) && (typeof r.from !== "number" || typeof r.to !== "number"));
    const portText = (r) => (r.proto === "all" ? "all protocols and ports" : `${r.proto}/${r.from === r.to ? show(r.from) : `${show(r.from)}-${show(r.to)}`}`);
    const ruleText = (r) => `${r.sg ?? r.sgText} ${r.direction === "egress" ? "->" : "<-"} ${r.source.label} on ${portText(r)} [${r.origin}]`;
    const isWorld = (c) => typeof c === "string" && /\/0$/.test(c.trim());
    // A variable the operator must set for it to admit anything: no default, or an empty one.
    const operatorSet = (name) => {
        const v = mod.variables[name];
        if (!v) return false;
        if (!("default" in v.body)) return true;
        const d = v.body.default;
        return d === null || d === "" || (Array.isArray(d) && d.length === 0) || (isMap(d) && Object.keys(d).length === 0);
    };
    // The one admission besides the clients the gatekeeper may have: SSH, tcp/22 alone, from an
    // address list the operator must set (judged by [g]).
    const optionalSsh = (r) =>
        r.sg === "gatekeeper" && r.source.kind === "cidr" && r.source.variable && r.source.variable !== CLIENT_CIDRS_VAR &&
        operatorSet(r.source.variable) && r.proto === "tcp" && r.from === 22 && r.to === 22;
    const cidrVarDefaultWorld = (name) => {
        const v = mod.variables[name];
        if (!v || !("default" in v.body)) return false;
        const d = mod.evalValue(v.body.default, {});
        return asList(d).some(isWorld);
    };

    if (verbose) for (const r of rules) info("rules", `${r.direction} ${ruleText(r)}`);

    /* ---------------------------------------------------------------- [a] ---- */
    {
        let bad = 0;
        for (const r of ingress) {
            if (r.source.kind !== "cidr" && r.source.kind !== "prefix") continue;
            if (r.sg !== "gatekeeper") {
                fail("a", `only the gatekeeper may admit addresses from outside the VPC: ${ruleText(r)}`);
                bad++;
            } else if (optionalSsh(r)) {
                info("a", `optional SSH from var.${r.source.variable}, which the operator must set: ${ruleText(r)}`);
            } else if (r.source.kind === "prefix" || r.source.variable !== CLIENT_CIDRS_VAR) {
                const why = r.source.literal && isWorld(r.source.literal) ? "the whole internet" : r.source.label;
                fail("a", `the gatekeeper admits ${why}; only var.${CLIENT_CIDRS_VAR} (and SSH from an operator-set variable) is allowed: ${ruleText(r)}`);
                bad++;
            }
        }
        if (!mod.variables[CLIENT_CIDRS_VAR]) {
            fail("a", `var.${CLIENT_CIDRS_VAR} is not declared`);
            bad++;
        } else if (cidrVarDefaultWorld(CLIENT_CIDRS_VAR)) {
            fail("a", `var.${CLIENT_CIDRS_VAR} defaults to the whole internet (${show(mod.variableDefault(CLIENT_CIDRS_VAR))})`);
            bad++;
        } else {
            const v = mod.variables[CLIENT_CIDRS_VAR].body;
            info("a", `var.${CLIENT_CIDRS_VAR}: ${"default" in v ? `default ${show(mod.variableDefault(CLIENT_CIDRS_VAR))}` : "no default (the operator must set it)"}` +
                `${v.validation ? ", validated" : ", no validation block"}`);
        }
        if (!bad) pass("a", `only the gatekeeper admits addresses from outside the VPC: var.${CLIENT_CIDRS_VAR} (and SSH only from an operator-set list)`);
    }

    /* ---------------------------------------------------------------- [b] ---- */
    {
        const expected = {
            gatekeeper: [
                { key: `cidr:var.${CLIENT_CIDRS_VAR}`, label: `var.${CLIENT_CIDRS_VAR}`, port: mysqlPort.port, portName: "var.mysql_port" },
                { key: `cidr:var.${CLIENT_CIDRS_VAR}`, label: `var.${CLIENT_CIDRS_VAR}`, port: httpsPort.port, portName: "var.https_port" },
            ],
            trusted_host: [{ key: "sg:gatekeeper", label: "gatekeeper SG", port: INTERNAL_PORT }],
            proxy: [{ key: "sg:trusted_host", label: "trusted_host SG", port: INTERNAL_PORT }],
            database: [
                { key: "sg:proxy", label: "proxy SG", port: INTERNAL_PORT },
                { key: "sg:database", label: "database SG", port: INTERNAL_PORT },
            ],
        };
        const srcKey = (s) => (s.kind === "sg" && s.sg ? `sg:${s.sg}` : s.kind === "cidr" && s.variable ? `cidr:var.${s.variable}` : `${s.kind}:${s.label}`);
        for (const p of [mysqlPort, httpsPort]) if (p.error) fail("b", p.error);
        for (const r of mod.modules) fail("b", `module "${r.name}" (${r.file}): rules inside modules are not checked; keep security groups in this directory`);
        for (const r of ingress.filter((x) => !x.sg))
            fail("b", `a rule whose security group cannot be resolved to a resource of this directory: ${ruleText(r)}`);
        for (const name of CONTRACT_SGS) {
            const sg = securityGroups.get(name);
            if (!sg) {
                fail("b", `aws_security_group.${name} is missing`);
                continue;
            }
            const mine = ingress.filter((r) => r.sg === name && !optionalSsh(r));
            const problems = [];
            const want = expected[name];
            for (const r of mine) {
                const key = srcKey(r.source);
                if (r.proto === "all") problems.push(`all protocols and ports (ip_protocol -1): ${ruleText(r)}`);
                else if (r.proto !== "tcp") problems.push(`protocol ${r.proto} is not needed: ${ruleText(r)}`);
                else if (typeof r.from !== "number" || typeof r.to !== "number") problems.push(`ports not resolvable offline: ${ruleText(r)}`);
                else if (r.from !== r.to) problems.push(`port range ${r.from}-${r.to} is wider than one port: ${ruleText(r)}`);
                else if (!want.some((w) => w.key === key && w.port === r.from))
                    problems.push(`${want.some((w) => w.key === key) ? "extra port" : "extra source"}: ${ruleText(r)}`);
            }
            for (const w of want) {
                if (w.port === undefined) continue; // reported above (variable without default)
                const ok = mine.some((r) => srcKey(r.source) === w.key && r.proto === "tcp" && r.from === w.port && r.to === w.port);
                if (!ok) problems.push(`missing: ${name} <- ${w.label} on tcp/${w.port}${w.portName ? ` (${w.portName})` : ""}`);
            }
            const ssh = ingress.filter((r) => r.sg === name && optionalSsh(r)).map((r) => `, SSH from var.${r.source.variable} when the operator sets it`);
            const wantText = want.map((w) => `${w.label} tcp/${w.port}`).join(", ") + [...new Set(ssh)].join("");
            if (problems.length) for (const p of problems) fail("b", `${name}: ${p}`);
            else pass("b", `${name} admits exactly ${wantText}`);
        }
        for (const [name, r] of securityGroups) {
            if (CONTRACT_SGS.includes(name)) continue;
            const mine = ingress.filter((x) => x.sg === name);
            if (mine.length) for (const x of mine) fail("b", `${name} is not one of the contract's security groups and admits: ${ruleText(x)}`);
            else info("b", `${where(r)} is not in the contract; it admits nothing`);
        }
    }

    /* ---------------------------------------------------------------- [c] ---- */
    {
        let bad = 0;
        for (const r of ingress) {
            if (r.source.kind !== "cidr") continue;
            const port = dbPorts.find((p) => covers(r, p));
            if (port === undefined) continue;
            const world = r.source.literal ? isWorld(r.source.literal) : r.source.variable ? cidrVarDefaultWorld(r.source.variable) : false;
            if (world) {
                fail("c", `database port ${port} open to the whole internet: ${ruleText(r)}` +
                    (r.source.variable ? ` (var.${r.source.variable} defaults to it)` : ""));
                bad++;
            } else if (r.source.unresolved) {
                fail("c", `a CIDR on database port ${port} cannot be resolved offline: ${ruleText(r)}`);
                bad++;
            }
        }
        if (!bad) pass("c", `no rule opens ${dbPorts.map((p) => `tcp/${p}`).join(" or ")} to 0.0.0.0/0 or ::/0`);
    }

    /* ---------------------------------------------------------------- [d] ---- */
    {
        const SECRET_ATTR = /(^|_)(password|passwd|pass|secret|secret_key|secret_string|token|api_key|access_key|private_key|private_key_pem|client_secret|auth)$/i;
        const ALLOW = "deploy-check: allow-literal";
        let bad = 0;
        const found = (msg) => {
            fail("d", msg);
            bad++;
        };
        // Attributes named like secrets whose value is a literal string (not an expression).
        const walk = (file, pathText, v) => {
            if (Array.isArray(v)) v.forEach((x, i) => walk(file, pathText, x));
            else if (isMap(v))
                for (const [k, x] of Object.entries(v)) {
                    if (SECRET_ATTR.test(k) && typeof x === "string" && x !== "" && !x.includes("${"))
                        found(`${file}: ${pathText}.${k} is a literal string; use random_password/tls resources or a variable`);
                    walk(file, `${pathText}.${k}`, x);
                }
        };
        for (const { file, json } of mod.docs) {
            for (const [kind, v] of Object.entries(json)) walk(file, kind, v);
            // A variable named like a secret must not carry a default value.
            for (const [name, blocks] of Object.entries(json.variable || {}))
                for (const b of blocks)
                    if (SECRET_ATTR.test(name) && typeof b.default === "string" && b.default !== "")
                        found(`${file}: variable "${name}" has a literal default`);
        }
        // Raw text of every file under the deploy root: key blocks, AWS keys, long encoded strings,
        // secret-named keys with literal values in the templates.
        const files = [];
        const skipDirs = new Set(["node_modules", ".terraform", "checks"]);
        const visit = (d) => {
            for (const e of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, e.name);
                if (e.isDirectory()) {
                    if (!skipDirs.has(e.name)) visit(p);
                } else if (/\.(tf|tfvars|tftpl|tpl|ya?ml|toml|json|sh|cfg|conf|service|ini|env)$/.test(e.name) && !e.name.endsWith(".tfstate")) files.push(p);
            }
        };
        visit(deployRoot);
        for (const f of files) {
            const rel = path.relative(relativeTo, f);
            const lines = fs.readFileSync(f, "utf8").split("\n");
            const isTf = f.endsWith(".tf") || f.endsWith(".tfvars");
            lines.forEach((line, i) => {
                if (line.includes(ALLOW)) {
                    info("d", `${rel}:${i + 1} allowed by '${ALLOW}'`);
                    return;
                }
                const at = `${rel}:${i + 1}`;
                if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/.test(line)) found(`${at}: a private key block`);
                if (/\b(AKIA|ASIA|AIDA|AROA)[0-9A-Z]{16}\b/.test(line)) found(`${at}: an AWS access key id`);
                if (/aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{20,}/i.test(line)) found(`${at}: an AWS secret access key`);
                // Long encoded literals: mixed-case base64 of 40+ characters, hex of 32+.
                for (const m of line.matchAll(/[A-Za-z0-9+/]{40,}={0,2}/g))
                    if (/[0-9]/.test(m[0]) && /[a-z]/.test(m[0]) && /[A-Z]/.test(m[0]) && !m[0].includes("//"))
                        found(`${at}: a long base64-like literal '${m[0].slice(0, 16)}...'`);
                for (const m of line.matchAll(/(?<![A-Za-z0-9_])[0-9a-fA-F]{32,}(?![A-Za-z0-9_])/g))
                    found(`${at}: a long hex literal '${m[0].slice(0, 16)}...'`);
                if (!isTf) {
                    // key = "value" / key: value with a secret-like key and a literal value
                    const m = /^\s*-?\s*["']?([A-Za-z0-9_.-]+)["']?\s*[:=]\s*(.*?)\s*,?\s*$/.exec(line);
                    if (m && /(^|[_.-])(password|passwd|pass|secret|token|api_key|access_key|private_key)$/i.test(m[1])) {
                        const val = m[2].replace(/^["']|["']$/g, "");
                        // empty, a template or shell expansion (${x}, $(cmd), $VAR), a flag, a number, a path
                        const harmless = val === "" || /^\$|\$\{|\$\(/.test(val) || /^(true|false|yes|no|null|~|\d+|[|>][-+]?)$/i.test(val) || /^\.?\//.test(val);
                        if (!harmless) found(`${at}: '${m[1]}' has a literal value`);
                    }
                }
            });
        }
        if (!bad) pass("d", `no secret literal in ${files.length} files under ${path.relative(relativeTo, deployRoot) || "."}`);
    }

    /* ---------------------------------------------------------------- [e] ---- */
    {
        let bad = 0;
        for (const [name, { file, body }] of Object.entries(mod.variables)) {
            const desc = typeof body.description === "string" ? body.description.trim() : "";
            const problems = [];
            if (!desc) problems.push("no description");
            if (!body.type) problems.push("no type");
            if (problems.length) {
                fail("e", `variable "${name}" (${file}): ${problems.join(", ")}`);
                bad++;
            }
        }
        if (!bad) pass("e", `all ${Object.keys(mod.variables).length} variables have a description and a type`);
    }

    /* ---------------------------------------------------------------- [f] ---- */
    {
        // The aws provider's version constraint, with an upper bound.
        const awsReqs = [];
        for (const { file, body } of mod.terraform)
            for (const rp of asList(body.required_providers))
                for (const [name, spec] of Object.entries(rp || {}))
                    if (name === "aws" || (isMap(spec) && /(^|\/)aws$/.test(spec.source || ""))) awsReqs.push({ file, spec });
        if (!awsReqs.length) fail("f", "no required_providers entry for the aws provider");
        for (const { file, spec } of awsReqs) {
            const version = typeof spec === "string" ? spec : isMap(spec) ? spec.version : undefined;
            const source = isMap(spec) ? spec.source : undefined;
            if (!version || typeof version !== "string" || !version.trim()) fail("f", `aws provider (${file}): no version constraint`);
            else if (!/~>|<|^\s*=?\s*v?\d+(\.\d+){0,2}\s*$/.test(version)) fail("f", `aws provider (${file}): version "${version}" has no upper bound (use "~> X.Y")`);
            else if (source && source !== "hashicorp/aws" && source !== "registry.terraform.io/hashicorp/aws")
                fail("f", `aws provider (${file}): source "${source}" is not hashicorp/aws`);
            else pass("f", `aws provider pinned: ${source ?? "(implicit source)"} "${version}"`);
        }

        // IMDSv2 on every instance and launch template.
        const instances = mod.resources.filter((r) => r.type === "aws_instance");
        const templates = mod.resources.filter((r) => r.type === "aws_launch_template");
        const imdsRequired = (r) => {
            const m = block(r.body.metadata_options);
            if (!m) return false;
            const tokens = ev(m.http_tokens, {});
            const endpoint = ev(m.http_endpoint, {});
            return tokens === "required" || endpoint === "disabled";
        };
        if (!instances.length && !templates.length) fail("f", "no aws_instance or aws_launch_template: nothing to check for IMDSv2");
        for (const r of [...instances, ...templates]) {
            if (imdsRequired(r)) continue;
            const lt = block(r.body.launch_template);
            if (r.type === "aws_instance" && lt) {
                const ltName = [lt.id, lt.name].map((x) => ev(x, {})).find((x) => x instanceof Sym)?.resourceName;
                const t = templates.find((x) => x.name === ltName);
                if (t && imdsRequired(t) && !r.body.metadata_options) continue;
            }
            fail("f", `${where(r)} does not require IMDSv2 (metadata_options { http_tokens = "required" })`);
        }
        const imdsBad = results.filter((x) => x.id === "f" && !x.ok).length;
        if (instances.length + templates.length && !imdsBad)
            pass("f", `IMDSv2 required on all ${instances.length} aws_instance resources and ${templates.length} launch templates`);

        // Private key material reaching user_data: follow references through locals, data sources
        // (cloudinit_config, template_file) and the templates themselves.
        const PRIVATE_REF = /(^|\.)private_key(_pem|_openssh|_pkcs8|_pem_pkcs8)?$|^var\.[a-z0-9_]*private_key|^tls_private_key\.[^.]+$/i;
        const SECRET_REF = /^(random_password|tls_private_key|aws_secretsmanager_secret_version)\.|\.(result|bcrypt_hash)$|password|secret/i;
        const stringsIn = (v, out = []) => {
            if (typeof v === "string") out.push(v);
            else if (Array.isArray(v)) v.forEach((x) => stringsIn(x, out));
            else if (isMap(v)) Object.values(v).forEach((x) => stringsIn(x, out));
            return out;
        };
        const refsOf = (v) => {
            const refs = [];
            for (const s of stringsIn(v)) {
                try {
                    references(parseTemplate(s), refs);
                } catch {
                    refs.push(`(unparsed ${s})`);
                }
            }
            return refs;
        };
        const templatePaths = (v) => {
            const out = [];
            const visit = (node) => {
                if (!node || typeof node !== "object") return;
                if (node.t === "call" && (node.name === "templatefile" || node.name === "file" || node.name === "filebase64") && node.args[0]) {
                    const p = mod.eval(node.args[0], {});
                    if (typeof p === "string") out.push(p);
                }
                for (const [k, x] of Object.entries(node)) if (k !== "t") (Array.isArray(x) ? x : [x]).forEach(visit);
            };
            for (const s of stringsIn(v)) {
                try {
                    visit(parseTemplate(s));
                } catch {}
            }
            return out;
        };
        let keyBad = 0;
        for (const r of [...instances, ...templates]) {
            const seen = new Set();
            const secretRefs = new Set();
            const privateRefs = new Set();
            const files = new Set();
            const follow = (v) => {
                for (const f of templatePaths(v)) files.add(f);
                for (const ref of refsOf(v)) {
                    if (seen.has(ref)) continue;
                    seen.add(ref);
                    if (PRIVATE_REF.test(ref)) privateRefs.add(ref);
                    else if (SECRET_REF.test(ref)) secretRefs.add(ref);
                    const parts = ref.split(".");
                    if (parts[0] === "local" && mod.locals[parts[1]]) follow(mod.locals[parts[1]].value);
                    // each.value.x: whatever the for_each collection holds may reach the user data.
                    if (parts[0] === "each" && "for_each" in r.body) follow(r.body.for_each);
                    if (parts[0] === "data") {
                        const d = mod.data.find((x) => x.type === parts[1] && x.name === parts[2]);
                        if (d) follow(d.body);
                    }
                }
            };
            for (const k of ["user_data", "user_data_base64"]) if (k in r.body) follow(r.body[k]);
            for (const f of files) {
                if (!fs.existsSync(f)) continue;
                if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(fs.readFileSync(f, "utf8"))) privateRefs.add(`a private key block in ${f}`);
            }
            if (privateRefs.size) {
                fail("f", `${where(r)}: user_data carries private key material: ${[...privateRefs].join(", ")}`);
                keyBad++;
            }
            if (secretRefs.size) info("f", `${where(r)}: user_data carries secrets (not private keys): ${[...secretRefs].join(", ")}`);
        }
        if (!keyBad) pass("f", "no user_data carries private key material");
    }

    /* ---------------------------------------------------------------- [g] ---- */
    {
        let bad = 0;
        for (const r of ingress.filter((x) => covers(x, 22))) {
            const v = r.source.kind === "cidr" && r.source.variable ? mod.variables[r.source.variable] : null;
            if (v && operatorSet(r.source.variable)) {
                info("g", `port 22 from var.${r.source.variable}, which the operator must set (no default or an empty one): ${ruleText(r)}`);
                continue;
            }
            fail("g", `port 22 admitted${v ? ` from var.${r.source.variable}, which has a non-empty default` : ""}: ${ruleText(r)}`);
            bad++;
        }
        if (!bad) pass("g", "port 22 is admitted from nothing but an operator-set variable");
    }

    /* ---------------------------------------------------------------- [h] ---- */
    {
        const roleOf = (name) =>
            /gatekeeper|(^|[_-])gk([_-]|$)/i.test(name) ? "gatekeeper"
            : /trusted/i.test(name) ? "trusted_host"
            : /proxy/i.test(name) ? "proxy"
            : /database|(^|[_-])db([_-]|$)|primary|replica|mariadb|mysql/i.test(name) ? "database"
            : null;
        let bad = 0;
        const reported = new Set();
        const bad1 = (msg) => {
            if (reported.has(msg)) return; // the instances of one count resource say it alike
            reported.add(msg);
            fail("h", msg);
            bad++;
        };
        // Attributes are read per instance (count/for_each), as Terraform would set them.
        const attached = (r, scope) => {
            const out = [];
            for (const k of ["vpc_security_group_ids", "security_groups"]) for (const v of alternatives(ev(r.body[k], scope))) for (const x of asList(v)) for (const a of alternatives(x)) out.push(a);
            for (const ni of asList(r.body.network_interfaces)) for (const v of alternatives(ev(ni.security_groups, scope))) for (const x of asList(v)) for (const a of alternatives(x)) out.push(a);
            return out;
        };
        // An instance's role, from what names it: the resource's name, its for_each key and its
        // Role tag. Those that name a role must agree; a resource named for no role (one
        // aws_instance for several roles) leaves it to the key or the tag.
        const instanceLabel = (r, scope) => (scope.each ? `${r.type}.${r.name}[${show(scope.each.key)}] (${r.file})` : where(r));
        const roleIn = (r, scope) => {
            const said = [];
            const say = (what, text) => {
                const role = typeof text === "string" ? roleOf(text) : null;
                if (role) said.push({ what, role });
            };
            say("name", r.name);
            if (scope.each) say("for_each key", scope.each.key);
            const tags = ev(r.body.tags, scope);
            if (isMap(tags)) say("Role tag", tags.Role);
            const roles = [...new Set(said.map((x) => x.role))];
            if (roles.length === 1) return { role: roles[0] };
            if (!roles.length) return { error: "cannot tell its role from its name, for_each key or Role tag" };
            return { error: `its ${said.map((x) => `${x.what} says ${x.role}`).join(", ")}` };
        };
        const launchTemplates = new Map(mod.resources.filter((r) => r.type === "aws_launch_template").map((r) => [r.name, r]));
        const machines = mod.resources.filter((r) => ["aws_instance", "aws_launch_template", "aws_network_interface"].includes(r.type));
        const attachedRoles = new Set();
        for (const r of machines)
            for (const scope of instanceScopes(r.body)) {
                let sgs = attached(r, scope);
                if (!sgs.length && r.type === "aws_instance" && r.body.launch_template) {
                    const lt = block(r.body.launch_template);
                    const name = [lt.id, lt.name].map((x) => ev(x, scope)).find((x) => x instanceof Sym)?.resourceName;
                    if (launchTemplates.has(name)) sgs = attached(launchTemplates.get(name), {});
                }
                const { role, error } = roleIn(r, scope);
                const label = instanceLabel(r, scope);
                const names = sgs.map((s) => sgName(s) ?? show(s));
                if (!sgs.length) {
                    if (r.type !== "aws_launch_template") bad1(`${label} names no security group (it would get the VPC's default group)`);
                    continue;
                }
                if (!role) {
                    bad1(`${label}: ${error}; attached to ${names.join(", ")}`);
                    continue;
                }
                names.forEach((n) => attachedRoles.add(n));
                if (names.length !== 1 || names[0] !== role) bad1(`${label} (role ${role}) must be attached to exactly the ${role} SG, not ${names.join(", ")}`);
            }
        for (const name of CONTRACT_SGS) if (securityGroups.has(name) && !attachedRoles.has(name)) bad1(`no instance is attached to the ${name} SG`);
        // Public addresses: only the gatekeeper.
        for (const r of mod.resources.filter((x) => x.type === "aws_instance"))
            for (const scope of instanceScopes(r.body)) {
                if (roleIn(r, scope).role === "gatekeeper") continue;
                const pub = alternatives(withSwitchesUnknown(() => ev(r.body.associate_public_ip_address, scope)));
                if (pub.some((x) => x === true || x instanceof Sym || x instanceof Unknown))
                    bad1(`${instanceLabel(r, scope)} may get a public IP address (associate_public_ip_address)`);
            }
        // The role of the instance(s) an EIP names: aws_instance.x, or aws_instance.x["key"] of a
        // count/for_each resource (every instance when the key is not known offline).
        const targetIsGatekeeper = (target) => {
            const r = machines.find((x) => x.type === target.resourceType && x.name === target.resourceName);
            if (!r) return roleOf(target.resourceName || "") === "gatekeeper";
            const scopes = instanceScopes(r.body).filter((sc) =>
                target.instanceKey === undefined ? true
                : sc.each ? sc.each.key === target.instanceKey
                : sc.count ? sc.count.index === target.instanceKey
                : false);
            return scopes.length > 0 && scopes.every((sc) => roleIn(r, sc).role === "gatekeeper");
        };
        for (const r of mod.resources.filter((x) => x.type === "aws_eip" || x.type === "aws_eip_association"))
            for (const scope of instanceScopes(r.body)) {
                for (const target of [r.body.instance, r.body.instance_id, r.body.network_interface].flatMap((x) => alternatives(ev(x, scope)))) {
                    if (!(target instanceof Sym)) continue;
                    const text = target.instanceKey === undefined ? target.ref : `${target.ref} [${show(target.instanceKey)}]`;
                    if (!targetIsGatekeeper(target)) bad1(`${where(r)} gives ${text} a public address`);
                }
            }
        if (!bad) pass("h", `every instance is attached to exactly its role's SG (${[...attachedRoles].sort().join(", ")}); only the gatekeeper may have a public address`);
    }

    /* ---------------------------------------------------------------- summary ---- */
    const failed = results.filter((r) => !r.ok);
    const failedIds = [...new Set(failed.map((r) => r.id))].sort();
    log(
        failed.length
            ? `${failed.length} of ${results.length} checks FAILED (${failedIds.join(", ")}) in ${dir}`
            : `all ${results.length} checks passed in ${dir}`
    );
    return { results, failedIds };
}

// Renders the deployment's templates offline and checks what comes out.
// One line per check, "PASS [x] ..." / "FAIL [x] ...", then a summary.
//   [syntax] every cloud-init/*.yaml.tftpl and templates/*.toml.tftpl uses nothing but
//            ${identifier} interpolation ($${ and %%{ escapes allowed): no %{ directives, no
//            expressions or function calls, which this offline renderer cannot do
//   [yaml]   each cloud-init template rendered with representative values (sample addresses,
//            names, ports; for *_b64 the base64 of a multi-line text, for *_gzip_b64 of its
//            gzip) starts with "#cloud-config" and parses as one YAML mapping without
//            duplicate keys; write_files entries have an absolute path and a content string,
//            quoted permissions, and encoded contents that decode (a base64 blob written
//            without its encoding fails); runcmd is a list of commands
//   [toml]   each role-config template rendered the same way has no ${ left and parses as
//            TOML (a placeholder alone on its line is a fragment slot and renders empty)
//   [vars]   every templatefile() call in terraform/ passes every variable its template uses
//            (terraform plan fails otherwise) and only values a template can hold (strings,
//            numbers, bools)
//   [user_data] the user data of every instance, rendered as Terraform would with the values
//            known offline (variable defaults, locals, the real files; samples for what only
//            AWS knows), passes the [yaml] checks, fits EC2's 16 KB, and every TOML file it
//            writes parses with no ${ left
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import YAML from "yaml";
import { parse as parseToml } from "smol-toml";
import { Module, isOpaque, isMap, show, parseTemplate } from "./hcl.mjs";

const USER_DATA_LIMIT = 16384;

/* ------------------------------------------------------------ template syntax ---- */
// {names: Set, slots: Set (placeholders alone on their line), problems: [...]}
function scanTemplate(text) {
    const names = new Set();
    const slots = new Set();
    const problems = [];
    const lineOf = (i) => text.slice(0, i).split("\n").length;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") {
            i += 2;
            continue;
        }
        if (c === "%" && text[i + 1] === "{") {
            problems.push(`line ${lineOf(i)}: template directive '${text.slice(i, text.indexOf("}", i) + 1 || i + 20)}' (only \${name} is rendered offline)`);
            continue;
        }
        if (c === "$" && text[i + 1] === "{") {
            const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(text.slice(i));
            if (!m) {
                const end = text.indexOf("}", i);
                problems.push(`line ${lineOf(i)}: '${text.slice(i, end < 0 ? i + 20 : end + 1)}' is not a plain \${identifier} interpolation`);
                continue;
            }
            names.add(m[1]);
            const lineStart = text.lastIndexOf("\n", i) + 1;
            const lineEnd = text.indexOf("\n", i);
            if (text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd).trim() === m[0]) slots.add(m[1]);
            i += m[0].length - 1;
        }
    }
    return { names, slots, problems };
}

// Renders ${name} with value(name); $${ and %%{ become ${ and %{, as templatefile() does.
function render(text, value) {
    return text.replace(/\$\$\{|%%\{|\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name) => {
        if (m === "$${") return "${";
        if (m === "%%{") return "%{";
        return value(name);
    });
}

/* ------------------------------------------------------------ sample values ---- */
const sampleText = (name) => `sample content of ${name}\nsecond line: key = "value"\n\tindented third line with ü and $HOME\n`;
const samples = new Map(); // rendered base64 sample -> variable name, to spot raw blobs
function sample(name, { slot = false } = {}) {
    if (slot) return "";
    let v;
    if (/gz(ip)?_b64$/.test(name)) v = zlib.gzipSync(Buffer.from(sampleText(name))).toString("base64");
    else if (/_b64$|base64$/.test(name)) v = Buffer.from(sampleText(name)).toString("base64");
    if (v) {
        samples.set(v, name);
        return v;
    }
    if (/peers$/.test(name)) return '"127.0.0.1:9192", "127.0.0.1:9190"'; // a TOML list's items
    if (/https_port$/.test(name)) return "8443";
    if (/port$/.test(name)) return "3306";
    if (/addresses$/.test(name)) return "10.42.1.21,10.42.1.22";
    if (/(address|_ip|_host)$/.test(name)) return "10.42.1.10";
    if (/cidrs?$/.test(name)) return "10.42.0.0/16";
    if (/(index|count|_id|number)$/.test(name)) return "1";
    if (/(_dir|_file|_path)$/.test(name)) return `/etc/sqlgate/sample-${name.replace(/_/g, "-")}`;
    if (/prefix$/.test(name)) return "/sqlgate";
    if (/region$/.test(name)) return "us-east-1";
    return `sample-${name.replace(/_/g, "-")}`;
}

/* ------------------------------------------------------------ cloud-config ---- */
const B64 = new Set(["b64", "base64"]);
const GZB64 = new Set(["gz+b64", "gz+base64", "gzip+b64", "gzip+base64"]);
const GZ = new Set(["gz", "gzip"]);
const TEXT = new Set(["text/plain"]);
function strictBase64(s) {
    const t = s.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return null;
    const b = Buffer.from(t, "base64");
    return b.toString("base64") === t ? b : null;
}
// Problems with one rendered cloud-config document; files: [{path, data: Buffer}] decoded.
function checkCloudConfig(text) {
    const problems = [];
    const files = [];
    if ((text.split("\n")[0] ?? "").trimEnd() !== "#cloud-config") problems.push(`the first line is not '#cloud-config'`);
    const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    for (const e of doc.errors) problems.push(`YAML error: ${e.message.split("\n")[0]}`);
    for (const w of doc.warnings) problems.push(`YAML warning: ${w.message.split("\n")[0]}`);
    if (doc.errors.length) return { problems, files };
    const cfg = doc.toJS();
    if (!isMap(cfg)) {
        problems.push(`the document is not a mapping (${cfg === null ? "empty" : Array.isArray(cfg) ? "a list" : typeof cfg})`);
        return { problems, files };
    }
    if ("write_files" in cfg) {
        if (!Array.isArray(cfg.write_files)) problems.push("write_files is not a list");
        else
            cfg.write_files.forEach((f, i) => {
                const at = `write_files[${i}]${isMap(f) && typeof f.path === "string" ? ` (${f.path})` : ""}`;
                if (!isMap(f)) return problems.push(`${at} is not a mapping`);
                if (typeof f.path !== "string" || !f.path.startsWith("/")) problems.push(`${at}: path is missing or not absolute`);
                if (typeof f.content !== "string") return problems.push(`${at}: content is missing or not a string`);
                if ("permissions" in f && (typeof f.permissions !== "string" || !/^0?[0-7]{3,4}$/.test(f.permissions)))
                    problems.push(`${at}: permissions ${show(f.permissions)} must be a quoted octal string such as "0644"`);
                const enc = f.encoding === undefined ? undefined : String(f.encoding).toLowerCase();
                let data = null;
                if (enc === undefined || TEXT.has(enc)) {
                    const raw = f.content.trim();
                    if (samples.has(raw)) problems.push(`${at}: the base64 value of \${${samples.get(raw)}} is written without 'encoding: b64'`);
                    data = Buffer.from(f.content);
                } else if (B64.has(enc)) {
                    data = strictBase64(f.content);
                    if (!data) problems.push(`${at}: content is not valid base64 (encoding: ${f.encoding})`);
                    else if (data[0] === 0x1f && data[1] === 0x8b) {
                        const from = samples.has(f.content.trim()) ? ` (\${${samples.get(f.content.trim())}})` : "";
                        problems.push(`${at}: gzip data${from} with encoding ${f.encoding}; cloud-init would write it compressed (use gz+b64)`);
                    }
                } else if (GZB64.has(enc)) {
                    const b = strictBase64(f.content);
                    try {
                        data = b && zlib.gunzipSync(b);
                    } catch {
                        data = null;
                    }
                    if (!data) problems.push(`${at}: content is not base64 of gzip data (encoding: ${f.encoding})`);
                } else if (GZ.has(enc)) {
                    problems.push(`${at}: encoding ${f.encoding} needs binary content, which a text template cannot hold; use gz+b64`);
                } else problems.push(`${at}: unknown encoding '${f.encoding}'`);
                if (data) files.push({ path: f.path, data });
            });
    }
    if (!("runcmd" in cfg)) problems.push("no runcmd: nothing starts the role");
    else if (!Array.isArray(cfg.runcmd)) problems.push("runcmd is not a list");
    else
        cfg.runcmd.forEach((c, i) => {
            const ok = (typeof c === "string" && c.trim()) || (Array.isArray(c) && c.length && c.every((x) => typeof x === "string" || typeof x === "number"));
            if (!ok) problems.push(`runcmd[${i}] is neither a command string nor a list of words: ${show(c)}`);
        });
    return { problems, files };
}
function checkToml(text) {
    const problems = [];
    const lines = text.split("\n");
    lines.forEach((l, i) => {
        if (l.includes("${")) problems.push(`line ${i + 1}: '\${' left after rendering: ${l.trim()}`);
    });
    try {
        parseToml(text);
    } catch (e) {
        problems.push(`TOML: ${e.message.split("\n")[0]}`);
    }
    return problems;
}

// Renders and checks the templates of `deployDir` (cloud-init/, templates/, terraform/); `log`
// receives each line. Returns {results: [{id, ok}], failedIds}.
export async function checkRendering(deployDir, { log = console.log, relativeTo = process.cwd() } = {}) {
    const rel = (p) => path.relative(relativeTo, p) || ".";
    const results = [];
    const pass = (id, msg) => {
        results.push({ id, ok: true });
        log(`PASS [${id}] ${msg}`);
    };
    const fail = (id, msg) => {
        results.push({ id, ok: false });
        log(`FAIL [${id}] ${msg}`);
    };
    const info = (id, msg) => log(`INFO [${id}] ${msg}`);
    const report = (id, problems, okMsg) => {
        if (problems.length) problems.forEach((p) => fail(id, p));
        else pass(id, okMsg);
    };

    /* ------------------------------------------------------------ 1. each template alone ---- */
    const listTemplates = (sub, suffix) => {
        const d = path.join(deployDir, sub);
        return fs.existsSync(d) ? fs.readdirSync(d).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(d, f)) : [];
    };
    const cloudInit = listTemplates("cloud-init", ".yaml.tftpl");
    const roleConfigs = listTemplates("templates", ".toml.tftpl");
    if (!cloudInit.length) fail("syntax", `no cloud-init templates in ${rel(path.join(deployDir, "cloud-init"))}`);
    const scanned = new Map();
    for (const file of [...cloudInit, ...roleConfigs]) {
        const text = fs.readFileSync(file, "utf8");
        const scan = scanTemplate(text);
        scanned.set(path.resolve(file), { text, ...scan });
        report("syntax", scan.problems.map((p) => `${rel(file)}: ${p}`), `${rel(file)}: only \${name} interpolation (${[...scan.names].join(", ") || "none"})`);
        if (scan.problems.length) continue;
        const rendered = render(text, (name) => sample(name, { slot: scan.slots.has(name) }));
        if (file.endsWith(".yaml.tftpl")) {
            const { problems } = checkCloudConfig(rendered);
            report("yaml", problems.map((p) => `${rel(file)}: ${p}`), `${rel(file)}: renders to a valid #cloud-config mapping`);
        } else {
            report("toml", checkToml(rendered).map((p) => `${rel(file)}: ${p}`), `${rel(file)}: renders to valid TOML`);
        }
    }

    /* ------------------------------------------------------------ 2. as Terraform renders them ---- */
    const tfDir = path.join(deployDir, "terraform");
    if (fs.existsSync(tfDir) && fs.readdirSync(tfDir).some((f) => f.endsWith(".tf"))) {
        const mod = await Module.load(tfDir);
        const calls = new Map(); // "file|where" -> problems
        let where = "";
        mod.templateRenderer = (p, vars) => {
            const abs = path.resolve(p);
            const key = `${abs}|${where}`;
            const t = scanned.get(abs) ?? (fs.existsSync(abs) ? { text: fs.readFileSync(abs, "utf8"), ...scanTemplate(fs.readFileSync(abs, "utf8")) } : null);
            const problems = [];
            if (!t) {
                problems.push(`templatefile(${rel(abs)}) in ${where}: no such file`);
                calls.set(key, problems);
                return `(missing ${p})`;
            }
            for (const name of t.names) {
                if (!(name in vars)) problems.push(`templatefile(${rel(abs)}) in ${where} does not pass '${name}' (terraform plan: vars map does not contain key "${name}")`);
                else {
                    const v = vars[name];
                    if (!isOpaque(v) && v !== null && typeof v === "object")
                        problems.push(`templatefile(${rel(abs)}) in ${where} passes '${name}' as a ${Array.isArray(v) ? "list" : "map"}, which a template cannot interpolate`);
                }
            }
            if (!calls.has(key)) calls.set(key, problems);
            return render(t.text, (name) => {
                const v = vars[name];
                if (typeof v === "string") return v;
                if (typeof v === "number" || typeof v === "boolean") return String(v);
                return sample(name, { slot: t.slots.has(name) });
            });
        };
        // Every templatefile() call anywhere, evaluated where it stands (values bound by an
        // enclosing for-expression are unknown there; the variable names are what counts).
        const visitCalls = (node, fn) => {
            if (!node || typeof node !== "object") return;
            if (node.t === "call" && node.name === "templatefile") fn(node);
            for (const [k, x] of Object.entries(node)) if (k !== "t") (Array.isArray(x) ? x : [x]).forEach((y) => visitCalls(y, fn));
        };
        const strings = (v, out = []) => {
            if (typeof v === "string") out.push(v);
            else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
            else if (isMap(v)) Object.values(v).forEach((x) => strings(x, out));
            return out;
        };
        const holders = [
            ...Object.entries(mod.locals).map(([name, l]) => ({ where: `local.${name} (${l.file})`, value: l.value })),
            ...mod.resources.map((r) => ({ where: `${r.type}.${r.name} (${r.file})`, value: r.body })),
            ...mod.data.map((r) => ({ where: `data.${r.type}.${r.name} (${r.file})`, value: r.body })),
        ];
        for (const h of holders)
            for (const s of strings(h.value)) {
                let node;
                try {
                    node = parseTemplate(s);
                } catch {
                    continue;
                }
                visitCalls(node, (call) => {
                    where = h.where;
                    mod.eval(call, {});
                });
            }
        const used = new Set([...calls.keys()].map((k) => k.split("|")[0]));
        const varProblems = [...calls.values()].flat();
        report("vars", [...new Set(varProblems)], `${calls.size} templatefile() calls pass every variable their templates use`);
        for (const t of scanned.keys()) if (!used.has(t)) info("vars", `${rel(t)} is not used by any templatefile() call`);

        // The user data of every instance, as Terraform renders it.
        const machines = mod.resources.filter((r) => r.type === "aws_instance" || r.type === "aws_launch_template");
        for (const r of machines) {
            const attr = r.body.user_data ?? r.body.user_data_base64;
            if (attr === undefined) {
                info("user_data", `${r.type}.${r.name}: no user_data`);
                continue;
            }
            let scopes = [{}];
            if ("count" in r.body) {
                const n = mod.evalValue(r.body.count, {});
                scopes = typeof n === "number" ? Array.from({ length: n }, (_, i) => ({ count: { index: i } })) : [{ count: { index: 0 } }];
            } else if ("for_each" in r.body) {
                const fe = mod.evalValue(r.body.for_each, {});
                const pairs = Array.isArray(fe) ? fe.map((v) => [v, v]) : isMap(fe) ? Object.entries(fe) : [];
                scopes = pairs.map(([key, value]) => ({ each: { key, value } }));
            }
            scopes.forEach((scope, i) => {
                const label = `${r.type}.${r.name}${scopes.length > 1 ? `[${scope.count ? scope.count.index : JSON.stringify(scope.each.key)}]` : ""}`;
                where = label;
                let ud = mod.evalValue(attr, scope);
                if (r.body.user_data === undefined && typeof ud === "string") ud = Buffer.from(ud, "base64").toString("utf8");
                if (typeof ud !== "string") {
                    fail("user_data", `${label}: user_data cannot be rendered offline (${show(ud)})`);
                    return;
                }
                const problems = [];
                const size = Buffer.byteLength(ud);
                if (size > USER_DATA_LIMIT) problems.push(`${size} bytes, over EC2's ${USER_DATA_LIMIT}-byte limit`);
                const { problems: yamlProblems, files } = checkCloudConfig(ud);
                problems.push(...yamlProblems);
                for (const f of files.filter((x) => x.path.endsWith(".toml")))
                    problems.push(...checkToml(f.data.toString("utf8")).map((p) => `${f.path}: ${p}`));
                const tomls = files.filter((x) => x.path.endsWith(".toml")).map((x) => x.path);
                report("user_data", problems.map((p) => `${label}: ${p}`),
                    `${label}: valid #cloud-config, ${size} bytes, ${files.length} files${tomls.length ? `, TOML parses: ${tomls.join(", ")}` : ""}`);
            });
        }
    } else info("vars", `no Terraform in ${rel(tfDir)}; templatefile() calls not checked`);

    const failed = results.filter((r) => !r.ok);
    const failedIds = [...new Set(failed.map((r) => r.id))].sort();
    log(
        failed.length
            ? `${failed.length} of ${results.length} checks FAILED (${failedIds.join(", ")}) in ${rel(deployDir)}`
            : `all ${results.length} checks passed in ${rel(deployDir)}`
    );
    return { results, failedIds };
}

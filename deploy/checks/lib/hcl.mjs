// A small, conservative evaluator of Terraform (HCL2) expressions, for offline policy checks.
//
// @cdktf/hcl2json turns each .tf file into JSON in which every non-literal attribute is kept as
// a template string ("${expr}"). This module parses those templates and expressions and
// evaluates them against the module's variables (defaults) and locals. What cannot be known
// offline stays symbolic:
//   Sym      a reference whose value Terraform only knows at plan/apply time
//            (aws_security_group.database.id, var.allowed_client_cidrs[*], data.x.y ...)
//   Unknown  anything else the evaluator cannot compute (an unsupported function, arithmetic
//            on a Sym, a template that mixes text and a Sym ...)
//   OneOf    one of several values (a conditional on an unknown, an index not known offline):
//            the checks treat it as all of them, which errs on the side of reporting.
import { parse as hclParse } from "@cdktf/hcl2json";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export class Sym {
    constructor(ref, extra = {}) {
        Object.assign(this, extra);
        this.ref = ref; // normalized, indexes removed: "aws_security_group.database.id"
    }
    toString() {
        return this.ref;
    }
}
export class Unknown {
    constructor(text) {
        this.text = text;
    }
    toString() {
        return `(unknown: ${this.text})`;
    }
}
export class OneOf {
    constructor(options) {
        this.options = options;
    }
    toString() {
        return `oneof(${this.options.map(show).join(", ")})`;
    }
}

export const isOpaque = (v) => v instanceof Sym || v instanceof Unknown || v instanceof OneOf;
export const isMap = (v) =>
    v !== null && typeof v === "object" && !Array.isArray(v) && !isOpaque(v);

export function show(v) {
    if (v === undefined) return "(absent)";
    if (isOpaque(v)) return v.toString();
    return JSON.stringify(v);
}

/* ------------------------------------------------------------------ parser ---- */

class ParseError extends Error {}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_-]/;

class Parser {
    constructor(src) {
        this.s = src;
        this.i = 0;
    }
    fail(msg) {
        throw new ParseError(`${msg} at offset ${this.i} in ${JSON.stringify(this.s)}`);
    }
    ws() {
        for (;;) {
            const c = this.s[this.i];
            if (c === " " || c === "\t" || c === "\n" || c === "\r") this.i++;
            else if (c === "#" || (c === "/" && this.s[this.i + 1] === "/")) {
                while (this.i < this.s.length && this.s[this.i] !== "\n") this.i++;
            } else if (c === "/" && this.s[this.i + 1] === "*") {
                const end = this.s.indexOf("*/", this.i + 2);
                this.i = end < 0 ? this.s.length : end + 2;
            } else return;
        }
    }
    peek(str) {
        this.ws();
        return this.s.startsWith(str, this.i);
    }
    eat(str) {
        if (this.peek(str)) {
            this.i += str.length;
            return true;
        }
        return false;
    }
    expect(str) {
        if (!this.eat(str)) this.fail(`expected '${str}'`);
    }
    ident() {
        this.ws();
        if (!IDENT_START.test(this.s[this.i] || "")) return null;
        const start = this.i;
        while (this.i < this.s.length && IDENT_CHAR.test(this.s[this.i])) this.i++;
        return this.s.slice(start, this.i);
    }
    peekIdent(word) {
        this.ws();
        if (!this.s.startsWith(word, this.i)) return false;
        const next = this.s[this.i + word.length] || "";
        return !IDENT_CHAR.test(next);
    }

    // expr := or ('?' expr ':' expr)?
    expr() {
        const cond = this.binary(0);
        if (this.eat("?")) {
            const a = this.expr();
            this.expect(":");
            const b = this.expr();
            return { t: "cond", cond, a, b };
        }
        return cond;
    }
    binary(level) {
        const LEVELS = [["||"], ["&&"], ["==", "!="], [">=", "<=", ">", "<"], ["+", "-"], ["*", "/", "%"]];
        if (level === LEVELS.length) return this.unary();
        let lhs = this.binary(level + 1);
        for (;;) {
            this.ws();
            const op = LEVELS[level].find(
                (o) =>
                    this.s.startsWith(o, this.i) &&
                    // '=>' in for-expressions and '==' are not '>'/'='; '->' never occurs.
                    !(o === ">" && this.s[this.i + 1] === "=") &&
                    !(o === "<" && this.s[this.i + 1] === "=")
            );
            if (!op) return lhs;
            this.i += op.length;
            const rhs = this.binary(level + 1);
            lhs = { t: "bin", op, lhs, rhs };
        }
    }
    unary() {
        if (this.eat("!")) return { t: "un", op: "!", v: this.unary() };
        if (this.peek("-") && !/[0-9]/.test(this.s[this.i + 1] || "")) {
            this.i++;
            return { t: "un", op: "-", v: this.unary() };
        }
        return this.postfix(this.primary());
    }
    postfix(node) {
        for (;;) {
            this.ws();
            if (this.s.startsWith(".*", this.i)) {
                this.i += 2;
                node = { t: "splat", src: node, rest: this.splatRest() };
            } else if (this.s.startsWith("[*]", this.i)) {
                this.i += 3;
                node = { t: "splat", src: node, rest: this.splatRest() };
            } else if (this.s[this.i] === "." && /[A-Za-z_0-9]/.test(this.s[this.i + 1] || "")) {
                this.i++;
                if (/[0-9]/.test(this.s[this.i])) {
                    const m = /^[0-9]+/.exec(this.s.slice(this.i));
                    this.i += m[0].length;
                    node = { t: "index", src: node, key: { t: "lit", v: Number(m[0]) } };
                } else node = { t: "attr", src: node, name: this.ident() };
            } else if (this.s[this.i] === "[") {
                this.i++;
                const key = this.expr();
                this.expect("]");
                node = { t: "index", src: node, key };
            } else return node;
        }
    }
    // After a splat: attribute/index accesses applied to each element.
    splatRest() {
        const ops = [];
        for (;;) {
            this.ws();
            if (this.s[this.i] === "." && IDENT_START.test(this.s[this.i + 1] || "")) {
                this.i++;
                ops.push({ t: "attr", name: this.ident() });
            } else if (this.s[this.i] === "[" && this.s[this.i + 1] !== "*") {
                this.i++;
                const key = this.expr();
                this.expect("]");
                ops.push({ t: "index", key });
            } else return ops;
        }
    }
    primary() {
        this.ws();
        const c = this.s[this.i];
        if (c === undefined) this.fail("unexpected end");
        if (c === "(") {
            this.i++;
            const e = this.expr();
            this.expect(")");
            return { t: "paren", e };
        }
        if (c === '"') {
            this.i++;
            const tpl = this.template('"');
            return tpl;
        }
        if (c === "<" && this.s.startsWith("<<", this.i)) return this.heredoc();
        if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(this.s[this.i + 1] || ""))) {
            const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.s.slice(this.i));
            this.i += m[0].length;
            return { t: "lit", v: Number(m[0]) };
        }
        if (c === "[") {
            this.i++;
            if (this.peekIdent("for")) return this.forExpr("]");
            const items = [];
            while (!this.eat("]")) {
                items.push(this.expr());
                if (!this.eat(",") && !this.peek("]")) this.fail("expected ',' or ']'");
            }
            return { t: "tuple", items };
        }
        if (c === "{") {
            this.i++;
            if (this.peekIdent("for")) return this.forExpr("}");
            const items = [];
            while (!this.eat("}")) {
                let key;
                this.ws();
                const save = this.i;
                const id = this.ident();
                if (id !== null && (this.peek("=") || this.peek(":")) && !this.peek("==")) {
                    key = { t: "lit", v: id };
                } else {
                    this.i = save;
                    key = this.expr();
                }
                if (!this.eat("=") && !this.eat(":")) this.fail("expected '=' or ':' in object");
                const value = this.expr();
                items.push({ key, value });
                this.eat(",");
            }
            return { t: "object", items };
        }
        const id = this.ident();
        if (id === null) this.fail(`unexpected '${c}'`);
        if (id === "true") return { t: "lit", v: true };
        if (id === "false") return { t: "lit", v: false };
        if (id === "null") return { t: "lit", v: null };
        this.ws();
        if (this.s[this.i] === "(") {
            this.i++;
            const args = [];
            let expand = false;
            while (!this.eat(")")) {
                args.push(this.expr());
                if (this.eat("...")) expand = true;
                if (!this.eat(",") && !this.peek(")")) this.fail("expected ',' or ')'");
            }
            return { t: "call", name: id.replace(/^provider::[^:]+::/, ""), args, expand };
        }
        return { t: "var", name: id };
    }
    forExpr(close) {
        this.ident(); // "for"
        let k = this.ident();
        let v = null;
        if (this.eat(",")) v = this.ident();
        else [k, v] = [null, k];
        if (!this.peekIdent("in")) this.fail("expected 'in'");
        this.ident();
        const coll = this.expr();
        this.expect(":");
        const first = this.expr();
        let second = null;
        let group = false;
        if (close === "}") {
            this.expect("=>");
            second = this.expr();
            if (this.eat("...")) group = true;
        }
        let cond = null;
        if (this.peekIdent("if")) {
            this.ident();
            cond = this.expr();
        }
        this.expect(close);
        return close === "]"
            ? { t: "forList", k, v, coll, val: first, cond }
            : { t: "forMap", k, v, coll, key: first, val: second, cond, group };
    }
    heredoc() {
        const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\r?\n/.exec(this.s.slice(this.i));
        if (!m) this.fail("bad heredoc");
        this.i += m[0].length;
        const endRe = new RegExp(`^[ \\t]*${m[2]}[ \\t]*$`, "m");
        const rest = this.s.slice(this.i);
        const em = endRe.exec(rest);
        if (!em) this.fail("unterminated heredoc");
        let body = rest.slice(0, em.index);
        this.i += em.index + em[0].length;
        if (m[1] === "-") {
            const lines = body.split("\n");
            const indents = lines.filter((l) => l.trim()).map((l) => /^[ \t]*/.exec(l)[0].length);
            const cut = indents.length ? Math.min(...indents) : 0;
            body = lines.map((l) => l.slice(cut)).join("\n");
        }
        return parseTemplate(body);
    }
    // Template body up to `close` ('"' inside an expression, null for a whole string).
    template(close) {
        const parts = [];
        let lit = "";
        const quoted = close === '"';
        for (;;) {
            if (this.i >= this.s.length) {
                if (quoted) this.fail("unterminated string");
                break;
            }
            const c = this.s[this.i];
            if (quoted && c === '"') {
                this.i++;
                break;
            }
            if (quoted && c === "\\") {
                const n = this.s[this.i + 1];
                const map = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
                if (n in map) {
                    lit += map[n];
                    this.i += 2;
                } else if (n === "u" || n === "U") {
                    const len = n === "u" ? 4 : 8;
                    lit += String.fromCodePoint(parseInt(this.s.substr(this.i + 2, len), 16));
                    this.i += 2 + len;
                } else this.fail("bad escape");
                continue;
            }
            if ((c === "$" || c === "%") && this.s[this.i + 1] === c && this.s[this.i + 2] === "{") {
                lit += c + "{";
                this.i += 3;
                continue;
            }
            if (c === "$" && this.s[this.i + 1] === "{") {
                if (lit) parts.push({ t: "lit", v: lit });
                lit = "";
                this.i += 2;
                this.eat("~");
                const e = this.expr();
                this.eat("~");
                this.expect("}");
                parts.push(e);
                continue;
            }
            if (c === "%" && this.s[this.i + 1] === "{") {
                if (lit) parts.push({ t: "lit", v: lit });
                lit = "";
                const end = this.s.indexOf("}", this.i);
                parts.push({ t: "directive", text: this.s.slice(this.i, end + 1) });
                this.i = end < 0 ? this.s.length : end + 1;
                continue;
            }
            lit += c;
            this.i++;
        }
        if (lit || parts.length === 0) parts.push({ t: "lit", v: lit });
        return { t: "template", parts };
    }
}

const parseCache = new Map();
// A whole hcl2json string value: a template ("${expr}" alone yields expr's value, not a string).
export function parseTemplate(src) {
    if (parseCache.has(src)) return parseCache.get(src);
    const p = new Parser(src);
    const node = p.template(null);
    parseCache.set(src, node);
    return node;
}
export function parseExpression(src) {
    const p = new Parser(src);
    const e = p.expr();
    p.ws();
    if (p.i !== src.length) p.fail("trailing text");
    return e;
}

/* ------------------------------------------------------------------ evaluation ---- */

// Traversal roots that are not resources.
const NON_RESOURCE_ROOTS = new Set(["var", "local", "each", "count", "path", "terraform", "data", "module", "self"]);

// Every reference (a.b[0].c as "a.b.c") in a parsed node; used to follow data flow.
export function references(node, out = []) {
    if (!node || typeof node !== "object") return out;
    const chain = traversalText(node);
    if (chain) {
        out.push(chain);
        // Only index expressions inside the chain may reference more.
        for (let n = node; n && (n.t === "attr" || n.t === "index"); n = n.src) if (n.t === "index") references(n.key, out);
        return out;
    }
    for (const [k, v] of Object.entries(node)) {
        if (k === "t") continue;
        if (Array.isArray(v)) v.forEach((x) => references(x, out));
        else if (v && typeof v === "object") references(v, out);
    }
    return out;
}
function traversalText(node) {
    const names = [];
    let n = node;
    while (n && (n.t === "attr" || n.t === "index")) {
        if (n.t === "attr") names.unshift(n.name);
        n = n.src;
    }
    if (n && n.t === "var") {
        names.unshift(n.name);
        return names.join(".");
    }
    return null;
}

// A variable that, at its default, leaves something off: a bool, or a null/empty default.
export function isSwitch(type, dflt) {
    if (type === "bool" || typeof dflt === "boolean") return true;
    return dflt === null || dflt === "" || (Array.isArray(dflt) && dflt.length === 0) || (isMap(dflt) && Object.keys(dflt).length === 0);
}

export class Module {
    // docs: [{file, json}] for every .tf file of one directory.
    constructor(dir, docs) {
        this.dir = dir;
        this.docs = docs;
        this.variables = {};
        this.locals = {};
        this.resources = []; // {file, type, name, body}
        this.data = [];
        this.modules = [];
        this.terraform = [];
        this.providers = [];
        this.outputs = [];
        for (const { file, json } of docs) {
            for (const [name, blocks] of Object.entries(json.variable || {}))
                for (const body of blocks) this.variables[name] = { file, body };
            for (const block of json.locals || [])
                for (const [name, value] of Object.entries(block)) this.locals[name] = { file, value };
            for (const [type, byName] of Object.entries(json.resource || {}))
                for (const [name, blocks] of Object.entries(byName))
                    for (const body of blocks) this.resources.push({ file, type, name, body });
            for (const [type, byName] of Object.entries(json.data || {}))
                for (const [name, blocks] of Object.entries(byName))
                    for (const body of blocks) this.data.push({ file, type, name, body });
            for (const [name, blocks] of Object.entries(json.module || {}))
                for (const body of blocks) this.modules.push({ file, name, body });
            for (const body of json.terraform || []) this.terraform.push({ file, body });
            for (const [name, blocks] of Object.entries(json.provider || {}))
                for (const body of blocks) this.providers.push({ file, name, body });
            for (const [name, blocks] of Object.entries(json.output || {}))
                for (const body of blocks) this.outputs.push({ file, name, body });
        }
        this.localCache = new Map();
        this.symbolicVars = new Set(); // variables always kept symbolic (operator-supplied)
        this.switchesSymbolic = false;
        // templatefile(path, vars): null leaves it unknown; a function (path, vars) => string
        // renders it (render-cloud-init.mjs supplies one).
        this.templateRenderer = null;
    }

    static async load(dir) {
        const files = fs
            .readdirSync(dir)
            .filter((f) => f.endsWith(".tf"))
            .sort();
        const docs = [];
        for (const f of files) {
            const text = fs.readFileSync(path.join(dir, f), "utf8");
            docs.push({ file: f, text, json: await hclParse(f, text) });
        }
        return new Module(dir, docs);
    }

    variableDefault(name) {
        const v = this.variables[name];
        if (!v || !("default" in v.body)) return undefined;
        return this.evalValue(v.body.default, {});
    }

    // Value of var.NAME: its default, unless it has none or is kept symbolic; then a Sym (or a
    // one-element list of Syms for collection types, so for_each/count/setproduct still work).
    variableValue(name) {
        const v = this.variables[name];
        if (!v) return new Unknown(`var.${name} (undeclared)`);
        const hasDefault = "default" in v.body;
        const type = typeof v.body.type === "string" ? v.body.type.replace(/^\$\{|\}$/g, "") : "";
        // Counting the instances of a resource, a switch the operator may flip counts both ways:
        // a bool, or a variable whose default is null or empty (set it and something appears).
        if (this.switchesSymbolic && isSwitch(type, hasDefault ? v.body.default : undefined))
            return Array.isArray(v.body.default) ? [new Sym(`var.${name}[*]`, { variable: name, element: true })] : new Sym(`var.${name}`, { variable: name });
        if (hasDefault && !this.symbolicVars.has(name)) return this.variableDefault(name);
        const dflt = hasDefault ? this.variableDefault(name) : undefined;
        if (/^(list|set|tuple)\b/.test(type) || Array.isArray(dflt))
            return [new Sym(`var.${name}[*]`, { variable: name, element: true })];
        return new Sym(`var.${name}`, { variable: name });
    }

    localValue(name) {
        if (this.localCache.has(name)) return this.localCache.get(name);
        const l = this.locals[name];
        if (!l) return new Unknown(`local.${name} (undeclared)`);
        this.localCache.set(name, new Unknown(`local.${name} (cycle)`));
        const v = this.evalValue(l.value, {});
        this.localCache.set(name, v);
        return v;
    }

    // A JSON value from hcl2json: strings are templates, arrays and maps are walked.
    evalValue(value, scope) {
        if (typeof value === "string") return this.evalTemplateString(value, scope);
        if (Array.isArray(value)) return value.map((x) => this.evalValue(x, scope));
        if (isMap(value)) {
            const out = {};
            for (const [k, v] of Object.entries(value)) out[k] = this.evalValue(v, scope);
            return out;
        }
        return value;
    }
    evalTemplateString(str, scope) {
        let node;
        try {
            node = parseTemplate(str);
        } catch (e) {
            return new Unknown(`unparsed: ${str}`);
        }
        return this.eval(node, scope);
    }

    eval(n, scope) {
        try {
            return this.eval1(n, scope);
        } catch (e) {
            if (e instanceof ParseError) return new Unknown(e.message);
            throw e;
        }
    }

    eval1(n, scope) {
        switch (n.t) {
            case "lit":
                return n.v;
            case "paren":
                return this.eval(n.e, scope);
            case "template": {
                if (n.parts.length === 1 && n.parts[0].t !== "lit" && n.parts[0].t !== "directive")
                    return this.eval(n.parts[0], scope);
                let out = "";
                for (const p of n.parts) {
                    if (p.t === "directive") return new Unknown(`template directive ${p.text}`);
                    const v = this.eval(p, scope);
                    if (isOpaque(v) || (v !== null && typeof v === "object"))
                        return new Unknown(`template with ${show(v)}`);
                    out += v === null ? "" : String(v);
                }
                return out;
            }
            case "tuple":
                return n.items.map((x) => this.eval(x, scope));
            case "object": {
                const out = {};
                let unknownKeys = 0;
                for (const { key, value } of n.items) {
                    let k = this.eval(key, scope);
                    if (isOpaque(k)) k = `<unknown key ${++unknownKeys}: ${show(k)}>`;
                    out[String(k)] = this.eval(value, scope);
                }
                return out;
            }
            case "var":
                return this.root(n.name, scope);
            case "attr":
                return this.access(this.evalTraversalBase(n, scope), n.name);
            case "index": {
                const base = this.evalTraversalBase(n, scope);
                const key = this.eval(n.key, scope);
                return this.index(base, key);
            }
            case "splat": {
                const src = this.eval(n.src, scope);
                const apply = (el) => {
                    let v = el;
                    for (const op of n.rest)
                        v = op.t === "attr" ? this.access(v, op.name) : this.index(v, this.eval(op.key, scope));
                    return v;
                };
                if (src instanceof Sym)
                    return new Sym(src.ref + n.rest.map((o) => (o.t === "attr" ? "." + o.name : "")).join(""), {
                        ...src,
                        splat: true,
                    });
                if (isOpaque(src)) return new Unknown(`splat of ${show(src)}`);
                if (src === null) return [];
                if (Array.isArray(src)) return src.map(apply);
                return [apply(src)];
            }
            case "un": {
                const v = this.eval(n.v, scope);
                if (isOpaque(v)) return new Unknown(`${n.op}${show(v)}`);
                return n.op === "!" ? !v : -v;
            }
            case "bin": {
                const a = this.eval(n.lhs, scope);
                const b = this.eval(n.rhs, scope);
                if (n.op === "&&" && a === false) return false;
                if (n.op === "||" && a === true) return true;
                if (isOpaque(a) || isOpaque(b)) return new Unknown(`${show(a)} ${n.op} ${show(b)}`);
                switch (n.op) {
                    case "+": return a + b;
                    case "-": return a - b;
                    case "*": return a * b;
                    case "/": return a / b;
                    case "%": return a % b;
                    case "==": return JSON.stringify(a) === JSON.stringify(b);
                    case "!=": return JSON.stringify(a) !== JSON.stringify(b);
                    case ">": return a > b;
                    case ">=": return a >= b;
                    case "<": return a < b;
                    case "<=": return a <= b;
                    case "&&": return a && b;
                    case "||": return a || b;
                }
                return new Unknown(n.op);
            }
            case "cond": {
                const c = this.eval(n.cond, scope);
                if (c === true) return this.eval(n.a, scope);
                if (c === false) return this.eval(n.b, scope);
                return new OneOf([this.eval(n.a, scope), this.eval(n.b, scope)]);
            }
            case "forList":
            case "forMap":
                return this.evalFor(n, scope);
            case "call":
                return this.call(n, scope);
            case "directive":
                return new Unknown(`template directive ${n.text}`);
        }
        return new Unknown(`node ${n.t}`);
    }

    // The value a traversal's source evaluates to (resource roots need the whole chain).
    evalTraversalBase(n, scope) {
        return this.eval(n.src, scope);
    }

    root(name, scope) {
        if (scope && Object.prototype.hasOwnProperty.call(scope, name)) return scope[name];
        switch (name) {
            case "var":
                return { __root: "var" };
            case "local":
                return { __root: "local" };
            case "path":
                return { module: this.dir, root: this.dir, cwd: process.cwd() };
            case "terraform":
                return { workspace: "default" };
            case "each":
            case "count":
            case "self":
                return new Sym(name, { root: name });
            case "data":
            case "module":
                return new Sym(name, { root: name });
        }
        // A resource type: aws_security_group.database.id
        return new Sym(name, { root: "resource", resourceType: name });
    }

    access(base, name) {
        if (base && base.__root === "var") return this.variableValue(name);
        if (base && base.__root === "local") return this.localValue(name);
        if (base instanceof Sym) {
            const extra = { ...base };
            delete extra.ref;
            if (base.root === "resource" && !base.resourceName) extra.resourceName = name;
            return new Sym(`${base.ref}.${name}`, extra);
        }
        if (base instanceof OneOf) return new OneOf(base.options.map((o) => this.access(o, name)));
        if (base instanceof Unknown) return new Unknown(`${base.text}.${name}`);
        if (isMap(base)) {
            if (name in base) return base[name];
            return new Unknown(`missing attribute ${name}`);
        }
        return new Unknown(`.${name} of ${show(base)}`);
    }

    index(base, key) {
        if (base instanceof Sym) {
            // aws_instance.x["key"]: which instance of a count/for_each resource, when known.
            const instance = base.root === "resource" && base.resourceName && base.ref === `${base.resourceType}.${base.resourceName}`;
            const extra = instance && (typeof key === "string" || typeof key === "number") ? { instanceKey: key } : {};
            return new Sym(base.ref, { ...base, ...extra, indexed: true });
        }
        if (base instanceof Unknown) return new Unknown(`${base.text}[...]`);
        if (base instanceof OneOf) return new OneOf(base.options.map((o) => this.index(o, key)));
        if (isOpaque(key)) {
            if (Array.isArray(base)) return base.length === 1 ? base[0] : new OneOf(base);
            if (isMap(base)) {
                const vals = Object.values(base);
                return vals.length === 1 ? vals[0] : new OneOf(vals);
            }
            return new Unknown(`index of ${show(base)}`);
        }
        if (Array.isArray(base)) {
            if (typeof key === "number" && key >= 0 && key < base.length) return base[key];
            return new Unknown(`index ${key} out of range`);
        }
        if (isMap(base)) {
            if (String(key) in base) return base[String(key)];
            return new Unknown(`missing key ${key}`);
        }
        return new Unknown(`index of ${show(base)}`);
    }

    iterate(coll) {
        // [key, value] pairs of a collection, or null when it is not known offline.
        if (Array.isArray(coll)) return coll.map((v, i) => [i, v]);
        if (isMap(coll)) return Object.entries(coll);
        return null;
    }

    evalFor(n, scope) {
        const coll = this.eval(n.coll, scope);
        const pairs = this.iterate(coll);
        if (!pairs) return new Unknown(`for over ${show(coll)}`);
        const out = n.t === "forList" ? [] : {};
        let unknownKeys = 0;
        for (const [k, v] of pairs) {
            const s = { ...scope, [n.v]: v };
            if (n.k) s[n.k] = k;
            if (n.cond) {
                const c = this.eval(n.cond, s);
                if (c === false) continue;
            }
            if (n.t === "forList") out.push(this.eval(n.val, s));
            else {
                let key = this.eval(n.key, s);
                if (isOpaque(key)) key = `<unknown key ${++unknownKeys}: ${show(key)}>`;
                const val = this.eval(n.val, s);
                if (n.group) (out[key] ||= []).push(val);
                else out[key] = val;
            }
        }
        return out;
    }

    call(n, scope) {
        let args = n.args.map((a) => this.eval(a, scope));
        if (n.expand && args.length) {
            const last = args.pop();
            if (!Array.isArray(last)) return new Unknown(`${n.name}(...) with expanded ${show(last)}`);
            args = args.concat(last);
        }
        const f = FUNCTIONS[n.name];
        if (!f) return new Unknown(`${n.name}()`);
        // Functions that cope with opaque arguments themselves are flagged.
        if (!f.opaqueOk && args.some(isOpaque)) return new Unknown(`${n.name}(${args.map(show).join(", ")})`);
        try {
            return f(args, this, n, scope);
        } catch (e) {
            return new Unknown(`${n.name}(): ${e.message}`);
        }
    }
}

function fn(f, opaqueOk = false) {
    f.opaqueOk = opaqueOk;
    return f;
}
const collection = (v) => (Array.isArray(v) ? v : isMap(v) ? Object.values(v) : null);
const uniq = (arr) => {
    const seen = new Set();
    return arr.filter((x) => {
        const k = isOpaque(x) ? `opaque:${show(x)}` : JSON.stringify(x);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
    });
};

function ipv4Prefix(prefix) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(prefix);
    if (!m) throw new Error(`not an IPv4 prefix: ${prefix}`);
    const bits = Number(m[5]);
    const addr = ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]);
    const size = 2 ** (32 - bits);
    return { base: Math.floor(addr / size) * size, bits };
}
function ipv4String(n) {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

const FUNCTIONS = {
    toset: fn(([v]) => (Array.isArray(v) ? uniq(v) : isOpaque(v) ? v : new Unknown("toset")), true),
    tolist: fn(([v]) => (Array.isArray(v) ? v : isOpaque(v) ? v : new Unknown("tolist")), true),
    tomap: fn(([v]) => v, true),
    tostring: fn(([v]) => (isOpaque(v) ? v : v === null ? null : String(v)), true),
    tonumber: fn(([v]) => (isOpaque(v) ? v : v === null ? null : Number(v)), true),
    tobool: fn(([v]) => v, true),
    length: fn(([v]) => {
        if (Array.isArray(v)) return v.length;
        if (isMap(v)) return Object.keys(v).length;
        if (typeof v === "string") return [...v].length;
        return new Unknown("length");
    }, true),
    concat: fn((args) => (args.every(Array.isArray) ? [].concat(...args) : new Unknown("concat")), true),
    flatten: fn(([v]) => {
        const flat = (x) => (Array.isArray(x) ? x.flatMap(flat) : [x]);
        return Array.isArray(v) ? flat(v) : new Unknown("flatten");
    }, true),
    distinct: fn(([v]) => (Array.isArray(v) ? uniq(v) : new Unknown("distinct")), true),
    compact: fn(([v]) => (Array.isArray(v) ? v.filter((x) => x !== "" && x !== null) : new Unknown("compact")), true),
    setproduct: fn((args) => {
        if (!args.every(Array.isArray)) return new Unknown("setproduct");
        return args.reduce((acc, list) => acc.flatMap((a) => list.map((b) => [...a, b])), [[]]);
    }, true),
    merge: fn((args) => {
        if (!args.every((a) => isMap(a) || a === null)) return new Unknown("merge");
        return Object.assign({}, ...args.filter(Boolean));
    }, true),
    lookup: fn(([m, k, d]) => {
        if (isMap(m) && !isOpaque(k)) return k in m ? m[k] : d === undefined ? new Unknown("lookup") : d;
        return new Unknown("lookup");
    }, true),
    element: fn(([l, i]) => {
        if (!Array.isArray(l)) return new Unknown("element");
        if (isOpaque(i)) return l.length === 1 ? l[0] : new OneOf(l);
        return l[i % l.length];
    }, true),
    keys: fn(([m]) => (isMap(m) ? Object.keys(m).sort() : new Unknown("keys")), true),
    values: fn(([m]) => (isMap(m) ? Object.keys(m).sort().map((k) => m[k]) : new Unknown("values")), true),
    zipmap: fn(([k, v]) => {
        if (!Array.isArray(k) || !Array.isArray(v) || k.some(isOpaque)) return new Unknown("zipmap");
        return Object.fromEntries(k.map((x, i) => [x, v[i]]));
    }, true),
    contains: fn(([l, v]) => (Array.isArray(l) && !isOpaque(v) && !l.some(isOpaque) ? l.some((x) => JSON.stringify(x) === JSON.stringify(v)) : new Unknown("contains")), true),
    coalesce: fn((args) => {
        for (const a of args) {
            if (isOpaque(a)) return a;
            if (a !== null && a !== "") return a;
        }
        return null;
    }, true),
    try: fn((args) => args.find((a) => !(a instanceof Unknown)) ?? args[args.length - 1], true),
    can: fn(([a]) => !(a instanceof Unknown), true),
    range: fn((args) => {
        let [start, end, step] = args.length === 1 ? [0, args[0], 1] : [args[0], args[1], args[2] ?? 1];
        const out = [];
        for (let i = start; step > 0 ? i < end : i > end; i += step) out.push(i);
        return out;
    }),
    max: fn((args) => Math.max(...args)),
    min: fn((args) => Math.min(...args)),
    lower: fn(([s]) => s.toLowerCase()),
    upper: fn(([s]) => s.toUpperCase()),
    join: fn(([sep, l]) => l.join(sep)),
    split: fn(([sep, s]) => s.split(sep)),
    trimspace: fn(([s]) => s.trim()),
    replace: fn(([s, a, b]) => s.split(a).join(b)),
    format: fn(([f, ...rest]) => {
        let i = 0;
        return f.replace(/%(-?\d*)([sdqv%])/g, (m, w, c) => {
            if (c === "%") return "%";
            const v = rest[i++];
            if (c === "q") return JSON.stringify(String(v));
            if (c === "d") return String(Math.trunc(Number(v)));
            return typeof v === "object" ? JSON.stringify(v) : String(v);
        });
    }),
    slice: fn(([l, a, b]) => l.slice(a, b)),
    substr: fn(([s, off, len]) => [...s].slice(off, len < 0 ? undefined : off + len).join("")),
    startswith: fn(([s, p]) => s.startsWith(p)),
    endswith: fn(([s, p]) => s.endsWith(p)),
    trimprefix: fn(([s, p]) => (s.startsWith(p) ? s.slice(p.length) : s)),
    trimsuffix: fn(([s, p]) => (s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
    alltrue: fn(([l]) => l.every((x) => x === true)),
    anytrue: fn(([l]) => l.some((x) => x === true)),
    one: fn(([l]) => (l.length ? l[0] : null)),
    sha256: fn(([s]) => crypto.createHash("sha256").update(String(s)).digest("hex")),
    md5: fn(([s]) => crypto.createHash("md5").update(String(s)).digest("hex")),
    base64decode: fn(([s]) => Buffer.from(s, "base64").toString("utf8")),
    base64gzip: fn(([s]) => zlib.gzipSync(Buffer.from(String(s))).toString("base64")),
    file: fn(([p]) => fs.readFileSync(p, "utf8")),
    filebase64: fn(([p]) => fs.readFileSync(p).toString("base64")),
    fileexists: fn(([p]) => fs.existsSync(p)),
    filemd5: fn(([p]) => crypto.createHash("md5").update(fs.readFileSync(p)).digest("hex")),
    filesha256: fn(([p]) => crypto.createHash("sha256").update(fs.readFileSync(p)).digest("hex")),
    cidrhost: fn(([prefix, n]) => {
        const { base, bits } = ipv4Prefix(prefix);
        const size = 2 ** (32 - bits);
        const i = n < 0 ? size + n : n;
        if (i < 0 || i >= size) throw new Error(`host ${n} is outside ${prefix}`);
        return ipv4String(base + i);
    }),
    cidrsubnet: fn(([prefix, newbits, num]) => {
        const { base, bits } = ipv4Prefix(prefix);
        const nb = bits + newbits;
        if (nb > 32 || num >= 2 ** newbits) throw new Error(`cannot cut subnet ${num} of /${nb} from ${prefix}`);
        return `${ipv4String(base + num * 2 ** (32 - nb))}/${nb}`;
    }),
    templatefile: fn(([p, vars], mod) => {
        if (!mod.templateRenderer) return new Unknown(`templatefile(${p})`);
        if (typeof p !== "string" || !isMap(vars)) return new Unknown(`templatefile(${show(p)})`);
        return mod.templateRenderer(p, vars);
    }, true),
    sort: fn(([l]) => [...l].sort()),
    abspath: fn(([p]) => path.resolve(p)),
    dirname: fn(([p]) => path.dirname(p)),
    basename: fn(([p]) => path.basename(p)),
    base64encode: fn(([s]) => Buffer.from(String(s)).toString("base64")),
    jsonencode: fn(([v]) => JSON.stringify(v)),
};

#!/usr/bin/env node
// Proves the deployment checks can fail: the unmodified deployment must PASS, and every entry
// of loosenings.mjs, applied alone to a fresh copy, must FAIL and name its checks: the
// loosenings with check-terraform's checks, the render breakages with render-cloud-init's.
//
// Usage: node tests/deploy/loosen/run-loosened.mjs [DEPLOY_DIR] [--only terraform|render]
//   DEPLOY_DIR   the directory holding terraform/, cloud-init/, templates/ (default: deploy)
//   --only       run one set (the fixtures under tests/deploy/fixtures carry no bootstrap.sh,
//                so the render breakages are meant for the real deployment)
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loosenings, renderBreakages } from "./loosenings.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../..");
// The checks run in this process (one load of the HCL parser for all cases).
const { checkTerraform } = await import(path.join(root, "deploy/checks/lib/terraform-checks.mjs"));
const { checkRendering } = await import(path.join(root, "deploy/checks/lib/render-checks.mjs"));
const args = process.argv.slice(2);
let only = null;
const positional = [];
for (let i = 0; i < args.length; i++) {
    if (args[i] === "--only") only = args[++i];
    else positional.push(args[i]);
}
if (only && only !== "terraform" && only !== "render") {
    console.error("error: --only takes 'terraform' or 'render'");
    process.exit(2);
}
const source = path.resolve(positional[0] ?? path.join(root, "deploy"));
if (!fs.existsSync(path.join(source, "terraform"))) {
    console.error(`error: no terraform/ in ${source}`);
    process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), "sqlgate-loosen-"));
process.on("exit", () => fs.rmSync(work, { recursive: true, force: true }));
const skip = new Set(["checks", "node_modules", ".terraform"]);

function copyDeployment(dest) {
    fs.cpSync(source, dest, {
        recursive: true,
        filter: (src) => !skip.has(path.basename(src)) && !/\.tfstate(\.backup)?$/.test(src),
    });
}
function filesOf(dir, base = dir) {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? filesOf(p, base) : [path.relative(base, p)];
    });
}
// {status: 0 pass, 1 fail, 2 unreadable; out: the checker's lines; failed: Set of check ids}
async function runChecker(dest, which) {
    const lines = [];
    const log = (l) => lines.push(l);
    try {
        const { failedIds } =
            which === "render"
                ? await checkRendering(dest, { relativeTo: dest, log })
                : await checkTerraform(path.join(dest, "terraform"), { deployRoot: dest, relativeTo: dest, log });
        return { status: failedIds.length ? 1 : 0, out: lines.join("\n"), failed: new Set(failedIds) };
    } catch (e) {
        lines.push(`error: ${e.message}`);
        return { status: 2, out: lines.join("\n"), failed: new Set() };
    }
}

let failures = 0;
const report = (ok, msg, out) => {
    console.log(`${ok ? "PASS" : "FAIL"} ${msg}`);
    if (!ok) {
        failures++;
        if (out) console.log(out.replace(/^/gm, "    ").trimEnd());
    }
};

const sets = [
    { which: "terraform", label: "loosening", entries: loosenings },
    { which: "render", label: "render breakage", entries: renderBreakages },
].filter((s) => !only || s.which === only);
let cases = 0;
for (const { which, label, entries } of sets) {
// The deployment as it is.
{
    const dest = path.join(work, `unmodified-${which}`);
    copyDeployment(dest);
    const r = await runChecker(dest, which);
    cases++;
    report(r.status === 0, `unmodified ${path.relative(process.cwd(), source) || "."}: all ${which} checks pass`, r.status === 0 ? "" : r.out);
}

for (const [i, l] of entries.entries()) {
    cases++;
    const dest = path.join(work, `${which}-${i + 1}`);
    copyDeployment(dest);
    let changed = false;
    for (const [rel, text] of Object.entries(l.append ?? {})) {
        const p = path.join(dest, rel);
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.appendFileSync(p, "\n" + text);
        changed = true;
    }
    if (l.edit) {
        for (const rel of filesOf(dest).filter((f) => l.edit.file.test(f))) {
            const p = path.join(dest, rel);
            const before = fs.readFileSync(p, "utf8");
            const after = l.edit.apply(before);
            if (after !== before) {
                fs.writeFileSync(p, after);
                changed = true;
            }
        }
    }
    if (!changed) {
        report(false, `${label} ${i + 1} "${l.name}": the edit matched nothing in this deployment (update the fixture)`);
        continue;
    }
    const r = await runChecker(dest, which);
    const missing = l.expect.filter((id) => !r.failed.has(id));
    const named = [...r.failed].sort().join(", ") || "none";
    if (r.status === 2) report(false, `${label} ${i + 1} "${l.name}": the checker could not read the changed copy`, r.out);
    else if (r.status === 0) report(false, `${label} ${i + 1} "${l.name}": the checks still pass`, r.out);
    else if (missing.length)
        report(false, `${label} ${i + 1} "${l.name}": failed [${named}] but not [${missing.join(", ")}]`, r.out);
    else {
        const lines = r.out.split("\n").filter((x) => x.startsWith("FAIL ["));
        report(true, `${label} ${i + 1} "${l.name}": fails [${named}]`);
        for (const x of lines) console.log(`    ${x}`);
    }
}
}

console.log(failures ? `${failures} of ${cases} cases FAILED` : `all ${cases} cases behave`);
process.exit(failures ? 1 : 0);

#!/usr/bin/env node
// Renders the deployment's cloud-init and role-config templates offline and checks what comes
// out; the checks ([syntax], [yaml], [toml], [vars], [user_data]) are described in
// lib/render-checks.mjs.
//
// Usage: node deploy/checks/render-cloud-init.mjs [DEPLOY_DIR]   (default: this script's ../)
// One line per check, "PASS [x] ..." / "FAIL [x] ...", a summary; exit status 1 on any failure.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkRendering } from "./lib/render-checks.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const deployDir = path.resolve(process.argv[2] ?? path.join(here, ".."));
const { failedIds } = await checkRendering(deployDir);
process.exit(failedIds.length ? 1 : 0);

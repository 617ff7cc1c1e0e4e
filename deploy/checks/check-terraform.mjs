#!/usr/bin/env node
// Offline policy checks of the Terraform deployment (no terraform binary, no AWS account);
// the checks themselves, [a] to [h], are described in lib/terraform-checks.mjs.
//
// Usage: node deploy/checks/check-terraform.mjs DIR [--deploy-root DIR] [--verbose]
//   DIR            the Terraform directory (deploy/terraform); every *.tf in it is parsed
//   --deploy-root  the tree scanned for secret literals (default: DIR/..), i.e. the .tf files,
//                  the cloud-init and role-config templates
//   --verbose      also print every rule as resolved offline
// One line per check: "PASS [x] ..." or "FAIL [x] ...", then a summary; exit status 1 when any
// check fails, 2 when the input cannot be read.
import { checkTerraform, InputError } from "./lib/terraform-checks.mjs";

const argv = process.argv.slice(2);
let dir = null;
let deployRoot;
let verbose = false;
function usage(msg) {
    console.error(`error: ${msg}\nusage: check-terraform.mjs DIR [--deploy-root DIR] [--verbose]`);
    process.exit(2);
}
for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--deploy-root") deployRoot = argv[++i];
    else if (argv[i] === "--verbose" || argv[i] === "-v") verbose = true;
    else if (!dir) dir = argv[i];
    else usage(`unexpected argument '${argv[i]}'`);
}
if (!dir) usage("no Terraform directory given");
try {
    const { failedIds } = await checkTerraform(dir, { deployRoot, verbose });
    process.exit(failedIds.length ? 1 : 0);
} catch (e) {
    if (e instanceof InputError) usage(e.message);
    throw e;
}

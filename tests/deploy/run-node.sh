#!/usr/bin/env bash
# Runs one of the offline deployment checks with Node.js: run-node.sh SCRIPT.mjs [ARGS...]
# (paths relative to the repository root). Without node or without deploy/checks/node_modules
# it fails with what to do, so a missing dependency never reads as a passing check.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
command -v node >/dev/null ||
    { echo "error: node is not installed; run scripts/setup.sh (it installs nodejs and npm)" >&2; exit 1; }
for module in @cdktf/hcl2json yaml smol-toml; do
    [[ -d deploy/checks/node_modules/${module} ]] || {
        echo "error: deploy/checks/node_modules/${module} is missing; run scripts/setup.sh" \
            "(or: npm ci --prefix deploy/checks)" >&2
        exit 1
    }
done
exec node "$@"

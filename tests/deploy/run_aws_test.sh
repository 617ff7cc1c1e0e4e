#!/usr/bin/env bash
# `scripts/run.sh aws` must stop with a clear message and write nothing when terraform is
# missing, when the AWS credentials are empty, or when no safe client CIDR is given.
# Each case runs on a fresh copy of the scripts and compares the tree before and after.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
failures=0

check() {
    local name="$1"
    shift
    if "$@"; then echo "PASS ${name}"; else
        echo "FAIL ${name}"
        failures=$((failures + 1))
    fi
}

# run_case NAME PATH_DIR EXPECTED_MESSAGE ENV...: runs run.sh aws on a copy of the scripts.
run_case() {
    local name="$1" path_dir="$2" expected="$3"
    shift 3
    local copy="${WORK}/${name}"
    mkdir -p "$copy"
    cp -r "${ROOT}/scripts" "$copy/"
    local before after status=0
    before=$(cd "$copy" && find . -printf '%p %s %m\n' | sort)
    env -i HOME="$WORK" PATH="$path_dir" "$@" \
        "$(command -v bash)" "${copy}/scripts/run.sh" aws </dev/null >"${WORK}/${name}.out" 2>&1 ||
        status=$?
    after=$(cd "$copy" && find . -printf '%p %s %m\n' | sort)
    check "${name}: exits non-zero" test "$status" -ne 0
    check "${name}: says '${expected}'" grep -qF "$expected" "${WORK}/${name}.out"
    check "${name}: writes nothing" test "$before" == "$after"
    check "${name}: never runs terraform" test ! -e "${WORK}/terraform-ran"
    if ((failures)); then sed 's/^/    /' "${WORK}/${name}.out"; fi
}

# A PATH holding only what the script needs before its checks, and optionally a terraform
# that records being run (it must not be: the checks come first).
bare="${WORK}/bin-bare"
mkdir -p "$bare"
for tool in bash dirname; do ln -s "$(command -v "$tool")" "${bare}/${tool}"; done
with_tf="${WORK}/bin-terraform"
cp -r "$bare" "$with_tf"
printf '#!/bin/sh\ntouch "%s/terraform-ran"\n' "$WORK" >"${with_tf}/terraform"
chmod +x "${with_tf}/terraform"

run_case no-terraform "$bare" "terraform is not installed" \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example SQLGATE_ALLOWED_CIDRS=203.0.113.7/32
run_case empty-credentials "$with_tf" "no AWS credentials" \
    AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY=
run_case empty-secret "$with_tf" "no AWS credentials" \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=
run_case no-cidr "$with_tf" "no client CIDR given" \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example
run_case world-cidr "$with_tf" "whole internet" \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example SQLGATE_ALLOWED_CIDRS=0.0.0.0/0
run_case bad-cidr "$with_tf" "is not an IPv4 CIDR" \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=example SQLGATE_ALLOWED_CIDRS=10.0.0.1
# A secret given on the command line of a case must never show in what the script printed.
check "no credential echoed" bash -c "! grep -rq 'AKIDEXAMPLE' '${WORK}'/*.out"

((failures == 0)) || {
    echo "${failures} check(s) failed"
    exit 1
}
echo "all checks passed"

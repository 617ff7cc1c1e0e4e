#!/usr/bin/env bash
# The whole system on AWS (deploy/terraform): called by `scripts/run.sh aws` and
# `scripts/run.sh aws-destroy`. Everything is checked before anything is written: without
# terraform or without credentials it stops with a clear message and leaves no file behind.
#
# The AWS credentials are read with hidden input (or taken from the environment when already
# exported) and passed to terraform only through its environment: never to disk, never logged.
# Terraform's state holds generated secrets (CA key, passwords), so it lives in .sqlgate/aws
# with mode 0700, outside the source tree.
#
#   scripts/run.sh aws           build the .deb, terraform apply, wait for the gatekeeper's
#                                health check, run the demo workload against it, print the report
#   scripts/run.sh aws-destroy   terraform destroy with the same state and variables
# Non-interactive use: export AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (AWS_SESSION_TOKEN if
# the keys are temporary) and SQLGATE_ALLOWED_CIDRS (comma-separated CIDRs that may connect).
set -euo pipefail
cd "$(dirname "$0")/.."

action="${1:-}"
case "$action" in
    aws | aws-destroy) ;;
    *)
        echo "usage: scripts/run.sh aws | aws-destroy" >&2
        exit 2
        ;;
esac

source scripts/lib/messages.sh

command -v terraform >/dev/null 2>&1 || die "terraform is not installed. Install it from \
https://developer.hashicorp.com/terraform/install (on Debian: HashiCorp's apt repository, \
package 'terraform'), then run 'scripts/run.sh ${action}' again. Nothing was written."

# ask VAR PROMPT HIDDEN: keeps VAR if the environment already has it, else asks on the terminal.
ask() {
    local var="$1" prompt="$2" hidden="$3" value=""
    if [[ -n "${!var:-}" ]]; then return 0; fi
    if [[ -t 0 ]]; then
        if ((hidden)); then
            read -r -s -p "${prompt}: " value || true
            echo >&2
        else
            read -r -p "${prompt}: " value || true
        fi
    fi
    printf -v "$var" '%s' "$value"
}

ask AWS_ACCESS_KEY_ID "AWS access key id" 1
ask AWS_SECRET_ACCESS_KEY "AWS secret access key" 1
[[ -n "${AWS_ACCESS_KEY_ID}" && -n "${AWS_SECRET_ACCESS_KEY}" ]] || die "no AWS credentials: \
give the access key id and the secret access key when asked (or export AWS_ACCESS_KEY_ID and \
AWS_SECRET_ACCESS_KEY). Nothing was written."
ask AWS_SESSION_TOKEN "AWS session token (empty for long-term keys)" 1
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
if [[ -n "${AWS_SESSION_TOKEN:-}" ]]; then export AWS_SESSION_TOKEN; else unset AWS_SESSION_TOKEN; fi

if [[ $action == aws ]]; then
    ask SQLGATE_ALLOWED_CIDRS "CIDRs allowed to reach the gatekeeper (comma-separated, e.g. 203.0.113.7/32)" 0
    [[ -n "${SQLGATE_ALLOWED_CIDRS}" ]] || die "no client CIDR given: the gatekeeper admits \
only the CIDRs you name (export SQLGATE_ALLOWED_CIDRS=203.0.113.7/32). Nothing was written."
    cidrs_json="["
    IFS=',' read -r -a cidrs <<<"${SQLGATE_ALLOWED_CIDRS// /}"
    for c in "${cidrs[@]}"; do
        [[ $c =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] ||
            die "'${c}' is not an IPv4 CIDR (like 203.0.113.7/32). Nothing was written."
        [[ $c != 0.0.0.0/0 ]] || die "0.0.0.0/0 would open the gatekeeper to the whole \
internet; name the networks your clients use. Nothing was written."
        cidrs_json+="\"${c}\","
    done
    cidrs_json="${cidrs_json%,}]"
fi

# Checks done: from here on, files are written.
source scripts/lib/common.sh
umask 077
AWS_STATE="${SQLGATE_STATE}/aws"
mkdir -p "$AWS_STATE"
chmod 0700 "$AWS_STATE"
TF_DIR=deploy/terraform
export TF_DATA_DIR="${AWS_STATE}/terraform-data"
export TF_IN_AUTOMATION=1
VARS_FILE="${AWS_STATE}/deploy.tfvars.json"
STATE_FILE="${AWS_STATE}/terraform.tfstate"

tf() {
    terraform -chdir="$TF_DIR" "$@"
}

tf_init() {
    step "terraform init (providers into ${TF_DATA_DIR})"
    tf init -input=false -backend-config="path=${STATE_FILE}" >"${AWS_STATE}/init.log" 2>&1 || {
        tail -n 20 "${AWS_STATE}/init.log" >&2
        die "terraform init failed; see ${AWS_STATE}/init.log"
    }
}

if [[ $action == aws-destroy ]]; then
    [[ -f $VARS_FILE && -f $STATE_FILE ]] || die "no deployment recorded in ${AWS_STATE}; nothing to destroy"
    tf_init
    step "terraform destroy"
    tf destroy -input=false -auto-approve -var-file="$VARS_FILE" ||
        die "terraform destroy failed; run 'scripts/run.sh aws-destroy' again (it resumes)"
    step "destroyed; the state is kept in ${STATE_FILE} until you delete it"
    exit 0
fi

step "building the sqlgate package"
bash scripts/package.sh >"${AWS_STATE}/package.log" 2>&1 || {
    tail -n 20 "${AWS_STATE}/package.log" >&2
    die "building the .deb failed; see ${AWS_STATE}/package.log"
}
deb=$(ls -t build/sqlgate_*_amd64.deb 2>/dev/null | head -n 1)
[[ -n "$deb" ]] || die "scripts/package.sh made no build/sqlgate_*_amd64.deb"
printf '{"allowed_client_cidrs": %s, "package_path": "%s"}\n' "$cidrs_json" "$(realpath "$deb")" >"$VARS_FILE"

tf_init
step "terraform apply (a few minutes: VPC, NAT, ${TF_VAR_replica_count:-3} replicas and the chain)"
tf apply -input=false -auto-approve -var-file="$VARS_FILE" ||
    die "terraform apply failed; fix the cause and run again, or 'scripts/run.sh aws-destroy'"

output() {
    tf output -raw "$1"
}
gatekeeper_ip=$(output gatekeeper_public_ip)
mysql_port=$(output gatekeeper_mysql_port)
https_port=$(output gatekeeper_https_port)
output ca_certificate >"${AWS_STATE}/ca.crt"
nodes=$(tf output -json node_names | tr -d '[]" \n')

# Cloud-init installs packages and waits for replication before the roles start: poll the
# gatekeeper's health check rather than guessing a delay.
step "waiting for https://${gatekeeper_ip}:${https_port}/health_check (up to 15 min)"
deadline=$((SECONDS + 900))
until curl -sf --max-time 5 --cacert "${AWS_STATE}/ca.crt" \
    "https://${gatekeeper_ip}:${https_port}/health_check" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || die "the gatekeeper did not pass its health check within 15 min. \
See its boot log: aws ec2 get-console-output --instance-id \$(terraform -chdir=${TF_DIR} state \
show -state=${STATE_FILE} 'aws_instance.sqlgate_host[\"gatekeeper\"]' | awk '/^ *id /{print \$3}'), \
or connect with 'aws ssm start-session'. Tear down with 'scripts/run.sh aws-destroy'."
    sleep 10
done

cat >"${AWS_STATE}/client.cnf" <<CNF
[client]
host = ${gatekeeper_ip}
port = ${mysql_port}
user = $(output demo_user)
ssl-ca = ${AWS_STATE}/ca.crt
ssl-verify-server-cert
CNF
step "demo workload through the gatekeeper at ${gatekeeper_ip}:${mysql_port}"
SQLGATE_PASSWORD=$(output demo_password) build/src/cli/sqlgate send-requests \
    --defaults-file "${AWS_STATE}/client.cnf" --nodes "$nodes"
echo
echo "connect:  mariadb --defaults-extra-file=${AWS_STATE}/client.cnf -p   (password: terraform -chdir=${TF_DIR} output -raw demo_password)"
echo "http:     https://${gatekeeper_ip}:${https_port}/v1/query   (token: terraform -chdir=${TF_DIR} output -raw demo_api_token)"
echo "destroy:  scripts/run.sh aws-destroy"

# shellcheck shell=bash
# Shared by the scripts: announced steps with elapsed time, clear failures, the build.
SQLGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SQLGATE_STATE="${SQLGATE_ROOT}/.sqlgate"
mkdir -p "${SQLGATE_STATE}"
: "${SQLGATE_T0:=$(date +%s.%N)}"
export SQLGATE_T0
source "${SQLGATE_ROOT}/scripts/lib/messages.sh"

# build_tree DIR BUILD_TYPE [cmake args...]: configures once, then builds incrementally.
build_tree() {
    local dir="$1" type="$2"
    shift 2
    local jobs
    jobs=$(nproc)
    step "building ${dir} (${type})"
    cmake -S "${SQLGATE_ROOT}" -B "${SQLGATE_ROOT}/${dir}" -DCMAKE_BUILD_TYPE="${type}" "$@" \
        >"${SQLGATE_STATE}/${dir}-configure.log" 2>&1 ||
        die "cmake configure failed; see ${SQLGATE_STATE}/${dir}-configure.log"
    cmake --build "${SQLGATE_ROOT}/${dir}" -j "${jobs}" >"${SQLGATE_STATE}/${dir}-build.log" 2>&1 || {
        tail -n 40 "${SQLGATE_STATE}/${dir}-build.log" >&2
        die "build failed; full log in ${SQLGATE_STATE}/${dir}-build.log"
    }
}

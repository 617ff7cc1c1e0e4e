#!/usr/bin/env bash
# Builds the Debian package: installs what is missing, builds the Release tree and runs cpack
# there. Prints the path of the package, <build dir>/sqlgate_<version>_<arch>.deb.
# What goes in it: cmake/Packaging.cmake. Its test: ctest --test-dir build -L package.
# Usage: scripts/package.sh [--build-dir DIR]   (DIR relative to the repository; default build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/common.sh

dir=build
while (($#)); do
    case "$1" in
        --build-dir) dir="${2:?--build-dir needs a folder}"; shift 2 ;;
        *) die "unknown option '$1' (use --build-dir DIR)" ;;
    esac
done

scripts/setup.sh --no-build
command -v dpkg-shlibdeps >/dev/null || die "dpkg-shlibdeps not found; install dpkg-dev"
build_tree "$dir" Release

version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "${dir}/CPackConfig.cmake")
[[ -n "$version" ]] || die "no CPACK_PACKAGE_VERSION in ${dir}/CPackConfig.cmake"
deb="${SQLGATE_ROOT}/${dir}/sqlgate_${version}_$(dpkg --print-architecture).deb"
rm -f "$deb"
step "cpack (DEB) in ${dir}"
(cd "$dir" && cpack -G DEB) >"${SQLGATE_STATE}/cpack.log" 2>&1 || {
    tail -n 40 "${SQLGATE_STATE}/cpack.log" >&2
    die "cpack failed; full log in ${SQLGATE_STATE}/cpack.log"
}
[[ -f "$deb" ]] || die "cpack did not write ${deb}; see ${SQLGATE_STATE}/cpack.log"
step "package: ${deb} ($(du -h "$deb" | cut -f1))"
printf '%s\n' "$deb"

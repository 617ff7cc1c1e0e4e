#!/usr/bin/env bash
# The layers of src/, checked from the includes themselves: a folder includes only folders
# listed before it in the top-level CMakeLists.txt (the floors), the roles never include one
# another (and the proxy never includes the front roles' gate), and no two files include each
# other. Prints every violation; exits 1 if there is any.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
read -r -a floors < <(sed -n 's/^foreach(layer \(.*\))$/\1/p' "${root}/CMakeLists.txt" | head -n 1)
((${#floors[@]} > 5)) || { echo "cannot read the layer order from CMakeLists.txt"; exit 1; }
declare -A floor_of
for i in "${!floors[@]}"; do floor_of[${floors[$i]}]=$i; done
roles=" proxy gatekeeper trusted_host workload "
violations=0
fail() { echo "$1"; violations=$((violations + 1)); }

while IFS= read -r file; do
    folder="$(basename "$(dirname "$file")")"
    [[ -n "${floor_of[$folder]:-}" ]] || { fail "$file: folder '$folder' is not a layer"; continue; }
    while IFS= read -r target; do
        [[ "$target" == "$folder" ]] && continue
        [[ -n "${floor_of[$target]:-}" ]] || continue
        if ((floor_of[$target] > floor_of[$folder])); then
            fail "$file includes $target/, a layer above $folder/"
        elif [[ "$roles" == *" $folder "* && "$roles" == *" $target "* ]]; then
            fail "$file: role $folder/ includes role $target/"
        elif [[ "$folder" == proxy && "$target" == front ]]; then
            fail "$file: the proxy includes the front roles' gate"
        fi
    done < <(sed -n 's/^#include "\([a-z_]*\)\/.*/\1/p' "$file" | sort -u)
done < <(find "${root}/src" -name '*.hpp' -o -name '*.cpp' | sort)

# Pairs of headers that include each other.
while IFS= read -r header; do
    name="${header#"${root}/src/"}"
    while IFS= read -r included; do
        [[ -f "${root}/src/${included}" ]] || continue
        if grep -q "^#include \"${name}\"" "${root}/src/${included}"; then
            [[ "$name" < "$included" ]] && fail "${name} and ${included} include each other"
        fi
    done < <(sed -n 's/^#include "\(.*\.hpp\)"/\1/p' "$header")
done < <(find "${root}/src" -name '*.hpp' | sort)

if ((violations)); then
    echo "${violations} layering violation(s)"
    exit 1
fi
echo "layers in order: ${floors[*]}"

# shellcheck shell=bash
# shellcheck disable=SC2016 # the ${ in single quotes here is the template syntax, not bash
# The local renderer of the role config templates in deploy/templates, which Terraform renders
# with templatefile() on AWS: one file per role serves both, so the local run tests what is
# deployed. The templates use only plain ${name} interpolation (Terraform's `$${` escape
# included); directives (%{ ... }) and expressions are refused rather than half-rendered.

# render_template FILE NAME=VALUE...: prints FILE with every ${NAME} replaced by VALUE. Values
# may span lines and are inserted as they are (never rendered again). A ${name} without a
# value, an expression or a directive is an error naming the file and line; nothing is printed.
render_template() {
    local file="$1" arg name
    shift
    [[ -r "$file" ]] || {
        printf 'render_template: cannot read %s\n' "$file" >&2
        return 1
    }
    local -A values=()
    for arg in "$@"; do
        name="${arg%%=*}"
        if [[ "$arg" != *=* || ! "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
            printf 'render_template: %s: expected NAME=VALUE, got %q\n' "$file" "$arg" >&2
            return 1
        fi
        values[$name]="${arg#*=}"
    done

    # $(<file) would drop trailing newlines, which are part of the template.
    local text
    text="$(
        cat -- "$file"
        printf x
    )"
    text="${text%x}"

    local out="" done_text="" before rest expr line
    if [[ "$text" == *'%{'* ]]; then
        before="${text%%'%{'*}"
        line="${before//[!$'\n']/}"
        printf 'render_template: %s:%d: template directives (%%{ ... }) are not supported\n' \
            "$file" $((${#line} + 1)) >&2
        return 1
    fi
    while [[ "$text" == *'${'* ]]; do
        before="${text%%'${'*}"
        rest="${text#*'${'}"
        if [[ "$before" == *'$' ]]; then
            # $${ is Terraform's escape for a literal ${.
            out+="${before%'$'}\${"
            done_text+="${before}\${"
            text="$rest"
            continue
        fi
        line="${done_text}${before}"
        line="${line//[!$'\n']/}"
        if [[ "$rest" != *'}'* ]]; then
            printf 'render_template: %s:%d: unterminated ${\n' "$file" $((${#line} + 1)) >&2
            return 1
        fi
        expr="${rest%%'}'*}"
        if [[ ! "$expr" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
            printf 'render_template: %s:%d: ${%s} is not a plain ${name}\n' \
                "$file" $((${#line} + 1)) "$expr" >&2
            return 1
        fi
        if [[ ! -v "values[$expr]" ]]; then
            printf 'render_template: %s:%d: ${%s} has no value (pass %s=...)\n' \
                "$file" $((${#line} + 1)) "$expr" "$expr" >&2
            return 1
        fi
        out+="${before}${values[$expr]}"
        done_text+="${before}\${${expr}}"
        text="${rest#*'}'}"
    done
    printf '%s' "${out}${text}"
}

# toml_tables only|except NAME... < TOML: the top-level tables (and arrays of tables) of a
# rendered config that are, or are not, named; text before the first table goes with "".
# The local run composes some configs from parts of one template (the proxy without [tls]
# and [access] for the benchmarks' plain proxy, the [[users]] appended by the caller).
toml_tables() {
    local mode="$1"
    shift
    awk -v mode="$mode" -v names="$*" '
        BEGIN { n = split(names, list, " "); for (i = 1; i <= n; i++) want[list[i]] = 1; current = "" }
        /^[ \t]*\[/ {
            header = $0
            sub(/^[ \t]*\[+[ \t]*/, "", header)
            sub(/[ \t]*\].*$/, "", header)
            current = header
        }
        { keep = (current in want); if (mode == "except") keep = !keep; if (keep) print }
    '
}

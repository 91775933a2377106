#!/usr/bin/env bash
# The performance benchmark of issue #4 (figures, not a timed test), and the authorizer's
# (issue 15, benches/authorizer/).
#
#   bash scripts/bench.sh          # build the arm64 bootstrap and the bench, run all eight figures
#   bash scripts/bench.sh sweep    # release-profile sweep: arm64 bootstrap size and handler CPU
#                                  # per setting (each setting is a full rebuild: slow)
#
# Needs the tools of scripts/setup.sh (.tools/env.sh: DYNAMODB_LOCAL_DIR, cargo-lambda,
# zig). DynamoDB Local is started by the test kit (testkit/, through scripts/dynamodb-local.sh) on a free loopback
# port and stopped when the bench exits; set DYNAMODB_LOCAL_ENDPOINT to use a running one.
# Knobs (see benches/bench/main.rs): BENCH_N, BENCH_COLD_STARTS, BENCH_CPU_N, BENCH_OPS_N, BENCH_TP_N,
# BENCH_ONLY=cpu|ops|throughput.
# Output is also written to target/bench/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [[ -f .tools/env.sh ]]; then
    # shellcheck disable=SC1091
    . .tools/env.sh
fi
MODE="${1:-run}"
OUT="$ROOT/target/bench"
mkdir -p "$OUT"

need() {
    command -v "$1" >/dev/null 2>&1 || { echo "bench.sh: '$1' not found (run: bash scripts/setup.sh)" >&2; exit 1; }
}
need cargo
need cargo-lambda

run() {
    if [[ -z "${DYNAMODB_LOCAL_ENDPOINT:-}" && ! -f "${DYNAMODB_LOCAL_DIR:-/nonexistent}/DynamoDBLocal.jar" ]]; then
        echo "bench.sh: DynamoDB Local not found: run 'bash scripts/setup.sh' (or set DYNAMODB_LOCAL_ENDPOINT)" >&2
        exit 1
    fi
    echo "== cargo lambda build --release --arm64 --bin create-api-token"
    cargo lambda build --release --arm64 --bin create-api-token
    local bootstrap="$ROOT/target/lambda/create-api-token/bootstrap"
    ls -l "$bootstrap"

    echo "== cargo bench --bench bench (release profile)"
    # cargo bench builds the create-api-token binary with the bench profile, which
    # inherits the release profile: that binary is the one the cold-start figures spawn.
    cargo bench --bench bench --no-run
    BENCH_BOOTSTRAP="$bootstrap" cargo bench --bench bench 2>&1 | tee "$OUT/bench.txt"
    echo "(output saved to target/bench/bench.txt)"

    echo "== the authorizer: cargo lambda build --release --arm64 --bin apikey-authorizer"
    cargo lambda build --release --arm64 --bin apikey-authorizer
    local authorizer="$ROOT/target/lambda/apikey-authorizer/bootstrap"
    ls -l "$authorizer"
    echo "== cargo bench --bench authorizer (release profile)"
    BENCH_AUTHORIZER_BOOTSTRAP="$authorizer" cargo bench --bench authorizer 2>&1 | tee "$OUT/authorizer.txt"
    echo "(output saved to target/bench/authorizer.txt)"
}

# One release-profile setting: NAME [OPT_LEVEL [LTO [CODEGEN_UNITS]]], each given value
# overriding Cargo.toml's [profile.release] through CARGO_PROFILE_RELEASE_* (so Cargo.toml
# is not touched). strip = true and panic = "unwind" stay (lambda_runtime catches handler
# panics only with unwinding). Each setting builds in target/sweep/NAME.
sweep_one() {
    local name="$1" opt="${2:-}" lto="${3:-}" cgu="${4:-}"
    local dir="$ROOT/target/sweep/$name" size cpu start end
    (
        export CARGO_TARGET_DIR="$dir"
        [[ -n "$opt" ]] && export CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt"
        [[ -n "$lto" ]] && export CARGO_PROFILE_RELEASE_LTO="$lto"
        [[ -n "$cgu" ]] && export CARGO_PROFILE_RELEASE_CODEGEN_UNITS="$cgu"
        echo "== $name: opt-level=${opt:-as Cargo.toml} lto=${lto:-as Cargo.toml} codegen-units=${cgu:-as Cargo.toml}" >&2
        start=$(date +%s)
        cargo lambda build --release --arm64 --bin create-api-token >"$OUT/sweep-$name-arm64.log" 2>&1
        end=$(date +%s)
        size=$(stat -c %s "$dir/lambda/create-api-token/bootstrap")
        cargo bench --bench bench --no-run >"$OUT/sweep-$name-host.log" 2>&1
        cpu=$(BENCH_ONLY=cpu BENCH_CPU_N="${BENCH_CPU_N:-50000}" cargo bench --bench bench 2>/dev/null |
            awk '/^HANDLER_CPU_US/ {print $2 " / " $3}')
        printf '| %-10s | %-5s | %-5s | %-3s | %10d | %6.2f | %-22s | %5ss |\n' \
            "$name" "${opt:--}" "${lto:--}" "${cgu:--}" "$size" "$(awk -v s="$size" 'BEGIN {print s / 1048576}')" "$cpu" "$((end - start))"
    )
}

sweep() {
    # NAME OPT_LEVEL LTO CODEGEN_UNITS ("-" or empty: as in Cargo.toml). Override with
    # BENCH_SWEEP="name opt lto cgu;name opt lto cgu".
    local settings=(
        "o3-fat 3"
        "os-fat s"
        "oz-fat z"
        "os-thin s thin"
    )
    if [[ -n "${BENCH_SWEEP:-}" ]]; then
        IFS=';' read -r -a settings <<<"$BENCH_SWEEP"
    fi
    {
        echo "| setting    | opt   | lto   | cgu | bytes      | MiB    | handler CPU µs (plain / logged) | arm64 build |"
        echo "|------------|-------|-------|-----|------------|--------|------------------------|-------------|"
        for s in "${settings[@]}"; do
            # shellcheck disable=SC2086
            sweep_one $s
        done
    } | tee "$OUT/sweep.txt"
}

case "$MODE" in
run) run ;;
sweep) sweep ;;
*)
    echo "usage: $0 [run|sweep]" >&2
    exit 2
    ;;
esac

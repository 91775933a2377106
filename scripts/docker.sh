#!/usr/bin/env bash
# Docker for SAM's local commands (`sam local invoke`, `sam local start-api`), which run the
# arm64 function in a container built on the Lambda base image for provided.al2023.
#
#   scripts/docker.sh ensure [--stop-when-gone PID]
#       Makes a Docker engine answer and an arm64 base image available, then writes the
#       flags to give SAM to .tools/run/docker-sam.env (SAM_LOCAL_IMAGE_ARGS) and prints them.
#       With --stop-when-gone, a watchdog runs `stop` once process PID has exited.
#   scripts/docker.sh stop
#       Stops what `ensure` started (dockerd and its containers); nothing if the engine was
#       already running before `ensure`.
#   scripts/docker.sh run -- COMMAND...
#       ensure, run COMMAND with SAM_LOCAL_IMAGE_ARGS exported, then stop (also on failure
#       or Ctrl-C). This is how `make test` and `make local-api` use it.
#
# What `ensure` does, in order, using what works and installing only what is missing:
#   1. An engine that already answers `docker info` is used as it is (never stopped here).
#      Otherwise, as root: Debian's docker.io is installed if `dockerd` is missing, and
#      `dockerd --userland-proxy=false` is started with the storage driver overlay2, or vfs
#      where overlay2 cannot start (log .tools/run/dockerd.log).
#   2. On a non-arm64 host, arm64 binaries need QEMU: as root, Debian's qemu-user-static is
#      installed, binfmt_misc mounted, and the qemu-aarch64 entry Debian ships under
#      /usr/lib/binfmt.d/ registered (it stays registered: kernel state, not a process).
#   3. AWS's base image (public.ecr.aws/lambda/provided:al2023-arm64) is pulled if the
#      registry can be reached; SAM then uses it. Otherwise the stand-in defined in
#      docker/lambda-base/ is built (see its Dockerfile) and SAM gets
#      `--invoke-image <stand-in> --skip-pull-image`.
# Root is needed only for what has to be installed or started; a user with a working
# Docker needs none of it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$ROOT/.tools/run"
ENV_FILE="$RUN_DIR/docker-sam.env"
DOCKERD_PID_FILE="$RUN_DIR/dockerd.pid"
DOCKERD_LOG="$RUN_DIR/dockerd.log"
REAL_IMAGE="public.ecr.aws/lambda/provided:al2023-arm64"
STANDIN_REPO="create-api-token/lambda-provided-standin"
PULL_TIMEOUT="${DOCKER_PULL_TIMEOUT_SECS:-60}"

log() { printf 'docker.sh: %s\n' "$*" >&2; }
die() { printf 'docker.sh: error: %s\n' "$*" >&2; exit 1; }
elapsed() { echo "$(( $(date +%s) - $1 )) s"; }
is_root() { [[ "$(id -u)" == 0 ]]; }
engine_answers() { timeout 10 docker info >/dev/null 2>&1; }

apt_updated=0
started_here=0
stop_on_exit=0   # `run`: stop what `ensure` started when this script ends
# Debian policy 9.3.3: while this file exits 101, package maintainer scripts start no
# service. apt_install writes it (the marker line says so) and removes it afterwards;
# DOCKER_SH_POLICY_RC_D points it elsewhere for scripts/test-docker-sh.sh.
POLICY_RC_D="${DOCKER_SH_POLICY_RC_D:-/usr/sbin/policy-rc.d}"
POLICY_MARKER="# written by scripts/docker.sh for one apt-get install; removed after it"
own_policy=0

# Whatever ends this script (success, failure, Ctrl-C, kill -TERM) leaves nothing behind: the
# policy-rc.d it wrote is removed, and under `run` the engine it started is stopped. Only
# SIGKILL skips this; the marker lets the next apt_install recognise and remove that file.
on_exit() {
    if (( own_policy )); then rm -f "$POLICY_RC_D"; own_policy=0; fi
    if (( stop_on_exit && started_here )); then stop_on_exit=0; stop_engine; fi
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

apt_install() {
    is_root || die "cannot install $* without root; install them (Debian: apt-get install $*) or use an existing Docker"
    export DEBIAN_FRONTEND=noninteractive
    if (( apt_updated == 0 )); then
        log "apt-get update"
        apt-get update -q 2>&1 | sed 's/^/  apt: /' >&2
        apt_updated=1
    fi
    log "apt-get install $* (about a minute)"
    # A package's maintainer script must not start services here: `ensure` starts dockerd
    # itself, so that `stop` knows what to stop. policy-rc.d (Debian policy 9.3.3) says so.
    # A file of someone else's is left alone; one this script left (killed) is taken over.
    if [[ -e "$POLICY_RC_D" ]] && grep -qxF "$POLICY_MARKER" "$POLICY_RC_D" 2>/dev/null; then
        own_policy=1
    elif [[ ! -e "$POLICY_RC_D" ]]; then
        own_policy=1   # before writing: an interruption in between still removes it
        printf '#!/bin/sh\n%s\nexit 101\n' "$POLICY_MARKER" >"$POLICY_RC_D"
        chmod +x "$POLICY_RC_D"
    fi
    local rc=0
    apt-get install -y -q --no-install-recommends "$@" 2>&1 | sed -u 's/^/  apt: /' >&2 || rc=$?
    if (( own_policy )); then rm -f "$POLICY_RC_D"; own_policy=0; fi
    (( rc == 0 )) || die "apt-get install $* failed"
}

# --- 1. the engine -------------------------------------------------------------------
ensure_engine() {
    if engine_answers; then
        log "using the Docker engine that is already running ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
        return
    fi
    is_root || die "no Docker engine answers, and starting one needs root; start Docker (or run as root) and retry"
    local t0; t0=$(date +%s)
    if ! command -v dockerd >/dev/null; then
        apt_install docker.io
    fi
    mkdir -p "$RUN_DIR"
    started_here=1
    # overlay2 where the kernel and file system allow it (a container starts in about 1 s);
    # else vfs, which works everywhere but copies the whole image for each container (~4 s).
    # --userland-proxy=false: published ports are NAT rules, so a connection to one is
    # refused until the container listens. With the proxy, connections are accepted at once
    # and SAM, which waits for the port to accept and then retries its request for 0.7 s
    # only, gives up ("No response from invoke container") while the emulated arm64 Runtime
    # Interface Emulator is still starting (about 1 s, more on a busy machine).
    local driver
    for driver in ${DOCKERD_STORAGE_DRIVERS:-overlay2 vfs}; do
        log "starting dockerd --storage-driver=$driver --userland-proxy=false (log $DOCKERD_LOG)"
        # setsid: its own process group, so Ctrl-C in a terminal reaches it only through `stop`.
        setsid dockerd --storage-driver="$driver" --userland-proxy=false >"$DOCKERD_LOG" 2>&1 </dev/null &
        echo $! >"$DOCKERD_PID_FILE"
        local deadline=$(( $(date +%s) + 60 ))
        until engine_answers; do
            if ! kill -0 "$(cat "$DOCKERD_PID_FILE")" 2>/dev/null; then
                log "dockerd --storage-driver=$driver exited during start-up: $(grep -m1 -i 'level=fatal\|level=error' "$DOCKERD_LOG" | cut -c1-200)"
                rm -f "$DOCKERD_PID_FILE"
                break
            fi
            (( $(date +%s) < deadline )) || { tail -20 "$DOCKERD_LOG" >&2; stop_engine; die "dockerd did not answer within 60 s"; }
            sleep 0.5
        done
        [[ -f "$DOCKERD_PID_FILE" ]] && break
    done
    [[ -f "$DOCKERD_PID_FILE" ]] || { tail -20 "$DOCKERD_LOG" >&2; die "dockerd did not start"; }
    log "dockerd $(docker version --format '{{.Server.Version}}') running, storage driver $(docker info --format '{{.Driver}}') (pid $(cat "$DOCKERD_PID_FILE"), ready after $(elapsed "$t0"))"
}

stop_engine() {
    [[ -f "$DOCKERD_PID_FILE" ]] || { log "no dockerd started by this script is running"; return 0; }
    local pid; pid="$(cat "$DOCKERD_PID_FILE")"
    if kill -0 "$pid" 2>/dev/null; then
        # Containers first (SAM removes its own; this catches any left by a killed run).
        local ids; ids="$(timeout 20 docker ps -aq 2>/dev/null || true)"
        if [[ -n "$ids" ]]; then
            log "removing containers: $(echo "$ids" | tr '\n' ' ')"
            # shellcheck disable=SC2086
            timeout 60 docker rm -f $ids >/dev/null 2>&1 || true
        fi
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        if kill -0 "$pid" 2>/dev/null; then
            log "dockerd (pid $pid) did not stop within 30 s: killing it"
            kill -9 "$pid" 2>/dev/null || true
        fi
        log "dockerd stopped (pid $pid)"
    fi
    rm -f "$DOCKERD_PID_FILE"
}

# --- 2. arm64 emulation ----------------------------------------------------------------
ensure_arm64() {
    case "$(uname -m)" in aarch64 | arm64) return ;; esac
    local entry=/proc/sys/fs/binfmt_misc/qemu-aarch64
    if [[ -e "$entry" ]] && grep -q '^enabled' "$entry"; then
        log "arm64 emulation: binfmt_misc entry qemu-aarch64 already registered"
        return
    fi
    is_root || die "arm64 containers need qemu-user-static registered in binfmt_misc, which needs root"
    local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
    [[ -f "$conf" ]] || apt_install qemu-user-static
    [[ -f "$conf" ]] || die "$conf not found after installing qemu-user-static"
    if [[ ! -e /proc/sys/fs/binfmt_misc/register ]]; then
        mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    fi
    # The file holds one registration line (:name:type:offset:magic:mask:interpreter:flags);
    # its F flag opens the interpreter now, so it also works inside containers.
    grep -v '^[[:space:]]*#' "$conf" | grep ':' >/proc/sys/fs/binfmt_misc/register
    grep -q '^enabled' "$entry" || die "could not register $conf in binfmt_misc"
    log "arm64 emulation: registered $conf ($(sed -n 's/^interpreter //p' "$entry"))"
}

# --- 3. the base image --------------------------------------------------------------------
# Prints the SAM flags selecting the image.
ensure_image() {
    local t0; t0=$(date +%s)
    if [[ "${SAM_LOCAL_STANDIN:-0}" != 1 ]]; then
        if docker image inspect "$REAL_IMAGE" >/dev/null 2>&1; then
            log "using AWS's base image $REAL_IMAGE (already pulled)"
            echo "--skip-pull-image"; return
        fi
        log "trying to pull AWS's base image $REAL_IMAGE (up to ${PULL_TIMEOUT} s)"
        if timeout "$PULL_TIMEOUT" docker pull --platform linux/arm64 "$REAL_IMAGE" >&2 2>"$RUN_DIR/pull.log"; then
            log "pulled $REAL_IMAGE in $(elapsed "$t0")"
            echo "--skip-pull-image"; return
        fi
        log "cannot pull it ($(tail -1 "$RUN_DIR/pull.log" 2>/dev/null | cut -c1-120)); building the stand-in"
    fi
    local tag; tag="$(bash "$ROOT/docker/lambda-base/build.sh")"
    log "base image $tag ready after $(elapsed "$t0")"
    echo "--invoke-image $tag --skip-pull-image"
}

# ensure [PID]: with PID, a watchdog stops what this call started once PID has exited.
ensure() {
    local t0; t0=$(date +%s)
    mkdir -p "$RUN_DIR"
    ensure_engine
    if (( started_here )) && [[ -n "${1:-}" ]]; then watchdog "$1"; fi
    ensure_arm64
    local args; args="$(ensure_image)"
    printf 'SAM_LOCAL_IMAGE_ARGS=%q\n' "$args" >"$ENV_FILE"
    log "ready after $(elapsed "$t0"); SAM flags: ${args}"
    echo "$args"
}

watchdog() {
    local pid="$1"
    # Detached: outlives this script, ends after `stop`.
    setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; exec bash "$2" stop' \
        _ "$pid" "$ROOT/scripts/docker.sh" >>"$RUN_DIR/docker-watchdog.log" 2>&1 </dev/null &
}

# Sourced (scripts/test-docker-sh.sh): the functions and traps only.
[[ "${BASH_SOURCE[0]}" == "$0" ]] || return 0

cmd="${1:-}"; shift || true
case "$cmd" in
ensure)
    watch=""
    if [[ "${1:-}" == --stop-when-gone ]]; then
        [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--stop-when-gone needs a PID"
        watch="$2"
    fi
    ensure "$watch"
    ;;
stop)
    stop_engine
    ;;
run)
    [[ "${1:-}" == -- ]] && shift
    (( $# > 0 )) || die "usage: $0 run -- COMMAND..."
    # Stops only what this call started (on_exit): an engine that was already running stays.
    stop_on_exit=1
    ensure >/dev/null
    # shellcheck disable=SC1090
    . "$ENV_FILE"
    export SAM_LOCAL_IMAGE_ARGS
    "$@"
    ;;
*)
    echo "usage: $0 ensure [--stop-when-gone PID] | stop | run -- COMMAND..." >&2; exit 2
    ;;
esac

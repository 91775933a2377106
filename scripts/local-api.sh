#!/usr/bin/env bash
# `make local-api`: the API on http://127.0.0.1:3000 as API Gateway would serve it, through
# `sam local start-api` (the built arm64 function in Docker, warm container) against AWS
# DynamoDB Local with a fresh table and a new Administrator token, printed once.
# Ctrl-C stops everything this started: sam (and its container), DynamoDB Local, and dockerd
# if scripts/docker.sh had to start it.
#
#   LOCAL_API_PORT (3000), LOCAL_API_DYNAMODB_PORT (8000), TABLE_NAME (api-tokens-local)
# `scripts/local-api.sh serve` skips the set-up steps (tools, build, Docker), as tests/sam_local.rs
# does; it then needs SAM_LOCAL_IMAGE_ARGS (scripts/docker.sh) and SAM_BUILD_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

API_PORT="${LOCAL_API_PORT:-3000}"
DDB_PORT="${LOCAL_API_DYNAMODB_PORT:-8000}"
TABLE="${TABLE_NAME:-api-tokens-local}"
RUN_DIR="$PWD/.tools/run"
step() { printf '\n== %s\n' "$*"; }

if [[ "${1:-}" != serve ]]; then
    # Outer call: tools, build, Docker; then this script again under scripts/docker.sh.
    step "tools (.tools/, scripts/setup.sh)"
    bash scripts/setup.sh
    # shellcheck disable=SC1091
    . .tools/env.sh
    step "sam build (reused when up to date; otherwise about 2-3 minutes)"
    SAM_BUILD_DIR="$(bash scripts/sam-build.sh)"
    export SAM_BUILD_DIR
    step "the bootstrap tool (cargo build --bin apikey-bootstrap)"
    cargo build --bin apikey-bootstrap
    step "Docker (scripts/docker.sh: the first run on a new machine takes about a minute)"
    exec bash scripts/docker.sh run -- bash scripts/local-api.sh serve
fi

# shellcheck disable=SC1091
. .tools/env.sh
SAM_BUILD_DIR="${SAM_BUILD_DIR:-$PWD/.aws-sam/build}"
BOOTSTRAP="${APIKEY_BOOTSTRAP:-target/debug/apikey-bootstrap}"
: "${SAM_LOCAL_IMAGE_ARGS?run through scripts/docker.sh (make local-api does)}"
# DynamoDB Local keeps one database per access key and Region: the bootstrap tool here and the
# function in the container (SAM passes these on) must use the same ones. Never real ones.
# AWS_MAX_ATTEMPTS=1: SAM asks STS for the account id, which these credentials cannot get;
# one attempt instead of seconds of retries at each start.
export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_REGION=us-east-1 \
       AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true SAM_CLI_TELEMETRY=0 \
       AWS_MAX_ATTEMPTS=1
unset AWS_SESSION_TOKEN AWS_PROFILE
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$DDB_PORT" TABLE_NAME="$TABLE"

# sam runs in the foreground: Ctrl-C reaches it with the whole process group, and it stops
# its warm containers before exiting; then this trap removes any Lambda container sam left
# (it sometimes leaves one when Ctrl-C meets a container still starting), stops DynamoDB
# Local, and scripts/docker.sh's own trap stops dockerd if it started it.
CONTAINERS_BEFORE=unset
remove_left_containers() {
    [[ "$CONTAINERS_BEFORE" == unset ]] && return 0
    local left
    left="$(comm -13 <(printf '%s\n' "$CONTAINERS_BEFORE" | sort) \
        <(docker ps --no-trunc --format '{{.ID}} {{.Image}}' | awk '$2 ~ /lambda/ {print $1}' | sort))"
    if [[ -n "$left" ]]; then
        echo "local-api: removing the Lambda containers sam left: $(printf '%.12s ' $left)" >&2
        # shellcheck disable=SC2086
        docker rm -f $left >/dev/null 2>&1 || true
    fi
}
trap 'remove_left_containers; bash scripts/dynamodb-local.sh stop "$DDB_PORT" || true' EXIT
trap 'exit 130' INT TERM

step "DynamoDB Local on port $DDB_PORT"
bash scripts/dynamodb-local.sh start "$DDB_PORT"

step "apikey-bootstrap create-table ($TABLE)"
"$BOOTSTRAP" create-table
bash scripts/dev-fixtures.sh "$BOOTSTRAP"
ADMIN_TOKEN="$("$BOOTSTRAP" mint --tenant 1 --description "make local-api")"

# local/env.json with this run's table and port.
ENV_FILE="$RUN_DIR/local-api-env.json"
python3 - "$ENV_FILE" "$TABLE" "$DDB_PORT" <<'PY'
import json, sys
out, table, port = sys.argv[1:]
env = json.load(open("local/env.json"))
for fn in env.values():  # the function and the authorizer
    fn["TABLE_NAME"] = table
    fn["LOCAL_DYNAMODB_ENDPOINT_URL"] = "http://host.docker.internal:%s" % port
json.dump(env, open(out, "w"), indent=2)
PY

URL="http://127.0.0.1:$API_PORT/api/v1/admin/apikey"
cat <<EOF

== Administrator token of tenant 1 (shown once): $ADMIN_TOKEN

Once sam prints "Running on http://127.0.0.1:$API_PORT" (the warm container starts first;
the first request after that takes a few seconds more, under arm64 emulation on x86_64):

  curl -i -X POST -H "Authorization: Bearer $ADMIN_TOKEN" "$URL?description=from+curl"
  curl -i -X POST "$URL"                     # 401
  curl -i "$URL"                             # 405
  # GET /api/v1/apikey/self runs the authorizer first (SAM: an unknown token gets 502, no header 401):
  curl -i -H "Authorization: Bearer localdevstandard000000001-us-1" "http://127.0.0.1:$API_PORT/api/v1/apikey/self"

The dev tokens of events/ work too (localdevadmin000000000001-us-1). Ctrl-C stops everything.

== sam local start-api ${SAM_LOCAL_IMAGE_ARGS}
EOF
# The self route through its authorizer: SAM would merge it with the path's ANY and skip the
# authorizer (aws/aws-sam-cli#1064, #9165), so it serves a copy without that ANY.
LOCAL_TEMPLATE="$SAM_BUILD_DIR/template.local-api.yaml"
python3_sam="$(dirname "$(command -v sam)")/python"
"$python3_sam" scripts/sam-local-template.py "$SAM_BUILD_DIR/template.yaml" "$LOCAL_TEMPLATE"
CONTAINERS_BEFORE="$(docker ps -q --no-trunc)"
# shellcheck disable=SC2086
sam local start-api --template "$LOCAL_TEMPLATE" --host 127.0.0.1 --port "$API_PORT" \
    --warm-containers EAGER --env-vars "$ENV_FILE" --add-host host.docker.internal:host-gateway \
    --region us-east-1 $SAM_LOCAL_IMAGE_ARGS

#!/usr/bin/env bash
# The local demo (README: `make demo`): AWS DynamoDB Local, the bootstrap tool minting the
# first Administrator token, then real API Gateway / ALB event files from events/ served to
# the real function binary through a loopback Lambda Runtime API, envelopes printed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "== installing the tools into .tools/ (the first run takes a minute or two)"
bash scripts/setup.sh
. .tools/env.sh

PORT="${DEMO_DYNAMODB_PORT:-8642}"
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:$PORT"
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_EC2_METADATA_DISABLED=true
export TABLE_NAME=api-tokens-demo DATA_CENTER=us-1

echo "== building the function and the bootstrap tool (first run: about 3 minutes on 2 cores; then seconds)"
cargo build --bins --example demo     # cargo prints each crate it compiles

echo "== starting DynamoDB Local on port $PORT"
bash scripts/dynamodb-local.sh start "$PORT"
trap 'bash scripts/dynamodb-local.sh stop "$PORT" >/dev/null 2>&1 || true' EXIT

echo "== apikey-bootstrap create-table"
target/debug/apikey-bootstrap create-table

echo "== apikey-bootstrap mint --tenant 1   (the first Administrator token; shown once)"
BOOTSTRAP_ADMIN_TOKEN="$(target/debug/apikey-bootstrap mint --tenant 1 --description "demo bootstrap admin")"
echo "$BOOTSTRAP_ADMIN_TOKEN"
export BOOTSTRAP_ADMIN_TOKEN

echo "== importing the documented local-only dev tokens the events/ files carry (docs/api.md, \"Local development\")"
bash scripts/dev-fixtures.sh target/debug/apikey-bootstrap

target/debug/examples/demo

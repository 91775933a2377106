#!/usr/bin/env bash
# Imports the documented local-only dev tokens that the events/ files carry into the table
# TABLE_NAME on DynamoDB Local (AWS_ENDPOINT_URL_DYNAMODB), with their fixed TokenIds.
# The bootstrap tool refuses to import anywhere but DynamoDB Local.
#
#   scripts/dev-fixtures.sh [path/to/apikey-bootstrap]
#
# The same fixtures are in testkit/src/fixtures.rs (DEV_*) and scripts/make-events.py.
set -euo pipefail
BOOTSTRAP="${1:-target/debug/apikey-bootstrap}"

# tenant  role           token                            TokenId                     description
FIXTURES="
1 Administrator localdevadmin000000000001-us-1  01KBDEVADM0000000000000001 dev-admin
1 Standard      localdevstandard000000001-us-1  01KBDEVSTD0000000000000001 dev-standard
1 Standard      localdevrevoke00000000001-us-1  01KBDEVREV0000000000000001 dev-revoke-target
2 Standard      localdevother000000000002-us-1  01KBDEVTN20000000000000001 dev-other-tenant
"
while read -r tenant role token token_id description; do
    [[ -n "$tenant" ]] || continue
    "$BOOTSTRAP" mint --tenant "$tenant" --role "$role" --description "$description (events/)" \
        --import-token "$token" --token-id "$token_id" >/dev/null
done <<<"$FIXTURES"

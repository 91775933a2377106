#!/usr/bin/env bash
# Imports the documented local-only dev tokens that the events/ files carry, as listed in
# scripts/dev-fixtures.txt (the one list of them; testkit seeds the same), into the table
# TABLE_NAME on DynamoDB Local (AWS_ENDPOINT_URL_DYNAMODB), with their fixed TokenIds and
# states. The bootstrap tool refuses to import anywhere but DynamoDB Local. Running it
# again changes nothing (an imported token is left unchanged, a revocation keeps its date).
#
#   scripts/dev-fixtures.sh [path/to/apikey-bootstrap]
set -euo pipefail
BOOTSTRAP="${1:-target/debug/apikey-bootstrap}"
LIST="$(dirname "${BASH_SOURCE[0]}")/dev-fixtures.txt"

while read -r tenant role token token_id description state; do
    [[ -n "$tenant" && "$tenant" != \#* ]] || continue
    options=()
    case "$state" in
        -|revoked) ;;
        expires-at=*) options=(--expires-at "${state#expires-at=}") ;;
        rotated-to=*) options=(--rotated-to "${state#rotated-to=}") ;;
        *) echo "dev-fixtures.sh: unknown state for $token_id in $LIST" >&2; exit 2 ;;
    esac
    "$BOOTSTRAP" mint --tenant "$tenant" --role "$role" --description "$description (events/)" \
        --import-token "$token" --token-id "$token_id" "${options[@]}" >/dev/null
    if [[ "$state" == revoked ]]; then
        "$BOOTSTRAP" revoke --tenant "$tenant" --token-id "$token_id" >/dev/null
    fi
done <"$LIST"

#!/usr/bin/env python3
"""Writes events/*.json from the SAM CLI's own templates in events/raw/.

events/raw/ holds the unmodified output of
  sam local generate-event apigateway http-api-proxy   > events/raw/apigateway-http-api-proxy.json
  sam local generate-event apigateway aws-proxy        > events/raw/apigateway-aws-proxy.json
  sam local generate-event alb request                 > events/raw/alb-request.json
Each file written here adapts one of them to this endpoint. File names give the front
door (http-api = HTTP API payload 2.0, rest = REST API payload 1.0, alb, function-url,
sam-local) and the expected status as the last three digits. Every 200 file sends the
same description, DESCRIPTION, however its front door encodes it.

The tokens are the documented local-only dev tokens (scripts/dev-fixtures.txt, the one
list of them; docs/api.md, "Local development"); they exist only in DynamoDB Local, where
`make demo` / the tests import them. Generation fails if a token or TokenId named here is
not that list's.

Run: python3 scripts/make-events.py   (rewrites events/*.json; commit the result)
"""
import base64
import copy
import json
import pathlib
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
RAW = ROOT / "events" / "raw"
OUT = ROOT / "events"

ADMIN = "localdevadmin000000000001-us-1"
STANDARD = "localdevstandard000000001-us-1"
UNKNOWN = "localdevunknown0000000001-us-1"
# A tenant-1 Administrator token whose DateExpires is in the past (docs/api.md, "Local
# development"): refused with the expired 401 on every path.
EXPIRED = "localdevexpired0000000001-us-1"
PATH = "/api/v1/admin/apikey"
ITEM_PATH = PATH + "/{TokenId}"
SELF_PATH = "/api/v1/apikey/self"
# TokenIds of the dev fixtures (docs/api.md, "Local development").
STANDARD_ID = "01KBDEVSTD0000000000000001"
REVOKE_ID = "01KBDEVREV0000000000000001"        # tenant 1, revoked by the revoke events
OTHER_TENANT_ID = "01KBDEVTN20000000000000001"  # tenant 2: tenant 1 gets 404
UNKNOWN_ID = "01KBDEVN0NE0000000000000001"[:26]  # no item anywhere
# Rotation targets (tenant 1, Standard), each named by ONE rotate event that changes it (a
# 200), so that no order of the files can rotate or revoke a target before its event.
ROTATE_GRACE = "localdevrotategrace000001-us-1"
ROTATE_GRACE_ID = "01KBDEVXGR0000000000000001"    # http-api-rotate-grace-200: grace=3600
ROTATE_NOW = "localdevrotatenow00000001-us-1"
ROTATE_NOW_ID = "01KBDEVXNW0000000000000001"      # rest-rotate-no-grace-200: revoked at once
ROTATE_REVOKED = "localdevrotaterevoked0001-us-1"
ROTATE_REVOKED_ID = "01KBDEVXRV0000000000000001"  # revoked: the "revoked" 409
ROTATED = "localdevrotated0000000001-us-1"
ROTATED_ID = "01KBDEVXRT0000000000000001"         # has a RotatedToId: the "rotated" 409
EXPIRED_ID = "01KBDEV0EXP000000000000001"         # EXPIRED's: the "expired" 409
DESCRIPTION = "Zapier integration + C++ \u2713"
# application/x-www-form-urlencoded, as browsers and curl --data-urlencode send it.
DESC_QUERY = "description=" + urllib.parse.quote_plus(DESCRIPTION)
HOST_V2 = "abc123defg.execute-api.us-east-1.amazonaws.com"


def check_dev_fixtures():
    """The tokens and TokenIds named here are those of scripts/dev-fixtures.txt, the one
    list of the dev tokens (which scripts/dev-fixtures.sh imports and the tests seed)."""
    listed = {}
    for line in (ROOT / "scripts" / "dev-fixtures.txt").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            tenant, role, token, token_id, _description, _state = line.split()
            listed[token] = (token_id, role, int(tenant))
    for token, token_id, role in [
            (ADMIN, None, "Administrator"), (STANDARD, STANDARD_ID, "Standard"),
            (EXPIRED, EXPIRED_ID, "Administrator"), (ROTATE_GRACE, ROTATE_GRACE_ID, "Standard"),
            (ROTATE_NOW, ROTATE_NOW_ID, "Standard"),
            (ROTATE_REVOKED, ROTATE_REVOKED_ID, "Standard"), (ROTATED, ROTATED_ID, "Standard")]:
        assert token in listed, f"{token} is not in scripts/dev-fixtures.txt"
        assert listed[token][1:] == (role, 1), token
        assert token_id is None or listed[token][0] == token_id, token
    ids = {v[0]: t for t, v in listed.items()}
    assert ids.get(REVOKE_ID) and ids.get(OTHER_TENANT_ID) and UNKNOWN_ID not in ids
    assert listed[ids[OTHER_TENANT_ID]][2] != 1
    assert UNKNOWN not in listed


def raw(name):
    return json.loads((RAW / name).read_text())


def write(name, event):
    (OUT / name).write_text(json.dumps(event, indent=2, ensure_ascii=False) + "\n")


def bearer(token):
    return "Bearer " + token


def basic(token, user="api"):
    return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()


# ---------------------------------------------------------------- HTTP API, payload 2.0
def http_api(method="POST", raw_path=PATH, stage="$default", query=DESC_QUERY,
             auth=bearer(ADMIN), extra_headers=None, route=PATH, path_parameters=None):
    e = raw("apigateway-http-api-proxy.json")
    e["routeKey"] = f"{method} {route}"
    e["rawPath"] = raw_path
    e["rawQueryString"] = query
    e["cookies"] = []
    headers = {
        "accept": "application/json",
        "content-length": "0",
        "host": HOST_V2,
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": "Root=1-67891233-abcdef012345678912345678",
        "x-forwarded-for": "198.51.100.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if auth is not None:
        headers["authorization"] = auth
    headers.update(extra_headers or {})
    e["headers"] = headers
    # API Gateway joins repeated values with commas in queryStringParameters.
    qsp = {}
    for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True):
        qsp[k] = qsp[k] + "," + v if k in qsp else v
    if qsp:
        e["queryStringParameters"] = qsp
    else:
        e.pop("queryStringParameters", None)
    rc = e["requestContext"]
    rc.pop("authentication", None)
    rc.pop("authorizer", None)
    rc["apiId"] = "abc123defg"
    rc["domainName"] = HOST_V2
    rc["domainPrefix"] = "abc123defg"
    rc["http"] = {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                  "sourceIp": "198.51.100.7", "userAgent": "curl/8.5.0"}
    rc["requestId"] = "JKJaXmPLvHcESHA="
    rc["routeKey"] = e["routeKey"]
    rc["stage"] = stage
    e["body"] = None
    e["isBase64Encoded"] = False
    if path_parameters:
        e["pathParameters"] = path_parameters
    else:
        e.pop("pathParameters", None)
    e.pop("stageVariables", None)
    return e


# ---------------------------------------------------------------- REST API, payload 1.0
def rest(method="POST", path=PATH, stage="Prod", query=None, auth=bearer(ADMIN),
         host="abc123defg.execute-api.us-east-1.amazonaws.com", resource=PATH,
         path_parameters=None):
    e = raw("apigateway-aws-proxy.json")
    if query is None:
        query = [("description", DESCRIPTION)] if method == "POST" else []
    e["resource"] = resource
    e["path"] = path
    e["httpMethod"] = method
    headers = {
        "Accept": "application/json",
        "CloudFront-Forwarded-Proto": "https",
        "User-Agent": "curl/8.5.0",
        "Via": "2.0 f3e1fa2a1b1c8d47e3a1c1f0c5c0d1e2.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "cDehVQoZnx43VYQb9j2-nvCh-9z396Uhbp027Y2JvkCPNLmGJHqlaA==",
        "X-Amzn-Trace-Id": "Root=1-67891233-abcdef012345678912345678",
        "X-Forwarded-For": "198.51.100.7, 130.176.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    if host is not None:
        headers["Host"] = host
    # A list: the client sent that many Authorization lines. API Gateway puts all of
    # them in multiValueHeaders and the last in headers.
    repeated = auth if isinstance(auth, list) else None
    if repeated:
        auth = repeated[-1]
    if auth is not None:
        headers["Authorization"] = auth
    e["headers"] = headers
    e["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    if repeated:
        e["multiValueHeaders"]["Authorization"] = list(repeated)
    # REST APIs hand the function values API Gateway has already percent-decoded.
    if query:
        single, multi = {}, {}
        for k, v in query:
            single[k] = v  # the single-value map keeps the last value
            multi.setdefault(k, []).append(v)
        e["queryStringParameters"] = single
        e["multiValueQueryStringParameters"] = multi
    else:
        e["queryStringParameters"] = None
        e["multiValueQueryStringParameters"] = None
    e["pathParameters"] = path_parameters
    e["stageVariables"] = None
    e["body"] = None
    e["isBase64Encoded"] = False
    rc = e["requestContext"]
    rc["stage"] = stage
    rc["path"] = path if stage == "$default" else f"/{stage}{path}"
    rc["resourcePath"] = resource
    rc["httpMethod"] = method
    rc["apiId"] = "abc123defg"
    rc["domainName"] = "abc123defg.execute-api.us-east-1.amazonaws.com"
    rc["requestId"] = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    rc["identity"]["sourceIp"] = "198.51.100.7"
    rc["identity"]["userAgent"] = "curl/8.5.0"
    return e


# ---------------------------------------------------------------- ALB
def alb(multi_value=False, query=DESC_QUERY, auth=bearer(ADMIN), method="POST", path=PATH,
        extra_headers=None):
    e = raw("alb-request.json")
    e["httpMethod"] = method
    e["path"] = path
    headers = {
        "accept": "application/json",
        "host": "lambda-alb-123578498.us-east-2.elb.amazonaws.com",
        "user-agent": "curl/8.5.0",
        "x-amzn-trace-id": "Root=1-5c536348-3d683b8b04734faae651f476",
        "x-forwarded-for": "198.51.100.7",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
    }
    if auth is not None:
        headers["authorization"] = auth
    headers.update(extra_headers or {})
    # ALB passes query keys and values as the client encoded them (no decoding).
    pairs = [p.split("=", 1) + [""] * ("=" not in p) for p in query.split("&") if p]
    if multi_value:
        e.pop("headers", None)
        e.pop("queryStringParameters", None)
        e["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        mq = {}
        for k, v in pairs:
            mq.setdefault(k, []).append(v)
        e["multiValueQueryStringParameters"] = mq
    else:
        e["headers"] = headers
        # With multi-value headers off, the ALB keeps the last value of a repeated key.
        e["queryStringParameters"] = {k: v for k, v in pairs}
    e["body"] = ""
    e["isBase64Encoded"] = False
    return e


# ---------------------------------------------------------------- Lambda Function URL
def function_url(auth=bearer(ADMIN), query=DESC_QUERY, sigv4=False, method="POST"):
    host = "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws"
    e = http_api(query=query, auth=auth, method=method)
    e["routeKey"] = "$default"
    e["headers"]["host"] = host
    rc = e["requestContext"]
    rc["routeKey"] = "$default"
    rc["apiId"] = "abcdefghijklmnopqrstuvwxyz012345"
    rc["domainName"] = host
    rc["domainPrefix"] = "abcdefghijklmnopqrstuvwxyz012345"
    if sigv4:
        rc["authorizer"] = {"iam": {
            "accessKey": "AKIAIOSFODNN7EXAMPLE", "accountId": "123456789012",
            "callerId": "AIDACKCEVSQ6C2EXAMPLE", "cognitoIdentity": None,
            "principalOrgId": None, "userArn": "arn:aws:iam::123456789012:user/alice",
            "userId": "AIDACKCEVSQ6C2EXAMPLE"}}
        e["headers"]["x-amz-date"] = "20260418T120000Z"
        e["headers"]["x-amz-security-token"] = "FwoGZXIvYXdzEXAMPLE"
    return e


def http_api_token(method, token_id, auth=bearer(ADMIN)):
    """An HTTP API request on one token, /api/v1/admin/apikey/{TokenId}."""
    return http_api(method=method, raw_path=f"{PATH}/{token_id}", query="", auth=auth,
                    route=ITEM_PATH, path_parameters={"TokenId": token_id})


def rest_token(method, token_id, auth=bearer(ADMIN)):
    """A REST API request on one token, resource /api/v1/admin/apikey/{TokenId}."""
    return rest(method=method, path=f"{PATH}/{token_id}", query=[], auth=auth,
                resource=ITEM_PATH, path_parameters={"TokenId": token_id})


def lifecycle_events():
    """List (GET on the collection) and revoke (DELETE on a token), per front door.

    Replayed in name order against the dev fixtures: `*-revoke-own-200` revokes the
    tenant-1 token REVOKE_ID, `*-revoke-repeated-200` revokes it again (200, same
    DateRevoked), another tenant's id and an unknown id are the same 404.
    """
    page_two = f"limit=2&before={STANDARD_ID}"
    # HTTP API (payload 2.0).
    write("http-api-list-200.json", http_api(method="GET", query="", route=PATH))
    write("http-api-list-page-2-200.json", http_api(method="GET", query=page_two))
    write("http-api-list-bad-limit-400.json", http_api(method="GET", query="limit=0"))
    write("http-api-list-bad-before-400.json", http_api(method="GET", query="before=yesterday"))
    write("http-api-list-non-admin-403.json",
          http_api(method="GET", query="", auth=bearer(STANDARD)))
    write("http-api-list-no-token-401.json", http_api(method="GET", query="", auth=None))
    write("http-api-revoke-own-200.json", http_api_token("DELETE", REVOKE_ID))
    write("http-api-revoke-repeated-200.json", http_api_token("DELETE", REVOKE_ID))
    write("http-api-revoke-other-tenant-404.json", http_api_token("DELETE", OTHER_TENANT_ID))
    write("http-api-revoke-unknown-id-404.json", http_api_token("DELETE", UNKNOWN_ID))
    write("http-api-revoke-malformed-id-404.json", http_api_token("DELETE", "not-a-token-id"))
    write("http-api-revoke-non-admin-403.json",
          http_api_token("DELETE", REVOKE_ID, auth=bearer(STANDARD)))
    write("http-api-revoke-no-token-401.json", http_api_token("DELETE", REVOKE_ID, auth=None))
    write("http-api-token-patch-405.json", http_api_token("PATCH", REVOKE_ID))
    # Get (GET on a token): the revoke's one 404 body for another tenant's and nobody's id.
    write("http-api-get-other-tenant-404.json", http_api_token("GET", OTHER_TENANT_ID))
    write("http-api-get-unknown-id-404.json", http_api_token("GET", UNKNOWN_ID))
    write("rest-get-other-tenant-404.json", rest_token("GET", OTHER_TENANT_ID))
    write("http-api-get-own-200.json", http_api_token("GET", STANDARD_ID))
    write("rest-get-own-200.json", rest_token("GET", STANDARD_ID))
    # Self: any usable token reads itself (no 403 rule).
    write("http-api-self-standard-200.json",
          http_api(method="GET", raw_path=SELF_PATH, query="", auth=bearer(STANDARD),
                   route=SELF_PATH))
    write("http-api-self-admin-200.json",
          http_api(method="GET", raw_path=SELF_PATH, query="", auth=bearer(ADMIN),
                   route=SELF_PATH))
    write("rest-self-standard-200.json",
          rest(method="GET", path=SELF_PATH, query=[], auth=bearer(STANDARD),
               resource=SELF_PATH))
    write("http-api-self-no-token-401.json",
          http_api(method="GET", raw_path=SELF_PATH, query="", auth=None, route=SELF_PATH))
    # Rotate and self: their own Allow.
    write("http-api-rotate-get-405.json",
          http_api(method="GET", raw_path=f"{PATH}/{STANDARD_ID}/rotate", query="", auth=None,
                   route=ITEM_PATH + "/rotate", path_parameters={"TokenId": STANDARD_ID}))
    write("rest-rotate-delete-405.json",
          rest(method="DELETE", path=f"{PATH}/{STANDARD_ID}/rotate", query=[], auth=None,
               resource=ITEM_PATH + "/rotate", path_parameters={"TokenId": STANDARD_ID}))
    write("http-api-self-post-405.json",
          http_api(method="POST", raw_path=SELF_PATH, query="", auth=None, route=SELF_PATH))
    write("rest-self-delete-405.json",
          rest(method="DELETE", path=SELF_PATH, query=[], auth=None, resource=SELF_PATH))
    # REST API (payload 1.0): values arrive decoded, path without the stage.
    write("rest-list-200.json", rest(method="GET"))
    write("rest-list-page-2-200.json",
          rest(method="GET", query=[("limit", "2"), ("before", STANDARD_ID)]))
    write("rest-list-bad-limit-400.json", rest(method="GET", query=[("limit", "101")]))
    write("rest-list-non-admin-403.json", rest(method="GET", auth=bearer(STANDARD)))
    write("rest-revoke-own-200.json", rest_token("DELETE", REVOKE_ID))
    write("rest-revoke-repeated-200.json", rest_token("DELETE", REVOKE_ID))
    write("rest-revoke-other-tenant-404.json", rest_token("DELETE", OTHER_TENANT_ID))
    write("rest-revoke-unknown-id-404.json", rest_token("DELETE", UNKNOWN_ID))
    write("rest-revoke-malformed-id-404.json", rest_token("DELETE", "01KBDEVREV"))
    write("rest-token-post-405.json", rest_token("POST", REVOKE_ID))
    # ALB and Function URLs.
    write("alb-list-200.json", alb(method="GET", query=""))
    write("alb-revoke-other-tenant-404.json",
          alb(method="DELETE", query="", path=f"{PATH}/{OTHER_TENANT_ID}"))
    write("function-url-list-200.json", function_url(method="GET", query=""))


def expiry_events():
    """expires_in on create, and the expired token's 401 (docs/api.md, "Expiry")."""
    write("http-api-create-expiring-200.json", http_api(query=DESC_QUERY + "&expires_in=2592000"))
    write("http-api-expired-token-401.json", http_api(auth=bearer(EXPIRED)))
    write("http-api-list-expired-token-401.json",
          http_api(method="GET", query="", route=PATH, auth=bearer(EXPIRED)))
    write("http-api-revoke-expired-token-401.json",
          http_api_token("DELETE", REVOKE_ID, auth=bearer(EXPIRED)))
    write("http-api-expires-in-empty-400.json", http_api(query=DESC_QUERY + "&expires_in="))
    write("http-api-expires-in-too-short-400.json", http_api(query="expires_in=59"))
    write("http-api-expires-in-too-long-400.json", http_api(query="expires_in=31622401"))
    write("rest-create-expiring-200.json",
          rest(query=[("description", DESCRIPTION), ("expires_in", "0000086400")]))
    write("rest-expires-in-not-digits-400.json", rest(query=[("expires_in", "6e1")]))
    write("rest-expired-token-401.json", rest(auth=bearer(EXPIRED)))


def rotate_path(token_id):
    return f"{PATH}/{token_id}/rotate"


def http_api_rotate(token_id, query="", auth=bearer(ADMIN)):
    """An HTTP API POST /api/v1/admin/apikey/{TokenId}/rotate."""
    return http_api(method="POST", raw_path=rotate_path(token_id), query=query, auth=auth,
                    route=ITEM_PATH + "/rotate", path_parameters={"TokenId": token_id})


def rotation_events():
    """Rotation (docs/api.md, "Rotation") and the expired caller on the paths added with it.

    Each 200 rotates its own target, which no other event changes (the 200s' targets are
    named by no other event at all), so the files can run in any order; the refusals name
    targets that nothing rotates (the Standard token, the revoked, expired and rotated
    fixtures) and write nothing."""
    write("http-api-rotate-grace-200.json", http_api_rotate(ROTATE_GRACE_ID, "grace=3600"))
    write("rest-rotate-no-grace-200.json",
          rest(method="POST", path=rotate_path(ROTATE_NOW_ID), query=[],
               resource=ITEM_PATH + "/rotate", path_parameters={"TokenId": ROTATE_NOW_ID}))
    write("http-api-rotate-revoked-409.json", http_api_rotate(ROTATE_REVOKED_ID))
    write("http-api-rotate-expired-409.json", http_api_rotate(EXPIRED_ID))
    write("http-api-rotate-rotated-409.json", http_api_rotate(ROTATED_ID, "grace=60"))
    write("http-api-rotate-other-tenant-404.json", http_api_rotate(OTHER_TENANT_ID))
    write("http-api-rotate-unknown-id-404.json", http_api_rotate(UNKNOWN_ID))
    write("http-api-rotate-grace-not-digits-400.json",
          http_api_rotate(STANDARD_ID, "grace=abc"))
    write("http-api-rotate-grace-too-long-400.json",
          http_api_rotate(STANDARD_ID, "grace=604801"))
    write("http-api-rotate-non-admin-403.json",
          http_api_rotate(STANDARD_ID, auth=bearer(STANDARD)))
    # The expired dev token on get, self and rotate: the expired 401 (docs/api.md, "Expiry").
    write("http-api-get-expired-token-401.json",
          http_api_token("GET", STANDARD_ID, auth=bearer(EXPIRED)))
    write("http-api-self-expired-token-401.json",
          http_api(method="GET", raw_path=SELF_PATH, query="", auth=bearer(EXPIRED),
                   route=SELF_PATH))
    write("http-api-rotate-expired-token-401.json",
          http_api_rotate(STANDARD_ID, auth=bearer(EXPIRED)))


def http_api_v1(method="POST", path=PATH, stage="Prod", query=None, auth=bearer(ADMIN),
                resource=PATH, path_parameters=None, client_path=None):
    """An HTTP API event with payload format 1.0, after the example of AWS's developer guide
    ("Create AWS Lambda proxy integrations for HTTP APIs", payload format 1.0): the REST
    shape plus "version": "1.0", `resourceId` null, `extendedRequestId`, and under a named
    stage both `path` and `requestContext.path` start with the stage, as the client sent
    the path (unlike REST, whose `path` lacks it). `client_path` overrides what the client
    sent (e.g. a path without the stage, which API Gateway never sends)."""
    e = rest(method=method, path=path, stage=stage, query=query, auth=auth,
             resource=resource, path_parameters=path_parameters)
    e = {"version": "1.0", **e}
    sent = client_path if client_path is not None else (
        path if stage == "$default" else f"/{stage}{path}")
    e["path"] = sent
    rc = e["requestContext"]
    rc["path"] = sent
    rc["resourceId"] = None
    rc["extendedRequestId"] = "JKJaXmPLvHcESHA="
    rc["domainPrefix"] = "abc123defg"
    rc["authorizer"] = {"claims": None, "scopes": None}
    return e


def rest_custom_domain(base_path="", **kwargs):
    """A REST API event reached through a custom domain name whose API mapping has
    `base_path` (API Gateway's "API mappings"): `path` and `requestContext.path` start with
    the base path (none for a mapping at the domain's root), the stage is not in them,
    `resource` and `resourcePath` are the API's own."""
    e = rest(**kwargs)
    domain = "api.example.com"
    sent = (f"/{base_path}" if base_path else "") + e["path"]
    e["path"] = sent
    e["headers"]["Host"] = domain
    e["multiValueHeaders"]["Host"] = [domain]
    rc = e["requestContext"]
    rc["path"] = sent
    rc["domainName"] = domain
    rc["domainPrefix"] = "api"
    return e


def front_doors_by_stage():
    """Every front door x payload version x stage form (docs/api.md, "Front doors and the
    stage rule"), each on create and list, plus the 404s of a stage or base path that is
    not the API's."""
    # HTTP API, payload 1.0, named stage: the stage leads `path` (issue 16, defect 2).
    write("http-api-payload-v1-named-stage-create-200.json", http_api_v1())
    write("http-api-payload-v1-named-stage-list-200.json", http_api_v1(method="GET"))
    write("http-api-payload-v1-named-stage-revoke-other-tenant-404.json", http_api_v1(
        method="DELETE", path=f"{PATH}/{OTHER_TENANT_ID}", query=[], resource=ITEM_PATH,
        path_parameters={"TokenId": OTHER_TENANT_ID}))
    write("http-api-payload-v1-named-stage-put-405.json", http_api_v1(method="PUT"))
    write("http-api-payload-v1-named-stage-missing-stage-404.json",
          http_api_v1(client_path=PATH))
    write("http-api-payload-v1-default-stage-list-200.json",
          http_api_v1(method="GET", stage="$default"))
    # HTTP API, payload 2.0, named stage: list (create is http-api-named-stage-create-200).
    write("http-api-named-stage-list-200.json",
          http_api(method="GET", query="", raw_path="/Prod" + PATH, stage="Prod"))
    write("http-api-named-stage-missing-stage-404.json", http_api(stage="Prod"))
    # REST API through a custom domain: mapped at the root, the path is the API's; under
    # a base path, the path keeps it and is not this API's paths (404).
    write("rest-custom-domain-create-200.json", rest_custom_domain())
    write("rest-custom-domain-list-200.json", rest_custom_domain(method="GET"))
    write("rest-custom-domain-base-path-404.json", rest_custom_domain(base_path="tokens"))
    # Function URL and ALB: no stage at all.
    write("function-url-put-405.json", function_url(method="PUT"))
    write("alb-wrong-path-404.json", alb(path="/Prod" + PATH))


def main():
    check_dev_fixtures()
    for old in OUT.glob("*.json"):
        old.unlink()
    long_desc = "a" * 256
    # HTTP API (payload 2.0), $default stage.
    write("http-api-create-200.json", http_api())
    write("http-api-named-stage-create-200.json",
          http_api(raw_path="/Prod" + PATH, stage="Prod"))
    write("http-api-basic-auth-create-200.json", http_api(auth=basic(ADMIN)))
    write("http-api-repeated-description-create-200.json",
          http_api(query=DESC_QUERY + "&description=second+value"))
    write("http-api-control-character-400.json", http_api(query="description=line%0Abreak"))
    write("http-api-description-too-long-400.json", http_api(query="description=" + long_desc))
    # A right-to-left override (U+202E): "invoice\u202efdp.exe" would display as "invoiceexe.pdf".
    write("http-api-description-bidi-400.json",
          http_api(query="description=" + urllib.parse.quote_plus("invoice\u202efdp.exe")))
    write("http-api-no-token-401.json", http_api(auth=None))
    write("http-api-unknown-token-401.json", http_api(auth=bearer(UNKNOWN)))
    write("http-api-malformed-token-401.json", http_api(auth=bearer("not-a-token")))
    write("http-api-non-admin-403.json", http_api(auth=bearer(STANDARD)))
    expiry_events()
    write("http-api-wrong-path-404.json", http_api(raw_path="/api/v1/admin/apikeys"))
    write("http-api-put-405.json", http_api(method="PUT"))
    write("http-api-options-preflight-405.json", http_api(
        method="OPTIONS", auth=None, query="",
        extra_headers={"origin": "https://app.example.com",
                       "access-control-request-method": "POST",
                       "access-control-request-headers": "authorization"}))
    # REST API (payload 1.0), stage Prod.
    write("rest-create-200.json", rest())
    write("rest-basic-auth-create-200.json", rest(auth=basic(ADMIN)))
    write("rest-test-invoke-stage-create-200.json", rest(stage="test-invoke-stage"))
    write("rest-no-host-create-200.json", rest(host=None))
    write("rest-repeated-description-create-200.json",
          rest(query=[("description", DESCRIPTION), ("description", "second value")]))
    write("rest-control-character-400.json", rest(query=[("description", "tab\there")]))
    write("rest-description-too-long-400.json", rest(query=[("description", long_desc)]))
    write("rest-no-token-401.json", rest(auth=None))
    write("rest-unknown-token-401.json", rest(auth=bearer(UNKNOWN)))
    write("rest-non-admin-403.json", rest(auth=bearer(STANDARD)))
    write("rest-wrong-path-404.json", rest(path="/api/v1/admin/users"))
    write("rest-put-405.json", rest(method="PUT"))
    # Two Authorization lines, the Administrator's last (the one `headers` keeps):
    # Authorization is a singleton, so neither counts.
    write("rest-repeated-authorization-401.json",
          rest(auth=[bearer(STANDARD), bearer(ADMIN)]))
    # The API Gateway console's "Test" button: everything null, no Authorization.
    console = rest(auth=None, stage="test-invoke-stage")
    for k in ["headers", "multiValueHeaders", "queryStringParameters",
              "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body"]:
        console[k] = None
    write("rest-console-test-nulls-401.json", console)
    # HTTP API with payload format 1.0 under $default: the REST shape, stage $default.
    v1 = rest(stage="$default")
    v1 = {"version": "1.0", **v1}
    write("http-api-payload-v1-create-200.json", v1)
    front_doors_by_stage()
    # ALB.
    write("alb-create-200.json", alb())
    write("alb-multi-value-create-200.json", alb(multi_value=True))
    write("alb-no-token-401.json", alb(auth=None))
    write("alb-non-admin-403.json", alb(auth=bearer(STANDARD)))
    # Single-value headers with the name under two spellings (one map key each).
    write("alb-repeated-authorization-401.json",
          alb(auth=bearer(STANDARD), extra_headers={"Authorization": bearer(ADMIN)}))
    # Lambda Function URLs (payload 2.0 shape).
    write("function-url-create-200.json", function_url())
    write("function-url-sigv4-401.json", function_url(
        sigv4=True,
        auth="AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260418/us-east-1/lambda/aws4_request, "
             "SignedHeaders=host;x-amz-date;x-amz-security-token, "
             "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"))
    lifecycle_events()
    rotation_events()
    # What `sam local start-api` emits for a payload 2.0 route.
    sam = http_api()
    sam["cookies"] = []
    sam["stageVariables"] = None
    sam["requestContext"]["domainName"] = "localhost"
    sam["headers"]["host"] = "127.0.0.1:3000"
    sam["headers"]["x-forwarded-proto"] = "http"
    sam["headers"]["x-forwarded-port"] = "3000"
    write("sam-local-start-api-create-200.json", sam)
    print("\n".join(sorted(p.name for p in OUT.glob("*.json"))))


if __name__ == "__main__":
    main()

//! The deployment artefacts: `template.yaml` read as data (a YAML parser, CloudFormation's
//! short-form tags such as `!GetAtt`, `!Sub`, `!Ref` and `!If` turned into their long
//! forms), so each assertion is about what CloudFormation will create, not about how a line
//! is spelled. Also: `sam validate --lint` accepts the template, and `sam build`
//! (BuildMethod `rust-cargolambda`) produces the arm64 `bootstrap` of `create-api-token`.
//! The SAM tests need the AWS SAM CLI and cargo-lambda on PATH (`. .tools/env.sh`;
//! `make test` does it).
//!
//! What SAM generates from the template (the stage, the deployment, the Lambda permissions,
//! the OpenAPI body) is checked on SAM's own translation: `scripts/sam-translate.py` run with
//! the SAM CLI's Python, so the translator is the one `sam deploy` uses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use create_api_token::endpoint::{RouteError, COLLECTION_PATH, SELF_PATH};
use create_api_token::envelope::error_body;
use create_api_token::error::{ApiError, UNAUTHORIZED_MESSAGE, WWW_AUTHENTICATE};
use serde_json::{json, Map, Value as Json};
use serde_norway::Value as Yaml;

fn sam() -> Command {
    let mut cmd = Command::new("sam");
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SAM_CLI_TELEMETRY", "0")
        .env("AWS_REGION", "us-east-1");
    cmd
}

fn run(mut cmd: Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{what}: cannot run sam ({e}); run `bash scripts/setup.sh && . .tools/env.sh`")
    });
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    text
}

// ---------------------------------------------------------------------------------------
// template.yaml as data
// ---------------------------------------------------------------------------------------

/// `template.yaml` as JSON, each short-form intrinsic function in its long form: `!Ref X` is
/// `{"Ref": "X"}`, `!GetAtt A.B` is `{"Fn::GetAtt": ["A", "B"]}`, `!Sub s` is
/// `{"Fn::Sub": s}`, and so on (AWS CloudFormation User Guide, "Intrinsic function
/// reference"), so either spelling in the template gives the same value here.
fn template() -> Json {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("template.yaml");
    let text = std::fs::read_to_string(&path).expect("template.yaml");
    let yaml: Yaml = serde_norway::from_str(&text).expect("template.yaml is YAML");
    long_form(&yaml)
}

fn long_form(value: &Yaml) -> Json {
    match value {
        Yaml::Null => Json::Null,
        Yaml::Bool(b) => Json::Bool(*b),
        Yaml::Number(n) => n
            .as_i64()
            .map(Json::from)
            .or_else(|| n.as_u64().map(Json::from))
            .unwrap_or_else(|| json!(n.as_f64())),
        Yaml::String(s) => Json::String(s.clone()),
        Yaml::Sequence(items) => Json::Array(items.iter().map(long_form).collect()),
        Yaml::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| {
                    let key = k.as_str().unwrap_or_else(|| panic!("non-string key {k:?}"));
                    (key.to_owned(), long_form(v))
                })
                .collect(),
        ),
        Yaml::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let name = tag.trim_start_matches('!');
            let inner = long_form(&tagged.value);
            let (key, inner) = match (name, inner) {
                ("Ref" | "Condition", inner) => (name.to_owned(), inner),
                ("GetAtt", Json::String(dotted)) => {
                    let (resource, attribute) = dotted.split_once('.').expect("!GetAtt A.B");
                    ("Fn::GetAtt".to_owned(), json!([resource, attribute]))
                }
                (_, inner) => (format!("Fn::{name}"), inner),
            };
            Json::Object(Map::from_iter([(key, inner)]))
        }
    }
}

/// The resource with this logical id.
fn resource<'t>(template: &'t Json, id: &str) -> &'t Json {
    template["Resources"]
        .get(id)
        .unwrap_or_else(|| panic!("template.yaml has no resource {id}"))
}

/// Logical id and body of every resource of this type, in logical-id order.
fn resources_of_type<'t>(template: &'t Json, kind: &str) -> Vec<(&'t str, &'t Json)> {
    let mut found: Vec<_> = template["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .map(|(id, r)| (id.as_str(), r))
        .collect();
    found.sort_by_key(|(id, _)| *id);
    found
}

/// A single value or a list of them, as IAM and SAM accept, as a list.
fn one_or_many(value: &Json) -> Vec<&Json> {
    match value {
        Json::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn str_of(value: &Json) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
}

/// The default of a `Number` parameter.
fn number_parameter(template: &Json, name: &str) -> u64 {
    let parameter = &template["Parameters"][name];
    assert_eq!(parameter["Type"], "Number", "parameter {name}");
    parameter["Default"]
        .as_u64()
        .unwrap_or_else(|| panic!("parameter {name} has a numeric default"))
}

/// The two functions: the API's and the authorizer's, nothing else.
const FUNCTIONS: [&str; 2] = ["ApiKeyAuthorizerFunction", "CreateApiTokenFunction"];

fn function(template: &Json) -> &Json {
    let functions = resources_of_type(template, "AWS::Serverless::Function");
    let ids: Vec<&str> = functions.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids, FUNCTIONS,
        "the function and the authorizer: {functions:?}"
    );
    resource(template, "CreateApiTokenFunction")
}

fn authorizer_function(template: &Json) -> &Json {
    function(template);
    resource(template, "ApiKeyAuthorizerFunction")
}

// ---------------------------------------------------------------------------------------
// SAM's translation of template.yaml
// ---------------------------------------------------------------------------------------

/// The Python of the SAM CLI on PATH (the interpreter its `sam` script starts), or
/// `SAM_PYTHON` if set: the one whose `samtranslator` `sam deploy` uses.
fn sam_python() -> PathBuf {
    if let Some(python) = std::env::var_os("SAM_PYTHON") {
        return PathBuf::from(python);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let sam = std::env::split_paths(&path)
        .map(|dir| dir.join("sam"))
        .find(|candidate| candidate.is_file())
        .expect("sam on PATH; run `bash scripts/setup.sh && . .tools/env.sh`");
    let script = std::fs::read_to_string(&sam).expect("the sam script");
    let shebang = script.lines().next().unwrap_or_default();
    let python = shebang
        .strip_prefix("#!")
        .map(str::trim)
        .filter(|p| p.starts_with('/') && !p.contains(' '))
        .unwrap_or_else(|| {
            panic!(
                "{}: no interpreter in {shebang:?}; set SAM_PYTHON",
                sam.display()
            )
        });
    PathBuf::from(python)
}

/// `template.yaml` as SAM translates it into plain CloudFormation (once per test binary).
fn translated() -> &'static Json {
    static TRANSLATED: OnceLock<Json> = OnceLock::new();
    TRANSLATED.get_or_init(|| {
        let mut cmd = Command::new(sam_python());
        cmd.arg("scripts/sam-translate.py")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("AWS_REGION", "us-east-1");
        let out = cmd.output().expect("run scripts/sam-translate.py");
        assert!(
            out.status.success(),
            "scripts/sam-translate.py failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("the translation is JSON")
    })
}

/// The resource path a method setting's path names: a leading `/`, then the resource path
/// with each `/` written `~1` (RFC 6901), e.g. `/~1pets~1{id}` for `/pets/{id}`; `/` alone
/// is the root.
fn method_setting_path(encoded: &str) -> String {
    match encoded.strip_prefix('/') {
        Some("") | None => "/".to_owned(),
        Some(rest) => rest.replace("~1", "/").replace("~0", "~"),
    }
}

/// A resource path as a method setting writes it.
fn encoded_setting_path(path: &str) -> String {
    format!("/{}", path.replace('~', "~0").replace('/', "~1"))
}

/// The template's method settings, keyed by (resource path, method) as API Gateway reads
/// them (`("/*", "*")` is the default of every method).
fn method_settings(stage_properties: &Json) -> BTreeMap<(String, String), &Json> {
    let mut settings = BTreeMap::new();
    for setting in stage_properties["MethodSettings"]
        .as_array()
        .expect("MethodSettings")
    {
        let path = str_of(&setting["ResourcePath"]);
        let key = if path == "/*" {
            ("/*".to_owned(), str_of(&setting["HttpMethod"]).to_owned())
        } else {
            (
                method_setting_path(path),
                str_of(&setting["HttpMethod"]).to_ascii_uppercase(),
            )
        };
        assert!(
            settings.insert(key.clone(), setting).is_none(),
            "{key:?} twice"
        );
    }
    settings
}

/// The revocation routes present in the function's events: `DELETE {TokenId}`, and the
/// rotation `POST {TokenId}/rotate` (SPEC) once it exists. Each needs its own budget.
fn revocation_routes(template: &Json) -> Vec<(String, String)> {
    let token_path = format!("{COLLECTION_PATH}/{{TokenId}}");
    let candidates = [
        ("DELETE".to_owned(), token_path.clone()),
        ("POST".to_owned(), format!("{token_path}/rotate")),
    ];
    let events = function(template)["Properties"]["Events"]
        .as_object()
        .expect("Events");
    let present: BTreeSet<(String, String)> = events
        .values()
        .map(|e| {
            (
                str_of(&e["Properties"]["Method"]).to_ascii_uppercase(),
                str_of(&e["Properties"]["Path"]).to_owned(),
            )
        })
        .collect();
    let routes: Vec<_> = candidates
        .into_iter()
        .filter(|route| present.contains(route))
        .collect();
    assert!(!routes.is_empty(), "no DELETE {token_path} event");
    routes
}

// ---------------------------------------------------------------------------------------
// sam validate --lint
// ---------------------------------------------------------------------------------------

#[test]
fn template_validates_with_lint() {
    let mut cmd = sam();
    cmd.args(["validate", "--lint", "--region", "us-east-1"]);
    let text = run(cmd, "sam validate --lint");
    assert!(text.contains("is a valid SAM Template"), "{text}");
}

// ---------------------------------------------------------------------------------------
// The function and its permissions
// ---------------------------------------------------------------------------------------

/// The function's role may do exactly what the code needs (docs/api.md, "Storage"):
/// `GetItem`, `PutItem`, `UpdateItem` on the table, `Query` on the `TenantTokens` index.
/// No managed policy, no SAM policy template, no role of its own, no wildcard, no
/// condition or `Not*` element that could widen it, and no other IAM resource.
#[test]
fn function_may_call_exactly_the_contracts_dynamodb_actions() {
    let template = template();
    let function = function(&template);
    let properties = &function["Properties"];
    for widening in ["Role", "PermissionsBoundary", "Connectors"] {
        assert!(
            properties.get(widening).is_none(),
            "function sets {widening}"
        );
    }
    let policies = properties["Policies"]
        .as_array()
        .expect("Policies is a list");
    assert_eq!(
        policies.len(),
        1,
        "one inline policy document, no managed policy or SAM policy template: {policies:?}"
    );
    let document = &policies[0];
    assert_eq!(document["Version"], "2012-10-17");

    let mut granted: BTreeMap<String, Json> = BTreeMap::new();
    for statement in one_or_many(&document["Statement"]) {
        let keys: BTreeSet<&str> = statement
            .as_object()
            .expect("statement")
            .keys()
            .map(String::as_str)
            .collect();
        assert!(
            keys.is_subset(&BTreeSet::from(["Sid", "Effect", "Action", "Resource"])),
            "statement has {keys:?}"
        );
        assert_eq!(statement["Effect"], "Allow");
        let resource = &statement["Resource"];
        assert!(
            !resource.is_array(),
            "one resource per statement: {resource}"
        );
        for action in one_or_many(&statement["Action"]) {
            let previous = granted.insert(str_of(action).to_owned(), resource.clone());
            assert!(previous.is_none(), "{action} granted twice");
        }
    }
    let table_arn = json!({"Fn::GetAtt": ["ApiTokensTable", "Arn"]});
    let index_arn = json!({"Fn::Sub": "${ApiTokensTable.Arn}/index/TenantTokens"});
    assert_eq!(
        granted,
        BTreeMap::from([
            ("dynamodb:GetItem".to_owned(), table_arn.clone()),
            ("dynamodb:PutItem".to_owned(), table_arn.clone()),
            ("dynamodb:UpdateItem".to_owned(), table_arn),
            ("dynamodb:Query".to_owned(), index_arn),
        ])
    );
    let iam: Vec<_> = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| str_of(&r["Type"]).starts_with("AWS::IAM::"))
        .map(|(id, _)| id)
        .collect();
    assert!(iam.is_empty(), "other IAM resources: {iam:?}");
}

/// What `sam build` and the runtime rely on, and a timeout that lets a 503 (at most 5 s)
/// reach the caller before API Gateway's own 29-second integration timeout gives a 504.
#[test]
fn function_is_the_arm64_rust_bootstrap_with_its_configuration() {
    let template = template();
    let function = function(&template);
    assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda");
    assert_eq!(
        function["Metadata"]["BuildProperties"]["Binary"],
        "create-api-token"
    );
    let properties = &function["Properties"];
    assert_eq!(properties["Runtime"], "provided.al2023");
    assert_eq!(properties["Handler"], "bootstrap");
    assert_eq!(properties["Architectures"], json!(["arm64"]));
    let timeout = properties
        .get("Timeout")
        .unwrap_or(&template["Globals"]["Function"]["Timeout"])
        .as_u64()
        .expect("a function Timeout");
    assert!((6..=28).contains(&timeout), "Timeout {timeout}");
    let variables = &properties["Environment"]["Variables"];
    assert_eq!(variables["TABLE_NAME"], json!({"Ref": "ApiTokensTable"}));
    assert_eq!(variables["DATA_CENTER"], json!({"Ref": "DataCenter"}));
    // Empty by default: no maximum token lifetime.
    assert_eq!(
        variables["MAX_TOKEN_LIFETIME"],
        json!({"Ref": "MaxTokenLifetime"})
    );
    let parameter = &template["Parameters"]["MaxTokenLifetime"];
    assert_eq!(parameter["Default"], "");
    assert_eq!(parameter["Type"], "String");
}

// ---------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------

#[test]
fn table_has_the_contracts_keys_index_and_protections() {
    let template = template();
    let tables = resources_of_type(&template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1);
    let (id, table) = tables[0];
    assert_eq!(id, "ApiTokensTable");
    // Nothing stored is ever lost: kept when the stack is deleted or the table replaced,
    // deletion refused by DynamoDB itself, restorable to any second of the last 35 days.
    assert_eq!(table["DeletionPolicy"], "Retain");
    assert_eq!(table["UpdateReplacePolicy"], "Retain");
    let properties = &table["Properties"];
    assert_eq!(properties["DeletionProtectionEnabled"], true);
    assert_eq!(
        properties["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(properties["BillingMode"], "PAY_PER_REQUEST");

    let attributes: BTreeSet<(&str, &str)> = properties["AttributeDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (str_of(&a["AttributeName"]), str_of(&a["AttributeType"])))
        .collect();
    assert_eq!(
        attributes,
        BTreeSet::from([("TokenHash", "S"), ("TenantId", "N"), ("TokenId", "S")])
    );
    assert_eq!(
        properties["KeySchema"],
        json!([{"AttributeName": "TokenHash", "KeyType": "HASH"}])
    );

    let indexes = properties["GlobalSecondaryIndexes"].as_array().unwrap();
    assert_eq!(indexes.len(), 1, "one index");
    let index = &indexes[0];
    assert_eq!(index["IndexName"], "TenantTokens");
    assert_eq!(
        index["KeySchema"],
        json!([
            {"AttributeName": "TenantId", "KeyType": "HASH"},
            {"AttributeName": "TokenId", "KeyType": "RANGE"}
        ])
    );
    assert_eq!(index["Projection"]["ProjectionType"], "INCLUDE");
    let projected: BTreeSet<&str> = index["Projection"]["NonKeyAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(str_of)
        .collect();
    assert_eq!(
        projected,
        BTreeSet::from([
            "DateCreated",
            "Description",
            "Role",
            "Revoked",
            "DateRevoked",
            "CreatedById",
            "DateExpires",
            "DateLastUsed",
            "RotatedToId"
        ])
    );
}

// ---------------------------------------------------------------------------------------
// The front door
// ---------------------------------------------------------------------------------------

/// One REST API (payload 1.0) on a regional endpoint with a single stage, `Prod`, throttled
/// per method as the last line; and no other way in that would bypass the web ACL.
#[test]
fn front_door_is_one_regional_rest_api_stage_with_method_throttling() {
    let template = template();
    let apis = resources_of_type(&template, "AWS::Serverless::Api");
    assert_eq!(apis.len(), 1, "one REST API");
    let (id, api) = apis[0];
    assert_eq!(id, "Api");
    for bypass in [
        "AWS::Serverless::HttpApi",
        "AWS::ApiGatewayV2::Api",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::Lambda::Url",
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
    ] {
        assert!(
            resources_of_type(&template, bypass).is_empty(),
            "a {bypass} would be a way in without the web ACL"
        );
    }
    assert!(
        function(&template)["Properties"]
            .get("FunctionUrlConfig")
            .is_none(),
        "a function URL would be a way in without the web ACL"
    );

    let properties = &api["Properties"];
    assert_eq!(properties["StageName"], "Prod");
    // Without OpenApiVersion, SAM also deploys a stage named "Stage", which the web ACL
    // (associated with Prod) would not cover.
    assert!(
        properties["OpenApiVersion"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "OpenApiVersion set"
    );
    let endpoint = &properties["EndpointConfiguration"];
    let endpoint_type = endpoint.get("Type").unwrap_or(endpoint);
    assert_eq!(
        endpoint_type, "REGIONAL",
        "the source address AWS WAF counts is the client's"
    );

    // The default of every method, and only the revocation routes beside it (their own
    // budget: revocation_has_a_throttle_budget_no_other_operation_can_use).
    let settings = method_settings(properties);
    let mut expected: BTreeSet<(String, String)> = revocation_routes(&template)
        .into_iter()
        .map(|(method, path)| (path, method))
        .collect();
    expected.insert(("/*".to_owned(), "*".to_owned()));
    assert_eq!(settings.keys().cloned().collect::<BTreeSet<_>>(), expected);
    // One client at its own limit uses a small part of any method's rate, so it alone
    // cannot lock the others out: the per-IP rule bites first.
    let per_client = number_parameter(&template, "RateLimitPerClient") as f64
        / number_parameter(&template, "RateLimitWindowSeconds") as f64;
    for (key, setting) in settings {
        let burst = setting["ThrottlingBurstLimit"].as_u64().expect("burst");
        let rate = setting["ThrottlingRateLimit"].as_f64().expect("rate");
        assert!(
            burst >= 1 && rate > 0.0,
            "{key:?}: burst {burst}, rate {rate}"
        );
        assert!(
            per_client * 4.0 <= rate,
            "{key:?}: one client may send {per_client}/s, the method serves {rate}/s"
        );
    }
}

/// Revocation (issue 16, finding 4): API Gateway keeps one token bucket per method, so a
/// method setting of its own is a budget that creates, lists, 404s and 405s cannot use. It
/// is larger than the default, so that using it up takes at least 25 addresses at the
/// per-IP limit (the review found 12 enough for the old shared 20/s), and a burst covers a
/// tenant revoking many tokens at once.
#[test]
fn revocation_has_a_throttle_budget_no_other_operation_can_use() {
    let template = template();
    let settings = method_settings(&resource(&template, "Api")["Properties"]);
    let default = settings[&("/*".to_owned(), "*".to_owned())];
    let default_rate = default["ThrottlingRateLimit"].as_f64().expect("rate");
    let per_client = number_parameter(&template, "RateLimitPerClient") as f64
        / number_parameter(&template, "RateLimitWindowSeconds") as f64;
    for (method, path) in revocation_routes(&template) {
        let setting = settings
            .get(&(path.clone(), method.clone()))
            .unwrap_or_else(|| panic!("{method} {path} has no method setting of its own"));
        assert_eq!(
            str_of(&setting["ResourcePath"]),
            encoded_setting_path(&path),
            "{method} {path}"
        );
        let rate = setting["ThrottlingRateLimit"].as_f64().expect("rate");
        let burst = setting["ThrottlingBurstLimit"].as_f64().expect("burst");
        assert!(rate >= 2.0 * default_rate, "{method} {path}: {rate}/s");
        assert!(burst >= rate, "{method} {path}: burst {burst}, rate {rate}");
        let addresses = rate / per_client;
        assert!(
            addresses >= 25.0,
            "{method} {path}: {addresses} addresses at {per_client}/s use up {rate}/s"
        );
    }
}

/// Answers API Gateway writes itself carry the function's error envelope; an unmatched
/// path gets the function's own 404, byte for byte.
#[test]
fn gateway_responses_carry_the_error_envelope() {
    let template = template();
    let responses = &resource(&template, "Api")["Properties"]["GatewayResponses"];
    let body = |kind: &str| -> String {
        let response = &responses[kind];
        assert_eq!(
            response["ResponseParameters"]["Headers"]["Cache-Control"], "'no-store'",
            "{kind}"
        );
        str_of(&response["ResponseTemplates"]["application/json"]).to_owned()
    };
    for kind in ["DEFAULT_4XX", "DEFAULT_5XX"] {
        // API Gateway's $context.error.messageString is a quoted JSON string.
        assert_eq!(
            body(kind).replace("$context.error.messageString", r#""Forbidden""#),
            error_body("Forbidden"),
            "{kind}"
        );
    }
    assert_eq!(responses["THROTTLED"]["StatusCode"], 429);
    let throttled = body("THROTTLED");
    let message: Json = serde_json::from_str(&throttled).expect("THROTTLED body is JSON");
    assert_eq!(throttled, error_body(str_of(&message["Message"])));

    assert_eq!(responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"], 404);
    let not_found = ApiError::Route(RouteError::NotFound);
    assert_eq!(
        body("MISSING_AUTHENTICATION_TOKEN"),
        error_body(&not_found.message())
    );
}

/// The routes: the six operations, every other method on each of their paths (the function's
/// 405 with its `Allow`), and every other path including `/` (the function's 404). All of
/// them on the one REST API, all to the one function.
#[test]
fn every_path_and_method_reaches_the_function() {
    let template = template();
    let events = function(&template)["Properties"]["Events"]
        .as_object()
        .expect("Events");
    let mut routes = BTreeSet::new();
    for (name, event) in events {
        assert_eq!(
            event["Type"], "Api",
            "{name}: a REST API (payload 1.0) event"
        );
        let properties = &event["Properties"];
        assert_eq!(properties["RestApiId"], json!({"Ref": "Api"}), "{name}");
        routes.insert((
            str_of(&properties["Method"]).to_ascii_uppercase(),
            str_of(&properties["Path"]).to_owned(),
        ));
    }
    let token_path = format!("{COLLECTION_PATH}/{{TokenId}}");
    let rotate_path = format!("{token_path}/rotate");
    let expected: BTreeSet<(String, String)> = [
        ("POST", COLLECTION_PATH),
        ("GET", COLLECTION_PATH),
        ("ANY", COLLECTION_PATH),
        ("GET", token_path.as_str()),
        ("DELETE", token_path.as_str()),
        ("ANY", token_path.as_str()),
        ("POST", rotate_path.as_str()),
        ("ANY", rotate_path.as_str()),
        ("GET", SELF_PATH),
        ("ANY", SELF_PATH),
        ("ANY", "/{proxy+}"),
        ("ANY", "/"),
    ]
    .into_iter()
    .map(|(m, p)| (m.to_owned(), p.to_owned()))
    .collect();
    assert_eq!(routes, expected);

    assert_eq!(
        template["Outputs"]["ApiUrl"]["Value"],
        json!({"Fn::Sub": format!(
            "https://${{Api}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/${{Api.Stage}}{COLLECTION_PATH}"
        )})
    );
}

/// AWS WAF in front of the stage: requests from one IP address beyond the limit get a 429
/// with the error envelope. Its evidence (metrics, logs) never holds a token.
#[test]
fn web_acl_limits_each_client_ip_on_the_stage() {
    let template = template();
    let acls = resources_of_type(&template, "AWS::WAFv2::WebACL");
    assert_eq!(acls.len(), 1);
    let (acl_id, acl) = acls[0];
    assert_eq!(acl_id, "ApiWebAcl");
    let acl = &acl["Properties"];
    assert_eq!(acl["Scope"], "REGIONAL");
    assert_eq!(acl["DefaultAction"], json!({"Allow": {}}));

    let rules = acl["Rules"].as_array().expect("Rules");
    let rate_rules: Vec<&Json> = rules
        .iter()
        .filter(|r| r["Statement"].get("RateBasedStatement").is_some())
        .collect();
    assert_eq!(rate_rules.len(), 1, "{rules:?}");
    let rule = rate_rules[0];
    let statement = &rule["Statement"]["RateBasedStatement"];
    assert_eq!(statement["AggregateKeyType"], "IP");
    assert!(
        statement.get("ScopeDownStatement").is_none(),
        "every request counts"
    );
    assert_eq!(statement["Limit"], json!({"Ref": "RateLimitPerClient"}));
    assert_eq!(
        statement["EvaluationWindowSec"],
        json!({"Ref": "RateLimitWindowSeconds"})
    );
    let limit = number_parameter(&template, "RateLimitPerClient");
    assert!((10..=1000).contains(&limit), "RateLimitPerClient {limit}");
    let window = number_parameter(&template, "RateLimitWindowSeconds");
    let windows: BTreeSet<u64> = template["Parameters"]["RateLimitWindowSeconds"]["AllowedValues"]
        .as_array()
        .expect("AllowedValues")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(
        windows.is_subset(&BTreeSet::from([60, 120, 300, 600])) && windows.contains(&window),
        "window {window} of {windows:?}"
    );

    let response = &rule["Action"]["Block"]["CustomResponse"];
    assert_eq!(response["ResponseCode"], 429);
    let body = &acl["CustomResponseBodies"][str_of(&response["CustomResponseBodyKey"])];
    assert_eq!(body["ContentType"], "APPLICATION_JSON");
    let content = str_of(&body["Content"]);
    let parsed: Json = serde_json::from_str(content).expect("the 429 body is JSON");
    assert_eq!(content, error_body(str_of(&parsed["Message"])));

    // Sampled requests keep whole requests (the Authorization header too) for the console,
    // and sampling cannot redact; the logs below can.
    for visibility in std::iter::once(&acl["VisibilityConfig"])
        .chain(rules.iter().map(|r| &r["VisibilityConfig"]))
    {
        assert_eq!(visibility["SampledRequestsEnabled"], false, "{visibility}");
        assert_eq!(visibility["CloudWatchMetricsEnabled"], true, "{visibility}");
    }

    let associations = resources_of_type(&template, "AWS::WAFv2::WebACLAssociation");
    assert_eq!(associations.len(), 1);
    let association = &associations[0].1["Properties"];
    assert_eq!(
        association["WebACLArn"],
        json!({"Fn::GetAtt": ["ApiWebAcl", "Arn"]})
    );
    assert_eq!(
        association["ResourceArn"],
        json!({"Fn::Sub":
            "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/${Api.Stage}"})
    );

    let logging = resources_of_type(&template, "AWS::WAFv2::LoggingConfiguration");
    assert_eq!(logging.len(), 1);
    let logging = &logging[0].1["Properties"];
    assert_eq!(
        logging["ResourceArn"],
        json!({"Fn::GetAtt": ["ApiWebAcl", "Arn"]})
    );
    let redacted: Vec<String> = logging["RedactedFields"]
        .as_array()
        .expect("RedactedFields")
        .iter()
        .filter_map(|f| f["SingleHeader"]["Name"].as_str())
        .map(str::to_ascii_lowercase)
        .collect();
    assert!(
        redacted.iter().any(|h| h == "authorization"),
        "{redacted:?}"
    );
    let log_group = &resource(&template, "ApiWebAclLogGroup")["Properties"];
    assert!(
        str_of(&log_group["LogGroupName"]["Fn::Sub"]).starts_with("aws-waf-logs-"),
        "AWS WAF only logs to groups named aws-waf-logs-*"
    );
    assert_eq!(
        logging["LogDestinationConfigs"],
        json!([{"Fn::Sub":
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${ApiWebAclLogGroup}"}])
    );
}

// ---------------------------------------------------------------------------------------
// What SAM generates (its translation)
// ---------------------------------------------------------------------------------------

/// Issue 16, finding 5: every Lambda permission SAM generates from an `Api` event allows
/// the API's every stage (`__Stage__` is `*`: samtranslator's `Api._get_permissions` sets
/// `permitted_stage = "*"` and no property changes it; SAM 1.15 merged the stage's and the
/// console Test button's permissions into that one). So the guard is that the API has no
/// stage but `Prod`, the one the web ACL covers: one `AWS::ApiGateway::Stage`, no
/// deployment that would create another (`StageName` on a deployment), no other API.
#[test]
fn translation_has_one_stage_and_the_web_acl_guards_it() {
    let translated = translated();
    let apis = resources_of_type(translated, "AWS::ApiGateway::RestApi");
    assert_eq!(apis.iter().map(|(id, _)| *id).collect::<Vec<_>>(), ["Api"]);
    let stages = resources_of_type(translated, "AWS::ApiGateway::Stage");
    assert_eq!(stages.len(), 1, "{stages:?}");
    let (stage_id, stage) = stages[0];
    assert_eq!(stage["Properties"]["StageName"], "Prod");
    assert_eq!(stage["Properties"]["RestApiId"], json!({"Ref": "Api"}));
    let deployments = resources_of_type(translated, "AWS::ApiGateway::Deployment");
    assert_eq!(deployments.len(), 1, "{deployments:?}");
    for (id, deployment) in deployments {
        for creates_a_stage in ["StageName", "StageDescription"] {
            assert!(
                deployment["Properties"].get(creates_a_stage).is_none(),
                "{id} has {creates_a_stage}: a second stage without the web ACL"
            );
        }
    }
    let resource_types: BTreeSet<&str> = translated["Resources"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| str_of(&r["Type"]))
        .collect();
    let other_ways_in: Vec<&&str> = resource_types
        .iter()
        .filter(|t| {
            t.starts_with("AWS::ApiGatewayV2::")
                || **t == "AWS::Lambda::Url"
                || **t == "AWS::ApiGateway::DomainName"
                || **t == "AWS::ApiGateway::BasePathMapping"
        })
        .collect();
    assert!(
        other_ways_in.is_empty(),
        "ways in the web ACL does not see: {other_ways_in:?}"
    );
    // The web ACL is associated with exactly that stage.
    let association = &resources_of_type(translated, "AWS::WAFv2::WebACLAssociation")[0].1;
    assert_eq!(
        association["Properties"]["ResourceArn"],
        json!({"Fn::Sub": format!(
            "arn:${{AWS::Partition}}:apigateway:${{AWS::Region}}::/restapis/${{Api}}/stages/${{{stage_id}}}"
        )})
    );

    // The permissions: API Gateway, this API, each event's method and path, any stage; and
    // one for API Gateway to call the authorizer, on this API's authorizers only.
    let (authorizer_permissions, permissions): (Vec<_>, Vec<_>) =
        resources_of_type(translated, "AWS::Lambda::Permission")
            .into_iter()
            .partition(|(_, p)| {
                p["Properties"]["FunctionName"]
                    == json!({"Fn::GetAtt": ["ApiKeyAuthorizerFunction", "Arn"]})
            });
    let events = function(&template())["Properties"]["Events"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(permissions.len(), events, "one permission per Api event");
    assert_eq!(
        authorizer_permissions.len(),
        1,
        "{authorizer_permissions:?}"
    );
    let p = &authorizer_permissions[0].1["Properties"];
    assert_eq!(p["Principal"], "apigateway.amazonaws.com");
    assert_eq!(p["Action"], "lambda:InvokeFunction");
    assert_eq!(
        p["SourceArn"],
        json!({"Fn::Sub": [
            "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/authorizers/*",
            {"__ApiId__": {"Ref": "Api"}}]})
    );
    for (id, permission) in permissions {
        let p = &permission["Properties"];
        assert_eq!(p["Principal"], "apigateway.amazonaws.com", "{id}");
        assert_eq!(p["Action"], "lambda:InvokeFunction", "{id}");
        assert_eq!(
            p["FunctionName"],
            json!({"Ref": "CreateApiTokenFunction"}),
            "{id}"
        );
        let sub = p["SourceArn"]["Fn::Sub"]
            .as_array()
            .expect("Fn::Sub [arn, vars]");
        assert!(
            str_of(&sub[0]).starts_with(
                "arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/"
            ),
            "{id}: {}",
            sub[0]
        );
        assert_eq!(sub[1]["__ApiId__"], json!({"Ref": "Api"}), "{id}");
        // "*" today; should SAM ever scope it, "Prod" is just as right (and the threat
        // model's finding 5 can say so).
        assert!(
            sub[1]["__Stage__"] == "*" || sub[1]["__Stage__"] == "Prod",
            "{id}: stage {}",
            sub[1]["__Stage__"]
        );
    }
}

/// What API Gateway receives for the authorizer: a `request` authorizer whose identity
/// source is the `Authorization` header and whose result TTL is the parameter's default, 0;
/// required on `GET /api/v1/apikey/self` and on no other method.
#[test]
fn translation_attaches_the_authorizer_to_the_self_route_only() {
    let translated = translated();
    let body = &resource(translated, "Api")["Properties"]["Body"];
    let schemes = body["securityDefinitions"]
        .as_object()
        .or_else(|| body["components"]["securitySchemes"].as_object())
        .expect("security schemes");
    assert_eq!(schemes.keys().collect::<Vec<_>>(), ["ApiKeyAuthorizer"]);
    let authorizer = &schemes["ApiKeyAuthorizer"]["x-amazon-apigateway-authorizer"];
    assert_eq!(authorizer["type"], "request");
    assert_eq!(
        authorizer["identitySource"],
        "method.request.header.Authorization"
    );
    assert_eq!(authorizer["authorizerResultTtlInSeconds"], 0);
    let mut guarded = Vec::new();
    for (path, methods) in body["paths"].as_object().expect("paths") {
        for (method, operation) in methods.as_object().unwrap() {
            if operation.get("security").is_some() {
                guarded.push((
                    path.as_str(),
                    method.as_str(),
                    operation["security"].clone(),
                ));
            }
        }
    }
    assert_eq!(
        guarded,
        [(
            "/api/v1/apikey/self",
            "get",
            json!([{"ApiKeyAuthorizer": []}])
        )]
    );
}

/// Issue 16, findings 4 and 6, on what API Gateway receives: every method setting of the
/// stage keeps execution logging and data tracing off (data tracing would log
/// `Authorization` headers and new tokens); the revocation setting names a method that
/// exists in the API's OpenAPI body; the API accepts TLS 1.2 at least; and API Gateway's
/// own 401 carries the challenge.
#[test]
fn translation_pins_logging_throttling_tls_and_the_challenge() {
    let translated = translated();
    let stage = &resources_of_type(translated, "AWS::ApiGateway::Stage")[0].1["Properties"];
    let settings = method_settings(stage);
    for (key, setting) in &settings {
        assert_eq!(setting["DataTraceEnabled"], false, "{key:?}");
        assert_eq!(setting["LoggingLevel"], "OFF", "{key:?}");
    }
    // Access logs: JSON, to the template's own log group, with who, what and how it went,
    // and nothing a header, a query string or a path could bring in.
    let access = &stage["AccessLogSetting"];
    assert_eq!(
        access["DestinationArn"],
        json!({"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]})
    );
    let format = str_of(&access["Format"]);
    let fields: Map<String, Json> =
        serde_json::from_str(format).expect("access log format is JSON");
    for (field, variable) in [
        ("requestId", "$context.requestId"),
        ("sourceIp", "$context.identity.sourceIp"),
        ("status", "$context.status"),
        ("responseLatency", "$context.responseLatency"),
        ("integrationLatency", "$context.integrationLatency"),
        ("httpMethod", "$context.httpMethod"),
        ("resourcePath", "$context.resourcePath"),
    ] {
        assert_eq!(fields[field], variable, "{field}");
    }
    for value in fields.values() {
        let value = str_of(value);
        for forbidden in [
            "$input",
            "$method",
            "header",
            "querystring",
            "$context.path",
            "authorizer",
        ] {
            assert!(!value.contains(forbidden), "access log field {value}");
        }
    }
    let groups = resources_of_type(translated, "AWS::Logs::LogGroup");
    assert!(groups.iter().any(|(id, _)| *id == "ApiAccessLogGroup"));

    let api = &resource(translated, "Api")["Properties"];
    let body = &api["Body"];
    let methods: BTreeSet<(String, String)> = body["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, operations)| {
            operations.as_object().unwrap().keys().map(move |op| {
                let method = match op.as_str() {
                    "x-amazon-apigateway-any-method" => "ANY".to_owned(),
                    other => other.to_ascii_uppercase(),
                };
                (path.clone(), method)
            })
        })
        .collect();
    for (method, path) in revocation_routes(&template()) {
        assert!(
            methods.contains(&(path.clone(), method.clone())),
            "the {method} {path} setting names no method of the API: {methods:?}"
        );
        assert!(settings.contains_key(&(path, method)));
    }

    // TLS 1.2 or newer only (the default of a regional API, TLS_1_0, also takes TLS 1.0).
    let policy = str_of(&api["SecurityPolicy"]);
    assert!(
        [
            "TLS_1_2",
            "SecurityPolicy_TLS13_1_2_2021_06",
            "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09",
            "SecurityPolicy_TLS13_1_2_PQ_2025_09",
            "SecurityPolicy_TLS13_1_2_FIPS_PQ_2025_09",
            "SecurityPolicy_TLS13_1_2_FIPS_PFS_PQ_2025_09",
            "SecurityPolicy_TLS13_1_3_2025_09",
            "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
        ]
        .contains(&policy),
        "security policy {policy}"
    );
    if policy.starts_with("SecurityPolicy_") {
        assert_eq!(api["EndpointAccessMode"], "STRICT");
    }
    assert_eq!(api["EndpointConfiguration"]["Types"], json!(["REGIONAL"]));

    // A gateway response's headers reach clients as written (a proxy integration's
    // WWW-Authenticate does not: docs/api.md, "The challenge behind API Gateway").
    let unauthorized = &body["x-amazon-apigateway-gateway-responses"]["UNAUTHORIZED"];
    assert_eq!(unauthorized["statusCode"], "401");
    assert_eq!(
        unauthorized["responseParameters"]["gatewayresponse.header.WWW-Authenticate"],
        format!("'{WWW_AUTHENTICATE}'")
    );
    assert_eq!(
        unauthorized["responseParameters"]["gatewayresponse.header.Cache-Control"],
        "'no-store'"
    );
    assert_eq!(
        str_of(&unauthorized["responseTemplates"]["application/json"]),
        error_body(UNAUTHORIZED_MESSAGE)
    );
}

// ---------------------------------------------------------------------------------------
// Alarms
// ---------------------------------------------------------------------------------------

/// One CloudWatch metric an alarm reads: namespace, name and dimensions.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Metric {
    namespace: String,
    name: String,
    dimensions: BTreeMap<String, String>,
}

/// A dimension value as comparable text (`{"Ref": "X"}` stays its JSON).
fn dimension_value(value: &Json) -> String {
    value
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| value.to_string())
}

fn metric(namespace: &Json, name: &Json, dimensions: Option<&Json>) -> Metric {
    Metric {
        namespace: str_of(namespace).to_owned(),
        name: str_of(name).to_owned(),
        dimensions: dimensions
            .and_then(Json::as_array)
            .map(|ds| {
                ds.iter()
                    .map(|d| (str_of(&d["Name"]).to_owned(), dimension_value(&d["Value"])))
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Every metric the alarm reads, after checking what all alarms share: the Sum over
/// 5 minutes, in ALARM from the first occurrence, no data is not breaching, and the
/// optional SNS topic as the action. A metric-math alarm must use every metric it reads.
fn alarm_metrics(id: &str, alarm: &Json) -> BTreeSet<Metric> {
    let p = &alarm["Properties"];
    assert_eq!(p["EvaluationPeriods"], 1, "{id}");
    assert_eq!(p["Threshold"], 1, "{id}");
    assert_eq!(
        p["ComparisonOperator"], "GreaterThanOrEqualToThreshold",
        "{id}"
    );
    assert_eq!(p["TreatMissingData"], "notBreaching", "{id}");
    let action =
        json!({"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]});
    assert_eq!(p["AlarmActions"], action, "{id}");
    assert_eq!(p["OKActions"], action, "{id}");
    if p.get("MetricName").is_some() {
        assert_eq!(p["Statistic"], "Sum", "{id}");
        assert_eq!(p["Period"], 300, "{id}");
        return BTreeSet::from([metric(
            &p["Namespace"],
            &p["MetricName"],
            p.get("Dimensions"),
        )]);
    }
    let queries = p["Metrics"].as_array().unwrap_or_else(|| panic!("{id}"));
    let returned: Vec<&Json> = queries.iter().filter(|q| q["ReturnData"] == true).collect();
    assert_eq!(returned.len(), 1, "{id}: one expression the alarm watches");
    let expression = str_of(&returned[0]["Expression"]);
    let used: BTreeSet<&str> = expression
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .collect();
    let mut metrics = BTreeSet::new();
    for query in queries.iter().filter(|q| q["ReturnData"] == false) {
        let stat = &query["MetricStat"];
        assert_eq!(stat["Stat"], "Sum", "{id}");
        assert_eq!(stat["Period"], 300, "{id}");
        let query_id = str_of(&query["Id"]);
        assert!(
            used.contains(query_id),
            "{id}: {query_id} unused in {expression}"
        );
        let m = &stat["Metric"];
        metrics.insert(metric(
            &m["Namespace"],
            &m["MetricName"],
            m.get("Dimensions"),
        ));
    }
    metrics
}

fn dims(pairs: &[(&str, &Json)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), dimension_value(v)))
        .collect()
}

fn m(namespace: &str, name: &str, dimensions: BTreeMap<String, String>) -> Metric {
    Metric {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        dimensions,
    }
}

/// Alarms on 5xx and throttling at every layer: API Gateway's 5XXError on the Prod stage,
/// the function's Errors and Throttles, DynamoDB's ThrottledRequests for each operation the
/// role allows, the function's own StoreUnavailable (503) and InternalError (500) metrics
/// (namespace ApiTokenService, whichever of its dimension sets, `Operation` or none, the
/// records carry), and requests AWS WAF's rate limit blocked.
#[test]
fn alarms_watch_5xx_and_throttling() {
    let template = template();
    assert_eq!(template["Parameters"]["AlarmTopicArn"]["Default"], "");
    assert_eq!(
        template["Conditions"]["HasAlarmTopic"],
        json!({"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]})
    );
    let alarms: BTreeSet<BTreeSet<Metric>> = resources_of_type(&template, "AWS::CloudWatch::Alarm")
        .into_iter()
        .map(|(id, alarm)| alarm_metrics(id, alarm))
        .collect();

    let api_name = &resource(&template, "Api")["Properties"]["Name"];
    let function = json!({"Ref": "CreateApiTokenFunction"});
    let table = json!({"Ref": "ApiTokensTable"});
    let mut expected = BTreeSet::from([
        BTreeSet::from([m(
            "AWS/ApiGateway",
            "5XXError",
            dims(&[("ApiName", api_name), ("Stage", &json!("Prod"))]),
        )]),
        BTreeSet::from([m(
            "AWS/Lambda",
            "Errors",
            dims(&[("FunctionName", &function)]),
        )]),
        BTreeSet::from([m(
            "AWS/Lambda",
            "Throttles",
            dims(&[("FunctionName", &function)]),
        )]),
    ]);
    // Throttling on each operation the function's role allows (the policy test pins it).
    expected.insert(
        ["GetItem", "PutItem", "UpdateItem", "Query"]
            .into_iter()
            .map(|op| {
                m(
                    "AWS/DynamoDB",
                    "ThrottledRequests",
                    dims(&[("TableName", &table), ("Operation", &json!(op))]),
                )
            })
            .collect(),
    );
    for name in ["StoreUnavailable", "InternalError"] {
        let mut set = BTreeSet::from([m("ApiTokenService", name, BTreeMap::new())]);
        for operation in ["create", "list", "revoke", "unknown"] {
            set.insert(m(
                "ApiTokenService",
                name,
                dims(&[("Operation", &json!(operation))]),
            ));
        }
        expected.insert(set);
    }
    let acl = &resource(&template, "ApiWebAcl")["Properties"];
    let rule = acl["Rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Statement"].get("RateBasedStatement").is_some())
        .expect("the rate-based rule");
    expected.insert(BTreeSet::from([m(
        "AWS/WAFV2",
        "BlockedRequests",
        dims(&[
            ("WebACL", &acl["VisibilityConfig"]["MetricName"]),
            ("Rule", &rule["VisibilityConfig"]["MetricName"]),
            ("Region", &json!({"Ref": "AWS::Region"})),
        ]),
    )]));
    assert_eq!(alarms, expected);
}

// ---------------------------------------------------------------------------------------
// The authorizer
// ---------------------------------------------------------------------------------------

/// The authorizer's role may read an item and record its last use, nothing else: `GetItem`
/// on the table, and `UpdateItem` on the table naming no attribute but the key and
/// `DateLastUsed` and returning nothing. No managed policy, no template, no role of its own.
#[test]
fn authorizer_may_only_read_and_record_last_use() {
    let template = template();
    let properties = &authorizer_function(&template)["Properties"];
    for widening in ["Role", "PermissionsBoundary", "Connectors"] {
        assert!(
            properties.get(widening).is_none(),
            "authorizer sets {widening}"
        );
    }
    let table_arn = json!({"Fn::GetAtt": ["ApiTokensTable", "Arn"]});
    assert_eq!(
        properties["Policies"],
        json!([{
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "ApiTokensVerify", "Effect": "Allow",
                 "Action": ["dynamodb:GetItem"], "Resource": table_arn},
                {"Sid": "ApiTokensRecordLastUse", "Effect": "Allow",
                 "Action": ["dynamodb:UpdateItem"], "Resource": table_arn,
                 "Condition": {
                     "ForAllValues:StringEquals": {"dynamodb:Attributes": ["TokenHash", "DateLastUsed"]},
                     "StringEqualsIfExists": {"dynamodb:ReturnValues": "NONE"}}}
            ]
        }])
    );
}

/// The authorizer binary, its configuration and log group; the REST API's REQUEST
/// authorizer on the self route only, its cache TTL a parameter defaulting to 0; its ARN
/// exported for other stacks.
#[test]
fn authorizer_is_deployed_attached_to_self_and_exported() {
    let template = template();
    let function = authorizer_function(&template);
    assert_eq!(function["Metadata"]["BuildMethod"], "rust-cargolambda");
    assert_eq!(
        function["Metadata"]["BuildProperties"]["Binary"],
        "apikey-authorizer"
    );
    let properties = &function["Properties"];
    assert_eq!(properties["Runtime"], "provided.al2023");
    assert_eq!(properties["Handler"], "bootstrap");
    assert_eq!(properties["Architectures"], json!(["arm64"]));
    assert!(
        properties.get("Events").is_none(),
        "invoked by API Gateway only"
    );
    let variables = &properties["Environment"]["Variables"];
    assert_eq!(variables["TABLE_NAME"], json!({"Ref": "ApiTokensTable"}));
    assert_eq!(variables["DATA_CENTER"], json!({"Ref": "DataCenter"}));
    assert_eq!(
        properties["LoggingConfig"]["LogGroup"],
        json!({"Ref": "ApiKeyAuthorizerFunctionLogGroup"})
    );
    assert_eq!(
        resource(&template, "ApiKeyAuthorizerFunctionLogGroup")["Type"],
        "AWS::Logs::LogGroup"
    );

    assert_eq!(
        number_parameter(&template, "AuthorizerResultTtlInSeconds"),
        0
    );
    let authorizers = &resource(&template, "Api")["Properties"]["Auth"];
    assert!(
        authorizers.get("DefaultAuthorizer").is_none(),
        "not on every route"
    );
    assert_eq!(
        authorizers["Authorizers"],
        json!({"ApiKeyAuthorizer": {
            "FunctionArn": {"Fn::GetAtt": ["ApiKeyAuthorizerFunction", "Arn"]},
            "FunctionPayloadType": "REQUEST",
            "Identity": {"Headers": ["Authorization"],
                         "ReauthorizeEvery": {"Ref": "AuthorizerResultTtlInSeconds"}}}})
    );
    let events = function_events(&template);
    let guarded: Vec<(&String, &Json)> = events
        .iter()
        .filter(|(_, e)| e["Properties"].get("Auth").is_some())
        .collect();
    assert_eq!(guarded.len(), 1, "{guarded:?}");
    let (_, route) = guarded[0];
    assert_eq!(route["Properties"]["Path"], "/api/v1/apikey/self");
    assert_eq!(route["Properties"]["Method"], "GET");
    assert_eq!(
        route["Properties"]["Auth"],
        json!({"Authorizer": "ApiKeyAuthorizer"})
    );

    let responses = &resource(&template, "Api")["Properties"]["GatewayResponses"];
    let unauthorized = &responses["UNAUTHORIZED"];
    assert_eq!(unauthorized["StatusCode"], 401);
    assert_eq!(
        unauthorized["ResponseParameters"]["Headers"]["WWW-Authenticate"],
        format!("'{}'", create_api_token::error::WWW_AUTHENTICATE)
    );
    assert_eq!(
        str_of(&unauthorized["ResponseTemplates"]["application/json"]),
        error_body(create_api_token::error::UNAUTHORIZED_MESSAGE)
    );

    let output = &template["Outputs"]["AuthorizerArn"];
    assert_eq!(
        output["Value"],
        json!({"Fn::GetAtt": ["ApiKeyAuthorizerFunction", "Arn"]})
    );
    assert_eq!(
        output["Export"]["Name"],
        json!({"Fn::Sub": "${AWS::StackName}-AuthorizerArn"})
    );
}

fn function_events(template: &Json) -> &Map<String, Json> {
    function(template)["Properties"]["Events"]
        .as_object()
        .expect("Events")
}

// ---------------------------------------------------------------------------------------
// sam build
// ---------------------------------------------------------------------------------------

#[test]
fn sam_build_produces_the_arm64_bootstrap() {
    // `make test` builds once (scripts/sam-build.sh, reused while up to date) and passes the
    // directory in SAM_BUILD_DIR, shared with tests/sam_local.rs; otherwise build here.
    let artefact = match std::env::var("SAM_BUILD_DIR") {
        Ok(dir) => Path::new(&dir).join("CreateApiTokenFunction/bootstrap"),
        Err(_) => {
            let root = Path::new(env!("CARGO_MANIFEST_DIR"));
            let artefact = root.join(".aws-sam/build/CreateApiTokenFunction/bootstrap");
            let _ = std::fs::remove_file(&artefact);
            let mut cmd = sam();
            cmd.args(["build", "--beta-features"]);
            run(cmd, "sam build");
            artefact
        }
    };
    let bytes = std::fs::read(&artefact).expect("sam build wrote the bootstrap");
    // ELF header: magic, 64-bit, little-endian; e_machine (offset 18) 183 = EM_AARCH64.
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(bytes[4], 2, "64-bit");
    assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 183, "aarch64");
    eprintln!("sam build: bootstrap is {} bytes", bytes.len());
}

//! The builder against the real event shapes and the crate's own parsing.

use super::*;

#[test]
fn every_door_detects_its_own_template() {
    for door in [
        Door::Rest,
        Door::HttpApiV1,
        Door::HttpApi,
        Door::FunctionUrl,
        Door::Alb,
        Door::AlbMultiValue,
    ] {
        assert_eq!(Door::of(&event_value(door.template())), door);
    }
}

#[test]
fn an_http_api_delete_carries_method_path_query_and_bearer_everywhere() {
    let path = format!("{COLLECTION}/01KBDEVREV0000000000000001");
    let e = http_api("DELETE", &path)
        .query("limit=5&x=a+b&x=c")
        .bearer("t0k")
        .into_value();
    assert_eq!(e["requestContext"]["http"]["method"], "DELETE");
    assert_eq!(e["rawPath"], path.as_str());
    assert_eq!(e["requestContext"]["http"]["path"], path.as_str());
    assert_eq!(e["routeKey"], "DELETE /api/v1/admin/apikey/{TokenId}");
    assert_eq!(e["pathParameters"]["TokenId"], "01KBDEVREV0000000000000001");
    assert_eq!(e["rawQueryString"], "limit=5&x=a+b&x=c");
    assert_eq!(
        e["queryStringParameters"],
        json!({"limit": "5", "x": "a b,c"})
    );
    assert_eq!(e["headers"]["authorization"], "Bearer t0k");
}

#[test]
fn a_built_event_has_no_authorization_until_asked() {
    for door in [Door::Rest, Door::HttpApi, Door::Alb, Door::AlbMultiValue] {
        let e = Event::new(door, "GET", COLLECTION).into_value();
        for field in ["headers", "multiValueHeaders"] {
            if let Some(map) = e[field].as_object() {
                assert!(
                    !map.keys().any(|k| k.eq_ignore_ascii_case("authorization")),
                    "{door:?} {field}"
                );
            }
        }
    }
}

#[test]
fn rest_decodes_and_alb_keeps_the_query_encoded() {
    let rest = rest("GET", COLLECTION)
        .query("d=a%2Bb&d=c+d")
        .bearer("t")
        .into_value();
    assert_eq!(rest["queryStringParameters"], json!({"d": "c d"}));
    assert_eq!(
        rest["multiValueQueryStringParameters"],
        json!({"d": ["a+b", "c d"]})
    );
    assert_eq!(rest["requestContext"]["path"], "/Prod/api/v1/admin/apikey");
    assert_eq!(
        rest["multiValueHeaders"]["Authorization"],
        json!(["Bearer t"])
    );
    let alb = alb("GET", COLLECTION).query("d=a%2Bb&d=c+d").into_value();
    assert_eq!(alb["queryStringParameters"], json!({"d": "c+d"}));
    let multi = alb_multi_value("GET", COLLECTION)
        .query("d=a%2Bb&d=c+d")
        .into_value();
    assert_eq!(
        multi["multiValueQueryStringParameters"],
        json!({"d": ["a%2Bb", "c+d"]})
    );
}

#[test]
fn an_empty_query_is_absent_or_null_as_the_door_sends_it() {
    let v2 = http_api("GET", COLLECTION).into_value();
    assert_eq!(v2["rawQueryString"], "");
    assert!(v2.get("queryStringParameters").is_none());
    let rest = rest("GET", COLLECTION).into_value();
    assert!(rest["queryStringParameters"].is_null());
    assert!(rest["multiValueQueryStringParameters"].is_null());
}

#[test]
fn every_door_parses_in_process() {
    for event in [
        rest("GET", COLLECTION),
        http_api_v1("GET", COLLECTION),
        http_api("GET", COLLECTION),
        function_url("GET", COLLECTION),
        alb("GET", COLLECTION),
        alb_multi_value("GET", COLLECTION),
    ] {
        let door = event.door();
        let request = event.query("limit=5").bearer("t").request();
        assert_eq!(request.method(), "GET", "{door:?}");
        // `lambda_http` puts a REST API's named stage in front of the path.
        let path = if door == Door::Rest {
            format!("/Prod{COLLECTION}")
        } else {
            COLLECTION.to_owned()
        };
        assert_eq!(request.uri().path(), path, "{door:?}");
    }
}

//! The deployment artefacts: `sam validate --lint` accepts `template.yaml`, and `sam build`
//! (BuildMethod `rust-cargolambda`) produces the arm64 `bootstrap` of `create-api-token`.
//! Needs the AWS SAM CLI and cargo-lambda on PATH (`. .tools/env.sh`; `make test` does it).

use std::path::Path;
use std::process::Command;

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

#[test]
fn template_validates_with_lint() {
    let mut cmd = sam();
    cmd.args(["validate", "--lint", "--region", "us-east-1"]);
    let text = run(cmd, "sam validate --lint");
    assert!(text.contains("is a valid SAM Template"), "{text}");
}

#[test]
fn template_grants_exactly_the_contracts_dynamodb_actions() {
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("template.yaml"))
            .unwrap();
    let actions: Vec<&str> = template
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("- dynamodb:") || l.starts_with("Action: dynamodb:"))
        .collect();
    assert_eq!(
        actions,
        [
            "- dynamodb:GetItem",
            "- dynamodb:PutItem",
            "- dynamodb:UpdateItem",
            "- dynamodb:Query"
        ]
    );
    // Nothing broader anywhere, and the statement is scoped to the table's ARN.
    for broad in [
        "dynamodb:*",
        "DynamoDBCrudPolicy",
        "DynamoDBReadPolicy",
        "Resource: \"*\"",
        "Resource: '*'",
    ] {
        assert!(!template.contains(broad), "template.yaml grants {broad}");
    }
    let lines: Vec<&str> = template.lines().map(str::trim).collect();
    // Item operations on the table's ARN only; Query on the TenantTokens index only.
    let update = lines
        .iter()
        .position(|l| *l == "- dynamodb:UpdateItem")
        .unwrap();
    assert_eq!(lines[update + 1], "Resource: !GetAtt ApiTokensTable.Arn");
    let query = lines.iter().position(|l| *l == "- dynamodb:Query").unwrap();
    assert_eq!(
        lines[query + 1],
        r#"Resource: !Sub "${ApiTokensTable.Arn}/index/TenantTokens""#
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("Resource:")).count(),
        2,
        "two statements, nothing else granted"
    );
    // The function may run longer than the 5 s a 503 takes.
    let timeout: u32 = lines
        .iter()
        .find_map(|l| l.strip_prefix("Timeout: "))
        .expect("a function Timeout")
        .parse()
        .unwrap();
    assert!(timeout > 5, "Timeout {timeout}");
    assert!(template.contains("ApiUrl:"), "the API URL output");
    assert!(template.contains("AttributeName: TokenHash\n          AttributeType: S"));
    for required in [
        "BuildMethod: rust-cargolambda",
        "Binary: create-api-token",
        "Runtime: provided.al2023",
        "- arm64",
        "Handler: bootstrap",
        "BillingMode: PAY_PER_REQUEST",
        "PointInTimeRecoveryEnabled: true",
        "DeletionProtectionEnabled: true",
        "DeletionPolicy: Retain",
        "UpdateReplacePolicy: Retain",
        "Path: /api/v1/admin/apikey",
        "Method: POST",
        "Method: GET",
        "Path: /api/v1/admin/apikey/{TokenId}",
        "Method: DELETE",
        "IndexName: TenantTokens",
        "AttributeName: TenantId\n          AttributeType: N",
        "AttributeName: TokenId\n          AttributeType: S",
        "ThrottlingRateLimit:",
        "TABLE_NAME: !Ref ApiTokensTable",
        "DATA_CENTER: !Ref DataCenter",
    ] {
        assert!(
            template.contains(required),
            "template.yaml lacks {required:?}"
        );
    }
}

#[test]
fn sam_build_produces_the_arm64_bootstrap() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let artefact = root.join(".aws-sam/build/CreateApiTokenFunction/bootstrap");
    let _ = std::fs::remove_file(&artefact);
    let mut cmd = sam();
    cmd.args(["build", "--beta-features"]);
    run(cmd, "sam build");
    let bytes = std::fs::read(&artefact).expect("sam build wrote the bootstrap");
    // ELF header: magic, 64-bit, little-endian; e_machine (offset 18) 183 = EM_AARCH64.
    assert_eq!(&bytes[..4], b"\x7fELF");
    assert_eq!(bytes[4], 2, "64-bit");
    assert_eq!(u16::from_le_bytes([bytes[18], bytes[19]]), 183, "aarch64");
    eprintln!("sam build: bootstrap is {} bytes", bytes.len());
}

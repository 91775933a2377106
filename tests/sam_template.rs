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
fn template_grants_only_getitem_and_putitem() {
    let template =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("template.yaml"))
            .unwrap();
    let actions: Vec<&str> = template
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("- dynamodb:") || l.starts_with("Action: dynamodb:"))
        .collect();
    assert_eq!(actions, ["- dynamodb:GetItem", "- dynamodb:PutItem"]);
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
    let put = lines
        .iter()
        .position(|l| *l == "- dynamodb:PutItem")
        .unwrap();
    assert_eq!(lines[put + 1], "Resource: !GetAtt ApiTokensTable.Arn");
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

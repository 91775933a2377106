//! The shell scripts' own tests, run with the rest of the suite. They need bash only: no
//! root, Docker or apt (`scripts/test-docker-sh.sh` replaces apt-get with a stub).

use std::process::Command;

/// `scripts/docker.sh` leaves no `policy-rc.d` behind when its `apt-get install` ends, fails,
/// or is interrupted by Ctrl-C (SIGINT) or `kill -TERM`, keeps one that is not its own, and
/// removes one a SIGKILLed run left.
#[test]
fn docker_sh_leaves_no_policy_rc_d_behind() {
    let out = Command::new("bash")
        .arg("scripts/test-docker-sh.sh")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("bash runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "scripts/test-docker-sh.sh:\n{text}");
    assert!(text.contains("all checks passed"), "{text}");
}

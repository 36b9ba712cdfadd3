//! Egress settings on the command line: a bad value stops the start with a
//! message naming where it came from.

use std::process::Command;

const BURG: &str = env!("CARGO_BIN_EXE_burg");

/// Runs `burg start` with `args` and `env`; its exit success and stderr.
fn start(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(BURG);
    cmd.arg("start").arg("--data-dir").arg(dir).args(["--listen-address", "127.0.0.1", "--port", "0"]).args(args);
    for var in ["BURG_EGRESS_ALLOW", "BURG_EGRESS_DENY", "BURG_MASTERKEY", "BURG_CONFIG"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let out = cmd.output().expect("run burg");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn bad_egress_values_are_refused_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, err) = start(dir.path(), &["--egress-deny", "loopback,10.0.0.0/33"], &[]);
    assert!(!ok);
    assert!(err.contains("--egress-deny") && err.contains("`10.0.0.0/33`"), "{err}");
    let (ok, err) = start(dir.path(), &[], &[("BURG_EGRESS_ALLOW", "s3.example.com,http://x")]);
    assert!(!ok);
    assert!(err.contains("--egress-allow") && err.contains("`http://x`"), "{err}");
    let config = dir.path().join("burg.toml");
    std::fs::write(&config, "egress_deny = [\"private\", \"300.0.0.1\"]\n").unwrap();
    let (ok, err) = start(dir.path(), &["--config", config.to_str().unwrap()], &[]);
    assert!(!ok);
    assert!(err.contains("egress_deny in the config file") && err.contains("`300.0.0.1`"), "{err}");
    assert!(!dir.path().join("burg.db").exists(), "refused before the database was opened");
}

//! The explorer in a real browser: builds the static site with `trunk build --release` and runs
//! tests/browser/e2e.mjs (playwright-core driving Debian's headless Chromium) against it,
//! served from a sub-path, comparing the page's numbers with this crate's `lpu run`.
//! `.ci/run` installs trunk, wasm-bindgen-cli, Chromium and playwright-core.
use std::path::Path;
use std::process::Command;

/// Runs a tool without the variables cargo sets for tests, so a nested cargo (inside trunk)
/// behaves as it does from a shell.
fn clean(cmd: &mut Command) -> &mut Command {
    for (k, _) in std::env::vars() {
        if k.starts_with("CARGO_") && k != "CARGO_HOME" {
            cmd.env_remove(k);
        }
    }
    cmd
}

#[test]
fn explorer_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = clean(Command::new("trunk").current_dir(root).args(["build", "--release"])).output();
    let build = build.expect("trunk must be on PATH: bash .ci/run installs trunk 0.21.14 and wasm-bindgen-cli");
    assert!(
        build.status.success(),
        "trunk build failed:\n{}\n{}",
        String::from_utf8_lossy(&build.stdout),
        String::from_utf8_lossy(&build.stderr)
    );
    let browser_dir = root.join("tests/browser");
    if !browser_dir.join("node_modules/playwright-core").exists() {
        let npm = Command::new("npm")
            .current_dir(&browser_dir)
            .args(["ci", "--no-audit", "--no-fund"])
            .status()
            .expect("npm must be installed");
        assert!(npm.success(), "npm ci failed in tests/browser");
    }
    let out = Command::new("node")
        .current_dir(root)
        .arg("tests/browser/e2e.mjs")
        .arg(root.join("dist"))
        .arg(env!("CARGO_BIN_EXE_lpu"))
        .arg(root.join("target/browser-shots"))
        .output()
        .expect("node must be installed");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{text}");
    assert!(out.status.success(), "browser tests failed:\n{text}");
}

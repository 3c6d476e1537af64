//! The same query gives bit-identical result bytes natively and in wasm32: the wasm build of
//! the core runs in node (tests/wasm_query.mjs) and its output is compared with `run_query`.
use std::path::Path;
use std::process::Command;

const QUERIES: [&str; 9] = [
    "exp=drift&kind=orthogonal&sigma=0.8&neurons=700&observed=100&seed=4",
    "exp=drift_sweep&bits=2&neurons=60,200&points=4&runs=2&steps=150&after=300&score=150&seed=2",
    "exp=perturb&stimulate=redundant&duration=0.1&seed=3",
    "exp=flipflop&bits=2&neurons=100&seed=7",
    "exp=flipflop&bits=3&neurons=5000&noise=0.2&observed=700&seed=11&steps=1500",
    "exp=flipflop&bits=2&input=0.5,0&noise=0.05&seed=3&steps=800",
    "exp=timescale&neurons=20000&seed=3&duration=0.1",
    "exp=timescale&neurons=300&tau_latent=0.002&rho=0.5&seed=9",
    "exp=partial&neurons=30000&observed=3,100,2999,30000&repeats=6&tau_latent=0.7&rho=0.6&seed=8",
];

#[test]
fn wasm_and_native_give_identical_bytes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target").join("wasm-test");
    let build = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-unknown-unknown",
            "--no-default-features",
            "--features",
            "compute",
            "--example",
            "wasm_query",
        ])
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    assert!(
        build.status.success(),
        "wasm build failed (rustup target add wasm32-unknown-unknown): {}",
        String::from_utf8_lossy(&build.stderr)
    );
    let wasm = target.join("wasm32-unknown-unknown/release/examples/wasm_query.wasm");
    let out = Command::new("node")
        .arg(root.join("tests/wasm_query.mjs"))
        .arg(&wasm)
        .args(QUERIES)
        .output()
        .expect("node must be installed");
    assert!(out.status.success(), "node failed: {}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), QUERIES.len());
    for (q, line) in QUERIES.iter().zip(&lines) {
        assert_eq!(line["code"], 0, "{q}: {}", line["output"]);
        let native = lpu::run_query(q).unwrap().json;
        let wasm_text = line["output"].as_str().unwrap();
        assert!(native == wasm_text, "{q}: wasm and native results differ");
    }
    // A parameter error is the same message in both.
    let bad = Command::new("node")
        .arg(root.join("tests/wasm_query.mjs"))
        .arg(&wasm)
        .arg("exp=flipflop&bits=0")
        .output()
        .unwrap();
    let line: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(line["code"], 2);
    assert_eq!(line["output"], lpu::run_query("exp=flipflop&bits=0").err().unwrap().to_string());
}

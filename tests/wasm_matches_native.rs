//! The same query gives bit-identical result bytes natively and in wasm32: the wasm build of
//! the core runs in node (tests/wasm_query.mjs) and its output is compared with `run_query`.
use std::path::Path;
use std::process::Command;

const QUERIES: [&str; 17] = [
    "exp=train&neurons=16&epochs=8&fit_epochs=6&batch=5&steps=30&test_trials=3&seed=2",
    "exp=train&paradigm=direct&bits=3&rank=3&neurons=12&epochs=10&batch=6&steps=25&test_trials=2&weight_decay=0.001",
    "exp=chaos&neurons=60&points=4&sizes=30,60&time=0.2&warmup=0.1&seed=5",
    "exp=drift&kind=orthogonal&sigma=0.8&neurons=700&observed=100&seed=4",
    "exp=drift_sweep&bits=2&neurons=60,200&points=4&runs=2&steps=150&after=300&score=150&seed=2",
    "exp=perturb&stimulate=redundant&duration=0.1&seed=3",
    "exp=flipflop&bits=2&neurons=100&seed=7",
    "exp=flipflop&source=trained&steps=300&grid=9&train.neurons=14&train.epochs=6&train.fit_epochs=4&train.batch=4&train.steps=24&train.seed=5",
    "exp=flipflop&bits=3&neurons=5000&noise=0.2&observed=700&seed=11&steps=1500",
    "exp=flipflop&bits=2&input=0.5,0&noise=0.05&seed=3&steps=800",
    "exp=timescale&neurons=20000&seed=3&duration=0.1",
    "exp=timescale&neurons=300&tau_latent=0.002&rho=0.5&seed=9",
    "exp=dimensionality&latent=6&neurons=30,150,400&scale=2&samples=300&scales=0.5,5&pairs=500&seed=4",
    "exp=dimensionality&latent=3&neurons=50,120&nonlinearity=sin&scale=3&samples=100&scales=1,3&pairs=300&seed=2",
    "exp=partial&neurons=30000&observed=3,100,2999,30000&repeats=6&tau_latent=0.7&rho=0.6&seed=8",
    "exp=fixed_points&source=flipflop&bits=3&neurons=90&extent=1.2&seed=4",
    "exp=sequence_sweep&neurons=16,20&ranks=1,3&length=3&runs=2&epochs=30&batch=4&trials=6&noise=0.05&seed=3",
];

/// Queries whose results hold eigenvalues from faer, whose SIMD kernels fuse multiply-adds
/// natively but not in wasm (`exp=lyapunov`'s `origin`, everything of `exp=spectrum`, the
/// full-state search of `exp=fixed_points`): every number agrees within this relative
/// tolerance instead.
const APPROXIMATE: [&str; 7] = [
    "exp=jedi&neurons=10&repeats=2&duration=0.3&epochs=4&hidden=6&context=3&refine=5&seed=2",
    "exp=lyapunov&source=lowrank_random&neurons=50&g=1.5&exponents=6&time=0.3&seed=2",
    "exp=spectrum&source=random&neurons=300&g=1.2&seed=3",
    "exp=spectrum&source=flipflop&bits=2&neurons=100&g=0.5&matrix=jacobian&fixed_point=1",
    "exp=lyapunov&neurons=40&exponents=5&time=0.2&seed=4",
    "exp=fixed_points&source=flipflop&bits=2&neurons=60&g=0.3&seed=2",
    "exp=fixed_points&source=random&neurons=40&g=1.8&random_starts=20&trajectories=3&seed=3",
];
const TOLERANCE: f64 = 1e-9;

/// Every number of `a` within TOLERANCE (relative to the largest magnitude of its array) of
/// the number at the same place in `b`, and everything else equal.
fn close(a: &serde_json::Value, b: &serde_json::Value, scale: f64, path: &str) {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!((x - y).abs() <= TOLERANCE * scale.max(x.abs()).max(1.0), "{path}: {x} vs {y}");
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{path}: lengths");
            let flat = |v: &Value| -> Vec<f64> {
                match v {
                    Value::Number(n) => vec![n.as_f64().unwrap()],
                    Value::Array(a) => a.iter().filter_map(|e| e.as_f64()).collect(),
                    _ => vec![],
                }
            };
            let biggest = x.iter().flat_map(flat).fold(scale, |m, v| m.max(v.abs()));
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                close(p, q, biggest, &format!("{path}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(x.keys().collect::<Vec<_>>(), y.keys().collect::<Vec<_>>(), "{path}: keys");
            for (k, v) in x {
                close(v, &y[k], scale, &format!("{path}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{path}"),
    }
}

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
    let approx = Command::new("node")
        .arg(root.join("tests/wasm_query.mjs"))
        .arg(&wasm)
        .args(APPROXIMATE)
        .output()
        .expect("node must be installed");
    assert!(approx.status.success(), "node failed: {}", String::from_utf8_lossy(&approx.stderr));
    for (q, line) in APPROXIMATE.iter().zip(String::from_utf8(approx.stdout).unwrap().lines()) {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(line["code"], 0, "{q}: {}", line["output"]);
        let native: serde_json::Value = serde_json::from_str(&lpu::run_query(q).unwrap().json).unwrap();
        let wasm: serde_json::Value = serde_json::from_str(line["output"].as_str().unwrap()).unwrap();
        close(&native, &wasm, 0.0, q);
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

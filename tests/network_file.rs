//! The network file: written by `lpu run --network-out`, read back exactly, rejected with a
//! message when malformed, and loaded by the README's three NumPy lines, whose Euler steps
//! (computed by NumPy) must match the Rust simulator.
use lpu::netfile;
use lpu::simulate::{Compute, Cpu, SimJob};
use std::process::Command;

fn write_network(query: &str, name: &str) -> (std::path::PathBuf, lpu::network::Network) {
    let path = std::env::temp_dir().join(format!("lpu-test-{}-{name}.json", std::process::id()));
    let out =
        Command::new(env!("CARGO_BIN_EXE_lpu")).args(["run", query, "--network-out"]).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let net = netfile::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (path, net)
}

#[test]
fn file_round_trips_and_matches_the_experiment() {
    let (path, net) = write_network("exp=flipflop&bits=3&neurons=60&seed=5", "rt");
    let expected = lpu::design::FlipFlop::standard(3, 60).network(5);
    assert_eq!(net, expected);
    assert_eq!(netfile::from_json(&netfile::to_json(&net)).unwrap(), net);
    std::fs::remove_file(path).ok();
}

#[test]
fn malformed_files_are_rejected_with_a_reason() {
    let good = netfile::to_json(
        &lpu::design::Bistable { tau: 0.01, tau_latent: 0.1, rho: 0.9, phi: lpu::nonlinearity::Phi::Tanh }
            .network(4, 0.001, 1),
    );
    let cases = [
        (good.replace("\"lpu-network\"", "\"other\""), "format must be \"lpu-network\""),
        (good.replace("\"version\":2", "\"version\":7"), "version must be 1 or 2"),
        (good.replace("\"model\":\"rate\"", "\"model\":\"voltage\""), "model must be one of rate, current"),
        (good.replace("\"version\":2", "\"version\":1"), "model and readout need version 2"),
        (good.replace("\"bias\":[", "\"bias\":[1e999,"), "not a finite number"),
        (good.replace("\"neurons\":4", "\"neurons\":5"), "embedding must have 5 rows"),
        (good.replace("\"tanh\"", "\"cosh\""), "nonlinearity must be one of"),
        (good.replace("\"tau\":0.01", "\"tau\":-1.0"), "tau must be a positive"),
        ("{".to_string(), "not JSON"),
        ("not json at all".to_string(), "not JSON"),
        ("[]".to_string(), "not a network file: expected a JSON object"),
        ("{}".to_string(), "format must be \"lpu-network\", got nothing"),
    ];
    for (text, expected) in cases {
        let err = netfile::from_json(&text).unwrap_err();
        assert!(err.contains(expected), "expected {expected:?}, got {err:?}");
    }
}

#[test]
fn numpy_loads_the_file_and_reproduces_the_simulation() {
    let (path, net) = write_network("exp=flipflop&bits=2&neurons=80&seed=3", "np");
    let steps = 50;
    let initial: Vec<f64> = (0..net.neurons).map(|i| ((i * 37 % 11) as f64 - 5.0) / 10.0).collect();
    let u = [0.4, -0.7];
    let script = format!(
        r#"
import json, numpy as np
net = json.load(open({path:?}))
M, N, B = (np.array(net[k], dtype=float).reshape(net["neurons"], -1) for k in ("embedding", "encoding", "input"))
r = np.array({initial:?}); u = np.array({u:?}); a = net["dt"] / net["tau"]
for _ in range({steps}):
    r = (1 - a) * r + a * np.tanh(M @ (N.T @ r) + B @ u + np.array(net["bias"]))
print(json.dumps(list(N.T @ r)))
"#,
        path = path.to_str().unwrap()
    );
    let out =
        Command::new("python3").arg("-c").arg(&script).output().expect("python3 must be installed (CI installs numpy)");
    assert!(
        out.status.success(),
        "NumPy reference failed (pip install numpy): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let numpy: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    let inputs: Vec<f64> = (0..steps).flat_map(|_| u).collect();
    let sim = Cpu.simulate(&net, &SimJob { inputs: &inputs, ..SimJob::trial(&initial, steps) });
    let ours = &sim.latent[steps * 2..];
    for (a, b) in ours.iter().zip(&numpy) {
        assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "ours {ours:?}, numpy {numpy:?}");
    }
    assert!(numpy.iter().any(|x| x.abs() > 0.1), "the comparison must not be trivially zero");
    std::fs::remove_file(path).ok();
}

/// A version 1 file (no model, no readout) still loads, as a rate-form network without
/// readout; a trained network's readout survives version 2 in the file's neuron-major rows.
#[test]
fn version_one_loads_and_version_two_keeps_model_and_readout() {
    let net = lpu::design::FlipFlop::standard(2, 10).network(1);
    let v2 = netfile::to_json(&net);
    let v1 = v2.replace("\"version\":2", "\"version\":1").replace(",\"model\":\"rate\",\"readout\":null", "");
    assert!(!v1.contains("model"), "{v1}");
    assert_eq!(netfile::from_json(&v1).unwrap(), net);
    let mut trained = net.clone();
    trained.model = lpu::network::Model::Current;
    trained.readout = Some((0..20).map(|i| i as f64 * 0.1).collect());
    let text = netfile::to_json(&trained);
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    // Neuron-major: row i holds neuron i's weight onto each of the 2 outputs.
    assert_eq!(file["readout"][3], serde_json::json!([0.30000000000000004, 1.3]));
    assert_eq!(file["model"], "current");
    assert_eq!(netfile::from_json(&text).unwrap(), trained);
    let ragged = text.replace("[0.30000000000000004,1.3]", "[0.3]");
    assert!(netfile::from_json(&ragged).unwrap_err().contains("readout row 3 must have 2 values"));
}

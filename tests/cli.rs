//! The `lpu` CLI: bad input exits 2 with one line naming the key and its allowed range, no
//! input makes it panic, and the same query prints the same bytes.
use std::process::Command;

fn lpu(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lpu")).args(args).output().expect("lpu runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn bad_parameters_name_the_key_and_the_allowed_range() {
    let cases = [
        ("exp=flipflop&bits=9", "bits: must be an integer in 1..=8, got 9"),
        ("exp=flipflop&bits=two", "bits: must be an integer in 1..=8, got \"two\""),
        ("exp=flipflop&neurons=1e6", "neurons: must be an integer in 2..=1000000"),
        ("exp=flipflop&tau=-1", "tau: must be a number in [0.0001, 1], got -1"),
        ("exp=flipflop&noise=nan", "noise: must be a number in [0, 10]"),
        ("exp=flipflop&colour=red", "colour: unknown key for exp=flipflop; allowed keys: v, exp, source, bits"),
        ("exp=flipflop&input=1,2,3", "input: has 3 values but there are only 2 channels (bits)"),
        ("exp=flipflop&bits=3&neurons=5", "neurons: must be at least 2 × bits = 6"),
        ("exp=flipflop&dt=0.02", "dt: must be at most tau = 0.01 s"),
        ("exp=flipflop&observed=500", "observed: must be at most neurons = 100"),
        ("exp=flipflop&tuning=100", "tuning: neuron 100 does not exist"),
        (
            "exp=flipflop&neurons=1000000&steps=200000",
            "steps: neurons × steps × trials must be at most 1e9 on the CPU (backend=gpu allows 1e11); with neurons = 1000000 and trials = 1 use steps ≤ 1000",
        ),
        (
            "exp=flipflop&neurons=1000000&steps=3000&trials=64&backend=gpu",
            "steps: neurons × steps × trials must be at most 1e11 on the GPU; with neurons = 1000000 and trials = 64 use steps ≤ 1562",
        ),
        ("exp=flipflop&trials=65", "trials: must be an integer in 1..=64, got 65"),
        ("exp=drift&neurons=500000", "neurons: must be at most 300000 on the CPU; up to 1000000 with backend=gpu"),
        ("exp=drift&neurons=500000&backend=auto", "neurons: must be at most 300000 on the CPU"),
        ("exp=drift&neurons=1000000&steps=100000&backend=gpu", "after: neurons × (steps + after) must be at most 1e11 on the GPU"),
        ("exp=drift_sweep&neurons=100,400000", "neurons: lists N = 400000: sizes must be at most 300000 on the CPU"),
        ("exp=flipflop&seed=-1", "seed: must be an integer in 0..=9007199254740991"),
        (
            "exp=banana",
            "exp: must be one of flipflop, timescale, partial, drift, drift_sweep, perturb, spectrum, lyapunov, chaos, dimensionality, train, sequence_sweep, fixed_points, jedi, jedi_compare, got \"banana\"",
        ),
        ("exp=drift&kind=sideways", "kind: must be one of random, orthogonal, tangential, got \"sideways\""),
        ("exp=drift&score=5000", "score: must be at most min(steps, after) = 2000"),
        ("exp=drift_sweep&sigma_min=5&sigma_max=1", "sigma_max: must be larger than sigma_min = 5"),
        ("exp=drift_sweep&kinds=0,0", "kinds: lists kind 0 twice"),
        ("exp=drift_sweep&neurons=300000,300000,300000", "neurons: the sweep would take"),
        ("exp=drift_sweep&neurons=1000000,1000000&runs=16&backend=gpu", "neurons: the sweep would take 1.7e12 neuron-steps; at most 1e12 on the GPU"),
        ("exp=spectrum&neurons=3000", "neurons: must be an integer in 2..=2000, got 3000"),
        ("exp=spectrum&source=flipflop&bits=6&neurons=4", "bits: must be at most neurons = 4"),
        ("exp=spectrum&matrix=hessian", "matrix: must be one of weights, jacobian, got \"hessian\""),
        ("exp=lyapunov&exponents=30&neurons=20", "exponents: must be at most neurons = 20"),
        ("exp=lyapunov&neurons=2000&exponents=400&time=100", "time: asks for"),
        ("exp=chaos&source=flipflop", "source: must be random or lowrank"),
        (
            "exp=spectrum&source=flipflop&bits=2&matrix=jacobian&fixed_point=9",
            "fixed_point: must be an index in 0..=8 (the latent flow has 9 fixed points), got 9",
        ),
        ("exp=spectrum&source=lowrank&neurons=1500", "neurons: must be at most 1000 for source=lowrank"),
        ("exp=chaos&g_min=2&g_max=1", "g_max: must be above g_min = 2"),
        ("exp=perturb&stimulate=all", "stimulate: must be one of coding, redundant, got \"all\""),
        ("exp=perturb&random=x", "random: must be a number in [0, 10], got \"x\" (or \"auto\")"),
        ("exp=perturb&onset=1.49&duration=0.1", "duration: onset + duration must be at most length = 1.5 s"),
        (
            "exp=dimensionality&nonlinearity=cubic",
            "nonlinearity: must be one of tanh, relu, sign, sin, linear, got \"cubic\"",
        ),
        ("exp=dimensionality&samples=5000&neurons=5000", "samples: samples × largest N = 2.5e7 rates; at most 4e6"),
        ("exp=dimensionality&samples=2000&neurons=2000", "neurons: the query would take"),
        ("exp=sequence_sweep&ranks=7", "ranks: each value must be an integer in 1..=6, got 7"),
        ("exp=sequence_sweep&ranks=2,1,2", "ranks: lists 2 twice (items 1 and 3)"),
        ("exp=sequence_sweep&neurons=1024&runs=10", "neurons: the sweep would take 2.0e12 work units (a few minutes is 3e11)"),
        ("exp=sequence_sweep&epochs=20000", "epochs: the sweep would take"),
        ("exp=sequence_sweep&neurons=1024&trials=1000", "trials: test trials × steps × largest N = 3.1e7 activity values; at most 4e6"),
        ("bits=2", "exp: is required"),
        ("exp=flipflop&v=2", "v: must be 1"),
        ("exp=flipflop&bits=2&bits=3", "bits: given more than once"),
        ("exp=flipflop&bits", "bits: expected key=value"),
        ("exp=flipflop&bits=%zz", "bits: value is not valid percent-encoded UTF-8"),
    ];
    for (query, expected) in cases {
        let (code, stdout, stderr) = lpu(&["run", query]);
        assert_eq!(code, 2, "{query}: exit code {code}, stderr {stderr}");
        assert!(stdout.is_empty(), "{query}: printed a result");
        assert_eq!(stderr.lines().count(), 1, "{query}: one line expected, got {stderr}");
        assert!(stderr.starts_with(&format!("error: {expected}")), "{query}: got {stderr}");
    }
}

#[test]
fn hostile_input_never_panics() {
    let queries = [
        "",
        "?",
        "&&&",
        "=",
        "exp=",
        "exp=flipflop&=3",
        "exp=flipflop&bits=",
        "exp=flipflop&input=,,,",
        "exp=flipflop&input=1e309",
        "exp=flipflop&seed=99999999999999999999999",
        "exp=flipflop&neurons=-0",
        "exp=flipflop&extent=inf",
        "exp=%E2%82%AC",
        "exp=flipflop&tuning=1,,2",
        "exp=timescale&points=0",
        "exp=flipflop&steps=18446744073709551616",
        "exp=flipflop&%C3%28=1",
    ];
    for q in queries {
        let (code, _, stderr) = lpu(&["run", q]);
        assert_eq!(code, 2, "{q:?}: exit {code}, {stderr}");
        assert!(!stderr.contains("panicked"), "{q:?}: {stderr}");
    }
    for args in [
        &["run"][..],
        &["frobnicate"],
        &[],
        &["run", "exp=flipflop", "--network-out"],
        &["run", "exp=fixed_points&source=network", "--network-in"],
        &["run", "exp=flipflop", "extra"],
        &["params", "nope"],
    ] {
        let (code, _, stderr) = lpu(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"));
    }
}

#[test]
fn same_query_same_bytes_and_canonical_query_round_trips() {
    let q = "exp=flipflop&bits=2&neurons=150&seed=7&noise=0.1";
    let (c1, a, _) = lpu(&["run", q]);
    let (c2, b, _) = lpu(&["run", q]);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(a, b);
    let doc: serde_json::Value = serde_json::from_str(&a).unwrap();
    let canonical = doc["query"].as_str().unwrap();
    let (_, c, _) = lpu(&["run", canonical]);
    assert_eq!(a, c, "the canonical query must reproduce the result");
    assert_ne!(a, lpu(&["run", "exp=flipflop&bits=2&neurons=150&seed=8&noise=0.1"]).1, "the seed must matter");
}

/// Every kernel gives the same bits at every vector width: `LPU_SIMD=128` holds them to their
/// baseline bodies (SSE2 natively, wasm's width) and the documents equal those of the CPU's own
/// width (AVX2 or AVX-512 where it has them). The queries reach the low-rank step with noise,
/// the latent drive and Jacobians (fixed points, flow grid), the dense product of one vector
/// and of a batch, and training's products.
#[test]
fn every_vector_width_gives_the_same_bytes() {
    let run = |q: &str, simd: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_lpu")).args(["run", q]).env("LPU_SIMD", simd).output().unwrap();
        assert!(out.status.success(), "{q}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    for q in [
        "exp=flipflop&bits=3&neurons=9000&noise=0.2&steps=300&seed=4",
        "exp=chaos&neurons=300&points=3&sizes=300&time=0.2&warmup=0.1&seed=5",
        "exp=flipflop&neurons=600&trials=9&steps=200&source=trained&train.neurons=40&train.epochs=4&train.fit_epochs=3&train.batch=6&train.steps=30",
    ] {
        assert!(run(q, "") == run(q, "128"), "{q}: LPU_SIMD=128 changed the document");
    }
}

#[test]
fn result_fields_are_present() {
    let (code, out, _) = lpu(&["run", "exp=flipflop&bits=2&steps=500"]);
    assert_eq!(code, 0);
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    let r = &d["result"];
    assert_eq!(d["format"], "lpu-result");
    assert_eq!(r["inputs"].as_array().unwrap().len(), 500);
    assert_eq!(r["targets"][0].as_array().unwrap().len(), 2);
    assert_eq!(r["latent"].as_array().unwrap().len(), 500);
    assert_eq!(r["fixed_points"].as_array().unwrap().len(), 9);
    assert!(r["fixed_points"][0]["eigenvalues"][0].as_array().unwrap().len() == 2);
    assert_eq!(r["flow"]["speed"].as_array().unwrap().len(), 21 * 21);
    let (code, out, _) = lpu(&["run", "exp=timescale&neurons=5000&tau_latent=0.002"]);
    assert_eq!(code, 0);
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    let g = &d["result"]["growth_rate"];
    assert!(g["estimate"].is_f64() && g["target"].as_f64() == Some(500.0));
    assert_eq!(d["result"]["fixed_points"].as_array().unwrap().len(), 3);
    let (code, out, _) = lpu(&["params"]);
    assert_eq!(code, 0);
    assert!(out.contains("tau_latent") && out.contains("number in [0.0001, 100]"));
}

#[test]
fn csv_format_gives_the_main_series_of_every_experiment() {
    for e in lpu::registry::REGISTRY {
        let (code, text, stderr) = lpu(&["run", e.example(), "--format", "csv"]);
        assert_eq!(code, 0, "{}: {stderr}", e.name());
        let doc: serde_json::Value = serde_json::from_str(&lpu::run_query(e.example()).unwrap().json).unwrap();
        let r = &doc["result"];
        let lines: Vec<&str> = text.lines().collect();
        let header: Vec<&str> = lines[0].split(',').collect();
        let row = |i: usize| -> Vec<f64> { lines[i + 1].split(',').map(|v| v.parse().unwrap_or(f64::NAN)).collect() };
        let col =
            |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{}: no {name}", e.name()));
        // The first and the last row carry the result's own numbers.
        let n = lines.len() - 1;
        for i in [0, n - 1] {
            let got = row(i);
            let check = |name: &str, want: &serde_json::Value| {
                assert_eq!(got[col(name)], want.as_f64().unwrap(), "{} row {i} {name}", e.name())
            };
            match e.name() {
                "flipflop" => {
                    check("time_s", &r["time"][i]);
                    check("z2", &r["latent"][i][1]);
                }
                "drift" => {
                    check("time_s", &r["time"][i]);
                    check("z1", &r["latent"][i][0]);
                    check("z2_observed", &r["observed_latent"][i][1]);
                }
                "timescale" => {
                    check("z", &r["z"][i]);
                    check("flow_per_s", &r["flow"][i]);
                    check("mean_field_per_s", &r["mean_field"][i]);
                }
                "partial" => {
                    check("observed", &r["observed"][i]);
                    check("mean_square", &r["squared_error"][i]);
                    check("predicted", &r["predicted"][i]);
                }
                "drift_sweep" => {
                    check("sigma", &r["sigma"][i]);
                    check("tangential_n120_observed", &r["sizes"][1]["tangential"]["accuracy_observed"][i]);
                }
                "train" => {
                    check("epoch", &serde_json::json!(i + 1));
                    check("task_loss", &r["loss"][0]["loss"][i]);
                }
                "dimensionality" => {
                    check("pc", &serde_json::json!(i + 1));
                    check("variance", &r["variance"][i]);
                    check("max_abs_correlation", &r["max_correlation"][i]);
                }
                "perturb" => {
                    check("time_s", &r["time"][i]);
                    check("stimulus", &r["stimulus"][i]);
                    check("z1_redundant", &r["latent_redundant"][i][0]);
                }
                "spectrum" => {
                    check("re", &r["eigenvalues"][i][0]);
                    check("im", &r["eigenvalues"][i][1]);
                    if i == 0 {
                        check("outlier_re", &r["outliers"][0][0]);
                    }
                }
                "lyapunov" => {
                    check("lambda_per_s", &r["exponents"][i]);
                    check("origin_lambda_per_s", &r["origin"][i]);
                }
                "sequence_sweep" => {
                    let c = &r["cells"][i];
                    check("neurons", &c["neurons"]);
                    check("rank", &c["rank"]);
                    check("accuracy_mean", &c["accuracy_stats"]["mean"]);
                    check("error_sd", &c["error_stats"]["sd"]);
                    check("dimension_noisy_mean", &c["dimension_noisy_stats"]["mean"]);
                }
                "chaos" => {
                    check("g", &r["g"][i]);
                    check("lambda_max_per_s", &r["lambda_max"][i]);
                    check("variance", &r["variance"][i]);
                    check("dimension", &r["dimension"][i]);
                }
                "fixed_points" => {
                    let fp = &r["fixed_points"][i];
                    let code = ["stable", "saddle", "unstable"].iter().position(|k| fp["kind"] == *k).unwrap();
                    check("kind", &serde_json::json!(code));
                    check("unstable_dims", &fp["unstable_dims"]);
                    check("lead_re", &fp["eigenvalues"][0][0]);
                    check("z1", &fp["z"][0]);
                    check("x1", &fp["x"][0]);
                }
                "jedi" => {
                    check("trial", &serde_json::json!(i));
                    check("condition", &r["trial_condition"][i]);
                    check("context_pc1", &r["embedding"][i][0]);
                    let held = r["held_out"][i].as_bool().unwrap();
                    check("held_out", &serde_json::json!(if held { 1 } else { 0 }));
                }
                "jedi_compare" => {
                    check("trial", &serde_json::json!(i));
                    check("condition", &r["low_rank"]["trial_condition"][i]);
                    check("context_pc1_low_rank", &r["low_rank"]["embedding"][i][0]);
                    check("context_pc2_full", &r["full"]["embedding"][i][1]);
                }
                other => panic!("add a CSV check for exp={other}"),
            }
        }
    }
    let (code, _, stderr) = lpu(&["run", "exp=flipflop", "--format", "xml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--format must be json or csv"), "{stderr}");
}

#[test]
fn jedi_writes_its_model_and_recording_files() {
    let dir = std::env::temp_dir().join(format!("lpu-jedi-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (model, data) = (dir.join("model.json"), dir.join("rec.npy"));
    let q = "exp=jedi&neurons=8&repeats=2&duration=0.2&epochs=3&hidden=4&context=2&refine=2";
    let (code, out, err) =
        lpu(&["run", q, "--model-out", model.to_str().unwrap(), "--data-out", data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("\"experiment\":\"jedi\""));
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(m["format"], "lpu-jedi");
    assert_eq!(m["contexts"].as_array().unwrap().len(), 12);
    let bytes = std::fs::read(&data).unwrap();
    // NumPy's magic, version 1.0, then a header naming float32 and the shape.
    assert_eq!(&bytes[..8], b"\x93NUMPY\x01\x00");
    let header = String::from_utf8_lossy(&bytes[10..80]);
    assert!(header.contains("'descr': '<f4'") && header.contains("(12, 20, 8)"), "{header}");
    let labels: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("rec.json")).unwrap()).unwrap();
    assert_eq!(labels["conditions"].as_array().unwrap().len(), 12);
    assert_eq!(labels["dt"], 0.01);
    // A new process given the model file shows the same document without fitting again.
    let (code, again, err) = lpu(&["run", q, "--model-in", model.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(again, out, "the restored fit gives the bytes of the run that wrote it");
    let (code, _, err) = lpu(&[
        "run",
        "exp=jedi&neurons=8&repeats=2&duration=0.2&epochs=4&hidden=4&context=2&refine=2",
        "--model-in",
        model.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("--model-in is not used"), "{err}");
    // A query of another experiment has no model to write.
    let (code, _, err) = lpu(&["run", "exp=flipflop&steps=10", "--model-out", model.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("exp=flipflop writes no model file"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

/// The mean of a result's R² list.
fn mean_r2(doc: &serde_json::Value, key: &str) -> f64 {
    let v: Vec<f64> = doc["result"][key].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
    v.iter().sum::<f64>() / v.len() as f64
}

#[test]
fn jedi_fits_a_recording_file_as_it_fits_the_teacher_that_wrote_it() {
    let dir = std::env::temp_dir().join(format!("lpu-jedi-data-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("rec.npy");
    let teacher = "exp=jedi&neurons=12&repeats=3&duration=0.3&epochs=40&rank=2&hidden=8&context=3&refine=20";
    let (code, out, err) = lpu(&["run", teacher, "--data-out", data.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let direct: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The same fit from the file: the .npy holds float32 rates (relative error ≤ 6e-8), its
    // sidecar the labels and dt; scale=1 keeps the values as they are.
    let file = "exp=jedi&dataset=file&epochs=40&rank=2&hidden=8&context=3&refine=20&scale=1";
    let with = format!("{file}&data={}", data.to_str().unwrap());
    let (code, out, err) = lpu(&["run", &with]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("rec.json"), "says where the labels came from: {err}");
    let loaded: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(loaded["result"]["conditions"], direct["result"]["conditions"]);
    assert_eq!(loaded["result"]["neurons"], 12);
    assert_eq!(loaded["result"]["data"].as_str().unwrap().len(), 12);
    for key in ["r2_train", "r2_test"] {
        let (a, b) = (mean_r2(&direct, key), mean_r2(&loaded, key));
        assert!((a - b).abs() < 1e-4, "{key}: teacher {a}, file {b}");
    }
    // Scaled to 0.9 by default: R² is that of the same fit on a rescaled recording, close to it.
    let auto = format!("exp=jedi&dataset=file&epochs=40&rank=2&hidden=8&context=3&refine=20&data={}", data.display());
    let (code, out, _) = lpu(&["run", &auto]);
    assert_eq!(code, 0);
    let scaled: serde_json::Value = serde_json::from_str(&out).unwrap();
    let peak = 0.9 / scaled["result"]["scale"].as_f64().unwrap();
    assert!(peak > 0.3 && peak < 1.0, "the teacher's rates peak inside (−1, 1): {peak}");

    // Every bad input: one line naming the problem, exit code 2 (1: a file that cannot be read).
    let bad = dir.join("bad.npy");
    std::fs::write(&bad, "<b>not numpy</b>").unwrap();
    let labels = dir.join("two.txt");
    std::fs::write(&labels, "a\nb\n").unwrap();
    let csv = dir.join("one.csv");
    std::fs::write(&csv, "trial,time,neuron,value\n0,0,0,1\n0,1,0,nan\n1,0,0,1\n1,1,0,2\n").unwrap();
    let d = data.display();
    let cases: Vec<(String, i32, &str)> = vec![
        (format!("exp=jedi&dataset=file&data={}", bad.display()), 2, "not a NumPy .npy file"),
        (
            format!("exp=jedi&dataset=file&data={d}&labels={}", labels.display()),
            2,
            "the labels give 2 labels but the array has 18 trials",
        ),
        (
            format!("exp=jedi&dataset=file&data={}", csv.display()),
            2,
            "NaN or infinite, at trial 0 (trial 0 in the file), time 1, neuron 0",
        ),
        (format!("exp=jedi&dataset=file&data={d}&dt=0.02"), 2, "gives a time step of 0.01 s: set dt=0.01"),
        (format!("exp=jedi&dataset=file&data={d}&bin=20"), 2, "so bin can be at most 15"),
        (format!("exp=jedi&dataset=file&data={d}&rank=13"), 2, "must be at most the 12 neurons"),
        ("exp=jedi&dataset=file".to_string(), 2, "dataset=file needs a recording"),
        ("exp=jedi&dataset=file&data=0123456789ab".to_string(), 1, "names a file loaded in the page"),
        ("exp=jedi&labels=x.txt".to_string(), 2, "labels=FILE needs data=FILE"),
    ];
    for (q, want, msg) in cases {
        let (code, _, err) = lpu(&["run", &q]);
        assert_eq!(code, want, "{q}: {err}");
        assert!(err.contains(msg), "{q}: {err}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

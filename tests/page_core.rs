//! What the page relies on from the core, checked against independent truths: view keys in a
//! share link change no number; a launched trajectory equals the full network started on that
//! latent point; dense plot layers stay a handful of elements; the heatmap image has the
//! result's shape; CSV carries the result's numbers.
mod common;
use base64::Engine;
use lpu::simulate::{Compute, Cpu, SimJob};
use serde_json::Value;

fn typed(query: &str) -> Box<dyn lpu::registry::Document> {
    lpu::run_query(query).unwrap().document
}

fn doc(query: &str) -> Value {
    serde_json::from_str(&lpu::run_query(query).unwrap().json).unwrap()
}

#[test]
fn view_keys_change_no_number_and_are_checked() {
    let plain = lpu::run_query("exp=flipflop&neurons=50&seed=4").unwrap().json;
    let viewed = lpu::run_query("exp=flipflop&neurons=50&seed=4&view=tuning&embed=1&hide=noise,seed&plot=portrait")
        .unwrap()
        .json;
    assert_eq!(plain, viewed);
    for (q, needle) in [
        ("exp=flipflop&view=bogus", "view: must be one of flipflop, tuning, timescale"),
        ("exp=flipflop&embed=2", "embed: must be 0 or 1"),
        ("exp=flipflop&hide=<b>", "hide: must be up to 64"),
    ] {
        let e = lpu::run_query(q).err().expect(q).to_string();
        assert!(e.contains(needle), "{q}: {e}");
    }
    // Without exp the page's link takes the experiment from the view.
    let link = lpu::registry::parse_link("view=timescale&neurons=300", Some("flipflop"));
    assert!(link.errors.is_empty());
    assert_eq!(link.params.unwrap().experiment(), "timescale");
    assert_eq!(link.view.view.as_deref(), Some("timescale"));
}

#[test]
fn launched_trajectory_equals_the_full_network_started_there() {
    let d = doc("exp=flipflop&bits=2&neurons=400&seed=5&steps=400&launch=0.3,-0.7&input=0.2");
    let launched: Vec<Vec<f64>> = serde_json::from_value(d["result"]["launched"].clone()).unwrap();
    assert_eq!(launched.len(), 401);
    // Second method: rates r0 = Σ_k z_k n^(k)/‖n^(k)‖² (the populations are disjoint, so
    // Nᵀ r0 = z), then the full N-neuron simulation with the same constant input.
    let net = lpu::design::FlipFlop::standard(2, 400).network(5);
    let z0 = [0.3, -0.7];
    let mut r0 = vec![0.0; 400];
    for (k, zk) in z0.iter().enumerate() {
        let norm: f64 = (0..400).map(|i| net.n(i, k).powi(2)).sum();
        for (i, r) in r0.iter_mut().enumerate() {
            *r += zk * net.n(i, k) / norm;
        }
    }
    let full = Cpu.simulate(&net, &SimJob { constant_input: &[0.2, 0.0], ..SimJob::trial(&r0, 400) });
    let flat: Vec<f64> = launched.concat();
    let err = common::max_rel_err(&flat, &full.latent);
    assert!(err < 1e-9, "launched vs full network: {err}");
    // and it ends on the attractor the input leaves at z1 > 0 or z1 < 0, not in between
    let end = &launched[400];
    assert!(end[0].abs() > 0.5 && end[1].abs() > 0.5, "{end:?}");
}

#[test]
fn dense_layers_are_few_elements() {
    let d = doc("exp=flipflop&bits=2&neurons=100&grid=41&steps=2000&record=40");
    let opts = lpu::plot::PlotOptions::default();
    let t = lpu::registry::read_document(&d.to_string()).unwrap();
    let portrait = t.render("portrait", &opts).unwrap();
    let layer = portrait.svg.split("<g clip-path=").nth(1).expect("quiver layer present");
    let layer = &layer[..layer.find("</g>").unwrap()];
    let paths = layer.matches("<path").count();
    assert!((1..=8).contains(&paths), "41×41 arrows should be at most 8 paths, got {paths}");
    let moving = d["result"]["flow"]["speed"].as_array().unwrap().iter().filter(|s| s.as_f64().unwrap() > 0.0).count();
    assert!(moving > 41 * 41 - 10);
    assert_eq!(layer.matches('M').count(), moving * 3, "every moving grid point is a shaft and two head strokes");
    let frame = portrait.frame.expect("portrait is clickable");
    assert_eq!(frame.data, [-1.5, 1.5, -1.5, 1.5]);

    // The heatmap is one PNG whose size is the recorded neurons × time columns.
    let act = t.render("activity", &opts).unwrap();
    let b64 = act.svg.split("data:image/png;base64,").nth(1).unwrap();
    let png = base64::engine::general_purpose::STANDARD.decode(&b64[..b64.find('"').unwrap()]).unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    let cols = d["result"]["activity"]["time"].as_array().unwrap().len();
    assert_eq!((width as usize, height), (cols, 40));
    assert_eq!(cols, 500);

    // Every plot of every experiment draws.
    for q in ["exp=flipflop&bits=3&neurons=90", "exp=flipflop&bits=1&neurons=20", "exp=timescale&neurons=500"] {
        let d = typed(q);
        for name in d.entry().plots().iter().map(|p| p.name) {
            let f = d.render(name, &opts).unwrap_or_else(|e| panic!("{q} {name}: {e}"));
            assert!(f.svg.starts_with("<svg") && f.svg.len() > 2000, "{q} {name}");
        }
    }
    assert!(t.render("nope", &opts).is_err());
}

#[test]
fn csv_carries_the_result() {
    let d = doc("exp=flipflop&bits=2&neurons=60&steps=200");
    let csv = lpu::registry::read_document(&d.to_string()).unwrap().csv().to_string();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "time_s,input1,input2,target1,target2,z1,z2");
    assert_eq!(lines.len(), 201);
    let row: Vec<f64> = lines[150].split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(row[0], d["result"]["time"][149].as_f64().unwrap());
    assert_eq!(row[5], d["result"]["latent"][149][0].as_f64().unwrap());
    assert_eq!(row[6], d["result"]["latent"][149][1].as_f64().unwrap());
}

#[test]
fn cli_plot_writes_every_plot() {
    let dir = std::env::temp_dir().join(format!("lpu-plot-{}", std::process::id()));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_lpu"))
        .args(["plot", "exp=timescale&neurons=300", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["flow", "growth", "cloud"] {
        let svg = std::fs::read_to_string(dir.join(format!("timescale-{name}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"));
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_lpu"))
        .args(["plot", "exp=timescale&neurons=3"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("neurons: must be an integer in 10..=1000000"));
    let _ = std::fs::remove_dir_all(dir);
}

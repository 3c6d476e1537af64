//! `source=trained`: a view runs on the network `exp=train` trains from the link's `train.*`
//! keys. The independent route is the one a user takes by hand: train with `exp=train`, write
//! the network file, load it with `source=network`.

use lpu::experiments::RunCtx;
use lpu::registry::{parse_lenient, parse_strict, read_document, run_query, run_query_with};
use lpu::{netfile, progress};
use serde_json::Value;
use std::cell::Cell;
use std::rc::Rc;

/// A training that takes a fraction of a second: the training keys of `exp=train`'s example.
const TRAINING: &[(&str, &str)] =
    &[("neurons", "12"), ("epochs", "6"), ("fit_epochs", "4"), ("batch", "4"), ("steps", "20"), ("seed", "3")];

fn train_query() -> String {
    let keys: Vec<String> = TRAINING.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("exp=train&test_trials=2&{}", keys.join("&"))
}

fn trained_keys() -> String {
    TRAINING.iter().map(|(k, v)| format!("&train.{k}={v}")).collect()
}

/// The network file `exp=train` writes for the training, read back as a user's upload.
fn trained_file() -> lpu::network::Network {
    let out = run_query(&train_query()).expect("the training runs");
    netfile::from_json(&netfile::to_json(&out.network)).expect("the file reads back")
}

fn result(json: &str) -> Value {
    serde_json::from_str::<Value>(json).unwrap()["result"].clone()
}

#[test]
fn a_view_on_a_trained_network_equals_the_view_on_its_file() {
    let net = trained_file();
    for view in ["exp=flipflop&steps=300&grid=7", "exp=fixed_points&random_starts=4&trajectories=2"] {
        let by_file = run_query_with(&format!("{view}&source=network"), &RunCtx::default().with_network(&net))
            .unwrap_or_else(|e| panic!("{view} on the file: {e}"));
        lpu::train::store::clear();
        let by_link = run_query(&format!("{view}&source=trained{}", trained_keys()))
            .unwrap_or_else(|e| panic!("{view} trained from the link: {e}"));
        assert_eq!(result(&by_link.json), result(&by_file.json), "{view}");
        assert_eq!(netfile::to_json(&by_link.network), netfile::to_json(&net), "{view}: the network it ran");
    }
}

#[test]
fn the_document_names_its_training_and_reads_back() {
    let out = run_query(&format!("exp=flipflop&steps=200&grid=5&source=trained{}", trained_keys())).unwrap();
    let doc: Value = serde_json::from_str(&out.json).unwrap();
    let query = doc["query"].as_str().unwrap();
    assert!(query.contains("&source=trained&") && query.contains("&train.neurons=12&"), "{query}");
    assert_eq!(doc["training"]["neurons"], 12);
    assert_eq!(doc["training"]["fit_epochs"], 4);
    // The canonical query is a fixed point of parsing, and the document reads back.
    assert_eq!(parse_strict(query).unwrap().query(), query);
    let back = read_document(&out.json).expect("the document reads back");
    assert_eq!(back.query(), query);
    // Display keys of exp=train do not change the trained weights: they are not link keys.
    assert!(!query.contains("train.redraw") && !query.contains("train.test_trials"));
}

#[test]
fn training_keys_without_a_trained_source_are_named() {
    let e = parse_strict("exp=flipflop&train.bits=3").err().expect("refused");
    assert_eq!(e.key, "train.bits");
    assert!(e.message.contains("source=trained"), "{}", e.message);
    let e = parse_strict("exp=flipflop&source=trained&train.bits=9").err().expect("refused");
    assert_eq!(e.key, "train.bits");
    assert!(e.message.contains("1..=6"), "{}", e.message);
    // A cross-key limit of exp=train is named by its train. key.
    let e = parse_strict("exp=flipflop&source=trained&train.neurons=4&train.rank=5").err().expect("refused");
    assert_eq!(e.key, "train.rank");
    // Views that take no network have no training keys.
    let e = parse_strict("exp=timescale&source=trained").err().expect("refused");
    assert_eq!(e.key, "source");
    let e = parse_strict("exp=timescale&train.bits=2").err().expect("refused");
    assert!(e.message.contains("unknown key"), "{}", e.message);
    // Leniently, the bad key falls back and the rest applies.
    let (p, errors) = parse_lenient("exp=flipflop&source=trained&train.bits=0&train.neurons=20");
    assert_eq!(errors.len(), 1);
    let q = p.unwrap().query();
    assert!(q.contains("train.bits=2&") && q.contains("train.neurons=20&"), "{q}");
}

#[test]
fn designed_links_are_unchanged() {
    let q = parse_strict("exp=flipflop").unwrap().query();
    assert!(!q.contains("train."), "{q}");
    let specs = lpu::registry::find("flipflop").unwrap().specs();
    let bits = specs.iter().find(|s| s.key == "train.bits").expect("the training keys are listed");
    let shown = bits.shown_if.as_ref().expect("shown only with source=trained");
    assert_eq!((shown.key, shown.value), ("source", "trained"));
    assert!(lpu::registry::find("timescale").unwrap().specs().iter().all(|s| !s.key.starts_with("train.")));
}

#[test]
fn a_cancelled_training_resumes_to_the_same_bytes() {
    let query = format!("exp=flipflop&steps=200&grid=5&source=trained{}", trained_keys());
    lpu::train::store::clear();
    let whole = run_query(&query).unwrap().json;
    lpu::train::store::clear();
    // Cancel after a few epochs of training; the run stops, keeping the training.
    let reports = Rc::new(Cell::new(0usize));
    let seen = reports.clone();
    let stopped = progress::with_hooks(
        move |_| seen.set(seen.get() + 1),
        {
            let reports = reports.clone();
            move || reports.get() > 5
        },
        || run_query(&query),
    );
    assert!(stopped.is_err(), "the run was cancelled");
    let resumed = run_query(&query).unwrap().json;
    assert_eq!(resumed, whole);
}

#[test]
fn a_dragged_slider_redraws_the_portrait_of_a_network_from_outside() {
    let net = trained_file();
    let ctx = RunCtx::default().with_network(&net);
    let q = "exp=flipflop&source=network&steps=300&grid=7&input=0.2,0&launch=0.1,-0.1";
    let full = result(&run_query_with(q, &ctx).unwrap().json);
    let live: Value = serde_json::from_str(&parse_strict(q).unwrap().live(&ctx).expect("a live portrait")).unwrap();
    // The same window, fitted to the same trajectory, so the same flow and launched path.
    assert_eq!(live["flow"], full["flow"]);
    assert_eq!(live["launched"], full["launched"]);
    // Without the network there is nothing to draw (the page runs the query instead).
    assert!(parse_strict(q).unwrap().live(&RunCtx::default()).is_none());
    // source=trained draws on the kept training and never trains.
    lpu::train::store::clear();
    let tq = format!("exp=flipflop&steps=300&grid=7&input=0.2,0&launch=0.1,-0.1&source=trained{}", trained_keys());
    assert!(parse_strict(&tq).unwrap().live(&RunCtx::default()).is_none(), "a live update never trains");
    run_query(&tq).unwrap();
    let kept = parse_strict(&tq).unwrap().live(&RunCtx::default()).expect("the kept training's portrait");
    assert_eq!(serde_json::from_str::<Value>(&kept).unwrap(), live);
}

#[test]
fn the_flipflop_view_shows_a_trained_networks_outputs() {
    let net = trained_file();
    let q = "exp=flipflop&source=network&steps=300&grid=5";
    let r = result(&run_query_with(q, &RunCtx::default().with_network(&net)).unwrap().json);
    // All 12 neurons are in the heatmap, every step a column: R r written out by hand.
    let (n, readout) = (net.neurons, net.readout.clone().expect("a trained network has a readout"));
    let rates = r["activity"]["rates"].as_array().unwrap();
    assert_eq!(rates.len(), n);
    let output = r["output"].as_array().expect("outputs shown");
    assert_eq!(output.len(), 300);
    for (t, row) in output.iter().enumerate() {
        for o in 0..2 {
            let by_hand: f64 = (0..n).map(|i| readout[o * n + i] * rates[i][t].as_f64().unwrap()).sum();
            let shown = row[o].as_f64().unwrap();
            assert!((shown - by_hand).abs() < 1e-12, "t {t} output {o}: {shown} against {by_hand}");
        }
    }
    // A designed network has no readout, and its document no outputs.
    let designed = result(&run_query("exp=flipflop&steps=300&grid=5").unwrap().json);
    assert!(designed.get("output").is_none());
}

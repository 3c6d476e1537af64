//! The page ↔ worker protocol, natively: requests answer as `lpu run` does, every failure is
//! one typed error, and a cancelled run stops without a result and leaves the worker usable.
use lpu::protocol::{handle, ErrorKind, Reply, Request, WireError, WorkerState};
use std::rc::Rc;

fn ask(state: &mut WorkerState, r: Request) -> Result<String, WireError> {
    handle(state, r, |_| {}, || false, |_| {})
}

#[test]
fn requests_have_the_wire_shape_the_page_sends() {
    let r: Request = serde_json::from_str(r#"{"kind":"run","query":"exp=flipflop"}"#).unwrap();
    assert_eq!(r, Request::Run { query: "exp=flipflop".into() });
    let r: Request = serde_json::from_str(r#"{"kind":"network_file","query":"exp=perturb"}"#).unwrap();
    assert_eq!(r, Request::NetworkFile { query: "exp=perturb".into() });
    assert!(serde_json::from_str::<Request>(r#"{"kind":"format_disk"}"#).is_err());
    let reply = Reply::Failed { id: 3, error: WireError::panic("boom") };
    let v: serde_json::Value = serde_json::to_value(&reply).unwrap();
    assert_eq!(v["type"], "failed");
    assert_eq!(v["error"]["kind"], "panic");
    assert_eq!(v["error"]["fatal"], true);
}

#[test]
fn a_run_answers_with_the_document_lpu_run_gives_and_keeps_its_network() {
    let mut s = WorkerState::default();
    let q = "exp=flipflop&bits=1&neurons=30&steps=200";
    let canonical = lpu::parse_strict(q).unwrap().query();
    let file = |s: &mut WorkerState, query: &str| ask(s, Request::NetworkFile { query: query.into() });
    assert_eq!(file(&mut s, &canonical).unwrap_err().kind, ErrorKind::Failed);
    let text = ask(&mut s, Request::Run { query: q.into() }).unwrap();
    assert_eq!(text, lpu::run_query(q).unwrap().json);
    let net: serde_json::Value = serde_json::from_str(&file(&mut s, &canonical).unwrap()).unwrap();
    assert_eq!(net["neurons"], 30);
    // The network of another result is not this worker's to give.
    let other = lpu::parse_strict("exp=flipflop&bits=1&neurons=31").unwrap().query();
    assert_eq!(file(&mut s, &other).unwrap_err().kind, ErrorKind::Failed);
    // Below the bifurcation (c* ≈ 0.125) one bit keeps two attractors and the repeller between;
    // above it one attractor is left.
    let mut kinds = |input: f64| -> Vec<String> {
        let live: serde_json::Value =
            serde_json::from_str(&ask(&mut s, Request::Live { query: format!("{q}&input={input}") }).unwrap()).unwrap();
        let mut k: Vec<String> =
            live["fixed_points"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(kinds(0.05), ["stable", "stable", "unstable"]);
    assert_eq!(kinds(0.3), ["stable"]);
}

#[test]
fn failures_are_one_typed_error() {
    let mut s = WorkerState::default();
    let e = ask(&mut s, Request::Run { query: "exp=flipflop&bits=0".into() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Param);
    assert_eq!(e.message, "bits: must be an integer in 1..=8, got 0");
    assert!(!e.fatal);
    let e = ask(&mut s, Request::Live { query: "exp=timescale".into() }).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Failed);
}

#[test]
fn a_cancelled_run_stops_between_chunks_and_the_worker_goes_on() {
    let mut s = WorkerState::default();
    // Cancel once the run has reported some progress: it must stop without a result, well
    // before the end.
    let seen = Rc::new(std::cell::RefCell::new(vec![]));
    let (a, b) = (seen.clone(), seen.clone());
    let q = "exp=flipflop&bits=2&neurons=20000&steps=20000";
    let cancel = move || b.borrow().last().is_some_and(|&f: &f64| f > 0.1);
    let e =
        handle(&mut s, Request::Run { query: q.into() }, move |f| a.borrow_mut().push(f), cancel, |_| {}).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert!(!e.fatal);
    // The simulation (progress 0.05 to 0.85) stops at its next chunk: nothing is reported
    // between there and the stage's end.
    let seen = seen.borrow();
    assert!(!seen.iter().any(|&f| f > 0.2 && f < 0.85), "went on after the cancel: {seen:?}");
    assert!(seen.iter().all(|&f| f <= 0.85 + 1e-12), "the run went past the simulation: {seen:?}");
    // The same worker state answers the next request.
    let q = "exp=flipflop&bits=1&neurons=30&steps=100";
    assert_eq!(ask(&mut s, Request::Run { query: q.into() }).unwrap(), lpu::run_query(q).unwrap().json);
}

#[test]
fn every_experiment_stops_when_cancelled_and_returns_nothing() {
    for e in lpu::registry::REGISTRY {
        let mut s = WorkerState::default();
        let err = handle(&mut s, Request::Run { query: e.example().into() }, |_| {}, || true, |_| {}).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled, "{}", e.name());
        // Nothing of the cancelled run is kept.
        let q = lpu::parse_strict(e.example()).unwrap().query();
        assert_eq!(ask(&mut s, Request::NetworkFile { query: q }).unwrap_err().kind, ErrorKind::Failed);
    }
}

#[test]
fn cancellation_reaches_the_fixed_point_search_and_the_flow_grid() {
    use lpu::analysis::fixed_points::{find, SearchOptions};
    use lpu::analysis::flow::{flow_grid, Lpu};
    let net = lpu::experiments::drift_runs::network(3, 60, 60, 1);
    let lpu = Lpu::new(&net);
    let opts = SearchOptions { extent: 1.5, random_starts: 100, seed: 1, ..Default::default() };
    let whole = find(&lpu, &[], &opts);
    assert_eq!(whole.len(), 27, "3 bits: 3³ fixed points");
    // Cancelled from the start, the search runs no block and the grid no point.
    let none = lpu::progress::with_hooks(|_| {}, || true, || find(&lpu, &[], &opts));
    assert!(none.is_empty());
    let grid = lpu::progress::with_hooks(|_| {}, || true, || flow_grid(&lpu, &[], 1.5, 41, 1.0).unwrap());
    assert!(grid.speed.is_empty());
    // Without a cancel the blocked search finds what it always did.
    let again = lpu::progress::with_hooks(|_| {}, || false, || find(&lpu, &[], &opts));
    assert_eq!(again.len(), whole.len());
}

/// A training run publishes its documents so far before the last one; a stopped run is
/// resumed by the same query; a loaded network file serves `source=network`, and a bad one is
/// refused with its reason.
#[test]
fn training_publishes_documents_and_networks_load() {
    let mut s = WorkerState::default();
    let q = "exp=train&neurons=10&epochs=6&fit_epochs=4&batch=2&steps=20&test_trials=2&redraw=2";
    let seen = std::rc::Rc::new(std::cell::RefCell::new(vec![]));
    let sink = seen.clone();
    let text =
        handle(&mut s, Request::Run { query: q.into() }, |_| {}, || false, move |t| sink.borrow_mut().push(t)).unwrap();
    let partial = seen.borrow();
    assert_eq!(partial.len(), 4, "epochs 2, 4, 6 (the task stage's last) and 8 of 10");
    for t in partial.iter() {
        let doc: serde_json::Value = serde_json::from_str(t).unwrap();
        assert_eq!(doc["experiment"], "train");
        assert_eq!(doc["result"]["finished"], false);
    }
    let last: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(last["result"]["finished"], true);
    assert_eq!(last["result"]["epochs_done"], 10);
    // The trained network becomes the network for source=network.
    let query = last["query"].as_str().unwrap().to_string();
    let loaded = handle(&mut s, Request::UseLastNetwork { query }, |_| {}, || false, |_| {}).unwrap();
    assert!(loaded.contains("10 neurons, rank 2"), "{loaded}");
    let bad = handle(&mut s, Request::LoadNetwork { text: "<html>".into() }, |_| {}, || false, |_| {});
    assert!(bad.unwrap_err().message.contains("not JSON"));
}

#[test]
fn a_loaded_recording_is_fitted_by_dataset_file_and_a_bad_one_leaves_the_last() {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let teacher = "exp=jedi&neurons=8&repeats=2&duration=0.2&epochs=3&hidden=4&context=2&refine=2";
    let p = lpu::parse_strict(teacher).unwrap();
    let files = p.files(&lpu::experiments::RunCtx::default());
    let get = |k: &str| files.iter().find(|(kind, _)| *kind == k).unwrap().1.clone();
    let (npy, labels) = (get("data"), get("data-labels"));
    let mut s = WorkerState::default();
    let q = "exp=jedi&dataset=file&epochs=3&hidden=4&context=2&refine=2&scale=1";
    // Without a file, the run says what it needs.
    let e = ask(&mut s, Request::Run { query: q.into() }).unwrap_err();
    assert!(e.message.contains("dataset=file needs a recording"), "{}", e.message);
    let load = |s: &mut WorkerState, data: &[u8]| {
        ask(
            s,
            Request::LoadRecording {
                name: "rec.npy".into(),
                data: b64(data),
                labels: Some(("rec.json".into(), b64(&labels))),
            },
        )
    };
    let answer: serde_json::Value = serde_json::from_str(&load(&mut s, &npy).unwrap()).unwrap();
    assert_eq!(
        answer["description"],
        "12 trials × 20 steps × 8 neurons, 6 conditions (sine, cosine, square, ramp, decay, step)"
    );
    assert_eq!(answer["sets"]["dt"], "0.01");
    let hash = answer["hash"].as_str().unwrap().to_string();
    let first = ask(&mut s, Request::Run { query: q.into() }).unwrap();
    // A bad file is refused with its message, and the recording loaded before stays.
    let e = load(&mut s, b"\x93NUMPYgarbage").unwrap_err();
    assert!(e.message.starts_with("rec.npy: "), "{}", e.message);
    let again = ask(&mut s, Request::Run { query: q.into() }).unwrap();
    assert_eq!(first, again);
    let doc: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(doc["result"]["data"], hash.as_str());
    // The same fit as on the teacher's own recording, to the float32 rounding of the file.
    let direct: serde_json::Value = serde_json::from_str(&lpu::run_query(teacher).unwrap().json).unwrap();
    for key in ["r2_train", "r2_test"] {
        let a = direct["result"][key].as_array().unwrap();
        let b = doc["result"][key].as_array().unwrap();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-4, "{key}: {x} vs {y}");
        }
    }
}

#[test]
fn a_model_file_restores_its_fit_without_fitting_again() {
    let q = "exp=jedi&neurons=8&repeats=2&duration=0.2&epochs=5&hidden=4&context=2&refine=3";
    let mut s = WorkerState::default();
    let first = ask(&mut s, Request::Run { query: q.into() }).unwrap();
    let canonical = lpu::parse_strict(q).unwrap().query();
    use base64::Engine;
    let model = ask(&mut s, Request::File { query: canonical.clone(), what: "model".into() }).unwrap();
    let text = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(model).unwrap()).unwrap();
    // A fresh worker (no fit kept) restores the file and opens its query: the same bytes.
    lpu::train::store::clear();
    let mut fresh = WorkerState::default();
    let answer: serde_json::Value =
        serde_json::from_str(&ask(&mut fresh, Request::LoadModel { text: text.clone() }).unwrap()).unwrap();
    assert_eq!(answer["description"], "JEDI rank 5 model of 12 trials (6 training), N = 8, 5 epochs on multitask");
    let open = answer["open"].as_str().unwrap();
    assert_eq!(lpu::parse_strict(open).unwrap().query(), canonical);
    assert_eq!(ask(&mut fresh, Request::Run { query: open.into() }).unwrap(), first);
    // The run used the file, not a new fit: a loss changed in the file is the loss shown.
    lpu::train::store::clear();
    let mut f: serde_json::Value = serde_json::from_str(&text).unwrap();
    f["loss"][0] = serde_json::json!(123.5);
    ask(&mut fresh, Request::LoadModel { text: f.to_string() }).unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&ask(&mut fresh, Request::Run { query: open.into() }).unwrap()).unwrap();
    assert_eq!(doc["result"]["loss"][0], 123.5);
    // Bad files: one message each.
    let mut bad = |edit: &dyn Fn(&mut serde_json::Value), msg: &str| {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        edit(&mut v);
        let e = ask(&mut fresh, Request::LoadModel { text: v.to_string() }).unwrap_err();
        assert!(e.message.contains(msg), "{msg}: {}", e.message);
    };
    bad(&|v| v["format"] = "lpu-network".into(), "format must be \"lpu-jedi\"");
    bad(&|v| v["version"] = 2.into(), "version must be 1");
    bad(&|v| v["contexts"][3] = serde_json::json!([1.0]), "contexts and initial_states must be 12 rows of 2");
    bad(&|v| v["hypernetwork"][1]["bias"][0] = serde_json::json!(null), "not a valid lpu-jedi file");
    bad(&|v| v["held_out"][0] = (!v["held_out"][0].as_bool().unwrap()).into(), "held-out trials are not those");
    bad(&|v| v["query"] = "".into(), "names no query");
    bad(
        &|v| v["query"] = v["query"].as_str().unwrap().replace("epochs=5", "epochs=6").into(),
        "losses (one per epoch)",
    );
    let e = ask(&mut fresh, Request::LoadModel { text: "<b>no</b>".into() }).unwrap_err();
    assert!(e.message.starts_with("not JSON"), "{}", e.message);
}

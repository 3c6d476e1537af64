//! Walks the registry: every experiment describes itself completely (plots, views, parameter
//! specs), runs its example query, and gives a CSV, a summary and every plot; its typed result
//! round-trips through the document exactly; split parts merge into the whole.
use lpu::params::Kind;
use lpu::registry::{self, REGISTRY};
use std::collections::HashSet;

#[test]
fn every_experiment_describes_its_plots_views_and_parameters() {
    assert!(REGISTRY.len() >= 5);
    let mut view_names = HashSet::new();
    let mut names = HashSet::new();
    for e in REGISTRY {
        assert!(names.insert(e.name()), "{} registered twice", e.name());
        let plots: Vec<&str> = e.plots().iter().map(|p| p.name).collect();
        assert!(!plots.is_empty(), "{} has no plots", e.name());
        assert_eq!(plots.iter().collect::<HashSet<_>>().len(), plots.len(), "{}: plot names repeat", e.name());
        let specs = e.specs();
        let keys: Vec<&str> = specs.iter().map(|s| s.key).collect();
        assert!(!e.views().is_empty(), "{} has no view", e.name());
        for v in e.views() {
            assert!(view_names.insert(v.name), "view {} is registered twice", v.name);
            assert!(!v.label.is_empty());
            for p in v.plots {
                assert!(plots.contains(p), "view {} shows unknown plot {p}", v.name);
            }
            assert!(v.plots.contains(&v.embed_plot), "view {}: embed plot {} not shown", v.name, v.embed_plot);
            for k in v.main {
                assert!(keys.contains(k), "view {}: main key {k} is not a parameter", v.name);
            }
        }
        let mut defaults = e.defaults();
        for s in &specs {
            assert!(!s.label.is_empty() && !s.help.is_empty(), "{}.{}: label and help", e.name(), s.key);
            assert!(
                ["network", "task", "simulation", "training", "analysis", "display"].contains(&s.group),
                "{}.{}: group {}",
                e.name(),
                s.key,
                s.group
            );
            assert_eq!(s.kind == Kind::Choice, !s.options.is_empty(), "{}.{}: options iff a choice", e.name(), s.key);
            if matches!(s.kind, Kind::IntList | Kind::FloatList) {
                assert!(s.max_len > 0, "{}.{}: lists have a length limit", e.name(), s.key);
            }
            // The default, as the spec writes it, is a valid value of the key.
            assert_eq!(defaults.set(s.key, &s.default), Ok(true), "{}.{}", e.name(), s.key);
            if let Some(lpu::params::Widget::Sliders { count_key, .. }) = &s.widget {
                assert!(keys.contains(count_key), "{}.{}: slider count key {count_key}", e.name(), s.key);
            }
        }
        assert!(defaults.check().is_ok(), "{}: defaults pass the cross-key check", e.name());
    }
}

#[test]
fn every_experiment_runs_and_gives_csv_summary_plots_and_an_exact_round_trip() {
    for e in REGISTRY {
        let q = e.example();
        let out = lpu::run_query(q).unwrap_or_else(|err| panic!("{}: example {q}: {err}", e.name()));
        let doc = &out.document;
        assert_eq!(doc.entry().name(), e.name());
        // The typed result reads back from its JSON and writes the same bytes.
        let back = registry::read_document(&out.json).unwrap_or_else(|err| panic!("{}: {err}", e.name()));
        assert!(back.to_json() == out.json, "{}: the result does not round-trip exactly", e.name());
        assert_eq!(back.query(), lpu::parse_strict(q).unwrap().query());
        // CSV: a header and rows of its width, with numbers in them.
        let csv = doc.csv();
        assert!(csv.header.len() >= 2, "{}: CSV header {:?}", e.name(), csv.header);
        assert!(csv.rows.len() >= 3, "{}: CSV has {} rows", e.name(), csv.rows.len());
        for row in &csv.rows {
            assert_eq!(row.len(), csv.header.len(), "{}: ragged CSV", e.name());
        }
        assert!(csv.rows.iter().flatten().any(|v| v.is_finite() && *v != 0.0), "{}: CSV is empty", e.name());
        let text = csv.to_string();
        assert_eq!(text.lines().count(), csv.rows.len() + 1);
        assert!(doc.summary().len() > 20, "{}: summary {:?}", e.name(), doc.summary());
        // Every plot draws; an unknown one is an error naming the plots.
        let opts = lpu::plot::PlotOptions::default();
        for p in e.plots() {
            let fig = doc.render(p.name, &opts).unwrap_or_else(|err| panic!("{} {}: {err}", e.name(), p.name));
            assert!(fig.svg.starts_with("<svg"), "{} {}", e.name(), p.name);
            if p.clickable {
                let f = fig.frame.unwrap_or_else(|| panic!("{} {}: clickable without a frame", e.name(), p.name));
                let (x, y) = ((f.data[0] + f.data[1]) / 2.0, (f.data[2] + f.data[3]) / 2.0);
                let (key, value) =
                    doc.click(p.name, x, y).unwrap_or_else(|| panic!("{} {}: a click sets nothing", e.name(), p.name));
                let mut p2 = lpu::parse_strict(q).unwrap();
                assert_eq!(p2.set(key, &value), Ok(true), "{}: a click sets a valid {key}={value}", e.name());
            }
        }
        let err = doc.render("no_such_plot", &opts).err().unwrap();
        assert!(err.contains(e.plots()[0].name), "{err}");
        if let Some(t) = doc.timeline() {
            assert!(t.step >= 1 && t.time.len() >= 2 && t.time.windows(2).all(|w| w[1] > w[0]));
        }
    }
}

#[test]
fn split_parts_merge_into_the_whole_for_every_experiment_that_splits() {
    for e in REGISTRY {
        let whole = lpu::parse_strict(e.example()).unwrap();
        let parts = whole.split();
        if parts.is_empty() {
            assert!(whole.merge(&[]).is_err(), "{}: merge without parts", e.name());
            continue;
        }
        assert!(parts.len() >= 2 && parts.iter().all(|p| p.cost() > 0.0));
        let docs: Vec<serde_json::Value> = parts
            .iter()
            .rev() // the pool finishes parts in any order
            .map(|p| serde_json::from_str(&lpu::run_query(&p.query()).unwrap().json).unwrap())
            .collect();
        let merged = whole.merge(&docs).unwrap();
        assert!(
            merged == lpu::run_query(e.example()).unwrap().json,
            "{}: merged parts differ from the whole",
            e.name()
        );
    }
}

#[test]
fn every_key_at_either_end_of_its_range_leaves_runnable_parameters() {
    // A link may set any key to any allowed value; the lenient parse must then give
    // parameters that pass the cross-key checks (resetting what does not fit), so the page
    // always has something to run, and say each problem once.
    for e in REGISTRY {
        for s in e.specs() {
            let values: Vec<String> = match s.kind {
                Kind::Choice => s.options.iter().map(|o| o.to_string()).collect(),
                _ => [s.min, s.max].iter().map(|v| format!("{v}")).collect(),
            };
            for v in values {
                let q = format!("exp={}&{}={}", e.name(), s.key, v);
                let link = registry::parse_link(&q, None);
                let p = link.params.unwrap_or_else(|| panic!("{q}: no parameters"));
                assert!(p.check().is_ok(), "{q}: {:?}", p.check());
                let messages: Vec<String> = link.errors.iter().map(|e| e.to_string()).collect();
                let unique: HashSet<&String> = messages.iter().collect();
                assert_eq!(unique.len(), messages.len(), "{q}: repeated messages {messages:?}");
            }
        }
    }
    // A key whose own default breaks the limit with the linked value: the linked key goes too.
    let link = registry::parse_link("exp=flipflop&tau=0.0005&seed=3", None);
    let p = link.params.unwrap();
    assert!(p.check().is_ok());
    assert!(p.query().contains("&tau=0.01&") && p.query().contains("&seed=3"), "{}", p.query());
    let keys: Vec<&str> = link.errors.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["dt", "tau"]);
}

#[test]
fn a_malformed_pair_is_reported_and_the_rest_of_the_link_applies() {
    let link = registry::parse_link("exp=drift&sigma=1&sigma=2&junk&seed=%zz&neurons=300", None);
    let p = link.params.unwrap();
    assert_eq!(p.experiment(), "drift");
    let q = p.query();
    assert!(q.contains("&sigma=1&") && q.contains("&neurons=300&"), "{q}");
    let msgs: Vec<String> = link.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(msgs.len(), 3, "{msgs:?}");
    assert!(msgs[0].starts_with("sigma: given more than once"), "{msgs:?}");
    assert!(msgs[1].starts_with("junk: expected key=value"), "{msgs:?}");
    assert!(msgs[2].starts_with("seed: value is not valid"), "{msgs:?}");
}

#[test]
fn documents_of_another_version_or_bit_count_are_refused() {
    let json = lpu::run_query("exp=flipflop&bits=1&neurons=20&steps=100").unwrap().json;
    let other = json.replacen("\"version\":1", "\"version\":2", 1);
    assert!(registry::read_document(&other).err().unwrap().contains("version"));
    // A live portrait for 2 bits does not go into a 1-bit trial.
    let mut doc = registry::read_document(&json).unwrap();
    let live = lpu::parse_strict("exp=flipflop&bits=2&neurons=20").unwrap().live(&Default::default()).unwrap();
    assert!(doc.apply_live(&live).err().unwrap().contains("1 bits"));
    let same =
        lpu::parse_strict("exp=flipflop&bits=1&neurons=20&input=0.3").unwrap().live(&Default::default()).unwrap();
    doc.apply_live(&same).unwrap();
    assert!(doc.render("portrait", &lpu::plot::PlotOptions::default()).is_ok());
}

/// Paths to the arrays in `v`, one per shape (indices written as `*`), first occurrence each.
fn array_paths(v: &serde_json::Value, path: &mut Vec<String>, seen: &mut HashSet<String>, out: &mut Vec<Vec<String>>) {
    match v {
        serde_json::Value::Array(items) => {
            let shape: Vec<&str> = path.iter().map(|p| if p.parse::<usize>().is_ok() { "*" } else { p }).collect();
            if seen.insert(shape.join("/")) {
                out.push(path.clone());
            }
            for (i, item) in items.iter().enumerate().take(2) {
                path.push(i.to_string());
                array_paths(item, path, seen, out);
                path.pop();
            }
        }
        serde_json::Value::Object(map) => {
            for (k, item) in map {
                path.push(k.clone());
                array_paths(item, path, seen, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut serde_json::Value, path: &[String]) -> &'a mut serde_json::Value {
    path.iter().fold(v, |v, p| match p.parse::<usize>() {
        Ok(i) => &mut v[i],
        Err(_) => &mut v[p.as_str()],
    })
}

#[test]
fn a_document_whose_arrays_do_not_fit_is_refused_or_drawn_without_panicking() {
    // Documents will be uploaded (issue 12): every array of every experiment's result, cut
    // short, must give a clear error or a drawing, never a panic.
    let opts = lpu::plot::PlotOptions::default();
    for e in REGISTRY {
        let doc: serde_json::Value = serde_json::from_str(&lpu::run_query(e.example()).unwrap().json).unwrap();
        let mut paths = vec![];
        array_paths(&doc["result"], &mut vec!["result".into()], &mut HashSet::new(), &mut paths);
        assert!(paths.len() >= 3, "{}", e.name());
        for path in &paths {
            for keep in [0usize, 1] {
                let mut cut = doc.clone();
                if let Some(a) = at(&mut cut, path).as_array_mut() {
                    a.truncate(keep);
                }
                let text = cut.to_string();
                let outcome =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match registry::read_document(&text) {
                        Err(_) => 0,
                        Ok(d) => {
                            let _ = (d.csv().to_string(), d.summary(), d.timeline());
                            e.plots().iter().filter(|p| d.render(p.name, &opts).is_ok()).count()
                        }
                    }));
                assert!(outcome.is_ok(), "{}: {} cut to {keep} panics", e.name(), path.join("/"));
            }
        }
    }
}

/// The `backend` key: views that simulate take it (the canonical query keeps it unless it is
/// `auto`), others refuse it by name, a wrong value names the allowed ones, and a build
/// without the GPU backend runs `backend=gpu` on the CPU and says why in the document.
#[test]
fn the_backend_key_is_checked_and_reported() {
    let p = lpu::parse_strict("exp=flipflop&neurons=50&backend=cpu").unwrap();
    assert!(p.query().ends_with("&backend=cpu"), "{}", p.query());
    assert!(!lpu::parse_strict("exp=flipflop&backend=auto").unwrap().query().contains("backend"));
    let e = lpu::parse_strict("exp=flipflop&backend=tpu").err().unwrap();
    assert_eq!(e.key, "backend");
    assert!(e.message.contains("auto") && e.message.contains("gpu"), "{}", e.message);
    let e = lpu::parse_strict("exp=chaos&backend=gpu").err().unwrap();
    assert_eq!(e.key, "backend");
    for exp in ["flipflop", "drift", "drift_sweep", "perturb", "train"] {
        let specs = lpu::registry::find(exp).unwrap().specs();
        assert!(specs.iter().any(|s| s.key == "backend"), "exp={exp} offers backend");
    }
    #[cfg(not(feature = "gpu"))]
    {
        let out = lpu::run_query("exp=flipflop&bits=1&neurons=50&steps=20&backend=gpu").unwrap();
        let doc: serde_json::Value = serde_json::from_str(&out.json).unwrap();
        assert_eq!(doc["backend"]["ran"], "cpu");
        assert!(doc["backend"]["note"].as_str().unwrap().contains("--features gpu"), "{}", doc["backend"]);
        assert!(out.document.summary().contains("Ran on the CPU"), "{}", out.document.summary());
        // The same bytes as on the CPU, but for the query.
        let cpu = lpu::run_query("exp=flipflop&bits=1&neurons=50&steps=20&backend=cpu").unwrap().json;
        let strip = |s: &str| {
            let mut v: serde_json::Value = serde_json::from_str(s).unwrap();
            v["query"] = serde_json::Value::Null;
            v["backend"] = serde_json::Value::Null;
            v.to_string()
        };
        assert_eq!(strip(&out.json), strip(&cpu));
    }
}

/// Limits that depend on the backend: `backend=gpu` takes the 10⁶-neuron flip-flop with a
/// batch of trials, a 10⁶-neuron drift and 100 times the CPU's training work, which the CPU (and `auto`, which may run there)
/// refuses with a message naming `backend=gpu`.
#[test]
fn the_gpu_lifts_the_size_limits_and_the_cpu_names_it() {
    let cases = [
        "exp=flipflop&neurons=1000000&steps=1500&trials=64",
        "exp=drift&neurons=1000000&steps=1000&after=1000&score=500",
        "exp=drift_sweep&neurons=1000,1000000&runs=2",
        // 8.7e12 multiply-adds of training: a dense N = 1000 teacher, batch 512, 50 epochs.
        "exp=train&neurons=1000&batch=512&epochs=50&fit_epochs=20",
    ];
    // A view's trained network trains on the CPU whatever the view's backend: the CPU's limit.
    let trained = "exp=flipflop&source=trained&train.neurons=1000&train.batch=512&train.epochs=50&train.fit_epochs=20";
    for backend in ["", "&backend=gpu"] {
        let e = lpu::parse_strict(&format!("{trained}{backend}")).err().expect("the CPU's training limit");
        assert_eq!(e.key, "train.epochs", "{}", e.message);
    }
    // Without the GPU backend, a training that only the GPU's limit allows is refused when it
    // runs, naming the backend.
    #[cfg(not(feature = "gpu"))]
    {
        let e = lpu::run_query("exp=train&neurons=1000&batch=512&epochs=50&fit_epochs=20&backend=gpu").err().unwrap();
        assert!(e.message.contains("no GPU can take this training"), "{}", e.message);
    }
    for q in cases {
        assert!(lpu::parse_strict(&format!("{q}&backend=gpu")).is_ok(), "{q} with backend=gpu");
        for backend in ["", "&backend=auto", "&backend=cpu"] {
            let e = lpu::parse_strict(&format!("{q}{backend}")).err().unwrap_or_else(|| panic!("{q}{backend} passed"));
            assert!(e.message.contains("backend=gpu"), "{q}{backend}: {}", e.message);
        }
    }
}

//! `lpu`: the explorer's experiments from the command line.
//!
//!   lpu run "<query>" [--format json|csv] [--network-in FILE] [--network-out FILE] [--pretty]
//!           [--memory-limit GIB|browser]
//!   lpu run "<query>" --shard I/N [--network-in FILE]
//!   lpu merge PART…
//!   lpu plot "<query>" [--network-in FILE] [--out DIR] [--width W] [--height H]
//!   lpu params [EXPERIMENT]
//!
//! The query is exactly the explorer's share-link query. Errors in the query exit with code 2
//! and one line naming the key and its allowed range; so does a network file (`--network-in`)
//! that is not a valid one, with one line saying what is wrong. A file that cannot be read or
//! written exits with code 1.

use std::process::ExitCode;

const USAGE: &str = "usage:
  lpu run \"<query>\" [--format json|csv] [--network-in FILE] [--network-out FILE] [--pretty]
          [--model-out FILE] [--data-out FILE.npy]   (exp=jedi: the fitted model; the recording
                                                    as .npy with its labels in FILE.json)
          [--model-in FILE]                          (exp=jedi: a model file as the fit of its
                                                    query, which then is not fitted again)
          [--memory-limit GIB|browser]               (refuse a run whose memory estimate is
                                                    over GIB, or over the page's 1.5 GiB)
                                                       run an experiment, print its result
                                                       document (JSON) or its main series (CSV)
  lpu run \"<query>\" --shard I/N [--network-in FILE]    run shard I of N of a sweep's cells, print
                                                       a partial document
  lpu merge PART…                                      print the whole sweep's document from
                                                       every shard's partial document
  lpu plot \"<query>\" [--network-in FILE] [--out DIR] [--width W] [--height H]
                                                       run it and write every plot as SVG
  lpu params [EXPERIMENT]                              list keys, defaults and allowed values

--network-in FILE gives the run a network file (as --network-out writes it) for
experiments run with source=network (source=trained trains the
network from the query's train.* keys, the keys of exp=train).
data=FILE in an exp=jedi&dataset=file query is the recording to fit (.npy trials × time ×
neurons, or CSV); labels=FILE its condition labels (one per line, or the JSON --data-out
writes, which FILE.npy's FILE.json is taken as when it exists).

examples:
  lpu run \"exp=flipflop&bits=2&neurons=100&seed=7\"
  lpu run \"exp=fixed_points&source=network\" --network-in net.json
  lpu run \"exp=jedi&dataset=file&data=rec.npy&zscore=1&bin=2\"
  lpu run \"exp=drift_sweep\" --shard 2/4 > part2.json   (and 1/4, 3/4, 4/4 elsewhere)
  lpu merge part*.json > sweep.json                     (the bytes of the unsharded run)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("plot") => plot(&args[1..]),
        Some("merge") => merge(&args[1..]),
        Some("params") => params(args.get(1).map(String::as_str)),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        _ => usage_error("expected a command"),
    }
}

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}

/// What a run is given from outside: the query (without `data` and `labels`), the network of
/// `--network-in`, and the recording file `data=FILE` names.
struct Inputs {
    query: String,
    network: Option<lpu::network::Network>,
    recording: Option<lpu::jedi::uploaded::Uploaded>,
}

impl Inputs {
    fn ctx(&self) -> lpu::experiments::RunCtx<'_> {
        let mut ctx = lpu::experiments::RunCtx::default();
        if let Some(net) = &self.network {
            ctx = ctx.with_network(net);
        }
        if let Some(rec) = &self.recording {
            ctx = ctx.with_recording(rec);
        }
        ctx
    }
}

/// Reads what the query and `--network-in` name; a missing or bad query or file is reported
/// (exit code 2; 1 for a file that cannot be read).
fn inputs(query: Option<String>, command: &str, network_in: Option<&str>) -> Result<Inputs, ExitCode> {
    let Some(query) = query else {
        return Err(usage_error(&format!("{command} needs a query, e.g. \"exp=flipflop\"")));
    };
    let network = network_of(network_in)?;
    if network.is_some() {
        // Only queries that ask for it run on the file; say so rather than ignore it silently.
        let asks = lpu::params::split_query(&query).0.iter().any(|(k, v)| k == "source" && v == "network");
        if !asks {
            eprintln!("note: --network-in is not used: this query does not say source=network");
        }
    }
    let (query, recording) = recording_of(&query).map_err(|(code, msg)| {
        eprintln!("error: {msg}");
        ExitCode::from(code)
    })?;
    Ok(Inputs { query, network, recording })
}

/// Takes `data=FILE` (and `labels=FILE`) out of the query and reads the recording they name;
/// without `labels`, a `.npy`'s sidecar `FILE.json` (as `--data-out` writes it) is used when
/// it exists. A share link's `data=<hash>` names a file the link cannot carry: it is refused
/// with a message saying what to give instead.
fn recording_of(query: &str) -> Result<(String, Option<lpu::jedi::uploaded::Uploaded>), (u8, String)> {
    // The share-link grammar (percent-decoding included); its errors are the query's to report.
    let pairs = lpu::params::split_query(query).0;
    let find = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let rest: Vec<String> =
        query.split('&').filter(|p| !p.starts_with("data=") && !p.starts_with("labels=")).map(String::from).collect();
    let Some(path) = find("data") else {
        if find("labels").is_some() {
            return Err((2, "labels=FILE needs data=FILE, the recording it labels".into()));
        }
        return Ok((query.to_string(), None));
    };
    let read = |p: &str, limit: usize| -> Result<Vec<u8>, (u8, String)> {
        use std::io::Read;
        let file = std::fs::File::open(p).map_err(|e| {
            let hint = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_hexdigit()) {
                " (a share link's data=<hash> names a file loaded in the page: give data=FILE, the path of that file)"
            } else {
                ""
            };
            (1, format!("cannot read recording file {p}: {e}{hint}"))
        })?;
        let mut bytes = vec![];
        file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(|e| (1, format!("cannot read {p}: {e}")))?;
        if bytes.len() > limit {
            return Err((2, format!("{p}: over the limit of {} MiB", limit >> 20)));
        }
        Ok(bytes)
    };
    let data = read(&path, lpu::jedi::uploaded::MAX_BYTES)?;
    let labels_path = find("labels").or_else(|| {
        let side = format!("{}.json", path.strip_suffix(".npy")?);
        std::path::Path::new(&side).exists().then(|| {
            eprintln!("note: condition labels and dt from {side}");
            side
        })
    });
    let labels = match &labels_path {
        Some(lp) => Some((lp.clone(), read(lp, lpu::jedi::uploaded::MAX_LABEL_BYTES)?)),
        None => None,
    };
    let up = lpu::jedi::uploaded::read(&path, &data, labels.as_ref().map(|(n, b)| (n.as_str(), b.as_slice())))
        .map_err(|e| (2, e))?;
    Ok((rest.join("&"), Some(up)))
}

/// Restores a JEDI model file as the finished fit of its query, and says so when `query` is
/// not that fit (it then fits anew).
fn restore_model(path: &str, query: &str) -> Result<(), ExitCode> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        eprintln!("error: cannot read model file {path}: {e}");
        ExitCode::from(1)
    })?;
    let restored = lpu::experiments::jedi::restore(&text).map_err(|e| {
        eprintln!("error: model file {path}: {e}");
        ExitCode::from(2)
    })?;
    let fit = |q: &str| -> Option<String> {
        let p = lpu::registry::parse_strict(q).ok()?.into_typed::<lpu::experiments::jedi::Jedi>()?;
        Some(p.fit_key(None))
    };
    let link = restored.link.split("&data=").next().unwrap_or_default();
    if fit(query).is_none() || fit(query) != fit(link) {
        eprintln!(
            "note: --model-in is not used: it is the fit of \"{}\", which this query does not name",
            restored.link
        );
    }
    Ok(())
}

/// Runs the inputs' query.
fn run_query(inputs: &Inputs) -> Result<lpu::Outcome, ExitCode> {
    lpu::registry::run_query_with(&inputs.query, &inputs.ctx()).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

/// The network of `--network-in`, if given, read and checked (a failure reported, with its exit
/// code).
fn network_of(network_in: Option<&str>) -> Result<Option<lpu::network::Network>, ExitCode> {
    network_in.map(read_network).transpose().map_err(|(code, msg)| {
        eprintln!("error: {msg}");
        ExitCode::from(code)
    })
}

/// Reads and checks a network file: the exit code and one line on failure (1: the file cannot
/// be read; 2: it is not a valid network file). A file over the size limit is refused by its
/// length, before it is read.
fn read_network(path: &str) -> Result<lpu::network::Network, (u8, String)> {
    use std::io::Read;
    let limit = lpu::netfile::MAX_BYTES;
    let too_big =
        |bytes: u64| (2, format!("network file {path}: over the limit of {} MiB ({bytes} bytes)", limit >> 20));
    let unreadable = |e: std::io::Error| (1, format!("cannot read network file {path}: {e}"));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let len = file.metadata().map_err(unreadable)?.len();
    if len > limit as u64 {
        return Err(too_big(len));
    }
    // At most one byte past the limit, in case the file grows while it is read.
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit as u64 + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    if bytes.len() > limit {
        return Err(too_big(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| (2, format!("network file {path}: not UTF-8 text (a network file is JSON)")))?;
    lpu::netfile::from_json(&text).map_err(|e| (2, format!("network file {path}: {e}")))
}

/// `--memory-limit`: GiB, or `browser` for the limit the page's workers enforce.
fn memory_limit(text: &str) -> Result<f64, String> {
    if text == "browser" {
        return Ok(lpu::memory::BROWSER_BYTES);
    }
    match text.parse::<f64>() {
        Ok(g) if g.is_finite() && g > 0.0 && g <= 1e6 => Ok(g * lpu::memory::GIB),
        _ => Err(format!("--memory-limit must be a size in GiB in (0, 1000000] (e.g. 8) or browser, got \"{text}\"")),
    }
}

fn run(args: &[String]) -> ExitCode {
    let mut query = None;
    let mut network_out = None;
    let mut network_in = None;
    let mut model_in: Option<String> = None;
    let mut pretty = false;
    let mut csv = false;
    let mut shard = None;
    let mut outs: Vec<(&str, String)> = vec![];
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--network-out" => match it.next() {
                Some(f) => network_out = Some(f.clone()),
                None => return usage_error("--network-out needs a file name"),
            },
            "--network-in" => match it.next() {
                Some(f) => network_in = Some(f.clone()),
                None => return usage_error("--network-in needs a file name"),
            },
            "--model-in" => match it.next() {
                Some(f) => model_in = Some(f.clone()),
                None => return usage_error("--model-in needs a file name"),
            },
            flag @ ("--model-out" | "--data-out") => match it.next() {
                Some(f) => outs.push((if flag == "--model-out" { "model" } else { "data" }, f.clone())),
                None => return usage_error(&format!("{flag} needs a file name")),
            },
            "--pretty" => pretty = true,
            "--memory-limit" => match it.next().map(|s| memory_limit(s)) {
                Some(Ok(bytes)) => lpu::memory::set_limit(bytes),
                Some(Err(e)) => return usage_error(&e),
                None => return usage_error("--memory-limit needs a size in GiB (e.g. 8) or browser"),
            },
            "--shard" => match it.next().map(|s| s.parse::<lpu::shard::Shard>()) {
                Some(Ok(s)) => shard = Some(s),
                Some(Err(e)) => return usage_error(&e),
                None => return usage_error("--shard needs I/N, e.g. 2/4"),
            },
            "--format" => match it.next().map(String::as_str) {
                Some("json") => csv = false,
                Some("csv") => csv = true,
                Some(other) => return usage_error(&format!("--format must be json or csv, got \"{other}\"")),
                None => return usage_error("--format needs json or csv"),
            },
            s if s.starts_with("--") => return usage_error(&format!("unknown option {s}")),
            s if query.is_none() => query = Some(s.to_string()),
            s => return usage_error(&format!("unexpected argument \"{s}\" (quote the query)")),
        }
    }
    if shard.is_some() && (csv || pretty || network_out.is_some() || !outs.is_empty()) {
        return usage_error("--shard writes a partial document: no --format, --pretty or --…-out");
    }
    let inputs = match inputs(query, "run", network_in.as_deref()) {
        Ok(i) => i,
        Err(code) => return code,
    };
    if let Some(shard) = shard {
        return run_shard(&inputs, shard);
    }
    if let Some(path) = &model_in {
        if let Err(code) = restore_model(path, &inputs.query) {
            return code;
        }
    }
    let outcome = match run_query(&inputs) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if let Some(s) = outcome.document.backend().and_then(|b| b.sentence()) {
        eprintln!("lpu: {s}");
    }
    if !outs.is_empty() {
        if let Err(code) = write_files(&inputs, &outs) {
            return code;
        }
    }
    if let Some(path) = network_out {
        if let Err(e) = std::fs::write(&path, lpu::netfile::to_json(&outcome.network)) {
            eprintln!("error: cannot write network file {path}: {e}");
            return ExitCode::from(1);
        }
    }
    let text = if csv {
        outcome.document.csv().to_string().trim_end().to_string()
    } else if pretty {
        let v: serde_json::Value = serde_json::from_str(&outcome.json).expect("valid JSON");
        serde_json::to_string_pretty(&v).expect("serialises")
    } else {
        outcome.json
    };
    print(&text)
}

/// Writes the files `--model-out` and `--data-out` ask for (a recording's labels go beside it
/// as JSON: `rec.npy` gets `rec.json`).
fn write_files(inputs: &Inputs, outs: &[(&str, String)]) -> Result<(), ExitCode> {
    let params = lpu::registry::parse_strict(&inputs.query).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    let files = params.files(&inputs.ctx());
    let find = |kind: &str| files.iter().find(|(k, _)| *k == kind).map(|(_, b)| b);
    for (kind, path) in outs {
        let Some(bytes) = find(kind) else {
            eprintln!("error: --{kind}-out: exp={} writes no {kind} file", params.entry().name());
            return Err(ExitCode::from(2));
        };
        let mut writes = vec![(path.clone(), bytes)];
        if *kind == "data" {
            if let Some(labels) = find("data-labels") {
                let stem = path.strip_suffix(".npy").unwrap_or(path);
                writes.push((format!("{stem}.json"), labels));
            }
        }
        for (p, b) in writes {
            if let Err(e) = std::fs::write(&p, b) {
                eprintln!("error: cannot write {p}: {e}");
                return Err(ExitCode::from(1));
            }
        }
    }
    Ok(())
}

/// Prints a line to stdout; a closed pipe (`lpu run … | head`) is the reader's choice, not an
/// error worth a panic.
fn print(text: &str) -> ExitCode {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}").and_then(|_| out.flush());
    ExitCode::SUCCESS
}

fn run_shard(inputs: &Inputs, shard: lpu::shard::Shard) -> ExitCode {
    match lpu::shard::run(&inputs.query, shard, &inputs.ctx()) {
        Ok(text) => print(&text),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn merge(args: &[String]) -> ExitCode {
    if args.is_empty() {
        return usage_error("merge needs the partial documents of every shard");
    }
    if let Some(flag) = args.iter().find(|a| a.starts_with("--")) {
        return usage_error(&format!("unknown option {flag}"));
    }
    let mut files = vec![];
    for path in args {
        match std::fs::read_to_string(path) {
            Ok(text) => files.push((path.clone(), text)),
            Err(e) => {
                eprintln!("error: cannot read {path}: {e}");
                return ExitCode::from(1);
            }
        }
    }
    match lpu::shard::merge(&files) {
        Ok(text) => print(&text),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn plot(args: &[String]) -> ExitCode {
    let mut query = None;
    let mut out = std::path::PathBuf::from(".");
    let mut size = (760u32, 460u32);
    let mut network_in = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--network-in" => match it.next() {
                Some(f) => network_in = Some(f.clone()),
                None => return usage_error("--network-in needs a file name"),
            },
            "--out" => match it.next() {
                Some(d) => out = d.into(),
                None => return usage_error("--out needs a directory"),
            },
            flag @ ("--width" | "--height") => {
                match it.next().and_then(|v| v.parse::<u32>().ok()).filter(|v| (200..=4000).contains(v)) {
                    Some(v) if flag == "--width" => size.0 = v,
                    Some(v) => size.1 = v,
                    None => return usage_error(&format!("{flag} needs an integer in 200..=4000")),
                }
            }
            s if s.starts_with("--") => return usage_error(&format!("unknown option {s}")),
            s if query.is_none() => query = Some(s.to_string()),
            s => return usage_error(&format!("unexpected argument \"{s}\" (quote the query)")),
        }
    }
    let inputs = match inputs(query, "plot", network_in.as_deref()) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let outcome = match run_query(&inputs) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let exp = outcome.document.entry().name();
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("error: cannot create {}: {e}", out.display());
        return ExitCode::from(1);
    }
    for name in outcome.document.entry().plots().iter().map(|p| p.name) {
        let fig = match outcome
            .document
            .render(name, &lpu::plot::PlotOptions { width: size.0, height: size.1, upto: None })
        {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: plot {name}: {e}");
                return ExitCode::from(1);
            }
        };
        let path = out.join(format!("{exp}-{name}.svg"));
        if let Err(e) = std::fs::write(&path, fig.svg) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
        println!("{}", path.display());
    }
    ExitCode::SUCCESS
}

fn params(exp: Option<&str>) -> ExitCode {
    let entries: Vec<&dyn lpu::registry::Entry> = match exp {
        None => lpu::registry::REGISTRY.to_vec(),
        Some(e) => match lpu::registry::find(e) {
            Some(entry) => vec![entry],
            None => {
                return usage_error(&format!(
                    "unknown experiment \"{e}\"; one of {}",
                    lpu::registry::names().join(", ")
                ))
            }
        },
    };
    for entry in entries {
        println!("exp={}  ({})", entry.name(), entry.title());
        for s in entry.specs() {
            println!("  {:<12} default {:<8} {}\n  {:<12} {}", s.key, s.default, s.allowed, "", s.help);
        }
    }
    ExitCode::SUCCESS
}

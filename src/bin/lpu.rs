//! `lpu`: the explorer's experiments from the command line.
//!
//!   lpu run "<query>" [--network-out FILE] [--pretty]
//!   lpu params [EXPERIMENT]
//!
//! The query is exactly the explorer's share-link query. Errors in the query exit with code 2
//! and one line naming the key and its allowed range.

use std::process::ExitCode;

const USAGE: &str = "usage:
  lpu run \"<query>\" [--network-out FILE] [--pretty]   run an experiment, print its result JSON
  lpu params [flipflop|timescale]                      list keys, defaults and allowed values

example:
  lpu run \"exp=flipflop&bits=2&neurons=100&seed=7\"";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
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

fn run(args: &[String]) -> ExitCode {
    let mut query = None;
    let mut network_out = None;
    let mut pretty = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--network-out" => match it.next() {
                Some(f) => network_out = Some(f.clone()),
                None => return usage_error("--network-out needs a file name"),
            },
            "--pretty" => pretty = true,
            s if s.starts_with("--") => return usage_error(&format!("unknown option {s}")),
            s if query.is_none() => query = Some(s.to_string()),
            s => return usage_error(&format!("unexpected argument \"{s}\" (quote the query)")),
        }
    }
    let Some(query) = query else { return usage_error("run needs a query, e.g. \"exp=flipflop\"") };
    let outcome = match lpu::run_query(&query) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(path) = network_out {
        if let Err(e) = std::fs::write(&path, lpu::netfile::to_json(&outcome.network)) {
            eprintln!("error: cannot write network file {path}: {e}");
            return ExitCode::from(1);
        }
    }
    if pretty {
        let v: serde_json::Value = serde_json::from_str(&outcome.json).expect("valid JSON");
        println!("{}", serde_json::to_string_pretty(&v).expect("serialises"));
    } else {
        println!("{}", outcome.json);
    }
    ExitCode::SUCCESS
}

fn params(exp: Option<&str>) -> ExitCode {
    let names: Vec<&str> = match exp {
        None => lpu::experiments::EXPERIMENTS.to_vec(),
        Some(e) if lpu::experiments::EXPERIMENTS.contains(&e) => vec![e],
        Some(e) => return usage_error(&format!("unknown experiment \"{e}\"; one of {}", lpu::experiments::EXPERIMENTS.join(", "))),
    };
    for name in names {
        println!("exp={name}");
        for s in lpu::experiments::specs(name) {
            println!("  {:<12} default {:<8} {}\n  {:<12} {}", s.key, s.default, s.allowed, "", s.help);
        }
    }
    ExitCode::SUCCESS
}

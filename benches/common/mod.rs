//! What the benchmarks share: their arguments, the NumPy reference run and the summary of
//! interleaved repeats. (A directory module, so cargo does not build it as a bench of its own.)
use std::process::Command;

/// `-- [FILTER] [repeats=N]`: the filter (if any) and the repeats (default 5, at least 1).
pub fn args() -> (Option<String>, usize) {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let repeats = args.iter().find_map(|a| a.strip_prefix("repeats=")).and_then(|v| v.parse().ok()).unwrap_or(5).max(1);
    (args.into_iter().find(|a| !a.starts_with("repeats=")), repeats)
}

/// The Python that runs the reference scripts: `LPU_BENCH_PYTHON` (for example a virtual
/// environment with PyTorch), else `python3`.
pub fn interpreter() -> String {
    std::env::var("LPU_BENCH_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Whether that Python imports `module`.
#[allow(dead_code)] // not every bench has an optional reference
pub fn has_module(module: &str) -> bool {
    Command::new(interpreter()).args(["-c", &format!("import {module}")]).output().is_ok_and(|o| o.status.success())
}

/// The number a NumPy reference script prints (NaN when python3 or NumPy is missing).
#[allow(dead_code)] // the GPU bench has no Python reference
pub fn python(script: &str, args: &[&str]) -> f64 {
    python_text(script, args).parse().unwrap_or(f64::NAN)
}

/// What a reference script prints, trimmed ("(python3 or NumPy missing)" when it prints
/// nothing).
#[allow(dead_code)] // the GPU bench has no Python reference
pub fn python_text(script: &str, args: &[&str]) -> String {
    let out = Command::new(interpreter()).arg(script).args(args).output().ok();
    let text = out.and_then(|o| String::from_utf8(o.stdout).ok()).unwrap_or_default();
    let text = text.trim();
    if text.is_empty() {
        "(python3 or NumPy missing)".into()
    } else {
        text.into()
    }
}

/// What repeated runs of one case give: their min, median and spread.
pub struct Summary {
    pub min: f64,
    pub median: f64,
    /// (max − min) / median, in per cent: how much this machine moved during the runs.
    pub spread: f64,
}

impl Summary {
    /// Min, median and spread as three right-aligned cells, numbers `width` wide with
    /// `precision` decimals.
    pub fn cells(&self, width: usize, precision: usize) -> String {
        format!("{:>width$.precision$} {:>width$.precision$} {:>6.0}%", self.min, self.median, self.spread)
    }
}

/// The summary of the runs (NaN runs, from a missing reference, give NaN).
pub fn summary(mut v: Vec<f64>) -> Summary {
    v.sort_by(|a, b| a.total_cmp(b));
    let (min, max, median) = (v[0], v[v.len() - 1], v[v.len() / 2]);
    Summary { min, median, spread: 100.0 * (max - min) / median }
}

/// Column titles for [`Summary::cells`]: `who` min, med and spread.
#[allow(dead_code)] // the train bench titles its columns by reference
pub fn titles(who: &str, width: usize) -> String {
    format!("{:>width$} {:>width$} {:>7}", format!("{who} min"), format!("{who} med"), "spread")
}

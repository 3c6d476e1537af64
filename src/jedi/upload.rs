//! Recordings from uploaded files: a NumPy `.npy` array (with an optional file of condition
//! labels) or a CSV table in a long or a wide layout, checked against the limits of
//! [`Recording`] and prepared for fitting (binned, smoothed, z-scored).
//!
//! Every message here is shown to a person in the web page, so each names what is wrong, where
//! (a CSV line, a trial, time and neuron), and what is allowed. Counts are written with their
//! digits grouped by spaces (`16 777 216`). No input panics, and nothing larger than the
//! limits is allocated.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::jedi::recording::{Recording, MAX_NEURONS, MAX_STEPS, MAX_TRIALS, MAX_VALUES};
use crate::npy::{self, grouped};

/// Fewest trials a fit can use: the analyses compare trials and hold some out.
const MIN_TRIALS: usize = 2;
/// Fewest time steps per trial (one step has no dynamics).
const MIN_STEPS: usize = 2;
/// A neuron whose s.d. is below this fraction of its largest magnitude counts as constant when
/// z-scored.
const CONSTANT: f64 = 1e-12;
/// Most multiply-adds [`prepare`]'s smoothing may cost (about a second in a wasm worker).
const SMOOTH_WORK: u64 = 1 << 30;

/// How an uploaded recording is prepared before fitting.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Prepare {
    /// Time steps per bin: each bin holds the mean of `bin` consecutive steps and a trailing
    /// partial bin is dropped; 1 = no binning.
    pub bin: usize,
    /// S.d. of a Gaussian smoothing kernel along time, in bins (after binning); 0 = none. The
    /// kernel is truncated at 3 s.d. and renormalised where it runs past a trial's edges.
    pub smooth: f64,
    /// Whether each neuron is z-scored over all trials and steps (population s.d.); a neuron
    /// with zero variance (an s.d. below 10⁻¹² of its largest magnitude) becomes zeros.
    pub zscore: bool,
}

impl Default for Prepare {
    /// Nothing done: bin 1, no smoothing, no z-scoring.
    fn default() -> Self {
        Prepare { bin: 1, smooth: 0.0, zscore: false }
    }
}

/// `n` and the word, plural unless `n` is 1: `1 trial`, `5 000 trials`.
fn count(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", grouped(n))
    }
}

fn check_dt(dt: f64) -> Result<(), String> {
    if dt.is_finite() && dt > 0.0 {
        Ok(())
    } else {
        Err(format!("dt (the time between steps) must be a positive number of seconds; got {dt}"))
    }
}

/// The limits every recording meets, checked before its values are allocated.
fn check_shape(trials: usize, steps: usize, neurons: usize) -> Result<(), String> {
    if trials == 0 || steps == 0 || neurons == 0 {
        return Err(format!(
            "the recording is empty: it has {} × {} × {}; each needs at least 1",
            count(trials as u64, "trial"),
            count(steps as u64, "time step"),
            count(neurons as u64, "neuron")
        ));
    }
    if trials > MAX_TRIALS {
        return Err(format!(
            "the recording has {} trials, more than the limit {}",
            grouped(trials as u64),
            grouped(MAX_TRIALS as u64)
        ));
    }
    if steps > MAX_STEPS {
        return Err(format!(
            "the recording has {} time steps per trial, more than the limit {}",
            grouped(steps as u64),
            grouped(MAX_STEPS as u64)
        ));
    }
    if neurons > MAX_NEURONS {
        return Err(format!(
            "the recording has {} neurons, more than the limit {}",
            grouped(neurons as u64),
            grouped(MAX_NEURONS as u64)
        ));
    }
    let values = trials as u64 * steps as u64 * neurons as u64;
    if values > MAX_VALUES as u64 {
        return Err(format!(
            "the recording has {} values (trials × time × neurons), more than the limit {}",
            grouped(values),
            grouped(MAX_VALUES as u64)
        ));
    }
    if trials < MIN_TRIALS {
        return Err(format!(
            "the recording has {}; at least {MIN_TRIALS} are needed (at most {})",
            count(trials as u64, "trial"),
            grouped(MAX_TRIALS as u64)
        ));
    }
    if steps < MIN_STEPS {
        return Err(format!(
            "each trial has {}; at least {MIN_STEPS} are needed (at most {})",
            count(steps as u64, "time step"),
            grouped(MAX_STEPS as u64)
        ));
    }
    Ok(())
}

/// Refuses NaN and infinite values, naming the first (0-based; with the file's own trial number
/// when `trial_ids` are given) and how many there are.
fn check_finite(data: &[f64], steps: usize, neurons: usize, trial_ids: Option<&[i64]>) -> Result<(), String> {
    let Some(first) = data.iter().position(|v| !v.is_finite()) else {
        return Ok(());
    };
    let bad = data[first..].iter().filter(|v| !v.is_finite()).count();
    let per_trial = (steps * neurons).max(1);
    let trial = first / per_trial;
    let step = first % per_trial / neurons.max(1);
    let neuron = first % neurons.max(1);
    let id = match trial_ids.and_then(|ids| ids.get(trial)) {
        Some(id) => format!(" (trial {id} in the file)"),
        None => String::new(),
    };
    let at = format!("trial {trial}{id}, time {step}, neuron {neuron} (0-based)");
    let what = if bad == 1 {
        format!("1 value is NaN or infinite, at {at}")
    } else {
        format!("{} values are NaN or infinite, the first at {at}", grouped(bad as u64))
    };
    Err(format!("{what}; every value must be a finite number"))
}

/// One condition label per trial from the labels text: one per line, or comma-separated on a
/// single line; blank lines are ignored and a label's surrounding quotes dropped.
fn parse_labels(text: &str, trials: usize) -> Result<Vec<String>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let mut labels: Vec<&str> = match lines.as_slice() {
        [one] if one.contains(',') => one.split(',').map(str::trim).collect(),
        _ => lines,
    };
    if labels.len() > 1 && labels.last() == Some(&"") {
        labels.pop();
    }
    if let Some(k) = labels.iter().position(|l| l.is_empty()) {
        return Err(format!("label {} in the comma-separated list of labels is empty", k + 1));
    }
    if labels.len() != trials {
        return Err(format!(
            "the labels give {} but the array has {}; give one condition label per trial (one per \
             line, or comma-separated on one line)",
            count(labels.len() as u64, "label"),
            count(trials as u64, "trial")
        ));
    }
    Ok(labels.iter().map(|l| unquote(l).to_string()).collect())
}

fn unquote(s: &str) -> &str {
    match s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => inner,
        None => s,
    }
}

/// A recording from a .npy file of shape trials × time × neurons (a 2-D time × neurons array is
/// one trial, which is refused with a message since at least 2 trials are needed). `labels`:
/// optional text with one condition label per trial (one per line, or comma-separated on one
/// line; blank lines ignored); without it every trial's condition is "all". `dt`: seconds per
/// time step of the file (must be > 0 and finite). Any dtype [`npy::read`] reads is accepted.
pub fn from_npy(bytes: &[u8], labels: Option<&str>, dt: f64) -> Result<Recording, String> {
    check_dt(dt)?;
    let array = npy::read(bytes, MAX_VALUES)?;
    let (trials, steps, neurons) = match *array.shape.as_slice() {
        [t, s, n] => (t, s, n),
        [s, n] => {
            if s > 0 && n > 0 {
                return Err(format!(
                    "the file holds a 2-D array ({s} time steps × {n} neurons), which is a single trial; at \
                     least {MIN_TRIALS} trials are needed: save a 3-D array trials × time × neurons"
                ));
            }
            (1, s, n)
        }
        _ => {
            let shape: Vec<String> = array.shape.iter().map(|d| d.to_string()).collect();
            return Err(format!(
                "the array needs 3 dimensions (trials × time × neurons) or 2 (time × neurons), the file has {} \
                 (shape {})",
                array.shape.len(),
                if shape.is_empty() { "()".to_string() } else { shape.join(" × ") }
            ));
        }
    };
    check_shape(trials, steps, neurons)?;
    check_finite(&array.data, steps, neurons, None)?;
    let conditions = match labels {
        Some(text) => parse_labels(text, trials)?,
        None => vec!["all".to_string(); trials],
    };
    Ok(Recording { trials, steps, neurons, dt, data: array.data, conditions, phases: vec![] })
}

/// The cells of one CSV line split at `delim`, trimmed, with double quotes honoured (`""` is a
/// quote inside a quoted cell).
fn split_cells<'a>(line: &'a str, delim: char, line_no: usize, out: &mut Vec<Cow<'a, str>>) -> Result<(), String> {
    out.clear();
    if !line.contains('"') {
        out.extend(line.split(delim).map(|c| Cow::Borrowed(c.trim())));
        return Ok(());
    }
    let mut cell = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    cell.push('"');
                } else {
                    quoted = false;
                }
            } else {
                cell.push(c);
            }
        } else if c == '"' {
            quoted = true;
        } else if c == delim {
            out.push(Cow::Owned(cell.trim().to_string()));
            cell.clear();
        } else {
            cell.push(c);
        }
    }
    if quoted {
        return Err(format!("line {line_no}: a quoted cell is not closed"));
    }
    out.push(Cow::Owned(cell.trim().to_string()));
    Ok(())
}

/// The CSV's lines with their 1-based numbers, blank ones left out.
fn csv_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, l.strip_suffix('\r').unwrap_or(l)))
        .filter(|(_, l)| !l.trim().is_empty())
}

/// Calls `row` with each data row's line number and cells, after checking its cell count.
fn for_each_row<'a>(
    text: &'a str,
    delim: char,
    columns: usize,
    mut row: impl FnMut(usize, &[Cow<'a, str>]) -> Result<(), String>,
) -> Result<(), String> {
    let mut cells = Vec::with_capacity(columns);
    for (line_no, line) in csv_lines(text).skip(1) {
        split_cells(line, delim, line_no, &mut cells)?;
        if cells.len() != columns {
            return Err(format!(
                "line {line_no} has {} but the header has {}; every row needs one cell per column",
                count(cells.len() as u64, "cell"),
                count(columns as u64, "column")
            ));
        }
        row(line_no, &cells)?;
    }
    Ok(())
}

fn number(cell: &str, line_no: usize, column: &str) -> Result<f64, String> {
    if cell.is_empty() {
        return Err(format!("line {line_no}, column '{column}': the cell is empty; it must be a number"));
    }
    cell.parse::<f64>().map_err(|_| format!("line {line_no}, column '{column}': '{cell}' is not a number"))
}

fn integer(cell: &str, line_no: usize, column: &str) -> Result<i64, String> {
    let v = number(cell, line_no, column)?;
    if v.is_finite() && v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
        Ok(v as i64)
    } else {
        Err(format!("line {line_no}, column '{column}': '{cell}' is not an integer"))
    }
}

/// A 0-based index below `limit` (`what`: the plural noun it counts).
fn index(cell: &str, line_no: usize, column: &str, limit: usize, what: &str) -> Result<usize, String> {
    let i =
        integer(cell, line_no, column).map_err(|e| format!("{e}: the long layout's {column} is a 0-based index"))?;
    if i < 0 {
        return Err(format!("line {line_no}, column '{column}': {i} is not a 0-based index (0, 1, 2, …)"));
    }
    if i as u64 >= limit as u64 {
        return Err(format!(
            "line {line_no}, column '{column}': index {} is beyond the limit of {} {what} (indices 0 to {})",
            grouped(i as u64),
            grouped(limit as u64),
            grouped(limit as u64 - 1)
        ));
    }
    Ok(i as usize)
}

/// What the first pass learns about a trial.
struct TrialInfo {
    condition: Option<String>,
    /// The line of its first row.
    line: usize,
    /// Its rows.
    rows: usize,
}

/// Records a row of trial `id` in `trials`, checking the trial count and that the condition
/// stays the same within the trial.
fn note_trial(
    trials: &mut BTreeMap<i64, TrialInfo>,
    id: i64,
    condition: Option<&str>,
    line_no: usize,
) -> Result<usize, String> {
    if !trials.contains_key(&id) && trials.len() >= MAX_TRIALS {
        return Err(format!(
            "the recording has more than {} trials (line {line_no} starts another), more than the limit {}",
            grouped(MAX_TRIALS as u64),
            grouped(MAX_TRIALS as u64)
        ));
    }
    let info =
        trials.entry(id).or_insert(TrialInfo { condition: condition.map(str::to_string), line: line_no, rows: 0 });
    if let (Some(had), Some(now)) = (&info.condition, condition) {
        if had != now {
            return Err(format!(
                "line {line_no}: trial {id} has condition '{now}' here but '{had}' on line {}; the condition must \
                 be the same on every row of a trial",
                info.line
            ));
        }
    }
    info.rows += 1;
    Ok(info.rows)
}

fn condition_cell<'c>(cells: &'c [Cow<str>], col: Option<usize>, line_no: usize) -> Result<Option<&'c str>, String> {
    let Some(c) = col else { return Ok(None) };
    let cell = cells.get(c).map(|c| c.as_ref()).unwrap_or("");
    if cell.is_empty() {
        return Err(format!(
            "line {line_no}, column 'condition': the cell is empty; give every trial a condition label"
        ));
    }
    Ok(Some(cell))
}

/// The layout of a CSV file as its header row names it.
struct Columns {
    delim: char,
    names: Vec<String>,
    trial: usize,
    time: usize,
    condition: Option<usize>,
    /// `Some((neuron, value))` for the long layout.
    long: Option<(usize, usize)>,
    /// The neuron columns of the wide layout.
    wide: Vec<usize>,
}

fn read_header(text: &str) -> Result<Columns, String> {
    let Some((line_no, header)) = csv_lines(text).next() else {
        return Err("the CSV file is empty: it needs a header row (trial,time,neuron,value or trial,time and one \
                    column per neuron) and data rows"
            .into());
    };
    // A semicolon or tab file (a spreadsheet's export in some locales) is read as well.
    let delim = [',', ';', '\t'].into_iter().find(|&d| header.contains(d)).unwrap_or(',');
    let mut cells = Vec::new();
    split_cells(header, delim, line_no, &mut cells)?;
    let names: Vec<String> = cells.iter().map(|c| c.to_lowercase()).collect();
    for (k, name) in names.iter().enumerate() {
        if name.is_empty() {
            return Err(format!(
                "column {} of the CSV header has no name (pandas writes its index there: save with index=False)",
                k + 1
            ));
        }
        if names[..k].contains(name) {
            return Err(format!("the CSV header names column '{name}' twice"));
        }
    }
    let find = |n: &str| names.iter().position(|c| c == n);
    let (trial, time) = match (find("trial"), find("time")) {
        (Some(trial), Some(time)) => (trial, time),
        (trial, _) => {
            let missing = if trial.is_none() { "trial" } else { "time" };
            return Err(format!(
                "the CSV header has no '{missing}' column; it needs trial,time,neuron,value (long layout) or \
                 trial,time and one column per neuron (wide layout), optionally with condition; it has: {}",
                names.join(", ")
            ));
        }
    };
    let condition = find("condition");
    let (long, wide) = match (find("neuron"), find("value")) {
        (Some(neuron), Some(value)) => {
            if let Some(extra) =
                names.iter().find(|n| !["trial", "time", "neuron", "value", "condition"].contains(&n.as_str()))
            {
                return Err(format!(
                    "the CSV header has a column '{extra}' that the long layout does not use; its columns are \
                     trial, time, neuron, value and optionally condition"
                ));
            }
            (Some((neuron, value)), vec![])
        }
        (Some(_), None) | (None, Some(_)) => {
            let (has, lacks) = if find("neuron").is_some() { ("neuron", "value") } else { ("value", "neuron") };
            return Err(format!(
                "the CSV header has a '{has}' column but no '{lacks}' column: the long layout needs trial, time, \
                 neuron and value"
            ));
        }
        (None, None) => {
            let wide: Vec<usize> =
                (0..names.len()).filter(|&k| k != trial && k != time && Some(k) != condition).collect();
            if wide.is_empty() {
                return Err("the CSV header has no neuron columns: the wide layout needs trial, time and one column \
                            per neuron (or use the long layout trial,time,neuron,value)"
                    .into());
            }
            if wide.len() > MAX_NEURONS {
                return Err(format!(
                    "the recording has {} neurons, more than the limit {}",
                    grouped(wide.len() as u64),
                    grouped(MAX_NEURONS as u64)
                ));
            }
            (None, wide)
        }
    };
    Ok(Columns { delim, names, trial, time, condition, long, wide })
}

/// A recording from CSV text. Two layouts, told apart by the header row (case-insensitive
/// names):
/// long: columns `trial,time,neuron,value` (optionally `condition`): one row per trial, time
/// step and neuron; time and neuron are 0-based integer indices (every (trial,time,neuron) must
/// appear exactly once);
/// wide: columns `trial,time` (optionally `condition`) followed by one column per neuron: one
/// row per time step of a trial; a trial's rows are put in order of their `time` (any distinct
/// numbers, such as seconds; `dt` still gives the step).
/// Trials are numbered by their integer `trial` value (sorted ascending), conditions come from
/// the `condition` column (must be constant within a trial) or are "all". Commas separate cells
/// (semicolons or tabs when the header has no comma); double quotes may enclose a cell; blank
/// lines are skipped.
pub fn from_csv(text: &str, dt: f64) -> Result<Recording, String> {
    check_dt(dt)?;
    let cols = read_header(text)?;
    match cols.long {
        Some((neuron, value)) => long_csv(text, &cols, neuron, value, dt),
        None => wide_csv(text, &cols, dt),
    }
}

/// The trials in ascending order of their number: their ids and conditions.
fn trial_order(trials: BTreeMap<i64, TrialInfo>) -> (Vec<i64>, Vec<String>) {
    trials.into_iter().map(|(id, info)| (id, info.condition.unwrap_or_else(|| "all".to_string()))).unzip()
}

fn long_csv(text: &str, cols: &Columns, neuron_col: usize, value_col: usize, dt: f64) -> Result<Recording, String> {
    let width = cols.names.len();
    let mut trials = BTreeMap::new();
    let (mut max_step, mut max_neuron, mut rows) = (0usize, 0usize, 0u64);
    for_each_row(text, cols.delim, width, |line_no, cells| {
        let id = integer(&cells[cols.trial], line_no, "trial")?;
        max_step = max_step.max(index(&cells[cols.time], line_no, "time", MAX_STEPS, "time steps")?);
        max_neuron = max_neuron.max(index(&cells[neuron_col], line_no, "neuron", MAX_NEURONS, "neurons")?);
        number(&cells[value_col], line_no, "value")?;
        note_trial(&mut trials, id, condition_cell(cells, cols.condition, line_no)?, line_no)?;
        rows += 1;
        Ok(())
    })?;
    if rows == 0 {
        return Err("the CSV file has a header but no data rows".into());
    }
    let (n_trials, steps, neurons) = (trials.len(), max_step + 1, max_neuron + 1);
    check_shape(n_trials, steps, neurons)?;
    let slot: BTreeMap<i64, usize> = trials.keys().enumerate().map(|(k, &id)| (id, k)).collect();
    let total = n_trials * steps * neurons;
    let mut data = vec![0.0; total];
    let mut seen = vec![false; total];
    for_each_row(text, cols.delim, width, |line_no, cells| {
        let id = integer(&cells[cols.trial], line_no, "trial")?;
        let step = index(&cells[cols.time], line_no, "time", MAX_STEPS, "time steps")?;
        let neuron = index(&cells[neuron_col], line_no, "neuron", MAX_NEURONS, "neurons")?;
        let k = slot.get(&id).copied().unwrap_or(0);
        let at = (k * steps + step) * neurons + neuron;
        if seen[at] {
            let first = first_line_of(text, cols, neuron_col, (id, step, neuron)).unwrap_or(0);
            return Err(format!(
                "line {line_no} repeats trial {id}, time {step}, neuron {neuron} of line {first}; the long layout \
                 needs each (trial, time, neuron) exactly once"
            ));
        }
        seen[at] = true;
        data[at] = number(&cells[value_col], line_no, "value")?;
        Ok(())
    })?;
    let (ids, conditions) = trial_order(trials);
    if let Some(gap) = seen.iter().position(|s| !s) {
        let others = seen.iter().filter(|s| !**s).count() - 1;
        let id = ids.get(gap / (steps * neurons)).copied().unwrap_or(0);
        let also = if others == 0 {
            String::new()
        } else if others == 1 {
            " (nor does 1 other (trial, time, neuron) combination)".to_string()
        } else {
            format!(" (nor do {} other (trial, time, neuron) combinations)", grouped(others as u64))
        };
        return Err(format!(
            "trial {id}, time {}, neuron {} has no row{also}; the long layout needs one row for every trial, time \
             step and neuron",
            gap / neurons % steps,
            gap % neurons
        ));
    }
    check_finite(&data, steps, neurons, Some(&ids))?;
    Ok(Recording { trials: n_trials, steps, neurons, dt, data, conditions, phases: vec![] })
}

/// The line of the first row with this (trial, time, neuron), for a duplicate's message.
fn first_line_of(text: &str, cols: &Columns, neuron_col: usize, key: (i64, usize, usize)) -> Option<usize> {
    let mut found = None;
    let _ = for_each_row(text, cols.delim, cols.names.len(), |line_no, cells| {
        let t = integer(&cells[cols.trial], line_no, "trial")?;
        let s = index(&cells[cols.time], line_no, "time", MAX_STEPS, "time steps")?;
        let n = index(&cells[neuron_col], line_no, "neuron", MAX_NEURONS, "neurons")?;
        if (t, s, n) == key {
            found = Some(line_no);
            return Err(String::new());
        }
        Ok(())
    });
    found
}

fn wide_csv(text: &str, cols: &Columns, dt: f64) -> Result<Recording, String> {
    let width = cols.names.len();
    let neurons = cols.wide.len();
    let mut trials = BTreeMap::new();
    for_each_row(text, cols.delim, width, |line_no, cells| {
        let id = integer(&cells[cols.trial], line_no, "trial")?;
        let time = number(&cells[cols.time], line_no, "time")?;
        if !time.is_finite() {
            return Err(format!("line {line_no}, column 'time': the time must be a finite number"));
        }
        for &c in &cols.wide {
            number(&cells[c], line_no, &cols.names[c])?;
        }
        let rows = note_trial(&mut trials, id, condition_cell(cells, cols.condition, line_no)?, line_no)?;
        if rows > MAX_STEPS {
            return Err(format!(
                "trial {id} has more than {} rows (time steps), more than the limit {}",
                grouped(MAX_STEPS as u64),
                grouped(MAX_STEPS as u64)
            ));
        }
        Ok(())
    })?;
    let Some((&first_id, first)) = trials.iter().next() else {
        return Err("the CSV file has a header but no data rows".into());
    };
    let steps = first.rows;
    if let Some((id, info)) = trials.iter().find(|(_, info)| info.rows != steps) {
        return Err(format!(
            "trial {id} has {} but trial {first_id} has {}; every trial needs the same number of time steps (rows)",
            count(info.rows as u64, "time step"),
            count(steps as u64, "time step")
        ));
    }
    let n_trials = trials.len();
    check_shape(n_trials, steps, neurons)?;
    let mut slot: BTreeMap<i64, (usize, usize)> = trials.keys().enumerate().map(|(k, &id)| (id, (k, 0))).collect();
    let mut data = vec![0.0; n_trials * steps * neurons];
    let mut times = vec![0.0; n_trials * steps];
    for_each_row(text, cols.delim, width, |line_no, cells| {
        let id = integer(&cells[cols.trial], line_no, "trial")?;
        let Some((k, filled)) = slot.get_mut(&id) else { return Ok(()) };
        let row = *k * steps + *filled;
        *filled += 1;
        if let Some(t) = times.get_mut(row) {
            *t = number(&cells[cols.time], line_no, "time")?;
        }
        for (j, &c) in cols.wide.iter().enumerate() {
            if let Some(v) = data.get_mut(row * neurons + j) {
                *v = number(&cells[c], line_no, &cols.names[c])?;
            }
        }
        Ok(())
    })?;
    let (ids, conditions) = trial_order(trials);
    for (k, &id) in ids.iter().enumerate() {
        let t = &times[k * steps..(k + 1) * steps];
        if t.windows(2).all(|w| w[0] < w[1]) {
            continue;
        }
        let mut order: Vec<usize> = (0..steps).collect();
        order.sort_by(|&a, &b| t[a].total_cmp(&t[b]));
        if let Some(w) = order.windows(2).find(|w| t[w[0]] == t[w[1]]) {
            return Err(format!(
                "trial {id} has two rows at time {}; each row of a trial must have its own time",
                t[w[0]]
            ));
        }
        let block = &mut data[k * steps * neurons..(k + 1) * steps * neurons];
        let mut sorted = Vec::with_capacity(block.len());
        for &r in &order {
            sorted.extend_from_slice(&block[r * neurons..(r + 1) * neurons]);
        }
        block.copy_from_slice(&sorted);
    }
    check_finite(&data, steps, neurons, Some(&ids))?;
    Ok(Recording { trials: n_trials, steps, neurons, dt, data, conditions, phases: vec![] })
}

/// Bins, smooths and z-scores a recording (in that order); dt becomes dt × bin. Refuses a bin
/// of 0 or one that leaves fewer than 2 bins per trial, a negative or non-finite `smooth`, and
/// a smoothing whose work (values × kernel width) passes a budget of 2³⁰ multiply-adds. Sums
/// run in a fixed order and exponentials come from `libm`, so the result is the same natively
/// and in wasm.
pub fn prepare(rec: &Recording, p: &Prepare) -> Result<Recording, String> {
    let (trials, steps, neurons) = (rec.trials, rec.steps, rec.neurons);
    let expected = trials.checked_mul(steps).and_then(|v| v.checked_mul(neurons));
    if expected != Some(rec.data.len()) || neurons == 0 {
        return Err(format!(
            "the recording is inconsistent: it holds {} values for {} × {} × {}",
            grouped(rec.data.len() as u64),
            count(trials as u64, "trial"),
            count(steps as u64, "time step"),
            count(neurons as u64, "neuron")
        ));
    }
    if p.bin == 0 {
        return Err("bin must be at least 1 time step (1 = no binning); got 0".into());
    }
    let max_bin = steps / MIN_STEPS;
    if p.bin > steps {
        return Err(format!(
            "bin {} is larger than the {} of a trial; it can be at most {} (to leave {MIN_STEPS} bins)",
            grouped(p.bin as u64),
            count(steps as u64, "time step"),
            grouped(max_bin as u64)
        ));
    }
    let bins = steps / p.bin;
    if bins < MIN_STEPS {
        return Err(format!(
            "a bin of {} leaves {} of a trial's {}; at least {MIN_STEPS} are needed, so bin can be at most {}",
            count(p.bin as u64, "time step"),
            count(bins as u64, "bin"),
            count(steps as u64, "time step"),
            grouped(max_bin as u64)
        ));
    }
    if !(p.smooth.is_finite() && p.smooth >= 0.0) {
        return Err(format!(
            "smooth (the s.d. of the Gaussian kernel, in bins) must be a finite number ≥ 0 (0 = none); got {}",
            p.smooth
        ));
    }
    // The kernel's half-width in bins: 3 s.d., no wider than the trial (beyond, it adds nothing).
    let reach = (3.0 * p.smooth).floor().min((bins - 1) as f64) as usize;
    let work = (trials * bins * neurons) as u64 * (2 * reach as u64 + 1).min(bins as u64);
    if reach > 0 && work > SMOOTH_WORK {
        return Err(format!(
            "smoothing with s.d. {} bins over {} values needs {} multiply-adds, more than the budget {}; use a \
             smaller smooth or a larger bin",
            p.smooth,
            grouped((trials * bins * neurons) as u64),
            grouped(work),
            grouped(SMOOTH_WORK)
        ));
    }

    let mut data = vec![0.0; trials * bins * neurons];
    for t in 0..trials {
        let src = &rec.data[t * steps * neurons..(t + 1) * steps * neurons];
        for b in 0..bins {
            let out = &mut data[(t * bins + b) * neurons..(t * bins + b + 1) * neurons];
            for s in b * p.bin..(b + 1) * p.bin {
                for (o, x) in out.iter_mut().zip(&src[s * neurons..(s + 1) * neurons]) {
                    *o += x;
                }
            }
            for o in out.iter_mut() {
                *o /= p.bin as f64;
            }
        }
    }

    if reach > 0 {
        let weights: Vec<f64> =
            (0..=reach).map(|k| libm::exp(-((k * k) as f64) / (2.0 * p.smooth * p.smooth))).collect();
        let mut row = vec![0.0; neurons];
        let mut smoothed = vec![0.0; trials * bins * neurons];
        for t in 0..trials {
            let block = &data[t * bins * neurons..(t + 1) * bins * neurons];
            for b in 0..bins {
                row.iter_mut().for_each(|v| *v = 0.0);
                let mut norm = 0.0;
                for j in b.saturating_sub(reach)..(b + reach + 1).min(bins) {
                    let w = weights[b.abs_diff(j)];
                    norm += w;
                    for (r, x) in row.iter_mut().zip(&block[j * neurons..(j + 1) * neurons]) {
                        *r += w * x;
                    }
                }
                let out = &mut smoothed[(t * bins + b) * neurons..(t * bins + b + 1) * neurons];
                for (o, r) in out.iter_mut().zip(&row) {
                    *o = r / norm;
                }
            }
        }
        data = smoothed;
    }

    if p.zscore {
        zscore(&mut data, neurons);
    }
    Ok(Recording {
        trials,
        steps: bins,
        neurons,
        dt: rec.dt * p.bin as f64,
        data,
        conditions: rec.conditions.clone(),
        phases: rec.phases.clone(),
    })
}

/// Each neuron (column of the rows of `neurons` values) to mean 0 and population s.d. 1. A
/// neuron whose s.d. is below [`CONSTANT`] times its largest magnitude becomes zeros: it is
/// constant but for rounding (a smoothed constant differs from itself in the last bits).
fn zscore(data: &mut [f64], neurons: usize) {
    let rows = data.len() / neurons;
    if rows == 0 {
        return;
    }
    for n in 0..neurons {
        let column = || data.iter().skip(n).step_by(neurons);
        let mean = column().sum::<f64>() / rows as f64;
        let largest = column().fold(0.0f64, |m, &x| m.max(x.abs()));
        // Scaled by the largest deviation so that squares of large values cannot overflow.
        let scale = column().fold(0.0f64, |m, &x| m.max((x - mean).abs()));
        let sd = if scale > 0.0 {
            scale * (column().map(|&x| ((x - mean) / scale) * ((x - mean) / scale)).sum::<f64>() / rows as f64).sqrt()
        } else {
            0.0
        };
        let constant = !(sd > CONSTANT * largest && sd.is_finite());
        for x in data.iter_mut().skip(n).step_by(neurons) {
            *x = if constant { 0.0 } else { (*x - mean) / sd };
        }
    }
}

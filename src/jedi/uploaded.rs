//! A recording file given by the user (dropped on the page, or `data=FILE` to `lpu run`): its
//! format told from its bytes, its optional labels file (plain labels or the JSON sidecar
//! `--data-out` writes), and the hash a share link names it by. Files never travel in links.

use crate::jedi::recording::Recording;
use crate::jedi::upload;
use crate::npy::grouped;

/// Largest recording file read (a float64 .npy of 2²⁴ values is 128 MiB, plus its header; a
/// CSV of that many values is larger, but any CSV over this is over the value limit too).
pub const MAX_BYTES: usize = 160 << 20;
/// Largest labels file read.
pub const MAX_LABEL_BYTES: usize = 16 << 20;

/// A recording read from a file, before the keys' binning, smoothing and scaling.
#[derive(Clone, Debug, PartialEq)]
pub struct Uploaded {
    /// 12 hex digits of the FNV-1a hash of the file's bytes (then the labels file's).
    pub hash: String,
    /// The recording; its `dt` is a placeholder until the query's `dt` is applied.
    pub recording: Recording,
    /// The time step the labels sidecar gives, s, if it gives one.
    pub dt: Option<f64>,
}

/// The sidecar `--data-out` writes beside a `.npy`: condition labels, phases and Δt.
#[derive(serde::Deserialize)]
struct Sidecar {
    format: Option<String>,
    conditions: Vec<String>,
    #[serde(default)]
    phases: Vec<String>,
    dt: Option<f64>,
}

/// Reads a recording file: a `.npy` (told by its magic bytes) or CSV text, with optional
/// labels (one per line or comma-separated, or the JSON sidecar of `--data-out`). Every
/// problem is one message naming the file.
pub fn read(name: &str, bytes: &[u8], labels: Option<(&str, &[u8])>) -> Result<Uploaded, String> {
    if bytes.len() > MAX_BYTES {
        return Err(format!(
            "{name}: {} bytes, more than the limit of {} MiB for a recording file",
            grouped(bytes.len() as u64),
            MAX_BYTES >> 20
        ));
    }
    let (label_text, sidecar) = match labels {
        None => (None, None),
        Some((lname, lbytes)) => {
            if lbytes.len() > MAX_LABEL_BYTES {
                return Err(format!(
                    "{lname}: {} bytes, more than the limit of {} MiB for a labels file",
                    grouped(lbytes.len() as u64),
                    MAX_LABEL_BYTES >> 20
                ));
            }
            let text = std::str::from_utf8(lbytes)
                .map_err(|_| format!("{lname}: not UTF-8 text (a labels file is text: one label per line, or JSON)"))?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(text);
            if text.trim_start().starts_with('{') {
                let s: Sidecar = serde_json::from_str(text).map_err(|e| {
                    format!("{lname}: not a labels sidecar (JSON with \"conditions\": one label per trial): {e}")
                })?;
                if let Some(f) = &s.format {
                    if f != "lpu-recording-labels" {
                        return Err(format!("{lname}: format \"{f}\" is not \"lpu-recording-labels\""));
                    }
                }
                (None, Some((lname, s)))
            } else {
                (Some((lname, text)), None)
            }
        }
    };
    let plain = label_text.map(|(_, t)| t);
    let with_name = |e: String| format!("{name}: {e}");
    if name.to_ascii_lowercase().ends_with(".npy") && !bytes.starts_with(b"\x93NUMPY") {
        return Err(format!(
            "{name}: not a NumPy .npy file (it does not start with the bytes \\x93NUMPY); save it with numpy.save"
        ));
    }
    let mut recording = if bytes.starts_with(b"\x93NUMPY") {
        upload::from_npy(bytes, plain, 1.0).map_err(with_name)?
    } else {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            format!("{name}: neither a NumPy .npy file (it does not start with \\x93NUMPY) nor UTF-8 CSV text")
        })?;
        let rec = upload::from_csv(text, 1.0).map_err(with_name)?;
        if let Some((lname, _)) = label_text {
            return Err(format!(
                "{lname}: a CSV recording takes its labels from its own condition column, not from a labels file"
            ));
        }
        rec
    };
    let mut dt = None;
    if let Some((lname, s)) = sidecar {
        if s.conditions.len() != recording.trials {
            return Err(format!(
                "{lname}: {} condition labels for {} trials; give one per trial",
                grouped(s.conditions.len() as u64),
                grouped(recording.trials as u64)
            ));
        }
        if !s.phases.is_empty() && s.phases.len() != recording.trials {
            return Err(format!(
                "{lname}: {} phase labels for {} trials; give one per trial or none",
                grouped(s.phases.len() as u64),
                grouped(recording.trials as u64)
            ));
        }
        if let Some(d) = s.dt {
            if !(d.is_finite() && d > 0.0) {
                return Err(format!("{lname}: dt must be a positive number of seconds, got {d}"));
            }
        }
        recording.conditions = s.conditions;
        recording.phases = s.phases;
        dt = s.dt;
    }
    let mut parts: Vec<&[u8]> = vec![bytes];
    if let Some((_, l)) = labels {
        parts.push(l);
    }
    Ok(Uploaded { hash: crate::netfile::hash_bytes(&parts), recording, dt })
}

/// One line on a recording: its sizes and conditions.
pub fn describe(rec: &Recording) -> String {
    let names = rec.condition_names();
    let shown: Vec<&str> = names.iter().take(6).map(String::as_str).collect();
    let more = if names.len() > 6 { ", …" } else { "" };
    format!(
        "{} trials × {} steps × {} neurons, {} condition{} ({}{more})",
        grouped(rec.trials as u64),
        grouped(rec.steps as u64),
        grouped(rec.neurons as u64),
        names.len(),
        if names.len() == 1 { "" } else { "s" },
        shown.join(", ")
    )
}

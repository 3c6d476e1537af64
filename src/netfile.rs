//! The network file (JSON, versioned): rows are neurons, times in seconds, and `encoding`
//! already carries the 1/N. See the README for the format and its three-line NumPy loader.

use crate::network::{Model, Network};
use crate::nonlinearity::Phi;
use serde::{Deserialize, Serialize};

/// The file's `format` member.
pub const FORMAT: &str = "lpu-network";
/// The file's `version` member as written. Version 2 added `model` and `readout`; version 1
/// files (rate form, no readout) still load; other versions are refused.
pub const VERSION: u32 = 2;
/// Largest file the page and the CLI read, in bytes (a dense N = 1000 network is ≈ 20 MB).
pub const MAX_BYTES: usize = 64 << 20;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format: String,
    version: u32,
    neurons: usize,
    rank: usize,
    inputs: usize,
    tau: f64,
    dt: f64,
    nonlinearity: String,
    embedding: Vec<Vec<f64>>,
    encoding: Vec<Vec<f64>>,
    input: Vec<Vec<f64>>,
    bias: Vec<f64>,
    random: Option<Vec<Vec<f64>>>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    readout: Option<Vec<Vec<f64>>>,
}

fn rows(v: &[f64], width: usize, n: usize) -> Vec<Vec<f64>> {
    (0..n).map(|i| v[i * width..(i + 1) * width].to_vec()).collect()
}

/// The network as a network file (compact JSON): weight matrices as one row per neuron,
/// `random` (N × N, row i = weights onto neuron i) or null.
pub fn to_json(net: &Network) -> String {
    let n = net.neurons;
    let file = File {
        format: FORMAT.into(),
        version: VERSION,
        neurons: n,
        rank: net.rank,
        inputs: net.inputs,
        tau: net.tau,
        dt: net.dt,
        nonlinearity: net.phi.name().into(),
        embedding: rows(&net.embedding, net.rank, n),
        encoding: rows(&net.encoding, net.rank, n),
        input: rows(&net.input, net.inputs, n),
        bias: net.bias.clone(),
        random: net.random.as_ref().map(|w| rows(w, n, n)),
        model: Some(net.model.name().into()),
        readout: net.readout.as_ref().map(|r| {
            let outputs = r.len() / n;
            (0..n).map(|i| (0..outputs).map(|o| r[o * n + i]).collect()).collect()
        }),
    };
    serde_json::to_string(&file).expect("network serialises")
}

/// Parses and validates a network file; the error names the field and what was expected.
pub fn from_json(text: &str) -> Result<Network, String> {
    if text.len() > MAX_BYTES {
        return Err(format!("the file has {} bytes, more than the limit of {} MiB", text.len(), MAX_BYTES >> 20));
    }
    let json_error = |e: serde_json::Error| {
        if e.is_syntax() || e.is_eof() {
            syntax_message(text, &e)
        } else {
            format!("not a valid network file: {e}")
        }
    };
    // Format and version first, so another kind of file is named as such.
    let value: serde_json::Value = serde_json::from_str(text).map_err(json_error)?;
    let head = value
        .as_object()
        .ok_or_else(|| format!("not a network file: expected a JSON object {{\"format\":\"{FORMAT}\", …}}"))?;
    if head.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        let got = head.get("format").map_or("nothing".to_string(), |f| f.to_string());
        return Err(format!("format must be \"{FORMAT}\", got {got}"));
    }
    match head.get("version").and_then(|v| v.as_u64()) {
        Some(1) | Some(2) => {}
        _ => {
            let got = head.get("version").map_or("nothing".to_string(), |v| v.to_string());
            return Err(format!("version must be 1 or {VERSION}, got {got}"));
        }
    }
    // The text is parsed once: the fields are read from the tree already built.
    let f = File::deserialize(value).map_err(|e| format!("not a valid network file: {e}"))?;
    if f.version == 1 && (f.model.is_some() || f.readout.is_some()) {
        return Err("model and readout need version 2 (version 1 files have neither)".into());
    }
    let model = match f.model.as_deref() {
        None | Some("rate") => Model::Rate,
        Some("current") => Model::Current,
        Some(other) => return Err(format!("model must be one of {}, got \"{other}\"", Model::NAMES.join(", "))),
    };
    const MAX_VALUES: usize = 4_000_000;
    let values = f.neurons.saturating_mul(f.neurons.max(f.rank + f.inputs + 1));
    if f.neurons > 1_000_000 || (f.random.is_some() && values > MAX_VALUES) {
        return Err(format!(
            "neurons = {} is over the limit (at most 1000000, and 2000 with a dense random part)",
            f.neurons
        ));
    }
    let phi = Phi::from_name(&f.nonlinearity)
        .ok_or_else(|| format!("nonlinearity must be one of {}, got \"{}\"", Phi::NAMES.join(", "), f.nonlinearity))?;
    let flat = |name: &str, v: &[Vec<f64>], width: usize| -> Result<Vec<f64>, String> {
        if v.len() != f.neurons {
            return Err(format!("{name} must have {} rows (one per neuron), got {}", f.neurons, v.len()));
        }
        if let Some(i) = v.iter().position(|r| r.len() != width) {
            return Err(format!("{name} row {i} must have {width} values, got {}", v[i].len()));
        }
        Ok(v.concat())
    };
    let net = Network {
        neurons: f.neurons,
        rank: f.rank,
        inputs: f.inputs,
        tau: f.tau,
        dt: f.dt,
        phi,
        embedding: flat("embedding", &f.embedding, f.rank)?,
        encoding: flat("encoding", &f.encoding, f.rank)?,
        input: flat("input", &f.input, f.inputs)?,
        bias: f.bias,
        random: f.random.as_ref().map(|w| flat("random", w, f.neurons)).transpose()?,
        model,
        readout: match &f.readout {
            None => None,
            Some(rows) => {
                let outputs = rows.first().map_or(0, |r| r.len());
                if outputs == 0 {
                    return Err("readout rows must have at least one value (one per output), or readout be null".into());
                }
                let flat = flat("readout", rows, outputs)?;
                Some(
                    (0..outputs)
                        .flat_map(|o| (0..f.neurons).map(move |i| (o, i)))
                        .map(|(o, i)| flat[i * outputs + o])
                        .collect(),
                )
            }
        },
    };
    net.validate()?;
    Ok(net)
}

/// A short name of a file's content: the first 12 hex digits of its FNV-1a 64-bit hash (not
/// cryptographic: it tells files apart in links, it does not authenticate them).
pub fn hash(text: &str) -> String {
    hash_bytes(&[text.as_bytes()])
}

/// [`hash`] of the bytes of `parts` one after another (a recording file and its labels).
pub fn hash_bytes(parts: &[&[u8]]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in parts.iter().flat_map(|p| p.iter()) {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h >> 16)
}

/// One line on a network: size, rank, form, inputs and readout.
pub fn describe(net: &Network) -> String {
    let w = if net.random.is_some() {
        if net.rank > 0 {
            format!("rank {} plus a dense part", net.rank)
        } else {
            "dense (full rank)".to_string()
        }
    } else {
        format!("rank {}", net.rank)
    };
    format!(
        "{} neurons, {w}, {} form, {} inputs, {}",
        net.neurons,
        net.model.name(),
        net.inputs,
        match net.outputs() {
            0 => "no readout".to_string(),
            o => format!("readout of {o}"),
        }
    )
}

/// What is wrong with text that is not JSON, said plainly where a non-finite number is the
/// cause: JSON has no NaN or Infinity, and serde_json refuses a number beyond the largest
/// double (such as 1e999) rather than read it as infinite.
fn syntax_message(text: &str, e: &serde_json::Error) -> String {
    let at = format!("line {} column {}", e.line(), e.column());
    if e.to_string().starts_with("number out of range") {
        return format!(
            "a value at {at} is not a finite number (beyond the range of a 64-bit float, about ±1.8e308; NaN and infinities are not allowed)"
        );
    }
    // serde_json's column counts bytes; look at the few bytes around it.
    let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
    let from = e.column().saturating_sub(3);
    let near: String = line.bytes().skip(from).take(12).map(|b| b.to_ascii_lowercase() as char).collect();
    if near.contains("nan") || near.contains("inf") {
        return format!(
            "not JSON at {at}: NaN and Infinity are not JSON numbers (every value must be a finite number)"
        );
    }
    format!("not JSON: {e}")
}

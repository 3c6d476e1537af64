//! Typed, range-checked experiment parameters and the share-link query that carries them.
//!
//! Each experiment declares its parameters once with [`params!`](crate::params!); that declaration gives the
//! struct, its defaults, parsing with range checks, the canonical query string, the JSON
//! echo in results, and the list of keys with their allowed ranges (CLI help, UI controls).

use std::fmt;

/// What is wrong with one parameter; `Display` gives the one-line message users see.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamError {
    /// The offending query key (`exp`, `v`, a view key or a parameter); a cross-key check
    /// names the key that is reset to its default.
    pub key: String,
    /// What is wrong, with the allowed values, without the key.
    pub message: String,
}

impl ParamError {
    /// An error about `key`.
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        ParamError { key: key.to_string(), message: message.into() }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

/// Allowed values of one parameter.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Smallest allowed value (of each item of a list).
    pub min: f64,
    /// Largest allowed value (of each item of a list).
    pub max: f64,
    /// Longest list, for list-valued parameters.
    pub max_len: usize,
}

/// Values in [min, max] (integers: min..=max); ignored by [`Choice`] parameters, which pass
/// `range(0.0, 0.0)`.
pub const fn range(min: f64, max: f64) -> Bounds {
    Bounds { min, max, max_len: 0 }
}

/// Lists of at most `max_len` items, each in [min, max].
pub const fn list(min: f64, max: f64, max_len: usize) -> Bounds {
    Bounds { min, max, max_len }
}

/// Largest integer a browser represents exactly (2^53 − 1), the ceiling for seeds.
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A type a parameter can have: how its query text parses and renders, and how the UI and
/// the CLI describe it.
pub trait ParamType: Sized {
    /// Parses the query text, checking it against `b`.
    fn parse(text: &str, b: &Bounds) -> Result<Self, String>;
    /// The canonical query text.
    fn render(&self) -> String;
    /// The allowed values in words, for messages and help.
    fn allowed(b: &Bounds) -> String;
    /// The kind of control that edits it.
    fn kind() -> Kind;
    /// The choices, for [`Kind::Choice`].
    fn options() -> Vec<&'static str> {
        vec![]
    }
}

/// What kind of value a parameter takes: the page picks its control from this.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An integer in [min, max].
    Int,
    /// A number in [min, max].
    Float,
    /// One of [`ParamSpec::options`].
    Choice,
    /// Up to `max_len` comma-separated integers.
    IntList,
    /// Up to `max_len` comma-separated numbers.
    FloatList,
    /// `all` or an integer in [min, max].
    IntOrAll,
    /// `auto` or a number in [min, max].
    FloatOrAuto,
}

/// An enum parameter named by words (`kind=orthogonal`): declare the names once and it is a
/// [`ParamType`].
pub trait Choice: Copy + 'static {
    /// Every value, in the order of [`Choice::NAMES`].
    const ALL: &'static [Self];
    /// The query word of each value.
    const NAMES: &'static [&'static str];
    /// The query word of this value.
    fn name(self) -> &'static str;
}

impl<T: Choice> ParamType for T {
    fn parse(text: &str, _: &Bounds) -> Result<Self, String> {
        let t = text.trim();
        T::NAMES
            .iter()
            .position(|n| *n == t)
            .map(|i| T::ALL[i])
            .ok_or_else(|| format!("must be one of {}, got \"{}\"", T::NAMES.join(", "), text))
    }
    fn render(&self) -> String {
        self.name().into()
    }
    fn allowed(_: &Bounds) -> String {
        format!("one of {}", T::NAMES.join(", "))
    }
    fn kind() -> Kind {
        Kind::Choice
    }
    fn options() -> Vec<&'static str> {
        T::NAMES.to_vec()
    }
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn parse_int(text: &str, b: &Bounds) -> Result<u64, String> {
    let t = text.trim();
    let v: u64 = t
        .parse()
        .map_err(|_| format!("must be an integer in {}..={}, got \"{}\"", fmt_num(b.min), fmt_num(b.max), text))?;
    if (v as f64) < b.min || (v as f64) > b.max {
        return Err(format!("must be an integer in {}..={}, got {}", fmt_num(b.min), fmt_num(b.max), v));
    }
    Ok(v)
}

fn parse_float(text: &str, b: &Bounds) -> Result<f64, String> {
    let t = text.trim();
    let v: f64 = t
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("must be a number in [{}, {}], got \"{}\"", fmt_num(b.min), fmt_num(b.max), text))?;
    if v < b.min || v > b.max {
        return Err(format!("must be a number in [{}, {}], got {}", fmt_num(b.min), fmt_num(b.max), v));
    }
    Ok(v)
}

impl ParamType for usize {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        parse_int(text, b).map(|v| v as usize)
    }
    fn render(&self) -> String {
        self.to_string()
    }
    fn allowed(b: &Bounds) -> String {
        format!("integer in {}..={}", fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::Int
    }
}

impl ParamType for u64 {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        parse_int(text, b)
    }
    fn render(&self) -> String {
        self.to_string()
    }
    fn allowed(b: &Bounds) -> String {
        format!("integer in {}..={}", fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::Int
    }
}

impl ParamType for f64 {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        parse_float(text, b)
    }
    fn render(&self) -> String {
        format!("{self}")
    }
    fn allowed(b: &Bounds) -> String {
        format!("number in [{}, {}]", fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::Float
    }
}

impl ParamType for Option<usize> {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        if text.trim() == "all" {
            return Ok(None);
        }
        parse_int(text, b).map(|v| Some(v as usize)).map_err(|e| format!("{e} (or \"all\")"))
    }
    fn render(&self) -> String {
        self.map_or("all".into(), |v| v.to_string())
    }
    fn allowed(b: &Bounds) -> String {
        format!("\"all\" or integer in {}..={}", fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::IntOrAll
    }
}

impl ParamType for Option<f64> {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        if text.trim() == "auto" {
            return Ok(None);
        }
        parse_float(text, b).map(Some).map_err(|e| format!("{e} (or \"auto\")"))
    }
    fn render(&self) -> String {
        self.map_or("auto".into(), |v| format!("{v}"))
    }
    fn allowed(b: &Bounds) -> String {
        format!("\"auto\" or number in [{}, {}]", fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::FloatOrAuto
    }
}

fn split_list(text: &str) -> Vec<&str> {
    if text.trim().is_empty() {
        vec![]
    } else {
        text.split(',').collect()
    }
}

impl ParamType for Vec<f64> {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        let items = split_list(text);
        if items.len() > b.max_len {
            return Err(format!("must be at most {} comma-separated numbers, got {}", b.max_len, items.len()));
        }
        items.iter().map(|t| parse_float(t, b).map_err(|e| format!("each value {e}"))).collect()
    }
    fn render(&self) -> String {
        self.iter().map(|v| v.render()).collect::<Vec<_>>().join(",")
    }
    fn allowed(b: &Bounds) -> String {
        format!("up to {} comma-separated numbers in [{}, {}]", b.max_len, fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::FloatList
    }
}

impl ParamType for Vec<usize> {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String> {
        let items = split_list(text);
        if items.len() > b.max_len {
            return Err(format!("must be at most {} comma-separated integers, got {}", b.max_len, items.len()));
        }
        items.iter().map(|t| parse_int(t, b).map(|v| v as usize).map_err(|e| format!("each value {e}"))).collect()
    }
    fn render(&self) -> String {
        self.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
    }
    fn allowed(b: &Bounds) -> String {
        format!("up to {} comma-separated integers in {}..={}", b.max_len, fmt_num(b.min), fmt_num(b.max))
    }
    fn kind() -> Kind {
        Kind::IntList
    }
}

/// One parameter as the CLI help and the page's controls see it: everything the page needs
/// to build a control without reading prose.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ParamSpec {
    /// The query key.
    pub key: &'static str,
    /// A short label for the control.
    pub label: &'static str,
    /// The unit of the value ("" when it has none).
    pub unit: &'static str,
    /// The group the control belongs to (network, task, simulation, training, analysis, display).
    pub group: &'static str,
    /// One sentence on what it does.
    pub help: &'static str,
    /// The kind of value, which picks the control.
    pub kind: Kind,
    /// The choices of a [`Kind::Choice`].
    pub options: Vec<&'static str>,
    /// The allowed values in words.
    pub allowed: String,
    /// The default, as query text.
    pub default: String,
    /// Smallest allowed value (of each item of a list).
    pub min: f64,
    /// Largest allowed value (of each item of a list).
    pub max: f64,
    /// Longest list, for list kinds (0 otherwise).
    pub max_len: usize,
    /// A special control, when the plain one for `kind` is not the best.
    pub widget: Option<Widget>,
    /// The key applies only while another key has a given value (the training keys of a
    /// view with `source=trained`); the page shows its control only then.
    pub shown_if: Option<ShownIf>,
}

/// A condition on another key's value (as query text).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ShownIf {
    /// The other key.
    pub key: &'static str,
    /// The value it must have (or, with `not`, must not have).
    pub value: &'static str,
    /// The key applies while the other key does *not* have `value`.
    pub not: bool,
}

/// A control richer than the plain one for a parameter's kind.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Widget {
    /// One slider per list item, as many as the value of `count_key`, spanning ±`span` (or
    /// further, up to the key's range, when a link sets a larger value); dragging asks for the
    /// experiment's live update, releasing applies the value.
    Sliders {
        /// The key whose value is the number of sliders.
        count_key: &'static str,
        /// Sliders span [−span, span].
        span: f64,
        /// The label of slider c is this followed by c + 1.
        item_label: &'static str,
        /// What dragging shows, for the control's help line.
        hint: &'static str,
    },
    /// A slider for one number from the key's minimum to `span` (or further, up to the key's
    /// range, when a link sets a larger value) beside a number box for exact values; dragging
    /// asks for the experiment's live update, releasing applies the value.
    Slider {
        /// The slider's upper end.
        span: f64,
        /// What dragging shows, for the control's help line.
        hint: &'static str,
    },
}

/// A typed parameter set declared with [`params!`](crate::params!).
pub trait ParamSet: Clone + Default + PartialEq + std::fmt::Debug + serde::Serialize + Send + Sync + 'static {
    /// Every key with its label, kind, range and default, in declaration order.
    fn specs() -> Vec<ParamSpec>;
    /// Sets one key from its query text; `Ok(false)` if the key is not a parameter.
    fn set(&mut self, key: &str, text: &str) -> Result<bool, ParamError>;
    /// Puts one key back to its default.
    fn reset(&mut self, key: &str);
    /// Every key with its value as query text, in declaration order.
    fn pairs(&self) -> Vec<(&'static str, String)>;
}

/// Declares an experiment's parameter struct, one line per key:
/// `field: Type = default, bounds, "label", "unit", group, "help";`.
#[macro_export]
macro_rules! params {
    ($(#[$meta:meta])* pub struct $name:ident { $( $field:ident : $ty:ty = $default:expr, $bounds:expr, $label:literal, $unit:literal, $group:ident, $help:literal; )* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        pub struct $name { $( #[doc = $help] pub $field: $ty, )* }

        impl Default for $name {
            fn default() -> Self { $name { $( $field: $default, )* } }
        }

        impl $crate::params::ParamSet for $name {
            fn specs() -> Vec<$crate::params::ParamSpec> {
                vec![ $( $crate::params::ParamSpec {
                    key: stringify!($field),
                    label: $label,
                    unit: $unit,
                    group: stringify!($group),
                    help: $help,
                    kind: <$ty as $crate::params::ParamType>::kind(),
                    options: <$ty as $crate::params::ParamType>::options(),
                    allowed: <$ty as $crate::params::ParamType>::allowed(&$bounds),
                    default: <$ty as $crate::params::ParamType>::render(&$default),
                    min: $bounds.min,
                    max: $bounds.max,
                    max_len: $bounds.max_len,
                    widget: None,
                    shown_if: None,
                }, )* ]
            }

            fn set(&mut self, key: &str, text: &str) -> Result<bool, $crate::params::ParamError> {
                match key {
                    $( stringify!($field) => {
                        self.$field = <$ty as $crate::params::ParamType>::parse(text, &$bounds)
                            .map_err(|m| $crate::params::ParamError::new(key, m))?;
                        Ok(true)
                    } )*
                    _ => Ok(false),
                }
            }

            fn reset(&mut self, key: &str) {
                let d = Self::default();
                match key { $( stringify!($field) => self.$field = d.$field, )* _ => {} }
            }

            fn pairs(&self) -> Vec<(&'static str, String)> {
                vec![ $( (stringify!($field), <$ty as $crate::params::ParamType>::render(&self.$field)), )* ]
            }
        }
    };
}

/// Splits a query string (with or without a leading `?`) into decoded key/value pairs. A
/// malformed pair, or a key given again, is reported and skipped; the rest still applies.
pub fn split_query(query: &str) -> (Vec<(String, String)>, Vec<ParamError>) {
    let q = query.trim();
    let q = q.strip_prefix('?').unwrap_or(q);
    let mut out: Vec<(String, String)> = vec![];
    let mut errors = vec![];
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            errors.push(ParamError::new(&decode(part).unwrap_or_else(|| part.into()), "expected key=value"));
            continue;
        };
        let Some(key) = decode(k) else {
            errors.push(ParamError::new(k, "key is not valid percent-encoded UTF-8"));
            continue;
        };
        let Some(value) = decode(v) else {
            errors.push(ParamError::new(&key, "value is not valid percent-encoded UTF-8"));
            continue;
        };
        if out.iter().any(|(k2, _)| *k2 == key) {
            errors.push(ParamError::new(&key, "given more than once (the first applies)"));
            continue;
        }
        out.push((key, value));
    }
    (out, errors)
}

/// Percent-decoding with `+` as space; None for bad escapes or invalid UTF-8.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes a value for a query: unreserved characters and `,` stay readable.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

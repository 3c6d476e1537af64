//! Typed, range-checked experiment parameters and the share-link query that carries them.
//!
//! Each experiment declares its parameters once with [`params!`]; that declaration gives the
//! struct, its defaults, parsing with range checks, the canonical query string, the JSON
//! echo in results, and the list of keys with their allowed ranges (CLI help, UI controls).

use crate::nonlinearity::Phi;
use std::fmt;

/// What is wrong with one parameter; `Display` gives the one-line message users see.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamError {
    pub key: String,
    pub message: String,
}

impl ParamError {
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
    pub min: f64,
    pub max: f64,
    /// Longest list, for list-valued parameters.
    pub max_len: usize,
}

pub const fn range(min: f64, max: f64) -> Bounds {
    Bounds { min, max, max_len: 0 }
}

pub const fn list(min: f64, max: f64, max_len: usize) -> Bounds {
    Bounds { min, max, max_len }
}

/// Largest integer a browser represents exactly (2^53 − 1), the ceiling for seeds.
pub const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

pub trait ParamType: Sized {
    fn parse(text: &str, b: &Bounds) -> Result<Self, String>;
    fn render(&self) -> String;
    fn allowed(b: &Bounds) -> String;
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
}

impl ParamType for Phi {
    fn parse(text: &str, _: &Bounds) -> Result<Self, String> {
        Phi::from_name(text.trim()).ok_or_else(|| format!("must be one of {}, got \"{}\"", Phi::NAMES.join(", "), text))
    }
    fn render(&self) -> String {
        self.name().into()
    }
    fn allowed(_: &Bounds) -> String {
        format!("one of {}", Phi::NAMES.join(", "))
    }
}

/// One parameter as the CLI help and the UI controls see it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ParamSpec {
    pub key: &'static str,
    pub help: &'static str,
    pub allowed: String,
    pub default: String,
    pub min: f64,
    pub max: f64,
}

/// Declares an experiment's parameter struct: `field: Type = default, bounds, "help";`.
#[macro_export]
macro_rules! params {
    ($(#[$meta:meta])* pub struct $name:ident { $( $field:ident : $ty:ty = $default:expr, $bounds:expr, $help:literal; )* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        pub struct $name { $( pub $field: $ty, )* }

        impl Default for $name {
            fn default() -> Self { $name { $( $field: $default, )* } }
        }

        impl $name {
            pub fn specs() -> Vec<$crate::params::ParamSpec> {
                vec![ $( $crate::params::ParamSpec {
                    key: stringify!($field),
                    help: $help,
                    allowed: <$ty as $crate::params::ParamType>::allowed(&$bounds),
                    default: <$ty as $crate::params::ParamType>::render(&$default),
                    min: $bounds.min,
                    max: $bounds.max,
                }, )* ]
            }

            /// Sets one key from its query text; `Ok(false)` if the key is not a parameter.
            pub fn set(&mut self, key: &str, text: &str) -> Result<bool, $crate::params::ParamError> {
                match key {
                    $( stringify!($field) => {
                        self.$field = <$ty as $crate::params::ParamType>::parse(text, &$bounds)
                            .map_err(|m| $crate::params::ParamError::new(key, m))?;
                        Ok(true)
                    } )*
                    _ => Ok(false),
                }
            }

            /// Puts one key back to its default.
            pub fn reset(&mut self, key: &str) {
                let d = Self::default();
                match key { $( stringify!($field) => self.$field = d.$field, )* _ => {} }
            }

            /// Every key with its value, in declaration order.
            pub fn pairs(&self) -> Vec<(&'static str, String)> {
                vec![ $( (stringify!($field), <$ty as $crate::params::ParamType>::render(&self.$field)), )* ]
            }
        }
    };
}

/// Splits a query string (with or without a leading `?`) into decoded key/value pairs.
pub fn split_query(query: &str) -> Result<Vec<(String, String)>, ParamError> {
    let q = query.trim();
    let q = q.strip_prefix('?').unwrap_or(q);
    let mut out: Vec<(String, String)> = vec![];
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| ParamError::new(&decode(part).unwrap_or_else(|| part.into()), "expected key=value"))?;
        let key = decode(k).ok_or_else(|| ParamError::new(k, "key is not valid percent-encoded UTF-8"))?;
        let value = decode(v).ok_or_else(|| ParamError::new(&key, "value is not valid percent-encoded UTF-8"))?;
        if out.iter().any(|(k2, _)| *k2 == key) {
            return Err(ParamError::new(&key, "given more than once"));
        }
        out.push((key, value));
    }
    Ok(out)
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

//! Reading and writing NumPy `.npy` arrays (the format of `numpy/lib/format.py`, versions 1.0,
//! 2.0 and 3.0): the magic `\x93NUMPY`, a major and minor version byte, the header length
//! (u16 for 1.0, u32 for 2.0 and 3.0, little-endian), a Python dict literal naming the dtype,
//! the order and the shape, padded so that the data starts on a 64-byte boundary, then the
//! raw values.
//!
//! Every malformed input is an `Err` with a sentence meant for the person who saved the file;
//! nothing here panics on bad bytes, and nothing is allocated for the values before the
//! header's shape has been checked against the caller's limit.

/// An n-dimensional array read from a .npy file, values as f64 in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    /// The size of each dimension (empty for a single value).
    pub shape: Vec<usize>,
    /// The values, C order (the last index varies fastest).
    pub data: Vec<f64>,
}

const MAGIC: &[u8] = b"\x93NUMPY";
/// NumPy aligns the data to this many bytes (`ARRAY_ALIGN`).
const ALIGN: usize = 64;
/// NumPy pads the header so that the first axis can grow to this many digits in place
/// (`GROWTH_AXIS_MAX_DIGITS`); written too so that our files match NumPy's byte for byte.
const GROWTH_DIGITS: usize = 21;
/// Deepest nesting of brackets the header parser follows (a structured dtype is 2 deep).
const MAX_DEPTH: usize = 16;

/// A count with its digits grouped in threes by spaces from 1 000 up (`16 777 216`), the style
/// of every count in the messages of this module and of [`crate::jedi::upload`].
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    if digits.len() < 4 {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// A shape as `10 × 20 × 3` (`()` for a single value); sizes are not grouped, so that the
/// spaces only ever stand around `×`.
fn shape_text(shape: &[u64]) -> String {
    if shape.is_empty() {
        return "()".into();
    }
    shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(" × ")
}

/// The bytes of a .npy file (version 1.0, '<f4', C order) holding `data` (C order) with
/// `shape`, values rounded to f32 (to nearest, as NumPy's `astype`). The header is the one
/// NumPy 2 writes for the same array, so the bytes equal `np.save` of it. A header too long
/// for version 1.0 (thousands of dimensions) is written as version 2.0, as NumPy does.
///
/// # Panics
///
/// If `data.len()` is not the product of `shape` (a caller's bug, not a file's).
pub fn write_f32(shape: &[usize], data: &[f64]) -> Vec<u8> {
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    assert_eq!(count, Some(data.len()), "write_f32: {} values for shape {:?}", data.len(), shape);
    let dims = match shape {
        [] => "()".to_string(),
        [d] => format!("({d},)"),
        _ => format!("({})", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {dims}, }}");
    if let Some(first) = shape.first() {
        header.extend(std::iter::repeat_n(' ', GROWTH_DIGITS.saturating_sub(first.to_string().len())));
    }
    let mut out = Vec::with_capacity(header.len() + ALIGN + 12 + 4 * data.len());
    let hlen = header.len() + 1;
    let pad_v1 = ALIGN - (MAGIC.len() + 4 + hlen) % ALIGN;
    if let Ok(len) = u16::try_from(hlen + pad_v1) {
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[1, 0]);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend(std::iter::repeat_n(b' ', pad_v1));
    } else {
        let pad = ALIGN - (MAGIC.len() + 6 + hlen) % ALIGN;
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[2, 0]);
        out.extend_from_slice(&((hlen + pad) as u32).to_le_bytes());
        out.extend_from_slice(header.as_bytes());
        out.extend(std::iter::repeat_n(b' ', pad));
    }
    out.push(b'\n');
    for &v in data {
        out.extend_from_slice(&(v as f32).to_le_bytes());
    }
    out
}

/// The element types read, each converted to f64.
#[derive(Clone, Copy, Debug)]
enum Dtype {
    F4,
    F8,
    I1,
    U1,
    B1,
    I2,
    U2,
    I4,
    U4,
    I8,
    U8,
}

impl Dtype {
    fn parse(descr: &str) -> Option<Dtype> {
        // One-byte types have no byte order; NumPy writes '|', other writers '<' or '='.
        let one_byte = |s: &str| ["|", "<", "=", ">"].iter().any(|o| descr.strip_prefix(o) == Some(s));
        Some(match descr {
            "<f4" => Dtype::F4,
            "<f8" => Dtype::F8,
            "<i2" => Dtype::I2,
            "<u2" => Dtype::U2,
            "<i4" => Dtype::I4,
            "<u4" => Dtype::U4,
            "<i8" => Dtype::I8,
            "<u8" => Dtype::U8,
            _ if one_byte("i1") => Dtype::I1,
            _ if one_byte("u1") => Dtype::U1,
            _ if one_byte("b1") => Dtype::B1,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Dtype::I1 | Dtype::U1 | Dtype::B1 => 1,
            Dtype::I2 | Dtype::U2 => 2,
            Dtype::F4 | Dtype::I4 | Dtype::U4 => 4,
            Dtype::F8 | Dtype::I8 | Dtype::U8 => 8,
        }
    }

    /// The value of one element; `b` holds exactly [`Dtype::size`] bytes.
    fn value(self, b: &[u8]) -> f64 {
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        match self {
            Dtype::F4 => f32::from_le_bytes([w[0], w[1], w[2], w[3]]) as f64,
            Dtype::F8 => f64::from_le_bytes(w),
            Dtype::I1 => w[0] as i8 as f64,
            Dtype::U1 => w[0] as f64,
            Dtype::B1 => (w[0] != 0) as u8 as f64,
            Dtype::I2 => i16::from_le_bytes([w[0], w[1]]) as f64,
            Dtype::U2 => u16::from_le_bytes([w[0], w[1]]) as f64,
            Dtype::I4 => i32::from_le_bytes([w[0], w[1], w[2], w[3]]) as f64,
            Dtype::U4 => u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as f64,
            Dtype::I8 => i64::from_le_bytes(w) as f64,
            Dtype::U8 => u64::from_le_bytes(w) as f64,
        }
    }
}

/// Why a dtype is refused, for the person who saved it.
fn dtype_error(descr: &str) -> String {
    let base = format!("dtype '{descr}' is not supported: save the array as float32 or float64 (little-endian)");
    let little = descr.strip_prefix('>').map(|rest| format!("<{rest}")).filter(|l| Dtype::parse(l).is_some());
    let hint = if let Some(little) = little {
        format!("; this one is big-endian, `a.astype('{little}')` converts it")
    } else if descr.contains('O') {
        "; this one holds Python objects, `np.asarray(a, dtype=np.float32)` converts it".into()
    } else if descr.contains('U') || descr.contains('S') {
        "; this one holds text".into()
    } else if descr.contains('c') {
        "; this one is complex".into()
    } else {
        "; integers (int8 to int64, uint8 to uint64) and bool are read too".into()
    };
    base + &hint
}

/// A Python literal in a .npy header.
#[derive(Debug)]
enum Value {
    Str(String),
    Bool(bool),
    Int(i128),
    None,
    /// A tuple or a list.
    Seq(Vec<Value>),
    Dict,
}

/// A small tolerant parser for the header dict: keys in any order, either quote, `True` and
/// `False`, integers (with a Python 2 `L`), tuples and lists; whitespace anywhere.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.at < self.s.len() && self.s[self.at].is_ascii_whitespace() {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_space();
        self.s.get(self.at).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn fail<T>(&self, what: &str) -> Result<T, String> {
        Err(format!("the .npy header is not a valid dict: {what} at character {}", self.at + 1))
    }

    fn string(&mut self) -> Result<String, String> {
        let quote = match self.peek() {
            Some(q @ (b'\'' | b'"')) => q,
            _ => return self.fail("expected a quoted string"),
        };
        self.at += 1;
        let mut out = Vec::new();
        while let Some(&c) = self.s.get(self.at) {
            self.at += 1;
            if c == quote {
                return Ok(String::from_utf8_lossy(&out).into_owned());
            }
            if c == b'\\' {
                if let Some(&next) = self.s.get(self.at) {
                    out.push(next);
                    self.at += 1;
                }
                continue;
            }
            out.push(c);
        }
        self.fail("a string is not closed")
    }

    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return self.fail("brackets nested too deeply");
        }
        match self.peek() {
            Some(b'\'' | b'"') => Ok(Value::Str(self.string()?)),
            Some(open @ (b'(' | b'[')) => {
                self.at += 1;
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                loop {
                    if self.eat(close) {
                        return Ok(Value::Seq(items));
                    }
                    items.push(self.value(depth + 1)?);
                    if !self.eat(b',') && self.peek() != Some(close) {
                        return self.fail("expected ',' or a closing bracket");
                    }
                }
            }
            Some(b'{') => {
                self.at += 1;
                loop {
                    if self.eat(b'}') {
                        return Ok(Value::Dict);
                    }
                    self.value(depth + 1)?;
                    if !self.eat(b':') {
                        return self.fail("expected ':'");
                    }
                    self.value(depth + 1)?;
                    if !self.eat(b',') && self.peek() != Some(b'}') {
                        return self.fail("expected ',' or '}'");
                    }
                }
            }
            Some(c) if c == b'-' || c == b'+' || c.is_ascii_digit() => {
                let negative = c == b'-';
                if !c.is_ascii_digit() {
                    self.at += 1;
                }
                let start = self.at;
                let mut n: i128 = 0;
                while let Some(&d) = self.s.get(self.at) {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    n = n.saturating_mul(10).saturating_add((d - b'0') as i128);
                    self.at += 1;
                }
                if self.at == start {
                    return self.fail("expected a digit");
                }
                if matches!(self.s.get(self.at), Some(b'L' | b'l')) {
                    self.at += 1;
                }
                Ok(Value::Int(if negative { -n } else { n }))
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.at;
                while self.at < self.s.len() && (self.s[self.at].is_ascii_alphanumeric() || self.s[self.at] == b'_') {
                    self.at += 1;
                }
                match &self.s[start..self.at] {
                    b"True" => Ok(Value::Bool(true)),
                    b"False" => Ok(Value::Bool(false)),
                    b"None" => Ok(Value::None),
                    word => {
                        self.at = start;
                        self.fail(&format!("unexpected word '{}'", String::from_utf8_lossy(word)))
                    }
                }
            }
            Some(_) => self.fail("unexpected character"),
            None => self.fail("it ends early"),
        }
    }

    /// The header dict's entries in the order written.
    fn dict(&mut self) -> Result<Vec<(String, Value)>, String> {
        if !self.eat(b'{') {
            return self.fail("expected '{'");
        }
        let mut entries = Vec::new();
        loop {
            if self.eat(b'}') {
                break;
            }
            let key = self.string()?;
            if !self.eat(b':') {
                return self.fail("expected ':'");
            }
            entries.push((key, self.value(1)?));
            if !self.eat(b',') && self.peek() != Some(b'}') {
                return self.fail("expected ',' or '}'");
            }
        }
        if self.peek().is_some() {
            return self.fail("text after the closing '}'");
        }
        Ok(entries)
    }
}

/// What the header says about the array.
struct Header {
    dtype: Dtype,
    descr: String,
    fortran: bool,
    shape: Vec<u64>,
}

fn parse_header(text: &[u8]) -> Result<Header, String> {
    let entries = Parser { s: text, at: 0 }.dict()?;
    let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
    let missing =
        |key: &str| format!("the .npy header has no '{key}' entry; np.save writes descr, fortran_order and shape");
    let descr = match get("descr").ok_or_else(|| missing("descr"))? {
        Value::Str(s) => s.clone(),
        Value::Seq(_) => {
            return Err("the array has a structured dtype (named fields); save a plain float32 or float64 \
                        array instead"
                .into())
        }
        _ => return Err("the .npy header's 'descr' is not a dtype string such as '<f4'".into()),
    };
    let fortran = match get("fortran_order").ok_or_else(|| missing("fortran_order"))? {
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        _ => return Err("the .npy header's 'fortran_order' is not True or False".into()),
    };
    let shape = match get("shape").ok_or_else(|| missing("shape"))? {
        Value::Seq(items) => items
            .iter()
            .map(|v| match v {
                Value::Int(n) if *n >= 0 => {
                    u64::try_from(*n).map_err(|_| "a dimension in the .npy header's shape is too large".to_string())
                }
                Value::Int(n) => Err(format!("the .npy header's shape has a negative size {n}")),
                _ => Err("the .npy header's 'shape' holds something other than integers".to_string()),
            })
            .collect::<Result<Vec<u64>, String>>()?,
        Value::Int(n) if *n >= 0 => {
            vec![u64::try_from(*n).map_err(|_| "the .npy header's shape is too large".to_string())?]
        }
        _ => return Err("the .npy header's 'shape' is not a tuple of sizes such as (3, 4)".into()),
    };
    let dtype = Dtype::parse(&descr).ok_or_else(|| dtype_error(&descr))?;
    Ok(Header { dtype, descr, fortran, shape })
}

/// Reads a .npy file. Accepts little-endian float32/float64 ('<f4','<f8'), and integer dtypes
/// '<i4','<i8','|u1','<u2','<i2','|i1' (and '<u4', '<u8', bool '|b1'; converted to f64);
/// fortran_order True is supported by reordering to C order. `max_values`: the largest number
/// of elements accepted (checked from the header before anything is allocated). Every failure
/// is an `Err` with a message naming what is wrong and what is allowed; no input panics.
/// Values are not checked (NaN and infinities pass through).
pub fn read(bytes: &[u8], max_values: usize) -> Result<Array, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if !bytes.starts_with(MAGIC) {
        let hint = if bytes.starts_with(b"PK") {
            " (it looks like a .npz archive: save a single array with np.save, not np.savez)"
        } else {
            ""
        };
        return Err(format!("not a .npy file: it does not start with \\x93NUMPY{hint}"));
    }
    if bytes.len() < MAGIC.len() + 2 {
        return Err(format!("the .npy file is cut short: it ends after {} bytes, inside its version", bytes.len()));
    }
    let (major, minor) = (bytes[6], bytes[7]);
    let len_bytes = match (major, minor) {
        (1, 0) => 2,
        (2, 0) | (3, 0) => 4,
        _ => {
            return Err(format!("the .npy file has format version {major}.{minor}; versions 1.0, 2.0 and 3.0 are read"))
        }
    };
    let start = MAGIC.len() + 2 + len_bytes;
    if bytes.len() < start {
        return Err(format!(
            "the .npy file is cut short: it ends after {} bytes, inside its header length",
            bytes.len()
        ));
    }
    let mut len = [0u8; 4];
    len[..len_bytes].copy_from_slice(&bytes[8..start]);
    let header_len = u32::from_le_bytes(len) as usize;
    let data_start = start.saturating_add(header_len);
    if bytes.len() < data_start {
        return Err(format!(
            "the .npy file is cut short: its header needs {} bytes but the file has {}",
            grouped(data_start as u64),
            grouped(bytes.len() as u64)
        ));
    }
    let text = &bytes[start..data_start];
    if major == 3 && std::str::from_utf8(text).is_err() {
        return Err("the .npy header (version 3.0) is not valid UTF-8".into());
    }
    let header = parse_header(text)?;
    let count = header.shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
    let limit = max_values as u64;
    let count = match count {
        Some(n) if n <= limit => n,
        Some(n) => {
            return Err(format!(
                "the array has {} values (shape {}), more than the limit {}",
                grouped(n),
                shape_text(&header.shape),
                grouped(limit)
            ))
        }
        None => {
            return Err(format!(
                "the array has more values than can be counted (shape {}), more than the limit {}",
                shape_text(&header.shape),
                grouped(limit)
            ))
        }
    };
    let size = header.dtype.size();
    let held = (bytes.len() - data_start) as u64;
    let needed = count.saturating_mul(size as u64);
    if held != needed {
        let why = if held < needed {
            "the file is cut short or its header is wrong"
        } else {
            "the file has extra bytes after the array"
        };
        return Err(format!(
            "the file holds {} bytes of data but its shape {} needs {} ({} values of '{}', {} bytes each): {why}",
            grouped(held),
            shape_text(&header.shape),
            grouped(needed),
            grouped(count),
            header.descr,
            size
        ));
    }
    // A size beyond usize can only sit beside a zero (the count fits in `max_values`).
    let shape = header.shape.iter().map(|&d| usize::try_from(d)).collect::<Result<Vec<usize>, _>>().map_err(|_| {
        format!("the array's shape {} has a size too large for this machine", shape_text(&header.shape))
    })?;
    let raw = &bytes[data_start..];
    let values = raw.chunks_exact(size).map(|b| header.dtype.value(b));
    let data = if header.fortran && shape.len() > 1 && count > 0 {
        let stored: Vec<f64> = values.collect();
        fortran_to_c(&shape, &stored)
    } else {
        values.collect()
    };
    Ok(Array { shape, data })
}

/// Values stored in Fortran order (first index fastest) reordered to C order.
fn fortran_to_c(shape: &[usize], stored: &[f64]) -> Vec<f64> {
    let rank = shape.len();
    let mut stride = vec![1usize; rank];
    for k in 1..rank {
        stride[k] = stride[k - 1] * shape[k - 1];
    }
    let mut index = vec![0usize; rank];
    let mut at = 0usize;
    let mut out = Vec::with_capacity(stored.len());
    for _ in 0..stored.len() {
        out.push(stored[at]);
        // Odometer over the C order (last index fastest), tracking the Fortran offset.
        for k in (0..rank).rev() {
            index[k] += 1;
            at += stride[k];
            if index[k] < shape[k] {
                break;
            }
            at -= stride[k] * shape[k];
            index[k] = 0;
        }
    }
    out
}

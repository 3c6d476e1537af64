//! `.npy` reading and writing against the bytes NumPy 2.4 writes (pasted below as hex: NumPy is
//! not needed at test time), and uploaded recordings: the CSV layouts against the same array as
//! a `.npy`, preparation against hand-computed values, every refusal's message, and damaged or
//! random inputs that must come back as errors rather than panics.
use lpu::jedi::recording::Recording;
use lpu::jedi::upload::{self, Prepare};
use lpu::npy;

// `np.save` output (NumPy 2.4.6), as hex. Names give the dtype and shape.
const F4_2X3: &str = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000080bf000000bf000000000000003f0000803f0000c03f";
const F8_2X2X2: &str = "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c20322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f83f00000000000002c00000000000000840fca9f1d24d62503f9a9999999999b93f00000000000000400000000000001cc00000000000402040";
const I8_3: &str = "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0300000000000000fcffffffffffffff0500000000000000";
const I4_2X2: &str = "934e554d5059010076007b276465736372273a20273c6934272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000800700000000000000ffffff7f";
const U2_3: &str = "934e554d5059010076007b276465736372273a20273c7532272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000ffff2c01";
const I2_3: &str = "934e554d5059010076007b276465736372273a20273c6932272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0080ff7fffff";
const U1_3: &str = "934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00ff07";
const I1_3: &str = "934e554d5059010076007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a807fff";
const FORTRAN_F4_2X3: &str = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a00000000000040400000803f00008040000000400000a040";
const FORTRAN_F8_2X3X4: &str = "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c20332c2034292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000000000000000000028400000000000001040000000000000304000000000000020400000000000003440000000000000f03f0000000000002a40000000000000144000000000000031400000000000002240000000000000354000000000000000400000000000002c40000000000000184000000000000032400000000000002440000000000000364000000000000008400000000000002e400000000000001c40000000000000334000000000000026400000000000003740";
const V2_F4_2X2: &str = "934e554d50590200740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2032292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000803f000000400000404000008040";
const V3_F8_2: &str = "934e554d50590300740000007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000d03f00000000000020c0";
const SCALAR_F8: &str = "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000000000000440";
const BIG_ENDIAN_F8: &str = "934e554d5059010076007b276465736372273a20273e6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3ff00000000000004000000000000000";
/// `np.full((1,) * 16, 0.1, dtype='<f4')`: NumPy's growth padding pushes this header to 192 bytes.
const ONES_16D: &str = "934e554d50590100b6007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c20312c2031292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200acdcccc3d";
const EMPTY_100000X0: &str = "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a20283130303030302c2030292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a";
/// `[[[1, 2], [3, 4], [5, 6]], [[-1, 0.5], [0, 0], [7.25, 8]]]` as '<f8', 2 trials × 3 steps × 2 neurons.
const REC_F8_2X3X2: &str = "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c20332c2032292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a000000000000f03f00000000000000400000000000000840000000000000104000000000000014400000000000001840000000000000f0bf000000000000e03f000000000000000000000000000000000000000000001d400000000000002040";

const ALL: [&str; 17] = [
    F4_2X3,
    F8_2X2X2,
    I8_3,
    I4_2X2,
    U2_3,
    I2_3,
    U1_3,
    I1_3,
    FORTRAN_F4_2X3,
    FORTRAN_F8_2X3X4,
    V2_F4_2X2,
    V3_F8_2,
    SCALAR_F8,
    BIG_ENDIAN_F8,
    ONES_16D,
    EMPTY_100000X0,
    REC_F8_2X3X2,
];

const LIMIT: usize = 1 << 24;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// A version 1.0 file with this header text (padded as NumPy pads) and these data bytes.
fn npy_v1(header: &str, data: &[u8]) -> Vec<u8> {
    let mut h = header.as_bytes().to_vec();
    while !(10 + h.len() + 1).is_multiple_of(64) {
        h.push(b' ');
    }
    h.push(b'\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(h.len() as u16).to_le_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out
}

fn f8_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn err_npy(bytes: &[u8]) -> String {
    npy::read(bytes, LIMIT).expect_err("should be refused")
}

fn assert_has(message: &str, part: &str) {
    assert!(message.contains(part), "message {message:?} lacks {part:?}");
}

/// xorshift64*: a fixed stream of test inputs.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn reads_numpy_files_of_every_dtype() {
    let cases: [(&str, Vec<usize>, Vec<f64>); 10] = [
        (F4_2X3, vec![2, 3], vec![-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]),
        (F8_2X2X2, vec![2, 2, 2], vec![1.5, -2.25, 3.0, 1e-3, 0.1, 2.0, -7.0, 8.125]),
        (I8_3, vec![3], vec![3.0, -4.0, 5.0]),
        (I4_2X2, vec![2, 2], vec![-2147483648.0, 7.0, 0.0, 2147483647.0]),
        (U2_3, vec![3], vec![0.0, 65535.0, 300.0]),
        (I2_3, vec![3], vec![-32768.0, 32767.0, -1.0]),
        (U1_3, vec![3], vec![0.0, 255.0, 7.0]),
        (I1_3, vec![3], vec![-128.0, 127.0, -1.0]),
        (SCALAR_F8, vec![], vec![2.5]),
        (EMPTY_100000X0, vec![100000, 0], vec![]),
    ];
    for (file, shape, data) in cases {
        let a = npy::read(&hex(file), LIMIT).unwrap();
        assert_eq!(a, npy::Array { shape, data });
    }
    // 0.1 as f32, widened exactly.
    let a = npy::read(&hex(ONES_16D), LIMIT).unwrap();
    assert_eq!((a.shape, a.data), (vec![1; 16], vec![0.1f32 as f64]));
}

#[test]
fn reads_fortran_order_into_c_order() {
    let a = npy::read(&hex(FORTRAN_F4_2X3), LIMIT).unwrap();
    assert_eq!(a, npy::Array { shape: vec![2, 3], data: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0] });
    // np.asfortranarray(np.arange(24.).reshape(2, 3, 4)): C order is 0, 1, …, 23 again.
    let a = npy::read(&hex(FORTRAN_F8_2X3X4), LIMIT).unwrap();
    assert_eq!(a, npy::Array { shape: vec![2, 3, 4], data: (0..24).map(f64::from).collect() });
}

#[test]
fn reads_version_2_and_3_headers() {
    let a = npy::read(&hex(V2_F4_2X2), LIMIT).unwrap();
    assert_eq!(a, npy::Array { shape: vec![2, 2], data: vec![1.0, 2.0, 3.0, 4.0] });
    let a = npy::read(&hex(V3_F8_2), LIMIT).unwrap();
    assert_eq!(a, npy::Array { shape: vec![2], data: vec![0.25, -8.0] });
}

#[test]
fn tolerant_header_parser_reads_other_writers() {
    let data = f8_bytes(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
    let want = npy::Array { shape: vec![3, 2], data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0] };
    for header in [
        "{'shape': (3, 2), 'fortran_order': False, 'descr': '<f8'}",
        "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (3,2)}",
        "{ 'descr' : '<f8' ,\n 'fortran_order' : False , 'shape' : ( 3 , 2 , ) , }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3L, 2L), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': [3, 2], 'extra': {'a': None}}",
        "{'descr': '<f8', 'fortran_order': 0, 'shape': (3, 2)}",
    ] {
        assert_eq!(npy::read(&npy_v1(header, &data), LIMIT).unwrap(), want, "{header}");
    }
    let one = npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", &f8_bytes(&[7.0]));
    assert_eq!(npy::read(&one, LIMIT).unwrap(), npy::Array { shape: vec![1], data: vec![7.0] });
    let bools = npy_v1("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", &[1, 0, 1]);
    assert_eq!(npy::read(&bools, LIMIT).unwrap().data, vec![1.0, 0.0, 1.0]);
}

#[test]
fn write_f32_matches_numpy_bytes() {
    assert_eq!(npy::write_f32(&[2, 3], &[-1.0, -0.5, 0.0, 0.5, 1.0, 1.5]), hex(F4_2X3));
    assert_eq!(npy::write_f32(&[1; 16], &[0.1]), hex(ONES_16D));
    assert_eq!(npy::write_f32(&[100000, 0], &[]), hex(EMPTY_100000X0));
}

#[test]
fn write_f32_round_trips() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for _ in 0..200 {
        let rank = rng.below(5);
        let shape: Vec<usize> = (0..rank).map(|_| rng.below(5)).collect();
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n).map(|_| (rng.next() as i64 as f64) * 1e-17).collect();
        let bytes = npy::write_f32(&shape, &data);
        assert_eq!(bytes.len() % 64, (4 * n) % 64, "the data starts on a 64-byte boundary");
        let back = npy::read(&bytes, LIMIT).unwrap();
        assert_eq!(back.shape, shape);
        let rounded: Vec<f64> = data.iter().map(|&v| v as f32 as f64).collect();
        assert_eq!(back.data, rounded);
    }
    let special = [f64::NAN, f64::INFINITY, -0.0, 1e300];
    let back = npy::read(&npy::write_f32(&[4], &special), LIMIT).unwrap();
    assert!(back.data[0].is_nan());
    assert_eq!(&back.data[1..], &[f64::INFINITY, -0.0, f64::INFINITY]);
}

#[test]
fn npy_errors_name_the_problem() {
    assert_has(&err_npy(b""), "the file is empty");
    assert_has(&err_npy(b"hello world, this is text"), "not a .npy file: it does not start with \\x93NUMPY");
    assert_has(&err_npy(b"PK\x03\x04zipzipzip"), "np.savez");
    assert_has(&err_npy(b"\x93NUMPY\x04\x00\x10\x00"), "format version 4.0; versions 1.0, 2.0 and 3.0");
    assert_has(&err_npy(b"\x93NUMPY\x01"), "cut short");
    assert_has(&err_npy(b"\x93NUMPY\x02\x00\xff\xff\xff\xff{"), "cut short: its header needs");
    assert_has(
        &err_npy(&hex(BIG_ENDIAN_F8)),
        "dtype '>f8' is not supported: save the array as float32 or float64 (little-endian)",
    );
    assert_has(&err_npy(&npy_v1("{'descr': '<c16', 'fortran_order': False, 'shape': (1,)}", &[0; 16])), "complex");
    assert_has(&err_npy(&npy_v1("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}", &[0; 8])), "objects");
    assert_has(
        &err_npy(&npy_v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", &[0; 4])),
        "structured dtype",
    );
    assert_has(&err_npy(&npy_v1("{'descr': '<f8', 'fortran_order': False}", &[])), "no 'shape' entry");
    assert_has(&err_npy(&npy_v1("{'descr': '<f8', 'shape': (1,)}", &[0; 8])), "no 'fortran_order' entry");
    assert_has(&err_npy(&npy_v1("{'fortran_order': False, 'shape': (1,)}", &[0; 8])), "no 'descr' entry");
    assert_has(&err_npy(&npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}", &[])), "negative size -3");
    assert_has(&err_npy(&npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,}", &[])), "not a valid dict");
    assert_has(&err_npy(&npy_v1("{'descr': '<f8', 'fortran_order': Maybe, 'shape': (3,)}", &[])), "'Maybe'");
    assert_has(&err_npy(&npy_v1("{'descr': '<f8', 'fortran_order': False, 'shape': (3,)} x", &[])), "after");
    let deep = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {}}}", "(".repeat(10_000));
    assert_has(&err_npy(&npy_v1(&deep, &[])), "nested too deeply");
    let huge = "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4611686018427387904)}";
    assert_has(&err_npy(&npy_v1(huge, &[])), "more than the limit 16 777 216");
    let big = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000000000000000000000000000000000,)}";
    assert_has(&err_npy(&npy_v1(big, &[])), "too large");
    // The limit is checked from the header, before the (absent) data.
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1000, 3000), }";
    assert_eq!(
        npy::read(&npy_v1(header, &[]), 1 << 20).unwrap_err(),
        "the array has 3 000 000 values (shape 1000 × 3000), more than the limit 1 048 576"
    );
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (10, 20, 3), }";
    assert_has(
        &err_npy(&npy_v1(header, &[0; 400])),
        "the file holds 400 bytes of data but its shape 10 × 20 × 3 needs 2 400",
    );
    assert_has(&err_npy(&npy_v1(header, &[0; 400])), "cut short");
    assert_has(&err_npy(&npy_v1(header, &[0; 2404])), "extra bytes");
    let v3 = b"\x93NUMPY\x03\x00\x04\x00\x00\x00{\xff}\n";
    assert_has(&err_npy(v3), "not valid UTF-8");
}

#[test]
fn damaged_and_random_bytes_are_refused_without_panicking() {
    for file in ALL {
        let bytes = hex(file);
        for len in 0..bytes.len() {
            assert!(npy::read(&bytes[..len], LIMIT).is_err(), "{len} bytes of {file}");
            assert!(upload::from_npy(&bytes[..len], None, 0.01).is_err());
        }
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..20_000 {
        let len = rng.below(300);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        if round % 2 == 1 {
            // Past the magic, so the version, header and data are what is random.
            let mut lead = b"\x93NUMPY".to_vec();
            lead.push([1, 2, 3][rng.below(3)]);
            lead.push(0);
            bytes.splice(0..0, lead);
            let _ = npy::read(&bytes, LIMIT);
            let _ = upload::from_npy(&bytes, Some("a,b"), 0.01);
        } else {
            assert!(npy::read(&bytes, LIMIT).is_err());
        }
    }
    // A valid file with a few bytes changed, and with bytes of its header replaced by the
    // characters a header is made of: anything may come back, but nothing panics.
    let alphabet = b"{}()[],:'\" 0123456789-LTrueFalsNon<>|f4i8u1b\n";
    for round in 0..40_000 {
        let mut bytes = hex(ALL[round % ALL.len()]);
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(bytes.len());
            bytes[at] = if at < 128 && round % 3 != 0 { alphabet[rng.below(alphabet.len())] } else { rng.next() as u8 };
        }
        if let Ok(a) = npy::read(&bytes, LIMIT) {
            assert_eq!(a.data.len(), a.shape.iter().product::<usize>());
        }
        let _ = upload::from_npy(&bytes, None, 1.0);
    }
}

/// The recording of [`REC_F8_2X3X2`] with `conditions`.
fn expected_recording(conditions: [&str; 2], dt: f64) -> Recording {
    Recording {
        trials: 2,
        steps: 3,
        neurons: 2,
        dt,
        data: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.0, 0.5, 0.0, 0.0, 7.25, 8.0],
        conditions: conditions.iter().map(|c| c.to_string()).collect(),
        phases: vec![],
    }
}

#[test]
fn from_npy_builds_a_recording() {
    let bytes = hex(REC_F8_2X3X2);
    assert_eq!(upload::from_npy(&bytes, None, 0.01).unwrap(), expected_recording(["all", "all"], 0.01));
    for labels in
        ["left\nright\n", "\n  left \r\n\r\nright", "left, right", "left,right,", "\u{feff}\"left\",\"right\""]
    {
        assert_eq!(
            upload::from_npy(&bytes, Some(labels), 0.5).unwrap(),
            expected_recording(["left", "right"], 0.5),
            "{labels:?}"
        );
    }
    // Integers and float32 are widened; the values are the same.
    let ints = npy::write_f32(&[2, 3, 2], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.0, 0.5, 0.0, 0.0, 7.25, 8.0]);
    assert_eq!(upload::from_npy(&ints, None, 0.01).unwrap(), expected_recording(["all", "all"], 0.01));
}

#[test]
fn from_npy_errors_name_the_problem() {
    let f4 = |shape: &[usize]| npy::write_f32(shape, &vec![0.5; shape.iter().product()]);
    let err = |bytes: &[u8]| upload::from_npy(bytes, None, 0.01).expect_err("should be refused");
    assert_has(
        &err(&f4(&[2, 2, 2, 2])),
        "needs 3 dimensions (trials × time × neurons) or 2 (time × neurons), the file has 4 (shape 2 × 2 × 2 × 2)",
    );
    assert_has(&err(&f4(&[5])), "the file has 1 (shape 5)");
    assert_has(&err(&f4(&[])), "the file has 0 (shape ())");
    assert_has(&err(&f4(&[10, 3])), "2-D array (10 time steps × 3 neurons), which is a single trial");
    assert_has(&err(&f4(&[2, 0, 3])), "the recording is empty: it has 2 trials × 0 time steps × 3 neurons");
    assert_has(&err(&f4(&[0, 3])), "the recording is empty");
    assert_has(&err(&f4(&[1, 5, 3])), "the recording has 1 trial; at least 2 are needed (at most 5 000)");
    assert_has(&err(&f4(&[3, 1, 3])), "each trial has 1 time step; at least 2 are needed (at most 10 000)");
    assert_has(&err(&f4(&[2, 2, 2001])), "the recording has 2 001 neurons, more than the limit 2 000");
    assert_has(&err(&f4(&[5001, 2, 1])), "the recording has 5 001 trials, more than the limit 5 000");
    assert_has(&err(&f4(&[2, 10_001, 1])), "10 001 time steps per trial, more than the limit 10 000");
    // Past the value limit the header alone is refused, before the 80 MB of data are looked for.
    let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 10000, 1000), }";
    assert_has(
        &err(&npy_v1(header, &[])),
        "20 000 000 values (shape 2 × 10000 × 1000), more than the limit 16 777 216",
    );

    let mut values = vec![1.0; 2 * 3 * 4];
    values[(3 + 2) * 4 + 1] = f64::NAN; // trial 1, time 2, neuron 1
    values[23] = f64::INFINITY;
    values[22] = f64::NEG_INFINITY;
    let bytes = npy::write_f32(&[2, 3, 4], &values);
    assert_eq!(
        err(&bytes),
        "3 values are NaN or infinite, the first at trial 1, time 2, neuron 1 (0-based); every value must be a \
         finite number"
    );
    values[22] = 1.0;
    values[23] = 1.0;
    assert_has(&err(&npy::write_f32(&[2, 3, 4], &values)), "1 value is NaN or infinite, at trial 1, time 2, neuron 1");

    let good = hex(REC_F8_2X3X2);
    assert_has(
        &upload::from_npy(&good, Some("a\nb\nc\n"), 0.01).unwrap_err(),
        "the labels give 3 labels but the array has 2 trials; give one condition label per trial",
    );
    assert_has(&upload::from_npy(&good, Some(""), 0.01).unwrap_err(), "the labels give 0 labels");
    assert_has(&upload::from_npy(&good, Some("a,,b"), 0.01).unwrap_err(), "label 2 in the comma-separated list");
    for dt in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_has(&upload::from_npy(&good, None, dt).unwrap_err(), "dt (the time between steps) must be a positive");
    }
    assert_has(&err(b"trial,time\n"), "not a .npy file");
}

const LONG_CSV: &str = "\
trial,time,neuron,value,condition
9,0,1,0.5,right
9,0,0,-1,right
4,2,1,6,left
4,0,0,1,left
4,0,1,2,left
4,1,0,3,left
4,1,1,4,left
4,2,0,5,left
9,2,0,7.25,right
9,1,0,0,right
9,1,1,0.0,right
9,2,1,8e0,right
";

const WIDE_CSV: &str = "\
Trial,Time,Condition,cell_a,cell_b

4,0.00,left,1,2
9,0.02,right,7.25,8
9,0.00,right,-1,0.5
4,0.01,left,3,4
9,0.01,right,0,0
4,0.02,left,5,6
";

#[test]
fn csv_layouts_give_the_recording_of_the_npy() {
    let want = upload::from_npy(&hex(REC_F8_2X3X2), Some("left\nright"), 0.01).unwrap();
    assert_eq!(want, expected_recording(["left", "right"], 0.01));
    assert_eq!(upload::from_csv(LONG_CSV, 0.01).unwrap(), want);
    assert_eq!(upload::from_csv(WIDE_CSV, 0.01).unwrap(), want);
    // CRLF line ends, a byte-order mark, quotes, semicolons and no condition column.
    let crlf = WIDE_CSV.replace('\n', "\r\n");
    assert_eq!(upload::from_csv(&format!("\u{feff}{crlf}"), 0.01).unwrap(), want);
    let quoted = LONG_CSV.replace("left", "\"left\"").replace(",right", ",\"right\"");
    assert_eq!(upload::from_csv(&quoted, 0.01).unwrap(), want);
    let semicolons = WIDE_CSV.replace(',', ";");
    assert_eq!(upload::from_csv(&semicolons, 0.01).unwrap(), want);
    let plain: String = LONG_CSV
        .lines()
        .map(|l| format!("{}\n", &l[..l.rfind(',').unwrap()]))
        .collect::<String>()
        .replace("trial,time,neuron,value", "TRIAL,time,Neuron,VALUE");
    assert_eq!(upload::from_csv(&plain, 0.01).unwrap(), expected_recording(["all", "all"], 0.01));
    // A quoted condition holding the delimiter.
    let comma = WIDE_CSV.replace("right", "\"up, right\"");
    assert_eq!(upload::from_csv(&comma, 0.01).unwrap().conditions, vec!["left", "up, right"]);
}

#[test]
fn csv_errors_name_the_problem() {
    let err = |text: &str| upload::from_csv(text, 0.01).expect_err("should be refused");
    assert_has(&err(""), "the CSV file is empty");
    assert_has(&err("trial,time,neuron,value\n"), "a header but no data rows");
    assert_has(&err("trial,time,a\n"), "a header but no data rows");
    assert_has(&err("trial,neuron,value\n0,0,1\n"), "the CSV header has no 'time' column");
    assert_has(&err("time,neuron,value\n0,0,1\n"), "has no 'trial' column; it needs trial,time,neuron,value");
    assert_has(&err("trial,time\n0,0\n"), "no neuron columns");
    assert_has(&err("trial,time,neuron,rate\n0,0,0,1\n"), "a 'neuron' column but no 'value' column");
    assert_has(
        &err("trial,time,neuron,value,extra\n0,0,0,1,2\n"),
        "a column 'extra' that the long layout does not use",
    );
    assert_has(&err(",trial,time,a\n0,0,0,1\n"), "column 1 of the CSV header has no name (pandas");
    assert_has(&err("trial,time,a,A\n0,0,0,1\n"), "names column 'a' twice");
    let wide_many = format!("trial,time,{}\n", (0..2001).map(|k| format!("n{k}")).collect::<Vec<_>>().join(","));
    assert_has(&err(&wide_many), "2 001 neurons, more than the limit 2 000");

    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4,1,1,abc,left")),
        "line 8, column 'value': 'abc' is not a number",
    );
    assert_has(&err(&LONG_CSV.replace("4,1,1,4,left", "4,1,1,,left")), "line 8, column 'value': the cell is empty");
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4.5,1,1,4,left")),
        "line 8, column 'trial': '4.5' is not an integer",
    );
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4,-1,1,4,left")),
        "line 8, column 'time': -1 is not a 0-based index",
    );
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4,0.01,1,4,left")),
        "line 8, column 'time': '0.01' is not an integer: the long layout's time is a 0-based index",
    );
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4,10000,1,4,left")),
        "line 8, column 'time': index 10 000 is beyond the limit of 10 000 time steps (indices 0 to 9 999)",
    );
    assert_has(
        &err(&WIDE_CSV.replace("4,0.01,left,3,4", "4,0.01,left,3,x")),
        "line 6, column 'cell_b': 'x' is not a number",
    );
    assert_has(
        &err(&WIDE_CSV.replace("4,0.01,left,3,4", "4,0.01,left,3")),
        "line 6 has 4 cells but the header has 5 columns",
    );
    assert_has(&err(&LONG_CSV.replace("4,1,1,4,left", "4,1,1,4,left,7")), "line 8 has 6 cells but the header has 5");
    assert_has(&err(&WIDE_CSV.replace("4,0.01,left", "4,0.01,\"left")), "line 6: a quoted cell is not closed");
    assert_has(
        &err(&WIDE_CSV.replace("4,0.01,left,3,4", "4,inf,left,3,4")),
        "line 6, column 'time': the time must be a finite",
    );

    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4,0,1,4,left")),
        "line 8 repeats trial 4, time 0, neuron 1 of line 6; the long layout needs each (trial, time, neuron) exactly once",
    );
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left\n", "")),
        "trial 4, time 1, neuron 1 has no row; the long layout needs one row for every trial, time step and neuron",
    );
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left\n", "").replace("9,0,0,-1,right\n", "")),
        "trial 4, time 1, neuron 1 has no row (nor does 1 other (trial, time, neuron) combination)",
    );
    assert_has(
        &err(&LONG_CSV.replace("4,1,1,4,left", "4,1,1,4,up")),
        "line 8: trial 4 has condition 'up' here but 'left' on line 4; the condition must be the same on every row",
    );
    assert_has(
        &err(&WIDE_CSV.replace("4,0.02,left,5,6\n", "")),
        "trial 9 has 3 time steps but trial 4 has 2 time steps; every trial needs the same number of time steps",
    );
    assert_has(&err(&WIDE_CSV.replace("9,0.02", "9,0.01")), "trial 9 has two rows at time 0.01");
    assert_has(&err(&WIDE_CSV.replace(",right,", ",,")), "column 'condition': the cell is empty");
    assert_has(
        &err(&LONG_CSV.replace("9,", "4,").replace("right", "left")),
        "the recording has 1 trial; at least 2 are needed",
    );
    assert_has(&err("trial,time,a\n0,0,1\n1,0,2\n"), "each trial has 1 time step; at least 2 are needed");
    assert_has(
        &err("trial,time,neuron,value\n0,9999,1999,1\n1,0,0,1\n"),
        "the recording has 40 000 000 values (trials × time × neurons), more than the limit 16 777 216",
    );
    let many_trials: String = (0..5001).map(|k| format!("{k},0,0,1\n")).collect();
    assert_has(&err(&format!("trial,time,neuron,value\n{many_trials}")), "more than the limit 5 000");
    let long_trial: String = (0..10_001).map(|k| format!("0,{k},1\n")).collect();
    assert_has(&err(&format!("trial,time,a\n{long_trial}")), "trial 0 has more than 10 000 rows (time steps)");

    assert_eq!(
        err(&LONG_CSV.replace("9,2,0,7.25,right", "9,2,0,nan,right")),
        "1 value is NaN or infinite, at trial 1 (trial 9 in the file), time 2, neuron 0 (0-based); every value must \
         be a finite number"
    );
    assert_has(
        &err(&WIDE_CSV.replace("1,2", "inf,-inf")),
        "2 values are NaN or infinite, the first at trial 0 (trial 4 in the file), time 0, neuron 0",
    );
    assert_has(&upload::from_csv(LONG_CSV, -0.1).unwrap_err(), "dt (the time between steps) must be a positive");
}

#[test]
fn damaged_csv_is_refused_without_panicking() {
    let mut rng = Rng(0xdead_beef_cafe_f00d);
    let alphabet: Vec<char> = ",;\t\"\n\r 0123456789.-+eEnaifNTtrialmeuovcd\u{feff}é".chars().collect();
    for round in 0..20_000 {
        let base = if round % 2 == 0 { LONG_CSV } else { WIDE_CSV };
        let mut text: Vec<char> = base.chars().collect();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len() + 1);
            match rng.below(3) {
                0 if at < text.len() => {
                    text.remove(at);
                }
                1 if at < text.len() => text[at] = alphabet[rng.below(alphabet.len())],
                _ => text.insert(at, alphabet[rng.below(alphabet.len())]),
            }
        }
        let text: String = text.into_iter().collect();
        if let Ok(rec) = upload::from_csv(&text, 0.01) {
            assert_eq!(rec.data.len(), rec.trials * rec.steps * rec.neurons);
            assert_eq!(rec.conditions.len(), rec.trials);
            assert!(rec.data.iter().all(|v| v.is_finite()));
        }
        let cut: String = base.chars().take(rng.below(base.len())).collect();
        let _ = upload::from_csv(&cut, 0.01);
    }
}

/// Trial 0, neuron 0: steps 1 3 | 5 7 | 0 2, bins 2 6 1; trial 1, neuron 0: 0 0 | 2 2 | 4 4, bins
/// 0 2 4; neuron 1 is 4 throughout.
fn hand_recording() -> Recording {
    let n0 = [[1.0, 3.0, 5.0, 7.0, 0.0, 2.0], [0.0, 0.0, 2.0, 2.0, 4.0, 4.0]];
    let data = n0.iter().flat_map(|trial| trial.iter().flat_map(|&v| [v, 4.0])).collect();
    Recording {
        trials: 2,
        steps: 6,
        neurons: 2,
        dt: 0.01,
        data,
        conditions: vec!["a".into(), "b".into()],
        phases: vec![],
    }
}

fn close(a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{a:?} against {b:?}");
    }
}

#[test]
fn prepare_bins_smooths_and_zscores_by_hand() {
    let rec = hand_recording();
    assert_eq!(upload::prepare(&rec, &Prepare::default()).unwrap(), rec);

    let binned = upload::prepare(&rec, &Prepare { bin: 2, smooth: 0.0, zscore: false }).unwrap();
    assert_eq!((binned.trials, binned.steps, binned.neurons), (2, 3, 2));
    assert!((binned.dt - 0.02).abs() < 1e-15);
    assert_eq!(binned.data, vec![2.0, 4.0, 6.0, 4.0, 1.0, 4.0, 0.0, 4.0, 2.0, 4.0, 4.0, 4.0]);
    assert_eq!(binned.conditions, rec.conditions);

    // A trailing partial bin is dropped: 6 steps in bins of 4 leave 1, of 3 leave 2.
    let thirds = upload::prepare(&rec, &Prepare { bin: 3, smooth: 0.0, zscore: false }).unwrap();
    assert_eq!(thirds.data, vec![3.0, 4.0, 3.0, 4.0, 2.0 / 3.0, 4.0, 10.0 / 3.0, 4.0]);

    // Bins 2 6 1 z-scored over both trials with 0 2 4: mean 2.5, variance 23.5 / 6.
    let z = upload::prepare(&rec, &Prepare { bin: 2, smooth: 0.0, zscore: true }).unwrap();
    let sd = (23.5f64 / 6.0).sqrt();
    let want: Vec<f64> = [2.0, 6.0, 1.0, 0.0, 2.0, 4.0].iter().flat_map(|v| [(v - 2.5) / sd, 0.0]).collect();
    close(&z.data, &want);

    // s.d. 1 bin: weights 1, e^-1/2, e^-2 (e^-9/2 lies past both edges of 3 bins), renormalised.
    let (w1, w2) = ((-0.5f64).exp(), (-2.0f64).exp());
    let smooth3 = |x: [f64; 3]| {
        [
            (x[0] + w1 * x[1] + w2 * x[2]) / (1.0 + w1 + w2),
            (w1 * x[0] + x[1] + w1 * x[2]) / (1.0 + 2.0 * w1),
            (w2 * x[0] + w1 * x[1] + x[2]) / (1.0 + w1 + w2),
        ]
    };
    let s0 = smooth3([2.0, 6.0, 1.0]);
    let s1 = smooth3([0.0, 2.0, 4.0]);
    let smoothed = upload::prepare(&rec, &Prepare { bin: 2, smooth: 1.0, zscore: false }).unwrap();
    let want: Vec<f64> = s0.iter().chain(&s1).flat_map(|&v| [v, 4.0]).collect();
    close(&smoothed.data, &want);

    let all = upload::prepare(&rec, &Prepare { bin: 2, smooth: 1.0, zscore: true }).unwrap();
    let v: Vec<f64> = s0.iter().chain(&s1).copied().collect();
    let mean = v.iter().sum::<f64>() / 6.0;
    let sd = (v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / 6.0).sqrt();
    let want: Vec<f64> = v.iter().flat_map(|x| [(x - mean) / sd, 0.0]).collect();
    close(&all.data, &want);
    assert!(all.data.iter().skip(1).step_by(2).all(|&x| x == 0.0), "a constant neuron becomes zeros");

    // A kernel narrower than a bin (3 s.d. < 1) leaves the data as it is.
    let narrow = upload::prepare(&rec, &Prepare { bin: 1, smooth: 0.3, zscore: false }).unwrap();
    assert_eq!(narrow.data, rec.data);
}

#[test]
fn prepare_refuses_bad_settings() {
    let rec = hand_recording();
    let err = |bin: usize, smooth: f64| upload::prepare(&rec, &Prepare { bin, smooth, zscore: true }).unwrap_err();
    assert_has(&err(0, 0.0), "bin must be at least 1");
    assert_has(&err(7, 0.0), "bin 7 is larger than the 6 time steps of a trial; it can be at most 3");
    assert_has(
        &err(4, 0.0),
        "a bin of 4 time steps leaves 1 bin of a trial's 6 time steps; at least 2 are needed, so bin can be at most 3",
    );
    for smooth in [-1.0, f64::NAN, f64::INFINITY] {
        assert_has(&err(1, smooth), "smooth (the s.d. of the Gaussian kernel, in bins) must be a finite number ≥ 0");
    }
    let big = Recording {
        trials: 2,
        steps: 10_000,
        neurons: 800,
        dt: 0.001,
        data: vec![0.0; 2 * 10_000 * 800],
        conditions: vec!["all".into(); 2],
        phases: vec![],
    };
    let msg = upload::prepare(&big, &Prepare { bin: 1, smooth: 100.0, zscore: false }).unwrap_err();
    assert_has(&msg, "more than the budget 1 073 741 824; use a smaller smooth or a larger bin");
    let mut broken = rec.clone();
    broken.data.pop();
    assert_has(&upload::prepare(&broken, &Prepare::default()).unwrap_err(), "the recording is inconsistent");
}

//! A minimal wasm module around `lpu::run_query`, with plain exports and no imports, so that a
//! bare `node` can run a share-link query and compare the result bytes with the native CLI
//! (tests/wasm_matches_native.rs). The explorer page uses its own bindings.

use std::cell::RefCell;

thread_local! {
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Reserves `len` bytes for the caller to write a query into.
#[no_mangle]
pub extern "C" fn query_buffer(len: usize) -> *mut u8 {
    let mut v = vec![0u8; len.max(1)];
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Runs the query at (ptr, len); returns 0 with the result JSON as output, or 2 with the
/// parameter error message.
///
/// # Safety
/// `ptr` must point to `len` bytes obtained from `query_buffer`.
#[no_mangle]
pub unsafe extern "C" fn run(ptr: *const u8, len: usize) -> i32 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    let (code, text) = match std::str::from_utf8(bytes) {
        Err(_) => (2, "query: not UTF-8".to_string()),
        Ok(q) => match lpu::run_query(q) {
            Ok(outcome) => (0, outcome.json),
            Err(e) => (2, e.to_string()),
        },
    };
    OUTPUT.with(|o| *o.borrow_mut() = text.into_bytes());
    code
}

#[no_mangle]
pub extern "C" fn output_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

#[no_mangle]
pub extern "C" fn output_len() -> usize {
    OUTPUT.with(|o| o.borrow().len())
}

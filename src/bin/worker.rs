//! The web worker's wasm: runs share-link queries off the page's thread. `www/worker-main.js`
//! loads it and relays messages; a panic is kept so the page can show it.

#[cfg(target_arch = "wasm32")]
mod bindings {
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    thread_local! {
        static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
        static NETWORK: RefCell<Option<lpu::network::Network>> = const { RefCell::new(None) };
    }

    /// Keeps the panic message for `last_panic`, since the trap that follows loses it.
    #[wasm_bindgen(start)]
    pub fn start() {
        std::panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|p| *p.borrow_mut() = info.to_string());
        }));
    }

    #[wasm_bindgen]
    pub fn last_panic() -> String {
        LAST_PANIC.with(|p| p.borrow().clone())
    }

    /// Runs a query (lenient: problems were already reported by the page, which sends the
    /// canonical query). Returns the result JSON or {"error": …}.
    #[wasm_bindgen]
    pub fn run(query: &str, progress: js_sys::Function) -> String {
        let (params, errors) = lpu::parse_lenient(query);
        let Some(params) = params.filter(|_| errors.is_empty()) else {
            let msg = errors.first().map(|e| e.to_string()).unwrap_or_else(|| "exp: is required".into());
            return serde_json::json!({ "error": msg }).to_string();
        };
        let outcome = lpu::progress::with_sink(
            move |f| {
                let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
            },
            || params.run(&lpu::experiments::RunCtx::default()),
        );
        match outcome {
            Ok(outcome) => {
                NETWORK.with(|n| *n.borrow_mut() = Some(outcome.network));
                outcome.json
            }
            Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
        }
    }

    /// The flow, fixed points and launched trajectory only, for live slider updates.
    #[wasm_bindgen]
    pub fn portrait(query: &str) -> String {
        match lpu::parse_strict(query) {
            Ok(p) => p
                .live()
                .unwrap_or_else(|| serde_json::json!({ "error": "this experiment has no portrait" }).to_string()),
            Err(e) => serde_json::json!({ "error": e.to_string() }).to_string(),
        }
    }

    /// The network file of the last run.
    #[wasm_bindgen]
    pub fn network_file() -> String {
        NETWORK.with(|n| n.borrow().as_ref().map(lpu::netfile::to_json).unwrap_or_default())
    }

    /// Panics on purpose, so the page's error path can be tested in a real browser.
    #[wasm_bindgen]
    pub fn debug_panic() {
        panic!("deliberate panic requested by the page's test hook");
    }
}

fn main() {}

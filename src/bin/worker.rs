//! The web worker's wasm: answers the page's typed requests ([`lpu::protocol`]) off the page's
//! thread. `www/worker-main.js` loads it and relays messages; a panic is kept so the page can
//! show it.

#[cfg(target_arch = "wasm32")]
mod bindings {
    use lpu::protocol::{handle as answer, Reply, Request, WireError, WorkerState};
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

    thread_local! {
        static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
        static STATE: RefCell<WorkerState> = RefCell::new(WorkerState::default());
    }

    #[wasm_bindgen]
    extern "C" {
        /// Suspends the run until the event loop's next task: `worker-main.js` supplies it as
        /// a WebAssembly JSPI `Suspending` import, so the core can wait for WebGPU.
        #[wasm_bindgen(js_name = lpuYield)]
        fn lpu_yield();
        /// Why this browser cannot run the GPU backend ("" when it can).
        #[wasm_bindgen(js_name = lpuGpuMissing)]
        fn gpu_missing() -> String;
    }

    /// Keeps the panic message for `panic_reply`, since the trap that follows loses it, and
    /// lets the GPU backend wait for WebGPU where the browser can suspend a run.
    #[wasm_bindgen(start)]
    pub fn start() {
        std::panic::set_hook(Box::new(|info| {
            LAST_PANIC.with(|p| *p.borrow_mut() = info.to_string());
        }));
        #[cfg(feature = "gpu")]
        match gpu_missing() {
            why if why.is_empty() => lpu::gpu::set_yield(lpu_yield),
            why => lpu::gpu::set_missing(why),
        }
        #[cfg(not(feature = "gpu"))]
        let _ = (lpu_yield as fn(), gpu_missing as fn() -> String);
    }

    fn post(post: &js_sys::Function, reply: &Reply) {
        if let Ok(v) = serde_wasm_bindgen::to_value(reply) {
            let _ = post.call1(&JsValue::NULL, &v);
        }
    }

    /// Answers request `id`: `progress(f)` gets fractions, `cancelled()` is asked between
    /// chunks of work, and `post(reply)` gets the one `done` or `failed` reply.
    #[wasm_bindgen]
    pub fn handle(
        id: u32,
        request: JsValue,
        progress: js_sys::Function,
        cancelled: js_sys::Function,
        reply: js_sys::Function,
    ) {
        let request: Request = match serde_wasm_bindgen::from_value(request) {
            Ok(r) => r,
            Err(e) => {
                return post(&reply, &Reply::Failed { id, error: WireError::protocol(format!("not a request: {e}")) })
            }
        };
        let on_progress = move |f: f64| {
            let _ = progress.call1(&JsValue::NULL, &JsValue::from_f64(f));
        };
        let is_cancelled = move || cancelled.call0(&JsValue::NULL).ok().and_then(|v| v.as_bool()).unwrap_or(false);
        let relay = reply.clone();
        let on_partial = move |text: String| post(&relay, &Reply::Partial { id, text });
        let answer = STATE.with(|s| answer(&mut s.borrow_mut(), request, on_progress, is_cancelled, on_partial));
        match answer {
            Ok(text) => post(&reply, &Reply::Done { id, text }),
            Err(error) => post(&reply, &Reply::Failed { id, error }),
        }
    }

    /// The `failed` reply for a request whose run trapped (a panic): the worker is replaced.
    #[wasm_bindgen]
    pub fn panic_reply(id: u32, trap: String) -> JsValue {
        let panic = LAST_PANIC.with(|p| p.borrow().clone());
        let message = if panic.is_empty() { trap } else { format!("the core panicked: {panic}") };
        serde_wasm_bindgen::to_value(&Reply::Failed { id, error: WireError::panic(message) }).unwrap_or(JsValue::NULL)
    }
}

fn main() {}

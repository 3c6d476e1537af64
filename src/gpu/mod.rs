//! The GPU backend (wgpu, WGSL, f32; the `gpu` feature): the batched low-rank step with its
//! dense part and its noise, run on whatever adapter wgpu finds (Vulkan, Metal or DX12
//! natively). An approximate mode: the CPU path stays the bit-exact reference, and the GPU's
//! results agree with it within the tolerance the README states (tested on lavapipe), not bit
//! for bit. Each adapter repeats its own bits: every reduction is a fixed tree, and the noise
//! is counter-based ([`philox`]), so a seed still fixes the run.

pub mod philox;
mod simulate;
mod train;

use std::collections::HashMap;

/// Invocations per workgroup (`WG` in every shader).
const WG: usize = 256;
use std::sync::{Arc, Mutex};

/// Why the GPU could not run a job; the caller runs it on the CPU and shows this message.
#[derive(Clone, Debug, PartialEq)]
pub enum GpuError {
    /// No adapter, or no device from it.
    Unavailable(String),
    /// The job does not fit the adapter's buffer limits.
    TooLarge(String),
    /// The device ran out of memory.
    OutOfMemory(String),
    /// The device was lost, or an operation failed on it.
    Failed(String),
}

impl std::fmt::Display for GpuError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GpuError::Unavailable(m) => write!(f, "no GPU: {m}"),
            GpuError::TooLarge(m) => write!(f, "too large for the GPU: {m}"),
            GpuError::OutOfMemory(m) => write!(f, "the GPU ran out of memory: {m}"),
            GpuError::Failed(m) => write!(f, "the GPU failed: {m}"),
        }
    }
}

/// A device on one adapter, with its compiled pipelines.
pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    limits: wgpu::Limits,
    /// The first error the device reported outside an error scope (or its loss).
    trouble: Arc<Mutex<Option<String>>>,
    pipelines: Mutex<HashMap<String, Arc<simulate::Pipelines>>>,
    train_pipelines: Mutex<HashMap<String, Arc<train::Pipelines>>>,
}

impl Gpu {
    /// The adapter wgpu prefers for high performance, with a device holding every limit the
    /// adapter offers (the buffer sizes decide how large a batch runs).
    pub async fn request() -> Result<Gpu, GpuError> {
        let instance = wgpu::Instance::new(wgpu::InstanceDescriptor {
            backends: wgpu::Backends::PRIMARY,
            ..wgpu::InstanceDescriptor::new_without_display_handle()
        });
        let adapter = instance
            .request_adapter(&wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::HighPerformance,
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Unavailable(format!("no adapter ({e})")))?;
        let info = adapter.get_info();
        let limits = adapter.limits();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("lpu"),
                required_limits: limits.clone(),
                ..Default::default()
            })
            .await
            .map_err(|e| GpuError::Unavailable(format!("no device from {} ({e})", info.name)))?;
        let trouble = Arc::new(Mutex::new(None));
        let keep = |t: &Arc<Mutex<Option<String>>>, m: String| {
            let mut slot = t.lock().unwrap_or_else(|p| p.into_inner());
            slot.get_or_insert(m);
        };
        let t = trouble.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| keep(&t, e.to_string())));
        let t = trouble.clone();
        device.set_device_lost_callback(move |reason, m| keep(&t, format!("device lost ({reason:?}): {m}")));
        Ok(Gpu {
            device,
            queue,
            info,
            limits,
            trouble,
            pipelines: Mutex::new(HashMap::new()),
            train_pipelines: Mutex::new(HashMap::new()),
        })
    }

    /// The adapter's name and graphics API, e.g. "NVIDIA H200 (Vulkan)".
    pub fn adapter(&self) -> String {
        let api = match self.info.backend {
            wgpu::Backend::BrowserWebGpu => "WebGPU".to_string(),
            other => format!("{other:?}"),
        };
        match self.info.name.trim() {
            "" if self.is_software() => format!("a software adapter ({api})"),
            "" => format!("the browser's adapter ({api})"),
            name => format!("{name} ({api})"),
        }
    }

    /// Whether the adapter is a software rasteriser (lavapipe, SwiftShader, WARP): correct but
    /// slower than the CPU path, so `backend=auto` never picks it.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// The largest storage buffer one binding may hold, bytes.
    pub fn max_binding(&self) -> u64 {
        self.limits.max_storage_buffer_binding_size.min(self.limits.max_buffer_size)
    }

    fn trouble(&self) -> Option<String> {
        self.trouble.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Runs one of the GPU's futures to its end on this thread (natively every wgpu future is
/// ready once the device has been polled, which the backend does itself).
#[cfg(not(target_arch = "wasm32"))]
pub use pollster::block_on;

/// The process's GPU, found once (natively: blocking on wgpu's futures). `Err` says why there
/// is none; it is not asked again.
#[cfg(not(target_arch = "wasm32"))]
pub fn shared() -> Result<&'static Gpu, GpuError> {
    static GPU: std::sync::OnceLock<Result<Gpu, GpuError>> = std::sync::OnceLock::new();
    GPU.get_or_init(|| pollster::block_on(Gpu::request())).as_ref().map_err(Clone::clone)
}

/// Lets the browser's event loop run once while a run is suspended (WebAssembly JSPI). In a
/// browser WebGPU answers only from the event loop, so a synchronous experiment can wait for
/// the GPU only by suspending; the worker installs this when its browser can.
#[cfg(target_arch = "wasm32")]
static YIELD: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Installs the worker's way of yielding to the event loop (see [`block_on`]).
#[cfg(target_arch = "wasm32")]
pub fn set_yield(yield_now: fn()) {
    let _ = YIELD.set(yield_now);
}

/// Why this browser cannot run the GPU backend, when the worker knows (no WebGPU, no JSPI).
#[cfg(target_arch = "wasm32")]
static MISSING: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records why this browser cannot run the GPU backend.
#[cfg(target_arch = "wasm32")]
pub fn set_missing(why: String) {
    let _ = MISSING.set(why);
}

/// Runs one of the GPU's futures to its end: polls it, and while it is pending lets the
/// browser's event loop run (the run is suspended meanwhile, and resumed by the next task).
/// Only called once [`shared`] found a GPU, which needs the yield installed.
#[cfg(target_arch = "wasm32")]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(v) = future.as_mut().poll(&mut cx) {
            return v;
        }
        match YIELD.get() {
            Some(yield_now) => yield_now(),
            None => panic!("a GPU future was awaited in a worker that cannot yield"),
        }
    }
}

/// The worker's GPU, found once: WebGPU's adapter, unless the browser has none or cannot
/// suspend a run to wait for it. `Err` says why there is none; it is not asked again.
#[cfg(target_arch = "wasm32")]
pub fn shared() -> Result<&'static Gpu, GpuError> {
    if YIELD.get().is_none() {
        return Err(GpuError::Unavailable(
            MISSING.get().cloned().unwrap_or_else(|| "this worker cannot wait for WebGPU".into()),
        ));
    }
    static GPU: std::sync::OnceLock<Result<Gpu, GpuError>> = std::sync::OnceLock::new();
    GPU.get_or_init(|| block_on(Gpu::request())).as_ref().map_err(Clone::clone)
}

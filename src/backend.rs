//! Which hardware runs a link's simulations: the `backend` key (`auto`, `cpu` or `gpu`) and
//! [`Chosen`], the [`Compute`] that follows it job by job, falls back to the CPU with a
//! message when the GPU cannot run a job, and remembers what ran for the result document.

use crate::gradient::GradJob;
use crate::network::Network;
use crate::params::range;
use crate::simulate::{Compute, SimJob, SimOutput};
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The `backend` key's values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The GPU when there is a hardware adapter and the job is large enough to pay
    /// ([`GPU_WORTH`]); the CPU otherwise.
    #[default]
    Auto,
    /// The CPU: the bit-exact reference, the same bytes natively and in every browser.
    Cpu,
    /// The GPU whenever there is an adapter (a software one included), whatever the size.
    Gpu,
}

impl crate::params::Choice for Backend {
    const ALL: &'static [Self] = &[Backend::Auto, Backend::Cpu, Backend::Gpu];
    const NAMES: &'static [&'static str] = &["auto", "cpu", "gpu"];
    fn name(self) -> &'static str {
        match self {
            Backend::Auto => "auto",
            Backend::Cpu => "cpu",
            Backend::Gpu => "gpu",
        }
    }
}

impl Backend {
    /// Whether a query's limits may be the GPU's: only `gpu` promises a GPU run (`auto` may
    /// run on the CPU, so it keeps the CPU's limits).
    pub fn gpu_limits(self) -> bool {
        self == Backend::Gpu
    }
}

crate::params! {
    /// The `backend` key, which every view that simulates takes beside its own keys (the
    /// registry adds it; it is in the canonical query only when not `auto`).
    pub struct BackendParams {
        backend: Backend = Backend::Auto, range(0.0, 0.0), "compute", "", simulation, "auto (the GPU for large simulations and trainings when there is a hardware adapter, else the CPU), cpu (the exact reference: the same bytes everywhere) or gpu (f32, within 1e-3 of the CPU); the result says which ran";
    }
}

/// The smallest job `auto` sends to a GPU, in neuron-trials per step (N × batch). The CPU
/// path steps about 4.6·10⁸ neurons per second per core (the step bench), so below 10⁵ a
/// step costs it less than ~0.2 ms, the order of a GPU step's three dispatches and its
/// share of the readback; above, the GPU's memory bandwidth wins.
pub const GPU_WORTH: usize = 100_000;

/// The smallest training `auto` sends to a GPU, in multiply-adds of the recurrent products per
/// step of a minibatch ([`crate::gradient::work_per_step`]; 3 N² × batch for a dense W): 10⁷,
/// e.g. a dense N = 200 with a batch of 84, or N = 1000 with 4. The CPU's BPTT does about
/// 1.4·10¹⁰ multiply-adds per second per core (dense N = 1000, `cargo bench --bench train`), so
/// such a step takes it about 0.7 ms, some ten times the GPU's six dispatches of a step. An
/// estimate: no hardware adapter was at hand to measure it.
pub const TRAIN_GPU_WORTH: f64 = 1e7;

/// What ran a link's simulations, for its result document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// `cpu` or `gpu` (`gpu` when any of the run's simulations ran there).
    pub ran: String,
    /// The adapter, when the GPU ran ("NVIDIA H200 (Vulkan)").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<String>,
    /// Why the GPU was asked for and not used, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether the GPU computed a training's gradients (rather than simulations).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub training: bool,
}

impl Report {
    /// A run on the CPU with nothing to say.
    pub fn cpu() -> Report {
        Report { ran: "cpu".into(), adapter: None, note: None, training: false }
    }

    /// Whether the GPU ran.
    pub fn gpu(&self) -> bool {
        self.ran == "gpu"
    }

    /// Several runs' reports as one (a sweep's parts): the GPU if any part used it, the
    /// first adapter and the first note.
    pub fn merge<'a>(parts: impl IntoIterator<Item = &'a Report>) -> Report {
        let mut out = Report::cpu();
        for p in parts {
            if p.gpu() {
                out.ran = "gpu".into();
            }
            out.adapter = out.adapter.take().or_else(|| p.adapter.clone());
            out.note = out.note.take().or_else(|| p.note.clone());
            out.training |= p.training;
        }
        out
    }

    /// One sentence for the summary line, or nothing for a plain CPU run.
    pub fn sentence(&self) -> Option<String> {
        let on = self.adapter.as_ref().map(|a| format!(" ({a})")).unwrap_or_default();
        match (self.gpu(), &self.adapter, &self.note) {
            (true, _, _) if self.training => Some(format!(
                "Trained on the GPU{on} in f32: each minibatch's loss and gradient within 1e-3 of the CPU's, not bit for bit (backend=cpu gives the exact bytes)."
            )),
            (true, adapter, _) => Some(format!(
                "Simulated on the GPU{} in f32: within 1e-3 of the CPU's latent trajectories, not bit for bit (backend=cpu gives the exact bytes).",
                adapter.as_ref().map(|a| format!(" ({a})")).unwrap_or_default()
            )),
            (false, _, Some(note)) => Some(format!("Ran on the CPU: {note}.")),
            (false, _, None) => None,
        }
    }
}

/// The [`Compute`] a link's `backend` key asks for, over a CPU fallback.
pub struct Chosen<'a> {
    choice: Backend,
    cpu: &'a dyn Compute,
    report: Mutex<Report>,
    /// Set when the GPU failed a training job: the rest of the run trains on the CPU.
    #[cfg(feature = "gpu")]
    gpu_failed: std::sync::atomic::AtomicBool,
}

impl<'a> Chosen<'a> {
    /// `choice`, falling back to (and for `cpu` running on) `cpu`.
    pub fn new(choice: Backend, cpu: &'a dyn Compute) -> Self {
        Chosen {
            choice,
            cpu,
            report: Mutex::new(Report::cpu()),
            #[cfg(feature = "gpu")]
            gpu_failed: Default::default(),
        }
    }

    /// What ran so far.
    pub fn report(&self) -> Report {
        self.report.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn note(&self, note: String) {
        let mut r = self.report.lock().unwrap_or_else(|p| p.into_inner());
        r.note.get_or_insert(note);
    }

    /// The GPU's output for `job`, or why not (`None`: `auto` keeps this job on the CPU
    /// without a word).
    #[cfg(feature = "gpu")]
    fn on_gpu(&self, net: &Network, job: &SimJob) -> Option<Result<SimOutput, String>> {
        let auto = self.choice == Backend::Auto;
        if auto && net.neurons * job.batch < GPU_WORTH {
            return None;
        }
        let gpu = match crate::gpu::shared() {
            Ok(g) => g,
            Err(_) if auto => return None,
            Err(e) => return Some(Err(e.to_string())),
        };
        if auto && gpu.is_software() {
            return None;
        }
        let out = crate::gpu::block_on(gpu.simulate(net, job)).map_err(|e| e.to_string());
        if out.is_ok() {
            self.ran_on(gpu, false);
        }
        Some(out)
    }

    #[cfg(feature = "gpu")]
    fn ran_on(&self, gpu: &crate::gpu::Gpu, training: bool) {
        let mut r = self.report.lock().unwrap_or_else(|p| p.into_inner());
        r.ran = "gpu".into();
        r.adapter = Some(gpu.adapter());
        r.training |= training;
    }

    /// The GPU trainings go to, whatever their size, or why none does (`Err` only when the
    /// link asked for the GPU; `Ok(None)`: `auto` stays on the CPU, or the GPU failed before).
    #[cfg(feature = "gpu")]
    fn training_device(&self) -> Result<Option<TrainingGpu>, String> {
        let auto = match self.choice {
            Backend::Cpu => return Ok(None),
            choice => choice == Backend::Auto,
        };
        if self.gpu_failed.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(None);
        }
        match crate::gpu::shared() {
            Ok(g) if auto && g.is_software() => Ok(None),
            Ok(g) => Ok(Some(g)),
            Err(_) if auto => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }

    #[cfg(not(feature = "gpu"))]
    fn training_device(&self) -> Result<Option<TrainingGpu>, String> {
        match self.choice {
            Backend::Gpu => Err(without_gpu()),
            _ => Ok(None),
        }
    }

    /// What `run` gives on `gpu`, reported; `None` and a note when the GPU fails, after which
    /// this run trains on the CPU (a device error stays: asking again would only fail again).
    #[cfg(feature = "gpu")]
    fn train_on<T>(
        &self,
        gpu: TrainingGpu,
        run: impl FnOnce(TrainingGpu) -> Result<T, crate::gpu::GpuError>,
    ) -> Option<T> {
        match run(gpu) {
            Ok(out) => {
                self.ran_on(gpu, true);
                Some(out)
            }
            Err(e) => {
                self.gpu_failed.store(true, std::sync::atomic::Ordering::Relaxed);
                self.note(e.to_string());
                None
            }
        }
    }

    #[cfg(not(feature = "gpu"))]
    fn on_gpu(&self, _net: &Network, _job: &SimJob) -> Option<Result<SimOutput, String>> {
        match self.choice {
            Backend::Gpu => Some(Err(without_gpu())),
            _ => None,
        }
    }
}

/// The GPU that trains (none without the `gpu` feature).
#[cfg(feature = "gpu")]
type TrainingGpu = &'static crate::gpu::Gpu;
#[cfg(not(feature = "gpu"))]
type TrainingGpu = std::convert::Infallible;

/// Why a build without the `gpu` feature runs `backend=gpu` on the CPU.
#[cfg(not(feature = "gpu"))]
fn without_gpu() -> String {
    if cfg!(target_arch = "wasm32") {
        "this page was built without the WebGPU backend".into()
    } else {
        "this lpu was built without the GPU backend (cargo build --release --features gpu)".into()
    }
}

impl Compute for Chosen<'_> {
    fn simulate(&self, net: &Network, job: &SimJob) -> SimOutput {
        if self.choice != Backend::Cpu {
            match self.on_gpu(net, job) {
                Some(Ok(out)) => return out,
                Some(Err(why)) => self.note(why),
                None => {}
            }
        }
        self.cpu.simulate(net, job)
    }

    fn trains_on_gpu(&self, work: f64) -> bool {
        if self.choice == Backend::Auto && work < TRAIN_GPU_WORTH {
            return false;
        }
        match self.training_device() {
            Ok(gpu) => gpu.is_some(),
            Err(why) => {
                self.note(why);
                false
            }
        }
    }

    fn loss_and_gradient(&self, job: &GradJob) -> Option<(f64, Vec<f64>)> {
        let Ok(Some(gpu)) = self.training_device() else { return self.cpu.loss_and_gradient(job) };
        #[cfg(feature = "gpu")]
        return self
            .train_on(gpu, |g| crate::gpu::block_on(g.loss_and_gradient(job)))
            .or_else(|| self.cpu.loss_and_gradient(job));
        #[cfg(not(feature = "gpu"))]
        match gpu {}
    }

    fn states(&self, job: &GradJob) -> Option<Vec<Vec<f64>>> {
        let Ok(Some(gpu)) = self.training_device() else { return self.cpu.states(job) };
        #[cfg(feature = "gpu")]
        return self.train_on(gpu, |g| crate::gpu::block_on(g.states(job))).or_else(|| self.cpu.states(job));
        #[cfg(not(feature = "gpu"))]
        match gpu {}
    }
}

//! [`Gpu::simulate`]: a [`SimJob`] as blocks of Euler steps, three dispatches per step
//! (`dense_product` when there is a dense part, `step`, `reduce`), one submission and one
//! readback of the output rows per block. Trials run in groups whose rates fit one storage
//! binding (N = 10⁶ takes 32 at the default 128 MiB), one group after another.

use super::{Gpu, GpuError, WG};
use crate::lowrank::LowRank;
use crate::network::Network;
use crate::nonlinearity::Phi;
use crate::simulate::{SimJob, SimOutput};
use std::sync::{Arc, Mutex};

/// Steps per submission: the readback of their rows is one copy.
const BLOCK: usize = 128;

/// The three entry points of one (K, I, observed, dense, φ) and their bind group layout.
pub(super) struct Pipelines {
    layout: wgpu::BindGroupLayout,
    dense: wgpu::ComputePipeline,
    step: wgpu::ComputePipeline,
    reduce: wgpu::ComputePipeline,
    noise: wgpu::ComputePipeline,
}

pub(super) fn phi_body(phi: Phi) -> &'static str {
    match phi {
        // Clamped: some platforms' tanh overflows to NaN beyond |x| ≈ 44; tanh(±15) is ±1 in f32.
        Phi::Tanh => "return tanh(clamp(x, -15.0, 15.0));",
        Phi::Relu => "return max(x, 0.0);",
        Phi::Sign => "return sign(x);",
        Phi::Sin => "return sin(x);",
    }
}

/// The shader text for rank `k`, `inputs` channels, an observed readout and a dense part.
pub(super) fn shader(k: usize, inputs: usize, observed: bool, dense: bool, phi: Phi) -> String {
    concat!(include_str!("step.wgsl"), include_str!("reduce.wgsl"))
        .replace("{K}", &k.to_string())
        .replace("{I}", &inputs.to_string())
        .replace("{OBS}", if observed { "true" } else { "false" })
        .replace("{DENSE}", if dense { "true" } else { "false" })
        .replace("{PHI}", phi_body(phi))
}

pub(super) fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

pub(super) fn uniform(binding: u32, dynamic: bool) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: dynamic,
            min_binding_size: None,
        },
        count: None,
    }
}

/// Dims in the shader's layout (12 words).
fn dims_bytes(words: [u32; 9], floats: [f32; 3]) -> Vec<u8> {
    let mut v: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    v.extend(floats.iter().flat_map(|f| f.to_le_bytes()));
    v
}

pub(super) fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// A readback's answer, and who waits for it.
#[derive(Default)]
struct Mapped {
    result: Option<Result<(), wgpu::BufferAsyncError>>,
    waker: Option<std::task::Waker>,
}

impl Gpu {
    pub(super) fn pipelines(&self, k: usize, inputs: usize, observed: bool, dense: bool, phi: Phi) -> Arc<Pipelines> {
        let key = format!("{k}/{inputs}/{observed}/{dense}/{}", phi.name());
        let mut cache = self.pipelines.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.get(&key) {
            return p.clone();
        }
        let (layout, entry) = self.entry_points(
            "step",
            shader(k, inputs, observed, dense, phi),
            &[
                uniform(0, false),
                uniform(1, true),
                storage(2, true),
                storage(3, false),
                storage(4, false),
                storage(5, true),
                storage(6, false),
                storage(7, false),
            ],
        );
        let p = Arc::new(Pipelines {
            dense: entry("dense_product"),
            step: entry("step"),
            reduce: entry("reduce"),
            noise: entry("noise_sample"),
            layout,
        });
        cache.insert(key, p.clone());
        p
    }

    /// A shader's bind group layout of `entries` and a maker of its entry points' pipelines.
    pub(super) fn entry_points<'a>(
        &'a self,
        label: &str,
        source: String,
        entries: &[wgpu::BindGroupLayoutEntry],
    ) -> (wgpu::BindGroupLayout, impl Fn(&str) -> wgpu::ComputePipeline + 'a) {
        let module = self.device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        let layout =
            self.device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor { label: Some(label), entries });
        let pipeline_layout = self.device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        let entry = move |name: &str| {
            self.device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(name),
                layout: Some(&pipeline_layout),
                module: &module,
                entry_point: Some(name),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        (layout, entry)
    }

    pub(super) fn buffer(&self, label: &str, bytes: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: bytes.max(4).next_multiple_of(4),
            usage,
            mapped_at_creation: false,
        })
    }

    pub(super) fn filled(&self, label: &str, bytes: &[u8], usage: wgpu::BufferUsages) -> wgpu::Buffer {
        let b = self.buffer(label, bytes.len() as u64, usage | wgpu::BufferUsages::COPY_DST);
        if !bytes.is_empty() {
            self.queue.write_buffer(&b, 0, bytes);
        }
        b
    }

    /// The bind group of `step.wgsl`'s eight bindings, in binding order.
    fn bind(&self, pipes: &Pipelines, buffers: [&wgpu::Buffer; 8]) -> wgpu::BindGroup {
        let entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: if i == 1 {
                    // One step's 16 bytes at a dynamic offset per dispatch.
                    wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: b,
                        offset: 0,
                        size: std::num::NonZeroU64::new(16),
                    })
                } else {
                    b.as_entire_binding()
                },
            })
            .collect();
        self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("step"),
            layout: &pipes.layout,
            entries: &entries,
        })
    }

    /// The GPU generator's normals for neurons 0..n of trials 0..trials at step `t`
    /// (trial-major): what `step` adds before σ. For checking the shader's Philox and
    /// Box–Muller against [`super::philox::gauss`].
    pub async fn noise_sample(&self, seed: u64, n: usize, trials: usize, t: u32) -> Result<Vec<f32>, GpuError> {
        let pipes = self.pipelines(1, 0, false, false, Phi::Tanh);
        let uniform = wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST;
        let storage = wgpu::BufferUsages::STORAGE;
        let dims = self.filled(
            "dims",
            &dims_bytes([n as u32, trials as u32, 1, 0, 0, 0, 0, seed as u32, (seed >> 32) as u32], [0.0; 3]),
            uniform,
        );
        let mut step = t.to_le_bytes().to_vec();
        step.resize(16, 0);
        let steps = self.filled("steps", &step, uniform);
        let spare: Vec<wgpu::Buffer> = (0..5).map(|_| self.buffer("unused", 4, storage)).collect();
        let out = self.buffer("out", (n * trials * 4) as u64, storage | wgpu::BufferUsages::COPY_SRC);
        let staging = self.buffer(
            "staging",
            (n * trials * 4) as u64,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let bind = self.bind(&pipes, [&dims, &steps, &spare[0], &spare[1], &spare[2], &spare[3], &out, &spare[4]]);
        let mut encoder = self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("noise") });
        {
            let mut pass = encoder
                .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("noise"), timestamp_writes: None });
            pass.set_pipeline(&pipes.noise);
            pass.set_bind_group(0, &bind, &[0]);
            pass.dispatch_workgroups(n.div_ceil(WG) as u32, trials as u32, 1);
        }
        encoder.copy_buffer_to_buffer(&out, 0, &staging, 0, (n * trials * 4) as u64);
        self.queue.submit([encoder.finish()]);
        let got = self.read(&staging, n * trials).await?;
        self.check()?;
        Ok(got)
    }

    /// The first `floats` values of a MAP_READ buffer, once the queue has run.
    pub(super) async fn read(&self, staging: &wgpu::Buffer, floats: usize) -> Result<Vec<f32>, GpuError> {
        if floats == 0 {
            return Ok(vec![]);
        }
        let slice = staging.slice(..(floats * 4) as u64);
        // The callback fills the slot: natively during the poll below, in a browser from its
        // event loop (the future stays pending until then).
        let slot: Arc<Mutex<Mapped>> = Arc::new(Mutex::new(Mapped::default()));
        let fill = slot.clone();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let mut m = fill.lock().unwrap_or_else(|p| p.into_inner());
            m.result = Some(r);
            if let Some(w) = m.waker.take() {
                w.wake();
            }
        });
        #[cfg(not(target_arch = "wasm32"))]
        self.device.poll(wgpu::PollType::wait_indefinitely()).map_err(|e| GpuError::Failed(e.to_string()))?;
        let mapped = std::future::poll_fn(|cx| {
            let mut m = slot.lock().unwrap_or_else(|p| p.into_inner());
            match m.result.take() {
                Some(r) => std::task::Poll::Ready(r),
                None => {
                    m.waker = Some(cx.waker().clone());
                    std::task::Poll::Pending
                }
            }
        })
        .await;
        if let Err(e) = mapped {
            return Err(GpuError::Failed(format!("reading back: {e}")));
        }
        let out = {
            let view = slice.get_mapped_range().map_err(|e| GpuError::Failed(format!("reading back: {e}")))?;
            view.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
        };
        staging.unmap();
        Ok(out)
    }

    /// Fails with the device's own words if it reported an error or was lost.
    pub(super) fn check(&self) -> Result<(), GpuError> {
        match self.trouble() {
            Some(m) if m.to_lowercase().contains("memory") => Err(GpuError::OutOfMemory(m)),
            Some(m) => Err(GpuError::Failed(m)),
            None => Ok(()),
        }
    }

    /// How many trials run side by side: as many as fit one binding (rates, and W r beside
    /// Wᵀ), at most the batch; `Err` when not even one fits, or the weights do not.
    fn trials_per_group(&self, net: &Network, batch: usize) -> Result<usize, GpuError> {
        let (n, limit) = (net.neurons as u64, self.max_binding());
        let weights = (2 * net.rank + net.inputs + 1) as u64 * n * 4;
        if weights > limit {
            return Err(GpuError::TooLarge(format!(
                "M, N, B and the bias take {weights} bytes; one GPU buffer holds at most {limit} here"
            )));
        }
        let dense = if net.random.is_some() { n * n * 4 } else { 0 };
        let room = limit.saturating_sub(dense) / (n * 4);
        if room == 0 {
            return Err(GpuError::TooLarge(format!(
                "the dense part takes {dense} bytes; one GPU buffer holds at most {limit} here (N ≤ {})",
                ((limit / 4) as f64).sqrt() as u64 - 1
            )));
        }
        Ok((room as usize).min(batch.max(1)))
    }

    /// Runs `job` on `net` in f32. The output has [`SimOutput`]'s shapes and meaning; row 0
    /// (the initial state) is computed on the CPU in f64, the rest on the GPU. A cancelled
    /// run stops between blocks with the rows not reached left zero, as the CPU's does.
    pub async fn simulate(&self, net: &Network, job: &SimJob<'_>) -> Result<SimOutput, GpuError> {
        let (n, k, ni, batch) = (net.neurons, net.rank, net.inputs, job.batch);
        let (steps, rows, rec) = (job.steps, job.steps + 1, job.record.len());
        let observed = job.observed.min(n);
        let obs = observed > 0 && k > 0;
        let width = k + if obs { k } else { 0 } + rec;
        let group = self.trials_per_group(net, batch)?;
        let groups = n.div_ceil(WG);
        if groups > self.limits.max_compute_workgroups_per_dimension as usize {
            return Err(GpuError::TooLarge(format!("{n} neurons need {groups} workgroups of {WG}")));
        }
        let pipes = self.pipelines(k, ni, obs, net.random.is_some(), net.phi);
        let low = LowRank::new(net);
        let obs_scale = if obs { n as f64 / observed as f64 } else { 0.0 };
        let mut out = SimOutput {
            latent: vec![0.0; batch * rows * k],
            recorded: vec![0.0; batch * rows * rec],
            final_rates: job.initial.to_vec(),
            observed_latent: vec![0.0; if obs { batch * rows * k } else { 0 }],
        };
        // Row 0 on the CPU, exactly as the CPU backend writes it.
        let mut z0 = vec![0.0f64; batch * k];
        for b in 0..batch {
            let trial = &job.initial[b * n..(b + 1) * n];
            let z = low.encode(trial);
            out.latent[b * rows * k..b * rows * k + k].copy_from_slice(&z);
            z0[b * k..(b + 1) * k].copy_from_slice(&z);
            if obs {
                for (o, v) in
                    out.observed_latent[b * rows * k..b * rows * k + k].iter_mut().zip(low.encode(&trial[..observed]))
                {
                    *o = v * obs_scale;
                }
            }
            for (q, &i) in job.record.iter().enumerate() {
                out.recorded[b * rows * rec + q] = trial[i];
            }
        }
        if steps == 0 || batch == 0 || n == 0 {
            return Ok(out);
        }
        let mut host: Vec<f32> = Vec::with_capacity((2 * k + ni + 1) * n);
        for c in 0..k {
            host.extend((0..n).map(|i| net.embedding[i * k + c] as f32));
        }
        for c in 0..k {
            host.extend((0..n).map(|i| net.encoding[i * k + c] as f32));
        }
        for c in 0..ni {
            host.extend((0..n).map(|i| net.input[i * ni + c] as f32));
        }
        host.extend(net.bias.iter().map(|&v| v as f32));

        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let storage = wgpu::BufferUsages::STORAGE;
        let weights = self.filled("weights", &f32_bytes(&host), storage);
        drop(host);
        let dense_floats = net.random.as_ref().map_or(1, |_| n * n + group * n);
        let dense = self.buffer("dense", (dense_floats * 4) as u64, storage | wgpu::BufferUsages::COPY_DST);
        if let Some(w) = &net.random {
            // Wᵀ: column j of W contiguous, so that neighbouring invocations read neighbours.
            let mut wt = vec![0.0f32; n * n];
            for i in 0..n {
                for j in 0..n {
                    wt[j * n + i] = w[i * n + j] as f32;
                }
            }
            self.queue.write_buffer(&dense, 0, &f32_bytes(&wt));
        }
        let rates = self.buffer(
            "rates",
            (group * n * 4) as u64,
            storage | wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
        );
        let state_floats = group * k + group * groups * k * if obs { 2 } else { 1 };
        let state = self.buffer("state", (state_floats * 4) as u64, storage | wgpu::BufferUsages::COPY_DST);
        let input_floats = BLOCK * group * ni + rec;
        let inputs = self.buffer("inputs", (input_floats.max(1) * 4) as u64, storage | wgpu::BufferUsages::COPY_DST);
        let out_floats = BLOCK * group * width;
        let outbuf = self.buffer("out", (out_floats * 4) as u64, storage | wgpu::BufferUsages::COPY_SRC);
        let staging = self.buffer(
            "staging",
            (out_floats.max(group * n) * 4) as u64,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        );
        let align = self.limits.min_uniform_buffer_offset_alignment as usize;
        let steps_buf =
            self.buffer("steps", (BLOCK * align) as u64, wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST);
        let dims = self.buffer("dims", 48, wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST);
        if let Some(e) = scope.pop().await {
            return Err(GpuError::OutOfMemory(e.to_string()));
        }
        let bind = self.bind(&pipes, [&dims, &steps_buf, &weights, &rates, &state, &inputs, &outbuf, &dense]);
        let record_bits: Vec<f32> = job.record.iter().map(|&i| f32::from_bits(i as u32)).collect();
        let alpha = net.alpha() as f32;
        let mut done = 0usize;
        let mut stopped = false;
        for b0 in (0..batch).step_by(group) {
            let g = group.min(batch - b0);
            let seed = job.seed;
            self.queue.write_buffer(
                &dims,
                0,
                &dims_bytes(
                    [
                        n as u32,
                        g as u32,
                        groups as u32,
                        observed as u32,
                        rec as u32,
                        width as u32,
                        b0 as u32,
                        seed as u32,
                        (seed >> 32) as u32,
                    ],
                    [alpha, job.noise as f32, obs_scale as f32],
                ),
            );
            let init: Vec<f32> = job.initial[b0 * n..(b0 + g) * n].iter().map(|&v| v as f32).collect();
            self.queue.write_buffer(&rates, 0, &f32_bytes(&init));
            let z: Vec<f32> = z0[b0 * k..(b0 + g) * k].iter().map(|&v| v as f32).collect();
            self.queue.write_buffer(&state, 0, &f32_bytes(&z));
            for t0 in (0..steps).step_by(BLOCK) {
                let block = BLOCK.min(steps - t0);
                let mut u = vec![0.0f32; input_floats.max(1)];
                for row in 0..block {
                    for b in 0..g {
                        for c in 0..ni {
                            let mut v = if job.inputs.is_empty() {
                                0.0
                            } else {
                                job.inputs[((b0 + b) * steps + t0 + row) * ni + c]
                            };
                            v += job.constant_input.get(c).copied().unwrap_or(0.0);
                            u[(row * g + b) * ni + c] = v as f32;
                        }
                    }
                }
                u[input_floats - rec..input_floats].copy_from_slice(&record_bits);
                self.queue.write_buffer(&inputs, 0, &f32_bytes(&u));
                let mut per_step = vec![0u8; block * align];
                for row in 0..block {
                    per_step[row * align..row * align + 4].copy_from_slice(&((t0 + row) as u32).to_le_bytes());
                    per_step[row * align + 4..row * align + 8].copy_from_slice(&(row as u32).to_le_bytes());
                }
                self.queue.write_buffer(&steps_buf, 0, &per_step);
                let mut encoder =
                    self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("block") });
                {
                    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                        label: Some("steps"),
                        timestamp_writes: None,
                    });
                    for row in 0..block {
                        pass.set_bind_group(0, &bind, &[(row * align) as u32]);
                        if net.random.is_some() {
                            pass.set_pipeline(&pipes.dense);
                            pass.dispatch_workgroups(groups as u32, g as u32, 1);
                        }
                        pass.set_pipeline(&pipes.step);
                        pass.dispatch_workgroups(groups as u32, g as u32, 1);
                        pass.set_pipeline(&pipes.reduce);
                        pass.dispatch_workgroups(g as u32, 1, 1);
                    }
                }
                let floats = block * g * width;
                encoder.copy_buffer_to_buffer(&outbuf, 0, &staging, 0, (floats * 4) as u64);
                self.queue.submit([encoder.finish()]);
                let got = self.read(&staging, floats).await?;
                self.check()?;
                for row in 0..block {
                    let t = t0 + row + 1;
                    for b in 0..g {
                        let src = &got[(row * g + b) * width..(row * g + b + 1) * width];
                        let dst = (b0 + b) * rows + t;
                        for (o, &v) in out.latent[dst * k..(dst + 1) * k].iter_mut().zip(&src[..k]) {
                            *o = f64::from(v);
                        }
                        if obs {
                            for (o, &v) in out.observed_latent[dst * k..(dst + 1) * k].iter_mut().zip(&src[k..2 * k]) {
                                *o = f64::from(v);
                            }
                        }
                        let first = if obs { 2 * k } else { k };
                        for (o, &v) in out.recorded[dst * rec..(dst + 1) * rec].iter_mut().zip(&src[first..]) {
                            *o = f64::from(v);
                        }
                    }
                }
                done += block * g;
                crate::progress::report(done as f64 / (steps * batch) as f64);
                if crate::progress::cancelled() {
                    stopped = true;
                    break;
                }
            }
            let mut encoder =
                self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("rates") });
            encoder.copy_buffer_to_buffer(&rates, 0, &staging, 0, (g * n * 4) as u64);
            self.queue.submit([encoder.finish()]);
            let last = self.read(&staging, g * n).await?;
            for (o, &v) in out.final_rates[b0 * n..(b0 + g) * n].iter_mut().zip(&last) {
                *o = f64::from(v);
            }
            if stopped {
                break;
            }
        }
        Ok(out)
    }
}

//! [`Gpu::loss_and_gradient`]: a training minibatch's loss and gradient ([`GradJob`]) in f32,
//! `train.wgsl`'s forward and backward passes over groups of trials whose records fit one
//! storage binding, one submission and one readback per group; the groups' losses and
//! gradients are added on the host in f64, in group order.

use super::simulate::{f32_bytes, phi_body, storage, uniform};
use super::{Gpu, GpuError, WG};
use crate::gradient::{GradJob, Loss};
use crate::network::Model;
use crate::nonlinearity::Phi;
use std::sync::Arc;

/// Side of `grad_w`'s tiles (`TILE` in the shader).
const TILE: usize = 16;

/// `train.wgsl`'s entry points for one model shape, and their bind group layout.
pub(super) struct Pipelines {
    layout: wgpu::BindGroupLayout,
    init: wgpu::ComputePipeline,
    kappa: wgpu::ComputePipeline,
    step: wgpu::ComputePipeline,
    out: wgpu::ComputePipeline,
    delta: wgpu::ComputePipeline,
    scale: wgpu::ComputePipeline,
    back: wgpu::ComputePipeline,
    grad_w: wgpu::ComputePipeline,
    grad_vec: wgpu::ComputePipeline,
}

/// φ′(x) given y = φ(x), as `train::bptt` takes it (tanh′ from the tanh computed).
fn slope_body(phi: Phi) -> &'static str {
    match phi {
        Phi::Tanh => "return 1.0 - y * y;",
        Phi::Relu => "return select(0.0, 1.0, x > 0.0);",
        Phi::Sign => "return 0.0;",
        Phi::Sin => "return cos(x);",
    }
}

/// The shader text for one model shape.
fn shader(job: &GradJob) -> String {
    concat!(include_str!("train.wgsl"), include_str!("reduce.wgsl"))
        .replace("{K}", &job.rank.unwrap_or(0).to_string())
        .replace("{I}", &job.inputs.to_string())
        .replace("{O}", &job.outputs.unwrap_or(1).to_string())
        .replace("{READOUT}", if job.outputs.is_some() { "true" } else { "false" })
        .replace("{CURRENT}", if job.model == Model::Current { "true" } else { "false" })
        .replace("{DENSE}", if job.rank.is_none() { "true" } else { "false" })
        .replace("{LOGISTIC}", if job.loss == Loss::Logistic { "true" } else { "false" })
        .replace("{PHI}", phi_body(job.phi))
        .replace("{SLOPE}", slope_body(job.phi))
}

/// Where each array lies, in floats: the parameters and the group's data in `data`, the
/// records of the forward and backward passes in `work` (per trial, `per_trial_*`).
struct Plan {
    /// Offsets of W, M, N, B, bias, R, x₀ in θ.
    parts: [usize; 7],
    theta: usize,
    data_fixed: usize,
    data_per_trial: usize,
    work_per_trial: usize,
}

impl Plan {
    fn new(job: &GradJob) -> Plan {
        let (n, k, i, t) = (job.neurons, job.rank.unwrap_or(0), job.inputs, job.steps);
        let o = job.output_count();
        let sizes =
            [if job.rank.is_none() { n * n } else { 0 }, n * k, n * k, n * i, n, job.outputs.unwrap_or(0) * n, n];
        let mut parts = [0; 7];
        let mut at = 0;
        for (p, s) in parts.iter_mut().zip(sizes) {
            *p = at;
            at += s;
        }
        let theta = at;
        let wt = if job.rank.is_none() { n * n } else { 0 };
        let noise = if job.noise.is_empty() { 0 } else { t * n };
        let current = job.model == Model::Current;
        Plan {
            parts,
            theta,
            data_fixed: theta + wt,
            data_per_trial: t * (i + 2 * o) + noise,
            work_per_trial: (t + 1) * n * if current { 3 } else { 2 } + t * n + t * o + 2 * t * k + n + t,
        }
    }
}

impl Gpu {
    fn train_pipelines(&self, job: &GradJob) -> Arc<Pipelines> {
        let key = format!(
            "{:?}/{}/{:?}/{}/{:?}/{:?}",
            job.model,
            job.phi.name(),
            job.rank,
            job.inputs,
            job.outputs,
            job.loss
        );
        let mut cache = self.train_pipelines.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(p) = cache.get(&key) {
            return p.clone();
        }
        let (layout, entry) = self.entry_points(
            "train",
            shader(job),
            &[uniform(0, false), uniform(1, true), storage(2, true), storage(3, false), storage(4, false)],
        );
        let p = Arc::new(Pipelines {
            init: entry("init_state"),
            kappa: entry("fwd_kappa"),
            step: entry("fwd_step"),
            out: entry("bwd_out"),
            delta: entry("bwd_delta"),
            scale: entry("bwd_scale"),
            back: entry("bwd_back"),
            grad_w: entry("grad_w"),
            grad_vec: entry("grad_vec"),
            layout,
        });
        cache.insert(key, p.clone());
        p
    }

    /// How many trials one group holds: as many as fit one binding with the parameters (and
    /// records of every step), at most the batch; `Err` when not even one fits.
    fn train_group(&self, plan: &Plan, batch: usize) -> Result<usize, GpuError> {
        // Offsets are u32 floats in the shader.
        let limit = ((self.max_binding() / 4) as usize).min(u32::MAX as usize);
        let by_data = limit.saturating_sub(plan.data_fixed) / plan.data_per_trial.max(1);
        let by_work = limit / plan.work_per_trial.max(1);
        let group = by_data.min(by_work).min(batch.max(1));
        if group == 0 {
            return Err(GpuError::TooLarge(format!(
                "one trial's records take {} bytes and the parameters {} bytes; one GPU buffer holds at most {} here",
                plan.work_per_trial.max(plan.data_per_trial) * 4,
                plan.data_fixed * 4,
                limit * 4
            )));
        }
        Ok(group)
    }

    /// The loss of `job`'s minibatch (the mask-weighted mean of ℓ) and its gradient in θ's
    /// layout, computed in f32: `train::bptt::loss_and_gradient`'s numbers within the README's
    /// tolerance, not its bits.
    pub async fn loss_and_gradient(&self, job: &GradJob<'_>) -> Result<(f64, Vec<f64>), GpuError> {
        self.loss_and_gradient_in_groups(job, usize::MAX).await
    }

    /// [`loss_and_gradient`](Self::loss_and_gradient) with at most `most` trials per group
    /// (fewer when the buffers need it): for testing that groups add up to the whole batch.
    pub async fn loss_and_gradient_in_groups(
        &self,
        job: &GradJob<'_>,
        most: usize,
    ) -> Result<(f64, Vec<f64>), GpuError> {
        let theta = Plan::new(job).theta;
        let mut grad = vec![0.0f64; theta];
        let mut total = 0.0f64;
        self.run_groups(job, most, Pass::Gradient, |_, got| {
            for (a, &v) in grad.iter_mut().zip(&got[..theta]) {
                *a += f64::from(v);
            }
            // Each trial's loss from its last step to its first, then the trials in order, as
            // the CPU adds them.
            for losses in got[theta..].chunks_exact(job.steps) {
                total += losses.iter().rev().fold(0.0, |acc, &v| acc + f64::from(v));
            }
        })
        .await?;
        Ok((total, grad))
    }

    /// The states after every step of each of `job`'s trials (T × N per trial, with its noise;
    /// targets and mask unused), the forward pass alone: `train::bptt::states` in f32. The
    /// two-step paradigm's fit stage takes its targets, the teacher's rates, from here.
    pub async fn states(&self, job: &GradJob<'_>) -> Result<Vec<Vec<f64>>, GpuError> {
        let (n, steps) = (job.neurons, job.steps);
        let mut out = Vec::with_capacity(job.trial_inputs.len());
        self.run_groups(job, usize::MAX, Pass::Forward, |g, got| {
            for trial in got[..g * (steps + 1) * n].chunks_exact((steps + 1) * n) {
                out.push(trial[n..].iter().map(|&v| f64::from(v)).collect());
            }
        })
        .await?;
        Ok(out)
    }

    /// Runs `pass` over `job`'s trials in groups of at most `most`, handing each group's size
    /// and readback to `take`: for [`Pass::Gradient`] θ's gradient then the loss of each (trial,
    /// step); for [`Pass::Forward`] the state rows, (T + 1) × N per trial.
    async fn run_groups(
        &self,
        job: &GradJob<'_>,
        most: usize,
        pass: Pass,
        mut take: impl FnMut(usize, &[f32]),
    ) -> Result<(), GpuError> {
        let (n, steps, batch) = (job.neurons, job.steps, job.trial_inputs.len());
        let (k, ni, no) = (job.rank.unwrap_or(0), job.inputs, job.output_count());
        let plan = Plan::new(job);
        if batch == 0 || steps == 0 {
            return Ok(());
        }
        let group = self.train_group(&plan, batch)?.min(most.max(1));
        let groups = n.div_ceil(WG);
        if groups > self.limits.max_compute_workgroups_per_dimension as usize {
            return Err(GpuError::TooLarge(format!("{n} neurons need {groups} workgroups of {WG}")));
        }
        let pipes = self.train_pipelines(job);
        let weight = job.weight();
        let readback = match pass {
            Pass::Gradient => plan.theta + group * steps,
            Pass::Forward => group * (steps + 1) * n,
        };

        let scope = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let data_floats = plan.data_fixed + group * plan.data_per_trial;
        let data =
            self.buffer("data", (data_floats * 4) as u64, wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST);
        let work = self.buffer(
            "work",
            (group * plan.work_per_trial * 4) as u64,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        );
        let grad_buf = self.buffer(
            "grad",
            (plan.theta * 4) as u64,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC | wgpu::BufferUsages::COPY_DST,
        );
        let staging =
            self.buffer("staging", (readback * 4) as u64, wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST);
        let align = self.limits.min_uniform_buffer_offset_alignment as usize;
        let mut per_step = vec![0u8; steps * align];
        for t in 0..steps {
            per_step[t * align..t * align + 4].copy_from_slice(&(t as u32).to_le_bytes());
        }
        let step_buf = self.filled("steps", &per_step, wgpu::BufferUsages::UNIFORM);
        let dims = self.buffer("dims", 128, wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST);
        if let Some(e) = scope.pop().await {
            return Err(GpuError::OutOfMemory(e.to_string()));
        }

        // θ and Wᵀ once; the trials' data per group.
        let mut fixed: Vec<f32> = job.theta.iter().map(|&v| v as f32).collect();
        if job.rank.is_none() {
            let w = &job.theta[plan.parts[0]..plan.parts[0] + n * n];
            fixed.resize(plan.theta + n * n, 0.0);
            for i in 0..n {
                for j in 0..n {
                    fixed[plan.theta + j * n + i] = w[i * n + j] as f32;
                }
            }
        }
        self.queue.write_buffer(&data, 0, &f32_bytes(&fixed));
        drop(fixed);

        let entries = [
            wgpu::BindGroupEntry { binding: 0, resource: dims.as_entire_binding() },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                    buffer: &step_buf,
                    offset: 0,
                    size: std::num::NonZeroU64::new(16),
                }),
            },
            wgpu::BindGroupEntry { binding: 2, resource: data.as_entire_binding() },
            wgpu::BindGroupEntry { binding: 3, resource: work.as_entire_binding() },
            wgpu::BindGroupEntry { binding: 4, resource: grad_buf.as_entire_binding() },
        ];
        let bind = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("train"),
            layout: &pipes.layout,
            entries: &entries,
        });

        for b0 in (0..batch).step_by(group) {
            let g = group.min(batch - b0);
            let trials = b0..b0 + g;
            // The group's data: inputs, targets, mask, noise, each trial-major.
            let base = plan.data_fixed;
            let (u_at, tgt_at) = (base, base + g * steps * ni);
            let mask_at = tgt_at + g * steps * no;
            let noise_at = mask_at + g * steps * no;
            let mut host: Vec<f32> = Vec::with_capacity(g * plan.data_per_trial);
            for part in [job.trial_inputs, job.targets, job.mask] {
                for tr in trials.clone() {
                    host.extend(part[tr].iter().map(|&v| v as f32));
                }
            }
            if !job.noise.is_empty() {
                for tr in trials.clone() {
                    host.extend(job.noise[tr].iter().map(|&v| v as f32));
                }
            }
            self.queue.write_buffer(&data, (base * 4) as u64, &f32_bytes(&host));
            drop(host);
            // The work arrays, trial-major.
            let s_at = 0;
            let aux_at = s_at + g * (steps + 1) * n;
            let slope_at = aux_at + g * (steps + 1) * n;
            let kappa_at = slope_at + if job.model == Model::Current { g * (steps + 1) * n } else { 0 };
            let scale_at = kappa_at + g * steps * k;
            let d_at = scale_at + g * steps * k;
            let gy_at = d_at + g * steps * n;
            let g_at = gy_at + g * steps * no;
            let loss_at = g_at + g * n;
            let p = &plan.parts;
            let words: [usize; 26] = [
                n,
                steps,
                g,
                no,
                p[0],
                p[1],
                p[2],
                p[3],
                p[4],
                p[5],
                p[6],
                plan.theta,
                u_at,
                tgt_at,
                mask_at,
                noise_at,
                s_at,
                aux_at,
                slope_at,
                kappa_at,
                scale_at,
                d_at,
                gy_at,
                g_at,
                loss_at,
                usize::from(!job.noise.is_empty()),
            ];
            let mut bytes: Vec<u8> = words.iter().flat_map(|&w| (w as u32).to_le_bytes()).collect();
            for f in [job.alpha as f32, 1.0 / n as f32, weight as f32] {
                bytes.extend(f.to_le_bytes());
            }
            bytes.resize(128, 0);
            self.queue.write_buffer(&dims, 0, &bytes);

            let mut encoder =
                self.device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("train") });
            {
                let mut cpass = encoder
                    .begin_compute_pass(&wgpu::ComputePassDescriptor { label: Some("bptt"), timestamp_writes: None });
                let (wide, per_trial) = ((groups as u32, g as u32, 1), (g as u32, 1, 1));
                let mut run = |pipe: &wgpu::ComputePipeline, t: usize, size: (u32, u32, u32)| {
                    cpass.set_pipeline(pipe);
                    cpass.set_bind_group(0, &bind, &[(t * align) as u32]);
                    cpass.dispatch_workgroups(size.0, size.1, size.2);
                };
                run(&pipes.init, 0, wide);
                for t in 0..steps {
                    if k > 0 {
                        run(&pipes.kappa, t, per_trial);
                    }
                    run(&pipes.step, t, wide);
                }
                if pass == Pass::Gradient {
                    for t in (0..steps).rev() {
                        run(&pipes.out, t, per_trial);
                        run(&pipes.delta, t, wide);
                        if k > 0 {
                            run(&pipes.scale, t, per_trial);
                        }
                        run(&pipes.back, t, wide);
                    }
                    if job.rank.is_none() {
                        let tiles = n.div_ceil(TILE) as u32;
                        run(&pipes.grad_w, 0, (tiles, tiles, 1));
                    }
                    run(&pipes.grad_vec, 0, (groups as u32, 1, 1));
                }
            }
            let floats = match pass {
                Pass::Gradient => {
                    encoder.copy_buffer_to_buffer(&grad_buf, 0, &staging, 0, (plan.theta * 4) as u64);
                    encoder.copy_buffer_to_buffer(
                        &work,
                        (loss_at * 4) as u64,
                        &staging,
                        (plan.theta * 4) as u64,
                        (g * steps * 4) as u64,
                    );
                    plan.theta + g * steps
                }
                Pass::Forward => {
                    let rows = g * (steps + 1) * n;
                    encoder.copy_buffer_to_buffer(&work, (s_at * 4) as u64, &staging, 0, (rows * 4) as u64);
                    rows
                }
            };
            self.queue.submit([encoder.finish()]);
            let got = self.read(&staging, floats).await?;
            self.check()?;
            take(g, &got);
        }
        Ok(())
    }
}

/// What [`Gpu::run_groups`] computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The forward and backward passes: the loss and gradient.
    Gradient,
    /// The forward pass alone: the states.
    Forward,
}

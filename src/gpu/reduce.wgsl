// The workgroup sum both shaders share (the host appends this text to each): every
// reduction over neurons is this fixed tree, so an adapter repeats its own bits.

var<workgroup> sh: array<f32, WG>;
// The invocation's index in its workgroup, set by each entry point that calls `tree`.
var<private> lid_: u32;

// Sums sh[0..WG] into sh[0]; every invocation of the workgroup calls it, with lid_ set.
fn tree() {
    for (var s = WG / 2u; s > 0u; s = s / 2u) {
        workgroupBarrier();
        if lid_ < s {
            sh[lid_] = sh[lid_] + sh[lid_ + s];
        }
    }
    workgroupBarrier();
}

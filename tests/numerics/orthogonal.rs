use lpu::numerics::orthogonal::{gram_schmidt, project_off, project_onto};
use lpu::rng::Rng;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn random_vectors(count: usize, len: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Rng::new(seed, 1);
    (0..count).map(|_| (0..len).map(|_| rng.normal()).collect()).collect()
}

#[test]
fn the_basis_is_orthonormal_and_spans_the_inputs() {
    let vs = random_vectors(4, 30, 3);
    let basis = gram_schmidt(vs.clone());
    assert_eq!(basis.len(), 4);
    for (i, p) in basis.iter().enumerate() {
        for (j, q) in basis.iter().enumerate() {
            let want = if i == j { 1.0 } else { 0.0 };
            assert!((dot(p, q) - want).abs() < 1e-14, "⟨q{i}, q{j}⟩ = {}", dot(p, q));
        }
    }
    // Each input lies in the span: projecting it leaves it unchanged.
    for v in &vs {
        let p = project_onto(&basis, v);
        for (a, b) in v.iter().zip(&p) {
            assert!((a - b).abs() < 1e-13);
        }
    }
}

#[test]
fn the_basis_follows_the_input_order() {
    let basis = gram_schmidt(vec![vec![3.0, 0.0, 0.0], vec![1.0, 2.0, 0.0]]);
    assert_eq!(basis, [vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]]);
}

#[test]
fn a_vector_exactly_in_the_span_adds_nothing() {
    // Exact arithmetic throughout: the third vector's remainder is exactly zero.
    let vs = vec![vec![1.0, 0.0, 0.0, 0.0], vec![0.0, 2.0, 0.0, 0.0], vec![3.0, -4.0, 0.0, 0.0], vec![0.0; 4]];
    assert_eq!(gram_schmidt(vs), [vec![1.0, 0.0, 0.0, 0.0], vec![0.0, 1.0, 0.0, 0.0]]);
}

#[test]
fn projections_onto_and_off_the_span_split_a_vector() {
    let basis = gram_schmidt(random_vectors(3, 20, 5));
    let v = &random_vectors(1, 20, 6)[0];
    let (inside, outside) = (project_onto(&basis, v), project_off(&basis, v));
    for q in &basis {
        assert!(dot(&outside, q).abs() < 1e-13);
    }
    for i in 0..20 {
        assert!((inside[i] + outside[i] - v[i]).abs() < 1e-14);
    }
    // Pythagoras.
    assert!((dot(&inside, &inside) + dot(&outside, &outside) - dot(v, v)).abs() < 1e-12);
    // Projecting twice changes nothing.
    let twice = project_onto(&basis, &inside);
    for i in 0..20 {
        assert!((twice[i] - inside[i]).abs() < 1e-14);
    }
}

//! Stimulating coding versus redundant neurons (LCF Fig. 3): redundant neurons are causally
//! inert for the LPU without a random part (exactly), and with one, a brief pulse to coding
//! neurons switches the state while long pulses to redundant neurons do not.
use serde_json::Value;

fn result(query: &str) -> Value {
    serde_json::from_str::<Value>(&lpu::run_query(query).unwrap().json).unwrap()["result"].clone()
}

fn z(r: &Value) -> Vec<Vec<f64>> {
    serde_json::from_value(r["latent_coding"].clone()).unwrap()
}

#[test]
fn redundant_neurons_leave_the_latent_exactly_unchanged_without_a_random_part() {
    let with = result("exp=perturb&redundant=150&random=0&stimulate=coding");
    let without = result("exp=perturb&redundant=0&random=0&stimulate=coding");
    assert_eq!(z(&with), z(&without), "adding redundant neurons changed the latent trajectory");
    // Stimulating them, however hard and long, changes nothing either.
    let hit = result("exp=perturb&redundant=150&random=0&stimulate=redundant&amplitude=-50&duration=0.5");
    let quiet = result("exp=perturb&redundant=150&random=0&stimulate=redundant&amplitude=0&duration=0.5");
    assert_eq!(z(&hit), z(&quiet));
    // Yet they are tuned: their fitted readout follows the latent state.
    assert!(with["redundant_readout_r2"].as_f64().unwrap() > 0.9);
}

#[test]
fn coding_pulse_switches_redundant_pulses_do_not() {
    for seed in 1..=3 {
        let coding = result(&format!("exp=perturb&stimulate=coding&duration=0.01&seed={seed}"));
        assert_eq!(coding["state_before"], serde_json::json!([1.0, 1.0]));
        assert_eq!(
            coding["state_end"],
            serde_json::json!([-1.0, 1.0]),
            "seed {seed}: a 10 ms pulse to coding neurons switches bit 1"
        );
        let redundant = result(&format!("exp=perturb&stimulate=redundant&duration=0.1&seed={seed}"));
        assert!(redundant["random_sd"].as_f64().unwrap() > 0.0, "the random part connects the groups");
        let zs = z(&redundant);
        let during_min = zs[500..600].iter().map(|r| r[0]).fold(f64::INFINITY, f64::min);
        assert!(
            during_min > 0.5,
            "seed {seed}: z1 stays on its attractor during 100 ms of redundant stimulation ({during_min})"
        );
        let (end, start) = (zs.last().unwrap(), &zs[498]);
        assert!(
            (end[0] - start[0]).abs() < 0.02 && (end[1] - start[1]).abs() < 0.02,
            "seed {seed}: the state returns: {start:?} → {end:?}"
        );
        assert_eq!(redundant["switched"], false);
    }
}

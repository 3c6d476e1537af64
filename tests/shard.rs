//! Sweeps sharded over machines: every shard's partial document merged gives exactly the bytes
//! of the unsharded run (the independent truth: `run_query` of the same query), for several
//! shard counts, including more shards than cells; bad sets of parts get messages naming the
//! missing, repeated or foreign part. The CLI does the same through `lpu run --shard` and
//! `lpu merge`.
use lpu::experiments::RunCtx;
use lpu::shard::{self, Shard};
use std::process::Command;

const DRIFT: &str = "exp=drift_sweep&neurons=40,80,160&runs=2&points=3&steps=60&after=120&score=60";
const SEQUENCE: &str = "exp=sequence_sweep&neurons=16,32&ranks=1,2&epochs=20&trials=10&runs=1";

fn parts(query: &str, count: usize) -> Vec<(String, String)> {
    (1..=count)
        .map(|index| {
            let text = shard::run(query, Shard { index, count }, &RunCtx::default()).expect("shard runs");
            (format!("part{index}.json"), text)
        })
        .collect()
}

#[test]
fn merged_shards_give_the_bytes_of_the_unsharded_run() {
    for query in [DRIFT, SEQUENCE] {
        let whole = lpu::registry::run_query(query).expect("runs").json;
        // 9 and 4 cells: one shard, a few, and more shards than cells (some shards run none).
        for count in [1, 2, 3, 5, 12] {
            let mut files = parts(query, count);
            assert_eq!(shard::merge(&files).as_deref(), Ok(whole.as_str()), "{query} in {count} shards");
            // The order in which the parts are given does not matter.
            files.reverse();
            assert_eq!(shard::merge(&files).as_deref(), Ok(whole.as_str()), "{query} in {count} shards, reversed");
        }
    }
}

#[test]
fn cells_go_to_the_least_loaded_shard_longest_first() {
    // Costs 5, 1, 4, 2, 3 in 2 shards: 5 → 0, 4 → 1, 3 → 1, 2 → 0, 1 → 0 (loads 8 and 7).
    assert_eq!(shard::assign(&[5.0, 1.0, 4.0, 2.0, 3.0], 2), vec![0, 0, 1, 0, 1]);
    // Equal costs are dealt round the shards in order.
    assert_eq!(shard::assign(&[1.0; 5], 3), vec![0, 1, 2, 0, 1]);
}

#[test]
fn bad_sets_of_parts_are_named() {
    let files = parts(DRIFT, 3);
    let merge =
        |picked: &[usize]| shard::merge(&picked.iter().map(|&i| files[i].clone()).collect::<Vec<_>>()).unwrap_err();
    assert!(merge(&[0, 2]).starts_with("missing shard 2/3 of \"v=1&exp=drift_sweep"), "{}", merge(&[0, 2]));
    assert_eq!(merge(&[0, 1, 1, 2]), "shard 2/3 is given twice: part2.json and part2.json");
    let other = (
        "other.json".to_string(),
        shard::run(&format!("{DRIFT}&seed=2"), Shard { index: 2, count: 3 }, &RunCtx::default()).unwrap(),
    );
    let err = shard::merge(&[files[0].clone(), other, files[2].clone()]).unwrap_err();
    assert!(err.starts_with("other.json is a shard of \"v=1&exp=drift_sweep") && err.contains("seed=2"), "{err}");
    let four = ("four.json".to_string(), shard::run(DRIFT, Shard { index: 2, count: 4 }, &RunCtx::default()).unwrap());
    assert_eq!(
        shard::merge(&[files[0].clone(), four, files[2].clone()]).unwrap_err(),
        "four.json is shard 2/4, but part1.json is shard 1/3"
    );
    // A part that lost a cell, and one that is not a partial document at all.
    let mut cut: serde_json::Value = serde_json::from_str(&files[1].1).unwrap();
    cut["parts"].as_array_mut().unwrap().pop();
    let cut = ("cut.json".to_string(), cut.to_string());
    let err = shard::merge(&[files[0].clone(), cut, files[2].clone()]).unwrap_err();
    assert!(err.starts_with("shard 2/3 (cut.json) lacks cell"), "{err}");
    let whole = ("whole.json".to_string(), lpu::registry::run_query(DRIFT).unwrap().json);
    assert!(shard::merge(&[whole]).unwrap_err().starts_with("whole.json: not a partial document"));
    assert!(shard::merge(&[("x.json".into(), "{".into())]).unwrap_err().starts_with("x.json: not JSON"));
    assert!(shard::merge(&[]).unwrap_err().contains("every shard"));
    // Only sweeps have cells.
    let err = shard::run("exp=flipflop", Shard { index: 1, count: 2 }, &RunCtx::default()).unwrap_err();
    assert_eq!(err, "exp=flipflop is not a sweep, so it has no cells to shard (sharded: drift_sweep, sequence_sweep)");
    for bad in ["0/2", "3/2", "2", "a/b", "1/10001"] {
        let err = bad.parse::<Shard>().unwrap_err();
        assert!(err.starts_with("--shard must be I/N with integers 1 ≤ I ≤ N ≤ 10000"), "{bad}: {err}");
    }
}

#[test]
fn the_cli_shards_and_merges_to_the_same_bytes() {
    let lpu = env!("CARGO_BIN_EXE_lpu");
    let dir = std::env::temp_dir().join(format!("lpu-shard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let whole = Command::new(lpu).args(["run", DRIFT]).output().unwrap();
    assert!(whole.status.success());
    let mut names = vec![];
    for i in 1..=2 {
        let out = Command::new(lpu).args(["run", DRIFT, "--shard", &format!("{i}/2")]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let path = dir.join(format!("p{i}.json"));
        std::fs::write(&path, &out.stdout).unwrap();
        names.push(path.to_string_lossy().into_owned());
    }
    let merged = Command::new(lpu).arg("merge").args(&names).output().unwrap();
    assert!(merged.status.success(), "{}", String::from_utf8_lossy(&merged.stderr));
    assert_eq!(merged.stdout, whole.stdout);
    let missing = Command::new(lpu).arg("merge").arg(&names[0]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).starts_with("error: missing shard 2/2"));
    let bad = Command::new(lpu).args(["run", DRIFT, "--shard", "3/2"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

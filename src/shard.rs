//! Sweeps spread over machines: shard I of N runs a fixed subset of a sweep's cells (the parts
//! its experiment splits into, as the page's worker pool runs them) and writes a partial
//! document; merging every shard's partial gives exactly the bytes of the unsharded run, since
//! a sweep's merge of its parts is that run's result (tested per sweep).
//!
//! Cells go to shards by longest cost first, each to the shard with the least cost so far
//! (ties to the lower shard): a pure function of the query and N, so every machine of a job
//! array agrees on it without talking to the others.

use crate::registry::{self, Params};
use serde_json::Value;

/// The `format` of a partial document.
pub const FORMAT: &str = "lpu-partial";
/// Its version.
pub const VERSION: u64 = 1;
/// The most shards a sweep is cut into.
pub const MAX_SHARDS: usize = 10_000;

/// Shard `index` (1-based) of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// I, from 1.
    pub index: usize,
    /// N, the number of shards.
    pub count: usize,
}

impl std::str::FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("--shard must be I/N with integers 1 ≤ I ≤ N ≤ {MAX_SHARDS}, got \"{s}\"");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (index, count) =
            (i.trim().parse::<usize>().map_err(|_| bad())?, n.trim().parse::<usize>().map_err(|_| bad())?);
        if index == 0 || index > count || count > MAX_SHARDS {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// The shard (0-based) of each cell, from the cells' costs.
pub fn assign(costs: &[f64], shards: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..costs.len()).collect();
    // Stable: equal costs keep the cells' order.
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]));
    let mut load = vec![0.0f64; shards.max(1)];
    let mut owner = vec![0; costs.len()];
    for cell in order {
        let least = (0..load.len()).min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b))).unwrap_or(0);
        owner[cell] = least;
        load[least] += costs[cell];
    }
    owner
}

/// The cells of a query's sweep, or a message when its experiment is not split into cells.
fn cells(params: &dyn Params) -> Result<Vec<Box<dyn Params>>, String> {
    let cells = params.split();
    if cells.is_empty() {
        let sweeps: Vec<&str> = registry::names()
            .into_iter()
            .filter(|n| registry::find(n).is_some_and(|e| !e.defaults().split().is_empty()))
            .collect();
        return Err(format!(
            "exp={} is not a sweep, so it has no cells to shard (sharded: {})",
            params.experiment(),
            sweeps.join(", ")
        ));
    }
    Ok(cells)
}

/// Runs shard `shard` of the sweep `query` on `ctx`: the partial document (JSON text).
#[cfg(feature = "compute")]
pub fn run(query: &str, shard: Shard, ctx: &crate::experiments::RunCtx) -> Result<String, String> {
    let params = registry::parse_strict(query).map_err(|e| e.to_string())?;
    let cells = cells(params.as_ref())?;
    let owner = assign(&cells.iter().map(|c| c.cost()).collect::<Vec<_>>(), shard.count);
    let mut parts = vec![];
    let mine: Vec<usize> = (0..cells.len()).filter(|&c| owner[c] == shard.index - 1).collect();
    for (done, &c) in mine.iter().enumerate() {
        // Progress of the whole shard: each cell reports into its own slice.
        let share = |i: usize| i as f64 / mine.len() as f64;
        let outcome =
            crate::progress::stage(share(done), share(done + 1), || cells[c].run(ctx)).map_err(|e| match e {
                crate::experiments::RunError::Param(e) => e.to_string(),
                e => format!("the run stopped: {e}"),
            })?;
        let document: Value = serde_json::from_str(&outcome.json).map_err(|e| e.to_string())?;
        parts.push(serde_json::json!({ "cell": c, "document": document }));
    }
    let partial = serde_json::json!({
        "format": FORMAT,
        "version": VERSION,
        "experiment": params.experiment(),
        "query": params.query(),
        "shard": shard.index,
        "shards": shard.count,
        "cells": cells.len(),
        "parts": parts,
    });
    Ok(partial.to_string())
}

/// One partial document as read back: where it came from and its cells.
struct Partial {
    name: String,
    query: String,
    shard: usize,
    shards: usize,
    cells: usize,
    parts: Vec<(usize, Value)>,
}

fn read(name: &str, text: &str) -> Result<Partial, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("{name}: not JSON ({e})"))?;
    if v.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(format!(
            "{name}: not a partial document (format \"{FORMAT}\"; `lpu run … --shard I/N` writes them)"
        ));
    }
    if v.get("version").and_then(Value::as_u64) != Some(VERSION) {
        return Err(format!("{name}: partial document version {} (this lpu reads version {VERSION})", v["version"]));
    }
    let count = |key: &str| {
        v.get(key).and_then(Value::as_u64).map(|x| x as usize).ok_or_else(|| format!("{name}: no \"{key}\" count"))
    };
    let (shard, shards, cells) = (count("shard")?, count("shards")?, count("cells")?);
    let query = v.get("query").and_then(Value::as_str).ok_or_else(|| format!("{name}: no \"query\""))?.to_string();
    let mut parts = vec![];
    for p in v.get("parts").and_then(Value::as_array).ok_or_else(|| format!("{name}: no \"parts\" list"))? {
        let cell =
            p.get("cell").and_then(Value::as_u64).ok_or_else(|| format!("{name}: a part without its \"cell\""))?;
        parts.push((cell as usize, p.get("document").cloned().unwrap_or(Value::Null)));
    }
    Ok(Partial { name: name.to_string(), query, shard, shards, cells, parts })
}

/// The whole result document (JSON text, the bytes `lpu run` prints) from every shard's partial
/// document, each given as (name for messages, text); a missing, repeated or foreign shard, or a
/// shard missing a cell, is named.
pub fn merge(files: &[(String, String)]) -> Result<String, String> {
    let partials = files.iter().map(|(name, text)| read(name, text)).collect::<Result<Vec<_>, _>>()?;
    let first = partials.first().ok_or("merge needs the partial documents of every shard")?;
    for p in &partials[1..] {
        if p.query != first.query {
            return Err(format!(
                "{} is a shard of \"{}\", but {} is a shard of \"{}\"",
                p.name, p.query, first.name, first.query
            ));
        }
        if p.shards != first.shards {
            return Err(format!(
                "{} is shard {}/{}, but {} is shard {}/{}",
                p.name, p.shard, p.shards, first.name, first.shard, first.shards
            ));
        }
    }
    let shards = first.shards;
    let mut seen: Vec<Option<&str>> = vec![None; shards];
    for p in &partials {
        if p.shard == 0 || p.shard > shards {
            return Err(format!("{}: shard {} of {shards} does not exist", p.name, p.shard));
        }
        if let Some(other) = seen[p.shard - 1] {
            return Err(format!("shard {}/{shards} is given twice: {other} and {}", p.shard, p.name));
        }
        seen[p.shard - 1] = Some(&p.name);
    }
    let missing: Vec<String> =
        seen.iter().enumerate().filter(|(_, s)| s.is_none()).map(|(i, _)| format!("{}/{shards}", i + 1)).collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing shard{} {} of \"{}\"",
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", "),
            first.query
        ));
    }
    // The query says which cells there are and which shard runs each.
    let params = registry::parse_strict(&first.query).map_err(|e| format!("{}: its query: {e}", first.name))?;
    let cells = cells(params.as_ref())?;
    if cells.len() != first.cells {
        return Err(format!(
            "{}: {} cells, but its query has {} (made by another version of lpu?)",
            first.name,
            first.cells,
            cells.len()
        ));
    }
    let owner = assign(&cells.iter().map(|c| c.cost()).collect::<Vec<_>>(), shards);
    let mut documents: Vec<Option<Value>> = vec![None; cells.len()];
    for p in &partials {
        for (cell, doc) in &p.parts {
            if *cell >= cells.len() || owner[*cell] != p.shard - 1 || documents[*cell].is_some() {
                return Err(format!("{}: cell {cell} does not belong to shard {}/{shards}", p.name, p.shard));
            }
            documents[*cell] = Some(doc.clone());
        }
    }
    if let Some(cell) = documents.iter().position(Option::is_none) {
        return Err(format!(
            "shard {}/{shards} ({}) lacks cell {cell}",
            owner[cell] + 1,
            seen[owner[cell]].unwrap_or("?")
        ));
    }
    let documents: Vec<Value> = documents.into_iter().map(|d| d.unwrap_or(Value::Null)).collect();
    params.merge(&documents)
}

//! The page's wasm: parses share links, lists parameters and draws plots (plotters measures
//! text with the page's fonts, so drawing stays on the page; simulation runs in the worker).

#[cfg(target_arch = "wasm32")]
mod bindings {
    use lpu::registry::parse_link;
    use serde_json::{json, Value};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(start)]
    pub fn start() {
        console_error_panic_hook::set_once();
    }

    /// Experiments, views and plots, for building the page.
    #[wasm_bindgen]
    pub fn catalogue() -> String {
        lpu::registry::catalogue().to_string()
    }

    /// Parses a share link leniently: the experiment, its canonical query, each key's value,
    /// the view state and every problem (key and message).
    #[wasm_bindgen]
    pub fn parse(query: &str) -> String {
        let link = parse_link(query, Some("flipflop"));
        let errors: Vec<Value> =
            link.errors.iter().map(|e| json!({ "key": e.key, "message": e.to_string() })).collect();
        match link.params {
            Some(p) => json!({
                "experiment": p.experiment(),
                "query": p.query(),
                "values": p.values(),
                "view": link.view,
                "view_query": link.view.query(),
                "errors": errors,
            }),
            None => json!({ "experiment": null, "errors": errors, "view": link.view, "view_query": link.view.query() }),
        }
        .to_string()
    }

    /// Draws one plot of a result document; {"svg", "frame"} or {"error"}.
    #[wasm_bindgen]
    pub fn render(name: &str, document: &str, width: u32, height: u32, upto: i32) -> String {
        let doc = match lpu::registry::read_document(document) {
            Ok(d) => d,
            Err(e) => return json!({ "error": e }).to_string(),
        };
        let opts = lpu::plot::PlotOptions { width, height, upto: (upto >= 0).then_some(upto as usize) };
        match doc.render(name, &opts) {
            Ok(fig) => serde_json::to_string(&fig).unwrap_or_default(),
            Err(e) => json!({ "error": e }).to_string(),
        }
    }

    /// Joins the parts of a sweep run across workers into the whole sweep's document.
    #[wasm_bindgen]
    pub fn merge_sweep(query: &str, parts: &str) -> String {
        let parts: Vec<Value> = match serde_json::from_str(parts) {
            Ok(v) => v,
            Err(e) => return json!({ "error": format!("parts are not JSON: {e}") }).to_string(),
        };
        match lpu::parse_strict(query) {
            Ok(p) => p.merge(&parts).unwrap_or_else(|e| json!({ "error": e }).to_string()),
            Err(e) => json!({ "error": e.to_string() }).to_string(),
        }
    }

    /// The result's main series as CSV.
    #[wasm_bindgen]
    pub fn csv(document: &str) -> String {
        match lpu::registry::read_document(document) {
            Ok(doc) => doc.csv().to_string(),
            Err(e) => format!("error: {e}"),
        }
    }
}

fn main() {}

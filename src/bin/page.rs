//! The page's wasm: parses share links, describes experiments, and holds result documents
//! typed (deserialised once) to draw, tabulate and summarise them. plotters measures text
//! with the page's fonts, so drawing stays on the page; simulation runs in the worker.

#[cfg(target_arch = "wasm32")]
mod bindings {
    use lpu::registry::{self, parse_link};
    use serde::Serialize;
    use serde_json::json;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(start)]
    pub fn start() {
        console_error_panic_hook::set_once();
    }

    fn to_js<T: Serialize>(v: &T) -> JsValue {
        v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
    }

    /// Experiments (parameters with kind, options, label, unit, group; plots), views and the
    /// query version, for building the page.
    #[wasm_bindgen]
    pub fn catalogue() -> JsValue {
        to_js(&registry::catalogue())
    }

    /// Parses a share link leniently: the experiment, its canonical query, each key's value,
    /// the view state and every problem (key and message).
    #[wasm_bindgen]
    pub fn parse(query: &str) -> JsValue {
        let default = registry::REGISTRY[0].name();
        let link = parse_link(query, Some(default));
        let errors: Vec<_> = link.errors.iter().map(|e| json!({ "key": e.key, "message": e.to_string() })).collect();
        let view = json!(link.view);
        to_js(&match link.params {
            Some(p) => json!({
                "experiment": p.experiment(),
                "query": p.query(),
                "values": p.values(),
                "view": view,
                "errors": errors,
            }),
            None => json!({ "experiment": null, "errors": errors, "view": view }),
        })
    }

    /// The parts a pool of workers runs instead of the whole query: `[{query, cost}]`, empty
    /// when the experiment runs whole.
    #[wasm_bindgen]
    pub fn split(query: &str) -> Result<JsValue, JsError> {
        let p = lpu::parse_strict(query).map_err(|e| JsError::new(&e.to_string()))?;
        let parts: Vec<_> = p.split().iter().map(|q| json!({ "query": q.query(), "cost": q.cost() })).collect();
        Ok(to_js(&parts))
    }

    /// Joins the result documents of the parts into the whole query's document (JSON text).
    #[wasm_bindgen]
    pub fn merge(query: &str, parts: Vec<String>) -> Result<String, JsError> {
        let p = lpu::parse_strict(query).map_err(|e| JsError::new(&e.to_string()))?;
        let parts = parts
            .iter()
            .map(|t| serde_json::from_str(t))
            .collect::<Result<Vec<serde_json::Value>, _>>()
            .map_err(|e| JsError::new(&format!("a part is not JSON: {e}")))?;
        p.merge(&parts).map_err(|e| JsError::new(&e))
    }

    /// A result document, typed.
    #[wasm_bindgen]
    pub struct Doc(Box<dyn registry::Document>);

    #[wasm_bindgen]
    impl Doc {
        /// Reads a result document (JSON text).
        #[wasm_bindgen(constructor)]
        pub fn new(text: &str) -> Result<Doc, JsError> {
            registry::read_document(text).map(Doc).map_err(|e| JsError::new(&e))
        }
        /// The experiment's name.
        pub fn experiment(&self) -> String {
            self.0.entry().name().into()
        }
        /// The document as JSON text (what `lpu run` prints).
        pub fn json(&self) -> String {
            self.0.to_json()
        }
        /// One paragraph on the result.
        pub fn summary(&self) -> String {
            self.0.summary()
        }
        /// The main series as CSV.
        pub fn csv(&self) -> String {
            self.0.csv().to_string()
        }
        /// The player's time axis `{time, step}`, or null.
        pub fn timeline(&self) -> JsValue {
            to_js(&self.0.timeline())
        }
        /// What a click at data point (x, y) of `plot` sets: `{key, value}`, or null.
        pub fn click(&self, plot: &str, x: f64, y: f64) -> JsValue {
            to_js(&self.0.click(plot, x, y).map(|(key, value)| json!({ "key": key, "value": value })))
        }
        /// Puts a live update (the worker's JSON) into the result.
        pub fn apply_live(&mut self, live: &str) -> Result<(), JsError> {
            self.0.apply_live(live).map_err(|e| JsError::new(&e))
        }
        /// Draws one plot: `{svg, frame}`; `upto` < 0 draws the whole trial.
        pub fn render(&self, name: &str, width: u32, height: u32, upto: i32) -> Result<JsValue, JsError> {
            let opts = lpu::plot::PlotOptions { width, height, upto: (upto >= 0).then_some(upto as usize) };
            self.0.render(name, &opts).map(|f| to_js(&f)).map_err(|e| JsError::new(&e))
        }
    }
}

fn main() {}

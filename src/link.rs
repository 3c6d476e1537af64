//! The page's view state in a share link (`view`, `embed`, `hide`, `plot`, `network`, the
//! hash of the network file a `source=network` link needs, and `data`, that of the recording
//! file a `dataset=file` link needs): checked by the
//! core like every other key, but it changes no number, so `lpu run` ignores it.

use crate::params::ParamError;
use serde::Serialize;

/// Keys of the page's view state.
pub const VIEW_KEYS: [&str; 6] = ["view", "embed", "hide", "plot", "network", "data"];

/// The page's view state carried in a share link.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ViewOptions {
    /// The view shown (`None`: the experiment's home view).
    pub view: Option<String>,
    /// Minimal chrome for an iframe in a tutorial.
    pub embed: bool,
    /// Controls (parameter keys) or panels hidden for a lesson.
    pub hide: Vec<String>,
    /// In embed mode, the one plot shown.
    pub plot: Option<String>,
    /// The hash ([`crate::netfile::hash`]) of the network file the link needs (loaded in the
    /// page by the user: files never travel in links).
    pub network: Option<String>,
    /// The hash ([`crate::jedi::uploaded::Uploaded::hash`]) of the recording file the link
    /// needs.
    pub data: Option<String>,
}

fn identifier(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl ViewOptions {
    /// Sets one view key from its query text; `views` are the names `view` may take.
    pub fn set(&mut self, key: &str, value: &str, views: &[&str]) -> Result<(), ParamError> {
        match key {
            "view" => {
                if !views.contains(&value) {
                    return Err(ParamError::new(
                        "view",
                        format!("must be one of {}, got \"{value}\"", views.join(", ")),
                    ));
                }
                self.view = Some(value.to_string());
            }
            "embed" => {
                self.embed = match value {
                    "1" | "true" => true,
                    "0" | "false" => false,
                    _ => return Err(ParamError::new("embed", format!("must be 0 or 1, got \"{value}\""))),
                }
            }
            "hide" => {
                let items: Vec<&str> = value.split(',').filter(|s| !s.is_empty()).collect();
                if items.len() > 64 || !items.iter().all(|s| identifier(s)) {
                    return Err(ParamError::new(
                        "hide",
                        "must be up to 64 comma-separated names of controls or panels (a–z, 0–9, _)",
                    ));
                }
                self.hide = items.into_iter().map(String::from).collect();
            }
            "plot" => {
                if !identifier(value) {
                    return Err(ParamError::new("plot", format!("must be a plot name (a–z, 0–9, _), got \"{value}\"")));
                }
                self.plot = Some(value.to_string());
            }
            "network" | "data" => {
                if value.len() != 12 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    let what = if key == "network" { "network" } else { "recording" };
                    return Err(ParamError::new(
                        key,
                        format!("must be the 12 hex digits of a {what} file's hash, got \"{value}\""),
                    ));
                }
                let slot = if key == "network" { &mut self.network } else { &mut self.data };
                *slot = Some(value.to_ascii_lowercase());
            }
            other => return Err(ParamError::new(other, "is not a view key")),
        }
        Ok(())
    }

    /// The view keys for a share link (only those that differ from the default).
    pub fn query(&self) -> String {
        let mut q = vec![];
        if let Some(v) = &self.view {
            q.push(format!("view={v}"));
        }
        if self.embed {
            q.push("embed=1".into());
        }
        if !self.hide.is_empty() {
            q.push(format!("hide={}", self.hide.join(",")));
        }
        if let Some(p) = &self.plot {
            q.push(format!("plot={p}"));
        }
        if let Some(h) = &self.network {
            q.push(format!("network={h}"));
        }
        if let Some(h) = &self.data {
            q.push(format!("data={h}"));
        }
        q.join("&")
    }
}

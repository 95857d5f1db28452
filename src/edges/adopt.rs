//! `feedwright adopt`: read the feeds readers hold, match their items to the site's posts,
//! and write the pins (`feedwright.ids`) that keep every id readers hold. Prints what it
//! found; writes nothing when a source cannot be read, and nothing when nothing changed.

use std::fs;
use std::path::Path;

use crate::core::{PINS_FILE, Plan, Site, plan, write_pins};
use crate::edges::held::read_sources;

/// What `adopt` did, for the command line.
pub struct Adopted {
    /// Lines to print, in order.
    pub report: Vec<String>,
    /// Disagreements that need a person (the command exits 1).
    pub conflicts: usize,
}

/// Adopt the ids of `sources` for the site at `root`.
pub fn adopt(root: &Path, site: &Site, sources: &[String]) -> Result<Adopted, String> {
    let items = read_sources(sources)?;
    let plan = plan(site, &items);
    let mut report = describe(&plan, items.len(), sources.len());
    let path = root.join(PINS_FILE);
    let text = write_pins(&plan.pins);
    let before = fs::read_to_string(&path).ok();
    if plan.pins.is_empty() && before.is_none() {
        report.push(format!("no pin needed: {PINS_FILE} not written"));
    } else if before.as_deref() == Some(text.as_str()) {
        report.push(format!("{PINS_FILE} already holds every pin ({}): unchanged", plan.pins.len()));
    } else {
        let partial = root.join(format!("{PINS_FILE}.partial"));
        fs::write(&partial, &text)
            .and_then(|()| fs::rename(&partial, &path))
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        report.push(format!(
            "wrote {PINS_FILE}: {} pin(s), {} of them new or changed — commit it with the site",
            plan.pins.len(),
            plan.new_pins.len()
        ));
    }
    Ok(Adopted { report, conflicts: plan.conflicts.len() })
}

fn describe(plan: &Plan, items: usize, sources: usize) -> Vec<String> {
    let mut lines = vec![format!("read {items} item(s) from {sources} source(s)")];
    let mut shapes: Vec<(&&str, &usize)> = plan.shapes.iter().collect();
    shapes.sort_by(|a, b| b.1.cmp(a.1));
    if !shapes.is_empty() {
        let all: Vec<String> = shapes.iter().map(|(s, n)| format!("{n} {s}")).collect();
        lines.push(format!("ids readers hold: {}", all.join(", ")));
    }
    lines.push(format!(
        "matched {} item(s) to posts: {} post(s) already publish the id readers hold, {} need a pin",
        plan.matched,
        plan.equal.len(),
        plan.new_pins.len()
    ));
    for (post, id) in &plan.new_pins {
        lines.push(format!("  pin {} {id}", post.display()));
    }
    if !plan.unmatched.is_empty() {
        lines.push(format!("{} item(s) match no post (nothing to keep for them):", plan.unmatched.len()));
        lines.extend(plan.unmatched.iter().map(|u| format!("  {u}")));
    }
    if !plan.conflicts.is_empty() {
        lines.push(format!("{} conflict(s), left for you to decide (no pin written for them):", plan.conflicts.len()));
        lines.extend(plan.conflicts.iter().map(|c| format!("  {c}")));
    }
    if let Some(base) = &plan.guid_base_hint {
        lines.push(format!(
            "readers hold WordPress ids under `{base}`: `guid_base: {base}` in the config gives every post with a \
             `wordpress_id` its old id without a pin"
        ));
    }
    lines
}

//! The layout of a site folder: which files are its config, which are posts (Hugo's
//! `content/`, Jekyll's `_posts/`), and which are neither.

use std::path::Path;

use crate::core::input::config::CONFIG_FILES;
use crate::core::input::ids::PINS_FILE;

/// What kind of input a path is.
#[derive(Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A config file, or the pins of `feedwright.ids` (read with the config).
    Config,
    Post,
    Other,
}

/// Classify a path relative to the site root: config file, post, or neither.
pub fn input_kind(path: &Path) -> InputKind {
    let parts: Vec<&str> = path.components().filter_map(|c| c.as_os_str().to_str()).collect();
    match parts.as_slice() {
        [name] if CONFIG_FILES.contains(name) || *name == PINS_FILE => InputKind::Config,
        [root, .., name] if (*root == "content" || *root == "_posts") => {
            let hidden = parts.iter().any(|p| p.starts_with('.'));
            let markdown = name.ends_with(".md") || name.ends_with(".markdown");
            let section_page = name.starts_with("_index.");
            if markdown && !hidden && !section_page { InputKind::Post } else { InputKind::Other }
        }
        _ => InputKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_inputs() {
        assert_eq!(input_kind(Path::new("feedwright.yaml")), InputKind::Config);
        assert_eq!(input_kind(Path::new("config.toml")), InputKind::Config);
        assert_eq!(input_kind(Path::new("feedwright.ids")), InputKind::Config);
        assert_eq!(input_kind(Path::new("content/post/a.md")), InputKind::Post);
        assert_eq!(input_kind(Path::new("_posts/2020-01-01-a.markdown")), InputKind::Post);
        assert_eq!(input_kind(Path::new("content/_index.md")), InputKind::Other);
        assert_eq!(input_kind(Path::new("content/post/.a.md.swp")), InputKind::Other);
        assert_eq!(input_kind(Path::new("content/.git/x.md")), InputKind::Other);
        assert_eq!(input_kind(Path::new("README.md")), InputKind::Other);
    }
}

//! Item ids as readers hold them: where a post's id comes from, the pins in
//! `feedwright.ids` (the ids readers held before the switch, written by `feedwright
//! adopt` and committed with the site), and why an id a reader holds would change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::core::diag::Diagnostic;
use crate::core::input::classify::{InputKind, input_kind};

/// The pins file, at the site root.
pub const PINS_FILE: &str = "feedwright.ids";

/// Post file (relative to the site root) → the id readers hold for it.
pub type Pins = BTreeMap<PathBuf, String>;

/// Where a post's id came from, in the order the rules try them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum IdSource {
    /// Front matter `guid`.
    Guid,
    /// A pin in `feedwright.ids`.
    Pin,
    /// Front matter `wordpress_url` (Jekyll's WordPress importer).
    WordpressUrl,
    /// `{guid_base}/?p={wordpress_id}`.
    WordpressId,
    /// The scheme for new posts (`id_scheme`).
    Scheme,
    /// The id the last build published, kept while the rules give another (an error).
    Published,
}

/// How ids are minted for posts no other rule names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum IdScheme {
    /// `tag:{host},{date}:{path}` (RFC 4151): survives a change of scheme or `www.`.
    #[default]
    Tag,
    /// The post's permalink, as Hugo and Zola publish it.
    Permalink,
}

/// Read `feedwright.ids`: one post a line, its file then its id, separated by spaces or
/// a tab; `#` starts a comment line. Every bad line is reported.
pub fn parse_pins(path: &Path, bytes: &[u8]) -> Result<Pins, Vec<Diagnostic>> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
        vec![Diagnostic::error(path, line, "not valid UTF-8")]
    })?;
    let mut pins = Pins::new();
    let mut errors = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fail = |message: String| errors.push(Diagnostic::error(path, line_no, message));
        // An id holds no white space; a file name may.
        let Some((post, id)) = line.rsplit_once(char::is_whitespace).map(|(p, i)| (p.trim_end(), i)) else {
            fail(format!("`{line}`: a line is a post's file, then the id readers hold for it"));
            continue;
        };
        if id.chars().any(char::is_control) {
            fail(format!("the id of `{post}` holds a control character"));
            continue;
        }
        let post = PathBuf::from(post);
        if input_kind(&post) != InputKind::Post {
            fail(format!("`{}` is not a post file (a path under content/ or _posts/ ending in .md)", post.display()));
            continue;
        }
        if let Some(first) = pins.get(&post) {
            fail(format!("`{}` is pinned twice (first to `{first}`)", post.display()));
            continue;
        }
        pins.insert(post, id.to_string());
    }
    if errors.is_empty() { Ok(pins) } else { Err(errors) }
}

/// The text of `feedwright.ids` holding `pins`, sorted by file.
pub fn write_pins(pins: &Pins) -> String {
    let mut text = String::from(
        "# The item ids feed readers held before this site switched to feedwright: each line\n\
         # is a post's file and the id readers hold for it. Written by `feedwright adopt`;\n\
         # commit it with the site.\n",
    );
    for (post, id) in pins {
        text.push_str(&format!("{} {id}\n", post.display()));
    }
    text
}

/// Why a post's id went from `held` (what readers hold) to `now`, as a user would fix it.
pub fn change_cause(held: &str, now: &str) -> String {
    let wordpress = |id: &str| id.split_once("/?p=").map(|(base, n)| (base.to_string(), n.to_string()));
    let tag = |id: &str| {
        let rest = id.strip_prefix("tag:")?;
        let (authority, path) = rest.split_once(':')?;
        let (host, date) = authority.split_once(',')?;
        Some((host.to_string(), date.to_string(), path.to_string()))
    };
    match (wordpress(held), wordpress(now), tag(held), tag(now)) {
        (Some((a, n)), Some((b, m)), _, _) if n == m && a != b => {
            format!("`guid_base` or `base_url` changed: WordPress ids were minted under `{a}`, now under `{b}`")
        }
        (Some(_), Some(_), _, _) => "`wordpress_id` changed".into(),
        (Some(_), None, _, _) => "`wordpress_id` was removed, or a rule before it now applies".into(),
        (None, _, Some((h1, d1, p1)), Some((h2, d2, p2))) => {
            let mut what = Vec::new();
            if h1 != h2 {
                what.push("the host of `base_url`");
            }
            if d1 != d2 {
                what.push("the post's `date`");
            }
            if p1 != p2 {
                what.push("its permalink (`url`, `slug`, the file name or `permalink`)");
            }
            format!("{} changed", what.join(" and "))
        }
        (None, _, Some(_), None) => "`id_scheme`, `guid` or a pin changed".into(),
        (None, _, None, Some(_)) if held.starts_with("http://") || held.starts_with("https://") => {
            "readers hold a URL — the permalink, as Hugo, Zola and jekyll-feed publish ids — and feedwright \
             mints a tag URI (`id_scheme: tag`)"
                .into()
        }
        (None, _, None, Some(_)) => "`id_scheme` changed, or a pin or `guid` was removed".into(),
        _ => "the rules give another id now (a pin, `guid`, `url`, `base_url` or `id_scheme` changed)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_read_and_write_back_the_same() {
        let text = "# comment\ncontent/post/a b.md  http://ex.org/?p=1\n_posts/2020-01-01-x.md\thttps://ex.org/x\n";
        let pins = parse_pins(Path::new(PINS_FILE), text.as_bytes()).unwrap();
        assert_eq!(pins[Path::new("content/post/a b.md")], "http://ex.org/?p=1");
        assert_eq!(parse_pins(Path::new(PINS_FILE), write_pins(&pins).as_bytes()).unwrap(), pins);
    }

    #[test]
    fn bad_lines_name_their_line() {
        let text = "content/post/a.md\nREADME.md x\ncontent/post/b.md y\ncontent/post/b.md z\n";
        let errors = parse_pins(Path::new(PINS_FILE), text.as_bytes()).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [1, 2, 4]);
        assert!(errors[0].to_string().starts_with("feedwright.ids:1: error:"), "{}", errors[0]);
    }

    #[test]
    fn causes_name_what_the_user_changed() {
        assert!(change_cause("http://ex.org/?p=5", "https://ex.org/?p=5").contains("guid_base"));
        assert!(change_cause("http://ex.org/?p=5", "tag:ex.org,2020-01-01:/a/").contains("wordpress_id"));
        assert!(change_cause("tag:ex.org,2020-01-01:/a/", "tag:ex.org,2020-01-01:/b/").contains("permalink"));
        assert!(change_cause("tag:ex.org,2020-01-01:/a/", "tag:ex.org,2020-01-02:/a/").contains("`date`"));
        assert!(change_cause("tag:ex.org,2020-01-01:/a/", "https://ex.org/a/").contains("id_scheme"));
        assert!(change_cause("http://ex.org/a/", "tag:ex.org,2020-01-01:/a/").contains("permalink"));
    }
}

//! What a post attaches besides its text, from its front matter: its image (Hugo themes'
//! `images`, `image`, `featured_image`, `cover.image`, `thumbnail`), its enclosures
//! (`enclosure:` — one or a list — or the short `audio:` / `video:`), and the episode
//! facts podcast apps read (`duration`, `explicit`). Links are kept as written; the
//! renderer makes them absolute and measures local files.

use serde_yaml::Value;

use crate::core::diag::Diagnostic;
use crate::core::input::frontmatter::FrontMatter;
use crate::core::input::values::{lookup, scalar_string};
use std::path::Path;

/// A post's attachments. Most posts have none, so a post holds this boxed, or nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Media {
    /// The post's image, as written (a URL, a site path or a path beside the post).
    pub image: Option<String>,
    pub enclosures: Vec<EnclosureSpec>,
    /// `itunes:duration`: seconds, `MM:SS` or `HH:MM:SS`, as written.
    pub duration: Option<String>,
    pub explicit: Option<bool>,
}

impl Media {
    /// The links whose files the renderer measures: the image, and each enclosure whose
    /// length the front matter does not give.
    pub fn measured(&self) -> impl Iterator<Item = &str> {
        self.image
            .as_deref()
            .into_iter()
            .chain(self.enclosures.iter().filter(|e| e.length.is_none()).map(|e| e.url.as_str()))
    }
}

/// An enclosure as the front matter gives it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EnclosureSpec {
    pub url: String,
    /// The media type, when given.
    pub mime: Option<String>,
    /// The length in bytes, when given (else measured from the site's file).
    pub length: Option<u64>,
    /// The front matter line that names it.
    pub line: usize,
}

/// The front-matter keys that name a post's image, in the order they are read.
const IMAGE_KEYS: &[&str] = &["images", "image", "featured_image", "featuredimage", "cover", "thumbnail"];

/// The attachments of a post (`None` when it has none), with every problem found.
pub fn parse(path: &Path, front: &FrontMatter, diagnostics: &mut Vec<Diagnostic>) -> Option<Box<Media>> {
    let mut media = Media { image: image(front), ..Media::default() };
    let error = |key: &str, message: String| Diagnostic::error(path, front.line_of(key), message);
    // The short forms first: RSS carries one enclosure, and a podcast's is its audio.
    for key in ["audio", "video"] {
        let Some(value) = front.get(key) else { continue };
        match scalar_string(value).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
            Some(url) if usable(&url) => {
                media.enclosures.push(EnclosureSpec { url, mime: None, length: None, line: front.line_of(key) })
            }
            Some(url) => diagnostics.push(error(key, format!("`{key}: {url}` is not a URL or a path"))),
            None if value.is_null() => {}
            None => diagnostics.push(error(key, format!("`{key}` must be a URL or a path to the file"))),
        }
    }
    if let Some(value) = front.get("enclosure") {
        let line = front.line_of("enclosure");
        let entries: Vec<&Value> = match value {
            Value::Sequence(list) => list.iter().collect(),
            Value::Null => Vec::new(),
            other => vec![other],
        };
        for entry in entries {
            match enclosure(entry, line) {
                Ok(spec) => media.enclosures.push(spec),
                Err(message) => diagnostics.push(error("enclosure", message)),
            }
        }
    }
    if let Some(value) = front.get("duration") {
        match scalar_string(value).map(|s| s.trim().to_string()) {
            Some(d) if is_duration(&d) => media.duration = Some(d),
            Some(d) if d.is_empty() => {}
            _ => diagnostics.push(error(
                "duration",
                "`duration` must be seconds, MM:SS or HH:MM:SS (what podcast apps read)".into(),
            )),
        }
    }
    if let Some(value) = front.get("explicit") {
        match value {
            Value::Bool(b) => media.explicit = Some(*b),
            _ => diagnostics.push(error("explicit", "`explicit` must be true or false".into())),
        }
    }
    (media != Media::default()).then(|| Box::new(media))
}

/// The first image the front matter names.
fn image(front: &FrontMatter) -> Option<String> {
    IMAGE_KEYS.iter().filter_map(|k| front.get(k)).find_map(|value| {
        let found = match value {
            Value::Sequence(list) => list.iter().find_map(image_of),
            other => image_of(other),
        };
        found.map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && usable(s))
    })
}

/// An image given as a string, or as a mapping with `image`, `src` or `url` (PaperMod's
/// `cover: {image: …}`).
fn image_of(value: &Value) -> Option<String> {
    match value {
        Value::Mapping(map) => ["image", "src", "url"].iter().find_map(|k| lookup(map, k).and_then(scalar_string)),
        other => scalar_string(other),
    }
}

fn enclosure(value: &Value, line: usize) -> Result<EnclosureSpec, String> {
    let (url, mime, length) = match value {
        Value::Mapping(map) => {
            let url = lookup(map, "url").and_then(scalar_string);
            let mime = lookup(map, "type").and_then(scalar_string).map(|s| s.trim().to_string());
            let length = match lookup(map, "length") {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n > 0) => n.as_u64(),
                Some(other) => {
                    let text = scalar_string(other).unwrap_or_default();
                    return Err(format!("`enclosure` length `{text}` is not a size in bytes (a whole number above 0)"));
                }
            };
            (url, mime, length)
        }
        other => (scalar_string(other), None, None),
    };
    let url = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()).ok_or("`enclosure` has no `url`")?;
    if !usable(&url) {
        return Err(format!("`enclosure` url `{url}` is not a URL or a path"));
    }
    if let Some(mime) = &mime
        && !is_media_type(mime)
    {
        return Err(format!("`enclosure` type `{mime}` is not a media type (such as audio/mpeg)"));
    }
    Ok(EnclosureSpec { url, mime: mime.filter(|m| !m.is_empty()), length, line })
}

/// A link a feed can carry: no spaces, controls or characters XML forbids.
fn usable(link: &str) -> bool {
    !link.chars().any(|c| c.is_whitespace() || c.is_control() || !crate::core::xmltext::is_xml_char(c))
}

fn is_media_type(mime: &str) -> bool {
    let mut parts = mime.split('/');
    let token = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b));
    matches!((parts.next(), parts.next(), parts.next()), (Some(a), Some(b), None) if token(a) && token(b))
}

/// Seconds, `MM:SS` or `HH:MM:SS`.
fn is_duration(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    parts.len() <= 3
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 9 && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.iter().skip(1).all(|p| p.len() == 2 && p < &"60")
}

/// The media type of a file by its extension (what podcast apps and readers expect).
pub fn media_type_of(path: &str) -> Option<&'static str> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let extension = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match extension.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "pdf" => "application/pdf",
        "epub" => "application/epub+zip",
        "zip" => "application/zip",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::input::frontmatter::split;

    fn media(front: &str) -> (Option<Box<Media>>, Vec<Diagnostic>) {
        let text = format!("---\ntitle: x\n{front}---\nbody\n");
        let doc = split(&text).unwrap();
        let mut diagnostics = Vec::new();
        (parse(Path::new("content/p.md"), &doc.front, &mut diagnostics), diagnostics)
    }

    #[test]
    fn the_image_comes_from_the_first_key_themes_use() {
        let image = |front: &str| media(front).0.and_then(|m| m.image);
        assert_eq!(image("images: [/a.png, /b.png]\nimage: /c.png\n").as_deref(), Some("/a.png"));
        assert_eq!(image("featured_image: x.jpg\n").as_deref(), Some("x.jpg"));
        assert_eq!(image("cover:\n  image: /cover.png\n  alt: A\n").as_deref(), Some("/cover.png"));
        assert_eq!(image("thumbnail: https://cdn.ex.org/t.png\n").as_deref(), Some("https://cdn.ex.org/t.png"));
        assert_eq!(image("images: []\n"), None);
        assert!(media("tags: [a]\n").0.is_none());
    }

    #[test]
    fn enclosures_in_every_form_and_their_errors_with_lines() {
        let (m, d) = media("enclosure:\n  url: /ep1.mp3\n  type: audio/mpeg\n  length: 1234\naudio: ep2.m4a\n");
        assert!(d.is_empty(), "{d:?}");
        let m = m.unwrap();
        assert_eq!(m.enclosures.len(), 2);
        assert_eq!((m.enclosures[0].url.as_str(), m.enclosures[0].mime.as_deref()), ("ep2.m4a", None));
        assert_eq!((m.enclosures[1].length, m.enclosures[1].line), (Some(1234), 3));
        let (_, d) = media("enclosure: {url: /a.mp3, length: 0}\n");
        assert!(d[0].to_string().starts_with("content/p.md:3: error: `enclosure` length `0`"), "{}", d[0]);
        let (_, d) = media("enclosure: {type: audio/mpeg}\n");
        assert!(d[0].message.contains("has no `url`"));
        let (_, d) = media("enclosure: {url: /a.mp3, type: mp3}\n");
        assert!(d[0].message.contains("not a media type"));
        let (_, d) = media("duration: an hour\n");
        assert!(d[0].message.contains("duration"));
        let (m, d) = media("duration: '1:02:03'\nexplicit: false\n");
        assert!(d.is_empty());
        assert_eq!(m.unwrap().duration.as_deref(), Some("1:02:03"));
    }

    #[test]
    fn media_types_by_extension() {
        assert_eq!(media_type_of("/a/ep.MP3?x=1"), Some("audio/mpeg"));
        assert_eq!(media_type_of("/a/file"), None);
    }
}

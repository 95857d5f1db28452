//! Post bodies: Markdown to the HTML a feed reader shows, with every relative URL made
//! absolute (readers have no base URL), and the summary shown in item lists.

use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd, html};
use regex::{Captures, Regex};
use url::Url;

use crate::core::uri::has_scheme;

/// A post's body, rendered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    pub html: String,
    /// The text before `<!--more-->`, else the first paragraph (HTML).
    pub summary_html: String,
}

const MORE: &str = "<!--more-->";

/// How Markdown is read: the extensions every site gets, and the typographer (curly
/// quotes, en and em dashes, ellipses) that Hugo's Goldmark and Jekyll's kramdown apply
/// by default.
fn options(typographer: bool) -> Options {
    let mut options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    if typographer {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    options
}

/// Render `markdown` (shortcodes already expanded) for the post at `permalink`.
///
/// The body is parsed once: the summary is a cut of the same events, so reference
/// links defined below `<!--more-->` resolve in the summary as they do on the page.
pub fn render(markdown: &str, permalink: &Url, typographer: bool) -> Rendered {
    let mut footnotes = Footnotes::default();
    let events: Vec<Event> = Parser::new_ext(markdown, options(typographer))
        .map(|e| footnotes.absolute(absolute_event(e, permalink), permalink))
        .collect();
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html, events.iter().cloned());
    let summary = match events.iter().position(is_more) {
        Some(at) => closed(&events[..at]),
        None => first_paragraph(&events),
    };
    let mut summary_html = String::new();
    html::push_html(&mut summary_html, summary.into_iter());
    Rendered { html, summary_html }
}

fn is_more(event: &Event) -> bool {
    matches!(event, Event::Html(raw) | Event::InlineHtml(raw) if raw.trim() == MORE)
}

/// `events` with every element still open at the end closed (a marker inside a list).
fn closed<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    let mut open: Vec<TagEnd> = Vec::new();
    for event in events {
        match event {
            Event::Start(tag) => open.push(tag.to_end()),
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    let mut out = events.to_vec();
    out.extend(open.into_iter().rev().map(Event::End));
    out
}

/// The first paragraph's events (paragraphs never nest).
fn first_paragraph<'a>(events: &[Event<'a>]) -> Vec<Event<'a>> {
    let Some(start) = events.iter().position(|e| matches!(e, Event::Start(Tag::Paragraph))) else { return Vec::new() };
    let end = events[start..].iter().position(|e| matches!(e, Event::End(TagEnd::Paragraph))).map(|i| start + i);
    end.map_or_else(Vec::new, |end| events[start..=end].to_vec())
}

/// Footnote links point at the post's permalink, not at a bare `#1` that a reader
/// would resolve against the feed's URL. Numbered in order of first mention.
#[derive(Default)]
struct Footnotes {
    numbers: std::collections::HashMap<String, usize>,
}

impl Footnotes {
    fn number(&mut self, name: &str) -> usize {
        let next = self.numbers.len() + 1;
        *self.numbers.entry(name.to_string()).or_insert(next)
    }

    fn absolute<'a>(&mut self, event: Event<'a>, base: &Url) -> Event<'a> {
        match event {
            Event::FootnoteReference(name) => {
                let n = self.number(&name);
                let id = footnote_id(&name);
                Event::InlineHtml(
                    format!("<sup class=\"footnote-reference\"><a href=\"{base}#{id}\">{n}</a></sup>").into(),
                )
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                let n = self.number(&name);
                let id = footnote_id(&name);
                Event::Html(
                    format!("<div class=\"footnote-definition\" id=\"{id}\"><sup class=\"footnote-definition-label\">{n}</sup>")
                        .into(),
                )
            }
            other => other,
        }
    }
}

fn footnote_id(name: &str) -> String {
    let id: String = name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    format!("fn-{id}")
}

fn absolute_event<'a>(event: Event<'a>, base: &Url) -> Event<'a> {
    match event {
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Link { link_type, dest_url: absolute_cow(dest_url, base), title, id })
        }
        Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            Event::Start(Tag::Image { link_type, dest_url: absolute_cow(dest_url, base), title, id })
        }
        Event::Html(raw) => Event::Html(absolute_html(&raw, base).into()),
        Event::InlineHtml(raw) => Event::InlineHtml(absolute_html(&raw, base).into()),
        other => other,
    }
}

fn absolute_cow<'a>(url: CowStr<'a>, base: &Url) -> CowStr<'a> {
    match absolute(&url, base) {
        Some(abs) => abs.into(),
        None => url,
    }
}

/// `url` resolved against `base`, or `None` when it is already absolute (or unusable).
pub fn absolute(url: &str, base: &Url) -> Option<String> {
    let trimmed = url.trim();
    if trimmed.is_empty() || has_scheme(trimmed) {
        return None;
    }
    base.join(trimmed).ok().map(String::from)
}

static URL_ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(\s(?:href|src|poster|action|cite|data|background)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#,
    )
    .expect("valid regex")
});
static SRCSET_ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)(\ssrcset\s*=\s*)(?:"([^"]*)"|'([^']*)')"#).expect("valid regex"));

/// Raw HTML with every URL attribute made absolute.
pub fn absolute_html(raw: &str, base: &Url) -> String {
    if !raw.contains('=') {
        return raw.to_string();
    }
    let once = URL_ATTR.replace_all(raw, |c: &Captures| {
        let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
        let quote = if c.get(3).is_some() { '\'' } else { '"' };
        let value = absolute(value, base).map_or_else(|| value.to_string(), |v| v.replace(quote, "%22"));
        format!("{}{quote}{value}{quote}", &c[1])
    });
    SRCSET_ATTR
        .replace_all(&once, |c: &Captures| {
            let value = c.get(2).or(c.get(3)).map_or("", |m| m.as_str());
            let quote = if c.get(3).is_some() { '\'' } else { '"' };
            let list: Vec<String> = value
                .split(',')
                .map(|candidate| {
                    let candidate = candidate.trim();
                    let (url, descriptor) = candidate.split_once(char::is_whitespace).unwrap_or((candidate, ""));
                    let url = absolute(url, base).unwrap_or_else(|| url.to_string());
                    if descriptor.is_empty() { url } else { format!("{url} {}", descriptor.trim()) }
                })
                .collect();
            format!("{}{quote}{}{quote}", &c[1], list.join(", "))
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://ex.com/2008/11/19/post/").unwrap()
    }

    fn html(md: &str) -> String {
        render(md, &base(), false).html
    }

    #[test]
    fn markdown_links_and_images_become_absolute() {
        assert_eq!(html("[a](/about/)"), "<p><a href=\"https://ex.com/about/\">a</a></p>\n");
        assert_eq!(html("[a](img/x.png)"), "<p><a href=\"https://ex.com/2008/11/19/post/img/x.png\">a</a></p>\n");
        assert_eq!(html("[a](../up)"), "<p><a href=\"https://ex.com/2008/11/19/up\">a</a></p>\n");
        assert_eq!(html("![i](/i.png)"), "<p><img src=\"https://ex.com/i.png\" alt=\"i\" /></p>\n");
        assert_eq!(html("[a][1]\n\n[1]: /ref/"), "<p><a href=\"https://ex.com/ref/\">a</a></p>\n");
        assert_eq!(html("[a](#part)"), "<p><a href=\"https://ex.com/2008/11/19/post/#part\">a</a></p>\n");
    }

    #[test]
    fn absolute_and_special_urls_are_kept() {
        for url in ["https://other.org/x", "mailto:a@b.c", "ftp://f/x", "data:image/png;base64,AA"] {
            assert!(html(&format!("[a]({url})")).contains(url), "{url}");
        }
        assert!(html("[a](//cdn.ex.org/x)").contains("https://cdn.ex.org/x"));
    }

    #[test]
    fn raw_html_urls_become_absolute() {
        let out = html(
            "<div><a href=\"/x\">x</a> <img src='y.png' srcset=\"/s.png 2x, t.png 3x\"></div>\n\nand <a href=/inline>i</a>",
        );
        assert!(out.contains("href=\"https://ex.com/x\""), "{out}");
        assert!(out.contains("src='https://ex.com/2008/11/19/post/y.png'"), "{out}");
        assert!(out.contains("srcset=\"https://ex.com/s.png 2x, https://ex.com/2008/11/19/post/t.png 3x\""), "{out}");
        assert!(out.contains("<a href=\"https://ex.com/inline\">"), "{out}");
        assert!(!html("<p data-x=\"/keep\">").contains("ex.com"));
    }

    #[test]
    fn entities_come_out_as_meant() {
        assert_eq!(html("Q&A"), "<p>Q&amp;A</p>\n");
        assert_eq!(html("&password;"), "<p>&amp;password;</p>\n");
        assert_eq!(html("&lt;aside&gt;"), "<p>&lt;aside&gt;</p>\n");
    }

    #[test]
    fn tables_footnotes_strikethrough() {
        assert!(html("|a|b|\n|-|-|\n|1|2|").contains("<table>"));
        assert!(html("~~old~~").contains("<del>old</del>"));
        let notes = html("x[^a] y[^b]\n\n[^b]: second\n[^a]: first");
        assert!(notes.contains("<a href=\"https://ex.com/2008/11/19/post/#fn-a\">1</a>"), "{notes}");
        assert!(notes.contains("id=\"fn-b\"><sup class=\"footnote-definition-label\">2</sup>"), "{notes}");
        assert!(!notes.contains("href=\"#"), "{notes}");
    }

    #[test]
    fn summary_before_more_else_first_paragraph() {
        let r = render("Intro [l](/l).\n\nSecond.\n\n<!--more-->\n\nRest.", &base(), false);
        assert_eq!(r.summary_html, "<p>Intro <a href=\"https://ex.com/l\">l</a>.</p>\n<p>Second.</p>\n");
        assert!(r.html.contains("Rest."));
        let r = render("# Title\n\nFirst para.\n\nSecond.", &base(), false);
        assert_eq!(r.summary_html, "<p>First para.</p>\n");
        assert_eq!(render("", &base(), false).summary_html, "");
        let r = render("- one\n- two <!--more--> three\n\nRest.", &base(), false);
        assert_eq!(r.summary_html, "<ul>\n<li>one</li>\n<li>two </li>\n</ul>\n");
        let r = render("# T\n\nFirst [ref][r].\n\n[r]: /r/", &base(), false);
        assert_eq!(r.summary_html, "<p>First <a href=\"https://ex.com/r/\">ref</a>.</p>\n");
    }

    #[test]
    fn the_typographer_prints_what_hugo_and_jekyll_print() {
        let r = render("a --- b -- \"c\" it's...\n\n    keep -- \"this\"\n", &base(), true);
        assert_eq!(r.html, "<p>a — b – “c” it’s…</p>\n<pre><code>keep -- \"this\"\n</code></pre>\n");
    }
}

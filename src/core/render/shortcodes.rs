//! Hugo shortcodes and Jekyll leftovers, expanded in a post's Markdown before rendering.
//!
//! `relref`/`ref` and Jekyll's `post_url` become the target post's absolute permalink;
//! `highlight` becomes a fenced code block; `figure`, `gist`, `tweet`, `youtube` and
//! `vimeo` become plain HTML or links; `{{ site.url }}` becomes the site's URL. Anything
//! else is a warning, never a failure.
//!
//! (Long with its tests: every shortcode's rendering is one concern, tested together.)

use crate::core::input::shortcode_syntax::{Call, TagKind, liquid_end, next_tag, paired_inner};
use crate::core::xmltext::{escape, escape_attr};
use std::collections::BTreeSet;

/// What expansion needs from the site.
pub trait LinkResolver {
    /// The absolute permalink of the post `target` names (file name, stem, or content
    /// path; without any `#fragment`), if the site has it.
    fn resolve(&self, target: &str) -> Option<String>;
    /// A best-effort URL for a target that is not in the site.
    fn guess(&self, target: &str) -> String;
    /// `{{ site.url }}`: scheme and host of the site.
    fn site_origin(&self) -> &str;
    /// `{{ site.baseurl }}`: the path the site lives under (`""` or `/blog`).
    fn site_base_path(&self) -> &str;
}

/// A problem found while expanding, with its byte offset in the body.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    pub offset: usize,
    pub message: String,
}

/// Expand every shortcode and Jekyll tag in `body`; returns the Markdown and warnings.
pub fn expand(body: &str, links: &dyn LinkResolver) -> (String, Vec<Finding>) {
    let mut out = String::with_capacity(body.len() + 64);
    let mut findings = Vec::new();
    let mut unknown = BTreeSet::new();
    let mut rest = 0;
    while let Some(found) = next_tag(body, rest) {
        out.push_str(&body[rest..found.start]);
        rest = found.end;
        match found.kind {
            TagKind::Hugo => {
                let inner = &body[found.start + 3..found.end - 3];
                let trimmed = inner.trim();
                if let Some(comment) = trimmed.strip_prefix("/*").and_then(|t| t.strip_suffix("*/")) {
                    // `{{</* x */>}}` is how Hugo sites write a literal shortcode.
                    out.push_str(&body[found.start..found.start + 3]);
                    out.push_str(comment);
                    out.push_str(&body[found.end - 3..found.end]);
                    continue;
                }
                let call = Call::parse(trimmed);
                if call.closing {
                    continue; // closing tags of paired shortcodes we keep the inside of
                }
                match call.name.as_str() {
                    "relref" | "ref" => out.push_str(&resolve(
                        call.positional(0).unwrap_or_default(),
                        links,
                        found.start,
                        &mut findings,
                    )),
                    "highlight" => {
                        let (code, after) = paired_inner(body, found.end, "highlight");
                        push_fence(&mut out, call.positional(0).unwrap_or_default(), code);
                        rest = after;
                    }
                    "figure" => out.push_str(&figure(&call)),
                    "gist" => {
                        let (user, id) =
                            (call.positional(0).unwrap_or_default(), call.positional(1).unwrap_or_default());
                        out.push_str(&link_html(
                            &format!("https://gist.github.com/{user}/{id}"),
                            &format!("Gist {user}/{id}"),
                        ));
                    }
                    "tweet" => {
                        let id = call.named("id").or(call.positional(0)).unwrap_or_default();
                        let user = call.named("user").unwrap_or("i");
                        out.push_str(&link_html(
                            &format!("https://twitter.com/{user}/status/{id}"),
                            "View the post on Twitter",
                        ));
                    }
                    "youtube" => {
                        let id = call.named("id").or(call.positional(0)).unwrap_or_default();
                        out.push_str(&link_html(
                            &format!("https://www.youtube.com/watch?v={id}"),
                            "Watch the video on YouTube",
                        ));
                    }
                    "vimeo" => {
                        let id = call.named("id").or(call.positional(0)).unwrap_or_default();
                        out.push_str(&link_html(&format!("https://vimeo.com/{id}"), "Watch the video on Vimeo"));
                    }
                    name => {
                        if unknown.insert(name.to_string()) {
                            findings.push(Finding {
                                offset: found.start,
                                message: format!("unknown shortcode `{name}`: left out of the feed"),
                            });
                        }
                    }
                }
            }
            TagKind::Liquid => {
                let inner = body[found.start + 2..found.end - 2].trim();
                let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
                match name {
                    "post_url" => out.push_str(&resolve(args.trim(), links, found.start, &mut findings)),
                    "highlight" => {
                        let lang = args.split_whitespace().next().unwrap_or_default();
                        let (code, after) = liquid_end(body, found.end, "endhighlight");
                        push_fence(&mut out, lang, code);
                        rest = after;
                    }
                    "raw" | "endraw" => {}
                    // Any other Liquid is text the author wrote (often a Jinja example).
                    _ => out.push_str(&body[found.start..found.end]),
                }
            }
            TagKind::SiteVar => {
                let inner = body[found.start + 2..found.end - 2].trim();
                out.push_str(if inner == "site.url" { links.site_origin() } else { links.site_base_path() });
            }
        }
    }
    out.push_str(&body[rest..]);
    (out, findings)
}

fn resolve(target: &str, links: &dyn LinkResolver, offset: usize, findings: &mut Vec<Finding>) -> String {
    let (name, fragment) = match target.split_once('#') {
        Some((n, f)) => (n, format!("#{f}")),
        None => (target, String::new()),
    };
    if name.is_empty() && !fragment.is_empty() {
        return fragment;
    }
    match links.resolve(name) {
        Some(url) => url + &fragment,
        None => {
            findings.push(Finding {
                offset,
                message: format!("link target `{target}` is not a post of this site: linked on a best guess"),
            });
            links.guess(name) + &fragment
        }
    }
}

/// A fenced code block holding `code` verbatim, whatever fences the code itself holds.
fn push_fence(out: &mut String, lang: &str, code: &str) {
    let code = code.strip_prefix('\n').unwrap_or(code);
    let longest = code.lines().map(|l| l.trim_start().chars().take_while(|&c| c == '`').count()).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let lang: String = lang.chars().filter(|c| c.is_alphanumeric() || "+-_.#".contains(*c)).collect();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push_str(&lang);
    out.push('\n');
    out.push_str(code);
    if !code.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
}

fn figure(call: &Call) -> String {
    let src = call.named("src").unwrap_or_default();
    let alt = call.named("alt").or(call.named("title")).unwrap_or_default();
    let mut html = format!("<figure><img src=\"{}\" alt=\"{}\">", escape_attr(src), escape_attr(alt));
    if let Some(link) = call.named("link") {
        html = format!(
            "<figure><a href=\"{}\"><img src=\"{}\" alt=\"{}\"></a>",
            escape_attr(link),
            escape_attr(src),
            escape_attr(alt)
        );
    }
    let caption: Vec<&str> = [call.named("title"), call.named("caption")].into_iter().flatten().collect();
    if !caption.is_empty() {
        html.push_str(&format!("<figcaption>{}</figcaption>", escape(&caption.join(" — "))));
    }
    html.push_str("</figure>");
    html
}

fn link_html(url: &str, label: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape_attr(url), escape(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Site;
    impl LinkResolver for Site {
        fn resolve(&self, target: &str) -> Option<String> {
            matches!(target, "2008-02-06-some-slug.md" | "2008-02-06-some-slug" | "post/other.md")
                .then(|| format!("https://ex.com/found/{}/", target.len()))
        }
        fn guess(&self, target: &str) -> String {
            format!("https://ex.com/guess/{target}/")
        }
        fn site_origin(&self) -> &str {
            "https://ex.com"
        }
        fn site_base_path(&self) -> &str {
            ""
        }
    }

    fn run(body: &str) -> (String, Vec<Finding>) {
        expand(body, &Site)
    }

    #[test]
    fn relref_ref_and_post_url_become_permalinks() {
        let (md, f) = run(
            "[a]({{< relref \"2008-02-06-some-slug.md\" >}}) [b]({{% ref \"post/other.md#part\" %}})\n[c]: {% post_url 2008-02-06-some-slug %}",
        );
        assert_eq!(
            md,
            "[a](https://ex.com/found/23/) [b](https://ex.com/found/13/#part)\n[c]: https://ex.com/found/20/"
        );
        assert!(f.is_empty());
    }

    #[test]
    fn a_missing_target_is_a_warning_and_a_best_guess() {
        let (md, f) = run("[x]({{< relref \"nowhere.md\" >}})");
        assert_eq!(md, "[x](https://ex.com/guess/nowhere.md/)");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].offset, 4);
    }

    #[test]
    fn highlight_becomes_a_fenced_block_in_both_spellings() {
        let (md, _) = run("Text\n{{< highlight json >}}\n{\"a\": 1}\n{{< / highlight >}}\nMore");
        assert_eq!(md, "Text\n```json\n{\"a\": 1}\n```\nMore");
        let (md, _) = run("{{< highlight go >}}\nx := `y`\n```\n{{< /highlight >}}");
        assert_eq!(md, "````go\nx := `y`\n```\n````");
        let (md, _) = run("{% highlight ruby %}\nputs 1\n{% endhighlight %}");
        assert_eq!(md, "```ruby\nputs 1\n```");
    }

    #[test]
    fn media_shortcodes_become_links() {
        let (md, _) = run(
            "{{< youtube dQw4w9WgXcQ >}} {{< vimeo id=\"42\" >}} {{< gist ann 123 >}} {{< tweet user=\"ann\" id=\"9\" >}}",
        );
        assert!(md.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"));
        assert!(md.contains("https://vimeo.com/42"));
        assert!(md.contains("https://gist.github.com/ann/123"));
        assert!(md.contains("https://twitter.com/ann/status/9"));
        let (fig, _) = run("{{< figure src=\"/img/a.png\" title=\"A & B\" >}}");
        assert_eq!(
            fig,
            "<figure><img src=\"/img/a.png\" alt=\"A &amp; B\"><figcaption>A &amp; B</figcaption></figure>"
        );
    }

    #[test]
    fn unknown_shortcodes_warn_once_and_keep_their_inside() {
        let (md, f) = run("{{< notice warning >}}Careful{{< /notice >}} {{< notice >}}x{{< /notice >}}");
        assert_eq!(md, "Careful x");
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("`notice`"));
    }

    #[test]
    fn site_url_comments_and_other_liquid() {
        let (md, _) = run("![i]({{ site.url }}/img/x.gif) {{</* relref \"x\" */>}} {% for x in y %} {{ other }}");
        assert_eq!(md, "![i](https://ex.com/img/x.gif) {{< relref \"x\" >}} {% for x in y %} {{ other }}");
    }

    #[test]
    fn never_panics_on_broken_syntax() {
        for body in [
            "{{<",
            "{{< >}}",
            "{{< highlight",
            "{{< highlight go >}}unclosed",
            "{%",
            "{% post_url %}",
            "{{< \"",
            "é{{<é>}}é",
        ] {
            let _ = run(body);
        }
    }
}

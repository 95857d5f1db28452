//! The syntax of Hugo shortcodes and Jekyll Liquid tags in a post's Markdown: finding
//! them and reading their arguments. Parsing a post needs it (the posts a body links to
//! by `relref`/`post_url`), and so does rendering (`render/shortcodes.rs` expands them).

/// The targets of every `relref`, `ref` and `post_url` in `body`, without fragments.
pub fn ref_targets(body: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut at = 0;
    while let Some(found) = next_tag(body, at) {
        at = found.end;
        let target = match found.kind {
            TagKind::Hugo => {
                let call = Call::parse(body[found.start + 3..found.end - 3].trim());
                if call.closing || !matches!(call.name.as_str(), "relref" | "ref") {
                    continue;
                }
                call.positional(0).unwrap_or_default().to_string()
            }
            TagKind::Liquid => match body[found.start + 2..found.end - 2].trim().split_once(char::is_whitespace) {
                Some(("post_url", target)) => target.trim().to_string(),
                _ => continue,
            },
            TagKind::SiteVar => continue,
        };
        let name = target.split('#').next().unwrap_or_default();
        if !name.is_empty() && !targets.iter().any(|t| t == name) {
            targets.push(name.to_string());
        }
    }
    targets
}

#[derive(Debug, PartialEq, Eq)]
pub enum TagKind {
    /// `{{< … >}}` or `{{% … %}}`
    Hugo,
    /// `{% … %}`
    Liquid,
    /// `{{ site.url }}` / `{{ site.baseurl }}`
    SiteVar,
}

pub struct Found {
    pub start: usize,
    pub end: usize,
    pub kind: TagKind,
}

pub fn next_tag(text: &str, from: usize) -> Option<Found> {
    let mut at = from;
    while let Some(i) = text[at..].find('{') {
        let start = at + i;
        let tail = &text[start..];
        let found = if tail.starts_with("{{<") || tail.starts_with("{{%") {
            let close = if tail.starts_with("{{<") { ">}}" } else { "%}}" };
            tail[3..].find(close).map(|j| Found { start, end: start + 3 + j + 3, kind: TagKind::Hugo })
        } else if let Some(inner) = tail.strip_prefix("{%") {
            inner.find("%}").filter(|&j| !inner[..j].contains('\n')).map(|j| Found {
                start,
                end: start + 2 + j + 2,
                kind: TagKind::Liquid,
            })
        } else if let Some(inner) = tail.strip_prefix("{{") {
            inner.find("}}").and_then(|j| {
                let var = inner[..j].trim();
                (var == "site.url" || var == "site.baseurl").then_some(Found {
                    start,
                    end: start + 2 + j + 2,
                    kind: TagKind::SiteVar,
                })
            })
        } else {
            None
        };
        if found.is_some() {
            return found;
        }
        at = start + 1;
    }
    None
}

/// The text up to the closing `{{< /name >}}` and the offset after it (or to the end).
pub fn paired_inner<'a>(text: &'a str, from: usize, name: &str) -> (&'a str, usize) {
    let mut at = from;
    while let Some(found) = next_tag(text, at) {
        if found.kind == TagKind::Hugo {
            let call = Call::parse(text[found.start + 3..found.end - 3].trim());
            if call.closing && call.name == name {
                return (&text[from..found.start], found.end);
            }
        }
        at = found.end;
    }
    (&text[from..], text.len())
}

pub fn liquid_end<'a>(text: &'a str, from: usize, end_name: &str) -> (&'a str, usize) {
    let mut at = from;
    while let Some(found) = next_tag(text, at) {
        if found.kind == TagKind::Liquid && text[found.start + 2..found.end - 2].trim() == end_name {
            return (&text[from..found.start], found.end);
        }
        at = found.end;
    }
    (&text[from..], text.len())
}

/// One shortcode call: `name "positional" key="named"`, or a closing `/name`.
#[derive(Debug)]
pub struct Call {
    pub name: String,
    pub closing: bool,
    pub positional: Vec<String>,
    pub named: Vec<(String, String)>,
}

impl Call {
    pub fn parse(inner: &str) -> Call {
        let (closing, inner) = match inner.strip_prefix('/') {
            Some(rest) => (true, rest.trim_start()),
            None => (false, inner),
        };
        let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
        let mut call = Call { name: inner[..name_end].to_string(), closing, positional: Vec::new(), named: Vec::new() };
        let mut chars = inner[name_end..].chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let Some(&c) = chars.peek() else { break };
            let token = read_token(&mut chars, c);
            if chars.peek() == Some(&'=') {
                chars.next();
                let value = chars.peek().copied().map(|c| read_token(&mut chars, c)).unwrap_or_default();
                call.named.push((token, value));
            } else {
                call.positional.push(token);
            }
        }
        call
    }

    pub fn positional(&self, i: usize) -> Option<&str> {
        self.positional.get(i).map(String::as_str)
    }

    pub fn named(&self, key: &str) -> Option<&str> {
        self.named.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }
}

fn read_token(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, first: char) -> String {
    let mut token = String::new();
    if first == '"' || first == '`' || first == '\'' {
        chars.next();
        let mut escaped = false;
        for c in chars.by_ref() {
            match c {
                '\\' if !escaped && first == '"' => escaped = true,
                c if c == first && !escaped => break,
                c => {
                    token.push(c);
                    escaped = false;
                }
            }
        }
    } else {
        while let Some(c) = chars.next_if(|c| !c.is_whitespace() && *c != '=') {
            token.push(c);
        }
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_link_targets() {
        let body = "{{< relref \"a.md#x\" >}} {{% ref \"post/b.md\" %}} {% post_url 2008-02-06-c %} {{< relref \"a.md\" >}} {{< youtube x >}}";
        assert_eq!(ref_targets(body), ["a.md", "post/b.md", "2008-02-06-c"]);
    }

    #[test]
    fn reads_positional_named_and_closing_calls() {
        let call = Call::parse("figure src=\"/a.png\" 'cap tion' alt=x");
        assert_eq!((call.name.as_str(), call.closing), ("figure", false));
        assert_eq!(
            (call.named("src"), call.named("alt"), call.positional(0)),
            (Some("/a.png"), Some("x"), Some("cap tion"))
        );
        assert!(Call::parse("/highlight").closing);
    }
}

//! The feed URLs a WordPress blog published, and where each lives now: `/feed/`,
//! `/tag/<slug>/feed/`, `?feed=rss2` and the rest, answered with `301` by `serve`.

/// Where an old WordPress feed URL lives now (a snapshot key).
pub fn wordpress_redirect(path: &str, query: Option<&str>) -> Option<String> {
    if path.is_empty() {
        let feed = query?.split('&').find_map(|kv| kv.strip_prefix("feed="))?;
        return match feed {
            "rss2" | "rss" | "rdf" => Some("index.xml".into()),
            "atom" => Some("atom.xml".into()),
            _ => None,
        };
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let file = |kind: &str| if kind == "atom" { "atom.xml" } else { "index.xml" };
    match parts.as_slice() {
        ["feed"] => Some("index.xml".into()),
        ["feed", kind @ ("rss2" | "rss" | "rdf" | "atom")] => Some(file(kind).into()),
        [taxonomy @ ("tag" | "category"), slug, "feed"] => Some(format!("{}/{slug}/index.xml", plural(taxonomy))),
        [taxonomy @ ("tag" | "category"), slug, "feed", kind @ ("rss2" | "rss" | "atom")] => {
            Some(format!("{}/{slug}/{}", plural(taxonomy), file(kind)))
        }
        _ => None,
    }
}

fn plural(taxonomy: &str) -> &'static str {
    if taxonomy == "tag" { "tags" } else { "categories" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_wordpress_urls() {
        assert_eq!(wordpress_redirect("feed/", None).as_deref(), Some("index.xml"));
        assert_eq!(wordpress_redirect("feed/rss2/", None).as_deref(), Some("index.xml"));
        assert_eq!(wordpress_redirect("feed/atom/", None).as_deref(), Some("atom.xml"));
        assert_eq!(wordpress_redirect("tag/nfs/feed/", None).as_deref(), Some("tags/nfs/index.xml"));
        assert_eq!(wordpress_redirect("tag/nfs/feed/atom/", None).as_deref(), Some("tags/nfs/atom.xml"));
        assert_eq!(wordpress_redirect("category/news/feed/", None).as_deref(), Some("categories/news/index.xml"));
        assert_eq!(wordpress_redirect("", Some("feed=rss2")).as_deref(), Some("index.xml"));
        assert_eq!(wordpress_redirect("", Some("p=5&feed=atom")).as_deref(), Some("atom.xml"));
        assert_eq!(wordpress_redirect("about/", None), None);
    }
}

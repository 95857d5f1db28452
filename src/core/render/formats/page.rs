//! A feed as a page for people: what a browser shows instead of raw XML. Two ways to the
//! same page: `feed.xsl`, the XSLT stylesheet every RSS and Atom file names (browsers
//! that still run XSLT render it), and [`html`], the page made here from a feed's bytes,
//! which `serve` answers browsers with (browsers are dropping XSLT). Both print the same
//! markup with the same style: the feed's title and description, how to subscribe, and
//! each item with its date and summary.

use crate::core::xmltext::escape_attr;

const STYLE: &str = "\
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;background:#fff}\
header{border-bottom:1px solid #ddd;margin-bottom:1.5rem}\
.badge{display:inline-block;background:#f26522;color:#fff;border-radius:4px;padding:0 .5rem;font-size:.8rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em}\
h1{margin:.3rem 0}\
.how{background:#fff7e6;border:1px solid #ffd591;border-radius:6px;padding:.75rem 1rem}\
.how code{display:block;word-break:break-all;margin-top:.4rem;font-size:.9rem}\
ol{list-style:none;padding:0}\
li{margin:0 0 1.5rem}\
li h2{font-size:1.15rem;margin:0}\
time{color:#666;font-size:.85rem}\
.summary{margin:.3rem 0 0}\
.summary img{max-width:100%;height:auto}";

/// One item as the page lists it.
struct Item {
    title: String,
    link: String,
    date: String,
    summary_html: String,
}

/// The page of a feed, from the feed's bytes (RSS 2.0 or Atom 1.0); `None` for anything
/// else.
pub fn html(xml: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(xml).ok()?;
    let doc = roxmltree::Document::parse(text).ok()?;
    let root = doc.root_element();
    let child_text = |node: roxmltree::Node, name: &str| {
        node.children().find(|c| c.has_tag_name(name)).and_then(|c| c.text()).unwrap_or_default().to_string()
    };
    let (title, description, home, own, items) = if root.has_tag_name("rss") {
        let channel = root.children().find(|c| c.has_tag_name("channel"))?;
        let own = channel
            .children()
            .find(|c| c.tag_name().name() == "link" && c.attribute("rel") == Some("self"))
            .and_then(|c| c.attribute("href"))
            .unwrap_or_default()
            .to_string();
        let items = channel
            .children()
            .filter(|c| c.has_tag_name("item"))
            .map(|item| Item {
                title: child_text(item, "title"),
                link: child_text(item, "link"),
                date: rss_day(&child_text(item, "pubDate")),
                summary_html: child_text(item, "description"),
            })
            .collect::<Vec<_>>();
        (child_text(channel, "title"), child_text(channel, "description"), child_text(channel, "link"), own, items)
    } else if root.tag_name().name() == "feed" {
        let link = |node: roxmltree::Node, rel: &str| {
            node.children()
                .find(|c| c.tag_name().name() == "link" && c.attribute("rel").unwrap_or("alternate") == rel)
                .and_then(|c| c.attribute("href"))
                .unwrap_or_default()
                .to_string()
        };
        let items = root
            .children()
            .filter(|c| c.tag_name().name() == "entry")
            .map(|entry| {
                let published = child_text(entry, "published");
                let date = if published.is_empty() { child_text(entry, "updated") } else { published };
                let summary = child_text(entry, "summary");
                Item {
                    title: child_text(entry, "title"),
                    link: link(entry, "alternate"),
                    date: date.chars().take(10).collect(),
                    summary_html: if summary.is_empty() { child_text(entry, "content") } else { summary },
                }
            })
            .collect::<Vec<_>>();
        (child_text(root, "title"), child_text(root, "subtitle"), link(root, "alternate"), link(root, "self"), items)
    } else {
        return None;
    };
    let e = escape_attr;
    let mut page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} (feed)</title><style>{STYLE}</style></head>\n<body><header><span class=\"badge\">Feed</span>\
         <h1><a href=\"{home}\">{title}</a></h1><p>{description}</p>\
         <p class=\"how\">This is a web feed. To follow <a href=\"{home}\">{title}</a>, copy this address into your feed reader:<code>{own}</code></p>\
         </header>\n<main><ol>\n",
        title = e(&title),
        home = e(&home),
        description = e(&description),
        own = e(&own),
    );
    for item in items {
        page.push_str(&format!(
            "<li><h2><a href=\"{}\">{}</a></h2><time>{}</time><div class=\"summary\">{}</div></li>\n",
            e(&item.link),
            e(&item.title),
            e(&item.date),
            item.summary_html
        ));
    }
    page.push_str("</ol></main></body></html>\n");
    Some(page)
}

/// The day of an RFC 822 date as feedwright writes it (`Thu, 2 Jan 2020 03:04:05 +0100`
/// → `Thu, 2 Jan 2020`): without the time and zone, their 15 characters.
fn rss_day(date: &str) -> String {
    let n = date.chars().count();
    date.chars().take(n.saturating_sub(15)).collect()
}

/// `feed.xsl`: the same page as [`html`], made by the browser from an RSS or Atom file.
pub fn stylesheet() -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- Shows a feed in a browser as a page (feedwright). Feed readers ignore it. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <xsl:variable name="rss" select="/rss/channel"/>
    <xsl:variable name="title" select="$rss/title | /atom:feed/atom:title"/>
    <xsl:variable name="home" select="$rss/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
    <xsl:variable name="own" select="$rss/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <header>
          <span class="badge">Feed</span>
          <h1><a href="{{$home}}"><xsl:value-of select="$title"/></a></h1>
          <p><xsl:value-of select="$rss/description | /atom:feed/atom:subtitle"/></p>
          <p class="how">This is a web feed. To follow <a href="{{$home}}"><xsl:value-of select="$title"/></a>, copy this address into your feed reader:<code><xsl:value-of select="$own"/></code></p>
        </header>
        <main>
          <ol>
            <xsl:for-each select="$rss/item">
              <li>
                <h2><a href="{{link}}"><xsl:value-of select="title"/></a></h2>
                <time><xsl:value-of select="substring(pubDate, 1, string-length(pubDate) - 15)"/></time>
                <div class="summary"><xsl:value-of select="description" disable-output-escaping="yes"/></div>
              </li>
            </xsl:for-each>
            <xsl:for-each select="/atom:feed/atom:entry">
              <li>
                <h2><a href="{{atom:link[@rel='alternate']/@href}}"><xsl:value-of select="atom:title"/></a></h2>
                <time><xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/></time>
                <div class="summary">
                  <xsl:choose>
                    <xsl:when test="atom:summary"><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></xsl:when>
                    <xsl:otherwise><xsl:value-of select="atom:content" disable-output-escaping="yes"/></xsl:otherwise>
                  </xsl:choose>
                </div>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
"#
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::render::formats::{atom, rss, view};

    #[test]
    fn both_formats_become_the_same_page_and_the_stylesheet_is_well_formed() {
        let feed = view::sample(2);
        let from_rss = html(&rss::write(&feed).unwrap()).unwrap();
        let from_atom = html(&atom::write(&feed).unwrap()).unwrap();
        for page in [&from_rss, &from_atom] {
            assert!(
                page.contains("<h1><a href=\"https://ex.org/\">Lab &lt;item&gt; &amp; &lt;/channel&gt;</a></h1>"),
                "{page}"
            );
            assert!(page.contains(">Post 1 &lt;/item&gt;</a></h2>"), "{page}");
            assert!(page.contains("<code>https://ex.org/index.xml</code>"), "{page}");
        }
        assert!(from_rss.contains("<time>Thu, 2 Jan 2020</time>"), "{from_rss}");
        assert!(from_atom.contains("<time>2020-01-02</time>"), "{from_atom}");
        assert_eq!(html(b"<opml/>"), None);
        assert_eq!(html(b"not xml"), None);
        let xsl = String::from_utf8(stylesheet()).unwrap();
        roxmltree::Document::parse(&xsl).unwrap();
    }
}

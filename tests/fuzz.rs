//! Fuzzing the core with mutated real-shaped posts and configs: whatever the bytes, no
//! panic, bounded time, and every file written is well-formed (XML parses, JSON parses,
//! paths stay inside `--out`).
//!
//! `cargo test` runs a small budget; `FEEDWRIGHT_FUZZ_CASES=200000 cargo test --release
//! --test fuzz` runs a campaign. Mutations: byte flips, deletions, truncation,
//! duplication of a stretch, insertion of tokens that have broken parsers before
//! (delimiters, brackets, dates out of range, shortcodes, control characters, long runs),
//! and a value of the front matter or config replaced by one of those tokens.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::TimeZone;
use feedwright::core::{Change, Options, Site};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const POSTS: &[&str] = &[
    "---\nauthor: slowe\ncategories: Information\ndate: 2008-11-19T14:40:59Z\nslug: vst-23\ntags:\n- ESX\n- NFS\n\
     title: 'Virtualization Short Take #23'\nurl: /2008/11/19/vst-23/\nwordpress_id: 1039\n---\n\
     Welcome to [Short Take #23][1]. See {{< relref \"b.md\" >}} and {% post_url 2008-02-06-b %}.\n\n<!--more-->\n\n\
     * item `code` **bold** _em_ ~~gone~~\n\n```\nhighlight --- \"quoted\"\n```\n\n[1]: /short-takes/\n",
    "+++\ntitle = \"TOML post\"\ndate = 2020-01-02T03:04:05Z\ntags = [\"a\", \"b\"]\nseries = \"S\"\n+++\n\
     | a | b |\n|---|---|\n| 1 | 2 |\n\nFootnote[^1].\n\n[^1]: note\n\n{{< highlight go >}}\nfunc main() {}\n{{< / highlight >}}\n",
    "---\ntitle: \"Q&A <b> and AT&T\"\ndate: 2020-03-04 05:06:07 -0500\nlastmod: 2021-01-01\ncategories: [News, news]\n\
     author: {name: Ann, email: ann@example.org}\nsummary: Short & sweet\nexpiryDate: 2099-01-01\n---\n\
     <div><a href=\"../x\">raw</a> <img src='y.png' srcset=\"/a.png 2x\"></div>\n\n{{< figure src=\"/i.png\" >}}\n",
];

/// Config file names and texts: feedwright's own and a Hugo config.
const CONFIGS: &[(&str, &str)] = &[
    (
        "feedwright.yaml",
        "base_url: https://ex.org/blog\ntitle: Ex\nlimit: 3\nformats: [rss, atom, json]\n\
     series_patterns: ['^(?P<name>.+ Short Take) #?\\d+']\n\
     feeds:\n  - slug: st\n    title: ST\n    match: {title: 'Short Take', tags: [esx]}\n",
    ),
    (
        "config.yaml",
        "baseURL: http://blog.example.org\ntitle: Hugo\nlanguageCode: en-us\nparams:\n  author:\n    name: A\n\
         markup:\n  goldmark:\n    extensions:\n      typographer: false\n",
    ),
];

const TOKENS: &[&str] = &[
    "---\n",
    "+++\n",
    "...\n",
    "[",
    "]",
    "{",
    "}",
    "{{<",
    ">}}",
    "{%",
    "%}",
    "<!--more-->",
    "&",
    "<",
    "]]>",
    "\u{0}",
    "\u{1}",
    "\u{B}",
    "\u{FFFF}",
    "\r\n",
    "\t",
    "-001-01-01",
    "10000-01-01",
    "0000-00-00",
    "9999-12-31",
    "date: ",
    "title: ",
    "tags: ",
    "url: ",
    "slug: ",
    "guid: ",
    "wordpress_id: ",
    "- ",
    ": ",
    "'",
    "\"",
    "\\",
    "#",
    "*_",
    "%",
    "../",
    "東京",
    "🦀",
    "\u{202E}",
    "&password;",
    "&#0;",
    "&#x110000;",
];

fn mutate(base: &[u8], ops: &[(u8, usize, usize)]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for &(op, at, n) in ops {
        let at = if bytes.is_empty() { 0 } else { at % (bytes.len() + 1) };
        match op % 7 {
            6 => {
                // A value replaced: the text after the k-th `: ` up to its line's end.
                let marks: Vec<usize> =
                    bytes.windows(2).enumerate().filter(|(_, w)| w == b": ").map(|(i, _)| i + 2).collect();
                if let Some(&start) = marks.get(at % marks.len().max(1)) {
                    let end = bytes[start..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| start + i);
                    let token = TOKENS[n % TOKENS.len()].as_bytes();
                    bytes.splice(start..end, token.iter().copied());
                }
            }
            0 => {
                if at < bytes.len() {
                    bytes[at] ^= 1 << (n % 8);
                }
            }
            1 => {
                let end = (at + n % 16).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => bytes.truncate(at),
            3 => {
                let end = (at + n % 64).min(bytes.len());
                let stretch: Vec<u8> = bytes[at..end].to_vec();
                let times = 1 + n % 50;
                for _ in 0..times {
                    bytes.splice(at..at, stretch.iter().copied());
                }
            }
            4 => {
                let token = TOKENS[n % TOKENS.len()].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
            _ => {
                let token = TOKENS[n % TOKENS.len()];
                let run = token.repeat(1 + n % 300);
                bytes.splice(at..at, run.bytes());
            }
        }
    }
    bytes
}

fn ops(most: usize) -> impl Strategy<Value = Vec<(u8, usize, usize)>> {
    prop::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..most)
}

/// Build the site from these bytes in the core, as `build` does, and check every file.
/// `rendered` counts the cases that had a config and posts to render, so that a campaign
/// is known not to be all rejected input.
fn check(config: (&str, &[u8]), posts: &[Vec<u8>], rendered: &AtomicUsize) -> Result<(), TestCaseError> {
    let started = Instant::now();
    let now = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let mut site = Site::new(Options::default(), now);
    let mut changes = vec![Change::Write(config.0.into(), config.1.to_vec())];
    for (i, bytes) in posts.iter().enumerate() {
        changes.push(Change::Write(PathBuf::from(format!("content/post/p{i}.md")), bytes.clone()));
    }
    site.apply(changes);
    let _ = site.diagnostics();
    if site.config().is_some() && site.visible_count() > 0 {
        rendered.fetch_add(1, Ordering::Relaxed);
    }
    let files: BTreeMap<String, Vec<u8>> = match site.render_all() {
        Ok((files, _)) => files,
        Err(e) => return Err(TestCaseError::fail(format!("a writer failed: {e}"))),
    };
    for (rel, bytes) in &files {
        prop_assert!(
            Path::new(rel).components().all(|c| matches!(c, Component::Normal(_))) && !rel.contains('\\'),
            "unsafe path {rel}"
        );
        for part in rel.split('/') {
            prop_assert!(part.len() <= 255, "{rel}");
        }
        let text = std::str::from_utf8(bytes).map_err(|e| TestCaseError::fail(format!("{rel}: {e}")))?;
        if rel == "_redirects" {
            // The redirect rules for static hosts (when a feed URL moved): one per line.
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                prop_assert!(line.ends_with(" 301") && !line.contains('\n'), "{rel}: {line}");
            }
        } else if rel.ends_with(".nginx") {
            // Text for nginx (a real nginx reads it in tests/layouts.rs).
        } else if rel.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(text).map_err(|e| TestCaseError::fail(format!("{rel}: {e}")))?;
        } else {
            roxmltree::Document::parse(text).map_err(|e| TestCaseError::fail(format!("{rel}: {e}")))?;
        }
    }
    // A hang guard, far above what any case takes: bounded time, not speed.
    prop_assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    Ok(())
}

fn cases() -> u32 {
    std::env::var("FEEDWRIGHT_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
}

/// Print how many cases ran and how many rendered feeds; most must.
fn report(what: &str, rendered: &AtomicUsize) {
    let rendered = rendered.load(Ordering::Relaxed);
    eprintln!("fuzz {what}: {} cases, {rendered} rendered feeds", cases());
    assert!(rendered * 8 >= cases() as usize, "too few cases got past parsing: {rendered}");
}

fn runner() -> TestRunner {
    TestRunner::new(Config { cases: cases(), failure_persistence: None, ..Config::default() })
}

#[test]
fn mutated_posts_never_panic_hang_or_write_a_broken_file() {
    let strategy = (prop::collection::vec((0..POSTS.len(), ops(8)), 1..5), 0..CONFIGS.len());
    let rendered = AtomicUsize::new(0);
    runner()
        .run(&strategy, |(posts, config)| {
            let posts: Vec<Vec<u8>> = posts.iter().map(|(i, ops)| mutate(POSTS[*i].as_bytes(), ops)).collect();
            check((CONFIGS[config].0, CONFIGS[config].1.as_bytes()), &posts, &rendered)
        })
        .unwrap();
    report("posts", &rendered);
}

#[test]
fn mutated_configs_never_panic_hang_or_write_a_broken_file() {
    let strategy = (0..CONFIGS.len(), ops(3));
    let rendered = AtomicUsize::new(0);
    runner()
        .run(&strategy, |(config, ops)| {
            let posts: Vec<Vec<u8>> = POSTS.iter().map(|p| p.as_bytes().to_vec()).collect();
            let (name, text) = CONFIGS[config];
            check((name, &mutate(text.as_bytes(), &ops)), &posts, &rendered)
        })
        .unwrap();
    report("configs", &rendered);
}

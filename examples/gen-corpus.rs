//! Generates a Hugo site shaped like a real WordPress-to-Hugo blog, for benchmarks.
//!
//!     cargo run --release --example gen-corpus -- --posts 10000 --out /tmp/corpus [--seed 1]
//!
//! Deterministic from the seed: ~5 KB Markdown posts with WordPress-style front matter
//! (wordpress_id on the older 60 % only), 1–8 Zipf-distributed tags from 400 names in
//! mixed case, one category, ~8 % "Short Take #N" titles, reference links, relrefs to
//! earlier posts, fenced code and `<!--more-->`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

const WORDS: &[&str] = &[
    "virtual",
    "machine",
    "storage",
    "network",
    "cluster",
    "kernel",
    "switch",
    "volume",
    "array",
    "host",
    "container",
    "image",
    "driver",
    "policy",
    "backup",
    "snapshot",
    "replica",
    "latency",
    "throughput",
    "packet",
    "router",
    "tunnel",
    "bridge",
    "firewall",
    "certificate",
    "token",
    "secret",
    "config",
    "template",
    "module",
    "pipeline",
    "runner",
    "release",
    "upgrade",
    "patch",
    "vendor",
    "partner",
    "session",
    "keynote",
    "workshop",
    "the",
    "a",
    "and",
    "of",
    "to",
    "in",
    "with",
    "for",
    "on",
    "that",
    "this",
    "is",
    "was",
    "it",
    "as",
    "by",
];
const TAG_STEMS: &[&str] = &[
    "VMware",
    "NFS",
    "ESX",
    "Storage",
    "Networking",
    "Linux",
    "Kubernetes",
    "Docker",
    "Ansible",
    "AWS",
    "OpenStack",
    "KVM",
    "Xen",
    "HyperV",
    "iSCSI",
    "Fibre Channel",
    "NSX",
    "OVS",
    "Vagrant",
    "Terraform",
];
const CATEGORIES: &[&str] = &["Information", "Tutorial", "Explanation", "Review", "News", "Musing"];
const SERIES: &[&str] = &["Virtualization Short Take", "Storage Short Take", "Technology Short Take"];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Zipf-like: index i drawn with weight 1/(i+1).
    fn zipf(&mut self, n: usize) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        ((n as f64 + 1.0).powf(u) - 1.0).floor().min(n as f64 - 1.0) as usize
    }
    fn words(&mut self, n: usize) -> String {
        (0..n).map(|_| WORDS[self.below(WORDS.len())]).collect::<Vec<_>>().join(" ")
    }
}

/// 400 tag names: stems, stems with suffixes, in mixed case (some lowercase twins).
fn tag_names() -> Vec<String> {
    let mut names = Vec::new();
    for i in 0..400 {
        let stem = TAG_STEMS[i % TAG_STEMS.len()];
        let name = if i < TAG_STEMS.len() { stem.to_string() } else { format!("{stem} {}", i / TAG_STEMS.len()) };
        names.push(if i % 7 == 3 { name.to_lowercase() } else { name });
    }
    names
}

fn main() {
    let mut posts = 2300usize;
    let mut out = PathBuf::from("corpus");
    let mut seed = 1u64;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--posts" => posts = value.parse().expect("--posts N"),
            "--out" => out = PathBuf::from(value),
            "--seed" => seed = value.parse().expect("--seed N"),
            other => panic!("unknown argument {other} (--posts N --out DIR --seed N)"),
        }
    }
    generate(&out, posts, seed).expect("write corpus");
    println!("wrote {posts} posts to {}", out.display());
}

fn generate(out: &Path, posts: usize, seed: u64) -> std::io::Result<()> {
    let dir = out.join("content/post");
    fs::create_dir_all(&dir)?;
    fs::write(
        out.join("config.yaml"),
        "baseURL: http://blog.example.org\nlanguageCode: en-us\ntitle: Benchmark Weblog\n\
         params:\n  description: A generated blog\n  author:\n    name: Bench Author\n",
    )?;
    let tags = tag_names();
    let mut rng = Rng(seed);
    let mut names: Vec<String> = Vec::with_capacity(posts);
    let mut series_counter = [0usize; 3];
    let start = chrono::NaiveDate::from_ymd_opt(2005, 1, 1).unwrap();
    let span_days = 20 * 365;
    for i in 0..posts {
        let day = start + chrono::Duration::days((i * span_days / posts.max(1)) as i64);
        let (title, slug) = if rng.below(100) < 8 {
            let s = rng.below(SERIES.len());
            series_counter[s] += 1;
            let n = series_counter[s];
            (format!("{} #{n}", SERIES[s]), format!("{}-{n}", SERIES[s].to_lowercase().replace(' ', "-")))
        } else {
            let n = 3 + rng.below(5);
            let t = rng.words(n);
            let title = t[..1].to_uppercase() + &t[1..];
            (title, format!("{}-{i}", t.replace(' ', "-")))
        };
        let name = format!("{}-{slug}", day.format("%Y-%m-%d"));
        let mut post_tags: Vec<&str> = (0..1 + rng.below(8)).map(|_| tags[rng.zipf(tags.len())].as_str()).collect();
        post_tags.sort_unstable();
        post_tags.dedup();
        let mut text = String::with_capacity(6000);
        text.push_str("---\nauthor: bench\n");
        let _ = writeln!(text, "categories: {}", CATEGORIES[rng.zipf(CATEGORIES.len())]);
        text.push_str("comments: true\n");
        let _ = writeln!(
            text,
            "date: {}T{:02}:{:02}:{:02}Z",
            day.format("%Y-%m-%d"),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        );
        let _ = writeln!(text, "slug: {slug}");
        text.push_str("tags:\n");
        for t in &post_tags {
            let _ = writeln!(text, "- {t}");
        }
        let _ = writeln!(text, "title: '{title}'");
        let _ = writeln!(text, "url: /{}/{slug}/", day.format("%Y/%m/%d"));
        if i < posts * 6 / 10 {
            let _ = writeln!(text, "wordpress_id: {}", 100 + i * 3);
        }
        text.push_str("---\n\n");
        let _ = writeln!(text, "{}.\n", rng.words(60));
        text.push_str("<!--more-->\n\n");
        let mut refs = Vec::new();
        while text.len() < 4800 {
            match rng.below(6) {
                0 => {
                    let _ = writeln!(text, "```\n$ {} --{}\n{}\n```\n", rng.words(2), rng.words(1), rng.words(8));
                }
                1 if !names.is_empty() => {
                    let target = names[names.len() - 1 - rng.below(names.len().min(200))].clone();
                    let _ = writeln!(text, "As I wrote [earlier][xref-{}], {}.\n", refs.len() + 1, rng.words(20));
                    refs.push(format!("{{{{< relref \"{target}.md\" >}}}}"));
                }
                2 => {
                    let _ = writeln!(text, "* {} [link][{}]", rng.words(12), refs.len() + 1);
                    refs.push(format!("http://www.example.com/{}/{}", rng.words(1), i));
                    let _ = writeln!(text, "* {}\n", rng.words(15));
                }
                _ => {
                    let n = 50 + rng.below(40);
                    let _ = writeln!(text, "{}.\n", rng.words(n));
                }
            }
        }
        for (n, r) in refs.iter().enumerate() {
            let label = if r.starts_with("{{") { format!("xref-{}", n + 1) } else { format!("{}", n + 1) };
            let _ = writeln!(text, "[{label}]: {r}");
        }
        fs::write(dir.join(format!("{name}.md")), text)?;
        names.push(name);
    }
    Ok(())
}

//! Benchmark: feedwright beside Hugo on generated corpora, plus watch-mode latency.
//!
//!     cargo build --release --bins --examples && ./target/release/examples/bench
//!
//! Options: `--sizes 2300,10000,50000` `--runs 5` `--edits 20` `--watch-posts 50000`
//! `--debounce-ms 50` `--publish-posts 10000` `--dir /tmp/feedwright-bench`
//! `--cases build,watch,publish,archives,serve,restart` (and `same`: Hugo writing what feedwright
//! writes, into tmpfs and, with `--disk DIR`, into a disk folder beside `cp -r`). Prints medians (wall time, peak RSS), the ratio to Hugo
//! measured in the same run (when `hugo` is on PATH), watch latency percentiles, publishing
//! to a local S3 server (moto's, when `python3 -m moto.server` runs: requests counted from
//! its log), and PASS/FAIL per target. Numbers, not assertions: this machine is shared and
//! noisy.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Args {
    sizes: Vec<usize>,
    runs: usize,
    edits: usize,
    watch_posts: usize,
    debounce_ms: u64,
    publish_posts: usize,
    cases: Vec<String>,
    dir: PathBuf,
    /// A folder on the project's disk for the runs into a disk (`same` case).
    disk: Option<PathBuf>,
}

fn parse_args() -> Args {
    let mut args = Args {
        sizes: vec![2300, 10_000, 50_000],
        runs: 5,
        edits: 20,
        watch_posts: 50_000,
        debounce_ms: 50,
        publish_posts: 10_000,
        cases: vec!["build".into(), "watch".into(), "publish".into()],
        dir: PathBuf::from("/tmp/feedwright-bench"),
        disk: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--sizes" => args.sizes = value.split(',').map(|s| s.trim().parse().expect("--sizes N,N")).collect(),
            "--runs" => args.runs = value.parse().expect("--runs N"),
            "--edits" => args.edits = value.parse().expect("--edits N"),
            "--watch-posts" => args.watch_posts = value.parse().expect("--watch-posts N"),
            "--debounce-ms" => args.debounce_ms = value.parse().expect("--debounce-ms N"),
            "--publish-posts" => args.publish_posts = value.parse().expect("--publish-posts N"),
            "--cases" => args.cases = value.split(',').map(|c| c.trim().to_string()).collect(),
            "--dir" => args.dir = PathBuf::from(value),
            "--disk" => args.disk = Some(PathBuf::from(value)),
            other => panic!("unknown option {other}"),
        }
    }
    args
}

/// Where the release binaries are: next to this example's folder.
fn release_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    exe.parent().and_then(Path::parent).expect("target/release").to_path_buf()
}

fn feedwright() -> PathBuf {
    release_dir().join("feedwright")
}

/// Run a command to completion; wall time and peak RSS (KiB) of that child alone.
fn measure(cmd: &mut Command) -> (Duration, u64, String) {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let (status, rss) = wait_with_rusage(&mut child);
    let wall = started.elapsed();
    assert!(status == 0, "{cmd:?} failed ({status}): {stderr}");
    (wall, rss, stderr)
}

fn wait_with_rusage(child: &mut Child) -> (i32, u64) {
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child's pid with valid out-pointers.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert!(pid > 0, "wait4 failed");
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    (code, usage.ru_maxrss as u64)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn percentile(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    if v.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (v.len() as f64 - 1.0)).round() as usize;
    v[rank.min(v.len() - 1)]
}

fn corpus(args: &Args, posts: usize) -> PathBuf {
    let dir = args.dir.join(format!("corpus-{posts}"));
    let marker = dir.join(".complete");
    if !marker.exists() {
        let _ = fs::remove_dir_all(&dir);
        let status = Command::new(release_dir().join("examples/gen-corpus"))
            .args(["--posts", &posts.to_string(), "--out"])
            .arg(&dir)
            .stdout(Stdio::null())
            .status()
            .expect("run gen-corpus (cargo build --release --examples)");
        assert!(status.success());
        fs::write(&marker, "").unwrap();
    }
    dir
}

fn have_hugo() -> bool {
    Command::new("hugo").arg("version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

struct Row {
    posts: usize,
    cold: f64,
    cold_rss: f64,
    noop: f64,
    noop_written: usize,
    /// A build after one post's body changed (the post edited, then put back).
    edit: f64,
    hugo: Option<(f64, f64)>,
}

fn bench_build(args: &Args, posts: usize, hugo: bool) -> Row {
    let site = corpus(args, posts);
    let out = args.dir.join(format!("out-{posts}"));
    let (mut cold, mut cold_rss, mut noop, mut noop_written) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for _ in 0..args.runs {
        let _ = fs::remove_dir_all(&out);
        let (wall, rss, _) =
            measure(Command::new(feedwright()).args(["build", "--site"]).arg(&site).arg("--out").arg(&out));
        cold.push(wall.as_secs_f64());
        cold_rss.push(rss as f64 / 1024.0);
    }
    for _ in 0..args.runs {
        let (wall, _, stderr) =
            measure(Command::new(feedwright()).args(["build", "--site"]).arg(&site).arg("--out").arg(&out));
        noop.push(wall.as_secs_f64());
        noop_written += written(&stderr);
    }
    let newest = newest_post(&site);
    let original = fs::read_to_string(&newest).unwrap();
    let mut edit = Vec::new();
    for k in 0..args.runs {
        fs::write(&newest, format!("{original}\nEdited ({k}).\n")).unwrap();
        let (wall, _, _) =
            measure(Command::new(feedwright()).args(["build", "--site"]).arg(&site).arg("--out").arg(&out));
        edit.push(wall.as_secs_f64());
    }
    fs::write(&newest, &original).unwrap();
    let hugo = hugo.then(|| {
        let config = hugo_summary_config(&site);
        let hugo_out = args.dir.join(format!("hugo-out-{posts}"));
        let (mut wall, mut rss) = (Vec::new(), Vec::new());
        for _ in 0..args.runs {
            let _ = fs::remove_dir_all(&hugo_out);
            let (w, r, _) = measure(
                Command::new("hugo")
                    .args(["--quiet", "--source"])
                    .arg(&site)
                    .arg("--config")
                    .arg(&config)
                    .arg("--destination")
                    .arg(&hugo_out),
            );
            wall.push(w.as_secs_f64());
            rss.push(r as f64 / 1024.0);
        }
        (median(wall), median(rss))
    });
    Row {
        posts,
        cold: median(cold),
        cold_rss: median(cold_rss),
        noop: median(noop),
        noop_written,
        edit: median(edit),
        hugo,
    }
}

/// `N written` from the build's summary line.
fn written(stderr: &str) -> usize {
    stderr
        .split([':', ','])
        .find_map(|part| part.trim().strip_suffix(" written").and_then(|n| n.trim().parse().ok()))
        .unwrap_or(0)
}

struct WatchResult {
    end_to_end: Vec<f64>,
    daemon: Vec<f64>,
    rss_mib: f64,
    ready_s: f64,
}

/// A tag feed as a reader gets it: from `--out` (watch) or over HTTP (serve).
enum Reader {
    Disk(PathBuf),
    Http(String),
}

impl Reader {
    fn feed(&self, rel: &str) -> Option<String> {
        match self {
            Reader::Disk(out) => fs::read_to_string(out.join(rel)).ok(),
            Reader::Http(addr) => {
                use std::io::Write;
                // As a reader asks: compressed (the server makes an encoding on the first
                // request for it, if its background pass has not yet).
                let mut stream = std::net::TcpStream::connect(addr).ok()?;
                let request =
                    format!("GET /{rel} HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
                stream.write_all(request.as_bytes()).ok()?;
                let mut response = Vec::new();
                stream.read_to_end(&mut response).ok()?;
                let end = response.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
                let head = String::from_utf8_lossy(&response[..end]);
                if !head.starts_with("HTTP/1.1 200") || !head.to_ascii_lowercase().contains("content-encoding: gzip") {
                    return None;
                }
                let mut text = String::new();
                flate2::read::GzDecoder::new(&response[end..]).read_to_string(&mut text).ok()?;
                Some(text)
            }
        }
    }
}

/// Edit the newest post's tags back and forth between two existing tags; time from the
/// write until both tag feeds show the change to a reader: on disk (`watch`), or over
/// HTTP (`serve`, which compresses every changed file before it swaps them in).
fn bench_watch(args: &Args) -> WatchResult {
    bench_daemon(args, false)
}

fn bench_daemon(args: &Args, serve: bool) -> WatchResult {
    let site = corpus(args, args.watch_posts);
    let name = if serve { "serve" } else { "watch" };
    let out = args.dir.join(format!("{name}-out"));
    let _ = fs::remove_dir_all(&out);
    let log = args.dir.join(format!("{name}.log"));
    let out_arg = out.to_str().unwrap().to_string();
    let daemon_args: Vec<&str> =
        if serve { vec![name, "--listen", "127.0.0.1:0"] } else { vec![name, "--out", &out_arg] };
    let (mut child, ready_s, _) = start_daemon(args, &daemon_args, &site, name);
    let ready = args.dir.join(format!("{name}-ready"));
    let reader = if serve {
        let note = fs::read_to_string(&ready).unwrap_or_default();
        Reader::Http(note.lines().find_map(|l| l.strip_prefix("listen ")).expect("serve's address").to_string())
    } else {
        Reader::Disk(out.clone())
    };
    let mut posts: Vec<PathBuf> =
        fs::read_dir(site.join("content/post")).unwrap().filter_map(|e| e.ok().map(|e| e.path())).collect();
    posts.sort();
    let newest = posts.last().unwrap().clone();
    let original = fs::read_to_string(&newest).unwrap();
    let link = original.lines().find_map(|l| l.strip_prefix("url: ")).unwrap().to_string();
    let tags = ["VMware", "NFS"];
    let with_tags = |tag: &str| {
        let mut text = String::new();
        let mut in_tags = false;
        for line in original.lines() {
            if line == "tags:" {
                in_tags = true;
                text.push_str(&format!("tags:\n- {tag}\n"));
                continue;
            }
            if in_tags && line.starts_with("- ") {
                continue;
            }
            in_tags = false;
            text.push_str(line);
            text.push('\n');
        }
        text
    };
    fs::write(&newest, with_tags(tags[1])).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut end_to_end = Vec::new();
    for k in 0..args.edits {
        let (joins, leaves) = (tags[k % 2], tags[(k + 1) % 2]);
        let join_feed = format!("tags/{}/index.xml", joins.to_lowercase());
        let leave_feed = format!("tags/{}/index.xml", leaves.to_lowercase());
        let t0 = Instant::now();
        fs::write(&newest, with_tags(joins)).unwrap();
        loop {
            let joined = reader.feed(&join_feed).is_some_and(|t| t.contains(&link));
            let left = reader.feed(&leave_feed).is_some_and(|t| !t.contains(&link));
            if joined && left {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(30), "edit {k} never reached the feeds");
            std::thread::sleep(Duration::from_micros(200));
        }
        end_to_end.push(t0.elapsed().as_secs_f64() * 1000.0);
        std::thread::sleep(Duration::from_millis(100));
    }
    fs::write(&newest, &original).unwrap();
    let rss_mib = peak_rss_mib(&child);
    let _ = child.kill();
    let _ = child.wait();
    let daemon: Vec<f64> = fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains("rewrote"))
        .filter_map(|l| l.rsplit_once('(').and_then(|(_, t)| t.trim_end_matches(" ms)").parse().ok()))
        .skip(1)
        .collect();
    WatchResult { end_to_end, daemon, rss_mib, ready_s }
}

fn verdict(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

fn main() {
    let args = parse_args();
    fs::create_dir_all(&args.dir).unwrap();
    assert!(feedwright().exists(), "build first: cargo build --release --bins --examples");
    let case = |name: &str| args.cases.iter().any(|c| c == name);
    let rows = if case("build") { build_case(&args) } else { Vec::new() };
    let watch = case("watch").then(|| watch_case(&args));
    let publish = if case("publish") { publish_case(&args) } else { None };
    if case("archives") {
        archives_case(&args);
    }
    if case("same") {
        same_case(&args);
    }
    if case("serve") {
        serve_case(&args);
    }
    let restart = case("restart").then(|| restart_case(&args));

    // The targets of the second performance round (like-for-like with Hugo and the disk
    // floor are printed by `same`; serve beside watch by `serve`).
    println!("\n## targets\n");
    let by_posts: BTreeMap<usize, &Row> = rows.iter().map(|r| (r.posts, r)).collect();
    for (posts, limit) in [(10_000, 0.05), (50_000, 0.25)] {
        if let Some(r) = by_posts.get(&posts) {
            println!("{} no-op build at {posts} posts ≤ {limit} s: {:.3} s", verdict(r.noop <= limit), r.noop);
            println!("{} no-op build writes no file ({posts} posts): {}", verdict(r.noop_written == 0), r.noop_written);
        }
    }
    if let Some(r) = by_posts.get(&50_000) {
        println!("{} one edited post, build at 50,000 posts ≤ 0.1 s: {:.3} s", verdict(r.edit <= 0.1), r.edit);
        println!(
            "{} peak RSS of a cold build at 50,000 posts ≤ 200 MiB: {:.0} MiB",
            verdict(r.cold_rss <= 200.0),
            r.cold_rss
        );
    }
    if let Some(w) = &watch {
        let fifty = args.watch_posts == 50_000;
        println!(
            "{} watch ready at {} posts ≤ 0.5 s: {:.3} s",
            verdict(fifty && w.ready_s <= 0.5),
            args.watch_posts,
            w.ready_s
        );
        println!(
            "{} watch memory at {} posts ≤ 250 MiB: {:.0} MiB",
            verdict(fifty && w.rss_mib <= 250.0),
            args.watch_posts,
            w.rss_mib
        );
    }
    if let Some(r) = &restart {
        let fifty = args.watch_posts == 50_000;
        for (name, ready, rss) in [("watch", r.watch_ready, r.watch_rss), ("serve", r.serve_ready, r.serve_rss)] {
            println!(
                "{} {name} ready from the index at {} posts ≤ 0.5 s: {ready:.3} s",
                verdict(fifty && ready <= 0.5),
                args.watch_posts
            );
            println!(
                "{} {name} memory from the index at {} posts ≤ 250 MiB: {rss:.0} MiB",
                verdict(fifty && rss <= 250.0),
                args.watch_posts
            );
        }
    }
    if let Some(p) = publish {
        println!(
            "{} no-op publish makes no request but reading the manifest and the ids: {} GET, {} other",
            verdict(p.noop.gets == 2 && p.noop.changes == 0),
            p.noop.gets,
            p.noop.changes
        );
        println!(
            "{} one-edit publish uploads exactly the files a folder build rewrites: {} uploaded, {} rewritten",
            verdict(p.edit_uploads == p.edit_rewritten),
            p.edit_uploads,
            p.edit_rewritten
        );
    }
}

fn build_case(args: &Args) -> Vec<Row> {
    let hugo = have_hugo();
    if !hugo {
        println!("(hugo is not on PATH: no side-by-side numbers; `apt-get install hugo` for them)");
    }
    let mut rows = Vec::new();
    for &posts in &args.sizes {
        eprintln!("building {posts} posts ({} runs each)…", args.runs);
        rows.push(bench_build(args, posts, hugo));
    }
    println!("\n## build (median of {} runs)\n", args.runs);
    println!(
        "| posts | feedwright cold | peak RSS | no-op build | files written by no-op | one edited post | Hugo RSS-only | Hugo peak RSS | speed-up |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for r in &rows {
        let (h, hr, ratio) = match r.hugo {
            Some((h, hr)) => (format!("{h:.3} s"), format!("{hr:.0} MiB"), format!("{:.1}×", h / r.cold)),
            None => ("–".into(), "–".into(), "–".into()),
        };
        println!(
            "| {} | {:.3} s | {:.0} MiB | {:.3} s | {} | {:.3} s | {h} | {hr} | {ratio} |",
            r.posts, r.cold, r.cold_rss, r.noop, r.noop_written, r.edit
        );
    }
    rows
}

fn watch_case(args: &Args) -> WatchResult {
    eprintln!("watch latency on {} posts ({} edits)…", args.watch_posts, args.edits);
    let w = bench_watch(args);
    println!("\n## watch ({} posts, debounce {} ms)\n", args.watch_posts, args.debounce_ms);
    println!("| measure | p50 | p95 |");
    println!("|---|---|---|");
    println!(
        "| file write → both tag feeds on disk | {:.1} ms | {:.1} ms |",
        percentile(w.end_to_end.clone(), 50.0),
        percentile(w.end_to_end.clone(), 95.0)
    );
    println!(
        "| of which after the debounce window (write minus {} ms) | {:.1} ms | {:.1} ms |",
        args.debounce_ms,
        percentile(w.end_to_end.clone(), 50.0) - args.debounce_ms as f64,
        percentile(w.end_to_end.clone(), 95.0) - args.debounce_ms as f64
    );
    println!(
        "| daemon: debounced event → feeds written (its log) | {:.1} ms | {:.1} ms |",
        percentile(w.daemon.clone(), 50.0),
        percentile(w.daemon.clone(), 95.0)
    );
    println!("\ninitial build until ready: {:.2} s; daemon peak RSS {:.0} MiB", w.ready_s, w.rss_mib);
    w
}

/// `serve` beside `watch` and `build` on the same corpus, in the same run: ready time and
/// the time from an edit until a reader sees it (on disk for `watch`, over HTTP for
/// `serve`).
fn serve_case(args: &Args) {
    let posts = args.watch_posts;
    eprintln!("serve beside watch and build on {posts} posts ({} edits)…", args.edits);
    let site = corpus(args, posts);
    let out = args.dir.join("serve-build-out");
    let (build_s, _) = cold_runs(args.runs, &out, || {
        let mut c = Command::new(feedwright());
        c.args(["build", "--site"]).arg(&site).arg("--out").arg(&out);
        c
    });
    let watch = bench_daemon(args, false);
    let serve = bench_daemon(args, true);
    let p = |w: &WatchResult, q: f64| percentile(w.end_to_end.clone(), q);
    println!("\n## serve beside watch and build ({posts} posts, debounce {} ms)\n", args.debounce_ms);
    println!("| | ready | edit → reader sees it, p50 | p95 | peak RSS |");
    println!("|---|---|---|---|---|");
    println!("| build (cold, median of {}) | {build_s:.3} s | | | |", args.runs);
    for (name, w) in [("watch (file on disk)", &watch), ("serve (HTTP GET)", &serve)] {
        println!(
            "| {name} | {:.3} s | {:.1} ms | {:.1} ms | {:.0} MiB |",
            w.ready_s,
            p(w, 50.0),
            p(w, 95.0),
            w.rss_mib
        );
    }
    println!();
    let ready_ratio = serve.ready_s / build_s;
    println!("{} serve ready within 1.5× of build: {ready_ratio:.2}×", verdict(ready_ratio <= 1.5));
    let edit_ratio = p(&serve, 95.0) / p(&watch, 95.0);
    println!("{} serve edit p95 within 2× of watch: {edit_ratio:.2}×", verdict(edit_ratio <= 2.0));
}

/// Requests a moto server logged, by kind.
#[derive(Default, Clone, Copy)]
struct Requests {
    gets: usize,
    puts: usize,
    /// Everything that changes the bucket: PUT, DELETE, POST (bulk delete).
    changes: usize,
}

/// The requests moto logged after byte `from` of its log (werkzeug's access lines).
fn requests_since(log: &Path, from: usize) -> (Requests, usize) {
    let text = fs::read_to_string(log).unwrap_or_default();
    let mut counted = Requests::default();
    for line in text[from.min(text.len())..].lines() {
        let Some(request) = line.split('"').nth(1) else { continue };
        match request.split_whitespace().next() {
            Some("GET" | "HEAD") => counted.gets += 1,
            Some("PUT") => {
                counted.puts += 1;
                counted.changes += 1;
            }
            Some("POST" | "DELETE") => counted.changes += 1,
            _ => {}
        }
    }
    (counted, text.len())
}

struct PublishResult {
    noop: Requests,
    edit_uploads: usize,
    edit_rewritten: usize,
}

/// Publishing to moto's S3 server on 127.0.0.1: a cold publish into an empty bucket, no-op
/// publishes, and one-edit publishes (each beside a build into a folder of the same edit).
fn publish_case(args: &Args) -> Option<PublishResult> {
    if args.publish_posts == 0 {
        return None;
    }
    let found = Command::new("python3").args(["-c", "import moto.server"]).stderr(Stdio::null()).status();
    if !found.is_ok_and(|s| s.success()) {
        println!("(moto is not installed: no publish numbers; `pip install \"moto[server]\"` for them)");
        return None;
    }
    let site = corpus(args, args.publish_posts);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = args.dir.join("moto.log");
    let mut moto = Command::new("python3")
        .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .expect("start moto");
    let endpoint = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&endpoint).is_err() {
        assert!(Instant::now() < deadline, "moto did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let bucket = format!("bench-{}", std::process::id());
    let made = Command::new("curl").args(["-sf", "-X", "PUT", &format!("http://{endpoint}/{bucket}")]).status();
    assert!(made.is_ok_and(|s| s.success()), "cannot make the bucket (is curl installed?)");
    let publish = |out: &str| {
        let mut command = Command::new(feedwright());
        command.args(["build", "--site"]).arg(&site).args(["--out", out]);
        command.env("AWS_ACCESS_KEY_ID", "bench").env("AWS_SECRET_ACCESS_KEY", "bench");
        command.env("AWS_REGION", "us-east-1").env("AWS_ALLOW_HTTP", "true");
        command.env("AWS_ENDPOINT_URL", format!("http://{endpoint}"));
        measure(&mut command)
    };
    let url = format!("s3://{bucket}/feeds");
    let folder = args.dir.join(format!("publish-out-{}", args.publish_posts));
    let _ = fs::remove_dir_all(&folder);
    let folder_build =
        || measure(Command::new(feedwright()).args(["build", "--site"]).arg(&site).arg("--out").arg(&folder));
    let (_, _, folder_stderr) = folder_build();
    let files = written(&folder_stderr);
    let bytes: u64 = walk_bytes(&folder);

    eprintln!("publishing {} posts to moto…", args.publish_posts);
    let (_, mut at) = requests_since(&log, 0);
    let (cold, cold_rss, _) = publish(&url);
    let (cold_requests, next) = requests_since(&log, at);
    at = next;
    let (mut noop, mut noop_requests) = (Vec::new(), Requests::default());
    for _ in 0..args.runs {
        let (wall, _, _) = publish(&url);
        noop.push(wall.as_secs_f64());
        let (r, next) = requests_since(&log, at);
        at = next;
        noop_requests =
            Requests { gets: noop_requests.gets.max(r.gets), changes: noop_requests.changes + r.changes, ..r };
    }
    // One edit at a time to the newest post, published, and built into a folder.
    let newest = newest_post(&site);
    let original = fs::read_to_string(&newest).unwrap();
    let (mut edit, mut uploads, mut rewritten) = (Vec::new(), Vec::new(), Vec::new());
    for n in 0..args.runs {
        fs::write(&newest, format!("{original}\nEdited for the benchmark ({n}).\n")).unwrap();
        let (wall, _, _) = publish(&url);
        edit.push(wall.as_secs_f64());
        let (r, next) = requests_since(&log, at);
        at = next;
        // The PUTs besides the manifest (twice) and the ids (unchanged here).
        uploads.push(r.puts.saturating_sub(2));
        let (_, _, stderr) = folder_build();
        rewritten.push(written(&stderr));
    }
    fs::write(&newest, original).unwrap();
    let _ = moto.kill();
    let _ = moto.wait();

    println!(
        "\n## publish to a local S3 server ({} posts, moto on 127.0.0.1; median of {} runs)\n",
        args.publish_posts, args.runs
    );
    println!("| case | time | requests | objects uploaded |");
    println!("|---|---|---|---|");
    println!(
        "| cold publish ({files} files, {:.1} MB) | {:.3} s (peak RSS {:.0} MiB) | {} GET, {} PUT | {} |",
        bytes as f64 / 1e6,
        cold.as_secs_f64(),
        cold_rss as f64 / 1024.0,
        cold_requests.gets,
        cold_requests.puts,
        cold_requests.puts.saturating_sub(3)
    );
    println!(
        "| no-op publish | {:.3} s | {} GET, {} changing | 0 |",
        median(noop),
        noop_requests.gets,
        noop_requests.changes
    );
    println!(
        "| one edited post | {:.3} s | – | {} (a folder build rewrites {}) |",
        median(edit),
        median(uploads.iter().map(|&u| u as f64).collect()),
        median(rewritten.iter().map(|&u| u as f64).collect())
    );
    let mid = |v: &[usize]| median(v.iter().map(|&u| u as f64).collect()) as usize;
    Some(PublishResult { noop: noop_requests, edit_uploads: mid(&uploads), edit_rewritten: mid(&rewritten) })
}

/// The cost of `archives: true` on the publish corpus (10,000 posts): the same site built
/// with and without archive documents, into tmpfs when `--dir` is there.
fn archives_case(args: &Args) {
    let plain = corpus(args, args.publish_posts);
    let site = args.dir.join(format!("archives-{}", args.publish_posts));
    if !site.join(".complete").exists() {
        let _ = fs::remove_dir_all(&site);
        let copied = Command::new("cp").arg("-r").arg(&plain).arg(&site).status();
        assert!(copied.is_ok_and(|s| s.success()), "cannot copy the corpus");
        let mut config = fs::read_to_string(site.join("config.yaml")).unwrap();
        config = config.replace("params:\n", "params:\n  feedwright:\n    archives: true\n");
        fs::write(site.join("config.yaml"), config).unwrap();
        fs::write(site.join(".complete"), "").unwrap();
    }
    eprintln!("archives: {} posts, with and without…", args.publish_posts);
    let mut rows = Vec::new();
    for (name, site) in [("without archives", &plain), ("archives: true", &site)] {
        let out = args.dir.join("archives-out");
        let (mut cold, mut rss, mut noop) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..args.runs {
            let _ = fs::remove_dir_all(&out);
            let (wall, peak, _) =
                measure(Command::new(feedwright()).args(["build", "--site"]).arg(site).arg("--out").arg(&out));
            cold.push(wall.as_secs_f64());
            rss.push(peak as f64 / 1024.0);
        }
        for _ in 0..args.runs {
            let (wall, _, _) =
                measure(Command::new(feedwright()).args(["build", "--site"]).arg(site).arg("--out").arg(&out));
            noop.push(wall.as_secs_f64());
        }
        let (files, bytes) = count_files(&out);
        rows.push((name, median(cold), median(rss), median(noop), files, bytes));
    }
    println!("\n## archives ({} posts; median of {} runs)\n", args.publish_posts, args.runs);
    println!("| build | cold | peak RSS | no-op | files | bytes |");
    println!("|---|---|---|---|---|---|");
    for (name, cold, rss, noop, files, bytes) in &rows {
        println!("| {name} | {cold:.3} s | {rss:.0} MiB | {noop:.3} s | {files} | {:.1} MB |", *bytes as f64 / 1e6);
    }
}

/// Hugo's own RSS (summaries only), 20 items, for home, section and term feeds.
fn hugo_summary_config(site: &Path) -> PathBuf {
    let config = site.join("hugo-rss-only.yaml");
    fs::write(
        &config,
        "baseURL: http://blog.example.org\ntitle: Benchmark Weblog\ndisableKinds: [sitemap, robotsTXT, 404]\n\
         outputs:\n  home: [RSS]\n  page: []\n  section: [RSS]\n  taxonomy: [RSS]\n  term: [RSS]\n\
         services:\n  rss:\n    limit: 20\n",
    )
    .unwrap();
    config
}

/// Hugo's templates for the same output as feedwright: every feed (home, section, term)
/// as RSS with summary and full content and as Atom with full content, 20 items.
const HUGO_RSS: &str = r#"{{- $pages := cond .IsHome site.RegularPages .RegularPages -}}
{{- $pages = $pages | first 20 -}}
{{- printf "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/">
  <channel>
    <title>{{ .Title }} on {{ site.Title }}</title>
    <link>{{ .Permalink }}</link>
    <description>Recent content in {{ .Title }}</description>
    {{- with .OutputFormats.Get "RSS" }}
    <atom:link href="{{ .Permalink }}" rel="self" type="{{ .MediaType.Type }}" />
    {{- end }}
    {{- range $pages }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Permalink }}</link>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
      <guid>{{ .Permalink }}</guid>
      <description>{{ .Summary | html }}</description>
      <content:encoded>{{ .Content | html }}</content:encoded>
    </item>
    {{- end }}
  </channel>
</rss>
"#;

const HUGO_ATOM: &str = r#"{{- $pages := cond .IsHome site.RegularPages .RegularPages -}}
{{- $pages = $pages | first 20 -}}
{{- printf "<?xml version=\"1.0\" encoding=\"utf-8\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>{{ .Title }} on {{ site.Title }}</title>
  <link href="{{ .Permalink }}"/>
  {{- with .OutputFormats.Get "Atom" }}
  <link rel="self" href="{{ .Permalink }}"/>
  {{- end }}
  <id>{{ .Permalink }}</id>
  <updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
  {{- range $pages }}
  <entry>
    <title>{{ .Title }}</title>
    <link href="{{ .Permalink }}"/>
    <id>{{ .Permalink }}</id>
    <updated>{{ .Lastmod.Format "2006-01-02T15:04:05Z07:00" | safeHTML }}</updated>
    <summary type="html">{{ .Summary | html }}</summary>
    <content type="html">{{ .Content | html }}</content>
  </entry>
  {{- end }}
</feed>
"#;

/// The config (and templates, in `dir`) for Hugo's same-output run.
fn hugo_same_config(dir: &Path) -> PathBuf {
    let layouts = dir.join("hugo-same/layouts/_default");
    fs::create_dir_all(&layouts).unwrap();
    fs::write(layouts.join("rss.xml"), HUGO_RSS).unwrap();
    fs::write(layouts.join("list.atom.xml"), HUGO_ATOM).unwrap();
    let config = dir.join("hugo-same/config.yaml");
    fs::write(
        &config,
        format!(
            "baseURL: http://blog.example.org\ntitle: Benchmark Weblog\ndisableKinds: [sitemap, robotsTXT, 404]\n\
             layoutDir: {}\nmediaTypes:\n  application/atom+xml:\n    suffixes: [xml]\n\
             outputFormats:\n  Atom:\n    mediaType: application/atom+xml\n    baseName: atom\n    isPlainText: false\n\
             outputs:\n  home: [RSS, Atom]\n  page: []\n  section: [RSS, Atom]\n  taxonomy: []\n  term: [RSS, Atom]\n\
             services:\n  rss:\n    limit: 20\n",
            dir.join("hugo-same/layouts").display()
        ),
    )
    .unwrap();
    config
}

/// Median wall time and peak RSS (MiB) of `runs` runs of `command`, `out` emptied first.
fn cold_runs(runs: usize, out: &Path, mut command: impl FnMut() -> Command) -> (f64, f64) {
    let (mut wall, mut rss) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let _ = fs::remove_dir_all(out);
        let (w, r, _) = measure(&mut command());
        wall.push(w.as_secs_f64());
        rss.push(r as f64 / 1024.0);
    }
    (median(wall), median(rss))
}

/// Like with like: feedwright beside Hugo writing the same feeds (RSS with summary and
/// full content, Atom with full content, 20 items, every home, section and term feed),
/// with Hugo's summary-only RSS as a second column; into tmpfs (`--dir`) and, with
/// `--disk`, into a disk folder, beside `cp -r` of the same output there.
fn same_case(args: &Args) {
    if !have_hugo() {
        println!("(hugo is not on PATH: no like-for-like numbers)");
        return;
    }
    let config = hugo_same_config(&args.dir);
    let mut targets = Vec::new();
    println!("\n## like for like: Hugo writing the same feeds (median of {} runs)\n", args.runs);
    println!(
        "| posts | where | feedwright | files, bytes | Hugo same output | files, bytes | ratio | Hugo RSS summaries | peak RSS feedwright / Hugo | `cp -r` |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &posts in &args.sizes {
        let site = corpus(args, posts);
        let summary = hugo_summary_config(&site);
        let places: Vec<(&str, PathBuf)> =
            std::iter::once(("tmpfs", args.dir.clone())).chain(args.disk.iter().map(|d| ("disk", d.clone()))).collect();
        for (place, root) in places {
            eprintln!("like for like: {posts} posts into {place}…");
            fs::create_dir_all(&root).unwrap();
            let (fw_out, hugo_out, copy) =
                (root.join(format!("same-fw-{posts}")), root.join(format!("same-hugo-{posts}")), root.join("same-cp"));
            let fw = cold_runs(args.runs, &fw_out, || {
                let mut c = Command::new(feedwright());
                c.args(["build", "--site"]).arg(&site).arg("--out").arg(&fw_out);
                c
            });
            let hugo = cold_runs(args.runs, &hugo_out, || {
                let mut c = Command::new("hugo");
                c.args(["--quiet", "--source"])
                    .arg(&site)
                    .arg("--config")
                    .arg(&config)
                    .arg("--destination")
                    .arg(&hugo_out);
                c
            });
            let hugo_summary = summary.exists().then(|| {
                let out = root.join(format!("same-hugo-summary-{posts}"));
                let timing = cold_runs(args.runs, &out, || {
                    let mut c = Command::new("hugo");
                    c.args(["--quiet", "--source"])
                        .arg(&site)
                        .arg("--config")
                        .arg(&summary)
                        .arg("--destination")
                        .arg(&out);
                    c
                });
                let _ = fs::remove_dir_all(&out);
                timing.0
            });
            let floor = cold_runs(args.runs, &copy, || {
                let mut c = Command::new("cp");
                c.arg("-r").arg(&fw_out).arg(&copy);
                c
            });
            let (fw_files, fw_bytes) = count_files(&fw_out);
            let (hugo_files, hugo_bytes) = count_files(&hugo_out);
            println!(
                "| {posts} | {place} | {:.3} s | {fw_files}, {:.1} MB | {:.3} s | {hugo_files}, {:.1} MB | {:.1}× | {} | {:.0} / {:.0} MiB | {:.3} s |",
                fw.0,
                fw_bytes as f64 / 1e6,
                hugo.0,
                hugo_bytes as f64 / 1e6,
                hugo.0 / fw.0,
                hugo_summary.map_or("–".to_string(), |h| format!("{h:.3} s")),
                fw.1,
                hugo.1,
                floor.0
            );
            targets.push((posts, place, fw.0, hugo.0, floor.0));
            for dir in [&fw_out, &hugo_out, &copy] {
                let _ = fs::remove_dir_all(dir);
            }
        }
    }
    println!();
    for (posts, place, fw, hugo, floor) in targets {
        match place {
            "tmpfs" => println!(
                "{} cold build ≥ 20× faster than Hugo same output at {posts} posts (tmpfs): {:.1}×",
                verdict(hugo / fw >= 20.0),
                hugo / fw
            ),
            _ => println!(
                "{} cold build on disk within 1.3× of `cp -r` at {posts} posts: {:.2}×",
                verdict(fw <= 1.3 * floor),
                fw / floor
            ),
        }
    }
}

/// Files and bytes under `dir`, feedwright's own records left out.
fn count_files(dir: &Path) -> (usize, u64) {
    let mut found = (0, 0);
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            let (f, b) = count_files(&path);
            found = (found.0 + f, found.1 + b);
        } else if !entry.file_name().to_string_lossy().starts_with(".feedwright") {
            found = (found.0 + 1, found.1 + entry.metadata().map_or(0, |m| m.len()));
        }
    }
    found
}

/// The post file whose name sorts last (the generator names posts by date).
fn newest_post(site: &Path) -> PathBuf {
    let mut posts: Vec<PathBuf> =
        fs::read_dir(site.join("content/post")).unwrap().flatten().map(|e| e.path()).collect();
    posts.sort();
    posts.pop().expect("a post")
}

/// Bytes of every file under `dir` but feedwright's own records.
fn walk_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            total += walk_bytes(&path);
        } else if !entry.file_name().to_string_lossy().starts_with(".feedwright") {
            total += entry.metadata().map_or(0, |m| m.len());
        }
    }
    total
}

/// Start `feedwright <args>` and wait for its ready file: the child, the seconds until
/// ready, and its peak RSS then (MiB).
fn start_daemon(args: &Args, daemon_args: &[&str], site: &Path, name: &str) -> (Child, f64, f64) {
    let ready = args.dir.join(format!("{name}-ready"));
    let _ = fs::remove_file(&ready);
    let started = Instant::now();
    let mut child = Command::new(feedwright())
        .args(daemon_args)
        .args(["--debounce-ms", &args.debounce_ms.to_string(), "--site"])
        .arg(site)
        .arg("--ready-file")
        .arg(&ready)
        .stderr(fs::File::create(args.dir.join(format!("{name}.log"))).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("start {name}: {e}"));
    while !ready.exists() {
        assert!(started.elapsed() < Duration::from_secs(600), "{name} never became ready");
        if let Ok(Some(status)) = child.try_wait() {
            panic!("{name} ended before it was ready: {status}");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let ready_s = started.elapsed().as_secs_f64();
    let rss = peak_rss_mib(&child);
    (child, ready_s, rss)
}

fn peak_rss_mib(child: &Child) -> f64 {
    let status = fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// SIGTERM, and wait for the daemon to stop (it writes its index first).
fn stop_daemon(mut child: Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
}

struct RestartResult {
    watch_ready: f64,
    watch_rss: f64,
    serve_ready: f64,
    serve_rss: f64,
}

/// Daemons starting from the index a build or a daemon left in `--out`: `watch` after a
/// build, `watch` after a graceful stop with one post edited meanwhile, and `serve` after
/// a build (which also reads every file from the folder to serve it). Medians of `runs`.
fn restart_case(args: &Args) -> RestartResult {
    let posts = args.watch_posts;
    eprintln!("daemons starting from the index on {posts} posts…");
    let site = corpus(args, posts);
    let out = args.dir.join("restart-out");
    let out_arg = out.to_str().unwrap().to_string();
    let build = || {
        let status =
            Command::new(feedwright()).args(["build", "-q", "--site"]).arg(&site).arg("--out").arg(&out).status();
        assert!(status.is_ok_and(|s| s.success()), "build failed");
    };
    let _ = fs::remove_dir_all(&out);
    build();
    let newest = newest_post(&site);
    let original = fs::read_to_string(&newest).unwrap();
    let (mut watch_ready, mut watch_rss, mut again_ready, mut again_rss) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut serve_ready, mut serve_rss) = (Vec::new(), Vec::new());
    for k in 0..args.runs {
        // After a build, one post edited since.
        fs::write(&newest, format!("{original}\nEdited before watch ({k}).\n")).unwrap();
        build();
        fs::write(&newest, format!("{original}\nEdited after the build ({k}).\n")).unwrap();
        let (child, ready, rss) = start_daemon(args, &["watch", "--out", &out_arg], &site, "restart-watch");
        watch_ready.push(ready);
        watch_rss.push(rss);
        stop_daemon(child);
        // After the daemon's own graceful stop, one post edited meanwhile.
        fs::write(&newest, format!("{original}\nEdited while stopped ({k}).\n")).unwrap();
        let (child, ready, rss) = start_daemon(args, &["watch", "--out", &out_arg], &site, "restart-watch-again");
        again_ready.push(ready);
        again_rss.push(rss);
        stop_daemon(child);
        // serve after a build, one post edited since.
        build();
        fs::write(&newest, format!("{original}\nEdited before serve ({k}).\n")).unwrap();
        let (child, ready, rss) =
            start_daemon(args, &["serve", "--listen", "127.0.0.1:0", "--out", &out_arg], &site, "restart-serve");
        serve_ready.push(ready);
        serve_rss.push(rss);
        stop_daemon(child);
    }
    fs::write(&newest, &original).unwrap();
    let from_index = fs::read_to_string(args.dir.join("restart-watch.log")).unwrap_or_default();
    let line = from_index.lines().find(|l| l.contains("from the index")).unwrap_or("(no index used)");
    println!("\n## daemons starting from the index ({posts} posts, one post edited since; medians of {})\n", args.runs);
    println!("| start | ready | peak RSS at ready |");
    println!("|---|---|---|");
    let r = RestartResult {
        watch_ready: median(watch_ready),
        watch_rss: median(watch_rss),
        serve_ready: median(serve_ready),
        serve_rss: median(serve_rss),
    };
    println!("| watch, after a build | {:.3} s | {:.0} MiB |", r.watch_ready, r.watch_rss);
    println!("| watch, after its own graceful stop | {:.3} s | {:.0} MiB |", median(again_ready), median(again_rss));
    println!("| serve, after a build | {:.3} s | {:.0} MiB |", r.serve_ready, r.serve_rss);
    println!("\nwatch's log: {}", line.trim());
    r
}

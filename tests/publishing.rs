//! Publishing to object storage: the real binary against a real S3 API (moto's server on
//! 127.0.0.1), every request counted by a proxy in front of it; and `serve` replicas
//! behind a load balancer.

mod common;
#[path = "common/s3.rs"]
mod s3;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use common::daemon::{Daemon, wait_for};
use common::{TestSite, feeds, stderr};
use s3::Proxy;

const CONFIG: &str = "title: Lab\nbase_url: https://lab.example.org\nformats: [rss, atom, json]\ncache_max_age: 120\n";

/// A site of three posts.
fn site(config: &str) -> TestSite {
    let site = TestSite::new(config);
    site.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS, VMware]", "First post.\n");
    site.post("b", "title: Beta\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]\ncategories: [News]", "Second.\n");
    site.post("c", "title: Gamma\ndate: 2020-03-01T10:00:00Z\ntags: [Linux]", "Third.\n");
    site
}

/// A bucket on the shared server and a proxy in front of it; `None` to skip.
struct Setup {
    moto: &'static str,
    proxy: Proxy,
    bucket: String,
}

impl Setup {
    fn new(what: &str) -> Option<Setup> {
        let moto = s3::shared()?;
        let bucket = s3::unique_bucket(what);
        s3::make_bucket(moto, &bucket);
        Some(Setup { moto, proxy: Proxy::start(moto), bucket })
    }

    fn url(&self) -> String {
        format!("s3://{}/blog/feeds", self.bucket)
    }

    /// `feedwright build --site SITE --out s3://… EXTRA` through the proxy.
    fn build(&self, site: &TestSite, extra: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_feedwright"));
        command.arg("build").arg("--site").arg(site.root()).args(["--out", &self.url()]).args(extra);
        command.envs(s3::env(&self.proxy.addr));
        command.output().unwrap()
    }

    fn build_ok(&self, site: &TestSite) -> Output {
        let out = self.build(site, &[]);
        assert!(out.status.success(), "publish failed: {}", stderr(&out));
        out
    }

    fn feeds(&self) -> BTreeMap<String, Vec<u8>> {
        s3::feed_objects(self.moto, &self.bucket, "blog/feeds")
    }

    /// Requests since the last `clear` that change the bucket: PUT, DELETE, and POST (a
    /// bulk delete is `POST /bucket?delete`).
    fn changes(&self) -> Vec<(String, String)> {
        self.proxy.requests().into_iter().filter(|(m, _)| m != "GET" && m != "HEAD").collect()
    }

    /// Keys (relative to the prefix) requested with `method` since the last `clear`.
    fn written(&self, method: &str) -> BTreeSet<String> {
        let base = format!("/{}/blog/feeds/", self.bucket);
        self.proxy.paths(method, &self.bucket).iter().filter_map(|p| p.strip_prefix(&base)).map(String::from).collect()
    }
}

/// Two sets of files are the same; else, which differ.
#[track_caller]
fn same(got: &BTreeMap<String, Vec<u8>>, want: &BTreeMap<String, Vec<u8>>, what: &str) {
    let differ = rewritten(got, want);
    assert!(differ.is_empty(), "{what}: these files differ: {differ:?}");
}

/// The files a local build rewrote between two snapshots (written or removed).
fn rewritten(before: &BTreeMap<String, Vec<u8>>, after: &BTreeMap<String, Vec<u8>>) -> BTreeSet<String> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter().filter(|k| before.get(*k) != after.get(*k)).cloned().collect()
}

#[test]
fn a_build_publishes_every_feed_with_its_media_type_and_cache_control() {
    let Some(s) = Setup::new("types") else { return };
    let site = site(CONFIG);
    site.build_ok();
    s.build_ok(&site);
    let objects = s3::objects(s.moto, &s.bucket, "blog/feeds");
    let local = feeds(&site.out());
    let published: BTreeMap<String, Vec<u8>> = objects
        .iter()
        .filter(|(k, _)| !k.starts_with(".feedwright-"))
        .map(|(k, o)| (k.clone(), o.bytes.clone()))
        .collect();
    same(&published, &local, "the objects' bytes are the local build's files");
    for (key, object) in objects.iter().filter(|(k, _)| !k.starts_with(".feedwright-")) {
        let want = match key.as_str() {
            "opml.xml" => "text/x-opml; charset=utf-8",
            "feed.xsl" => "text/xsl; charset=utf-8",
            "feeds.json" => "application/json; charset=utf-8",
            k if k.ends_with(".json") => "application/feed+json; charset=utf-8",
            k if k.ends_with("atom.xml") => "application/atom+xml; charset=utf-8",
            _ => "application/rss+xml; charset=utf-8",
        };
        assert_eq!(object.content_type, want, "{key}");
        assert_eq!(object.cache_control, "public, max-age=120", "{key}");
    }
    assert!(objects.contains_key(".feedwright-manifest") && objects.contains_key(".feedwright-ids"));
}

#[test]
fn a_no_op_publish_writes_nothing_and_an_edit_uploads_exactly_what_a_local_build_rewrites() {
    let Some(s) = Setup::new("delta") else { return };
    let site = site(CONFIG);
    // Somebody else's object beside the feeds.
    s3::put_object(s.moto, &s.bucket, "blog/feeds/tags/nfs/custom.html", b"mine");
    s.build_ok(&site);
    site.build_ok();

    s.proxy.clear();
    s.build_ok(&site);
    assert!(s.changes().is_empty(), "a no-op publish changed the bucket: {:?}", s.changes());
    assert_eq!(
        s.written("GET"),
        BTreeSet::from([".feedwright-manifest".to_string(), ".feedwright-ids".to_string()]),
        "a no-op publish reads the manifest and the ids, and no feed"
    );
    assert_eq!(s.proxy.requests().len(), 2, "{:?}", s.proxy.requests());

    // One edited post: exactly the files a local build rewrites are uploaded.
    let before = feeds(&site.out());
    site.post("c", "title: Gamma, revised\ndate: 2020-03-01T10:00:00Z\ntags: [Linux]", "Third, better.\n");
    site.build_ok();
    let want = rewritten(&before, &feeds(&site.out()));
    assert!(!want.is_empty() && !want.contains("tags/nfs/index.xml"), "{want:?}");
    s.proxy.clear();
    s.build_ok(&site);
    let feeds_put: BTreeSet<String> = s.written("PUT").into_iter().filter(|k| !k.starts_with(".feedwright-")).collect();
    assert_eq!(feeds_put, want);
    assert_eq!(s.changes().len(), want.len() + 2, "the feeds, and the manifest twice: {:?}", s.changes());
    let mine: BTreeMap<String, Vec<u8>> = s.feeds().into_iter().filter(|(k, _)| !k.ends_with(".html")).collect();
    same(&mine, &feeds(&site.out()), "the bucket after one edit");

    // A tag that disappears: its feeds are deleted; the object feedwright never wrote stays.
    site.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First post.\n");
    let before = s.feeds();
    s.proxy.clear();
    s.build_ok(&site);
    let now = s.feeds();
    let gone: Vec<&str> = before.keys().filter(|k| !now.contains_key(*k)).map(String::as_str).collect();
    assert_eq!(gone, ["tags/vmware/atom.xml", "tags/vmware/feed.json", "tags/vmware/index.xml"]);
    assert_eq!(s.proxy.paths("POST", &s.bucket).len(), 1, "one bulk delete: {:?}", s.changes());
    assert_eq!(now.get("tags/nfs/custom.html").map(Vec::as_slice), Some(&b"mine"[..]));
}

#[test]
fn a_publish_cut_off_midway_fails_clearly_and_the_next_build_converges() {
    let Some(s) = Setup::new("cut") else { return };
    let site = site(CONFIG);
    s.build_ok(&site);
    let first = s.feeds();
    // Edits that write, add and remove feeds, then the server goes away after 3 uploads.
    let edit = |site: &TestSite| {
        site.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS, Storage]", "First post, edited.\n");
        site.post("b", "title: Beta\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]", "Second, edited.\n");
        site.post("d", "title: Delta\ndate: 2020-04-01T10:00:00Z\ntags: [Linux]", "Fourth.\n");
    };
    edit(&site);
    s.proxy.down_after_puts(3);
    let out = s.build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot upload") && err.contains(&format!("s3://{}/blog/feeds/", s.bucket)), "{err}");
    assert!(err.contains("the next build completes this publish"), "{err}");
    // Nothing was deleted before its replacement was up: every feed of the first publish
    // is still there.
    let during = s.feeds();
    for key in first.keys() {
        assert!(during.contains_key(key), "{key} was deleted by a publish that failed");
    }
    assert_ne!(during, first, "some uploads went through before the server went away");

    // The server is back, and the posts are as they were: the objects the cut-off publish
    // uploaded are put back too (the manifest did not claim them).
    s.proxy.set_down(false);
    let original = self::site(CONFIG);
    for name in ["a", "b"] {
        let rel = format!("content/post/{name}.md");
        site.write(&rel, &fs::read_to_string(original.root().join(&rel)).unwrap());
    }
    fs::remove_file(site.root().join("content/post/d.md")).unwrap();
    s.build_ok(&site);
    same(&s.feeds(), &first, "a publish after a cut-off one, of the posts as they were");

    // Cut off again, then completed by the next build.
    edit(&site);
    s.proxy.down_after_puts(2);
    assert_eq!(s.build(&site, &[]).status.code(), Some(1));
    s.proxy.set_down(false);
    s.build_ok(&site);
    site.build_ok();
    same(&s.feeds(), &feeds(&site.out()), "the next publish converges to a clean build");
    // …and to what a clean publish into an empty bucket makes.
    let Some(clean) = Setup::new("clean") else { return };
    clean.build_ok(&site);
    same(&s.feeds(), &clean.feeds(), "a completed publish and a clean one");
    // The manifest is no longer pending: the publish after is a no-op.
    s.proxy.clear();
    s.build_ok(&site);
    assert!(s.changes().is_empty(), "{:?}", s.changes());
}

#[test]
fn a_missing_bucket_or_wrong_credentials_is_one_clear_error_and_nothing_is_deleted() {
    let Some(s) = Setup::new("missing") else { return };
    let site = site(CONFIG);
    let gone = Setup { bucket: "fw-no-such-bucket".into(), proxy: s.proxy.clone(), moto: s.moto };
    let out = gone.build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(err.contains("s3://fw-no-such-bucket/blog/feeds") && err.contains("the bucket does not exist"), "{err}");

    // A server that checks credentials (moto with authentication after its first request,
    // which makes the bucket), and keys it does not know.
    let Some(strict) = s3::moto(&[("INITIAL_NO_AUTH_ACTION_COUNT", "1")]) else { return };
    s3::make_bucket(&strict, "fw-strict");
    let mut command = Command::new(env!("CARGO_BIN_EXE_feedwright"));
    command.arg("build").arg("--site").arg(site.root()).args(["--out", "s3://fw-strict/feeds"]);
    command.envs(s3::env(&strict));
    let out = command.output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.matches("error:").count(), 1, "{err}");
    assert!(err.contains("access denied: check the credentials"), "{err}");

    // And over --max-deletes: nothing is changed.
    s.build_ok(&site);
    let before = s.feeds();
    site.post("a", "title: Alpha\ndate: 2020-01-01T10:00:00Z\ntags: [NFS]", "First post.\n");
    site.post("c", "title: Gamma\ndate: 2020-03-01T10:00:00Z", "Third.\n");
    s.proxy.clear();
    let out = s.build(&site, &["--max-deletes", "3"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("would delete 6 objects, more than --max-deletes 3"), "{err}");
    assert!(s.changes().is_empty(), "{:?}", s.changes());
    same(&s.feeds(), &before, "the bucket after a refused publish");
}

/// A feed URL a hub was told of, and the bucket's feeds at that moment.
type Heard = (String, BTreeMap<String, Vec<u8>>);

/// A WebSub hub that, when pinged, notes which feeds the bucket holds at that moment.
struct Hub {
    url: String,
    /// (feed URL announced, the bucket's feeds at that moment).
    heard: Arc<Mutex<Vec<Heard>>>,
}

impl Hub {
    fn start(moto: &'static str, bucket: String) -> Hub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hub", listener.local_addr().unwrap());
        let heard: Arc<Mutex<Vec<_>>> = Arc::default();
        let noted = heard.clone();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let feed =
                    url::form_urlencoded::parse(&body).find(|(k, _)| k == "hub.url").map(|(_, v)| v.into_owned());
                let now = s3::feed_objects(moto, &bucket, "blog/feeds");
                noted.lock().unwrap().push((feed.unwrap_or_default(), now));
                let _ = stream.write_all(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Hub { url, heard }
    }
}

#[test]
fn the_hub_and_after_publish_hear_of_exactly_the_changed_files_once_they_are_up() {
    let Some(s) = Setup::new("after") else { return };
    let hub = Hub::start(s.moto, s.bucket.clone());
    // The command lists the bucket as it is when it runs, beside the URLs it was given.
    let hook = format!(
        "cat > urls.txt; curl -s 'http://{}/{}?list-type=2&prefix=blog/feeds/' > listing.xml",
        s.moto, s.bucket
    );
    let config = format!("{CONFIG}websub_hub: {}\nafter_publish: \"{hook}\"\n", hub.url);
    let site = site(&config);
    // The same site without the command, built into a folder, says what changes.
    let local = self::site(&format!("{CONFIG}websub_hub: {}\n", hub.url));
    s.build_ok(&site);
    local.build_ok();
    let before = feeds(&local.out());
    hub.heard.lock().unwrap().clear();

    let edit = ("title: Gamma, revised\ndate: 2020-03-01T10:00:00Z\ntags: [Linux]", "Third, better.\n");
    site.post("c", edit.0, edit.1);
    local.post("c", edit.0, edit.1);
    s.build_ok(&site);
    local.build_ok();
    let after = feeds(&local.out());
    let changed = rewritten(&before, &after);
    let urls: BTreeSet<String> =
        fs::read_to_string(site.root().join("urls.txt")).unwrap().lines().map(String::from).collect();
    let want: BTreeSet<String> = changed.iter().map(|k| format!("https://lab.example.org/{k}")).collect();
    assert_eq!(urls, want, "after_publish is given the public URL of each changed file");
    // When the command ran, every changed object was already up with its new bytes: the
    // listing it took shows each one's final ETag.
    let listing = fs::read_to_string(site.root().join("listing.xml")).unwrap();
    let final_listing = s3::listing(s.moto, &s.bucket, "blog/feeds/");
    for key in &changed {
        let etag = final_listing.get(&format!("blog/feeds/{key}")).unwrap();
        assert!(
            listing.contains(&format!("<Key>blog/feeds/{key}</Key>")) && listing.contains(etag.trim_matches('"')),
            "{key}"
        );
    }
    // The hub heard of each changed feed (not the OPML list), each time after the new
    // bytes were up.
    let heard = hub.heard.lock().unwrap().clone();
    let announced: BTreeSet<String> = heard.iter().map(|(feed, _)| feed.clone()).collect();
    let feeds_changed: BTreeSet<String> = want.iter().filter(|u| !u.ends_with("/opml.xml")).cloned().collect();
    assert_eq!(announced, feeds_changed);
    for (feed, seen) in &heard {
        let key = feed.strip_prefix("https://lab.example.org/").unwrap();
        assert!(seen.get(key) == after.get(key), "the hub heard of {key} before its new bytes were up");
    }

    // A failing command is reported, not hidden: exit 1, and the feeds are published.
    let failing = format!("{CONFIG}after_publish: \"cat > /dev/null; exit 3\"\n");
    site.write("feedwright.yaml", &failing);
    site.post("c", "title: Gamma, again\ndate: 2020-03-01T10:00:00Z\ntags: [Linux]", "Third.\n");
    let out = s.build(&site, &[]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("after_publish `cat > /dev/null; exit 3` failed") && err.contains("the feeds are published"),
        "{err}"
    );
    local.write("feedwright.yaml", CONFIG);
    local.post("c", "title: Gamma, again\ndate: 2020-03-01T10:00:00Z\ntags: [Linux]", "Third.\n");
    local.build_ok();
    same(&s.feeds(), &feeds(&local.out()), "the bucket after a failing command");
}

#[test]
fn watch_publishes_an_edit_to_the_bucket_uploading_only_the_changed_feeds() {
    let Some(s) = Setup::new("watch") else { return };
    let d = Daemon::watch_with(site(CONFIG), &["--out", &s.url()], &s3::env(&s.proxy.addr));
    let local = TestSite::new(CONFIG);
    for name in ["a", "b", "c"] {
        let rel = format!("content/post/{name}.md");
        local.write(&rel, &fs::read_to_string(d.site.root().join(&rel)).unwrap());
    }
    local.build_ok();
    same(&s.feeds(), &feeds(&local.out()), "the daemon's first publish and a build");
    let before = feeds(&local.out());

    s.proxy.clear();
    let edited =
        "---\ntitle: Beta, revised\ndate: 2020-02-01T10:00:00Z\ntags: [NFS]\ncategories: [News]\n---\nSecond.\n";
    d.site.write("content/post/b.md", edited);
    local.write("content/post/b.md", edited);
    local.build_ok();
    let want = feeds(&local.out());
    d.wait(|| s.feeds() == want, "the edit to reach the bucket");
    wait_for(|| s.written("PUT").contains(".feedwright-manifest"), "the publish to finish");
    let feeds_put: BTreeSet<String> = s.written("PUT").into_iter().filter(|k| !k.starts_with(".feedwright-")).collect();
    assert_eq!(feeds_put, rewritten(&before, &want));
    assert!(s.proxy.paths("POST", &s.bucket).is_empty());

    // The bucket goes away during an edit: the daemon says so, and once it is back writes
    // every feed again by itself, with no further edit.
    s.proxy.set_down(true);
    let edited = "---\ntitle: Gamma, revised\ndate: 2020-03-01T10:00:00Z\ntags: [Linux, NFS]\n---\nThird.\n";
    d.site.write("content/post/c.md", edited);
    local.write("content/post/c.md", edited);
    local.build_ok();
    d.wait(|| d.log().contains("cannot write the feeds"), "the daemon to report the failed publish");
    assert!(d.log().contains(&format!("s3://{}/blog/feeds/", s.bucket)), "{}", d.log());
    s.proxy.set_down(false);
    let want = feeds(&local.out());
    d.wait(|| s.feeds() == want, "the daemon to complete the publish once the bucket is back");
}

#[test]
fn serve_replicas_give_the_same_etag_and_answer_each_others_conditional_gets() {
    let a = Daemon::serve(site(CONFIG), &[]);
    let b = Daemon::serve(site(CONFIG), &[]);
    let local = site(CONFIG);
    local.build_ok();
    let paths: Vec<String> = feeds(&local.out()).into_keys().collect();
    assert!(paths.len() > 10);
    for path in &paths {
        for encoding in ["identity", "gzip", "br"] {
            let accept = [("Accept-Encoding", encoding)];
            let (ra, rb) = (a.get(&format!("/{path}"), &accept), b.get(&format!("/{path}"), &accept));
            assert_eq!((ra.status, rb.status), (200, 200), "{path}");
            assert_eq!(ra.header("etag"), rb.header("etag"), "{path} ({encoding})");
            let conditional = [("Accept-Encoding", encoding), ("If-None-Match", ra.header("etag"))];
            assert_eq!(b.get(&format!("/{path}"), &conditional).status, 304, "{path} ({encoding})");
        }
    }
}

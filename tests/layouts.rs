//! Switching loses no subscriber: feeds are written where the site's generator wrote
//! them, and every feed URL that moved keeps answering — `301` from `serve`, redirect
//! rules for static hosts (checked with a real nginx), `410` for feeds that are gone.
//!
//! The Hugo paths below are what Hugo 0.111 (Debian's `hugo`) wrote for the same site,
//! measured once and written here; the test itself does not need Hugo.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::process::{Command, Stdio};

use common::TestSite;
use common::daemon::{Daemon, request};

const HUGO_CONFIG: &str = "baseURL: https://h.example.org/\ntitle: H\ndisablePathToLower: true\n\
    taxonomies:\n  tag: tags\n  category: categories\n  series: series\n  topic: topics\n";

fn hugo_site(extra_config: &str) -> TestSite {
    let site = TestSite::bare();
    site.write("config.yaml", &format!("{HUGO_CONFIG}{extra_config}"));
    site.write(
        "content/post/a.md",
        "---\ntitle: A\ndate: 2020-01-01\ntags: [\"C++\", \".NET\", \"Überwachung\", \"Short Take\", \"VMware\", \
         \"Q&A\", \"Foo Bar_baz\", \"hello.world\", \"C#\", \"Día\", \"日本語\"]\n\
         categories: [Information, \"Tips & Tricks\"]\ntopics: [Cloud Native]\nseries: [My Series]\n---\nx\n",
    );
    site.write("content/notes/b.md", "---\ntitle: B\ndate: 2020-01-02\ntags: [VMware, vmware]\n---\ny\n");
    site.write("content/notes/c.md", "---\ntitle: C\ndate: 2020-01-03\ntags: [VMware]\n---\nz\n");
    site
}

#[test]
fn a_hugo_site_keeps_every_feed_path_hugo_wrote() {
    let site = hugo_site("");
    site.build_ok();
    let files = site.out_files();
    // Hugo 0.111, disablePathToLower: true.
    for path in [
        "index.xml",
        "post/index.xml",
        "notes/index.xml",
        "tags/C++/index.xml",
        "tags/.NET/index.xml",
        "tags/Überwachung/index.xml",
        "tags/Short-Take/index.xml",
        "tags/VMware/index.xml",
        "tags/QA/index.xml",
        "tags/Foo-Bar_baz/index.xml",
        "tags/hello.world/index.xml",
        "tags/C#/index.xml",
        "tags/Día/index.xml",
        "tags/日本語/index.xml",
        "categories/Information/index.xml",
        "categories/Tips-Tricks/index.xml",
        "topics/Cloud-Native/index.xml",
        "series/My-Series/index.xml",
    ] {
        assert!(files.contains_key(path), "{path} missing; --out holds {:?}", files.keys().collect::<Vec<_>>());
    }
    // What Hugo never had keeps feedwright's names, beside.
    assert!(files.contains_key("tags/C++/atom.xml") && files.contains_key("opml.xml"));
    let feed = site.feed("tags/Überwachung/index.xml");
    assert_eq!(feed.links[0].href, "https://h.example.org/tags/%C3%9Cberwachung/", "the term's page, as Hugo links it");
    let section = site.feed("notes/index.xml");
    assert_eq!(section.entries.len(), 2);
    assert_eq!(section.title.unwrap().content, "H — Section: notes");
    let vmware: Vec<String> =
        site.feed("tags/VMware/index.xml").entries.iter().map(|e| e.title.clone().unwrap().content).collect();
    assert_eq!(vmware, ["C", "B", "A"], "VMware and vmware are one tag");

    // Lower-cased by default, as Hugo does.
    let lower = TestSite::bare();
    lower.write("config.yaml", "baseURL: https://h.example.org/\ntitle: H\n");
    lower.write("content/post/a.md", "---\ntitle: A\ndate: 2020-01-01\ntags: [\"C++\", \"Überwachung\"]\n---\nx\n");
    lower.build_ok();
    let files = lower.out_files();
    assert!(files.contains_key("tags/c++/index.xml") && files.contains_key("tags/überwachung/index.xml"));
    assert!(files.contains_key("post/index.xml"));
}

#[test]
fn a_jekyll_site_keeps_jekyll_feeds_paths() {
    let site = TestSite::bare();
    site.write("_config.yml", "url: https://j.example.org\ntitle: J\nfeed:\n  tags: true\n  categories: [news]\n");
    site.write(
        "_posts/2020-01-02-hello.md",
        "---\ntitle: Hello\ndate: 2020-01-02\ntags: [Rust, \"C++\"]\ncategories: [news]\n---\nx\n",
    );
    site.build_ok();
    let files = site.out_files();
    for path in ["feed.xml", "feed/by_tag/Rust.xml", "feed/news.xml"] {
        assert!(files.contains_key(path), "{path} missing; --out holds {:?}", files.keys().collect::<Vec<_>>());
        let feed = site.feed(path);
        assert!(matches!(feed.feed_type, feed_rs::model::FeedType::Atom), "{path} is Atom, as jekyll-feed's");
    }
    // jekyll-feed skips tags beyond letters, digits and `_`: `C++` gets its feed by its slug.
    assert!(files.contains_key("feed/by_tag/c.xml"));
    assert!(files.contains_key("index.xml"), "RSS beside, at feedwright's name");
}

#[test]
fn serve_names_the_format_of_every_layouts_feeds() {
    let site = TestSite::bare();
    site.write("_config.yml", "url: https://j.example.org\ntitle: J\nfeed:\n  tags: true\n");
    site.write("_posts/2020-01-02-hello.md", "---\ntitle: Hello\ndate: 2020-01-02\ntags: [Rust]\n---\nx\n");
    let d = Daemon::serve(site, &[]);
    for (path, media) in [
        ("/feed.xml", "application/atom+xml; charset=utf-8"),
        ("/feed/by_tag/Rust.xml", "application/atom+xml; charset=utf-8"),
        ("/index.xml", "application/rss+xml; charset=utf-8"),
    ] {
        let r = d.get(path, &[]);
        assert_eq!((r.status, r.header("content-type")), (200, media), "{path}");
    }
}

/// A Hugo site that came from WordPress: its old feed URLs, a renamed tag.
fn moved_site() -> TestSite {
    hugo_site(
        "params:\n  feedwright:\n    wordpress_urls: true\n    term_aliases:\n      tags:\n        VM Ware: VMware\n",
    )
}

/// Old URL → expected answer: `Some(path)` a 301 there, `None` a 410.
fn expected_moves() -> BTreeMap<&'static str, Option<&'static str>> {
    BTreeMap::from([
        ("/feed/", Some("/index.xml")),
        ("/feed/atom/", Some("/atom.xml")),
        ("/?feed=rss2", Some("/index.xml")),
        ("/tag/vmware/feed/", Some("/tags/VMware/index.xml")),
        ("/tag/short-take/feed/", Some("/tags/Short-Take/index.xml")),
        ("/category/information/feed/", Some("/categories/Information/index.xml")),
        ("/tags/vmware/index.xml", Some("/tags/VMware/index.xml")),
        ("/tags/VM-Ware/index.xml", Some("/tags/VMware/index.xml")),
        ("/comments/feed/", None),
        ("/?feed=comments-rss2", None),
        ("/notes/b/feed/", None),
    ])
}

#[test]
fn serve_answers_every_old_feed_url() {
    let d = Daemon::serve(moved_site(), &[]);
    for (old, want) in expected_moves() {
        let r = d.get(old, &[]);
        match want {
            Some(to) => {
                assert_eq!((r.status, r.header("location")), (301, to), "{old}");
                assert_eq!(d.get(to, &[]).status, 200, "{to}");
            }
            None => assert_eq!(r.status, 410, "{old}"),
        }
    }
    assert_eq!(d.get("/tags/C++/index.xml", &[]).status, 200);
    assert_eq!(d.get("/_redirects", &[]).status, 404, "redirect files are for static hosts");
}

#[test]
fn the_redirect_files_work_in_a_real_nginx() {
    let Ok(nginx) = which("nginx") else {
        assert!(std::env::var_os("CI").is_none(), "CI must install nginx");
        eprintln!("nginx is not installed: the static-host redirects were not tried");
        return;
    };
    let site = moved_site();
    site.build_ok();
    let netlify = fs::read_to_string(site.out().join("_redirects")).unwrap();
    assert!(netlify.contains("/tag/vmware/feed/ /tags/VMware/index.xml 301"), "{netlify}");
    assert!(netlify.contains("/ feed=rss2 /index.xml 301"), "{netlify}");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let prefix = site.root().join("nginx");
    fs::create_dir_all(prefix.join("logs")).unwrap();
    let conf = format!(
        "daemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {prefix}/body;\nproxy_temp_path {prefix}/proxy;\n\
         fastcgi_temp_path {prefix}/fastcgi;\nuwsgi_temp_path {prefix}/uwsgi;\nscgi_temp_path {prefix}/scgi;\n\
         include {out}/feedwright-redirects.nginx;\n\
         server {{\n listen 127.0.0.1:{port};\n root {out};\n\
         if ($feedwright_moved) {{ return 301 $feedwright_moved; }}\n\
         if ($feedwright_gone) {{ return 410; }}\n }}\n}}\n",
        prefix = prefix.display(),
        out = site.out().display()
    );
    fs::write(prefix.join("nginx.conf"), conf).unwrap();
    let child = Command::new(&nginx)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(prefix.join("nginx.conf"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _nginx = Nginx { nginx, prefix: prefix.clone(), child };
    let addr = format!("127.0.0.1:{port}");
    let up = common::daemon::poll(|| std::net::TcpStream::connect(&addr).is_ok());
    assert!(up, "nginx did not start: {}", fs::read_to_string(prefix.join("logs/error.log")).unwrap_or_default());
    let get = |path: &str| {
        request(&addr, &format!("GET {path} HTTP/1.1\r\nHost: h.example.org\r\nConnection: close\r\n\r\n"))
    };
    for (old, want) in expected_moves() {
        let r = get(old);
        match want {
            Some(to) => {
                assert_eq!(r.status, 301, "{old}");
                assert!(r.header("location").ends_with(to), "{old} → {}", r.header("location"));
            }
            None => assert_eq!(r.status, 410, "{old}"),
        }
    }
    assert_eq!(get("/tags/VMware/index.xml").status, 200);
}

/// The nginx of a test, stopped (workers too) however the test ends.
struct Nginx {
    nginx: String,
    prefix: std::path::PathBuf,
    child: std::process::Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let conf = self.prefix.join("nginx.conf");
        let _ = Command::new(&self.nginx).arg("-p").arg(&self.prefix).arg("-c").arg(conf).args(["-s", "stop"]).status();
        let _ = self.child.wait();
    }
}

fn which(program: &str) -> Result<String, ()> {
    for dir in ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"] {
        let path = format!("{dir}/{program}");
        if std::path::Path::new(&path).exists() {
            return Ok(path);
        }
    }
    Err(())
}

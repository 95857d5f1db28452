//! Helpers for tests that run the real `feedwright` binary on small sites written in
//! the test, and read its output back with an independent parser (feed-rs).

#![allow(dead_code)]

pub mod daemon;
pub mod http;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TestSite {
    pub dir: tempfile::TempDir,
}

impl TestSite {
    /// A site with `feedwright.yaml` holding `config`.
    pub fn new(config: &str) -> TestSite {
        let dir = tempfile::tempdir().expect("temp dir");
        let site = TestSite { dir };
        site.write("feedwright.yaml", config);
        site
    }

    /// A site with no config at all.
    pub fn bare() -> TestSite {
        TestSite { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.root().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    /// Write a post under `content/post/`.
    pub fn post(&self, name: &str, front: &str, body: &str) {
        self.write(&format!("content/post/{name}.md"), &format!("---\n{front}\n---\n{body}"));
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_feedwright"));
        cmd.args(args);
        cmd.output().expect("run feedwright")
    }

    /// `feedwright build --site <root> --out <root>/out <extra>`.
    pub fn build(&self, extra: &[&str]) -> Output {
        let root = self.root().to_str().unwrap().to_string();
        let out = self.out().to_str().unwrap().to_string();
        let mut args = vec!["build", "--site", &root, "--out", &out];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    pub fn build_ok(&self) -> Output {
        let out = self.build(&[]);
        assert!(out.status.success(), "build failed: {}", stderr(&out));
        out
    }

    /// A build that must fail with `code` and say `message`.
    pub fn build_ok_or_fail_with(&self, code: i32, message: &str) {
        let out = self.build(&[]);
        assert_eq!(out.status.code(), Some(code), "{}", stderr(&out));
        assert!(stderr(&out).contains(message), "`{message}` missing in:\n{}", stderr(&out));
    }

    pub fn feed(&self, rel: &str) -> feed_rs::model::Feed {
        let bytes = fs::read(self.out().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
    }

    pub fn out_files(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(&self.out())
    }
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir` (relative path → bytes).
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    fn walk(base: &Path, dir: &Path, files: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, files);
            } else {
                let rel = path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/");
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    walk(dir, dir, &mut files);
    files
}

/// Every feed file under `dir`: its whole snapshot but the manifest (which records when
/// each file was written, so two builds' manifests differ), the ids it published, the
/// record of the build's inputs and its index.
pub fn feeds(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = snapshot(dir);
    files.remove(".feedwright-manifest");
    files.remove(".feedwright-ids");
    files.remove(".feedwright-inputs");
    files.remove(".feedwright-index");
    files
}

pub const CONFIG: &str =
    "title: Lab\nbase_url: https://lab.example.org\nauthor: {name: Dana, email: dana@lab.example.org}\n";

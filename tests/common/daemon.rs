//! The real `feedwright watch` / `feedwright serve` process on a test site, and a raw
//! HTTP/1.1 client for it (nothing hidden by a client library). No fixed sleeps: every
//! wait polls with a deadline.

use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{TestSite, stderr};

pub const DEADLINE: Duration = Duration::from_secs(20);

/// A running daemon. Killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub site: TestSite,
    /// `host:port` of `serve`; empty for `watch`.
    pub addr: String,
}

impl Daemon {
    /// `feedwright watch --out <site>/out` on `site`, once ready.
    pub fn watch(site: TestSite, extra: &[&str]) -> Daemon {
        let out = site.out();
        let mut args = vec!["watch", "--out", out.to_str().unwrap()];
        args.extend_from_slice(extra);
        Self::spawn(site, &args, &[])
    }

    /// `feedwright watch <args>` on `site` with these environment variables, once ready.
    pub fn watch_with(site: TestSite, args: &[&str], env: &[(String, String)]) -> Daemon {
        let mut all = vec!["watch"];
        all.extend_from_slice(args);
        Self::spawn(site, &all, env)
    }

    /// `feedwright serve` on an ephemeral loopback port, once ready.
    pub fn serve(site: TestSite, extra: &[&str]) -> Daemon {
        let mut args = vec!["serve"];
        if !extra.contains(&"--listen") {
            args.extend(["--listen", "127.0.0.1:0"]);
        }
        args.extend_from_slice(extra);
        Self::spawn(site, &args, &[])
    }

    fn spawn(site: TestSite, args: &[&str], env: &[(String, String)]) -> Daemon {
        let child = Self::start(&site, args, env);
        let mut daemon = Daemon { child, site, addr: String::new() };
        daemon.ready();
        daemon
    }

    fn start(site: &TestSite, args: &[&str], env: &[(String, String)]) -> Child {
        let _ = fs::remove_file(site.root().join("ready"));
        let log = fs::OpenOptions::new().create(true).append(true).open(site.root().join("daemon.log")).unwrap();
        Command::new(env!("CARGO_BIN_EXE_feedwright"))
            .args(args)
            .args(["--debounce-ms", "20", "--site"])
            .arg(site.root())
            .arg("--ready-file")
            .arg(site.root().join("ready"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("start feedwright")
    }

    /// Wait for the ready file; note the address it gives.
    fn ready(&mut self) {
        let ready = self.site.root().join("ready");
        self.wait(|| ready.exists(), "the daemon to be ready");
        let note = fs::read_to_string(&ready).unwrap_or_default();
        self.addr = note.lines().find_map(|l| l.strip_prefix("listen ")).unwrap_or_default().to_string();
    }

    /// Stop the daemon (SIGTERM) if it runs, and start `feedwright <args>` on the same site, once
    /// ready. The log goes on in the same file.
    pub fn restart(&mut self, args: &[&str]) {
        if self.child.try_wait().unwrap().is_none() {
            self.terminate();
        }
        self.child = Self::start(&self.site, args, &[]);
        self.ready();
    }

    pub fn log(&self) -> String {
        fs::read_to_string(self.site.root().join("daemon.log")).unwrap_or_default()
    }

    pub fn wait(&self, ok: impl FnMut() -> bool, what: &str) {
        if !poll(ok) {
            panic!("timed out waiting for {what}; daemon log:\n{}", self.log());
        }
    }

    /// What `feedwright build --keep-going` writes for the files as they are now, into a
    /// folder holding the daemon's manifest and published ids (so it holds the same ids).
    pub fn fresh_build(&self) -> BTreeMap<String, Vec<u8>> {
        let fresh = tempfile::tempdir().unwrap();
        for kept in [".feedwright-manifest", ".feedwright-ids"] {
            let _ = fs::copy(self.site.out().join(kept), fresh.path().join(kept));
        }
        let out = Command::new(env!("CARGO_BIN_EXE_feedwright"))
            .args(["build", "--keep-going", "-q", "--site"])
            .arg(self.site.root())
            .arg("--out")
            .arg(fresh.path())
            .output()
            .unwrap();
        assert!(out.status.code().is_some_and(|c| c <= 1), "{}", stderr(&out));
        super::feeds(fresh.path())
    }

    /// Wait until `--out` equals a fresh build of the same files.
    pub fn settles(&self, what: &str) {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let expected = self.fresh_build();
            let got = super::feeds(&self.site.out());
            if got == expected {
                return;
            }
            if Instant::now() > deadline {
                let differ: Vec<&String> =
                    expected.keys().chain(got.keys()).filter(|k| expected.get(*k) != got.get(*k)).collect();
                panic!("after {what}, --out differs from a fresh build in {differ:?}; daemon log:\n{}", self.log());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The titles of a feed in `--out`, newest first (empty when it is missing).
    pub fn feed_titles(&self, rel: &str) -> Vec<String> {
        match fs::read(self.site.out().join(rel)) {
            Ok(bytes) => titles(&bytes),
            Err(_) => Vec::new(),
        }
    }

    pub fn wait_titles(&self, rel: &str, want: &[&str]) {
        self.wait(|| self.feed_titles(rel) == want, &format!("{rel} to list {want:?}"));
    }

    pub fn request(&self, raw: &str) -> Reply {
        request(&self.addr, raw)
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut raw = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
        for (k, v) in headers {
            raw.push_str(&format!("{k}: {v}\r\n"));
        }
        raw.push_str("\r\n");
        self.request(&raw)
    }

    /// Send SIGTERM and wait for the process to end; its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the daemon did not stop");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Item titles of a feed document, newest first (empty when it does not parse).
pub fn titles(bytes: &[u8]) -> Vec<String> {
    feed_rs::parser::parse(bytes)
        .map(|f| f.entries.into_iter().filter_map(|e| e.title.map(|t| t.content)).collect())
        .unwrap_or_default()
}

/// Poll `ok` until it holds or the deadline passes.
pub fn poll(mut ok: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + DEADLINE;
    while !ok() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

pub fn wait_for(ok: impl FnMut() -> bool, what: &str) {
    assert!(poll(ok), "timed out waiting for {what}");
}

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// One raw HTTP/1.1 exchange.
pub fn request(addr: &str, raw: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes);
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().unwrap().split_whitespace().nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply { status, headers, body: bytes[split + 4..].to_vec() }
}

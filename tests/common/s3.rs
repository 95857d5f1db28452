//! A real S3 API on 127.0.0.1 for the publishing tests: moto's server, started once per
//! test binary, and in front of it a proxy of the test's own that counts every request
//! (method and path) and can play a server that goes away mid-publish.
//!
//! Without moto the tests are skipped, except under `CI=1`, where they fail: `.ci/run`
//! installs it (`pip install "moto[server]"`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{Attribute, ObjectStore, ObjectStoreExt};

/// The address of a moto server started with `env`, or `None` (skip) when moto is not
/// installed outside CI.
pub fn moto(env: &[(&str, &str)]) -> Option<String> {
    let found = Command::new("python3")
        .args(["-c", "import moto.server"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        if std::env::var_os("CI").is_some() {
            panic!("moto is not installed (pip install \"moto[server]\"); CI must run the S3 tests");
        }
        eprintln!("skipped: moto is not installed (pip install \"moto[server]\")");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    // Started from a thread that lives as long as the test binary, so that the server,
    // asked to die with its parent, dies with the binary and not with one test.
    std::thread::spawn(move || {
        let mut command = Command::new("python3");
        command
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()])
            .envs(env)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
            unsafe {
                command.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                    Ok(())
                });
            }
        }
        let mut child = command.spawn().expect("start moto");
        let _ = child.wait();
    });
    let addr = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(mut stream) = TcpStream::connect(&addr) {
            let _ = stream.write_all(b"GET /moto-api/ HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1") {
                return Some(addr);
            }
        }
        assert!(Instant::now() < deadline, "moto did not start on {addr}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The one moto server (no authentication) the tests of a binary share.
pub fn shared() -> Option<&'static str> {
    static SERVER: OnceLock<Option<String>> = OnceLock::new();
    SERVER.get_or_init(|| moto(&[])).as_deref()
}

/// Make a bucket (moto without authentication accepts an unsigned request).
pub fn make_bucket(moto: &str, name: &str) {
    let mut stream = TcpStream::connect(moto).unwrap();
    write!(stream, "PUT /{name} HTTP/1.0\r\nHost: {moto}\r\nContent-Length: 0\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200"), "{answer}");
}

/// A bucket name no other test uses.
pub fn unique_bucket(what: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("fw-{what}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// The environment that points feedwright (and `object_store`) at `endpoint`.
pub fn env(endpoint: &str) -> Vec<(String, String)> {
    [
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL", &format!("http://{endpoint}")),
        ("AWS_ALLOW_HTTP", "true"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// One object as a reader of the bucket gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub cache_control: String,
}

fn client(moto: &str, bucket: &str) -> (impl ObjectStore, tokio::runtime::Runtime) {
    let store = AmazonS3Builder::new()
        .with_endpoint(format!("http://{moto}"))
        .with_allow_http(true)
        .with_bucket_name(bucket)
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .with_region("us-east-1")
        .build()
        .unwrap();
    (store, tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap())
}

/// Put an object as another program would.
pub fn put_object(moto: &str, bucket: &str, key: &str, bytes: &[u8]) {
    let (store, runtime) = client(moto, bucket);
    runtime.block_on(store.put(&ObjectPath::from(key), bytes.to_vec().into())).unwrap();
}

/// Key → ETag of every object under `prefix`, from a plain (unsigned) listing.
pub fn listing(moto: &str, bucket: &str, prefix: &str) -> BTreeMap<String, String> {
    let mut stream = TcpStream::connect(moto).unwrap();
    write!(stream, "GET /{bucket}?list-type=2&prefix={prefix} HTTP/1.0\r\nHost: {moto}\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let xml = &answer[answer.find("<?xml").expect("a listing")..];
    let doc = roxmltree::Document::parse(xml).unwrap();
    let text = |node: roxmltree::Node, name: &str| {
        node.children().find(|c| c.tag_name().name() == name).and_then(|c| c.text()).unwrap_or_default().to_string()
    };
    doc.descendants().filter(|n| n.tag_name().name() == "Contents").map(|n| (text(n, "Key"), text(n, "ETag"))).collect()
}

/// Every object under `prefix` in `bucket`, read back through the S3 API (relative key
/// → object).
pub fn objects(moto: &str, bucket: &str, prefix: &str) -> BTreeMap<String, Object> {
    let (store, runtime) = client(moto, bucket);
    runtime.block_on(async {
        use futures::TryStreamExt;
        let base = ObjectPath::from(prefix);
        let listed: Vec<_> = store.list(Some(&base)).try_collect().await.unwrap();
        let mut all = BTreeMap::new();
        for meta in listed {
            let got = store.get(&meta.location).await.unwrap();
            let attribute = |a: &Attribute| got.attributes.get(a).map(|v| v.to_string()).unwrap_or_default();
            let content_type = attribute(&Attribute::ContentType);
            let cache_control = attribute(&Attribute::CacheControl);
            let bytes = got.bytes().await.unwrap().to_vec();
            let rel = meta.location.as_ref().strip_prefix(&format!("{prefix}/")).unwrap_or(meta.location.as_ref());
            all.insert(rel.to_string(), Object { bytes, content_type, cache_control });
        }
        all
    })
}

/// The feeds of a bucket: every object but feedwright's manifest and ids.
pub fn feed_objects(moto: &str, bucket: &str, prefix: &str) -> BTreeMap<String, Vec<u8>> {
    objects(moto, bucket, prefix)
        .into_iter()
        .filter(|(k, _)| !k.starts_with(".feedwright-"))
        .map(|(k, o)| (k, o.bytes))
        .collect()
}

/// A TCP proxy in front of moto that logs each request's method and path, and can be
/// told to go away (refuse and drop every connection), now or at the N-th PUT.
#[derive(Clone)]
pub struct Proxy {
    pub addr: String,
    log: Arc<Mutex<Vec<(String, String)>>>,
    down: Arc<AtomicBool>,
    /// Go down when this many PUTs have passed (0: never).
    puts_allowed: Arc<AtomicUsize>,
    puts: Arc<AtomicUsize>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let proxy = Proxy {
            addr: listener.local_addr().unwrap().to_string(),
            log: Arc::default(),
            down: Arc::default(),
            puts_allowed: Arc::default(),
            puts: Arc::default(),
        };
        let (me, upstream) = (proxy.clone(), upstream.to_string());
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if me.down.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let (me, upstream) = (me.clone(), upstream.clone());
                std::thread::spawn(move || me.relay(client, &upstream));
            }
        });
        proxy
    }

    /// Requests seen so far: (method, path and query).
    pub fn requests(&self) -> Vec<(String, String)> {
        self.log.lock().unwrap().clone()
    }

    /// Forget the requests seen so far.
    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }

    /// Requests to `bucket` with `method`, by path (without the query).
    pub fn paths(&self, method: &str, bucket: &str) -> Vec<String> {
        let mine = format!("/{bucket}");
        self.requests()
            .into_iter()
            .map(|(m, p)| (m, p.split('?').next().unwrap_or_default().to_string()))
            .filter(|(m, p)| m == method && (p == &mine || p.starts_with(&format!("{mine}/"))))
            .map(|(_, p)| p)
            .collect()
    }

    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
        if !down {
            self.puts_allowed.store(0, Ordering::SeqCst);
        }
    }

    /// Let `n` more PUTs through, then go down.
    pub fn down_after_puts(&self, n: usize) {
        self.puts_allowed.store(self.puts.load(Ordering::SeqCst) + n, Ordering::SeqCst);
    }

    /// Relay one connection, request by request (headers, then a body of
    /// `Content-Length` bytes), logging each.
    fn relay(&self, client: TcpStream, upstream: &str) {
        let Ok(server) = TcpStream::connect(upstream) else { return };
        let (mut to_server, mut from_server, mut to_client) =
            (server.try_clone().unwrap(), server.try_clone().unwrap(), client.try_clone().unwrap());
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut from_server, &mut to_client);
            let _ = to_client.shutdown(Shutdown::Both);
        });
        let mut reader = BufReader::new(client.try_clone().unwrap());
        loop {
            let mut head = Vec::new();
            loop {
                let mut line = Vec::new();
                match reader.read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => return close(&client, &server),
                    Ok(_) => {}
                }
                head.extend_from_slice(&line);
                if line == b"\r\n" {
                    break;
                }
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let mut first = text.split_whitespace();
            let method = first.next().unwrap_or_default().to_string();
            let target = first.next().unwrap_or_default();
            let path = target.to_string();
            let length: u64 = text
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
                })
                .unwrap_or(0);
            if method == "PUT" {
                let n = self.puts.fetch_add(1, Ordering::SeqCst) + 1;
                let allowed = self.puts_allowed.load(Ordering::SeqCst);
                if allowed != 0 && n > allowed {
                    self.down.store(true, Ordering::SeqCst);
                }
            }
            if self.down.load(Ordering::SeqCst) {
                return close(&client, &server);
            }
            self.log.lock().unwrap().push((method, path));
            if to_server.write_all(&head).is_err() {
                return close(&client, &server);
            }
            let mut body = (&mut reader).take(length);
            if std::io::copy(&mut body, &mut to_server).is_err() {
                return close(&client, &server);
            }
        }
    }
}

fn close(client: &TcpStream, server: &TcpStream) {
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}

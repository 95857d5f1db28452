//! A small HTTP/1.1 server on 127.0.0.1 for tests that fetch feeds: fixed answers by
//! path (a body, a status, a redirect, gzip when the client accepts it). Tests never
//! touch the network beyond it.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

/// One fixed answer.
#[derive(Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// For a redirect: where to.
    pub location: Option<String>,
}

impl Answer {
    pub fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Answer {
        Answer { status: 200, content_type, body: body.into(), location: None }
    }

    pub fn status(status: u16) -> Answer {
        Answer { status, content_type: "text/plain", body: b"no\n".to_vec(), location: None }
    }

    pub fn redirect(to: &str) -> Answer {
        Answer { status: 301, content_type: "text/plain", body: Vec::new(), location: Some(to.to_string()) }
    }
}

/// A running server; `url(path)` gives an address on it. It stops with the test process.
pub struct Server {
    pub addr: String,
    /// Each request's path, with ` gzip` when the answer was compressed.
    pub requests: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(answers: BTreeMap<String, Answer>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut head = Vec::new();
                let mut buf = [0u8; 1024];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
                let gzip = head.to_ascii_lowercase().contains("accept-encoding:") && head.contains("gzip");
                let answer = answers.get(&path).cloned().unwrap_or_else(|| Answer::status(404));
                let mut body = answer.body.clone();
                let mut extra = String::new();
                seen.lock().unwrap().push(if gzip && answer.status == 200 {
                    format!("{path} gzip")
                } else {
                    path.clone()
                });
                if gzip && answer.status == 200 {
                    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                    gz.write_all(&body).unwrap();
                    body = gz.finish().unwrap();
                    extra.push_str("Content-Encoding: gzip\r\n");
                }
                if let Some(location) = &answer.location {
                    extra.push_str(&format!("Location: {location}\r\n"));
                }
                let response = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                    answer.status,
                    answer.content_type,
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes());
                let _ = stream.write_all(&body);
            }
        });
        Server { addr, requests }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

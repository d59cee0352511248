//! The one loopback HTTP server the tests use in place of the Hub (and of its CDN): it records
//! every request and answers through the test's own handler, one request a connection
//! (`Connection: close`). It stops accepting when dropped. No test touches the real Hub.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request, as the server saw it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Names in lower case, in the order sent.
    pub headers: Vec<(String, String)>,
    /// As many bytes as `Content-Length` said (fewer if the client stopped early).
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn authorization(&self) -> Option<&str> {
        self.header("authorization")
    }

    /// The token of a `Bearer` authorization.
    pub fn bearer(&self) -> Option<&str> {
        self.authorization()?.strip_prefix("Bearer ")
    }
}

/// One answer: status, extra headers, body, and how fast the body goes out.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body one byte per interval (the head at once), to stall a client mid-body.
    pub trickle: Option<Duration>,
    /// In place of the body: zeros without end, a chunk per pause (see [`Endless`]).
    pub endless: Option<Endless>,
}

/// A body that never ends (a hostile server's endless pack): `chunk` zero bytes every `pause`,
/// under a `Content-Length` of 1 TiB, until the client hangs up, 1 GiB is sent or a minute
/// passes. `sent` counts the body bytes written.
#[derive(Debug, Clone)]
pub struct Endless {
    pub chunk: usize,
    pub pause: Duration,
    pub sent: Arc<std::sync::atomic::AtomicU64>,
}

impl Response {
    /// This status with an empty body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            trickle: None,
            endless: None,
        }
    }

    pub fn endless(mut self, endless: Endless) -> Self {
        self.endless = Some(endless);
        self
    }

    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn trickle(mut self, pause: Duration) -> Self {
        self.trickle = Some(pause);
        self
    }
}

type Log = Arc<Mutex<Vec<Request>>>;

/// A server on a loopback port; it stops accepting when dropped.
pub struct Server {
    addr: SocketAddr,
    log: Log,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    /// On 127.0.0.1.
    pub fn start(handler: impl Fn(&Request) -> Response + Send + Sync + 'static) -> Self {
        Self::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST), handler)
    }

    /// On `ip` (another loopback address, or `::1`), port chosen by the system.
    pub fn start_on(
        ip: IpAddr,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback port");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let log: Log = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let thread = {
            let (log, stop) = (log.clone(), stop.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (log, handler) = (log.clone(), handler.clone());
                            // Each connection ends on its own: reads time out, pauses are short.
                            std::thread::spawn(move || serve(stream, &log, &*handler));
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        Server {
            addr,
            log,
            stop,
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, in the order received.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(mut stream: TcpStream, log: &Log, handler: &(dyn Fn(&Request) -> Response + Sync)) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Some(request) = read_request(&mut stream) else {
        return;
    };
    // Logged before the handler runs: a request counts even if its answer is slow.
    log.lock().unwrap().push(request.clone());
    let response = handler(&request);
    // The client may hang up first (a timeout, an oversized body): that is fine.
    let _ = write_response(&mut stream, &response);
}

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(p) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break p + 4;
        }
        if data.len() > 64 * 1024 {
            return None;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_owned();
    let target = first.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
    Some(Request {
        method,
        target,
        headers,
        body: data.split_off(head_end),
    })
}

fn write_response(stream: &mut TcpStream, r: &Response) -> std::io::Result<()> {
    let length = match r.endless {
        Some(_) => 1 << 40,
        None => r.body.len(),
    };
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {length}\r\nConnection: close\r\n",
        r.status,
        reason(r.status),
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if let Some(e) = &r.endless {
        let chunk = vec![0u8; e.chunk];
        let started = std::time::Instant::now();
        while e.sent.load(Ordering::Relaxed) < 1 << 30
            && started.elapsed() < Duration::from_secs(60)
        {
            // The client hangs up when it is stopped: the error ends the loop.
            stream.write_all(&chunk)?;
            e.sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            std::thread::sleep(e.pause);
        }
        return stream.flush();
    }
    match r.trickle {
        None => stream.write_all(&r.body)?,
        Some(pause) => {
            for b in &r.body {
                std::thread::sleep(pause);
                // The client hangs up at its deadline: the error ends the loop.
                stream.write_all(&[*b])?;
                stream.flush()?;
            }
        }
    }
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Other",
    }
}

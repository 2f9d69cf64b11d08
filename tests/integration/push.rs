//! `delivery::push` against a real S3-compatible server (moto, started on 127.0.0.1 per
//! test), through a fault-injecting proxy: 500s, resets mid-request and mid-response,
//! stalls, and an endpoint that stops answering half way. What the server holds is read
//! back with object_store directly (not through the proxy) and compared with the
//! receipts; the proxy's log says which requests reached the server.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use consentry::delivery::push::{push, PushEvent, PushOptions, Receipt, Upload, SHA256_METADATA};
use consentry::ErrorCode;
use object_store::aws::AmazonS3Builder;
use object_store::{Attribute, GetOptions, ObjectStore, ObjectStoreExt};
use sha2::{Digest, Sha256};

const MIB: usize = 1024 * 1024;

// --- moto ---------------------------------------------------------------------------------

/// `moto_server` on a free port of 127.0.0.1, killed on drop.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Moto {
        let exe = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools-venv/bin/moto_server");
        assert!(
            exe.exists(),
            "{} is missing: run `scripts/install-deps.sh all` (it installs moto into target/tools-venv)",
            exe.display()
        );
        let port = free_port();
        let child = Command::new(&exe)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
        let mut moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(Some(status)) = moto.child.try_wait() {
                panic!("moto_server exited at start: {status}");
            }
            if let Some(status) = raw_request(port, "GET", "/", b"") {
                assert_eq!(status, 200, "moto_server answered GET / with {status}");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on port {port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }

    /// object_store cannot create buckets: a plain, unsigned PUT (moto does not check).
    fn create_bucket(&self, bucket: &str) {
        let status = raw_request(self.port, "PUT", &format!("/{bucket}"), b"").expect("moto is up");
        assert_eq!(status, 200, "creating bucket {bucket}");
    }

    /// The bucket, read straight from moto (no proxy).
    fn bucket(&self, bucket: &str) -> Bucket {
        Bucket {
            store: Box::new(
                s3_settings(self.port)
                    .into_iter()
                    .fold(
                        AmazonS3Builder::new().with_bucket_name(bucket),
                        |b, (k, v)| b.with_config(k.parse().unwrap(), v),
                    )
                    .build()
                    .unwrap(),
            ),
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request on its own connection; the response's status, or `None` if
/// nothing answers.
fn raw_request(port: u16, method: &str, target: &str, body: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .ok()?;
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).ok()?;
    status_of(&response)
}

fn status_of(response: &[u8]) -> Option<u16> {
    let line = response.split(|&b| b == b'\n').next()?;
    std::str::from_utf8(line)
        .ok()?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn s3_settings(port: u16) -> Vec<(String, String)> {
    [
        ("aws_endpoint", format!("http://127.0.0.1:{port}")),
        ("aws_allow_http", "true".into()),
        ("aws_access_key_id", "consentry-test".into()),
        ("aws_secret_access_key", "consentry-test".into()),
        ("aws_region", "us-east-1".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// What the server holds, per key: size, ETag, metadata sha256 and the content's SHA-256.
struct Bucket {
    store: Box<dyn ObjectStore>,
}

#[derive(Debug, PartialEq)]
struct Held {
    bytes: u64,
    etag: Option<String>,
    metadata_sha256: Option<String>,
    content_sha256: String,
}

impl Bucket {
    fn objects(&self) -> BTreeMap<String, Held> {
        runtime().block_on(async {
            use futures::TryStreamExt;
            let listed: Vec<_> = self.store.list(None).try_collect().await.unwrap();
            let mut held = BTreeMap::new();
            for meta in listed {
                let head = self
                    .store
                    .get_opts(&meta.location, GetOptions::default().with_head(true))
                    .await
                    .unwrap();
                let content = self
                    .store
                    .get(&meta.location)
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                held.insert(
                    meta.location.to_string(),
                    Held {
                        bytes: head.meta.size,
                        etag: head.meta.e_tag,
                        metadata_sha256: head
                            .attributes
                            .get(&Attribute::Metadata(SHA256_METADATA.into()))
                            .map(|v| v.to_string()),
                        content_sha256: hex::encode(Sha256::digest(&content)),
                    },
                );
            }
            held
        })
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// --- the fault-injecting proxy ------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// Answer 500 InternalError without forwarding.
    Status500,
    /// Read the request head only, then close: the body is cut off (a reset).
    ResetRequest,
    /// Forward the request, then cut the response half way through its head.
    ResetResponse,
    /// Read the request and say nothing until the client gives up.
    Stall,
    /// Answer 404 NoSuchUpload without forwarding, as a strict server answers a second
    /// completion of a multipart upload it has completed.
    NoSuchUpload,
}

/// Requests whose method is `method` and whose target contains `target` get `fault`,
/// the next `times` of them.
struct Rule {
    method: &'static str,
    target: &'static str,
    fault: Fault,
    times: u32,
}

/// One request the proxy saw: its fault, or the server's status.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    fault: Option<Fault>,
    status: Option<u16>,
}

impl Seen {
    /// The object key a completed write created: a PUT without `partNumber` (a single
    /// upload) or the POST that completes a multipart upload.
    fn completed_write(&self) -> Option<String> {
        let ok = self.fault.is_none() && self.status.is_some_and(|s| (200..300).contains(&s));
        let (path, query) = self.target.split_once('?').unwrap_or((&self.target, ""));
        let write = (self.method == "PUT" && !query.contains("partNumber"))
            || (self.method == "POST" && query.contains("uploadId"));
        // /bucket/key...
        (ok && write).then(|| path.splitn(3, '/').nth(2).unwrap_or("").to_string())
    }

    fn is_write(&self) -> bool {
        self.method == "PUT" || self.method == "POST"
    }
}

#[derive(Default)]
struct ProxyState {
    rules: Vec<Rule>,
    log: Vec<Seen>,
    /// Accept this many more connections (one request each), then close the listener.
    stop_after: Option<usize>,
}

struct Proxy {
    port: u16,
    upstream: u16,
    state: Arc<Mutex<ProxyState>>,
    stopping: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl Proxy {
    fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut proxy = Proxy {
            port: listener.local_addr().unwrap().port(),
            upstream,
            state: Arc::default(),
            stopping: Arc::default(),
            accept: None,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let (state, stopping, upstream) =
            (self.state.clone(), self.stopping.clone(), self.upstream);
        self.accept = Some(std::thread::spawn(move || {
            for client in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                let state2 = state.clone();
                std::thread::spawn(move || relay(client, upstream, &state2));
                let mut state = state.lock().unwrap();
                if let Some(left) = state.stop_after.as_mut() {
                    *left -= 1;
                    if *left == 0 {
                        // The listener is dropped here: from now on, connections are refused.
                        return;
                    }
                }
            }
        }));
    }

    fn fault(&self, method: &'static str, target: &'static str, fault: Fault, times: u32) {
        self.state.lock().unwrap().rules.push(Rule {
            method,
            target,
            fault,
            times,
        });
    }

    /// After `requests` more requests, refuse every connection: the endpoint is gone.
    fn stop_after(&self, requests: usize) {
        self.state.lock().unwrap().stop_after = Some(requests);
    }

    /// Healthy again, on the same port, after [`Proxy::stop_after`] closed it.
    fn restart(&mut self) {
        if let Some(accept) = self.accept.take() {
            accept.join().unwrap();
        }
        self.state.lock().unwrap().stop_after = None;
        let listener = TcpListener::bind(("127.0.0.1", self.port)).unwrap();
        self.serve(listener);
    }

    fn log(&self) -> Vec<Seen> {
        self.state.lock().unwrap().log.clone()
    }

    fn clear_log(&self) {
        self.state.lock().unwrap().log.clear();
    }

    fn rules_left(&self) -> u32 {
        self.state
            .lock()
            .unwrap()
            .rules
            .iter()
            .map(|r| r.times)
            .sum()
    }

    fn settings(&self) -> Vec<(String, String)> {
        s3_settings(self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Serves one request from `client` (the responses say `Connection: close`).
fn relay(client: TcpStream, upstream: u16, state: &Mutex<ProxyState>) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let Some((method, target, head)) = read_head(&mut reader) else {
        return;
    };
    let fault = {
        let mut state = state.lock().unwrap();
        let rule = state
            .rules
            .iter_mut()
            .find(|r| r.times > 0 && r.method == method && target.contains(r.target));
        let fault = rule.map(|r| {
            r.times -= 1;
            r.fault
        });
        state.log.push(Seen {
            method: method.clone(),
            target: target.clone(),
            fault,
            status: None,
        });
        fault
    };
    let index = state.lock().unwrap().log.len() - 1;
    let mut client = client;
    if fault == Some(Fault::ResetRequest) {
        // Unread request bytes make the kernel answer with a reset.
        return;
    }
    let body = read_body(&mut reader, &head);
    match fault {
        Some(Fault::Status500) => {
            let body = "<?xml version=\"1.0\"?><Error><Code>InternalError</Code><Message>injected</Message></Error>";
            let _ = write!(
                client,
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Some(Fault::NoSuchUpload) => {
            let body = "<?xml version=\"1.0\"?><Error><Code>NoSuchUpload</Code><Message>injected</Message></Error>";
            let _ = write!(
                client,
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Some(Fault::Stall) => {
            // Hold the connection until the client hangs up (or 30 s, not to leak threads).
            let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
            let _ = client.read(&mut [0; 1]);
        }
        Some(Fault::ResetRequest) => unreachable!(),
        None | Some(Fault::ResetResponse) => {
            let Some(response) = forward(upstream, &head, &body) else {
                return;
            };
            state.lock().unwrap().log[index].status = status_of(&response);
            if fault == Some(Fault::ResetResponse) {
                let _ = client.write_all(&response[..response.len().min(20)]);
                return;
            }
            let _ = client.write_all(&with_connection_close(&response));
        }
    }
    let _ = client.shutdown(Shutdown::Both);
}

/// The request line and head (with `Connection: close` in place of any Connection header).
fn read_head(reader: &mut impl BufRead) -> Option<(String, String, Vec<String>)> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end_matches(['\r', '\n']).to_string();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let mut first = lines.first()?.split_whitespace();
    let (method, target) = (first.next()?.to_string(), first.next()?.to_string());
    Some((method, target, lines))
}

fn header<'h>(head: &'h [String], name: &str) -> Option<&'h str> {
    head.iter().skip(1).find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The request body, as sent (chunked bodies keep their framing).
fn read_body(reader: &mut impl BufRead, head: &[String]) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(len) = header(head, "content-length") {
        body.resize(len.parse().unwrap(), 0);
        reader.read_exact(&mut body).unwrap_or(());
    } else if header(head, "transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            if reader.read_line(&mut size).unwrap_or(0) == 0 {
                break;
            }
            body.extend_from_slice(size.as_bytes());
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap(), 16).unwrap_or(0);
            let mut chunk = vec![0; n + 2];
            if reader.read_exact(&mut chunk).is_err() {
                break;
            }
            body.extend_from_slice(&chunk);
            if n == 0 {
                break;
            }
        }
    }
    body
}

/// Sends the request to the server on a fresh connection; its whole response.
fn forward(upstream: u16, head: &[String], body: &[u8]) -> Option<Vec<u8>> {
    let mut server = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    let mut text = String::new();
    for line in head {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            text.push_str(line);
            text.push_str("\r\n");
        }
    }
    text.push_str("Connection: close\r\n\r\n");
    server.write_all(text.as_bytes()).ok()?;
    server.write_all(body).ok()?;
    let mut response = Vec::new();
    server.read_to_end(&mut response).ok()?;
    Some(response)
}

/// The response with `Connection: close`, so that the client does not reuse the connection.
fn with_connection_close(response: &[u8]) -> Vec<u8> {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |p| p + 4);
    let head = String::from_utf8_lossy(&response[..end]);
    let mut out = String::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&response[end..]);
    bytes
}

// --- the package and the pushes -----------------------------------------------------------

/// A package folder: `shards` data files of the given sizes, then the manifest and its
/// two signatures, in the order a push sends them.
fn package(dir: &Path, shard_sizes: &[usize]) -> Vec<Upload> {
    let mut files = Vec::new();
    let mut add = |name: String, content: Vec<u8>| {
        let path = dir.join(&name);
        std::fs::write(&path, &content).unwrap();
        files.push(Upload {
            key: name,
            path,
            bytes: content.len() as u64,
            sha256: hex::encode(Sha256::digest(&content)),
        });
    };
    for (i, &size) in shard_sizes.iter().enumerate() {
        let mut content = Vec::with_capacity(size);
        let mut n = 0u64;
        while content.len() < size {
            content.extend_from_slice(
                format!("{{\"id\":\"p{i}-{n}\",\"text\":\"post {n}\"}}\n").as_bytes(),
            );
            n += 1;
        }
        content.truncate(size);
        add(format!("part-{i:05}.jsonl"), content);
    }
    add("manifest.json".into(), br#"{"name":"snapshot"}"#.to_vec());
    add(
        "manifest.json.minisig".into(),
        b"untrusted comment: minisign\n".to_vec(),
    );
    add("manifest.json.sig".into(), b"signature".to_vec());
    files
}

fn options(settings: Vec<(String, String)>) -> PushOptions {
    PushOptions {
        multipart_threshold: 5 * MIB as u64,
        part_size: 5 * MIB as u64,
        part_concurrency: 2,
        max_retries: 6,
        retry_timeout: Duration::from_secs(60),
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(100),
        request_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(2),
        config: settings,
    }
}

/// What the caller keeps: the receipts of `Done`, and every event in short form.
#[derive(Default)]
struct Kept {
    receipts: Vec<Receipt>,
    events: Vec<String>,
    failed_attempts: Vec<String>,
    progress: BTreeMap<String, Vec<(u64, u64)>>,
}

fn run(
    url: &str,
    files: &[Upload],
    options: &PushOptions,
) -> (consentry::Result<Vec<Receipt>>, Kept) {
    let mut kept = Kept::default();
    let result = push(url, files, options, &mut |event| {
        match event {
            PushEvent::Started { key, .. } => kept.events.push(format!("started {key}")),
            PushEvent::Progress { key, sent, bytes } => kept
                .progress
                .entry(key.to_string())
                .or_default()
                .push((sent, bytes)),
            PushEvent::AttemptFailed { reason, .. } => {
                kept.failed_attempts.push(reason.to_string())
            }
            PushEvent::Done(receipt) => {
                kept.events.push(format!("done {}", receipt.key));
                kept.receipts.push(receipt.clone());
            }
        }
        Ok(())
    });
    (result, kept)
}

/// Every receipt is an object the server holds, as the receipt says, and the server
/// holds nothing else.
fn assert_matches_server(receipts: &[Receipt], bucket: &Bucket) {
    let held = bucket.objects();
    let keys: Vec<&String> = held.keys().collect();
    let mut receipt_keys: Vec<&String> = receipts.iter().map(|r| &r.key).collect();
    receipt_keys.sort();
    assert_eq!(
        keys, receipt_keys,
        "the server holds exactly the receipts' objects"
    );
    for receipt in receipts {
        let object = &held[&receipt.key];
        assert_eq!(object.bytes, receipt.bytes, "{}: size", receipt.key);
        assert_eq!(object.etag, receipt.etag, "{}: ETag", receipt.key);
        assert_eq!(
            object.metadata_sha256.as_deref(),
            Some(receipt.sha256.as_str()),
            "{}: metadata",
            receipt.key
        );
        assert_eq!(
            object.content_sha256, receipt.sha256,
            "{}: content",
            receipt.key
        );
    }
}

struct Bench {
    moto: Moto,
    proxy: Proxy,
    dir: tempfile::TempDir,
}

impl Bench {
    fn new() -> Bench {
        let moto = Moto::start();
        moto.create_bucket("partner");
        let proxy = Proxy::start(moto.port);
        Bench {
            moto,
            proxy,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn options(&self) -> PushOptions {
        options(self.proxy.settings())
    }

    fn bucket(&self) -> Bucket {
        self.moto.bucket("partner")
    }
}

const URL: &str = "s3://partner/deliveries/snapshot-7";

fn key(name: &str) -> String {
    format!("deliveries/snapshot-7/{name}")
}

// --- the tests ----------------------------------------------------------------------------

#[test]
fn a_clean_push_leaves_what_the_receipts_say() {
    let bench = Bench::new();
    let files = package(bench.dir.path(), &[3000, 2000, 1000]);
    let (result, kept) = run(URL, &files, &bench.options());
    let receipts = result.unwrap();
    assert_eq!(
        receipts, kept.receipts,
        "every receipt was handed over on Done"
    );
    let keys: Vec<String> = receipts.iter().map(|r| r.key.clone()).collect();
    let expected: Vec<String> = files.iter().map(|f| key(&f.key)).collect();
    assert_eq!(keys, expected);
    assert!(receipts.iter().all(|r| !r.skipped && r.etag.is_some()));
    assert!(
        kept.failed_attempts.is_empty(),
        "{:?}",
        kept.failed_attempts
    );
    assert_matches_server(&receipts, &bench.bucket());
}

#[test]
fn faults_are_retried_and_the_manifest_goes_last() {
    let bench = Bench::new();
    let files = package(bench.dir.path(), &[4000, 3000, 2000, 1000]);
    let proxy = &bench.proxy;
    proxy.fault("PUT", "/", Fault::Status500, 2);
    proxy.fault("HEAD", "/", Fault::Stall, 1);
    proxy.fault("PUT", "/", Fault::ResetRequest, 1);
    proxy.fault("PUT", "/", Fault::ResetResponse, 1);
    proxy.fault("HEAD", "/", Fault::ResetResponse, 1);
    proxy.fault("PUT", "manifest.json.sig", Fault::Status500, 1);
    let (result, kept) = run(URL, &files, &bench.options());
    let receipts = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(proxy.rules_left(), 0, "every injected fault happened");
    assert_eq!(kept.failed_attempts.len(), 7, "{:#?}", kept.failed_attempts);
    assert_matches_server(&receipts, &bench.bucket());
    // Completed writes, in the order the server saw them: the files' order, so the
    // manifest and its signatures after every shard.
    let writes: Vec<String> = proxy
        .log()
        .iter()
        .filter_map(Seen::completed_write)
        .collect();
    let mut order: Vec<String> = writes.clone();
    order.dedup(); // a PUT whose response was cut reached the server and was sent again
    let expected: Vec<String> = files.iter().map(|f| key(&f.key)).collect();
    assert_eq!(order, expected, "writes in order: {writes:?}");
}

#[test]
fn a_second_push_sends_nothing() {
    let bench = Bench::new();
    let files = package(bench.dir.path(), &[6 * MIB, 2000]);
    let (first, _) = run(URL, &files, &bench.options());
    let first = first.unwrap();
    bench.proxy.clear_log();
    let (second, kept) = run(URL, &files, &bench.options());
    let second = second.unwrap();
    assert!(second.iter().all(|r| r.skipped), "{second:#?}");
    let writes: Vec<Seen> = bench
        .proxy
        .log()
        .into_iter()
        .filter(Seen::is_write)
        .collect();
    assert!(writes.is_empty(), "no write reached the server: {writes:?}");
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            (&a.key, a.bytes, &a.sha256, &a.etag),
            (&b.key, b.bytes, &b.sha256, &b.etag)
        );
    }
    assert_eq!(kept.receipts, second);
    assert_matches_server(&second, &bench.bucket());
}

#[test]
fn an_endpoint_gone_half_way_is_refused_and_a_rerun_resumes() {
    let mut bench = Bench::new();
    let files = package(bench.dir.path(), &[1000, 1000, 1000, 1000]);
    // HEAD+PUT per file: after 5 requests the third file is looked up, not sent.
    bench.proxy.stop_after(5);
    let (result, kept) = run(URL, &files, &bench.options());
    let error = result.unwrap_err();
    assert_eq!(error.code(), ErrorCode::Unreachable, "{error}");
    let message = error.to_string();
    assert!(message.contains(URL), "names the destination: {message}");
    assert!(
        message.contains(&format!("127.0.0.1:{}", bench.proxy.port)),
        "names the endpoint: {message}"
    );
    assert!(
        message.contains(&key("part-00002.jsonl")),
        "names the file: {message}"
    );
    assert!(message.contains("run the push again"), "{message}");
    let done: Vec<&str> = kept.receipts.iter().map(|r| r.key.as_str()).collect();
    assert_eq!(done, [key("part-00000.jsonl"), key("part-00001.jsonl")]);
    assert_matches_server(&kept.receipts, &bench.bucket());

    bench.proxy.restart();
    bench.proxy.clear_log();
    let (again, _) = run(URL, &files, &bench.options());
    let again = again.unwrap();
    let skipped: Vec<bool> = again.iter().map(|r| r.skipped).collect();
    assert_eq!(skipped, [true, true, false, false, false, false, false]);
    let written: Vec<String> = bench
        .proxy
        .log()
        .iter()
        .filter_map(Seen::completed_write)
        .collect();
    let expected: Vec<String> = files[2..].iter().map(|f| key(&f.key)).collect();
    assert_eq!(written, expected, "only what was missing was sent");
    assert_matches_server(&again, &bench.bucket());
}

#[test]
fn a_large_file_goes_in_parts_and_survives_a_failed_part() {
    let bench = Bench::new();
    let files = package(bench.dir.path(), &[12 * MIB]);
    bench
        .proxy
        .fault("PUT", "partNumber=2", Fault::Status500, 1);
    bench
        .proxy
        .fault("PUT", "partNumber=3", Fault::ResetRequest, 1);
    bench.proxy.fault("POST", "uploadId", Fault::Status500, 1);
    let (result, kept) = run(URL, &files, &bench.options());
    let receipts = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bench.proxy.rules_left(), 0);
    let shard = key("part-00000.jsonl");
    let parts: Vec<Seen> = bench
        .proxy
        .log()
        .into_iter()
        .filter(|s| s.method == "PUT" && s.target.contains("partNumber") && s.fault.is_none())
        .collect();
    assert_eq!(parts.len(), 3, "three parts of 5, 5 and 2 MiB: {parts:?}");
    let sent: Vec<u64> = kept.progress[&shard]
        .iter()
        .map(|&(sent, _)| sent)
        .collect();
    assert_eq!(sent.last(), Some(&(12 * MIB as u64)), "{sent:?}");
    assert!(sent.windows(2).all(|w| w[0] < w[1]), "{sent:?}");
    assert!(
        receipts[0]
            .etag
            .as_deref()
            .is_some_and(|e| e.contains("-3")),
        "{:?}",
        receipts[0].etag
    );
    assert_matches_server(&receipts, &bench.bucket());
}

#[test]
fn a_completion_whose_answer_was_lost_is_not_a_failure() {
    let bench = Bench::new();
    let files = package(bench.dir.path(), &[11 * MIB]);
    // The server completes the upload; the client never hears it and asks again, for
    // an upload that no longer exists.
    bench
        .proxy
        .fault("POST", "uploadId", Fault::ResetResponse, 1);
    bench
        .proxy
        .fault("POST", "uploadId", Fault::NoSuchUpload, 1);
    let (result, _) = run(URL, &files, &bench.options());
    let receipts = result.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(bench.proxy.rules_left(), 0);
    assert!(!receipts[0].skipped);
    assert_matches_server(&receipts, &bench.bucket());
}

#[test]
fn a_folder_is_a_destination_too() {
    let source = tempfile::tempdir().unwrap();
    let target = tempfile::tempdir().unwrap();
    let files = package(source.path(), &[6 * MIB, 100]);
    let url = url::Url::from_directory_path(target.path())
        .unwrap()
        .to_string();
    let (first, _) = run(&url, &files, &options(Vec::new()));
    let first = first.unwrap();
    for file in &files {
        assert_eq!(
            std::fs::read(target.path().join(&file.key)).unwrap(),
            std::fs::read(&file.path).unwrap()
        );
    }
    assert!(first.iter().all(|r| !r.skipped));
    let (second, _) = run(&url, &files, &options(Vec::new()));
    assert!(
        second.unwrap().iter().all(|r| r.skipped),
        "same content: skipped"
    );

    // A file changed since it was described is not delivered under that description.
    std::fs::write(&files[1].path, b"changed").unwrap();
    let mut changed = files[1].clone();
    changed.bytes = 7;
    let other = tempfile::tempdir().unwrap();
    let other_url = url::Url::from_directory_path(other.path())
        .unwrap()
        .to_string();
    let error = run(&other_url, &[changed], &options(Vec::new()))
        .0
        .unwrap_err();
    assert_eq!(error.code(), ErrorCode::Conflict, "{error}");
    assert_eq!(
        std::fs::read_dir(other.path()).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn unknown_destinations_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let files = package(dir.path(), &[10]);
    let missing = dir.path().join("no-such-folder");
    for url in [
        "ftp://example.com/x".to_string(),
        "not a url".to_string(),
        format!("file://{}", missing.display()),
    ] {
        let error = run(&url, &files, &options(Vec::new())).0.unwrap_err();
        assert_eq!(error.code(), ErrorCode::Invalid, "{url}: {error}");
        assert_eq!(error.fields()[0].field, "to", "{url}: {error}");
        assert!(error.to_string().contains(&url), "{error}");
    }
    let mut bad = options(Vec::new());
    bad.part_size = 1024;
    let error = run("file:///tmp", &files, &bad).0.unwrap_err();
    assert_eq!(error.fields()[0].field, "part_size", "{error}");
}

/// The whole path a user takes: `delivery create`, then `delivery push` to the partner's
/// bucket through an endpoint that goes away half way, the receipts the store kept,
/// and a re-run that resumes; credentials and endpoint from the standard variables.
#[test]
fn the_cli_pushes_a_delivery_keeps_its_receipts_and_resumes() {
    let mut bench = Bench::new();
    let d = crate::deliveries::Delivered::new();
    let id = d.delivery["delivery_id"].to_string();
    let files = d.delivery["files"].as_array().unwrap().len();
    let push = |proxy: &Proxy| {
        d.ws.cmd(&[
            "delivery",
            "push",
            &id,
            "--to",
            "s3://partner/deal-1/delivery-1",
            "--json",
        ])
        .env(
            "AWS_ENDPOINT_URL",
            format!("http://127.0.0.1:{}", proxy.port),
        )
        .env("AWS_ALLOW_HTTP", "true")
        .env("AWS_ACCESS_KEY_ID", "consentry-test")
        .env("AWS_SECRET_ACCESS_KEY", "consentry-test")
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap()
    };
    let stored = || -> Vec<Receipt> {
        let shown = d.ws.ok(&["delivery", "show", &id]);
        shown["receipts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| Receipt {
                key: r["key"].as_str().unwrap().into(),
                bytes: r["bytes"].as_u64().unwrap(),
                sha256: r["sha256"].as_str().unwrap().into(),
                etag: r["etag"].as_str().map(String::from),
                version: None,
                uploaded_at: String::new(),
                skipped: false,
            })
            .collect()
    };
    // HEAD + PUT per object: after 5 requests the third object is looked up, not sent.
    bench.proxy.stop_after(5);
    let out = push(&bench.proxy);
    assert_eq!(out.status.code(), Some(1));
    let error: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(error["error"]["code"], "unreachable", "{error}");
    let kept = stored();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_matches_server(&kept, &bench.bucket());

    bench.proxy.restart();
    let out = push(&bench.proxy);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["skipped"], 2);
    assert_eq!(report["uploaded"], files + 3 - 2);
    let keys: Vec<&str> = report["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        &keys[files..],
        [
            "deal-1/delivery-1/manifest.json",
            "deal-1/delivery-1/manifest.json.minisig",
            "deal-1/delivery-1/manifest.json.sig"
        ],
        "the manifest and its signatures go last"
    );
    let all = stored();
    assert_eq!(all.len(), files + 3);
    assert_matches_server(&all, &bench.bucket());
    assert_eq!(d.ws.ok(&["audit", "verify"])["ok"], true);
}

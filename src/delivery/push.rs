//! The upload engine of `consentry delivery push`: puts a package's files into a
//! partner's bucket (`s3://`, S3-compatible endpoints, `gs://`, `az://`) or a folder
//! (`file://`), through the `object_store` crate.
//!
//! What it guarantees:
//!
//! - **Order.** Files go one after the other, in the order given, each complete (a
//!   single PUT, or a multipart upload completed) before the next starts. The caller
//!   puts the manifest and its signatures last, so a partner never sees a manifest
//!   before its files.
//! - **Truthful metadata.** Every object carries its SHA-256 in its user metadata
//!   (`sha256`, e.g. `x-amz-meta-sha256`). The file is hashed as it is read and the
//!   upload is refused before it completes when the file is not what the caller said.
//! - **Resumable.** Before uploading, each key is looked up; an object of the same size
//!   and SHA-256 is not sent again (its receipt says `skipped`). A folder keeps no
//!   metadata, so there the object's content is hashed instead. A push that stopped
//!   (unreachable endpoint, cancelled) leaves the receipts of what it finished, through
//!   [`PushEvent::Done`], and running it again resumes.
//! - **Retries.** Object_store's own retry (`RetryConfig`) sends every request again
//!   with exponential backoff and jitter on 5xx, 429, 408, refused connections,
//!   timeouts and resets; every request this module makes (HEAD, PUT, multipart
//!   create/part/complete) is idempotent, so timeouts and resets are retried too. Each
//!   attempt that fails in one of those ways is reported as [`PushEvent::AttemptFailed`]. When the retries run
//!   out on such a failure, the push fails with [`Error::Unreachable`]; a destination
//!   that answers with a refusal (denied, no such bucket) fails with [`Error::Invalid`]
//!   on the field `to`.
//! - **Bounded memory.** A file at or under the multipart threshold is read whole; a
//!   larger one is read part by part, at most `part_concurrency` parts in flight.
//!
//! Credentials come from each cloud's standard environment variables (object_store's
//! `from_env`: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//! `AWS_REGION`, `AWS_ENDPOINT_URL`/`AWS_ENDPOINT`, `AWS_ALLOW_HTTP`, ...;
//! `GOOGLE_APPLICATION_CREDENTIALS`, `GOOGLE_SERVICE_ACCOUNT`, ...; `AZURE_STORAGE_*`),
//! for S3 from the AWS shared profile when the environment has no key (`AWS_PROFILE`,
//! `~/.aws/credentials` and `~/.aws/config`, see `aws_profile`), then from the
//! instance's or container's metadata service, and from [`PushOptions::config`],
//! which overrides the environment.
//!
//! The API is synchronous: it builds a single-threaded tokio runtime for the call.
//! Do not call it from inside an async runtime (the desktop shell runs it on a
//! blocking thread).

use std::fs::File;
use std::future::Future;
use std::io::Read;
use std::path::PathBuf;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use futures::future::Either;
use futures::stream::{FuturesUnordered, StreamExt};
use object_store::client::{
    HttpClient, HttpConnector, HttpError, HttpErrorKind, HttpRequest, HttpResponse, HttpService,
    ReqwestConnector,
};
use object_store::path::Path;
use object_store::{
    Attribute, Attributes, BackoffConfig, ClientConfigKey, GetOptions, ObjectStore, ObjectStoreExt,
    ObjectStoreScheme, PutMultipartOptions, PutOptions, PutPayload, RetryConfig,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use crate::error::{Error, Result};

/// The user-metadata key that holds an object's SHA-256 (hex).
pub const SHA256_METADATA: &str = "sha256";

/// S3's and GCS's smallest part but the last; Azure has none, the rule is kept for all.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// S3's and GCS's largest number of parts in one upload; bigger files get bigger parts.
const MAX_PARTS: u64 = 10_000;

/// One file of the package, as the caller knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The object's name under the destination's prefix, e.g. `part-00000.jsonl`.
    pub key: String,
    /// The file to read.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, lowercase hex, known beforehand (the package's manifest has it).
    pub sha256: String,
}

/// What the destination holds for one file, once it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    /// The full object key in the bucket (prefix included), or the path in the folder.
    pub key: String,
    /// The object's size in bytes.
    pub bytes: u64,
    /// The object's SHA-256, lowercase hex, as recorded in its metadata.
    pub sha256: String,
    /// The ETag the destination gave the object, if it gives one.
    pub etag: Option<String>,
    /// The object's version, when the bucket is versioned.
    pub version: Option<String>,
    /// RFC 3339 UTC with milliseconds: when this push completed the upload, or for a
    /// skipped object when the destination last modified it.
    pub uploaded_at: String,
    /// The object was already there with the same size and SHA-256; nothing was sent.
    pub skipped: bool,
}

/// What a push reports as it goes.
#[derive(Debug)]
pub enum PushEvent<'a> {
    /// A file is being looked up, then sent if needed.
    Started {
        /// The full object key.
        key: &'a str,
        /// The file's size.
        bytes: u64,
    },
    /// Parts of a multipart upload are done (files over the multipart threshold only).
    Progress {
        /// The full object key.
        key: &'a str,
        /// Bytes of completed parts so far.
        sent: u64,
        /// The file's size.
        bytes: u64,
    },
    /// One HTTP attempt failed. Object_store tries again after a backoff while its
    /// retry budget lasts; when it runs out, the push returns the error.
    AttemptFailed {
        /// The full object key.
        key: &'a str,
        /// Failed attempts for this key so far, this one included.
        failures: u32,
        /// What failed: the request and the status or transport error.
        reason: &'a str,
    },
    /// The object is at the destination; store this receipt before the next event.
    Done(&'a Receipt),
}

/// How to push. [`PushOptions::default`] suits real clouds; tests shrink the numbers.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Files larger than this go as a multipart upload.
    pub multipart_threshold: u64,
    /// The size of each part but the last; at least [`MIN_PART_SIZE`], raised when a
    /// file would need more than 10,000 parts.
    pub part_size: u64,
    /// Parts of one file sent at once (memory: this many parts).
    pub part_concurrency: usize,
    /// How many times a failed request is sent again.
    pub max_retries: usize,
    /// No retry starts later than this after a request's first attempt.
    pub retry_timeout: Duration,
    /// The first backoff; each next one is about twice as long, with jitter.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// A request (its body included) that takes longer fails as a timeout, and is retried.
    pub request_timeout: Duration,
    /// Connecting that takes longer fails, and is retried.
    pub connect_timeout: Duration,
    /// Settings for the destination's client, as object_store's configuration keys
    /// (`aws_endpoint`, `aws_access_key_id`, `aws_allow_http`, `google_service_account`,
    /// `azure_storage_account_name`, ...); they override the environment.
    pub config: Vec<(String, String)>,
}

impl Default for PushOptions {
    fn default() -> Self {
        Self {
            multipart_threshold: 64 * 1024 * 1024,
            part_size: 16 * 1024 * 1024,
            part_concurrency: 4,
            max_retries: 10,
            retry_timeout: Duration::from_secs(3 * 60),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(15),
            request_timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            config: Vec::new(),
        }
    }
}

/// Uploads `files`, in the order given, to `url` (`s3://bucket/prefix`, `gs://bucket/prefix`,
/// `az://container/prefix`, `file:///absolute/folder`), skipping those already there
/// with the same size and SHA-256. Calls `on_event` as it goes; the caller stores each
/// receipt on [`PushEvent::Done`], so that an interrupted push keeps what was done (an
/// error from `on_event` stops the push and is returned). Returns every receipt, in the
/// order of `files`.
pub fn push(
    url: &str,
    files: &[Upload],
    options: &PushOptions,
    on_event: &mut dyn FnMut(PushEvent) -> Result<()>,
) -> Result<Vec<Receipt>> {
    check_options(options)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("cannot start the upload runtime", e))?;
    runtime.block_on(push_all(url, files, options, on_event))
}

fn check_options(options: &PushOptions) -> Result<()> {
    let mut problems = crate::error::Problems::default();
    if options.part_size < MIN_PART_SIZE {
        problems.add(
            "part_size",
            format!("must be at least {MIN_PART_SIZE} bytes (5 MiB), the clouds' smallest part"),
        );
    }
    if options.multipart_threshold < options.part_size.max(MIN_PART_SIZE) {
        problems.add(
            "multipart_threshold",
            "must be at least the part size: a smaller file is one PUT",
        );
    }
    if options.part_concurrency == 0 {
        problems.add("part_concurrency", "must be at least 1");
    }
    problems.into_result()
}

async fn push_all(
    url: &str,
    files: &[Upload],
    options: &PushOptions,
    on_event: &mut dyn FnMut(PushEvent) -> Result<()>,
) -> Result<Vec<Receipt>> {
    let (attempts_tx, attempts) = unbounded_channel();
    let destination = Destination::open(url, options, attempts_tx)?;
    let keys = files
        .iter()
        .map(|file| destination.path(&file.key))
        .collect::<Result<Vec<_>>>()?;
    let mut watch = Watch {
        attempts,
        on_event,
        failures: 0,
        last_transient: false,
    };
    let mut receipts = Vec::with_capacity(files.len());
    for (file, path) in files.iter().zip(&keys) {
        let key = path.as_ref();
        watch.start(key, file.bytes)?;
        let found = watch
            .wait(key, destination.existing(path, file))
            .await?
            .map_err(|e| destination.failed(&watch, e, "looking it up", key, &receipts, files))?;
        let receipt = match found {
            Some(receipt) => receipt,
            None if file.bytes > options.multipart_threshold => destination
                .put_multipart(path, file, options, &mut watch)
                .await
                .map_err(|e| e.into_error(&destination, &watch, key, &receipts, files))?,
            None => destination
                .put(path, file, &mut watch)
                .await
                .map_err(|e| e.into_error(&destination, &watch, key, &receipts, files))?,
        };
        (watch.on_event)(PushEvent::Done(&receipt))?;
        receipts.push(receipt);
    }
    Ok(receipts)
}

/// Why an upload stopped: the file, the caller, or the destination.
enum Failure {
    /// Already the crate's error (a file that cannot be read or is not what was said,
    /// or the caller's `on_event` refused).
    Core(Error),
    /// The destination failed; what was being done.
    Remote(object_store::Error, String),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl Failure {
    fn into_error(
        self,
        destination: &Destination,
        watch: &Watch<'_>,
        key: &str,
        done: &[Receipt],
        files: &[Upload],
    ) -> Error {
        match self {
            Failure::Core(e) => e,
            Failure::Remote(e, doing) => destination.failed(watch, e, &doing, key, done, files),
        }
    }
}

/// The bucket or folder, and the prefix every key goes under.
struct Destination {
    url: String,
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    /// A folder keeps no metadata: objects are hashed to be compared.
    local: bool,
}

impl Destination {
    fn open(url: &str, options: &PushOptions, attempts: UnboundedSender<Attempt>) -> Result<Self> {
        let refused = |message: String| Error::invalid("to", format!("{url}: {message}"));
        let parsed = url::Url::parse(url).map_err(|e| refused(format!("not a URL ({e})")))?;
        let (scheme, prefix) = ObjectStoreScheme::parse(&parsed).map_err(|_| {
            refused("not a destination Consentry knows; use s3://, gs://, az:// or file://".into())
        })?;
        let connector = Watcher { attempts };
        let retry = RetryConfig {
            backoff: BackoffConfig {
                init_backoff: options.initial_backoff,
                max_backoff: options.max_backoff,
                base: 2.0,
            },
            max_retries: options.max_retries,
            retry_timeout: options.retry_timeout,
        };
        let timeouts = [
            (ClientConfigKey::Timeout, millis(options.request_timeout)),
            (
                ClientConfigKey::ConnectTimeout,
                millis(options.connect_timeout),
            ),
        ];
        let bad_key = |key: &str| {
            Error::invalid(
                "config",
                format!("{key} is not a setting of this destination's client"),
            )
        };
        // The clouds' builders share no trait: one macro configures each the same way,
        // from the environment, then `extra` settings, then the caller's.
        macro_rules! cloud {
            ($builder:ty, $key:path, $extra:expr) => {{
                let mut builder = <$builder>::from_env();
                for (key, value) in timeouts {
                    builder = builder.with_config($key(key), value);
                }
                let extra: Vec<(String, String)> = $extra;
                for (key, value) in extra.iter().chain(&options.config) {
                    builder = builder.with_config(key.parse().map_err(|_| bad_key(key))?, value);
                }
                builder
                    .with_url(url)
                    .with_retry(retry)
                    .with_http_connector(connector)
                    .build()
                    .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
            }};
        }
        let built = match scheme {
            ObjectStoreScheme::AmazonS3 => cloud!(
                object_store::aws::AmazonS3Builder,
                object_store::aws::AmazonS3ConfigKey::Client,
                super::aws_profile::settings(&|k| std::env::var(k).ok(), &|p| {
                    std::fs::read_to_string(p).ok()
                })
            ),
            ObjectStoreScheme::GoogleCloudStorage => cloud!(
                object_store::gcp::GoogleCloudStorageBuilder,
                object_store::gcp::GoogleConfigKey::Client,
                Vec::new()
            ),
            ObjectStoreScheme::MicrosoftAzure => cloud!(
                object_store::azure::MicrosoftAzureBuilder,
                object_store::azure::AzureConfigKey::Client,
                Vec::new()
            ),
            ObjectStoreScheme::Local => {
                let folder = parsed
                    .to_file_path()
                    .map_err(|()| refused("not an absolute local path".into()))?;
                if !folder.is_dir() {
                    return Err(refused(
                        "no such folder; create it first (a mistyped path is not created)".into(),
                    ));
                }
                return Ok(Destination {
                    url: url.to_string(),
                    store: Arc::new(
                        object_store::local::LocalFileSystem::new_with_prefix(&folder)
                            .map_err(|e| refused(e.to_string()))?,
                    ),
                    prefix: Path::default(),
                    local: true,
                });
            }
            _ => {
                return Err(refused(
                    "not a destination Consentry knows; use s3://, gs://, az:// or file://".into(),
                ))
            }
        };
        let store = built.map_err(|e| refused(format!("cannot set up its client: {e}")))?;
        Ok(Destination {
            url: url.to_string(),
            store,
            prefix,
            local: false,
        })
    }

    /// The full object path of a package file's key.
    fn path(&self, key: &str) -> Result<Path> {
        let relative = Path::parse(key).ok().filter(|p| !p.as_ref().is_empty());
        let Some(relative) = relative else {
            return Err(Error::invalid(
                "files",
                format!("{key:?} is not an object name (empty segments, `.` or `..`)"),
            ));
        };
        Ok(self.prefix.parts().chain(relative.parts()).collect())
    }

    /// The receipt of the object at `path` if it already is `file`, else `None`.
    async fn existing(&self, path: &Path, file: &Upload) -> object_store::Result<Option<Receipt>> {
        let head = match self
            .store
            .get_opts(path, GetOptions::default().with_head(true))
            .await
        {
            Ok(head) => head,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        if head.meta.size != file.bytes {
            return Ok(None);
        }
        let recorded = head
            .attributes
            .get(&Attribute::Metadata(SHA256_METADATA.into()))
            .map(|v| v.to_string());
        let sha256 = match recorded {
            Some(sha256) => sha256,
            None if self.local => {
                let mut stream = self.store.get(path).await?.into_stream();
                let mut hasher = Sha256::new();
                while let Some(chunk) = stream.next().await {
                    hasher.update(chunk?);
                }
                hex::encode(hasher.finalize())
            }
            None => return Ok(None),
        };
        if !sha256.eq_ignore_ascii_case(&file.sha256) {
            return Ok(None);
        }
        Ok(Some(Receipt {
            key: path.to_string(),
            bytes: head.meta.size,
            sha256: file.sha256.clone(),
            etag: head.meta.e_tag,
            version: head.meta.version,
            uploaded_at: head
                .meta
                .last_modified
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            skipped: true,
        }))
    }

    fn attributes(&self, file: &Upload) -> Attributes {
        let mut attributes = Attributes::new();
        if !self.local {
            attributes.insert(
                Attribute::Metadata(SHA256_METADATA.into()),
                file.sha256.to_ascii_lowercase().into(),
            );
        }
        attributes
    }

    /// One PUT of the whole file, read and checked first.
    async fn put(
        &self,
        path: &Path,
        file: &Upload,
        watch: &mut Watch<'_>,
    ) -> std::result::Result<Receipt, Failure> {
        let mut reader = Source::open(file)?;
        let data = reader.read(file.bytes)?;
        reader.finish()?;
        let options = PutOptions {
            attributes: self.attributes(file),
            ..Default::default()
        };
        let put = self.store.put_opts(path, PutPayload::from(data), options);
        let result = watch
            .wait(path.as_ref(), put)
            .await?
            .map_err(|e| Failure::Remote(e, "uploading it".into()))?;
        Ok(receipt(path, file, result))
    }

    /// A multipart upload, part by part; aborted when it fails for a reason other than
    /// the destination not answering (then an abort could not reach it either).
    async fn put_multipart(
        &self,
        path: &Path,
        file: &Upload,
        options: &PushOptions,
        watch: &mut Watch<'_>,
    ) -> std::result::Result<Receipt, Failure> {
        let key = path.as_ref();
        let mut reader = Source::open(file)?;
        let part_size = options.part_size.max(file.bytes.div_ceil(MAX_PARTS));
        let create = self.store.put_multipart_opts(
            path,
            PutMultipartOptions {
                attributes: self.attributes(file),
                ..Default::default()
            },
        );
        let mut upload = watch
            .wait(key, create)
            .await?
            .map_err(|e| Failure::Remote(e, "starting its multipart upload".into()))?;
        let sent = async {
            let mut in_flight = FuturesUnordered::new();
            let (mut read, mut sent, mut part) = (0u64, 0u64, 0u64);
            loop {
                while in_flight.len() < options.part_concurrency && read < file.bytes {
                    let len = part_size.min(file.bytes - read);
                    let data = reader.read(len)?;
                    read += len;
                    part += 1;
                    let put = upload.put_part(PutPayload::from(data));
                    in_flight.push(async move { put.await.map(|()| (part, len)) });
                }
                let Some(done) = watch.wait(key, in_flight.next()).await? else {
                    break;
                };
                let (_, len) = done.map_err(|e| Failure::Remote(e, "uploading a part".into()))?;
                sent += len;
                watch.progress(key, sent, file.bytes)?;
            }
            reader.finish()?;
            Ok::<_, Failure>(())
        }
        .await;
        if let Err(failure) = sent {
            if !watch.last_transient {
                // Best effort: the parts sent so far would otherwise be kept (and billed)
                // until the bucket's lifecycle rule removes unfinished uploads.
                let _ = watch.wait(key, upload.abort()).await;
            }
            return Err(failure);
        }
        let error = match watch.wait(key, upload.complete()).await? {
            Ok(result) => return Ok(receipt(path, file, result)),
            Err(error) => error,
        };
        // A completion whose answer was lost is sent again, and some servers then answer
        // NoSuchUpload for the upload they just completed: the object says what happened.
        // (Not when the destination stopped answering: the lookup would wait as long again.)
        if watch.last_transient {
            return Err(Failure::Remote(
                error,
                "completing its multipart upload".into(),
            ));
        }
        match watch.wait(key, self.existing(path, file)).await? {
            Ok(Some(there)) => Ok(Receipt {
                skipped: false,
                uploaded_at: now(),
                ..there
            }),
            _ => Err(Failure::Remote(
                error,
                "completing its multipart upload".into(),
            )),
        }
    }

    /// The error for a failed request: unreachable when its last attempt failed in a
    /// way object_store retries (the retries ran out), else the destination refused.
    fn failed(
        &self,
        watch: &Watch<'_>,
        error: object_store::Error,
        doing: &str,
        key: &str,
        done: &[Receipt],
        files: &[Upload],
    ) -> Error {
        let kept = match done.len() {
            0 => "nothing was delivered yet".to_string(),
            n => format!(
                "{n} of {} files were delivered before it, their receipts are kept",
                files.len()
            ),
        };
        if watch.last_transient {
            Error::Unreachable {
                destination: self.url.clone(),
                message: format!(
                    "{key}: {doing} failed after retries ({}); {kept}; run the push again to resume",
                    chain(&error)
                ),
            }
        } else {
            Error::invalid(
                "to",
                format!(
                    "{}: {key}: {doing} was refused ({}); {kept}",
                    self.url,
                    chain(&error)
                ),
            )
        }
    }
}

fn receipt(path: &Path, file: &Upload, result: object_store::PutResult) -> Receipt {
    Receipt {
        key: path.to_string(),
        bytes: file.bytes,
        sha256: file.sha256.to_ascii_lowercase(),
        etag: result.e_tag,
        version: result.version,
        uploaded_at: now(),
        skipped: false,
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn millis(duration: Duration) -> String {
    format!("{}ms", duration.as_millis())
}

/// A package file being read: checked against the size and SHA-256 the caller gave, so
/// that an object's metadata never vouches for other bytes.
struct Source<'a> {
    file: File,
    upload: &'a Upload,
    hasher: Sha256,
}

impl<'a> Source<'a> {
    fn open(upload: &'a Upload) -> Result<Self> {
        let context = || format!("cannot read {}", upload.path.display());
        let file = File::open(&upload.path).map_err(|e| Error::io(context(), e))?;
        let actual = file.metadata().map_err(|e| Error::io(context(), e))?.len();
        if actual != upload.bytes {
            return Err(Self::changed(
                upload,
                format!("{actual} bytes, not {}", upload.bytes),
            ));
        }
        Ok(Source {
            file,
            upload,
            hasher: Sha256::new(),
        })
    }

    fn read(&mut self, len: u64) -> Result<Vec<u8>> {
        let mut data = vec![0; len as usize];
        self.file
            .read_exact(&mut data)
            .map_err(|e| Error::io(format!("cannot read {}", self.upload.path.display()), e))?;
        self.hasher.update(&data);
        Ok(data)
    }

    /// Every byte was read: the file must end here and hash as announced.
    fn finish(self) -> Result<()> {
        let sha256 = hex::encode(self.hasher.finalize());
        if !sha256.eq_ignore_ascii_case(&self.upload.sha256) {
            return Err(Self::changed(self.upload, format!("SHA-256 {sha256}")));
        }
        Ok(())
    }

    fn changed(upload: &Upload, found: String) -> Error {
        Error::conflict(
            "files",
            format!(
                "{} is not the file the package describes ({found}; the package says {} bytes, \
                 SHA-256 {}); nothing of it was uploaded",
                upload.path.display(),
                upload.bytes,
                upload.sha256
            ),
        )
    }
}

/// One HTTP attempt's outcome, as the client saw it before object_store's retry.
#[derive(Debug)]
struct Attempt {
    /// What failed, if it failed in a way object_store retries.
    failure: Option<String>,
}

/// Forwards the failed attempts to the caller while a request runs, and remembers
/// whether the last attempt failed in a way object_store retries.
struct Watch<'a> {
    attempts: UnboundedReceiver<Attempt>,
    on_event: &'a mut dyn FnMut(PushEvent) -> Result<()>,
    failures: u32,
    last_transient: bool,
}

impl Watch<'_> {
    fn start(&mut self, key: &str, bytes: u64) -> Result<()> {
        self.failures = 0;
        self.last_transient = false;
        (self.on_event)(PushEvent::Started { key, bytes })
    }

    fn progress(&mut self, key: &str, sent: u64, bytes: u64) -> Result<()> {
        (self.on_event)(PushEvent::Progress { key, sent, bytes })
    }

    fn note(&mut self, key: &str, attempt: Attempt) -> Result<()> {
        self.last_transient = attempt.failure.is_some();
        if let Some(reason) = attempt.failure {
            self.failures += 1;
            (self.on_event)(PushEvent::AttemptFailed {
                key,
                failures: self.failures,
                reason: &reason,
            })?;
        }
        Ok(())
    }

    /// Runs `work` to its end, reporting its attempts as they happen.
    async fn wait<T>(&mut self, key: &str, work: impl Future<Output = T>) -> Result<T> {
        let mut work = pin!(work);
        loop {
            // Attempts first, so that they are reported before what they led to.
            let step = std::future::poll_fn(|cx| {
                if let Poll::Ready(attempt) = self.attempts.poll_recv(cx) {
                    return Poll::Ready(Either::Right(attempt));
                }
                work.as_mut().poll(cx).map(Either::Left)
            })
            .await;
            match step {
                Either::Left(out) => {
                    while let Ok(attempt) = self.attempts.try_recv() {
                        self.note(key, attempt)?;
                    }
                    return Ok(out);
                }
                Either::Right(Some(attempt)) => self.note(key, attempt)?,
                // The sender lives in the store's client, which outlives the push.
                Either::Right(None) => return Ok(work.await),
            }
        }
    }
}

/// Connects object_store's usual reqwest client, watched.
#[derive(Debug)]
struct Watcher {
    attempts: UnboundedSender<Attempt>,
}

impl HttpConnector for Watcher {
    fn connect(&self, options: &object_store::ClientOptions) -> object_store::Result<HttpClient> {
        Ok(HttpClient::new(Watched {
            inner: ReqwestConnector::default().connect(options)?,
            attempts: self.attempts.clone(),
        }))
    }
}

/// The HTTP client object_store's retry loop calls once per attempt.
#[derive(Debug)]
struct Watched {
    inner: HttpClient,
    attempts: UnboundedSender<Attempt>,
}

impl HttpService for Watched {
    fn call<'s, 'f>(
        &'s self,
        request: HttpRequest,
    ) -> std::pin::Pin<
        Box<dyn Future<Output = std::result::Result<HttpResponse, HttpError>> + Send + 'f>,
    >
    where
        's: 'f,
        Self: 'f,
    {
        Box::pin(async move {
            let what = format!("{} {}", request.method(), request.uri().path());
            let result = self.inner.execute(request).await;
            let failure = match &result {
                Ok(response) => {
                    let status = response.status();
                    // The statuses object_store's retry sends again (client/retry.rs).
                    (status.is_server_error() || matches!(status.as_u16(), 408 | 429))
                        .then(|| format!("{what}: HTTP {status}"))
                }
                Err(e) => matches!(
                    e.kind(),
                    HttpErrorKind::Connect
                        | HttpErrorKind::Request
                        | HttpErrorKind::Timeout
                        | HttpErrorKind::Interrupted
                )
                .then(|| format!("{what}: {}", chain(e))),
            };
            // The receiver is gone only once the push returned; nobody listens then.
            let _ = self.attempts.send(Attempt { failure });
            result
        })
    }
}

/// An error and its causes, on one line (reqwest's outer message alone says little).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let message = cause.to_string();
        if !text.contains(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        source = cause.source();
    }
    text
}

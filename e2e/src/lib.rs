//! Harness for the end-to-end tests: each test drives the real `consentry-app` binary, in its
//! real WebView, through tauri-driver (WebDriver on 127.0.0.1:4444), against a store of its
//! own in a fresh temporary directory.
//!
//! Guarantees:
//! - A test never passes without running: without `CONSENTRY_APP_BIN` or a reachable
//!   tauri-driver it fails and says how to run it (`make e2e`).
//! - Helpers return `Result` rather than panicking, so [`App::run`] always takes a failure
//!   screenshot and ends the session; if a test panics anyway, `Drop` still ends it, because
//!   WebKitWebDriver serves one session at a time and a leaked one fails every later test.
//! - Elements are found only by `data-testid`, the contract shared with the UI.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T = ()> = std::result::Result<T, Error>;

/// How long any single expectation may take to come true.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a whole test body may take.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(180);
/// How long starting or ending a session (launching or closing the app) may take.
const LAUNCH_TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(100);
const DEFAULT_WEBDRIVER: &str = "http://127.0.0.1:4444";

/// Returns early from a test body with a formatted error when `cond` is false.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+).into());
        }
    };
}

/// The CSS selector for a `data-testid`.
pub fn testid(id: &str) -> String {
    format!(r#"[data-testid="{id}"]"#)
}

/// Where screenshots go: `target/e2e/screenshots/` of the workspace.
pub fn screenshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/e2e/screenshots")
}

/// One running app with one WebDriver session and its own store.
pub struct App {
    client: Client,
    test: String,
    webdriver: String,
    session_id: Option<String>,
    closed: bool,
    db: PathBuf,
    // Keeps the store's directory alive until the session has ended.
    _dir: TempDir,
}

impl App {
    /// Starts the app for `test`, runs `body`, then ends the session whatever happened.
    /// Panics (failing the test) with the body's error, after saving
    /// `<test>-failed.png`. A body that hangs (a WebDriver call that never answers) fails
    /// after [`TEST_TIMEOUT`] instead of blocking the run.
    pub async fn run<F>(test: &str, body: F)
    where
        F: AsyncFnOnce(&App) -> Result,
    {
        App::run_for(test, TEST_TIMEOUT, body).await
    }

    /// As [`App::run`], for a test that needs longer than [`TEST_TIMEOUT`] (the tour).
    pub async fn run_for<F>(test: &str, limit: Duration, body: F)
    where
        F: AsyncFnOnce(&App) -> Result,
    {
        let launched = tokio::time::timeout(LAUNCH_TIMEOUT, App::launch(test)).await;
        let mut app = match launched {
            Ok(Ok(app)) => app,
            Ok(Err(e)) => panic!("{test}: could not start the app: {e}"),
            Err(_) => panic!("{test}: no WebDriver session within {LAUNCH_TIMEOUT:?}"),
        };
        let outcome = match tokio::time::timeout(limit, body(&app)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(format!("the test did not finish within {limit:?}").into()),
        };
        let outcome = match outcome {
            Ok(()) => Ok(()),
            Err(e) => Err(app.describe_failure(test, e).await),
        };
        let closed = match tokio::time::timeout(LAUNCH_TIMEOUT, app.close()).await {
            Ok(closed) => closed,
            Err(_) => Err("timed out".into()),
        };
        if let Err(message) = outcome {
            panic!("{test}: {message}");
        }
        if let Err(e) = closed {
            panic!("{test}: could not end the WebDriver session: {e}");
        }
    }

    /// The error, the error banner's text and a screenshot of the moment, best effort
    /// (the WebView may be the thing that failed).
    async fn describe_failure(&self, test: &str, error: Error) -> String {
        let mut message = error.to_string();
        let look = async {
            if let Some(banner) = self.error_banner().await {
                message.push_str(&format!("\n  error banner: {banner:?}"));
            }
            match self.screenshot(&format!("{test}-failed")).await {
                Ok(path) => message.push_str(&format!("\n  screenshot: {}", path.display())),
                Err(e) => message.push_str(&format!("\n  (no screenshot: {e})")),
            }
        };
        let _ = tokio::time::timeout(TIMEOUT, look).await;
        message
    }

    /// Starts a WebDriver session, which makes tauri-driver launch the app with
    /// `--db <fresh temp path>`. The store is chosen by argument, not by `CONSENTRY_DB`:
    /// the app inherits tauri-driver's environment, which is shared by every session.
    pub async fn launch(test: &str) -> Result<App> {
        App::launch_on(test, None).await
    }

    /// Starts a session as [`App::launch`] does, on the store `db` when given (the scale
    /// benchmark's seeded store) instead of a fresh one.
    pub async fn launch_on(test: &str, db: Option<&Path>) -> Result<App> {
        let bin = std::env::var_os("CONSENTRY_APP_BIN").ok_or(
            "CONSENTRY_APP_BIN is not set. The e2e tests drive the built app through \
             tauri-driver; run them with `make e2e` (scripts/e2e.sh sets everything up).",
        )?;
        let bin = PathBuf::from(bin);
        ensure!(
            bin.is_file(),
            "CONSENTRY_APP_BIN={} is not a file; run `make app`",
            bin.display()
        );
        let bin = bin.canonicalize()?;

        let dir = tempfile::Builder::new()
            .prefix("consentry-e2e-")
            .tempdir()?;
        let db = db.map_or_else(|| dir.path().join("consentry.db"), Path::to_path_buf);
        let webdriver =
            std::env::var("CONSENTRY_WEBDRIVER_URL").unwrap_or_else(|_| DEFAULT_WEBDRIVER.into());

        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": bin,
                "args": ["--db", db],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("a json! object literal is an object")
        };
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&webdriver)
            .await
            .map_err(|e| {
                format!(
                    "no WebDriver session at {webdriver} ({e}). Is tauri-driver running? \
                     `make e2e` starts it together with Xvfb."
                )
            })?;
        let session_id = client.session_id().await.unwrap_or_default();
        Ok(App {
            client,
            test: test.to_owned(),
            webdriver,
            session_id,
            closed: false,
            db,
            _dir: dir,
        })
    }

    /// The store file this app instance was started with.
    pub fn db_path(&self) -> &Path {
        &self.db
    }

    /// The underlying WebDriver client, for anything the helpers do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Ends the session, which closes the app.
    pub async fn close(&mut self) -> Result {
        self.client.clone().close().await?;
        self.closed = true;
        Ok(())
    }

    /// Waits until an element matching `css` is displayed and returns it.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        let start = Instant::now();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await {
                if element.is_displayed().await.unwrap_or(false) {
                    return Ok(element);
                }
            }
            if start.elapsed() > TIMEOUT {
                return Err(self.timeout(&format!("{css} to be displayed")).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits until `check` returns `Ok(true)`. `what` names the expectation in the error; the
    /// error also carries the last value `check` failed with, if any.
    pub async fn wait_until<F>(&self, what: &str, check: F) -> Result
    where
        F: AsyncFnMut() -> Result<bool>,
    {
        self.wait_until_within(what, TIMEOUT, check).await
    }

    /// As [`App::wait_until`], for something that takes longer than [`TIMEOUT`].
    pub async fn wait_until_within<F>(&self, what: &str, limit: Duration, mut check: F) -> Result
    where
        F: AsyncFnMut() -> Result<bool>,
    {
        let start = Instant::now();
        loop {
            let last = match check().await {
                Ok(true) => return Ok(()),
                Ok(false) => None,
                Err(e) => Some(e),
            };
            if start.elapsed() > limit {
                let mut error = self.timeout(what).await.to_string();
                if let Some(e) = last {
                    error.push_str(&format!(" (last error: {e})"));
                }
                return Err(error.into());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clicks the element with this test id once it is displayed. Retries while the click is
    /// refused (an element being re-rendered or still covered by a transition).
    pub async fn click_testid(&self, id: &str) -> Result {
        let css = testid(id);
        let start = Instant::now();
        loop {
            let element = self.wait_for(&css).await?;
            // A row half below the window's edge is "displayed" but its centre is not
            // clickable: bring it to the middle first, as a user would scroll.
            let _ = self
                .client
                .execute(
                    "arguments[0].scrollIntoView({block: 'center'})",
                    vec![serde_json::to_value(&element)?],
                )
                .await;
            match click(&element).await {
                Ok(()) => return Ok(()),
                Err(e) if start.elapsed() > TIMEOUT => {
                    return Err(format!("could not click {css}: {e}").into());
                }
                Err(_) => tokio::time::sleep(POLL).await,
            }
        }
    }

    /// Replaces the text of an input or textarea, typing it as a user would so that the
    /// UI's change handlers run, and checks that the field holds exactly `text` afterwards.
    pub async fn fill_testid(&self, id: &str, text: &str) -> Result {
        let element = self.wait_for(&testid(id)).await?;
        element.clear().await?;
        if !value_of(&element).await?.is_empty() {
            // A controlled input can restore its value after a programmatic clear.
            element.send_keys(&(Key::Control + "a")).await?;
            element.send_keys(&Key::Backspace.to_string()).await?;
        }
        element.send_keys(text).await?;
        let value = value_of(&element).await?;
        ensure!(
            value == text,
            "{} holds {value:?} after typing {text:?}",
            testid(id)
        );
        Ok(())
    }

    /// Chooses the `<option>` with this value in a `<select>`.
    pub async fn select_testid(&self, id: &str, value: &str) -> Result {
        let element = self.wait_for(&testid(id)).await?;
        element
            .select_by_value(value)
            .await
            .map_err(|e| format!("{} has no option with value {value:?}: {e}", testid(id)))?;
        let selected = value_of(&element).await?;
        ensure!(
            selected == value,
            "{} holds {selected:?} after choosing {value:?}",
            testid(id)
        );
        Ok(())
    }

    /// Ticks or unticks a checkbox by clicking it, and checks that it took.
    pub async fn set_checked(&self, id: &str, checked: bool) -> Result {
        let element = self.wait_for(&testid(id)).await?;
        if element.is_selected().await? != checked {
            element.click().await?;
        }
        let now = element.is_selected().await?;
        ensure!(
            now == checked,
            "{} is checked={now} after setting it to {checked}",
            testid(id)
        );
        Ok(())
    }

    /// The visible text of the element with this test id, trimmed.
    pub async fn text_of(&self, id: &str) -> Result<String> {
        let element = self.wait_for(&testid(id)).await?;
        Ok(element.text().await?.trim().to_owned())
    }

    /// An attribute of the element with this test id (e.g. the exact minor units a
    /// money figure carries in `data-minor`), or an error naming both when it has none.
    pub async fn attribute_of(&self, id: &str, name: &str) -> Result<String> {
        let css = testid(id);
        let mut value = None;
        self.wait_until(&format!("{css} with attribute {name}"), async || {
            value = match self.client.find(Locator::Css(&css)).await {
                Ok(element) => element.attr(name).await?,
                Err(_) => None,
            };
            Ok(value.is_some())
        })
        .await?;
        Ok(value.unwrap_or_default())
    }

    /// Waits until the element with this test id shows `expected` (trimmed; letter case
    /// ignored, since a stylesheet may capitalise a status badge).
    pub async fn wait_for_text(&self, id: &str, expected: &str) -> Result {
        let what = format!("{} to read {expected:?}", testid(id));
        self.wait_for_text_where(id, &what, |text| text.eq_ignore_ascii_case(expected))
            .await
    }

    /// Scrolls the element with this test id to the middle of the window, for a
    /// screenshot of it.
    pub async fn scroll_to_testid(&self, id: &str) -> Result {
        let element = self.wait_for(&testid(id)).await?;
        self.client
            .execute(
                "arguments[0].scrollIntoView({block: 'center'})",
                vec![serde_json::to_value(&element)?],
            )
            .await?;
        Ok(())
    }

    /// Waits until the text of the element with this test id contains `part`.
    pub async fn wait_for_text_containing(&self, id: &str, part: &str) -> Result {
        let what = format!("{} to contain {part:?}", testid(id));
        self.wait_for_text_where(id, &what, |text| text.contains(part))
            .await
    }

    /// Waits until the text of the element with this test id satisfies `ok`; the error
    /// names `what` and the text last read.
    async fn wait_for_text_where(&self, id: &str, what: &str, ok: impl Fn(&str) -> bool) -> Result {
        self.wait_until(what, async || {
            let text = self.text_of(id).await?;
            if ok(&text) {
                Ok(true)
            } else {
                Err(format!("it reads {text:?}").into())
            }
        })
        .await
    }

    /// All elements matching `css` right now (no waiting).
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        Ok(self.client.find_all(Locator::Css(css)).await?)
    }

    /// The ids in the test ids starting with `prefix` under `within` (a CSS selector), in
    /// document order: rows `deal-row-7`, `deal-row-9` with prefix `deal-row-` give 7, 9.
    pub async fn ids_with_prefix(&self, within: &str, prefix: &str) -> Result<Vec<String>> {
        let css = format!(r#"{within} [data-testid^="{prefix}"]"#);
        let mut ids = Vec::new();
        for element in self.find_all(&css).await? {
            if let Some(testid) = element.attr("data-testid").await? {
                if let Some(id) = testid.strip_prefix(prefix) {
                    ids.push(id.to_owned());
                }
            }
        }
        Ok(ids)
    }

    /// Of the elements under `within` whose test id starts with `prefix`, the id (what
    /// follows the prefix) of the first whose text contains `text`.
    pub async fn id_with_text(
        &self,
        within: &str,
        prefix: &str,
        text: &str,
    ) -> Result<Option<String>> {
        for id in self.ids_with_prefix(within, prefix).await? {
            if self.text_of(&format!("{prefix}{id}")).await?.contains(text) {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    /// Saves a PNG of the window to `target/e2e/screenshots/<name>.png` and returns its path.
    ///
    /// The picture is read from the X server (ImageMagick's `import`, cropped to the
    /// window), which is what a user sees. WebDriver's own screenshot command never answers
    /// when WebKitGTK paints without compositing, which the app does on a machine without
    /// a GPU (`src-tauri/src/rendering.rs`).
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        // A screenshot can lag the DOM by a frame or two (the first one showed "Loading…"
        // while the welcome panel was in the DOM). Wait for two animation frames, so that
        // what was asserted has been painted.
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await?;
        let (x, y, width, height) = self.client.get_window_rect().await?;
        // WebDriver's clicks move WebKit's idea of the pointer, not the X pointer, and
        // GTK keeps the tooltip of an element that came under it on screen until the
        // real pointer moves. A user's mouse does that all the time; here the X pointer
        // enters the window at its last pixel and leaves it again.
        let (right, bottom) = (x + width.saturating_sub(1), y + height.saturating_sub(1));
        let moved = tokio::process::Command::new("xdotool")
            .args([
                "mousemove",
                &right.to_string(),
                &bottom.to_string(),
                "sleep",
                "0.1",
            ])
            .args([
                "mousemove",
                &(right + 60).to_string(),
                &(bottom + 60).to_string(),
            ])
            .status()
            .await
            .map_err(|e| format!("running xdotool (make deps installs it): {e}"))?;
        ensure!(moved.success(), "xdotool could not move the pointer");
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}.png"));
        let output = tokio::process::Command::new("import")
            .args(["-window", "root", "-crop"])
            .arg(format!("{width}x{height}+{x}+{y}"))
            .arg("+repage")
            .arg(&path)
            .output()
            .await
            .map_err(|e| format!("running ImageMagick's import (make deps installs it): {e}"))?;
        ensure!(
            output.status.success(),
            "import could not read the window from the X server: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
        Ok(path)
    }

    /// The text of the global error banner, if one is displayed.
    pub async fn error_banner(&self) -> Option<String> {
        let element = self
            .client
            .find(Locator::Css(&testid("error-banner")))
            .await
            .ok()?;
        if !element.is_displayed().await.ok()? {
            return None;
        }
        Some(element.text().await.ok()?.trim().to_owned())
    }

    async fn timeout(&self, what: &str) -> Error {
        let mut message = format!("timed out after {TIMEOUT:?} waiting for {what}");
        if let Some(banner) = self.error_banner().await {
            message.push_str(&format!("; the error banner says {banner:?}"));
        }
        message.into()
    }
}

impl Drop for App {
    /// Ends a session the test did not end (it panicked): a leaked session keeps the app
    /// open and makes WebKitWebDriver refuse the next one. Plain blocking HTTP, because the
    /// async runtime may already be shutting down.
    fn drop(&mut self) {
        if self.closed {
            return;
        }
        if let Some(id) = &self.session_id {
            if let Err(e) = delete_session(&self.webdriver, id) {
                eprintln!("{}: could not end WebDriver session {id}: {e}", self.test);
            }
        }
    }
}

/// Clicks an element as a user would. WebKitWebDriver cannot click a table row (it has no
/// rectangle for `tr`: "element not interactable"), so a row is clicked on its first cell.
async fn click(element: &Element) -> std::result::Result<(), fantoccini::error::CmdError> {
    if element.tag_name().await?.eq_ignore_ascii_case("tr") {
        return element.find(Locator::Css("td, th")).await?.click().await;
    }
    element.click().await
}

async fn value_of(element: &Element) -> Result<String> {
    Ok(element.prop("value").await?.unwrap_or_default())
}

fn delete_session(webdriver: &str, session_id: &str) -> std::io::Result<()> {
    let authority = webdriver
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let mut stream = TcpStream::connect(authority)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    write!(
        stream,
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: {authority}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    Ok(())
}

//! The snapshot build from the app, for bench/app-vs-cli.sh: not a test (ignored, so
//! `make e2e` never runs it). On the store `BUILD_DB` (deal 1 signed, the registry and
//! the ledger imported), builds a snapshot of `BUILD_SOURCE` as of `BUILD_AS_OF` through
//! the wizard, as a user would, and waits for its result screen. The script reads the
//! build's own time from the store afterwards (`duration_ms`, as the core recorded it,
//! the same figure the CLI's build records); this prints the wall time from the click on
//! Build to the result screen as well.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use consentry_e2e::{testid, App, Result};

/// A build of 2 million posts in a debug-built shell takes minutes.
const LIMIT: Duration = Duration::from_secs(900);

#[tokio::test]
#[ignore = "a benchmark: bash bench/app-vs-cli.sh"]
async fn app_build() {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"));
    let db = PathBuf::from(var("BUILD_DB"));
    let (source, as_of) = (var("BUILD_SOURCE"), var("BUILD_AS_OF"));
    let app = App::launch_on("app_build", Some(&db))
        .await
        .expect("the app starts");
    let outcome = build(&app, &db, &source, &as_of).await;
    let mut app = app;
    let closed = app.close().await;
    let wall = outcome.unwrap_or_else(|e| panic!("app_build: {e}"));
    closed.expect("the session ends");
    println!("app_build wall_ms {}", wall.as_millis());
}

async fn build(app: &App, db: &Path, source: &str, as_of: &str) -> Result<Duration> {
    // The app starts on the dashboard, whose figures read the whole store, and takes the
    // day's backup (a copy of the store, published by a rename into `backups/`): let
    // both finish, so that the build has the machine as the CLI's has.
    app.wait_for(&testid("dashboard")).await?;
    app.wait_until_within("the dashboard read", LIMIT, async || {
        Ok(app.find_all("[aria-busy=\"true\"]").await?.is_empty())
    })
    .await?;
    let backups = db.with_file_name("backups");
    app.wait_until_within("the day's backup", LIMIT, async || {
        Ok(std::fs::read_dir(&backups).is_ok_and(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(".db"))
        }))
    })
    .await?;
    app.click_testid("nav-deals").await?;
    app.click_testid("deal-row-1").await?;
    app.click_testid("snapshot-new").await?;
    app.wait_for(&testid("snapshot-wizard")).await?;
    app.fill_testid("wizard-source", source).await?;
    app.fill_testid("wizard-as-of", as_of).await?;
    let start = Instant::now();
    app.click_testid("wizard-build").await?;
    // Looked for twice a second, not at the helpers' 10 Hz: on 2 cores the WebDriver
    // round trips would take their share from the build being measured.
    while app.find_all(&testid("snapshot-result")).await?.is_empty() {
        if start.elapsed() > LIMIT {
            return Err(format!("no result screen within {LIMIT:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Ok(start.elapsed())
}

//! The app's automatic daily backups (`consentry::backup::daily`): at start and then
//! every hour, today's backup of the open store is written to the `backups` folder
//! beside it if it is not there yet, and the oldest beyond the retention setting are
//! removed. The setting (how many daily backups to keep, default 14) is the user's, kept
//! in the app's config folder, not in the store: a restored store must not bring back
//! another retention.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use consentry::backup::{self, BackupStatus};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager};

use crate::AppState;

/// Daily backups kept when the user has not said.
pub const DEFAULT_KEEP: u32 = 14;
const CHECK_EVERY: Duration = Duration::from_secs(3600);

/// The backups' state, shared by the hourly thread and the commands.
#[derive(Default)]
pub struct Backups {
    status: Mutex<BackupStatus>,
    settings: Mutex<Option<PathBuf>>,
}

#[derive(Serialize, Deserialize)]
struct Settings {
    backup_keep: u32,
}

impl Backups {
    /// The current status.
    pub fn status(&self) -> BackupStatus {
        self.status.lock().expect("not poisoned").clone()
    }

    /// Sets how many daily backups to keep (at least 1), remembers it, and applies it.
    pub fn set_keep(
        &self,
        state: &AppState,
        keep: u32,
    ) -> Result<BackupStatus, consentry::ErrorBody> {
        if !(1..=3650).contains(&keep) {
            return Err(consentry::Error::invalid(
                "keep",
                format!("keep {keep} daily backups? Choose 1 to 3650"),
            )
            .body());
        }
        if let Some(path) = self.settings.lock().expect("not poisoned").as_ref() {
            let text = serde_json::to_string_pretty(&Settings { backup_keep: keep }).expect("JSON");
            std::fs::write(path, text).map_err(|e| {
                consentry::Error::io(format!("cannot save the setting to {}", path.display()), e)
                    .body()
            })?;
        }
        self.status.lock().expect("not poisoned").keep = keep;
        self.run(state);
        Ok(self.status())
    }

    /// Runs today's backup and the retention now.
    pub fn run(&self, state: &AppState) {
        let Ok(store) = state.store.as_ref() else {
            return;
        };
        let (dir, keep) = {
            let s = self.status.lock().expect("not poisoned");
            (PathBuf::from(&s.dir), s.keep)
        };
        // Not started (an in-memory store, or the tests' mock app): nowhere to write.
        if dir.as_os_str().is_empty() {
            return;
        }
        let result = backup::daily(store, &dir, keep as usize);
        let mut s = self.status.lock().expect("not poisoned");
        match result {
            Ok(report) => {
                s.last = Some(report);
                s.error = None;
            }
            Err(e) => s.error = Some(e.to_string()),
        }
    }
}

/// Reads the setting and starts the hourly daily backup on a thread of its own.
pub fn start(app: AppHandle) {
    let state = app.state::<AppState>();
    let Ok(store) = state.store.as_ref() else {
        return;
    };
    let location = store.info().location;
    if location == ":memory:" {
        return;
    }
    let settings = app
        .path()
        .app_config_dir()
        .ok()
        .map(|dir| dir.join("settings.json"));
    let keep = settings
        .as_deref()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str::<Settings>(&t).ok())
        .map_or(DEFAULT_KEEP, |s| s.backup_keep.max(1));
    if let Some(path) = &settings {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
    }
    *state.backups.settings.lock().expect("not poisoned") = settings;
    *state.backups.status.lock().expect("not poisoned") = BackupStatus {
        dir: backup::default_dir(Path::new(&location))
            .display()
            .to_string(),
        keep,
        last: None,
        error: None,
    };
    std::thread::spawn(move || loop {
        let state = app.state::<AppState>();
        state.backups.run(&state);
        std::thread::sleep(CHECK_EVERY);
    });
}

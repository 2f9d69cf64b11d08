//! Opens a delivery's package folder in the operating system's file manager.
//!
//! The UI never passes a path: the command takes a delivery id and opens the folder the
//! store recorded for it (`Delivery::out_dir`), so the window can open nothing else. No
//! opener plugin is registered and no permission beyond the command itself is granted
//! (see ARCHITECTURE.md, "Opening a delivery's folder").

use std::path::Path;
use std::process::Command;

use consentry::{Error, Result};

/// The platform's "open this with the default application" program; a folder opens in
/// the file manager. The path is one argument: no shell parses it.
fn opener() -> Command {
    if cfg!(target_os = "macos") {
        Command::new("open")
    } else if cfg!(target_os = "windows") {
        Command::new("explorer")
    } else {
        Command::new("xdg-open")
    }
}

/// Opens `dir`, which must be an existing folder, in the file manager.
pub fn open(dir: &str) -> Result<()> {
    let path = Path::new(dir);
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::io(format!("cannot open the folder {dir}"), e))?;
    if !meta.is_dir() {
        return Err(Error::Conflict {
            field: None,
            message: format!("{dir} is not a folder any more"),
        });
    }
    let mut child = opener()
        .arg(path)
        .spawn()
        .map_err(|e| Error::io(format!("cannot start the file manager for {dir}"), e))?;
    // The opener hands the folder to the file manager and exits; reap it without making
    // the caller wait.
    std::thread::spawn(move || child.wait());
    Ok(())
}

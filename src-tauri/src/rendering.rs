//! How the page is painted on Linux.
//!
//! WebKitGTK composites the page with OpenGL. Without a GPU (a virtual machine, a remote
//! desktop, Xvfb) that OpenGL is Mesa's software rasterizer, and every repaint redraws
//! and composites the whole window on the CPU. Measured on a 2-core machine without a
//! GPU (`bench/README.md`, "the app's build at the CLI's pace"): one line of text
//! changing five times a second, as a build's progress does, kept the page's process at
//! 49% of a core with compositing and at 2% without; during a snapshot build the page
//! took more CPU than the build itself, and the build ran 1.6x slower than the CLI's.
//!
//! Decision: without a GPU render node (`/dev/dri/renderD*`) the app paints without
//! compositing (`WEBKIT_DISABLE_COMPOSITING_MODE=1`, read by WebKit's page process). A
//! machine with a GPU keeps WebKit's default, and a value the user set is kept as it is.

use std::path::Path;

/// The variable WebKitGTK reads, and where Linux lists GPU devices.
const VARIABLE: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
const DEVICES: &str = "/dev/dri";

/// Turns compositing off when this machine has no GPU render node and the user did not
/// choose. Call it first in `main`, before any thread starts (it sets a variable of the
/// process, which the page process inherits).
pub fn choose() {
    if std::env::var_os(VARIABLE).is_none() && !has_render_node(Path::new(DEVICES)) {
        std::env::set_var(VARIABLE, "1");
    }
}

/// Whether `devices` lists a render node (`renderD128`, …): a GPU that OpenGL can use.
fn has_render_node(devices: &Path) -> bool {
    std::fs::read_dir(devices).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_render_node_counts_as_a_gpu() {
        let dir = tempfile::tempdir().unwrap();
        assert!(
            !has_render_node(&dir.path().join("absent")),
            "no /dev/dri at all"
        );
        assert!(!has_render_node(dir.path()), "an empty /dev/dri");
        // A display-only device (`card0`, e.g. a VM's virtual screen) renders nothing.
        std::fs::write(dir.path().join("card0"), "").unwrap();
        assert!(!has_render_node(dir.path()));
        std::fs::write(dir.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dir.path()));
    }
}

//! The filled part of a progress bar, inside a track that clips it (`.progress-track`,
//! `.job-bar`).
//!
//! It slides in from the left (a transform) instead of growing (a width): a width change
//! lays the page out again and repaints it, which without GPU compositing cost the page
//! 22% of a core at the 5 updates a second of a build, against 1.4% for the transform
//! (measured in the app under Xvfb, bench/README.md "The app against the CLI"), and that
//! CPU is taken from the build itself.

/** `percent` from 0 to 100; `className` is the track's fill class. */
export function ProgressFill({ percent, className = 'progress-fill' }: { percent: number; className?: string }) {
  const shown = Math.min(100, Math.max(0, percent));
  return <span className={className} style={{ transform: `translateX(${shown - 100}%)` }} />;
}

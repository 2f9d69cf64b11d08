//! A 100 MB line is rejected without being held in memory. Alone in its test binary so
//! that the process's peak memory belongs to this one build.

#[path = "integration/common/mod.rs"]
mod common;

use std::io::Write;

use common::world::{post, World};
use consentry::purpose::Purpose;

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[test]
fn a_100_mb_line_is_rejected_with_bounded_memory() {
    let w = World::new(&[Purpose::Search]);
    w.users(&[("alice", "US", "1990-01-01", "active")]);
    let path = w.path("posts.jsonl");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    f.write_all(post("before", "alice", 1_700_000_000).as_bytes())
        .unwrap();
    f.write_all(
        b"{\"id\":\"huge\",\"author\":\"alice\",\"created_utc\":1700000000,\"selftext\":\"",
    )
    .unwrap();
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..100 {
        f.write_all(&chunk).unwrap();
    }
    f.write_all(b"\"}\n").unwrap();
    for i in 0..300 {
        f.write_all(post(&format!("after-{i}"), "alice", 1_700_000_000).as_bytes())
            .unwrap();
    }
    drop(f);

    let before = peak_rss_kib();
    let mut req = w.request(&path, "2026-06-01T00:00:00Z");
    req.max_rejected_pct = Some(1.0);
    let s = w.build(&req).unwrap();
    let grown_mib = (peak_rss_kib() - before) / 1024;

    assert_eq!(s.records_in, 302);
    assert_eq!(s.records_included, 301);
    assert_eq!(s.rejected_lines.len(), 1);
    assert_eq!(s.rejected_lines[0].line, 2);
    assert!(
        s.rejected_lines[0].message.contains("longer than 16 MiB"),
        "{:?}",
        s.rejected_lines
    );
    assert!(s.source_bytes > 100 << 20);
    // The line is 100 MiB; the build may hold a 16 MiB line plus a few 4 MiB blocks.
    assert!(grown_mib < 60, "peak memory grew by {grown_mib} MiB");
    eprintln!("peak memory grew by {grown_mib} MiB while reading a 100 MiB line");
}

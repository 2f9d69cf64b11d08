//! Snapshot builds: bad input is counted and reported by line, output is deterministic,
//! sealed snapshots never change, and a failed build keeps nothing.

use std::path::Path;

use crate::common::world::{post, World};
use consentry::purpose::Purpose;
use consentry::snapshot::{self, SnapshotId};
use consentry::{Error, ErrorCode};

const T: &str = "2026-06-01T00:00:00Z";

fn world() -> World {
    let w = World::new(&[Purpose::GenaiTraining, Purpose::AiInference]);
    w.users(&[
        ("alice", "US", "1990-01-01", "active"),
        ("bob", "US", "1985-05-05", "active"),
    ]);
    w
}

#[test]
fn bad_lines_are_rejected_with_their_line_numbers_and_never_included() {
    let w = world();
    let mut source = Vec::new();
    source.extend_from_slice(b"\xef\xbb\xbf"); // a BOM is accepted
    source.extend_from_slice(post("ok-1", "alice", 1_700_000_000).trim_end().as_bytes());
    source.extend_from_slice(b"\r\n"); // so are CRLF line ends
    source.extend_from_slice(b"{\"id\":\"trunc\",\"author\":\"alice\",\"created_utc\":17\n"); // 2
    source.extend_from_slice(
        b"{\"id\":\"utf8\",\"author\":\"al\xffice\",\"created_utc\":1700000000}\n",
    ); // 3
    source.extend_from_slice(b"{\"id\":\"no-author\",\"created_utc\":1700000000}\n"); // 4
    source.extend_from_slice(b"{\"id\":42,\"author\":\"alice\",\"created_utc\":1700000000}\n"); // 5
    source.extend_from_slice(post("ok-1", "bob", 1_700_000_000).as_bytes()); // 6: duplicate id
    source.extend_from_slice(b"\n"); // 7: blank, ignored
    source.extend_from_slice(
        b"{\"id\":\"bad-time\",\"author\":\"alice\",\"created_utc\":\"soon\"}\n",
    ); // 8
    source.extend_from_slice(post("ok-2", "bob", 1_700_000_001).trim_end().as_bytes()); // 9, no final newline
    let path = w.write("posts.jsonl", &source);
    let mut req = w.request(&path, T);
    req.max_rejected_pct = Some(100.0);
    let s = w.build(&req).unwrap();

    assert_eq!(s.records_in, 8, "blank lines are not records");
    assert_eq!(s.records_included, 2);
    assert_eq!(s.rejected, 5);
    assert_eq!(s.excluded["duplicate_id"], 1);
    let lines: Vec<u64> = s.rejected_lines.iter().map(|l| l.line).collect();
    assert_eq!(lines, [2, 3, 4, 5, 8]);
    let why: Vec<&str> = s
        .rejected_lines
        .iter()
        .map(|l| l.message.as_str())
        .collect();
    assert!(why[0].contains("truncated"), "{why:?}");
    assert!(why[1].contains("invalid UTF-8"), "{why:?}");
    assert!(why[2].contains("author: is missing"), "{why:?}");
    assert!(why[3].contains("id: must be a string"), "{why:?}");
    assert!(why[4].contains("created_utc"), "{why:?}");
    // Byte for byte, CRLF kept, BOM dropped, a final line end added.
    let expected = [
        post("ok-1", "alice", 1_700_000_000).trim_end().to_string() + "\r\n",
        post("ok-2", "bob", 1_700_000_001),
    ]
    .concat();
    assert_eq!(String::from_utf8(w.shards_bytes(&s)).unwrap(), expected);
    assert_eq!(w.included_ids(&s), ["ok-1", "ok-2"]);
    let total: u64 = s.excluded.values().sum();
    assert_eq!(
        total + s.records_included,
        s.records_in,
        "every record is counted once"
    );
}

#[test]
fn too_many_rejected_lines_fail_the_build_without_sealing() {
    let w = world();
    let mut text = String::new();
    for i in 0..98 {
        text.push_str(&post(&format!("p{i}"), "alice", 1_700_000_000));
    }
    text.push_str("{broken\n{\"also\": broken}\n");
    let path = w.write("posts.jsonl", &text);
    let err = w.build(&w.request(&path, T)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Invalid);
    assert!(err.to_string().contains("2.00% of lines rejected"), "{err}");
    assert!(matches!(&err, Error::BadLines { lines, .. } if lines.len() == 2));
    assert!(snapshot::list(&w.store, w.deal).unwrap().is_empty());
    assert!(!w.path("snapshots/deal-1").exists() || dir_is_empty(&w.path("snapshots/deal-1")));

    let mut req = w.request(&path, T);
    req.max_rejected_pct = Some(2.0);
    assert_eq!(w.build(&req).unwrap().records_included, 98);
}

fn dir_is_empty(p: &Path) -> bool {
    std::fs::read_dir(p).unwrap().next().is_none()
}

#[test]
fn builds_are_deterministic_and_sharded() {
    let w = world();
    let text: String = (0..500)
        .map(|i| {
            post(
                &format!("p{i}"),
                if i % 3 == 0 { "bob" } else { "alice" },
                1_700_000_000 + i,
            )
        })
        .collect();
    let path = w.write("posts.jsonl", text);
    let mut req = w.request(&path, T);
    req.shard_bytes = Some(4096);
    req.out = Some(w.path("one").display().to_string());
    let a = w.build(&req).unwrap();
    req.out = Some(w.path("two").display().to_string());
    let b = w.build(&req).unwrap();
    assert!(a.shards.len() > 5, "{} shards", a.shards.len());
    assert_eq!(a.shards, b.shards);
    assert_eq!(a.included_users_sha256, b.included_users_sha256);
    assert_eq!(a.ledger_sha256, b.ledger_sha256);
    assert_eq!(a.records_index_sha256, b.records_index_sha256);
    for s in &a.shards {
        assert!(s.bytes <= 4096);
        assert_eq!(
            std::fs::read(w.path("one").join(&s.file)).unwrap(),
            std::fs::read(w.path("two").join(&s.file)).unwrap()
        );
    }
    assert_eq!(a.shards.iter().map(|s| s.records).sum::<u64>(), 500);
    assert_eq!(a.included_users, 2);
}

#[test]
fn sealed_snapshots_never_change_and_verify_finds_tampering() {
    let w = world();
    let path = w.write("posts.jsonl", post("p1", "alice", 1_700_000_000));
    let s = w.build(&w.request(&path, T)).unwrap();
    assert!(s.sealed);

    let conn = rusqlite::Connection::open(w.path("store.db")).unwrap();
    let err = conn
        .execute(
            "UPDATE snapshots SET records_included = 0 WHERE id = ?1",
            [s.snapshot_id.0],
        )
        .unwrap_err();
    assert!(err.to_string().contains("never changes"), "{err}");
    assert!(conn.execute("DELETE FROM snapshots", []).is_err());
    assert!(conn.execute("DELETE FROM snapshot_users", []).is_err());
    assert!(conn
        .execute("UPDATE snapshot_users SET records = 9", [])
        .is_err());

    let report = snapshot::verify(&w.store, s.snapshot_id).unwrap();
    assert!(report.ok, "{:?}", report.problems);
    let shard = Path::new(&s.out_dir).join(&s.shards[0].file);
    std::fs::write(&shard, post("p1", "mallory", 1_700_000_000)).unwrap();
    let report = snapshot::verify(&w.store, s.snapshot_id).unwrap();
    assert!(!report.ok);
    assert!(
        report.problems[0].contains("part-00000.jsonl"),
        "{:?}",
        report.problems
    );
}

#[test]
fn the_sealed_record_keeps_what_later_work_needs() {
    let w = world();
    let text = [
        post("a1", "alice", 1_700_000_000),
        post("b1", "bob", 1_700_000_000),
        post("a2", "alice", 1_700_000_001),
    ]
    .concat();
    let path = w.write("posts.jsonl", text);
    let s = w.build(&w.request(&path, T)).unwrap();
    let conn = rusqlite::Connection::open(w.path("store.db")).unwrap();
    let users: Vec<(String, i64)> = conn
        .prepare(
            "SELECT user_id, records FROM snapshot_users WHERE snapshot_id = ?1 ORDER BY user_id",
        )
        .unwrap()
        .query_map([s.snapshot_id.0], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(users, [("alice".to_string(), 2), ("bob".to_string(), 1)]);
    use sha2::Digest;
    assert_eq!(
        s.included_users_sha256,
        hex::encode(sha2::Sha256::digest(b"alice\nbob\n"))
    );
    let got = snapshot::get(&w.store, s.snapshot_id).unwrap();
    assert_eq!(got, s);
    assert_eq!(snapshot::list(&w.store, w.deal).unwrap(), vec![s]);
}

#[test]
fn requests_are_checked_field_by_field() {
    let w = world();
    let mut req = w.request(&w.path("missing.jsonl"), "yesterday");
    req.window_from = Some("2024-02-30".into());
    req.shard_bytes = Some(10);
    let Err(Error::Invalid(fields)) = w.build(&req) else {
        panic!("expected invalid")
    };
    let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(names, ["source", "as_of", "window_from", "shard_bytes"]);
    assert!(
        fields[0].message.starts_with("there is no file at "),
        "{}",
        fields[0].message
    );

    // A folder is called a folder, by the build and by the preview, and the format is
    // not asked for on top of it.
    let folder = w.path("posts");
    std::fs::create_dir(&folder).unwrap();
    let Err(Error::Invalid(fields)) = w.build(&w.request(&folder, T)) else {
        panic!("expected invalid")
    };
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].field, "source");
    assert!(
        fields[0]
            .message
            .ends_with("posts is a folder: give the posts file inside it (JSON Lines or CSV)"),
        "{}",
        fields[0].message
    );
    let Err(Error::Invalid(fields)) = snapshot::preview(folder.to_str().unwrap(), Some("jsonl"), 5)
    else {
        panic!("expected invalid")
    };
    assert!(fields[0].message.contains("is a folder"), "{fields:?}");

    // A deal that is not signed cannot have snapshots.
    let path = w.write("posts.jsonl", post("p1", "alice", 1_700_000_000));
    let mut draft = w.request(&path, T);
    let renewal = consentry::deal::renew(&w.store, w.deal, Default::default()).unwrap();
    draft.deal_id = renewal.id;
    let err = w.build(&draft).unwrap_err();
    assert!(
        err.to_string().contains("signed or active deals only"),
        "{err}"
    );
    assert!(matches!(
        snapshot::get(&w.store, SnapshotId(1)),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn csv_sources_keep_their_header_in_every_shard() {
    let w = world();
    let path = w.write(
        "posts.csv",
        "id,author,created_utc,title\np1,alice,1700000000,\"hello, world\"\np2,carol,1700000000,x\np3,bob,2023-11-14T22:13:20Z,\"multi\n",
    );
    let mut req = w.request(&path, T);
    req.max_rejected_pct = Some(100.0);
    let s = w.build(&req).unwrap();
    assert_eq!(s.records_included, 1);
    assert_eq!(s.excluded["unknown_user"], 1);
    assert_eq!(s.rejected_lines[0].line, 4);
    assert_eq!(s.shards[0].file, "part-00000.csv");
    assert_eq!(
        String::from_utf8(w.shards_bytes(&s)).unwrap(),
        "id,author,created_utc,title\np1,alice,1700000000,\"hello, world\"\n"
    );
}

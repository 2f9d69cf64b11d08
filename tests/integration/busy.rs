//! A busy store costs nobody their work: a finished snapshot build waits for, and
//! retries past, another writer that holds the store longer than the busy timeout.

use std::sync::atomic::AtomicBool;
use std::sync::mpsc;
use std::time::Duration;

use crate::common::world::{post, World};
use consentry::purpose::Purpose;
use consentry::snapshot;

#[test]
fn a_finished_build_never_loses_its_seal_to_a_busy_store() {
    let mut w = World::new(&[Purpose::Search]);
    w.users(&[("u", "US", "1990-01-01", "active")]);
    let source = w.write("posts.jsonl", post("p", "u", 1_700_000_000));
    let db = w.path("store.db");
    w.store = std::mem::replace(&mut w.store, consentry::Store::open_in_memory().unwrap())
        .with_busy_timeout(Duration::from_millis(100));
    let mut holder = None;
    let mut progress = |p: &snapshot::Progress| {
        if holder.is_some() || p.bytes_read < p.bytes_total {
            return;
        }
        // The streaming is over: another writer takes the store for 10x the busy
        // timeout, just before the seal.
        let (taken_tx, taken_rx) = mpsc::channel();
        let db = db.clone();
        holder = Some(std::thread::spawn(move || {
            let conn = rusqlite::Connection::open(db).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE").unwrap();
            taken_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(1000));
            conn.execute_batch("COMMIT").unwrap();
        }));
        taken_rx.recv().unwrap();
    };
    let req = w.request(&source, "2026-06-01T00:00:00Z");
    let sealed = snapshot::build(&w.store, &req, &mut progress, &AtomicBool::new(false));
    holder.expect("the store was taken").join().unwrap();
    let sealed = sealed.expect("sealed despite the busy store");
    assert!(sealed.sealed);
    assert_eq!(sealed.records_included, 1);
}

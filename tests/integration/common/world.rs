//! A store with a signed deal, and helpers to write registry, ledger and post files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use consentry::deal::{self, DealId, DealInput, DealStatus};
use consentry::imports::{self, ImportOptions};
use consentry::partner::{self, PartnerInput};
use consentry::purpose::Purpose;
use consentry::snapshot::{self, BuildRequest, Snapshot};
use consentry::Store;

pub struct World {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub deal: DealId,
}

impl World {
    /// A fresh store with one signed deal permitting `purposes`.
    pub fn new(purposes: &[Purpose]) -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("store.db"))
            .unwrap()
            .with_actor("test");
        let p = partner::create(
            &store,
            PartnerInput {
                name: "Lab".into(),
                kind: "ai-lab".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let d = deal::create(
            &store,
            DealInput {
                partner_id: p.id,
                title: "Licence".into(),
                purposes: purposes.to_vec(),
                start_date: "2026-01-01".into(),
                end_date: "2027-12-31".into(),
                territory: "WORLD".into(),
                ..Default::default()
            },
        )
        .unwrap();
        for to in [DealStatus::Negotiating, DealStatus::Signed] {
            deal::transition(&store, d.id, to).unwrap();
        }
        World {
            dir,
            store,
            deal: d.id,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Imports registry rows `user,country,birth_date,status`.
    pub fn users(&self, rows: &[(&str, &str, &str, &str)]) {
        let mut csv = String::from("user_id,country,birth_date,status\n");
        for (u, c, b, s) in rows {
            writeln!(csv, "{u},{c},{b},{s}").unwrap();
        }
        let path = self.write("users.csv", csv);
        imports::import_registry(&self.store, &path, &ImportOptions::default()).unwrap();
    }

    /// Imports ledger events `user,purpose,decision,effective_at`.
    pub fn events(&self, rows: &[(&str, &str, &str, &str)]) {
        let mut csv = String::from("user_id,purpose,decision,effective_at,source\n");
        for (u, p, d, at) in rows {
            writeln!(csv, "{u},{p},{d},{at},test").unwrap();
        }
        let path = self.write("ledger.csv", csv);
        imports::import_ledger(&self.store, &path, &ImportOptions::default()).unwrap();
    }

    pub fn request(&self, source: &Path, as_of: &str) -> BuildRequest {
        BuildRequest::new(self.deal, source.to_str().unwrap(), as_of)
    }

    pub fn build(&self, req: &BuildRequest) -> consentry::Result<Snapshot> {
        snapshot::build(
            &self.store,
            req,
            &mut |_| {},
            &std::sync::atomic::AtomicBool::new(false),
        )
    }

    /// The included lines of a sealed snapshot, concatenated in shard order.
    pub fn shards_bytes(&self, s: &Snapshot) -> Vec<u8> {
        let mut out = Vec::new();
        for shard in &s.shards {
            out.extend(std::fs::read(Path::new(&s.out_dir).join(&shard.file)).unwrap());
        }
        out
    }

    /// The record ids included, from the records index.
    pub fn included_ids(&self, s: &Snapshot) -> Vec<String> {
        let index = std::fs::read_to_string(Path::new(&s.out_dir).join("records.jsonl")).unwrap();
        index
            .lines()
            .map(|l| serde_json::from_str::<(String, String)>(l).unwrap().1)
            .collect()
    }
}

/// One post line in the Pushshift shape.
pub fn post(id: &str, author: &str, created_utc: i64) -> String {
    format!(
        "{{\"id\":\"{id}\",\"author\":\"{author}\",\"created_utc\":{created_utc},\"title\":\"t\",\"score\":1}}\n"
    )
}

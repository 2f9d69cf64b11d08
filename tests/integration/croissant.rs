//! The delivery manifest as a partner reads it: real snapshots (a JSONL and a CSV
//! source, two shards each) described by `model::manifest::croissant`, checked and
//! loaded by the real `mlcroissant` (installed by `scripts/install-deps.sh all` in
//! `target/tools-venv`). Every record of every shard must come back, field by field.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

use crate::common::world::World;
use consentry::delivery::{self, DeliveryRequest};
use consentry::keys::Secrets;
use consentry::model::manifest::RECORD_SET;
use consentry::purpose::Purpose;
use consentry::snapshot::Snapshot;

const T: &str = "2026-06-01T00:00:00Z";

/// The mlcroissant command line; a test fails (never skips) without it.
fn mlcroissant() -> PathBuf {
    let bin = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools-venv/bin/mlcroissant");
    assert!(
        bin.exists(),
        "{} is missing: run `scripts/install-deps.sh all` to install the partner-side \
         tools (mlcroissant) into target/tools-venv",
        bin.display()
    );
    bin
}

fn world() -> World {
    let w = World::new(&[Purpose::GenaiTraining, Purpose::AiInference]);
    w.users(&[
        ("alice", "US", "1990-01-01", "active"),
        ("bob", "US", "1985-05-05", "active"),
        ("kid", "US", "2015-01-01", "active"),
    ]);
    w
}

/// Builds a snapshot of `source` in two shards and delivers it twice with `delivery
/// create` (so the manifest read is sequence 2); returns a copy of the second package
/// folder (`mlcroissant load` writes its output beside the manifest), the snapshot and
/// the manifest.
fn deliver(w: &World, name: &str, source: &str) -> (PathBuf, Snapshot, Value) {
    let path = w.write(name, source);
    let mut req = w.request(&path, T);
    req.shard_bytes = Some(1024);
    req.out = Some(w.path("snapshot").display().to_string());
    let snapshot = w.build(&req).unwrap();
    assert_eq!(snapshot.shards.len(), 2, "{:?}", snapshot.shards);
    for (n, folder) in ["first", "delivery"].iter().enumerate() {
        let made = delivery::create(
            &w.store,
            Secrets::File,
            DeliveryRequest {
                deal_id: w.deal,
                snapshot_id: snapshot.snapshot_id,
                out: w.path(folder).display().to_string(),
                platform: Some("Chirp".into()),
            },
        )
        .unwrap();
        assert_eq!(made.sequence, n as u64 + 1);
    }
    let folder = w.path("loaded");
    std::fs::create_dir(&folder).unwrap();
    for entry in std::fs::read_dir(w.path("delivery")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), folder.join(entry.file_name())).unwrap();
    }
    let doc =
        serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap();
    (folder, snapshot, doc)
}

/// `mlcroissant validate`: must succeed and report no error.
fn validate(folder: &Path) -> String {
    let out = Command::new(mlcroissant())
        .args(["validate", "--jsonld", "manifest.json"])
        .current_dir(folder)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "mlcroissant validate failed:\n{text}");
    assert!(!text.contains("error(s)"), "mlcroissant validate:\n{text}");
    assert!(text.contains("Done."), "mlcroissant validate:\n{text}");
    text
}

/// `mlcroissant load` of the record set, asking for more records than there are: the
/// records it generated, as it writes them to `output/<record set>.jsonl`.
fn load(folder: &Path, expected: usize) -> Vec<Map<String, Value>> {
    let out = Command::new(mlcroissant())
        .args([
            "load",
            "--jsonld",
            "manifest.json",
            "--record_set",
            RECORD_SET,
        ])
        .arg(format!("--num_records={}", expected + 10))
        .arg("--update_output")
        .current_dir(folder)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "mlcroissant load failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let written =
        std::fs::read_to_string(folder.join("output").join(format!("{RECORD_SET}.jsonl"))).unwrap();
    written
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The JSONL lines of every shard, in order.
fn shard_records(folder: &Path, s: &Snapshot) -> Vec<Map<String, Value>> {
    s.shards
        .iter()
        .flat_map(|shard| {
            std::fs::read_to_string(folder.join(&shard.file))
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect::<Vec<_>>()
        })
        .collect()
}

fn post(i: usize, author: &str) -> String {
    format!(
        "{{\"id\":\"post-{i}\",\"author\":\"{author}\",\"created_utc\":{},\"title\":\"Title number {i}\",\
         \"score\":{},\"ratio\":{}.25,\"nsfw\":{},\"edited_at\":\"2026-01-0{}T10:00:00Z\",\
         \"tags\":[\"a\",\"b\"],\"meta\":{{\"lang\":\"en\"}}}}\n",
        1_700_000_000 + i,
        i * 7,
        i,
        i % 2 == 0,
        1 + i % 9,
    )
}

#[test]
fn a_jsonl_delivery_validates_and_loads_every_record_of_every_shard() {
    let w = world();
    let source: String = (0..12)
        .map(|i| post(i, ["alice", "bob", "kid"][i % 3]))
        .collect();
    let (folder, snapshot, doc) = deliver(&w, "posts.jsonl", &source);
    assert_eq!(snapshot.records_included, 8, "the minor's 4 are excluded");

    // The manifest's shape: what a partner and `delivery verify` rely on.
    assert_eq!(doc["version"], "2.0.0");
    let files: Vec<&Value> = doc["distribution"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["@type"] == "cr:FileObject")
        .collect();
    assert_eq!(files.len(), 2);
    for (file, shard) in files.iter().zip(&snapshot.shards) {
        assert_eq!(file["contentUrl"], shard.file.as_str());
        assert_eq!(file["sha256"], shard.sha256.as_str());
        assert_eq!(file["contentSize"], format!("{} B", shard.bytes));
        assert_eq!(file["encodingFormat"], "application/jsonlines");
    }
    assert!(!doc.to_string().contains("records.jsonl\""));
    let types: Vec<(&str, &str)> = doc["recordSet"][0]["field"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["name"].as_str().unwrap(), f["dataType"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("id", "sc:Text"),
            ("author", "sc:Text"),
            ("created_utc", "sc:Integer"),
            ("title", "sc:Text"),
            ("score", "sc:Integer"),
            ("ratio", "sc:Float"),
            ("nsfw", "sc:Boolean"),
            ("edited_at", "sc:DateTime"),
        ]
    );
    let block = &doc["consentry:delivery"];
    assert_eq!(block["consentry:sequence"], 2);
    assert_eq!(block["consentry:excluded"]["minor"], 4);
    assert_eq!(
        block["consentry:ledger_sha256"],
        snapshot.ledger_sha256.as_str()
    );
    let policy = &doc["usageInfo"];
    assert_eq!(policy["@type"], "odrl:Agreement");
    let actions = |rules: &str| -> Vec<String> {
        policy[rules]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["odrl:action"]["@id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        actions("odrl:permission"),
        ["consentry:genai-training", "consentry:ai-inference"]
    );
    assert_eq!(
        actions("odrl:prohibition"),
        [
            "consentry:partner-sharing",
            "consentry:ai-training",
            "consentry:search",
            "consentry:data-mining",
            "odrl:grantUse"
        ]
    );

    let said = validate(&folder);
    eprintln!("mlcroissant validate (JSONL):\n{said}");
    let loaded = load(&folder, 8);
    let expected = shard_records(&folder, &snapshot);
    assert_eq!(loaded.len(), expected.len(), "{loaded:?}");
    for (got, want) in loaded.iter().zip(&expected) {
        let field = |name: &str| &got[&format!("{RECORD_SET}/{name}")];
        for name in ["id", "author", "title"] {
            assert_eq!(field(name), &want[name], "{name} of {want:?}");
        }
        for name in ["created_utc", "score", "nsfw"] {
            assert_eq!(field(name), &want[name], "{name} of {want:?}");
        }
        assert_eq!(field("ratio").as_f64(), want["ratio"].as_f64());
        // mlcroissant hands out dates as pandas timestamps, written without the zone.
        let edited = want["edited_at"].as_str().unwrap().replace('T', " ");
        assert_eq!(field("edited_at"), edited.trim_end_matches('Z'));
        assert!(got.get(&format!("{RECORD_SET}/tags")).is_none());
    }
}

#[test]
fn a_csv_delivery_validates_and_loads_every_record_of_every_shard() {
    let w = world();
    let mut source = String::from("id,author,created_utc,title,score\n");
    for i in 0..40 {
        source.push_str(&format!(
            "c{i},{},{},\"Hello, world {i}\",{}\n",
            ["alice", "bob", "kid"][i % 3],
            1_700_000_000 + i,
            i * 3
        ));
    }
    let (folder, snapshot, doc) = deliver(&w, "posts.csv", &source);
    assert!(snapshot.records_included > 20);
    for shard in &snapshot.shards {
        let text = std::fs::read_to_string(folder.join(&shard.file)).unwrap();
        assert!(text.starts_with("id,author,created_utc,title,score\n"));
    }
    assert_eq!(doc["distribution"][0]["encodingFormat"], "text/csv");
    assert!(doc["recordSet"][0]["field"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["dataType"] == "sc:Text"));

    let said = validate(&folder);
    eprintln!("mlcroissant validate (CSV):\n{said}");
    let loaded = load(&folder, snapshot.records_included as usize);
    let mut expected = Vec::new();
    for shard in &snapshot.shards {
        let text = std::fs::read_to_string(folder.join(&shard.file)).unwrap();
        for line in text.lines().skip(1) {
            let (id, rest) = line.split_once(',').unwrap();
            let (author, rest) = rest.split_once(',').unwrap();
            let (created, rest) = rest.split_once(',').unwrap();
            let (title, score) = rest.rsplit_once(',').unwrap();
            expected.push([
                id.to_string(),
                author.to_string(),
                created.to_string(),
                title.trim_matches('"').to_string(),
                score.to_string(),
            ]);
        }
    }
    assert_eq!(expected.len() as u64, snapshot.records_included);
    assert_eq!(loaded.len(), expected.len());
    for (got, want) in loaded.iter().zip(&expected) {
        let values: Vec<&str> = ["id", "author", "created_utc", "title", "score"]
            .iter()
            .map(|n| got[&format!("{RECORD_SET}/{n}")].as_str().unwrap())
            .collect();
        assert_eq!(values, want.iter().map(String::as_str).collect::<Vec<_>>());
    }
}

//! Deliveries through the CLI on a real store: signed packages that the real `minisign`
//! and `openssl` verify, `delivery verify` naming every kind of tampering, refusals that
//! write nothing, and withdrawal notices and exposure reports checked against record
//! ids computed here from the delivered files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::Workspace;

const START: &str = "2026-01-01";
const END: &str = "2027-12-31";
const CUTOFF: &str = "2026-06-01T00:00:00Z";

/// A store with a signed genai-training deal, a registry and ledger, a sealed snapshot
/// of 120 posts in several shards, and one delivery of it.
pub(crate) struct Delivered {
    pub ws: Workspace,
    deal: i64,
    snapshot: i64,
    pkg: PathBuf,
    pub delivery: Value,
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Delivered {
    pub fn new() -> Delivered {
        let ws = Workspace::new();
        let partner = ws.partner("Lab");
        let deal = ws.signed_deal(partner, "genai-training", START, END);
        // u00..u19: US adults (opt-out country: included by default), u20..u23 minors,
        // u24..u29 DE adults (opt-in) of whom u24..u26 allowed.
        let mut users = String::from("user_id,country,birth_date,status\n");
        for i in 0..30 {
            let (country, birth) = match i {
                0..=19 => ("US", "1980-01-01"),
                20..=23 => ("US", "2015-01-01"),
                _ => ("DE", "1970-01-01"),
            };
            users.push_str(&format!("u{i:02},{country},{birth},active\n"));
        }
        let users_csv = ws.dir.path().join("users.csv");
        std::fs::write(&users_csv, &users).unwrap();
        ws.ok(&["users", "import", path_str(&users_csv)]);
        let ledger = "user_id,purpose,decision,effective_at,source\n\
            u24,partner-sharing,allow,2025-01-01T00:00:00Z,app\n\
            u25,ai-training,allow,2025-01-01T00:00:00Z,app\n\
            u26,genai-training,allow,2025-01-01T00:00:00Z,app\n";
        let ledger_csv = ws.dir.path().join("ledger.csv");
        std::fs::write(&ledger_csv, ledger).unwrap();
        ws.ok(&["consent", "import", path_str(&ledger_csv)]);
        let mut posts = String::new();
        for i in 0..120 {
            posts.push_str(&format!(
                "{{\"id\":\"p{i:03}\",\"author\":\"u{:02}\",\"created_utc\":{},\"text\":\"post {i}\",\"score\":{i}}}\n",
                i % 30,
                1_767_225_600 + i * 3600
            ));
        }
        let source = ws.dir.path().join("posts.jsonl");
        std::fs::write(&source, posts).unwrap();
        let snap_dir = ws.dir.path().join("snap");
        let snapshot = ws.ok(&[
            "snapshot",
            "build",
            "--deal",
            &deal.to_string(),
            "--source",
            path_str(&source),
            "--as-of",
            CUTOFF,
            "--shard-bytes",
            "2500",
            "--out",
            path_str(&snap_dir),
        ])["snapshot_id"]
            .as_i64()
            .unwrap();
        let pkg = ws.dir.path().join("pkg1");
        let delivery = ws.ok(&[
            "delivery",
            "create",
            "--deal",
            &deal.to_string(),
            "--snapshot",
            &snapshot.to_string(),
            "--out",
            path_str(&pkg),
        ]);
        Delivered {
            ws,
            deal,
            snapshot,
            pkg,
            delivery,
        }
    }

    fn key(&self) -> Value {
        self.ws.ok(&["key", "show"])["current"].clone()
    }

    /// The store's public key written as a minisign .pub file and a PEM file.
    fn key_files(&self) -> (PathBuf, PathBuf) {
        let key = self.key();
        let pubfile = self.ws.dir.path().join("key.pub");
        std::fs::write(
            &pubfile,
            format!(
                "untrusted comment: test\n{}\n",
                key["minisign"].as_str().unwrap()
            ),
        )
        .unwrap();
        let pem = self.ws.dir.path().join("key.pem");
        std::fs::write(&pem, key["pem"].as_str().unwrap()).unwrap();
        (pubfile, pem)
    }

    /// A copy of the package (real copies: the delivered shards are hard links to the
    /// snapshot's, which a test must not alter).
    fn copy(&self, name: &str) -> PathBuf {
        let to = self.ws.dir.path().join(name);
        std::fs::create_dir(&to).unwrap();
        for entry in std::fs::read_dir(&self.pkg).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
        to
    }

    /// `delivery verify DIR [--public-key FILE]`: exit status and report.
    fn verify(&self, dir: &Path, key: Option<&Path>) -> (i32, Value) {
        let mut args = vec!["delivery", "verify", path_str(dir)];
        if let Some(k) = key {
            args.extend(["--public-key", path_str(k)]);
        }
        let out = self.ws.cmd(&args).arg("--json").output().unwrap();
        (
            out.status.code().unwrap(),
            serde_json::from_slice(&out.stdout).unwrap(),
        )
    }

    fn problems(&self, dir: &Path) -> String {
        let (code, report) = self.verify(dir, None);
        assert_eq!(code, 1, "{} verified: {report}", dir.display());
        assert_eq!(report["ok"], false);
        report["problems"].to_string()
    }
}

fn minisign(dir: &Path, key: &str) -> bool {
    Command::new("minisign")
        .current_dir(dir)
        .args(["-Vm", "manifest.json", "-P", key])
        .output()
        .expect("minisign is installed by scripts/install-deps.sh")
        .status
        .success()
}

fn openssl(dir: &Path, pem: &Path) -> bool {
    Command::new("openssl")
        .current_dir(dir)
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(pem)
        .args([
            "-rawin",
            "-in",
            "manifest.json",
            "-sigfile",
            "manifest.json.sig",
        ])
        .output()
        .expect("openssl is installed")
        .status
        .success()
}

/// Asserts that the problems `delivery verify` listed name each of `needles`.
fn names(problems: &str, needles: &[&str]) {
    for needle in needles {
        assert!(problems.contains(needle), "{needle:?} not in {problems}");
    }
}

fn flip_byte(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    let at = at.min(bytes.len() - 1);
    bytes[at] ^= 0x01;
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn a_package_verifies_with_minisign_openssl_and_consentry() {
    let d = Delivered::new();
    for key in ["delivery_id", "sequence", "manifest_sha256", "files"] {
        assert!(
            !d.delivery[key].is_null(),
            "delivery create --json lacks {key}"
        );
    }
    assert_eq!(d.delivery["sequence"], 1);
    let files = d.delivery["files"].as_array().unwrap();
    assert!(files.len() >= 2, "the test wants several shards: {files:?}");
    let mut names: BTreeSet<String> = files
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    names.extend(
        [
            "manifest.json",
            "manifest.json.minisig",
            "manifest.json.sig",
        ]
        .map(String::from),
    );
    let present: BTreeSet<String> = std::fs::read_dir(&d.pkg)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        present, names,
        "the package holds exactly the shards and the signed manifest"
    );

    let key = d.key();
    let (pubfile, pem) = d.key_files();
    assert!(minisign(&d.pkg, key["minisign"].as_str().unwrap()));
    assert!(openssl(&d.pkg, &pem));
    let (code, report) = d.verify(&d.pkg, None);
    assert_eq!((code, &report["ok"]), (0, &Value::Bool(true)), "{report}");
    assert_eq!(report["files_checked"], files.len());
    assert_eq!(report["key_id"], key["key_id"]);

    // A partner has no store: the public key alone verifies it.
    let out = Command::new(assert_cmd::cargo::cargo_bin("consentry"))
        .args(["--db"])
        .arg(d.ws.dir.path().join("no-such-store.db"))
        .args(["delivery", "verify"])
        .arg(&d.pkg)
        .arg("--public-key")
        .arg(&pubfile)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!d.ws.dir.path().join("no-such-store.db").exists());
    let (code, _) = d.verify(&d.pkg, Some(&pem));
    assert_eq!(code, 0, "a PEM key verifies too");

    // The manifest records the store's audit head as it was when the delivery was made.
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(d.pkg.join("manifest.json")).unwrap()).unwrap();
    let entries = d.ws.ok(&["audit", "list"]);
    let created = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "delivery.created")
        .unwrap();
    let seq = created["seq"].as_i64().unwrap();
    let before = entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["seq"] == seq - 1)
        .unwrap();
    let head = &manifest["consentry:delivery"]["consentry:audit_head"];
    assert_eq!(head["consentry:seq"], seq - 1, "{head}");
    assert_eq!(head["consentry:hash"], before["hash"], "{head}");
}

#[test]
fn tampering_is_named_by_consentry_and_caught_by_the_standard_tools() {
    let d = Delivered::new();
    let key = d.key();
    let rw = key["minisign"].as_str().unwrap();
    let (_, pem) = d.key_files();

    let manifest = d.copy("flipped-manifest");
    flip_byte(&manifest.join("manifest.json"), 200);
    assert!(!minisign(&manifest, rw));
    assert!(!openssl(&manifest, &pem));
    let problems = d.problems(&manifest);
    names(
        &problems,
        &[
            "manifest.json.minisig: the signature does not match",
            "manifest.json.sig: the signature does not match",
        ],
    );

    let shard = d.copy("flipped-shard");
    flip_byte(&shard.join("part-00001.jsonl"), 10);
    let problems = d.problems(&shard);
    names(&problems, &["part-00001.jsonl: SHA-256"]);
    assert!(!problems.contains("part-00000.jsonl"), "{problems}");

    let swapped = d.copy("swapped");
    std::fs::rename(swapped.join("part-00000.jsonl"), swapped.join("tmp")).unwrap();
    std::fs::rename(
        swapped.join("part-00001.jsonl"),
        swapped.join("part-00000.jsonl"),
    )
    .unwrap();
    std::fs::rename(swapped.join("tmp"), swapped.join("part-00001.jsonl")).unwrap();
    let problems = d.problems(&swapped);
    names(&problems, &["part-00000.jsonl:", "part-00001.jsonl:"]);

    let extra = d.copy("extra");
    std::fs::write(extra.join("notes.txt"), "hi").unwrap();
    std::fs::remove_file(extra.join("part-00000.jsonl")).unwrap();
    let problems = d.problems(&extra);
    names(
        &problems,
        &[
            "notes.txt is not in the manifest",
            "part-00000.jsonl is missing",
        ],
    );

    let linked = d.copy("symlinked");
    std::fs::remove_file(linked.join("part-00000.jsonl")).unwrap();
    std::os::unix::fs::symlink(
        d.pkg.join("part-00000.jsonl"),
        linked.join("part-00000.jsonl"),
    )
    .unwrap();
    let problems = d.problems(&linked);
    names(&problems, &["part-00000.jsonl is a symbolic link"]);

    // A wrong key: another store's.
    let other = Workspace::new();
    let other_key = other.ok(&["key", "show"])["current"].clone();
    let other_pem = other.dir.path().join("other.pem");
    std::fs::write(&other_pem, other_key["pem"].as_str().unwrap()).unwrap();
    assert!(!minisign(&d.pkg, other_key["minisign"].as_str().unwrap()));
    assert!(!openssl(&d.pkg, &other_pem));
    let (code, report) = d.verify(&d.pkg, Some(&other_pem));
    assert_eq!(code, 1);
    assert!(
        report["problems"].to_string().contains("does not match"),
        "{report}"
    );
}

#[test]
fn a_file_name_that_escapes_the_folder_is_refused_even_when_signed() {
    let d = Delivered::new();
    let pkg = d.copy("escaping");
    let path = pkg.join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "\"contentUrl\": \"part-00000.jsonl\"",
        "\"contentUrl\": \"../part-00000.jsonl\"",
    );
    assert!(text.contains("../part-00000.jsonl"));
    std::fs::write(&path, &text).unwrap();
    // Signed with the store's own key, as an insider would: the signatures pass, the
    // name does not.
    let key = d.key();
    let secret = std::fs::read_to_string(
        d.ws.db
            .with_file_name("consentry.db.keys")
            .join(format!("{}.secret", key["key_id"].as_str().unwrap())),
    )
    .unwrap();
    let seed: [u8; 32] =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, secret.trim())
            .unwrap()
            .try_into()
            .unwrap();
    let number =
        consentry::model::signature::KeyNumber::parse_id(key["key_id"].as_str().unwrap()).unwrap();
    let pair = consentry::model::signature::KeyPair::from_secret(number, &seed);
    std::fs::write(
        pkg.join("manifest.json.minisig"),
        pair.sign_minisign(text.as_bytes(), "x"),
    )
    .unwrap();
    std::fs::write(
        pkg.join("manifest.json.sig"),
        pair.sign_raw(text.as_bytes()),
    )
    .unwrap();
    assert!(minisign(&pkg, key["minisign"].as_str().unwrap()));
    let problems = d.problems(&pkg);
    names(
        &problems,
        &["\\\"../part-00000.jsonl\\\" escapes the package folder"],
    );
    assert!(!problems.contains("signature"), "{problems}");
}

#[test]
fn a_lower_sequence_is_a_replay_and_a_redelivery_keeps_the_file_hashes() {
    let d = Delivered::new();
    let again = d.ws.ok(&[
        "delivery",
        "create",
        "--deal",
        &d.deal.to_string(),
        "--snapshot",
        &d.snapshot.to_string(),
        "--out",
        path_str(&d.ws.dir.path().join("pkg2")),
    ]);
    assert_eq!(again["sequence"], 2);
    assert_eq!(
        again["files"], d.delivery["files"],
        "same snapshot, same file hashes"
    );
    assert_ne!(again["manifest_sha256"], d.delivery["manifest_sha256"]);
    let problems = d.problems(&d.pkg);
    names(
        &problems,
        &["replayed: sequence 1 is lower than sequence 2 already delivered"],
    );
    let (code, _) = d.verify(&d.ws.dir.path().join("pkg2"), None);
    assert_eq!(code, 0);
    // A rotated key leaves what the old one signed verifiable.
    d.ws.ok(&["key", "rotate"]);
    let (code, report) = d.verify(&d.ws.dir.path().join("pkg2"), None);
    assert_eq!(code, 0, "{report}");
}

#[test]
fn refused_deliveries_write_nothing() {
    let d = Delivered::new();
    let ws = &d.ws;
    let deal = d.deal.to_string();
    let snap = d.snapshot.to_string();
    let fresh = ws.dir.path().join("fresh");
    let partner = ws.partner("Other lab");
    let draft = ws
        .draft_deal(partner, "genai-training", START, END)
        .to_string();
    // Nothing delivered, nothing pending; a notice has nothing to amend.
    assert_eq!(
        ws.ok(&["withdrawal", "pending", "--deal", &draft]),
        serde_json::json!([])
    );
    ws.refused(
        &[
            "withdrawal",
            "create",
            "--deal",
            &draft,
            "--out",
            path_str(&fresh),
        ],
        Some("deal_id"),
        "has no deliveries",
    );
    ws.refused(
        &[
            "delivery",
            "create",
            "--deal",
            &draft,
            "--snapshot",
            &snap,
            "--out",
            path_str(&fresh),
        ],
        Some("deal_id"),
        "only a signed or active deal may deliver",
    );
    let other = ws
        .signed_deal(partner, "genai-training", START, END)
        .to_string();
    ws.refused(
        &[
            "delivery",
            "create",
            "--deal",
            &other,
            "--snapshot",
            &snap,
            "--out",
            path_str(&fresh),
        ],
        Some("snapshot_id"),
        &format!("belongs to deal {deal}"),
    );
    ws.refused(
        &[
            "delivery",
            "create",
            "--deal",
            &deal,
            "--snapshot",
            "99",
            "--out",
            path_str(&fresh),
        ],
        None,
        "snapshot 99 not found",
    );
    // A build still running (as a crashed or live build leaves its row): not sealed.
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute(
        "INSERT INTO snapshots (id, deal_id, state, pid, staging_dir, out_dir, source_path,
             source_format, id_field, user_field, time_field, as_of, purposes, policy_version,
             created_at)
         SELECT 50, deal_id, 'building', 1, '/nowhere/.s', '/nowhere/s', source_path,
             source_format, id_field, user_field, time_field, as_of, purposes, policy_version,
             created_at FROM snapshots WHERE id = ?1",
        [d.snapshot],
    )
    .unwrap();
    drop(conn);
    ws.refused(
        &[
            "delivery",
            "create",
            "--deal",
            &deal,
            "--snapshot",
            "50",
            "--out",
            path_str(&fresh),
        ],
        Some("snapshot_id"),
        "snapshot 50 is not sealed",
    );
    let busy = ws.dir.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("keep.txt"), "mine").unwrap();
    ws.refused(
        &[
            "delivery",
            "create",
            "--deal",
            &deal,
            "--snapshot",
            &snap,
            "--out",
            path_str(&busy),
        ],
        Some("out"),
        "not empty",
    );
    assert_eq!(
        std::fs::read_to_string(busy.join("keep.txt")).unwrap(),
        "mine"
    );
    assert!(!fresh.exists());
    let leftovers: Vec<_> = std::fs::read_dir(ws.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "staging folders left: {leftovers:?}");
}

/// The record ids of the delivered shards written by `authors`, in delivery order,
/// read here from the package files.
fn delivered_ids_of(pkg: &Path, authors: &[&str]) -> Vec<String> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(pkg)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    names.sort();
    let mut ids = Vec::new();
    for name in names {
        for line in std::fs::read_to_string(name).unwrap().lines() {
            let post: Value = serde_json::from_str(line).unwrap();
            if authors.contains(&post["author"].as_str().unwrap()) {
                ids.push(post["id"].as_str().unwrap().to_string());
            }
        }
    }
    ids
}

#[test]
fn withdrawal_notices_list_exactly_what_became_ineligible_once() {
    let d = Delivered::new();
    let ws = &d.ws;
    let deal = d.deal.to_string();
    // After the delivery: u03 denies genai-training (effective 2026-07-01), and the
    // registry marks u05 deleted (counting from this import, i.e. now).
    let ledger = ws.dir.path().join("later.csv");
    std::fs::write(
        &ledger,
        "user_id,purpose,decision,effective_at,source\nu03,genai-training,deny,2026-07-01T00:00:00Z,app\n",
    )
    .unwrap();
    ws.ok(&["consent", "import", path_str(&ledger)]);
    let users = std::fs::read_to_string(ws.dir.path().join("users.csv"))
        .unwrap()
        .replace("u05,US,1980-01-01,active", "u05,US,1980-01-01,deleted");
    let users_csv = ws.dir.path().join("users2.csv");
    std::fs::write(&users_csv, users).unwrap();
    ws.ok(&["users", "import", path_str(&users_csv)]);

    // Before the deletion was imported, only the deny counts.
    let pending = ws.ok(&[
        "withdrawal",
        "pending",
        "--deal",
        &deal,
        "--as-of",
        "2026-08-01T00:00:00Z",
    ]);
    let users: Vec<&str> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users, ["u03"]);

    let notice_file = ws.dir.path().join("notice-1.json");
    let notice = ws.ok(&[
        "withdrawal",
        "create",
        "--deal",
        &deal,
        "--out",
        path_str(&notice_file),
    ]);
    for key in ["notice_id", "sequence", "record_count", "deliveries"] {
        assert!(
            !notice[key].is_null(),
            "withdrawal create --json lacks {key}"
        );
    }
    let expected = delivered_ids_of(&d.pkg, &["u03", "u05"]);
    assert!(!expected.is_empty());
    let listed: Vec<String> = notice["deliveries"][0]["record_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, expected);
    assert_eq!(notice["record_count"], expected.len());
    assert_eq!(
        notice["deliveries"][0]["delivery_id"],
        d.delivery["delivery_id"]
    );

    // The notice is signed like a manifest and names what it amends.
    let key = d.key();
    let file: Value = serde_json::from_slice(&std::fs::read(&notice_file).unwrap()).unwrap();
    assert_eq!(file["amends"][0], d.delivery["manifest_sha256"]);
    assert_eq!(file["audience"]["name"], "Lab");
    assert!(file["nonce"].as_str().unwrap().len() >= 32);
    let reasons: Vec<(String, String)> = file["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["user_id"].as_str().unwrap().into(),
                u["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("u03".into(), "no_consent".into()),
            ("u05".into(), "account_deleted".into())
        ]
    );
    let verified = Command::new("minisign")
        .args(["-Vm"])
        .arg(&notice_file)
        .args(["-P", key["minisign"].as_str().unwrap()])
        .output()
        .unwrap();
    assert!(verified.status.success());

    // A second notice repeats nothing: with nothing new it is refused...
    ws.refused(
        &[
            "withdrawal",
            "create",
            "--deal",
            &deal,
            "--out",
            path_str(&ws.dir.path().join("n2.json")),
        ],
        None,
        "nothing to withdraw",
    );
    // ... and after another opt-out it lists only that user's records.
    std::fs::write(
        &ledger,
        "user_id,purpose,decision,effective_at,source\nu07,partner-sharing,deny,2026-09-01T00:00:00Z,app\n",
    )
    .unwrap();
    ws.ok(&["consent", "import", path_str(&ledger)]);
    let second = ws.ok(&[
        "withdrawal",
        "create",
        "--deal",
        &deal,
        "--out",
        path_str(&ws.dir.path().join("n2.json")),
    ]);
    assert_eq!(second["sequence"], 2);
    let listed: Vec<&str> = second["deliveries"][0]["record_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(listed, delivered_ids_of(&d.pkg, &["u07"]));

    // The exposure report of each user shows the delivery and the notice.
    for (user, notice_id) in [
        ("u03", &notice["notice_id"]),
        ("u05", &notice["notice_id"]),
        ("u07", &second["notice_id"]),
    ] {
        let report = ws.ok(&["exposure", "--user", user]);
        let delivery = &report["deliveries"][0];
        assert_eq!(
            delivery["delivery_id"], d.delivery["delivery_id"],
            "{report}"
        );
        assert_eq!(delivery["partner_name"], "Lab");
        assert_eq!(delivery["records"], delivered_ids_of(&d.pkg, &[user]).len());
        assert_eq!(&delivery["notices"][0]["notice_id"], notice_id, "{report}");
        assert_eq!(delivery["notices"][0]["status"], "pending");
    }
    let untouched = ws.ok(&["exposure", "--user", "u00"]);
    assert_eq!(untouched["deliveries"][0]["notices"], serde_json::json!([]));
    let minor = ws.ok(&["exposure", "--user", "u20"]);
    assert_eq!(
        minor["deliveries"],
        serde_json::json!([]),
        "a minor's records were never delivered"
    );

    // Acknowledged with an attestation file, hashed into the audit chain.
    let attestation = ws.dir.path().join("deleted.pdf");
    std::fs::write(&attestation, "we deleted them").unwrap();
    let id = notice["notice_id"].to_string();
    // The notice was issued today; it cannot be acknowledged before that.
    let today = chrono::Utc::now().date_naive();
    let acked = ws.ok(&[
        "withdrawal",
        "ack",
        &id,
        "--date",
        &today.to_string(),
        "--attestation",
        path_str(&attestation),
    ]);
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(
        acked["attestation_sha256"],
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"we deleted them"))
    );
    ws.refused(
        &["withdrawal", "ack", &id, "--date", &today.to_string()],
        None,
        "already acknowledged",
    );
    let report = ws.ok(&["exposure", "--user", "u03"]);
    assert_eq!(
        report["deliveries"][0]["notices"][0]["status"],
        "acknowledged"
    );
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);

    // Past its due date and not acknowledged, a notice is overdue (the date moved by
    // hand: a deal gives at least one day).
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute(
        "UPDATE withdrawal_notices SET due_date = '2026-01-31' WHERE id = ?1",
        [second["notice_id"].as_i64().unwrap()],
    )
    .unwrap();
    let overdue = ws.ok(&["withdrawal", "list", "--status", "overdue"]);
    let ids: Vec<&Value> = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|n| &n["notice_id"])
        .collect();
    assert_eq!(ids, [&second["notice_id"]]);
    let report = ws.ok(&["exposure", "--user", "u07"]);
    assert_eq!(report["deliveries"][0]["notices"][0]["status"], "overdue");

    // A withdrawn record removed behind Consentry's back is caught by audit verify.
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER withdrawn_records_are_never_deleted;
         DELETE FROM withdrawn_records WHERE rowid IN (SELECT rowid FROM withdrawn_records LIMIT 1);",
    )
    .unwrap_or_else(|_| {
        conn.execute_batch(
            "DELETE FROM withdrawn_records WHERE record_id = (SELECT min(record_id) FROM withdrawn_records)",
        )
        .unwrap()
    });
    let out = ws.cmd(&["audit", "verify", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("withdrawn_records"));
}

#[test]
fn the_key_is_kept_in_a_file_when_no_keyring_answers_and_rotation_keeps_old_keys() {
    let ws = Workspace::new();
    // No D-Bus session: the OS keyring cannot answer, so `auto` falls back to the file.
    let out = ws
        .cmd(&["key", "show", "--json"])
        .env("CONSENTRY_SECRET_STORE", "auto")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(first["created"], true);
    assert_eq!(first["current"]["secret_store"], "file");
    let secret = PathBuf::from(first["secret_location"].as_str().unwrap());
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&secret).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(first["current"]["minisign"]
        .as_str()
        .unwrap()
        .starts_with("RW"));
    assert!(first["current"]["pem"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    assert_eq!(ws.ok(&["key", "show"])["created"], false);
    let rotated = ws.ok(&["key", "rotate"]);
    assert_ne!(rotated["current"]["key_id"], first["current"]["key_id"]);
    assert_eq!(rotated["retired"][0]["key_id"], first["current"]["key_id"]);
    assert_eq!(ws.ok(&["audit", "verify"])["ok"], true);
}

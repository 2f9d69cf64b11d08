//! The UI's golden answers: a scripted scenario through the real commands, on a real
//! store, whose responses and refusals are written to `ui/src/backend/fixtures.json`.
//! The in-memory backend the UI tests run on (`ui/src/backend/memory/`) answers with
//! these shapes and the tests refuse with these error bodies, so the UI is tested
//! against what the core really says, not against a copy of its rules.
//!
//! The file is stale-checked like `ui/src/bindings.ts`: the test fails when the
//! committed file differs from what the scenario produces; `make bindings` (which sets
//! `UPDATE_BINDINGS=1`) rewrites it. Volatile values are normalised so that the file is
//! the same on every run: the temporary folder becomes `/data`, times become one fixed
//! instant, audit hashes (which cover the times) become numbered placeholders, and
//! durations a fixed 40 ms.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Harness;
use consentry::Store;
use serde_json::{json, Map, Value};

/// Records the scenario's answers under names the UI tests use.
struct Recorder {
    h: Harness,
    responses: Map<String, Value>,
    errors: Map<String, Value>,
}

impl Recorder {
    /// Calls `cmd`, which must succeed; keeps its response as `name` (unless `name` is
    /// empty) and returns it.
    fn ok(&mut self, name: &str, cmd: &str, args: Value) -> Value {
        let response = self
            .h
            .invoke(cmd, args.clone())
            .unwrap_or_else(|e| panic!("{name}: {cmd}({args}) was refused: {e}"));
        if !name.is_empty() {
            let old = self.responses.insert(name.to_string(), response.clone());
            assert!(old.is_none(), "response {name} recorded twice");
        }
        response
    }

    /// Calls `cmd`, which must be refused with `code`; keeps the error body as `name`.
    fn refused(&mut self, name: &str, code: &str, cmd: &str, args: Value) {
        let body = self
            .h
            .invoke(cmd, args.clone())
            .map(|r| panic!("{name}: {cmd}({args}) succeeded: {r}"))
            .unwrap_err();
        assert_eq!(body["code"], code, "{name}: {body}");
        self.error(name, body);
    }

    fn error(&mut self, name: &str, body: Value) {
        let old = self.errors.insert(name.to_string(), body);
        assert!(old.is_none(), "error {name} recorded twice");
    }

    fn path(&self, name: &str) -> String {
        self.h.dir().join(name).to_str().unwrap().to_string()
    }

    fn write(&self, name: &str, content: &str) -> String {
        std::fs::write(self.h.dir().join(name), content).unwrap();
        self.path(name)
    }
}

fn partner(name: &str, kind: &str, country: &str, contact: Value, notes: Value) -> Value {
    json!({ "input": { "name": name, "kind": kind, "country": country, "contact": contact, "notes": notes } })
}

fn deal(partner: i64, title: &str, start: &str, end: &str) -> Value {
    json!({
        "partner_id": partner, "title": title, "purposes": ["genai-training", "ai-inference"],
        "start_date": start, "end_date": end, "territory": "WORLD", "exclusive": false,
        "retention_days": 730, "attribution_required": true, "sublicensing_allowed": false,
        "notes": "Fee schedule agreed in principle."
    })
}

fn id(value: &Value) -> i64 {
    value["id"].as_i64().unwrap()
}

const COUNTRIES: [&str; 11] = [
    "US", "DE", "IN", "GB", "BR", "FR", "CA", "NL", "ES", "JP", "SE",
];

/// A registry row of user `i`: some without a birth date, some minors, some deleted or
/// suspended.
fn registry_row(i: usize) -> String {
    let birth = if i % 40 == 0 {
        String::new()
    } else if i % 23 == 0 {
        format!("2012-03-{:02}", i % 28 + 1)
    } else {
        format!("{}-{:02}-{:02}", 1960 + i % 40, i % 12 + 1, i % 28 + 1)
    };
    let status = match i {
        _ if i % 37 == 0 => "deleted",
        _ if i % 53 == 0 => "suspended",
        _ => "active",
    };
    format!(
        "u{i:04},{},{birth},{status}\n",
        COUNTRIES[i % COUNTRIES.len()]
    )
}

const REGISTRY_HEADER: &str = "user_id,country,birth_date,status\n";
const USERS: usize = 1250;

fn registry() -> String {
    let mut csv = String::from(REGISTRY_HEADER);
    (1..=USERS).for_each(|i| csv.push_str(&registry_row(i)));
    csv
}

/// The registry's first rows with three bad lines among them (lines 4, 9 and 17).
fn registry_with_bad_lines() -> String {
    let mut csv = String::from(REGISTRY_HEADER);
    let mut user = 1;
    for line in 2..=19 {
        match line {
            4 => csv.push_str("u9001,US,1990-02-30,active\n"),
            9 => csv.push_str("u9002,XX,1990-01-01,active\n"),
            17 => csv.push_str("u9003,DE,1990-01-01,banned\n"),
            _ => {
                csv.push_str(&registry_row(user));
                user += 1;
            }
        }
    }
    csv
}

const PURPOSES: [&str; 6] = [
    "partner-sharing",
    "ai-training",
    "genai-training",
    "ai-inference",
    "search",
    "data-mining",
];

/// Decisions of about two users in five per purpose, a third of them deny.
fn ledger() -> String {
    let mut csv = String::from("user_id,purpose,decision,effective_at,source\n");
    for i in 1..=USERS {
        for (k, purpose) in PURPOSES.iter().enumerate() {
            if (i * 7 + k * 13) % 10 < 4 {
                let decision = if (i + k) % 3 == 0 { "deny" } else { "allow" };
                let month = i % 9 + 1;
                csv.push_str(&format!(
                    "u{i:04},{purpose},{decision},2026-{month:02}-15T12:00:00Z,settings\n"
                ));
            }
        }
    }
    csv
}

const POSTS: usize = 3000;
const SUBREDDITS: [&str; 5] = ["AskHistorians", "cooking", "de", "gamedev", "books"];

/// Posts by registered and unknown authors over 2026, some after the cut-off, some
/// repeating the id before them, and a few lines that are not JSON (line 3 among them,
/// so that a preview shows one).
fn posts() -> String {
    let mut out = String::new();
    for j in 1..=POSTS {
        if j == 3 || j % 1000 == 500 {
            out.push_str("{\"id\":\"broken\n");
            continue;
        }
        let id = if j % 97 == 0 { j - 1 } else { j };
        let author = (j * 7919) % 1300 + 1;
        let created = 1_767_225_600 + (j * 86_413) % (330 * 86_400);
        out.push_str(&format!(
            "{{\"id\":\"t3_{id:05}\",\"author\":\"u{author:04}\",\"created_utc\":{created},\"subreddit\":\"{}\",\"title\":\"Post {j}\",\"score\":{}}}\n",
            SUBREDDITS[j % SUBREDDITS.len()],
            (j * 31) % 1500
        ));
    }
    out
}

/// Replaces what changes between runs (see the module docs), walking the document in
/// its (sorted) key order so that hash placeholders are numbered the same every time.
struct Normaliser {
    dir: String,
    key_id: Option<String>,
    hashes: BTreeMap<String, String>,
    /// The day the scenario ran (`YYYY-MM-DD`): messages that name it (a notice issued
    /// today) name the fixed day instead, so the file does not change with the day.
    /// Everything else the scenario dates is given a day (the credit note too).
    today: String,
}

const FIXED_INSTANT: &str = "2026-01-15T09:00:00Z";
/// A notice's due date and acknowledgement day, for the fixed instant: issue + 30 days.
const FIXED_DUE_DATE: &str = "2026-02-14";
const FIXED_ACK_DATE: &str = "2026-01-20";
/// What a notice is evaluated as of: after the later ledger's withdrawals.
const NOTICE_AS_OF: &str = "2026-11-20T00:00:00Z";
/// The signing key is new on every run: its id and public halves become these (a
/// well-formed minisign line and PEM of a made-up key whose id is `KEY_ID`).
const KEY_ID: &str = "0807060504030201";
const MINISIGN: &str = "RWQBAgMEBQYHCCAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/";
const PEM: &str = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=\n-----END PUBLIC KEY-----\n";
const FIXED_ETAG: &str = "\"etag\"";

const FIXED_DURATION_MS: u64 = 40;

impl Normaliser {
    fn value(&mut self, key: &str, value: &mut Value) {
        match value {
            Value::String(s) => match key {
                // Instants; a report's day `at` stays.
                "at" | "created_at" | "updated_at" | "sealed_at" | "issued_at" | "uploaded_at"
                | "delivered_at" | "voided_at"
                    if s.contains('T') =>
                {
                    *s = FIXED_INSTANT.into()
                }
                "issued_on" => *s = FIXED_ACK_DATE.into(),
                "acknowledged_on" => *s = FIXED_ACK_DATE.into(),
                "nonce" => *s = "0".repeat(s.len()),
                "minisign" => *s = MINISIGN.into(),
                "pem" => *s = PEM.into(),
                "etag" => *s = FIXED_ETAG.into(),
                // Signed files (manifests, notices, signatures) differ on every run.
                k if (k.ends_with("sha256") && s.len() == 64)
                    || (matches!(k, "hash" | "prev_hash" | "head_hash")
                        && s.chars().any(|c| c != '0')) =>
                {
                    let n = self.hashes.len() + 1;
                    *s = self
                        .hashes
                        .entry(s.clone())
                        .or_insert_with(|| format!("{n:064x}"))
                        .clone();
                }
                _ => {
                    *s = s.replace(&self.dir, "/data");
                    if key == "message" {
                        // A refusal that names today (a notice issued today).
                        *s = s.replace(&self.today, FIXED_ACK_DATE);
                    }
                    if let Some(id) = &self.key_id {
                        *s = s.replace(id.as_str(), KEY_ID);
                    }
                }
            },
            Value::Array(items) => items.iter_mut().for_each(|v| self.value(key, v)),
            Value::Object(map) => {
                // A notice is due a number of days after it was issued, today; an
                // invoice's due date comes from its (fixed) issue date.
                if map.contains_key("notice_id") && map.contains_key("due_date") {
                    map.insert("due_date".into(), json!(FIXED_DUE_DATE));
                }
                if map.contains_key("duration_ms") {
                    map.insert("duration_ms".into(), json!(FIXED_DURATION_MS));
                }
                if let (Some(rows), true) = (
                    map.get("rows_read").and_then(Value::as_u64),
                    map.contains_key("rows_per_second"),
                ) {
                    map.insert(
                        "rows_per_second".into(),
                        json!(rows * 1000 / FIXED_DURATION_MS),
                    );
                }
                for (k, v) in map.iter_mut() {
                    self.value(k, v);
                }
            }
            _ => {}
        }
    }
}

/// What `store_check` answers on a store whose `quick_check` fails: a store in `dir`
/// with a table's page overwritten, opened as the app opens.
fn damaged_store_check(dir: &Path) -> Value {
    let db = dir.join("damaged.db");
    let store = Store::open(&db).unwrap();
    consentry::partner::create(
        &store,
        serde_json::from_value(json!({ "name": "Lost", "kind": "ai-lab" })).unwrap(),
    )
    .unwrap();
    drop(store); // the last connection: SQLite checkpoints the WAL into the file
                 // The partners table's root page overwritten.
    let (root, page): (i64, i64) = {
        let conn = rusqlite::Connection::open(&db).unwrap();
        let root = "SELECT rootpage FROM sqlite_master WHERE name = 'partners'";
        let root = conn.query_row(root, [], |r| r.get(0)).unwrap();
        (
            root,
            conn.query_row("PRAGMA page_size", [], |r| r.get(0))
                .unwrap(),
        )
    };
    let mut bytes = std::fs::read(&db).unwrap();
    let (at, page) = (((root - 1) * page) as usize, page as usize);
    bytes[at..at + page].fill(0xA5);
    std::fs::write(&db, bytes).unwrap();
    let h = Harness::on(
        Store::open_checking_behind(&db).unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let body = h.invoke("store_check", json!({})).unwrap_err();
    assert_eq!(body["code"], "store", "{body}");
    body
}

fn scenario() -> Value {
    let mut r = Recorder {
        h: Harness::with_actor("alice"),
        responses: Map::new(),
        errors: Map::new(),
    };
    let none = json!({});

    // ---- store and partners
    r.ok("storeInfo", "store_info", none.clone());
    r.ok("", "store_check", none.clone());
    r.error("storeDamaged", damaged_store_check(r.h.dir()));
    r.ok("overviewEmpty", "consent_overview", none.clone());
    let lab = r.ok(
        "partner",
        "create_partner",
        partner(
            "Northwind AI",
            "ai-lab",
            "us",
            json!("licensing@northwind.example"),
            json!("Frontier model lab."),
        ),
    );
    let lab = id(&lab);
    r.refused(
        "partnerNameBlank",
        "invalid",
        "create_partner",
        partner(" ", "ai-lab", "US", Value::Null, Value::Null),
    );
    r.refused(
        "partnerNameTaken",
        "conflict",
        "create_partner",
        partner("NORTHWIND ai", "ai-lab", "US", Value::Null, Value::Null),
    );
    let mut update = partner("Northwind Labs", "ai-lab", "US", Value::Null, Value::Null);
    update["id"] = json!(lab);
    r.ok("partnerUpdated", "update_partner", update.clone());
    update["id"] = json!(99);
    r.refused("partnerNotFound", "not_found", "update_partner", update);

    // ---- deals
    let mut bad = deal(lab, "", "2027-06-01", "2027-01-01");
    r.refused(
        "dealTitleAndEnd",
        "invalid",
        "create_deal",
        json!({ "input": bad }),
    );
    bad = deal(lab, "EU training", "2027-01-01", "2027-12-31");
    bad["territory"] = json!("DE,XX");
    r.refused(
        "dealTerritory",
        "invalid",
        "create_deal",
        json!({ "input": bad }),
    );
    bad = deal(lab, "Some deal", "2027-02-30", "01/01/2028");
    r.refused(
        "dealDates",
        "invalid",
        "create_deal",
        json!({ "input": bad }),
    );
    let training = deal(lab, "Training data licence", "2027-01-01", "2028-12-31");
    let created = r.ok("deal", "create_deal", json!({ "input": training }));
    let first = id(&created);
    let mut edited = training.clone();
    edited["title"] = json!("Training data licence 2027");
    r.ok(
        "dealUpdated",
        "update_deal",
        json!({ "id": first, "input": edited }),
    );
    r.ok(
        "dealTransitioned",
        "transition_deal",
        json!({ "id": first, "to": "negotiating" }),
    );
    r.ok(
        "",
        "transition_deal",
        json!({ "id": first, "to": "signed" }),
    );
    r.refused(
        "termsFrozen",
        "conflict",
        "update_deal",
        json!({ "id": first, "input": edited }),
    );

    let old = r.ok(
        "",
        "create_deal",
        json!({ "input": deal(lab, "Model training licence", "2026-01-01", "2027-12-31") }),
    );
    let old = id(&old);
    for to in ["negotiating", "signed", "active"] {
        r.ok("", "transition_deal", json!({ "id": old, "to": to }));
    }
    let no_dates = json!({ "start_date": null, "end_date": null });
    r.ok(
        "renewal",
        "renew_deal",
        json!({ "id": old, "input": no_dates }),
    );
    r.refused(
        "renewedTwice",
        "conflict",
        "renew_deal",
        json!({ "id": old, "input": no_dates }),
    );

    let draft = r.ok(
        "",
        "create_deal",
        json!({ "input": deal(lab, "Grounding API access", "2026-07-01", "2026-12-31") }),
    );
    let draft = id(&draft);
    r.refused(
        "renewalNotAllowed",
        "conflict",
        "renew_deal",
        json!({ "id": draft, "input": no_dates }),
    );
    r.ok(
        "",
        "transition_deal",
        json!({ "id": draft, "to": "terminated" }),
    );
    r.refused(
        "transitionNotAllowed",
        "illegal_transition",
        "transition_deal",
        json!({ "id": draft, "to": "negotiating" }),
    );

    let expired = r.ok(
        "",
        "create_deal",
        json!({ "input": deal(lab, "Discourse analysis pilot", "2025-01-01", "2025-06-30") }),
    );
    let expired = id(&expired);
    for to in ["negotiating", "signed", "active", "expired"] {
        r.ok("", "transition_deal", json!({ "id": expired, "to": to }));
    }
    r.refused(
        "renewalEndBeforeStart",
        "invalid",
        "renew_deal",
        json!({ "id": expired, "input": { "start_date": "2030-01-01", "end_date": "2029-01-01" } }),
    );
    r.refused("dealNotFound", "not_found", "get_deal", json!({ "id": 99 }));
    let open = r.ok(
        "",
        "create_deal",
        json!({ "input": deal(lab, "Search index feed", "2026-03-01", "2027-02-28") }),
    );
    let open = id(&open);
    r.ok(
        "",
        "transition_deal",
        json!({ "id": open, "to": "negotiating" }),
    );

    // ---- consent: imports, overview, policy
    let no_skip = json!({ "skip_invalid": false, "format": null });
    let bad_registry = r.write("registry-bad.csv", &registry_with_bad_lines());
    r.refused(
        "importBadLines",
        "invalid",
        "import_registry",
        json!({ "path": bad_registry, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    // Every row bad: the UI does not suggest skipping them.
    let all_bad = r.write(
        "registry-all-bad.csv",
        "user_id,country,birth_date,status\nu1,XX,1990-01-01,active\nu2,US,1990-02-30,active\n",
    );
    r.refused(
        "importAllBad",
        "invalid",
        "import_registry",
        json!({ "path": all_bad, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    // The posts file picked as the registry: refused from its first lines.
    let not_registry = r.write(
        "posts-export.jsonl",
        "{\"id\":\"p1\",\"author\":\"u0001\",\"created_utc\":1767225600,\"body\":\"hi\"}\n",
    );
    r.refused(
        "importNotRegistry",
        "invalid",
        "import_registry",
        json!({ "path": not_registry, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    let no_status = r.write(
        "registry-no-status.csv",
        "user_id,country,birth_date\nu1,US,\n",
    );
    r.refused(
        "importMissingColumn",
        "invalid",
        "import_registry",
        json!({ "path": no_status, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    let no_format = r.write("registry.txt", REGISTRY_HEADER);
    r.refused(
        "importNoFormat",
        "invalid",
        "import_registry",
        json!({ "path": no_format, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    // What an import rejects with after `cancel_import` (the mock runtime cannot cancel
    // one midway; the core's tests do): the core's own body for it.
    r.error(
        "importCancelled",
        serde_json::to_value(consentry::Error::Cancelled.body()).unwrap(),
    );
    r.ok("", "cancel_import", json!({ "kind": "ledger" }));
    let missing = r.path("missing.jsonl");
    r.refused(
        "importUnreadable",
        "io",
        "import_ledger",
        json!({ "path": missing, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    let registry = r.write("registry.csv", &registry());
    let args = json!({ "path": registry, "options": no_skip, "onProgress": "__CHANNEL__:6" });
    r.ok("registryImport", "import_registry", args.clone());
    r.ok("overviewRegistry", "consent_overview", none.clone());
    r.ok("registryReimport", "import_registry", args);
    r.ok(
        "registrySkipped",
        "import_registry",
        json!({ "path": bad_registry, "options": { "skip_invalid": true, "format": null }, "onProgress": "__CHANNEL__:6" }),
    );
    let ledger = r.write("ledger.csv", &ledger());
    r.ok(
        "ledgerImport",
        "import_ledger",
        json!({ "path": ledger, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    r.ok("overviewImported", "consent_overview", none.clone());
    let keep = json!({ "opt_in": null, "opt_out_available_from": null, "notice_days": null });
    let mut input = keep.clone();
    input["opt_in"] = json!("DE, ZZ");
    r.refused(
        "policyCountry",
        "invalid",
        "set_policy",
        json!({ "input": input }),
    );
    input = keep.clone();
    input["opt_out_available_from"] = json!("2026-05-01");
    input["notice_days"] = json!(5000);
    r.refused(
        "policyNoticeDays",
        "invalid",
        "set_policy",
        json!({ "input": input }),
    );
    input = keep.clone();
    input["opt_in"] = json!("DE,US");
    r.ok("policy", "set_policy", json!({ "input": input }));
    r.ok("overviewOptIn", "consent_overview", none.clone());

    // ---- snapshots
    let posts = r.write("posts.jsonl", &posts());
    r.ok(
        "sourcePreview",
        "preview_source",
        json!({ "path": posts, "format": null }),
    );
    let compressed = r.h.dir().join("posts.jsonl.zst");
    let text = std::fs::read(&posts).unwrap();
    std::fs::write(&compressed, zstd::encode_all(text.as_slice(), 3).unwrap()).unwrap();
    r.ok(
        "sourcePreviewZstd",
        "preview_source",
        json!({ "path": compressed, "format": null }),
    );
    r.refused(
        "previewUnreadable",
        "invalid",
        "preview_source",
        json!({ "path": missing, "format": null }),
    );
    let request = |deal: i64, out: &str| {
        json!({
            "deal_id": deal, "source": posts, "format": null, "id_field": "id",
            "user_field": "author", "time_field": "created_utc",
            "as_of": "2026-11-01T00:00:00Z", "window_from": "2026-02-01",
            "window_to": "2026-10-31", "shard_bytes": 65536, "out": out,
            "max_rejected_pct": null
        })
    };
    let build = |request: Value| json!({ "request": request, "onProgress": "__CHANNEL__:7" });
    r.refused(
        "buildNotSigned",
        "conflict",
        "build_snapshot",
        build(request(open, &r.path("out-0"))),
    );
    let mut invalid = request(first, &r.path("out-0"));
    invalid["source"] = json!(missing);
    invalid["shard_bytes"] = json!(100);
    r.refused("buildInvalid", "invalid", "build_snapshot", build(invalid));
    std::fs::create_dir(r.h.dir().join("full")).unwrap();
    std::fs::write(r.h.dir().join("full/keep.txt"), "mine").unwrap();
    r.refused(
        "buildOutNotEmpty",
        "invalid",
        "build_snapshot",
        build(request(first, &r.path("full"))),
    );
    let mut broken = request(first, &r.path("out-0"));
    broken["source"] = json!(r.write(
        "posts-bad.jsonl",
        "{\"id\":\"a\",\"author\":\"u0001\",\"created_utc\":1767225600}\nnot json\n{\"id\":\"b\"\n{\"id\":\"c\",\"author\":\"u0002\",\"created_utc\":\"yesterday\"}\n",
    ));
    r.refused(
        "buildTooManyRejected",
        "invalid",
        "build_snapshot",
        build(broken),
    );
    // What `build_snapshot` rejects with after `cancel_build` (the mock runtime cannot
    // cancel a build midway): the core's own body for it.
    r.error(
        "buildCancelled",
        serde_json::to_value(consentry::Error::Cancelled.body()).unwrap(),
    );
    let sealed = r.ok(
        "snapshot",
        "build_snapshot",
        build(request(first, &r.path("out-1"))),
    );
    let one = sealed["snapshot_id"].as_i64().unwrap();
    r.ok("snapshotVerified", "verify_snapshot", json!({ "id": one }));
    r.refused(
        "snapshotNotFound",
        "not_found",
        "get_snapshot",
        json!({ "id": 99 }),
    );
    input = keep.clone();
    input["opt_out_available_from"] = json!("2026-05-01");
    r.ok("policyGated", "set_policy", json!({ "input": input }));
    let gated = r.ok(
        "snapshotGated",
        "build_snapshot",
        build(request(first, &r.path("out-2"))),
    );
    r.ok("overviewGated", "consent_overview", none.clone());
    let shard = gated["shards"][0]["file"].as_str().unwrap();
    std::fs::write(r.h.dir().join("out-2").join(shard), "tampered\n").unwrap();
    r.ok(
        "snapshotTampered",
        "verify_snapshot",
        json!({ "id": gated["snapshot_id"] }),
    );

    // ---- deliveries: a key made by the first one, a push to a folder, a tampered package
    r.ok("signingKeyNone", "signing_key", none.clone());
    let deliver = |deal: i64, snapshot: i64, out: &str| json!({ "request": { "deal_id": deal, "snapshot_id": snapshot, "out": out, "platform": null } });
    r.refused(
        "deliveryNotSigned",
        "conflict",
        "create_delivery",
        deliver(open, one, &r.path("delivery-0")),
    );
    r.refused(
        "deliveryOutNotEmpty",
        "invalid",
        "create_delivery",
        deliver(first, one, &r.path("full")),
    );
    let delivered = r.ok(
        "delivery",
        "create_delivery",
        deliver(first, one, &r.path("delivery-1")),
    );
    let delivery = delivered["delivery_id"].as_i64().unwrap();
    r.ok("deliveries", "list_deliveries", json!({ "dealId": first }));
    r.ok("signingKey", "signing_key", none.clone());
    r.ok(
        "deliveryVerified",
        "verify_delivery",
        json!({ "id": delivery }),
    );
    r.refused(
        "deliveryNotFound",
        "not_found",
        "verify_delivery",
        json!({ "id": 99 }),
    );
    let push = |to: String| json!({ "id": delivery, "to": to, "onProgress": "__CHANNEL__:8" });
    r.refused(
        "pushBadDestination",
        "invalid",
        "push_delivery",
        push("ftp://partner.example/inbox".into()),
    );
    std::fs::create_dir(r.h.dir().join("bucket")).unwrap();
    let bucket = format!("file://{}", r.path("bucket"));
    // What `push_delivery` rejects with after `cancel_push` (the mock runtime cannot
    // cancel midway): the core's own refusal of a push whose flag is already set, which
    // stops at its first event, on the same store file.
    std::fs::create_dir(r.h.dir().join("stopped")).unwrap();
    let stopped = consentry::delivery::push(
        &consentry::Store::open(&r.h.dir().join("app.db")).unwrap(),
        consentry::delivery::DeliveryId(delivery),
        &format!("file://{}", r.path("stopped")),
        &Default::default(),
        &mut |_| {},
        &std::sync::atomic::AtomicBool::new(true),
    )
    .unwrap_err();
    r.error("pushStopped", serde_json::to_value(stopped.body()).unwrap());
    r.ok("pushReport", "push_delivery", push(bucket.clone()));
    r.ok("pushAgain", "push_delivery", push(bucket));
    r.ok("receipts", "delivery_receipts", json!({ "id": delivery }));
    std::fs::write(r.h.dir().join("delivery-1/notes.txt"), "not listed\n").unwrap();
    r.ok(
        "deliveryTampered",
        "verify_delivery",
        json!({ "id": delivery }),
    );

    // ---- withdrawals: authors who withdrew after the delivery, a notice, its acknowledgement
    r.refused(
        "nothingToWithdraw",
        "conflict",
        "create_notice",
        json!({ "request": { "deal_id": first, "as_of": NOTICE_AS_OF, "out": r.path("notice-0.json") } }),
    );
    let mut later = String::from("user_id,purpose,decision,effective_at,source\n");
    for i in 1..=40 {
        later.push_str(&format!(
            "u{i:04},genai-training,deny,2026-11-15T12:00:00Z,settings\n"
        ));
    }
    let later = r.write("ledger-later.csv", &later);
    r.ok(
        "",
        "import_ledger",
        json!({ "path": later, "options": no_skip, "onProgress": "__CHANNEL__:6" }),
    );
    let pending = r.ok(
        "pendingUsers",
        "pending_withdrawals",
        json!({ "dealId": first }),
    );
    let withdrawn = pending[0]["user_id"].as_str().unwrap().to_string();
    let notice_request =
        |out: &str| json!({ "request": { "deal_id": first, "as_of": NOTICE_AS_OF, "out": out } });
    r.refused(
        "noticeOutExists",
        "invalid",
        "create_notice",
        notice_request(&r.path("registry.csv")),
    );
    let notice = r.ok(
        "notice",
        "create_notice",
        notice_request(&r.path("notice-1.json")),
    );
    // The earliest day it may be acknowledged: the day it was issued.
    let issued = notice["issued_at"].as_str().unwrap()[..10].to_string();
    let notice = notice["notice_id"].as_i64().unwrap();
    r.ok(
        "pendingAfterNotice",
        "pending_withdrawals",
        json!({ "dealId": first }),
    );
    r.ok("notices", "list_notices", json!({ "dealId": first }));
    r.ok("exposure", "exposure", json!({ "userId": withdrawn }));
    r.ok("exposureUnknown", "exposure", json!({ "userId": "nobody" }));
    r.refused(
        "exposureBlank",
        "invalid",
        "exposure",
        json!({ "userId": " " }),
    );
    let ack = |date: &str, file: Value, reference: Value| json!({ "request": { "notice_id": notice, "date": date, "attestation_file": file, "reference": reference } });
    r.refused(
        "ackDateBeforeIssue",
        "invalid",
        "acknowledge_notice",
        ack("2020-01-01", Value::Null, json!("TICKET-7")),
    );
    let attestation = r.write("attestation.txt", "Deleted as asked.\n");
    r.refused(
        "ackFileAndReference",
        "invalid",
        "acknowledge_notice",
        ack(&issued, json!(attestation), json!("TICKET-7")),
    );
    r.ok(
        "noticeAcknowledged",
        "acknowledge_notice",
        ack(&issued, json!(attestation), Value::Null),
    );
    r.refused(
        "ackTwice",
        "conflict",
        "acknowledge_notice",
        ack(&issued, Value::Null, json!("TICKET-7")),
    );
    // Its message names the day acknowledged, today: the fixed day instead.
    if let Some(Value::String(m)) = r
        .errors
        .get_mut("ackTwice")
        .and_then(|e| e.get_mut("message"))
    {
        *m = m.replace(&issued, FIXED_ACK_DATE);
    }
    r.ok(
        "exposureAcknowledged",
        "exposure",
        json!({ "userId": withdrawn }),
    );
    r.refused(
        "noticeNotFound",
        "not_found",
        "acknowledge_notice",
        json!({ "request": { "notice_id": 99, "date": issued, "attestation_file": null, "reference": "x" } }),
    );

    // ---- finance: a fee schedule, invoices through mid-year, payments, a void, a credit
    // note, the reports (every date given: nothing depends on today)
    let licence = r.ok(
        "",
        "create_deal",
        json!({ "input": deal(lab, "Search licence", "2026-01-01", "2027-12-31") }),
    );
    let licence = id(&licence);
    let fees = |currency: &str, annual: &str, escalator: &str| {
        json!({ "dealId": licence, "input": {
            "currency": currency, "annual_fee": annual, "escalator_pct": escalator,
            "billing": "quarterly", "terms_days": 30, "recognition": "ratable",
            "per_delivery": null, "per_1k_records": "0.50", "minimum": null } })
    };
    r.ok("feesNone", "deal_fees", json!({ "dealId": licence }));
    r.refused(
        "feesInvalid",
        "invalid",
        "set_fees",
        fees("XYZ", "-5", "150"),
    );
    r.refused(
        "feesDecimals",
        "invalid",
        "set_fees",
        fees("JPY", "1200000.50", "3"),
    );
    r.ok("fees", "set_fees", fees("USD", "1200000.00", "3"));
    r.refused(
        "invoicesNotSigned",
        "conflict",
        "generate_invoices",
        json!({ "dealId": licence, "through": "2026-07-01" }),
    );
    r.ok(
        "",
        "transition_deal",
        json!({ "id": licence, "to": "negotiating" }),
    );
    r.ok(
        "",
        "transition_deal",
        json!({ "id": licence, "to": "signed" }),
    );
    r.refused(
        "feesFrozen",
        "conflict",
        "set_fees",
        fees("USD", "1300000.00", "3"),
    );
    let issued = r.ok(
        "invoicesGenerated",
        "generate_invoices",
        json!({ "dealId": licence, "through": "2026-07-01" }),
    );
    r.ok(
        "invoicesAgain",
        "generate_invoices",
        json!({ "dealId": licence, "through": "2026-07-01" }),
    );
    let invoice = |k: usize| issued[k]["id"].as_i64().unwrap();
    let pay = |invoice: i64, amount: &str, date: &str| json!({ "input": { "invoice_id": invoice, "amount": amount, "date": date, "reference": "WIRE-0042" } });
    r.ok(
        "payment",
        "add_payment",
        pay(invoice(0), "300000.00", "2026-01-20"),
    );
    r.ok(
        "paymentPartial",
        "add_payment",
        pay(invoice(1), "100000.00", "2026-04-15"),
    );
    r.refused(
        "overpayment",
        "invalid",
        "add_payment",
        pay(invoice(1), "250000.00", "2026-04-20"),
    );
    r.refused(
        "paymentBadAmount",
        "invalid",
        "add_payment",
        pay(invoice(1), "12,50", "2026-04-20"),
    );
    r.refused(
        "invoiceNotFound",
        "not_found",
        "add_payment",
        pay(99, "10.00", "2026-04-20"),
    );
    r.ok(
        "invoicePayments",
        "invoice_payments",
        json!({ "id": invoice(1) }),
    );
    r.ok(
        "invoiceVoided",
        "void_invoice",
        json!({ "id": invoice(2), "reason": "Billed on the wrong entity" }),
    );
    r.refused(
        "paymentOnVoid",
        "conflict",
        "add_payment",
        pay(invoice(2), "10.00", "2026-07-10"),
    );
    r.refused(
        "voidPaid",
        "conflict",
        "void_invoice",
        json!({ "id": invoice(0), "reason": "Mistake" }),
    );
    r.refused(
        "creditBeforeIssue",
        "invalid",
        "credit_invoice",
        json!({ "id": invoice(0), "amount": "1.00", "reason": "Late delivery discount", "date": "2025-12-31" }),
    );
    r.ok(
        "creditNote",
        "credit_invoice",
        json!({ "id": invoice(0), "amount": "5000.00", "reason": "Late delivery discount", "date": "2026-06-30" }),
    );
    r.ok(
        "invoiceCredits",
        "invoice_credits",
        json!({ "id": invoice(0) }),
    );
    let all = json!({ "dealId": null, "status": null, "at": "2026-07-15" });
    r.ok("invoices", "list_invoices", all);
    r.ok(
        "invoicesOfDeal",
        "list_invoices",
        json!({ "dealId": licence, "status": null, "at": "2026-07-15" }),
    );
    r.refused(
        "invoiceStatusUnknown",
        "invalid",
        "list_invoices",
        json!({ "dealId": null, "status": "late", "at": null }),
    );
    r.ok(
        "revenue",
        "revenue_report",
        json!({ "from": "2026-01-01", "to": "2026-12-31", "group": "month", "dealId": null, "base": null }),
    );
    r.refused(
        "revenueDates",
        "invalid",
        "revenue_report",
        json!({ "from": "2026-13-01", "to": "2026-12-31", "group": "month", "dealId": null, "base": null }),
    );
    r.refused(
        "revenueNoRate",
        "invalid",
        "revenue_report",
        json!({ "from": "2026-01-01", "to": "2026-12-31", "group": "month", "dealId": null, "base": "EUR" }),
    );
    r.ok(
        "deferred",
        "deferred_report",
        json!({ "at": "2026-07-15", "dealId": null, "base": null }),
    );
    r.ok(
        "aging",
        "aging_report",
        json!({ "at": "2026-07-15", "dealId": null, "base": null }),
    );
    r.ok(
        "revenueSummary",
        "revenue_summary",
        json!({ "from": "2026-01-01", "to": "2026-12-31", "group": "month" }),
    );
    r.ok(
        "financeSummary",
        "finance_summary",
        json!({ "at": "2026-07-15" }),
    );
    r.ok(
        "csvExport",
        "export_report_csv",
        json!({ "request": { "report": "aging", "at": "2026-07-15", "deal_id": null, "base": null },
                "path": r.path("aging.csv") }),
    );
    r.ok(
        "fxRate",
        "set_fx_rate",
        json!({ "input": { "date": "2026-06-30", "from": "USD", "to": "EUR", "rate": "0.92" } }),
    );
    r.ok("fxRates", "fx_rates", none.clone());
    // Late in 2027, when the deals ending 2027-12-31 are due for renewal.
    r.ok("dashboard", "dashboard", json!({ "today": "2027-11-15" }));
    r.ok(
        "consentHealth",
        "consent_health",
        json!({ "today": "2026-07-15" }),
    );

    // ---- audit: the entries of the small entities in full, the actions of all
    for entity in ["partner", "deal", "policy"] {
        r.ok(
            &format!("{entity}Audit"),
            "list_audit",
            json!({ "filter": { "entity": entity, "entity_id": null } }),
        );
    }
    let all = r.ok(
        "",
        "list_audit",
        json!({ "filter": { "entity": null, "entity_id": null } }),
    );
    let mut actions: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort();
    actions.dedup();
    r.responses.insert("auditActions".into(), json!(actions));
    r.ok("auditReport", "verify_audit", none);

    let mut doc = json!({
        "_generated": "by src-tauri/tests/fixtures.rs (`make bindings`); do not edit",
        "responses": r.responses,
        "errors": r.errors,
    });
    let key_id = doc["responses"]["signingKey"]["current"]["key_id"]
        .as_str()
        .map(str::to_string);
    Normaliser {
        dir: r.h.dir().to_str().unwrap().to_string(),
        key_id,
        hashes: BTreeMap::new(),
        today: chrono::Utc::now().date_naive().to_string(),
    }
    .value("", &mut doc);
    doc
}

#[test]
fn the_ui_fixtures_are_what_the_commands_answer() {
    let generated = serde_json::to_string_pretty(&scenario()).unwrap() + "\n";
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/backend/fixtures.json");
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == generated,
        "ui/src/backend/fixtures.json is stale: run `make bindings` and commit the result"
    );
}

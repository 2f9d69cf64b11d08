//! The shell's IPC surface, driven as the UI drives it: through Tauri's invoke path
//! with the real config and capabilities, on a mock runtime and a real SQLite file.

mod common;

use common::Harness;
use serde_json::{json, Value};

fn partner_input(name: &str) -> Value {
    json!({ "input": { "name": name, "kind": "ai-lab", "country": "us", "contact": null, "notes": null } })
}

fn deal_input(partner: i64, title: &str, start: &str, end: &str) -> Value {
    json!({ "input": {
        "partner_id": partner, "title": title, "purposes": ["genai-training", "ai-inference"],
        "start_date": start, "end_date": end, "territory": "WORLD", "exclusive": false,
        "retention_days": null, "attribution_required": true, "sublicensing_allowed": false,
        "notes": null
    } })
}

#[test]
fn the_ui_can_create_move_and_audit_a_deal() {
    let h = Harness::new();
    let partner = h
        .invoke("create_partner", partner_input("Example AI"))
        .unwrap();
    assert_eq!(partner["country"], "US");
    let id = partner["id"].as_i64().unwrap();

    let deal = h
        .invoke(
            "create_deal",
            deal_input(id, "Licence", "2027-01-01", "2028-12-31"),
        )
        .unwrap();
    let deal_id = deal["id"].as_i64().unwrap();
    assert_eq!(deal["status"], "draft");

    let moved = h
        .invoke(
            "transition_deal",
            json!({ "id": deal_id, "to": "negotiating" }),
        )
        .unwrap();
    assert_eq!(moved["status"], "negotiating");

    let listed = h
        .invoke(
            "list_deals",
            json!({ "filter": { "status": "negotiating", "partner_id": null } }),
        )
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);

    let history = h
        .invoke(
            "list_audit",
            json!({ "filter": { "entity": "deal", "entity_id": deal_id } }),
        )
        .unwrap();
    let actions: Vec<_> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["deal.created", "deal.transitioned"]);
    assert_eq!(history[0]["actor"], "ipc-test");

    let report = h.invoke("verify_audit", json!({})).unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["entries"], 3);

    let info = h.invoke("store_info", json!({})).unwrap();
    assert!(info["location"].as_str().unwrap().ends_with("app.db"));
}

#[test]
fn errors_cross_as_code_message_and_fields() {
    let h = Harness::new();
    let partner = h
        .invoke("create_partner", partner_input("Example AI"))
        .unwrap();
    let id = partner["id"].as_i64().unwrap();

    let err = h
        .invoke(
            "create_deal",
            deal_input(id, "", "2027-01-01", "2026-01-01"),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    let fields: Vec<_> = err["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "end_date"]);

    let err = h
        .invoke("create_partner", partner_input("EXAMPLE ai"))
        .unwrap_err();
    assert_eq!(err["code"], "conflict");
    assert_eq!(err["fields"][0]["field"], "name");

    let err = h
        .invoke("transition_deal", json!({ "id": 99, "to": "signed" }))
        .unwrap_err();
    assert_eq!(err["code"], "not_found");

    let deals = h
        .invoke(
            "list_deals",
            json!({ "filter": { "status": null, "partner_id": null } }),
        )
        .unwrap();
    assert_eq!(deals, json!([]), "refused requests wrote nothing");
}

#[test]
fn commands_outside_the_capability_are_refused() {
    let h = Harness::new();
    // A core command the app never granted (window management is not in the capability).
    let err = h
        .invoke("plugin:window|close", json!({ "label": "main" }))
        .unwrap_err();
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn the_ui_can_import_consent_and_preview_a_source() {
    let h = Harness::new();
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.csv");
    std::fs::write(
        &users,
        "user_id,country,birth_date,status\na,US,1990-01-01,active\nb,DE,,active\n",
    )
    .unwrap();
    // A cancel asked before an import starts does not stop it: each import clears its
    // kind's flag first.
    h.invoke("cancel_import", json!({ "kind": "registry" }))
        .unwrap();
    let report = h
        .invoke(
            "import_registry",
            json!({ "path": users, "options": { "skip_invalid": false, "format": null }, "onProgress": "__CHANNEL__:6" }),
        )
        .unwrap();
    assert_eq!(report["added"], 2);

    let bad = dir.path().join("ledger.csv");
    std::fs::write(
        &bad,
        "user_id,purpose,decision,effective_at,source\na,scraping,deny,2026-01-01T00:00:00Z,x\n",
    )
    .unwrap();
    let err = h
        .invoke(
            "import_ledger",
            json!({ "path": bad, "options": { "skip_invalid": false, "format": null }, "onProgress": "__CHANNEL__:6" }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert_eq!(err["lines"][0]["line"], 2);

    let overview = h.invoke("consent_overview", json!({})).unwrap();
    assert_eq!(overview["users"], 2);
    assert_eq!(overview["opt_in_regime"], 1);
    assert_eq!(overview["policy"]["version"], 1);

    let policy = h
        .invoke("set_policy", json!({ "input": { "opt_in": "US" } }))
        .unwrap();
    assert_eq!(policy["version"], 2);

    let posts = dir.path().join("posts.jsonl");
    std::fs::write(
        &posts,
        "{\"id\":\"p1\",\"author\":\"a\",\"created_utc\":1700000000}\nnot json\n",
    )
    .unwrap();
    let preview = h
        .invoke("preview_source", json!({ "path": posts, "format": null }))
        .unwrap();
    assert_eq!(preview["fields"], json!(["id", "author", "created_utc"]));
    assert_eq!(preview["lines"][0]["values"]["author"], "a");
    assert!(preview["lines"][1]["error"].is_string());

    let err = h
        .invoke("list_snapshots", json!({ "dealId": 9 }))
        .unwrap_err();
    assert_eq!(err["code"], "not_found");
    h.invoke("cancel_build", json!({})).unwrap();
}

#[test]
fn the_ui_can_build_a_snapshot_with_a_progress_channel_and_verify_it() {
    let h = Harness::new();
    let partner = h.invoke("create_partner", partner_input("Lab")).unwrap()["id"]
        .as_i64()
        .unwrap();
    let deal = h
        .invoke(
            "create_deal",
            deal_input(partner, "Licence", "2026-01-01", "2027-12-31"),
        )
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for to in ["negotiating", "signed"] {
        h.invoke("transition_deal", json!({ "id": deal, "to": to }))
            .unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let users = dir.path().join("users.csv");
    std::fs::write(
        &users,
        "user_id,country,birth_date,status\na,US,1990-01-01,active\nb,US,2015-01-01,active\n",
    )
    .unwrap();
    h.invoke(
        "import_registry",
        json!({ "path": users, "options": { "skip_invalid": false, "format": null }, "onProgress": "__CHANNEL__:6" }),
    )
    .unwrap();
    let posts = dir.path().join("posts.jsonl");
    std::fs::write(
        &posts,
        "{\"id\":\"p1\",\"author\":\"a\",\"created_utc\":1700000000}\n\
         {\"id\":\"p2\",\"author\":\"b\",\"created_utc\":1700000000}\n",
    )
    .unwrap();
    let request = json!({
        "deal_id": deal, "source": posts, "format": null, "id_field": "id",
        "user_field": "author", "time_field": "created_utc",
        "as_of": "2026-06-01T00:00:00Z", "window_from": null, "window_to": null,
        "shard_bytes": null, "out": dir.path().join("out"), "max_rejected_pct": null
    });
    // The UI passes a channel it created; the command sends progress through it. Tauri's
    // mock runtime delivers those messages as scripts into a webview it does not expose,
    // so what they say is checked by the UI tests (the wizard's progress bar) and the
    // e2e build; here, that the command takes the channel, builds and seals.
    let sealed = h
        .invoke(
            "build_snapshot",
            json!({ "request": request, "onProgress": "__CHANNEL__:7" }),
        )
        .unwrap();
    assert_eq!(sealed["sealed"], true);
    assert_eq!(sealed["records_included"], 1);
    assert_eq!(sealed["excluded"]["minor"], 1);
    let id = sealed["snapshot_id"].as_i64().unwrap();
    let verified = h.invoke("verify_snapshot", json!({ "id": id })).unwrap();
    assert_eq!(verified["ok"], true, "{verified}");
    let listed = h
        .invoke("list_snapshots", json!({ "dealId": deal }))
        .unwrap();
    assert_eq!(listed[0]["snapshot_id"], id);

    // Without a channel, or with something else in its place, the call is refused
    // before anything is built.
    let err = h
        .invoke(
            "build_snapshot",
            json!({ "request": request, "onProgress": "progress" }),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("onProgress") || err.to_string().contains("channel"),
        "{err}"
    );
    let listed = h
        .invoke("list_snapshots", json!({ "dealId": deal }))
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
}

/// Declared once (src/commands.rs), the command surface must agree everywhere: the
/// capability build.rs writes, the handler, Tauri's permissions (from the build
/// script's list) and the UI's typed client. A drift names the command.
#[test]
fn the_declaration_the_handler_the_build_script_and_the_capability_agree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let capability: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("capabilities/default.json")).unwrap(),
    )
    .unwrap();
    let granted: Vec<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    for name in consentry_app::COMMANDS {
        assert!(
            granted.contains(&name.to_string()),
            "command {name} is declared but the capability does not grant it"
        );
    }
    for name in &granted {
        assert!(
            consentry_app::COMMANDS.contains(&name.as_str()),
            "the capability grants {name}, which is not declared"
        );
    }
    // Every declared command reaches its handler through the ACL (the build script's
    // list made its permission): a call with no arguments is refused for its arguments
    // at most, never as unknown or not allowed.
    let h = Harness::new();
    for name in consentry_app::COMMANDS {
        if let Err(e) = h.invoke(name, json!({})) {
            let text = e.to_string();
            assert!(
                !text.contains("not allowed") && !text.contains("not found"),
                "command {name}: {text}"
            );
        }
    }
    // The UI's typed client.
    let path = root.join("../ui/src/commands.ts");
    let generated = consentry_app::typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    assert!(
        std::fs::read_to_string(&path).unwrap_or_default() == generated,
        "ui/src/commands.ts is stale: run `make bindings` and commit the result"
    );
}

/// A signed deal with a sealed snapshot of two posts, one by an adult ("a", included)
/// and one by a minor ("b", excluded): its deal and snapshot ids.
fn sealed_snapshot(h: &Harness, dir: &std::path::Path) -> (i64, i64) {
    let partner = h.invoke("create_partner", partner_input("Lab")).unwrap()["id"]
        .as_i64()
        .unwrap();
    let deal = h
        .invoke(
            "create_deal",
            deal_input(partner, "Licence", "2026-01-01", "2027-12-31"),
        )
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for to in ["negotiating", "signed"] {
        h.invoke("transition_deal", json!({ "id": deal, "to": to }))
            .unwrap();
    }
    let users = dir.join("users.csv");
    std::fs::write(
        &users,
        "user_id,country,birth_date,status\na,US,1990-01-01,active\nb,US,2015-01-01,active\n",
    )
    .unwrap();
    h.invoke(
        "import_registry",
        json!({ "path": users, "options": { "skip_invalid": false, "format": null }, "onProgress": "__CHANNEL__:6" }),
    )
    .unwrap();
    let posts = dir.join("posts.jsonl");
    std::fs::write(
        &posts,
        "{\"id\":\"p1\",\"author\":\"a\",\"created_utc\":1700000000}\n\
         {\"id\":\"p2\",\"author\":\"b\",\"created_utc\":1700000000}\n",
    )
    .unwrap();
    let request = json!({
        "deal_id": deal, "source": posts, "format": null, "id_field": "id",
        "user_field": "author", "time_field": "created_utc",
        "as_of": "2026-06-01T00:00:00Z", "window_from": null, "window_to": null,
        "shard_bytes": null, "out": dir.join("snapshot"), "max_rejected_pct": null
    });
    let sealed = h
        .invoke(
            "build_snapshot",
            json!({ "request": request, "onProgress": "__CHANNEL__:7" }),
        )
        .unwrap();
    (deal, sealed["snapshot_id"].as_i64().unwrap())
}

#[test]
fn the_ui_can_deliver_verify_and_push_with_a_progress_channel() {
    let h = Harness::new();
    let dir = tempfile::tempdir().unwrap();
    let (deal, snapshot) = sealed_snapshot(&h, dir.path());
    assert_eq!(h.invoke("signing_key", json!({})).unwrap(), Value::Null);

    let out = dir.path().join("package");
    let delivery = h
        .invoke(
            "create_delivery",
            json!({ "request": { "deal_id": deal, "snapshot_id": snapshot, "out": out, "platform": null } }),
        )
        .unwrap();
    assert_eq!(delivery["sequence"], 1);
    assert_eq!(delivery["records"], 1);
    let id = delivery["delivery_id"].as_i64().unwrap();
    // The first delivery made the key, in a file beside the store (never the keyring).
    let key = h.invoke("signing_key", json!({})).unwrap();
    assert_eq!(key["current"]["key_id"], delivery["key_id"]);
    assert_eq!(key["current"]["secret_store"], "file");
    assert!(key["current"]["minisign"]
        .as_str()
        .unwrap()
        .starts_with("RW"));
    let listed = h
        .invoke("list_deliveries", json!({ "dealId": deal }))
        .unwrap();
    assert_eq!(listed[0]["delivery_id"], id);
    let verified = h.invoke("verify_delivery", json!({ "id": id })).unwrap();
    assert_eq!(verified["ok"], true, "{verified}");

    // Pushed to a folder through a channel: every object lands, manifest included, and
    // each has a receipt; a second push sends nothing again.
    let bucket = dir.path().join("bucket");
    std::fs::create_dir(&bucket).unwrap();
    let to = format!("file://{}", bucket.display());
    let push = json!({ "id": id, "to": to, "onProgress": "__CHANNEL__:9" });
    let report = h.invoke("push_delivery", push.clone()).unwrap();
    let objects = delivery["files"].as_array().unwrap().len() as u64 + 3;
    assert_eq!(report["uploaded"], objects, "{report}");
    assert_eq!(report["skipped"], 0);
    assert!(bucket.join("manifest.json").is_file());
    assert_eq!(
        std::fs::read(bucket.join("manifest.json")).unwrap(),
        std::fs::read(out.join("manifest.json")).unwrap()
    );
    let again = h.invoke("push_delivery", push).unwrap();
    assert_eq!(again["uploaded"], 0);
    assert_eq!(again["skipped"], objects);
    let receipts = h.invoke("delivery_receipts", json!({ "id": id })).unwrap();
    assert_eq!(receipts.as_array().unwrap().len() as u64, objects);
    assert_eq!(receipts[0]["destination"], to);

    // Without a channel the push is refused before anything is sent; a destination the
    // core does not know is refused on the field `to`.
    let err = h
        .invoke(
            "push_delivery",
            json!({ "id": id, "to": to, "onProgress": "x" }),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("onProgress") || err.to_string().contains("channel"),
        "{err}"
    );
    let err = h
        .invoke(
            "push_delivery",
            json!({ "id": id, "to": "ftp://x/y", "onProgress": "__CHANNEL__:9" }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "invalid");
    assert_eq!(err["fields"][0]["field"], "to");

    // The folder is opened by the delivery's id only; an unknown id opens nothing.
    let err = h
        .invoke("open_delivery_folder", json!({ "id": 99 }))
        .unwrap_err();
    assert_eq!(err["code"], "not_found");
    let err = h
        .invoke("open_delivery_folder", json!({ "path": "/etc" }))
        .unwrap_err();
    assert!(err.to_string().contains("id"), "{err}");
}

#[test]
fn the_ui_can_issue_acknowledge_and_trace_a_withdrawal() {
    let h = Harness::new();
    let dir = tempfile::tempdir().unwrap();
    let (deal, snapshot) = sealed_snapshot(&h, dir.path());
    h.invoke(
        "create_delivery",
        json!({ "request": { "deal_id": deal, "snapshot_id": snapshot, "out": dir.path().join("package"), "platform": null } }),
    )
    .unwrap();
    let notice_out = dir.path().join("notice.json");
    let create = json!({ "request": { "deal_id": deal, "as_of": null, "out": notice_out } });
    let err = h.invoke("create_notice", create.clone()).unwrap_err();
    assert_eq!(err["code"], "conflict", "{err}");
    assert_eq!(
        h.invoke("pending_withdrawals", json!({ "dealId": deal }))
            .unwrap(),
        json!([])
    );

    // User "a" withdraws consent for the deal's purpose after the delivery.
    let ledger = dir.path().join("ledger.csv");
    std::fs::write(
        &ledger,
        "user_id,purpose,decision,effective_at,source\na,genai-training,deny,2026-07-01T00:00:00Z,app\n",
    )
    .unwrap();
    h.invoke(
        "import_ledger",
        json!({ "path": ledger, "options": { "skip_invalid": false, "format": null }, "onProgress": "__CHANNEL__:6" }),
    )
    .unwrap();
    let pending = h
        .invoke("pending_withdrawals", json!({ "dealId": deal }))
        .unwrap();
    assert_eq!(pending[0]["user_id"], "a", "{pending}");
    assert_eq!(pending[0]["records"], 1);

    let notice = h.invoke("create_notice", create).unwrap();
    assert_eq!(notice["record_count"], 1);
    assert_eq!(notice["status"], "pending");
    assert!(notice_out.is_file());
    let id = notice["notice_id"].as_i64().unwrap();
    let listed = h.invoke("list_notices", json!({ "dealId": deal })).unwrap();
    assert_eq!(listed[0]["notice_id"], id);

    let issued = &notice["issued_at"].as_str().unwrap()[..10];
    let ack = |date: &str| json!({ "request": { "notice_id": id, "date": date, "attestation_file": null, "reference": "TICKET-1" } });
    let err = h
        .invoke("acknowledge_notice", ack("2020-01-01"))
        .unwrap_err();
    assert_eq!(err["fields"][0]["field"], "date", "{err}");
    let acked = h.invoke("acknowledge_notice", ack(issued)).unwrap();
    assert_eq!(acked["status"], "acknowledged");
    assert_eq!(acked["attestation"], "TICKET-1");

    let exposure = h.invoke("exposure", json!({ "userId": "a" })).unwrap();
    assert_eq!(exposure["registered"], true);
    assert_eq!(exposure["deliveries"][0]["partner_name"], "Lab");
    assert_eq!(exposure["deliveries"][0]["notices"][0]["notice_id"], id);
    assert_eq!(
        exposure["deliveries"][0]["notices"][0]["status"],
        "acknowledged"
    );
}

//! The CLI contract that scripts rely on: flags, `--json` shapes, exit status, and that
//! a refused command writes nothing.

use crate::common::Workspace;
use serde_json::json;

#[test]
fn partner_add_prints_the_new_id_and_list_shows_it() {
    let ws = Workspace::new();
    let added = ws.ok(&[
        "partner",
        "add",
        "--name",
        "Example AI",
        "--kind",
        "ai-lab",
        "--country",
        "us",
        "--contact",
        "legal@example.ai",
    ]);
    assert_eq!(added, json!({ "id": 1 }));
    let list = ws.ok(&["partner", "list"]);
    let p = &list[0];
    assert_eq!(p["id"], 1);
    assert_eq!(p["name"], "Example AI");
    assert_eq!(p["kind"], "ai-lab");
    assert_eq!(p["country"], "US");
    assert_eq!(p["contact"], "legal@example.ai");
}

#[test]
fn deal_add_show_list_and_transition() {
    let ws = Workspace::new();
    let partner = ws.partner("Example AI");
    let added = ws.ok(&[
        "deal",
        "add",
        "--partner",
        &partner.to_string(),
        "--title",
        "Training data 2026",
        "--purposes",
        "genai-training,ai-inference",
        "--start",
        "2026-01-01",
        "--end",
        "2028-12-31",
        "--territory",
        "WORLD",
        "--exclusive",
        "--retention-days",
        "730",
    ]);
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added, json!({ "id": id }));

    let deal = ws.ok(&["deal", "show", &id.to_string()]);
    assert_eq!(deal["title"], "Training data 2026");
    assert_eq!(deal["partner_id"], partner);
    assert_eq!(deal["partner_name"], "Example AI");
    assert_eq!(deal["purposes"], json!(["genai-training", "ai-inference"]));
    assert_eq!(deal["start_date"], "2026-01-01");
    assert_eq!(deal["end_date"], "2028-12-31");
    assert_eq!(deal["territory"], "WORLD");
    assert_eq!(deal["exclusive"], true);
    assert_eq!(deal["retention_days"], 730);
    assert_eq!(deal["status"], "draft");

    let moved = ws.ok(&["deal", "transition", &id.to_string(), "--to", "negotiating"]);
    assert_eq!(moved["status"], "negotiating");

    let negotiating = ws.ok(&["deal", "list", "--status", "negotiating"]);
    assert_eq!(negotiating.as_array().unwrap().len(), 1);
    assert_eq!(negotiating[0]["id"], id);
    assert_eq!(ws.ok(&["deal", "list", "--status", "draft"]), json!([]));
}

#[test]
fn the_whole_lifecycle_and_a_renewal() {
    let ws = Workspace::new();
    let id = ws.deal(ws.partner("Example AI")).to_string();
    for to in ["negotiating", "signed", "active"] {
        assert_eq!(
            ws.ok(&["deal", "transition", &id, "--to", to])["status"],
            to
        );
    }
    let renewal = ws.ok(&["deal", "renew", &id])["id"].as_i64().unwrap();
    let new = ws.ok(&["deal", "show", &renewal.to_string()]);
    assert_eq!(new["status"], "draft");
    assert_eq!(new["renewed_from"], id.parse::<i64>().unwrap());
    assert_eq!(new["start_date"], "2029-01-01");
    assert_eq!(new["end_date"], "2031-12-31");
    assert_eq!(new["purposes"], json!(["genai-training", "ai-inference"]));
    assert_eq!(ws.ok(&["deal", "show", &id])["renewed_by"], renewal);
    ws.refused(&["deal", "renew", &id], None, "already renewed by deal");
    assert_eq!(
        ws.ok(&["deal", "transition", &id, "--to", "expired"])["status"],
        "expired"
    );
    ws.refused(
        &["deal", "transition", &id, "--to", "active"],
        None,
        "it is final",
    );
}

#[test]
fn bad_input_is_refused_by_field_and_writes_nothing() {
    let ws = Workspace::new();
    let partner = ws.partner("Example AI").to_string();
    let deal = ws.deal(partner.parse().unwrap()).to_string();
    let add = |overrides: &[(&str, &str)]| -> Vec<String> {
        let mut args = vec![
            ("--partner", partner.as_str()),
            ("--title", "A deal"),
            ("--purposes", "search"),
            ("--start", "2026-01-01"),
            ("--end", "2026-12-31"),
        ];
        for (flag, value) in overrides {
            args.retain(|(f, _)| f != flag);
            args.push((flag, value));
        }
        let mut out = vec!["deal".to_string(), "add".to_string()];
        for (f, v) in args {
            out.push(f.to_string());
            out.push(v.to_string());
        }
        out
    };
    let refuse = |args: Vec<String>, field: &str, needle: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ws.refused(&args, Some(field), needle);
    };
    refuse(
        add(&[("--end", "2025-12-31")]),
        "end_date",
        "--end: end date 2025-12-31 is before start date 2026-01-01",
    );
    refuse(
        add(&[("--purposes", "genai-training,scraping")]),
        "purposes",
        "unknown purpose 'scraping'",
    );
    refuse(
        add(&[("--title", "  ")]),
        "title",
        "--title: title is required",
    );
    refuse(
        add(&[("--partner", "999")]),
        "partner_id",
        "no partner with id 999",
    );
    refuse(
        add(&[("--start", "2026-02-30")]),
        "start_date",
        "'2026-02-30' is not a date",
    );
    refuse(
        add(&[("--territory", "US,XX")]),
        "territory",
        "'XX' is not an ISO 3166-1",
    );
    refuse(
        add(&[("--retention-days", "0")]),
        "retention_days",
        "positive number of days",
    );
    ws.refused(
        &[
            "partner",
            "add",
            "--name",
            "example ai",
            "--kind",
            "research",
        ],
        Some("name"),
        "a partner named 'Example AI' already exists (id 1)",
    );
    ws.refused(
        &["partner", "add", "--name", "Other", "--kind", "broker"],
        Some("kind"),
        "unknown partner kind 'broker'",
    );
    ws.refused(
        &["deal", "transition", &deal, "--to", "active"],
        None,
        "deal 1 cannot move from draft to active; from draft it may move to: negotiating, terminated",
    );
    ws.refused(
        &["deal", "transition", &deal, "--to", "done"],
        Some("to"),
        "unknown status 'done'",
    );
    ws.refused(&["deal", "show", "42"], None, "deal 42 not found");
    ws.refused(
        &["deal", "renew", &deal],
        None,
        "only a signed, active or expired deal can be renewed",
    );
}

#[test]
fn refusals_carry_a_code_scripts_can_branch_on() {
    let ws = Workspace::new();
    ws.partner("A");
    let out = ws.cmd(&["deal", "show", "7", "--json"]).output().unwrap();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    let out = ws
        .cmd(&[
            "partner", "add", "--name", "a", "--kind", "ai-lab", "--json",
        ])
        .output()
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(body["error"]["code"], "conflict");
}

#[test]
fn frozen_terms_cannot_be_edited_but_open_ones_can() {
    let ws = Workspace::new();
    let id = ws.deal(ws.partner("A")).to_string();
    let edited = ws.ok(&[
        "deal",
        "edit",
        &id,
        "--title",
        "Renamed",
        "--purposes",
        "search",
    ]);
    assert_eq!(edited["title"], "Renamed");
    assert_eq!(edited["purposes"], json!(["search"]));
    assert_eq!(
        edited["start_date"], "2026-01-01",
        "fields not given keep their value"
    );
    ws.ok(&["deal", "transition", &id, "--to", "negotiating"]);
    ws.ok(&["deal", "transition", &id, "--to", "signed"]);
    ws.refused(
        &["deal", "edit", &id, "--title", "Sneaky"],
        None,
        "terms are frozen once signed",
    );
}

#[test]
fn the_store_location_comes_from_the_flag_then_the_environment() {
    let ws = Workspace::new();
    let env_db = ws.dir.path().join("from-env.db");
    let mut cmd = assert_cmd::Command::cargo_bin("consentry").unwrap();
    cmd.env("CONSENTRY_DB", &env_db)
        .args(["partner", "add", "--name", "Env", "--kind", "research"]);
    let untouched = crate::common::dump(&ws.db);
    cmd.assert().success();
    assert!(env_db.exists());
    assert_eq!(
        untouched,
        crate::common::dump(&ws.db),
        "the flag's store was not touched"
    );
    // The flag wins over the environment.
    let mut cmd = assert_cmd::Command::cargo_bin("consentry").unwrap();
    cmd.env("CONSENTRY_DB", &env_db)
        .arg("--db")
        .arg(&ws.db)
        .args(["partner", "list", "--json"]);
    let out = cmd.output().unwrap();
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap(),
        json!([])
    );
}

#[test]
fn usage_errors_exit_2() {
    let ws = Workspace::new();
    let out = ws.cmd(&["deal", "add", "--title", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let before = crate::common::dump(&ws.db);
    assert_eq!(
        ws.cmd(&["deal", "list", "--bogus"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    assert_eq!(before, crate::common::dump(&ws.db));
}

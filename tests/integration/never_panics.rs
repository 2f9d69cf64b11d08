//! Any input, however wrong, is refused or accepted — never a panic. Every parser of a
//! date, an instant, a number, a country or a purpose gets any string; every import
//! gets any bytes as a line, in both formats, and any bytes after a zstd or gzip magic
//! number; a snapshot source line gets any bytes.

use std::borrow::Cow;

use consentry::deal::DealInput;
use consentry::imports::{self, ImportOptions};
use consentry::partner::PartnerInput;
use consentry::policy::{self, PolicyInput};
use consentry::purpose::{self, Purpose};
use consentry::snapshot::scan::{self, Value};
use consentry::{calendar, country, Store};
use proptest::prelude::*;

/// Strings that look like the real thing often enough to reach deep into a parser.
fn texty() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[-+0-9]{0,7}-[0-9]{0,3}-[0-9]{0,3}(T[0-9:.]{0,12}(Z|[+-][0-9:]{0,6})?)?",
        "[A-Za-z, -]{0,12}",
        "[0-9.eE+-]{0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn no_parser_panics_on_any_string(text in texty(), n in any::<i64>()) {
        let _ = calendar::parse_date("d", &text);
        let _ = calendar::parse_term_date("d", &text);
        let _ = calendar::parse_birth_date("d", &text, chrono::NaiveDate::MAX);
        let _ = calendar::parse_birth_date("d", &text, chrono::NaiveDate::MIN);
        let _ = calendar::parse_instant("t", &text);
        let _ = country::parse("c", &text);
        let _ = country::parse_territory(&text);
        let _ = text.parse::<Purpose>();
        let _ = Purpose::parse_list(&text);
        let _ = purpose::normalize(Purpose::parse_list(&text).unwrap_or_default());
        let _ = scan::instant_micros(&Value::Str(Cow::Borrowed(text.as_str())));
        let _ = scan::instant_micros(&Value::Num(text.as_str()));
        let deal = DealInput {
            title: text.clone(),
            start_date: text.clone(),
            end_date: text.clone(),
            territory: text.clone(),
            retention_days: Some(n),
            notes: Some(text.clone()),
            ..Default::default()
        };
        let _ = deal.validate();
        let partner = PartnerInput {
            name: text.clone(),
            kind: text.clone(),
            country: Some(text.clone()),
            contact: Some(text.clone()),
            notes: Some(text.clone()),
        };
        let _ = partner.validate();
    }

    #[test]
    fn no_policy_input_panics(opt_in in prop::option::of(texty()), from in prop::option::of(texty()), days in prop::option::of(any::<i64>())) {
        let store = Store::open_in_memory().unwrap();
        let _ = policy::set_policy(&store, &PolicyInput { opt_in, opt_out_available_from: from, notice_days: days });
    }

    #[test]
    fn no_source_line_panics(line in prop::collection::vec(any::<u8>(), 0..200), text in texty()) {
        let names = ["id", "author", "created_utc"];
        let _ = scan::json(&line, &names);
        let _ = scan::csv(&line, &[0, 1, 2]);
        let json = format!("{{\"id\":{text:?},\"author\":\"a\",\"created_utc\":{text}}}");
        let _ = scan::json(json.as_bytes(), &names);
    }
}

proptest! {
    // Each case opens a store and writes a file: fewer cases, still every byte value.
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn no_import_line_panics(
        line in prop::collection::vec(any::<u8>(), 0..120),
        text in texty(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in_memory().unwrap();
        let options = ImportOptions { skip_invalid: true, format: None };
        let cut = zstd::encode_all(text.as_bytes(), 3).unwrap();
        let cases: [(&str, Vec<u8>); 7] = [
            ("users.csv", [b"user_id,country,birth_date,status\n".as_slice(), &line].concat()),
            ("ledger.jsonl", line.clone()),
            ("users.jsonl", format!("{{\"user_id\":\"u\",\"country\":\"US\",\"birth_date\":{text:?},\"status\":\"active\"}}\n").into_bytes()),
            ("ledger.csv", format!("user_id,purpose,decision,effective_at,source\nu,search,allow,{text},x\n").into_bytes()),
            ("ledger.jsonl.zst", [b"\x28\xb5\x2f\xfd".as_slice(), &line].concat()),
            ("users.csv.gz", [b"\x1f\x8b\x08\x00".as_slice(), &line].concat()),
            ("cut.jsonl.zst", cut[..line.len().min(cut.len())].to_vec()),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let _ = imports::import_registry(&store, &path, &options);
            let _ = imports::import_ledger(&store, &path, &options);
            let _ = consentry::snapshot::preview(path.to_str().unwrap(), Some("jsonl"), 5);
        }
    }
}

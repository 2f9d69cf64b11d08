//! The manifest of a delivery (PRODUCT.md §4): one sealed snapshot described as a
//! Croissant 1.1 JSON-LD dataset, the document a partner's ML team loads with
//! `mlcroissant` and that the delivery signs.
//!
//! Pure: [`croissant`] turns what the caller read (the deal, its partner, the sealed
//! snapshot, the delivery's id and sequence, the audit head, the source's fields) into
//! one `serde_json::Value`, and [`infer_fields`] reads the field names and types from the
//! first line of the first shard. The same input always gives the same document, key
//! order included (serde_json's `preserve_order`), so a re-delivery of one snapshot
//! differs only in what names the delivery (id, sequence, `version`, time, audit head).
//!
//! What the document says, and where:
//! - `distribution`: one `cr:FileObject` per shard (size, SHA-256), and one `cr:FileSet`
//!   that lists exactly those shard names: mlcroissant reads a record set from a file
//!   set in the manifest's folder, so one record set covers every shard. The records
//!   index (`records.jsonl`) stays at the platform and is not listed.
//! - `recordSet` `records`: the source's fields (see [`FieldType`] for what is typed and
//!   what is left out); its key is the snapshot's id field.
//! - `usageInfo`: an ODRL Agreement, assigner the platform and assignee the partner: a
//!   permission per permitted purpose (constrained to the term and the territory, with
//!   the deal's duties), a prohibition per other purpose, permissions prevailing.
//! - `rai:*`: how the data was collected and filtered, what personal data it holds.
//! - `prov:wasDerivedFrom`: the snapshot and the ledger digest at the cut-off.
//! - `consentry:delivery`: deal, partner, delivery, cut-off, policy, counts by reason,
//!   digests and the audit head, under Consentry's own namespace ([`CONSENTRY_NS`]).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::FieldError;
use crate::model::country::WORLD;
use crate::model::deal::Deal;
use crate::model::file_format::FileFormat;
use crate::model::partner::Partner;
use crate::model::purpose::Purpose;
use crate::model::snapshot::Snapshot;

/// The IRI of Consentry's own terms (`consentry:` in the manifest's `@context`).
pub const CONSENTRY_NS: &str = "https://consentry.dev/ns#";

/// What Croissant version the manifest conforms to.
pub const CROISSANT_1_1: &str = "http://mlcommons.org/croissant/1.1";

/// The Croissant RAI vocabulary version the `rai:` fields follow.
pub const CROISSANT_RAI_1_0: &str = "http://mlcommons.org/croissant/RAI/1.0";

/// The name (and `@id`) of the one record set: what `mlcroissant load --record_set`
/// takes.
pub const RECORD_SET: &str = "records";

/// The `@id` of the file set that reads every shard.
pub const FILE_SET: &str = "shards";

/// What a field's values are, as Croissant types them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldType {
    /// `sc:Text`: JSON strings and nulls, and every CSV column (CSV has no types).
    Text,
    /// `sc:Integer`: a JSON number without fraction or exponent.
    Integer,
    /// `sc:Float`: any other JSON number.
    Float,
    /// `sc:Boolean`: `true` or `false`.
    Boolean,
    /// `sc:DateTime`: a JSONL number, or a string that is an RFC 3339 instant, under a
    /// name that pandas (which mlcroissant reads JSON lines with) turns into a date:
    /// ending in `_at` or `_time`, starting with `timestamp`, or `modified`, `date`,
    /// `datetime`. Declared as anything else, mlcroissant would fail on such a field.
    DateTime,
    /// A JSON object or array: left in the files, not described in the record set
    /// (mlcroissant cannot read an object column as text), and named in the record
    /// set's description.
    Nested,
}

impl FieldType {
    /// The Croissant `dataType`; `None` for [`FieldType::Nested`].
    pub fn croissant(self) -> Option<&'static str> {
        match self {
            FieldType::Text => Some("sc:Text"),
            FieldType::Integer => Some("sc:Integer"),
            FieldType::Float => Some("sc:Float"),
            FieldType::Boolean => Some("sc:Boolean"),
            FieldType::DateTime => Some("sc:DateTime"),
            FieldType::Nested => None,
        }
    }
}

/// One field of the source's records, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceField {
    /// The JSON key or the CSV column, exactly as pandas will name the column.
    pub name: String,
    /// Its type, from the first record (JSONL) or [`FieldType::Text`] (CSV).
    pub data_type: FieldType,
}

/// The fields of a snapshot's records, from the first line of its first shard: for
/// CSV the header (every column `sc:Text`), for JSONL the first record's keys with
/// their JSON types (see [`FieldType`]). Errors name the field `fields`: a line that is
/// not a JSON object, a header with an empty or repeated column name.
pub fn infer_fields(format: FileFormat, first_line: &[u8]) -> Result<Vec<SourceField>, FieldError> {
    let bad = |message: String| FieldError::new("fields", message);
    let line = first_line
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(first_line);
    let text = std::str::from_utf8(line)
        .map_err(|_| bad("the first line of the first shard is not UTF-8".into()))?
        .trim_end_matches(['\r', '\n']);
    match format {
        FileFormat::Jsonl => {
            let object: Map<String, Value> = serde_json::from_str(text).map_err(|e| {
                bad(format!(
                    "the first record of the first shard is not a JSON object: {e}"
                ))
            })?;
            Ok(object
                .into_iter()
                .map(|(name, value)| {
                    let data_type = json_type(&name, &value);
                    SourceField { name, data_type }
                })
                .collect())
        }
        FileFormat::Csv => {
            let names = csv_header(text).map_err(|e| bad(format!("the CSV header: {e}")))?;
            let mut fields: Vec<SourceField> = Vec::with_capacity(names.len());
            for name in names {
                if name.trim().is_empty() {
                    return Err(bad("the CSV header has an empty column name".into()));
                }
                if fields.iter().any(|f| f.name == name) {
                    return Err(bad(format!("the CSV header names '{name}' twice")));
                }
                fields.push(SourceField {
                    name,
                    data_type: FieldType::Text,
                });
            }
            Ok(fields)
        }
    }
}

/// The Croissant type of one JSON value under `name` (see [`FieldType`]).
fn json_type(name: &str, value: &Value) -> FieldType {
    let dated = pandas_date_column(name);
    match value {
        Value::Object(_) | Value::Array(_) => FieldType::Nested,
        Value::Bool(_) => FieldType::Boolean,
        Value::Number(_) if dated => FieldType::DateTime,
        Value::Number(n) if n.is_i64() || n.is_u64() => FieldType::Integer,
        Value::Number(_) => FieldType::Float,
        Value::String(s) if dated && chrono::DateTime::parse_from_rfc3339(s).is_ok() => {
            FieldType::DateTime
        }
        Value::String(_) | Value::Null => FieldType::Text,
    }
}

/// Whether pandas' `read_json` converts a column of this name to dates
/// (`keep_default_dates`): mlcroissant reads JSON lines with it.
fn pandas_date_column(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with("_at")
        || lower.ends_with("_time")
        || lower.starts_with("timestamp")
        || matches!(lower.as_str(), "modified" | "date" | "datetime")
}

/// Splits a CSV header as pandas reads it: cells split on commas, a quoted cell
/// unquoted (`""` is a quote), no trimming.
fn csv_header(text: &str) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    let mut rest = text;
    loop {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut cell = String::new();
            let mut r = quoted;
            loop {
                let k = r.find('"').ok_or("a quoted name is not closed")?;
                cell.push_str(&r[..k]);
                r = &r[k + 1..];
                match r.strip_prefix('"') {
                    Some(after) => {
                        cell.push('"');
                        r = after;
                    }
                    None => break,
                }
            }
            cells.push(cell);
            match r.strip_prefix(',') {
                Some(after) => rest = after,
                None if r.is_empty() => break,
                None => return Err("text after a quoted name".into()),
            }
        } else {
            match rest.find(',') {
                Some(k) => {
                    cells.push(rest[..k].to_string());
                    rest = &rest[k + 1..];
                }
                None => {
                    cells.push(rest.to_string());
                    break;
                }
            }
        }
    }
    Ok(cells)
}

/// Everything a manifest says, read by the caller: the manifest itself does no I/O.
#[derive(Debug, Clone)]
pub struct ManifestInput<'a> {
    /// The deal delivered under: its terms become the ODRL agreement.
    pub deal: &'a Deal,
    /// The deal's partner: the agreement's assignee.
    pub partner: &'a Partner,
    /// The sealed snapshot delivered: its shards, counts and digests.
    pub snapshot: &'a Snapshot,
    /// The delivery's id in the store.
    pub delivery_id: i64,
    /// The delivery's per-deal sequence number, from 1; the manifest's `version` is
    /// `<sequence>.0.0`.
    pub sequence: u64,
    /// The platform's name: the dataset's creator and the agreement's assigner.
    pub platform: String,
    /// When the delivery was issued, RFC 3339 UTC: `datePublished`.
    pub issued_at: String,
    /// The audit log's head when the delivery was made: the newest entry's `seq`...
    pub audit_seq: i64,
    /// ... and its `hash`.
    pub audit_hash: String,
    /// The source's fields, from [`infer_fields`] on the first shard.
    pub fields: Vec<SourceField>,
}

/// The `urn:` naming a deal, the agreement's uid and the dataset's licence.
pub fn deal_urn(deal: &Deal) -> String {
    format!("urn:consentry:deal:{}", deal.id)
}

/// The `urn:` naming a delivery: the dataset's `url` and the agreement's target. (The
/// dataset has no `@id`: mlcroissant inlines every reference to a node it defines, so
/// the target naming the dataset itself would be a loop.)
pub fn delivery_urn(delivery_id: i64) -> String {
    format!("urn:consentry:delivery:{delivery_id}")
}

/// The `urn:` naming a snapshot in `prov:wasDerivedFrom`.
pub fn snapshot_urn(snapshot: &Snapshot) -> String {
    format!("urn:consentry:snapshot:{}", snapshot.snapshot_id)
}

/// The manifest's `version`: `<sequence>.0.0`, so a later delivery of a deal always
/// has a higher version.
pub fn version(sequence: u64) -> String {
    format!("{sequence}.0.0")
}

/// The purposes a manifest prohibits: every purpose the deal does not permit, in
/// canonical order.
pub fn prohibited(permitted: &[Purpose]) -> Vec<Purpose> {
    Purpose::ALL
        .into_iter()
        .filter(|p| !permitted.contains(p))
        .collect()
}

/// The manifest: Croissant 1.1 JSON-LD with the RAI fields, an ODRL agreement as
/// `usageInfo`, PROV-O provenance and the `consentry:delivery` block.
pub fn croissant(input: &ManifestInput) -> Value {
    let ManifestInput {
        deal,
        partner,
        snapshot,
        ..
    } = *input;
    let csv = snapshot.format == FileFormat::Csv.token();
    let encoding = if csv {
        "text/csv"
    } else {
        "application/jsonlines"
    };
    let mut distribution: Vec<Value> = snapshot
        .shards
        .iter()
        .map(|s| {
            json!({
                "@type": "cr:FileObject",
                "@id": s.file,
                "name": s.file,
                "description": format!("{} records", s.records),
                "contentUrl": s.file,
                "contentSize": format!("{} B", s.bytes),
                "encodingFormat": encoding,
                "sha256": s.sha256,
            })
        })
        .collect();
    let described: Vec<&SourceField> = input
        .fields
        .iter()
        .filter(|f| f.data_type.croissant().is_some())
        .collect();
    let mut dataset = Map::new();
    let mut put = |key: &str, value: Value| {
        dataset.insert(key.to_string(), value);
    };
    put("@context", context());
    put("@type", json!("sc:Dataset"));
    put("conformsTo", json!([CROISSANT_1_1, CROISSANT_RAI_1_0]));
    put(
        "name",
        json!(format!("{} (delivery {})", deal.title, input.sequence)),
    );
    put("description", json!(description(input)));
    put(
        "license",
        json!({
            "@type": "sc:CreativeWork",
            "identifier": deal_urn(deal),
            "name": format!("Data licence agreement \"{}\" between {} and {}",
                deal.title, input.platform, partner.name),
            "description": "The terms are the ODRL agreement in usageInfo.",
        }),
    );
    put("url", json!(delivery_urn(input.delivery_id)));
    put(
        "creator",
        json!({"@type": "sc:Organization", "name": input.platform}),
    );
    put("datePublished", json!(input.issued_at));
    put("version", json!(version(input.sequence)));
    put(
        "citeAs",
        json!(format!(
            "{}. {}, delivery {} (records as of {}).",
            input.platform, deal.title, input.sequence, snapshot.as_of
        )),
    );
    if !snapshot.shards.is_empty() && !described.is_empty() {
        distribution.push(json!({
            "@type": "cr:FileSet",
            "@id": FILE_SET,
            "name": FILE_SET,
            "description": "Every shard of this delivery, in order.",
            "encodingFormat": encoding,
            "includes": snapshot.shards.iter().map(|s| s.file.as_str()).collect::<Vec<_>>(),
        }));
        put("distribution", json!(distribution));
        put("recordSet", json!([record_set(input, &described)]));
    } else {
        put("distribution", json!(distribution));
    }
    put("usageInfo", agreement(input));
    for (key, value) in rai(input) {
        put(key, value);
    }
    put(
        "prov:wasDerivedFrom",
        json!([
            {
                "@id": snapshot_urn(snapshot),
                "@type": "prov:Entity",
                "name": format!("Snapshot {} of deal {}", snapshot.snapshot_id, deal.id),
                "consentry:as_of": snapshot.as_of,
                "consentry:included_users_sha256": snapshot.included_users_sha256,
                "consentry:records_index_sha256": snapshot.records_index_sha256,
                "consentry:ledger_sha256": snapshot.ledger_sha256,
            },
            {
                "@id": format!("urn:sha256:{}", snapshot.ledger_sha256),
                "@type": "prov:Entity",
                "name": format!("The consent ledger events effective at {}", snapshot.as_of),
            }
        ]),
    );
    put("consentry:delivery", consentry_block(input));
    Value::Object(dataset)
}

/// The standard Croissant 1.1 `@context` (as mlcroissant writes it) and the prefixes
/// of the other vocabularies the manifest uses.
fn context() -> Value {
    let terms: [(&str, Value); 46] = [
        ("@language", json!("en")),
        ("@vocab", json!("https://schema.org/")),
        ("arrayShape", json!("cr:arrayShape")),
        ("citeAs", json!("cr:citeAs")),
        ("column", json!("cr:column")),
        ("conformsTo", json!("dct:conformsTo")),
        ("containedIn", json!("cr:containedIn")),
        ("cr", json!("http://mlcommons.org/croissant/")),
        ("rai", json!("http://mlcommons.org/croissant/RAI/")),
        ("data", json!({"@id": "cr:data", "@type": "@json"})),
        ("dataType", json!({"@id": "cr:dataType", "@type": "@vocab"})),
        ("dct", json!("http://purl.org/dc/terms/")),
        ("description", json!({"@container": "@language"})),
        ("equivalentProperty", json!("cr:equivalentProperty")),
        ("examples", json!({"@id": "cr:examples", "@type": "@json"})),
        ("extract", json!("cr:extract")),
        ("field", json!("cr:field")),
        ("fileProperty", json!("cr:fileProperty")),
        ("fileObject", json!("cr:fileObject")),
        ("fileSet", json!("cr:fileSet")),
        ("format", json!("cr:format")),
        ("includes", json!("cr:includes")),
        ("isArray", json!("cr:isArray")),
        ("isLiveDataset", json!("cr:isLiveDataset")),
        ("jsonPath", json!("cr:jsonPath")),
        ("key", json!("cr:key")),
        ("md5", json!("cr:md5")),
        ("name", json!({"@container": "@language"})),
        ("parentField", json!("cr:parentField")),
        ("path", json!("cr:path")),
        ("recordSet", json!("cr:recordSet")),
        ("references", json!("cr:references")),
        ("regex", json!("cr:regex")),
        ("repeated", json!("cr:repeated")),
        ("replace", json!("cr:replace")),
        ("samplingRate", json!("cr:samplingRate")),
        ("sc", json!("https://schema.org/")),
        ("separator", json!("cr:separator")),
        ("source", json!("cr:source")),
        ("subField", json!("cr:subField")),
        ("transform", json!("cr:transform")),
        ("odrl", json!("http://www.w3.org/ns/odrl/2/")),
        ("prov", json!("http://www.w3.org/ns/prov#")),
        ("xsd", json!("http://www.w3.org/2001/XMLSchema#")),
        ("consentry", json!(CONSENTRY_NS)),
        (
            "consentry:excluded",
            json!({"@id": "consentry:excluded", "@type": "@json"}),
        ),
    ];
    Value::Object(terms.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn description(input: &ManifestInput) -> String {
    let s = input.snapshot;
    format!(
        "Records posted on {platform}, licensed to {partner} under the deal \"{title}\" \
         (delivery {seq}). Consent-filtered as of {as_of} under consent policy version \
         {policy}: each record's author consented to every permitted purpose ({purposes}) \
         at that instant, and is an active, registered user aged 18 or over. {included} \
         of {read} source records are included, in {shards} shard(s); each line is as the \
         source had it, byte for byte.",
        platform = input.platform,
        partner = input.partner.name,
        title = input.deal.title,
        seq = input.sequence,
        as_of = s.as_of,
        policy = s.policy_version,
        purposes = Purpose::join(&s.purposes),
        included = s.records_included,
        read = s.records_in,
        shards = s.shards.len(),
    )
}

/// The record set over every shard: one field per described source field.
fn record_set(input: &ManifestInput, described: &[&SourceField]) -> Value {
    let s = input.snapshot;
    let nested: Vec<&str> = input
        .fields
        .iter()
        .filter(|f| f.data_type == FieldType::Nested)
        .map(|f| f.name.as_str())
        .collect();
    let mut text = "One record per line of the shards.".to_string();
    if !nested.is_empty() {
        text.push_str(&format!(
            " Nested objects and arrays are in the files but not described here: {}.",
            nested.join(", ")
        ));
    }
    let fields: Vec<Value> = described
        .iter()
        .map(|f| {
            let mut field = Map::new();
            field.insert("@type".into(), json!("cr:Field"));
            field.insert("@id".into(), json!(field_id(&f.name)));
            field.insert("name".into(), json!(f.name));
            let role = if f.name == s.id_field {
                Some("The record's id, unique in this delivery.")
            } else if f.name == s.user_field {
                Some("The author's user id in the platform's registry.")
            } else if f.name == s.time_field {
                Some("When the record was created (epoch seconds or RFC 3339).")
            } else {
                None
            };
            if let Some(role) = role {
                field.insert("description".into(), json!(role));
            }
            field.insert("dataType".into(), json!(f.data_type.croissant()));
            field.insert(
                "source".into(),
                json!({"fileSet": {"@id": FILE_SET}, "extract": {"column": f.name}}),
            );
            Value::Object(field)
        })
        .collect();
    let mut set = Map::new();
    set.insert("@type".into(), json!("cr:RecordSet"));
    set.insert("@id".into(), json!(RECORD_SET));
    set.insert("name".into(), json!(RECORD_SET));
    set.insert("description".into(), json!(text));
    if described.iter().any(|f| f.name == s.id_field) {
        set.insert("key".into(), json!({"@id": field_id(&s.id_field)}));
    }
    set.insert("field".into(), json!(fields));
    Value::Object(set)
}

/// A field's `@id`: `records/<name>`, the name percent-encoded but for unreserved
/// characters, so any JSON key makes a valid relative IRI.
fn field_id(name: &str) -> String {
    let mut id = format!("{RECORD_SET}/");
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            id.push(b as char);
        } else {
            id.push_str(&format!("%{b:02X}"));
        }
    }
    id
}

/// A purpose as an ODRL action: Consentry's IRI for it, its parent, and its CAWG,
/// aipref and TDMRep entries (absent: the vocabulary has no entry for it, so it grants
/// nothing). `permitted` sets `tdm-reservation`.
///
/// The parent is `consentry:parent`, not `odrl:includedIn`: in ODRL a permission of the
/// broader action implies the narrower one, but a deal permitting `ai-training` does not
/// permit `genai-training` (its authors may have refused that), so the two must stay
/// distinct actions.
fn action(purpose: Purpose, permitted: bool) -> Value {
    let mut a = Map::new();
    a.insert(
        "@id".into(),
        json!(format!("consentry:{}", purpose.token())),
    );
    a.insert("name".into(), json!(purpose.token()));
    if let Some(parent) = purpose.parent() {
        a.insert(
            "consentry:parent".into(),
            json!({"@id": format!("consentry:{}", parent.token())}),
        );
    }
    if let Some(cawg) = purpose.cawg() {
        a.insert("consentry:cawg".into(), json!(cawg));
    }
    if let Some(aipref) = purpose.aipref() {
        a.insert("consentry:aipref".into(), json!(aipref));
    }
    if let Some(tdm) = purpose.tdmrep() {
        a.insert(
            format!("consentry:{tdm}"),
            json!(if permitted { 0 } else { 1 }),
        );
    }
    Value::Object(a)
}

fn constraint(left: &str, operator: &str, right: Value) -> Value {
    json!({
        "odrl:leftOperand": {"@id": format!("odrl:{left}")},
        "odrl:operator": {"@id": format!("odrl:{operator}")},
        "odrl:rightOperand": right,
    })
}

/// The deal as an ODRL Agreement: what the partner may do, where and until when, and
/// what it may not.
fn agreement(input: &ManifestInput) -> Value {
    let deal = input.deal;
    let date = |d: chrono::NaiveDate| json!({"@value": d.to_string(), "@type": "xsd:date"});
    let territory = if deal.territory == WORLD {
        constraint("spatial", "eq", json!(WORLD))
    } else {
        let codes: Vec<&str> = deal.territory.split(',').collect();
        constraint("spatial", "isAnyOf", json!({"@list": codes}))
    };
    let constraints = json!([
        constraint("dateTime", "gteq", date(deal.start_date)),
        constraint("dateTime", "lteq", date(deal.end_date)),
        territory,
    ]);
    let mut duties = Vec::new();
    if deal.attribution_required {
        duties.push(json!({"odrl:action": {"@id": "odrl:attribute"}}));
    }
    if let Some(days) = deal.retention_days {
        duties.push(json!({
            "odrl:action": {"@id": "odrl:delete"},
            "odrl:constraint": [constraint("elapsedTime", "lteq",
                json!({"@value": format!("P{days}D"), "@type": "xsd:duration"}))],
        }));
    }
    let target = json!({"@id": delivery_urn(input.delivery_id)});
    let assigner = json!({"@type": "odrl:Party", "name": input.platform});
    let assignee = json!({
        "@id": format!("urn:consentry:partner:{}", input.partner.id),
        "@type": "odrl:Party",
        "name": input.partner.name,
    });
    let permission = |act: Value| {
        let mut rule = Map::new();
        rule.insert("@type".into(), json!("odrl:Permission"));
        rule.insert("odrl:target".into(), target.clone());
        rule.insert("odrl:action".into(), act);
        rule.insert("odrl:constraint".into(), constraints.clone());
        if !duties.is_empty() {
            rule.insert("odrl:duty".into(), json!(duties));
        }
        Value::Object(rule)
    };
    let mut permissions: Vec<Value> = deal
        .purposes
        .iter()
        .map(|&p| permission(action(p, true)))
        .collect();
    // Sublicensing is ODRL's grantUse: permitted on the same terms, or prohibited.
    if deal.sublicensing_allowed {
        permissions.push(permission(json!({"@id": "odrl:grantUse"})));
    }
    let mut prohibitions: Vec<Value> = prohibited(&deal.purposes)
        .into_iter()
        .map(|p| {
            json!({
                "@type": "odrl:Prohibition",
                "odrl:target": target,
                "odrl:action": action(p, false),
            })
        })
        .collect();
    if !deal.sublicensing_allowed {
        prohibitions.push(json!({
            "@type": "odrl:Prohibition",
            "odrl:target": target,
            "odrl:action": {"@id": "odrl:grantUse"},
        }));
    }
    json!({
        "@type": "odrl:Agreement",
        // ODRL's uid is the policy's `@id` (its JSON-LD context maps `uid` to `@id`).
        "@id": deal_urn(deal),
        "name": deal.title,
        "description": "Each action is one Consentry purpose; consentry:parent names the \
            broader purpose it falls under, for information. A permission covers exactly \
            its purpose: a narrower purpose is prohibited unless permitted itself. A \
            permitted purpose prevails over the prohibition of a broader one \
            (odrl:conflict perm).",
        "odrl:conflict": {"@id": "odrl:perm"},
        "odrl:assigner": assigner,
        "odrl:assignee": assignee,
        "odrl:permission": permissions,
        "odrl:prohibition": prohibitions,
    })
}

/// The Croissant RAI fields, from what Consentry knows about the snapshot.
fn rai(input: &ManifestInput) -> Vec<(&'static str, Value)> {
    let s = input.snapshot;
    let window = match (&s.window_from, &s.window_to) {
        (None, None) => "created at any time up to the cut-off".to_string(),
        (Some(f), None) => format!("created from {f} (UTC) up to the cut-off"),
        (None, Some(t)) => format!("created up to {t} (UTC, inclusive) and the cut-off"),
        (Some(f), Some(t)) => format!("created from {f} to {t} (UTC, inclusive)"),
    };
    let uses: Vec<String> = s
        .purposes
        .iter()
        .map(|p| format!("{} ({})", p.token(), meaning(*p)))
        .collect();
    vec![
        (
            "rai:dataCollection",
            json!(format!(
                "Content that users posted on {}, read from the platform's export and \
                 filtered by Consentry against the users' consent as of {} (policy \
                 version {}): records {}. Included lines are copied byte for byte.",
                input.platform, s.as_of, s.policy_version, window
            )),
        ),
        (
            "rai:dataCollectionType",
            json!(["User-generated content data"]),
        ),
        (
            "rai:dataPreprocessingProtocol",
            json!([format!(
                "Excluded and counted by reason (consentry:delivery): no consent to every \
                 permitted purpose at the cut-off, minors under 18 and users of unknown \
                 age, accounts not active, authors not in the registry, records created \
                 after the cut-off or outside the content window, repeated record ids, \
                 malformed lines. {} of {} records included.",
                s.records_included, s.records_in
            )]),
        ),
        (
            "rai:personalSensitiveInformation",
            json!([format!(
                "Each record names its author by the platform's user id (field '{}') and \
                 holds what the author wrote, which may include personal data about them or \
                 others. Every author consented to this use as of the cut-off; minors and \
                 users of unknown age are excluded. No registry data (country, birth date) \
                 is included.",
                s.user_field
            )]),
        ),
        (
            "rai:dataUseCases",
            json!([format!(
                "Permitted: {}. Every other purpose is prohibited; see usageInfo.",
                uses.join("; ")
            )]),
        ),
        (
            "rai:dataLimitations",
            json!([
                "Consent is as of the cut-off only: users who later withdraw consent, \
                    or whose accounts are deleted, are listed in signed withdrawal notices, \
                    and their records must then be deleted and no longer used."
            ]),
        ),
        (
            "rai:dataReleaseMaintenancePlan",
            json!(
                "Deliveries of a deal carry increasing sequence numbers (the version's \
                 major number). Withdrawal notices name, per delivery, the record ids to \
                 delete."
            ),
        ),
    ]
}

fn meaning(p: Purpose) -> &'static str {
    match p {
        Purpose::PartnerSharing => "any sharing with business partners",
        Purpose::AiTraining => "training any AI or ML model",
        Purpose::GenaiTraining => "training generative AI models",
        Purpose::AiInference => "input at inference time, such as RAG and grounding",
        Purpose::Search => "search indexing",
        Purpose::DataMining => "text and data mining, analytics",
    }
}

/// Consentry's own block: what ties the delivery to the store's records.
fn consentry_block(input: &ManifestInput) -> Value {
    let s = input.snapshot;
    json!({
        "@type": "consentry:Delivery",
        "consentry:delivery_id": input.delivery_id,
        "consentry:sequence": input.sequence,
        "consentry:deal_id": input.deal.id,
        "consentry:deal_title": input.deal.title,
        "consentry:partner": {
            "consentry:partner_id": input.partner.id,
            "name": input.partner.name,
        },
        "consentry:snapshot_id": s.snapshot_id,
        "consentry:purposes": s.purposes.iter().map(|p| p.token()).collect::<Vec<_>>(),
        "consentry:as_of": s.as_of,
        "consentry:policy_version": s.policy_version,
        "consentry:records_in": s.records_in,
        "consentry:records_included": s.records_included,
        "consentry:rejected": s.rejected,
        "consentry:held_back_by_gate": s.held_back_by_gate,
        "consentry:excluded": s.excluded,
        "consentry:included_users": s.included_users,
        "consentry:included_users_sha256": s.included_users_sha256,
        "consentry:records_index_sha256": s.records_index_sha256,
        "consentry:ledger_sha256": s.ledger_sha256,
        "consentry:audit_head": {
            "consentry:seq": input.audit_seq,
            "consentry:hash": input.audit_hash,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::deal::{DealId, DealStatus};
    use crate::model::partner::{PartnerId, PartnerKind};
    use crate::model::snapshot::{Shard, SnapshotId};

    fn deal(purposes: Vec<Purpose>, territory: &str) -> Deal {
        Deal {
            id: DealId(7),
            partner_id: PartnerId(2),
            partner_name: "Lab".into(),
            title: "Posts for training".into(),
            purposes,
            start_date: "2026-01-01".parse().unwrap(),
            end_date: "2027-12-31".parse().unwrap(),
            territory: territory.into(),
            exclusive: false,
            retention_days: Some(365),
            withdrawal_days: 30,
            attribution_required: true,
            sublicensing_allowed: false,
            notes: String::new(),
            status: DealStatus::Signed,
            renewed_from: None,
            renewed_by: None,
            created_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    fn partner() -> Partner {
        Partner {
            id: PartnerId(2),
            name: "Lab".into(),
            kind: PartnerKind::AiLab,
            country: Some("US".into()),
            contact: None,
            notes: String::new(),
            created_at: "2026-01-01T00:00:00.000Z".into(),
            updated_at: "2026-01-01T00:00:00.000Z".into(),
        }
    }

    fn snapshot(purposes: Vec<Purpose>, shards: usize) -> Snapshot {
        Snapshot {
            snapshot_id: SnapshotId(4),
            deal_id: DealId(7),
            sealed: true,
            source: "/data/posts.jsonl".into(),
            format: "jsonl".into(),
            id_field: "id".into(),
            user_field: "author".into(),
            time_field: "created_utc".into(),
            as_of: "2026-06-01T00:00:00.000000Z".into(),
            window_from: None,
            window_to: None,
            purposes,
            policy_version: 2,
            out_dir: "/data/snap".into(),
            records_in: 10,
            records_included: 6,
            excluded: [("minor".to_string(), 4)].into_iter().collect(),
            rejected: 0,
            rejected_lines: vec![],
            shards: (0..shards)
                .map(|k| Shard {
                    file: format!("part-{k:05}.jsonl"),
                    records: 3,
                    bytes: 300,
                    sha256: "ab".repeat(32),
                })
                .collect(),
            included_users: 2,
            included_users_sha256: "cd".repeat(32),
            ledger_sha256: "ef".repeat(32),
            records_index_sha256: "12".repeat(32),
            source_bytes: 1000,
            source_compression: Default::default(),
            source_compressed_bytes: None,
            duration_ms: 5,
            held_back_by_gate: 0,
            created_at: "2026-06-02T00:00:00.000Z".into(),
            sealed_at: Some("2026-06-02T00:00:01.000Z".into()),
        }
    }

    fn manifest(purposes: Vec<Purpose>, territory: &str, shards: usize) -> Value {
        let d = deal(purposes.clone(), territory);
        let p = partner();
        let s = snapshot(purposes, shards);
        croissant(&ManifestInput {
            deal: &d,
            partner: &p,
            snapshot: &s,
            delivery_id: 11,
            sequence: 3,
            platform: "Chirp".into(),
            issued_at: "2026-06-02T09:30:00Z".into(),
            audit_seq: 42,
            audit_hash: "99".repeat(32),
            fields: infer_fields(
                FileFormat::Jsonl,
                br#"{"id":"p1","author":"u1","created_utc":1}"#,
            )
            .unwrap(),
        })
    }

    fn actions(doc: &Value, rules: &str) -> Vec<String> {
        doc["usageInfo"][rules]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["odrl:action"]["@id"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn prohibitions_are_every_purpose_not_permitted() {
        // Every non-empty set of purposes: permitted and prohibited actions partition
        // the purposes, each once.
        for mask in 1u32..(1 << Purpose::ALL.len()) {
            let permitted: Vec<Purpose> = Purpose::ALL
                .into_iter()
                .enumerate()
                .filter(|(k, _)| mask & (1 << k) != 0)
                .map(|(_, p)| p)
                .collect();
            let doc = manifest(permitted.clone(), "WORLD", 1);
            let allowed = actions(&doc, "odrl:permission");
            let mut denied = actions(&doc, "odrl:prohibition");
            assert_eq!(denied.pop().as_deref(), Some("odrl:grantUse"));
            let mut all: Vec<String> = allowed.iter().chain(&denied).cloned().collect();
            all.sort();
            let mut expected: Vec<String> = Purpose::ALL
                .iter()
                .map(|p| format!("consentry:{}", p.token()))
                .collect();
            expected.sort();
            assert_eq!(all, expected, "{permitted:?}");
            assert_eq!(allowed.len(), permitted.len());
            assert_eq!(prohibited(&permitted).len(), denied.len());
        }
    }

    #[test]
    fn actions_carry_their_vocabulary_tokens_and_tdm_reservation() {
        let doc = manifest(vec![Purpose::GenaiTraining], "CA,US", 1);
        let permission = &doc["usageInfo"]["odrl:permission"][0];
        let action = &permission["odrl:action"];
        assert_eq!(action["consentry:aipref"], "train-genai");
        assert_eq!(action["consentry:cawg"], "cawg.ai_generative_training");
        assert_eq!(action["consentry:tdm-reservation"], 0);
        assert_eq!(action["consentry:parent"]["@id"], "consentry:ai-training");
        assert_eq!(doc["usageInfo"]["odrl:conflict"]["@id"], "odrl:perm");
        let mining = &doc["usageInfo"]["odrl:prohibition"][4]["odrl:action"];
        assert_eq!(mining["@id"], "consentry:data-mining");
        assert_eq!(mining["consentry:tdm-reservation"], 1);
        let constraints = permission["odrl:constraint"].as_array().unwrap();
        assert_eq!(constraints[0]["odrl:rightOperand"]["@value"], "2026-01-01");
        assert_eq!(constraints[1]["odrl:operator"]["@id"], "odrl:lteq");
        assert_eq!(
            constraints[2]["odrl:rightOperand"]["@list"],
            json!(["CA", "US"])
        );
        let duties = permission["odrl:duty"].as_array().unwrap();
        assert_eq!(duties[0]["odrl:action"]["@id"], "odrl:attribute");
        assert_eq!(
            duties[1]["odrl:constraint"][0]["odrl:rightOperand"]["@value"],
            "P365D"
        );
    }

    #[test]
    fn the_document_is_deterministic_and_names_the_delivery() {
        let doc = manifest(vec![Purpose::Search], "WORLD", 2);
        assert_eq!(doc, manifest(vec![Purpose::Search], "WORLD", 2));
        assert_eq!(doc["version"], "3.0.0");
        assert_eq!(doc["url"], "urn:consentry:delivery:11");
        let block = &doc["consentry:delivery"];
        assert_eq!(block["consentry:sequence"], 3);
        assert_eq!(block["consentry:audit_head"]["consentry:seq"], 42);
        assert_eq!(block["consentry:excluded"], json!({"minor": 4}));
        assert_eq!(
            doc["prov:wasDerivedFrom"][0]["@id"],
            "urn:consentry:snapshot:4"
        );
        assert_eq!(
            doc["prov:wasDerivedFrom"][1]["@id"],
            format!("urn:sha256:{}", "ef".repeat(32))
        );
        let files = doc["distribution"].as_array().unwrap();
        assert_eq!(files.len(), 3, "two shards and the file set");
        assert_eq!(
            files[2]["includes"],
            json!(["part-00000.jsonl", "part-00001.jsonl"])
        );
        assert_eq!(doc["recordSet"][0]["key"]["@id"], "records/id");
        // An empty snapshot has no file to read records from: no record set.
        let empty = manifest(vec![Purpose::Search], "WORLD", 0);
        assert_eq!(empty["distribution"], json!([]));
        assert!(empty.get("recordSet").is_none());
    }

    #[test]
    fn jsonl_fields_take_the_first_records_types() {
        let line = "\u{feff}{\"id\":\"p1\",\"n\":3,\"big\":18446744073709551615,\"x\":1.5,\
                    \"e\":1e3,\"ok\":true,\"gone\":null,\"tags\":[1],\"meta\":{},\
                    \"created_at\":1700000000,\"edited_at\":\"2024-01-01T00:00:00Z\",\
                    \"posted_at\":\"yesterday\",\"Timestamp\":5}\r\n";
        let fields = infer_fields(FileFormat::Jsonl, line.as_bytes()).unwrap();
        let got: Vec<(&str, FieldType)> = fields
            .iter()
            .map(|f| (f.name.as_str(), f.data_type))
            .collect();
        use FieldType::*;
        assert_eq!(
            got,
            [
                ("id", Text),
                ("n", Integer),
                ("big", Integer),
                ("x", Float),
                ("e", Float),
                ("ok", Boolean),
                ("gone", Text),
                ("tags", Nested),
                ("meta", Nested),
                ("created_at", DateTime),
                ("edited_at", DateTime),
                ("posted_at", Text),
                ("Timestamp", DateTime),
            ]
        );
        for bad in [&b"[1,2]"[..], b"{\"a\":", b"\xff"] {
            assert_eq!(
                infer_fields(FileFormat::Jsonl, bad).unwrap_err().field,
                "fields"
            );
        }
    }

    #[test]
    fn csv_fields_are_the_header_as_pandas_reads_it() {
        let fields =
            infer_fields(FileFormat::Csv, b"id,\"a, b\",\"say \"\"hi\"\"\", x\r\n").unwrap();
        let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["id", "a, b", "say \"hi\"", " x"]);
        assert!(fields.iter().all(|f| f.data_type == FieldType::Text));
        for bad in [&b"id,id"[..], b"id,,x", b"\"id", b"\"id\"x"] {
            assert_eq!(
                infer_fields(FileFormat::Csv, bad).unwrap_err().field,
                "fields"
            );
        }
    }

    #[test]
    fn field_ids_are_valid_relative_iris() {
        assert_eq!(field_id("created_utc"), "records/created_utc");
        assert_eq!(field_id("a b/ü"), "records/a%20b%2F%C3%BC");
    }
}

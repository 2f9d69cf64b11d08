//! The TypeScript types of everything that crosses into the UI, generated from the Rust
//! types with ts-rs into one file, `ui/src/bindings.ts`. The test `tests/integration/bindings.rs`
//! fails when the committed file is stale; `make bindings` rewrites it.

use ts_rs::{Config, TS};

use crate::{
    audit, consent, deal, error, imports, model, overview, partner, policy, purpose, snapshot,
    store,
};

/// The whole content of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    // Ids are SQLite rowids, far below 2^53: plain numbers in TypeScript.
    let cfg = Config::new().with_large_int("number");
    let decls = [
        serde_json::Value::decl(&cfg),
        error::ErrorCode::decl(&cfg),
        error::FieldError::decl(&cfg),
        error::LineError::decl(&cfg),
        error::ErrorBody::decl(&cfg),
        purpose::Purpose::decl(&cfg),
        partner::PartnerId::decl(&cfg),
        partner::PartnerKind::decl(&cfg),
        partner::Partner::decl(&cfg),
        partner::PartnerInput::decl(&cfg),
        deal::DealId::decl(&cfg),
        deal::DealStatus::decl(&cfg),
        deal::Deal::decl(&cfg),
        deal::DealInput::decl(&cfg),
        deal::DealFilter::decl(&cfg),
        deal::RenewInput::decl(&cfg),
        audit::AuditEntry::decl(&cfg),
        audit::AuditFilter::decl(&cfg),
        audit::AuditProblem::decl(&cfg),
        audit::AuditReport::decl(&cfg),
        audit::AuditHead::decl(&cfg),
        store::StoreInfo::decl(&cfg),
        consent::Policy::decl(&cfg),
        model::file_format::FileFormat::decl(&cfg),
        imports::ImportOptions::decl(&cfg),
        imports::ImportReport::decl(&cfg),
        imports::ImportSummary::decl(&cfg),
        overview::ConsentOverview::decl(&cfg),
        overview::GateOverview::decl(&cfg),
        policy::PolicyInput::decl(&cfg),
        snapshot::SnapshotId::decl(&cfg),
        snapshot::BuildRequest::decl(&cfg),
        snapshot::Progress::decl(&cfg),
        snapshot::Shard::decl(&cfg),
        snapshot::Snapshot::decl(&cfg),
        snapshot::VerifyReport::decl(&cfg),
        snapshot::SourcePreview::decl(&cfg),
        snapshot::PreviewLine::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust core by `make bindings` (src/bindings.rs). Do not edit.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out
}

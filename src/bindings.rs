//! The TypeScript types of everything that crosses into the UI, generated from the Rust
//! types with ts-rs into one file, `ui/src/bindings.ts`. The test `tests/integration/bindings.rs`
//! fails when the committed file is stale; `make bindings` rewrites it.

use ts_rs::{Config, TS};

use crate::{
    audit, consent, deal, demo, error, imports, model, overview, partner, policy, purpose,
    snapshot, store,
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
        model::file_format::Compression::decl(&cfg),
        imports::ImportOptions::decl(&cfg),
        imports::ImportReport::decl(&cfg),
        imports::ImportSummary::decl(&cfg),
        imports::ImportKind::decl(&cfg),
        imports::ImportPhase::decl(&cfg),
        imports::ImportProgress::decl(&cfg),
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
        model::delivery::DeliveryId::decl(&cfg),
        model::delivery::PackageFile::decl(&cfg),
        model::delivery::DeliveryRequest::decl(&cfg),
        model::delivery::Delivery::decl(&cfg),
        model::delivery::PackageReport::decl(&cfg),
        model::delivery::Receipt::decl(&cfg),
        model::delivery::PushReport::decl(&cfg),
        model::delivery::PushProgress::decl(&cfg),
        model::delivery::SecretStore::decl(&cfg),
        model::delivery::SigningKey::decl(&cfg),
        model::delivery::KeyReport::decl(&cfg),
        model::delivery::NoticeId::decl(&cfg),
        model::delivery::Notice::decl(&cfg),
        model::delivery::NoticeDelivery::decl(&cfg),
        model::delivery::NoticeReport::decl(&cfg),
        model::delivery::NoticeRequest::decl(&cfg),
        model::delivery::AckRequest::decl(&cfg),
        model::delivery::PendingUser::decl(&cfg),
        model::delivery::ExposedSnapshot::decl(&cfg),
        model::delivery::ExposedNotice::decl(&cfg),
        model::delivery::ExposedDelivery::decl(&cfg),
        model::delivery::ExposureReport::decl(&cfg),
        model::finance::InvoiceId::decl(&cfg),
        model::finance::FeeInput::decl(&cfg),
        model::finance::FeeTerms::decl(&cfg),
        model::finance::InvoiceRecord::decl(&cfg),
        model::finance::Invoice::decl(&cfg),
        model::finance::InvoicePage::decl(&cfg),
        model::finance::Payment::decl(&cfg),
        model::finance::PaymentInput::decl(&cfg),
        model::finance::CreditNote::decl(&cfg),
        model::finance::FxRateRecord::decl(&cfg),
        model::finance::ReportRequest::decl(&cfg),
        model::finance::CsvExport::decl(&cfg),
        model::reports::Grouping::decl(&cfg),
        model::reports::FxRate::decl(&cfg),
        model::reports::FxRateInput::decl(&cfg),
        model::reports::AppliedRate::decl(&cfg),
        model::reports::RevenueInBase::decl(&cfg),
        model::reports::RevenueRow::decl(&cfg),
        model::reports::RevenueSums::decl(&cfg),
        model::reports::BaseRevenueTotals::decl(&cfg),
        model::reports::RevenueReport::decl(&cfg),
        model::reports::DeferredInBase::decl(&cfg),
        model::reports::DeferredRow::decl(&cfg),
        model::reports::DeferredSums::decl(&cfg),
        model::reports::DeferredReport::decl(&cfg),
        model::reports::AgingBucket::decl(&cfg),
        model::reports::AgingInvoice::decl(&cfg),
        model::reports::AgingTotals::decl(&cfg),
        model::reports::BaseAgingTotals::decl(&cfg),
        model::reports::AgingReport::decl(&cfg),
        model::reports::PartnerRevenue::decl(&cfg),
        model::reports::RevenueSummary::decl(&cfg),
        model::reports::FinanceSummary::decl(&cfg),
        model::backup::BackupReport::decl(&cfg),
        model::backup::DailyReport::decl(&cfg),
        model::backup::RestoreReport::decl(&cfg),
        model::backup::BackupStatus::decl(&cfg),
        model::dashboard::Dashboard::decl(&cfg),
        model::dashboard::ContractedValue::decl(&cfg),
        model::dashboard::RenewalDue::decl(&cfg),
        model::dashboard::OpenNotice::decl(&cfg),
        model::dashboard::PendingWithdrawals::decl(&cfg),
        model::dashboard::ConsentHealth::decl(&cfg),
        model::dashboard::HealthPoint::decl(&cfg),
        demo::DemoOptions::decl(&cfg),
        demo::DemoStep::decl(&cfg),
        demo::DemoProgress::decl(&cfg),
        demo::DemoShape::decl(&cfg),
        demo::DemoDeal::decl(&cfg),
        demo::DemoFile::decl(&cfg),
        demo::DemoReport::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust core by `make bindings` (src/bindings.rs). Do not edit.\n",
    );
    for decl in decls {
        out.push_str("\nexport ");
        out.push_str(&decl);
        out.push('\n');
    }
    out.push_str(&tables());
    out
}

/// The core's tables that the UI shows or checks against, so that it never keeps a copy
/// of its own: the lifecycle moves, the purposes' hierarchy and vocabularies, the
/// country codes, the default opt-in countries and the currencies' exponents.
fn tables() -> String {
    use crate::deal::DealStatus;
    let json = |v: serde_json::Value| serde_json::to_string(&v).expect("JSON");
    let lifecycle: serde_json::Map<String, serde_json::Value> = DealStatus::ALL
        .iter()
        .map(|s| {
            let next: Vec<&str> = s.next().iter().map(|n| n.token()).collect();
            (s.token().to_string(), serde_json::json!(next))
        })
        .collect();
    let purposes: Vec<serde_json::Value> = purpose::Purpose::ALL
        .iter()
        .map(|p| {
            serde_json::json!({
                "token": p.token(),
                "parent": p.parent().map(|q| q.token()),
                "cawg": p.cawg(),
                "aipref": p.aipref(),
                "tdmrep": p.tdmrep(),
            })
        })
        .collect();
    let countries: Vec<&str> = crate::country::codes().collect();
    let currencies: serde_json::Map<String, serde_json::Value> = model::money::Currency::all()
        .into_iter()
        .map(|c| (c.code().to_string(), serde_json::json!(c.exponent())))
        .collect();
    format!(
        "\n/** The moves each deal status allows, in the order the UI offers them. */\n\
         export const DEAL_LIFECYCLE: Record<DealStatus, DealStatus[]> = {};\n\
         \n/** The purposes in canonical order, with their parent and vocabulary tokens. */\n\
         export const PURPOSE_TABLE: Array<{{ token: Purpose; parent: Purpose | null; \
         cawg: string | null; aipref: string | null; tdmrep: string | null }}> = {};\n\
         \n/** Every ISO 3166-1 alpha-2 code the core accepts, sorted. */\n\
         export const COUNTRY_CODES: string[] = {};\n\
         \n/** The opt-in countries of the built-in policy (version 1). */\n\
         export const DEFAULT_OPT_IN: string[] = {};\n\
         \n/** Every currency amounts can be kept in (ISO 4217), with its minor-unit exponent. */\n\
         export const CURRENCY_EXPONENTS: Record<string, number> = {};\n",
        json(serde_json::Value::Object(lifecycle)),
        json(serde_json::json!(purposes)),
        json(serde_json::json!(countries)),
        json(serde_json::json!(consent::DEFAULT_OPT_IN)),
        json(serde_json::Value::Object(currencies)),
    )
}

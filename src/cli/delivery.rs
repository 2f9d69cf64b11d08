//! `consentry key ...`, `delivery ...`, `withdrawal ...` and `exposure`: the signing
//! key, signed packages for partners, withdrawal notices and where a user's records went.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use clap::{Args, Subcommand};

use consentry::deal::DealId;
use consentry::delivery::push::{PushEvent, PushOptions};
use consentry::delivery::{self, DeliveryId, DeliveryRequest, PackageReport};
use consentry::keys::{self, KeyReport, Secrets};
use consentry::model::signature::PublicKey;
use consentry::snapshot::SnapshotId;
use consentry::withdrawal::{self, AckRequest, NoticeId, NoticeRequest};
use consentry::{Error, Result, Store};

use super::output::{lines, table, verdict, warn, Output};

#[derive(Subcommand)]
pub(super) enum KeyCommand {
    /// Print the public key (minisign and PEM) and where the secret is; the first use
    /// makes the key.
    Show,
    /// Replace the signing key; old public keys are kept so old deliveries still verify.
    Rotate,
}

impl KeyCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            KeyCommand::Show | KeyCommand::Rotate => true,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        let secrets = Secrets::from_env()?;
        let report = match self {
            KeyCommand::Show => keys::show(store, secrets)?,
            KeyCommand::Rotate => keys::rotate(store, secrets)?,
        };
        out.value(&report, || key_text(&report));
        Ok(ExitCode::SUCCESS)
    }
}

fn key_text(r: &KeyReport) -> String {
    let k = &r.current;
    let mut text = format!(
        "{}key id {}  (secret: {}, {})\n\nminisign public key (minisign -Vm FILE -P KEY):\n{}\n\nPEM (openssl pkeyutl -verify -pubin -inkey key.pem -rawin ...):\n{}",
        if r.created { "made a new signing key\n" } else { "" },
        k.key_id,
        k.secret_store.token(),
        r.secret_location,
        k.minisign,
        k.pem
    );
    for old in &r.retired {
        text.push_str(&format!(
            "\nretired key {} (retired {}): {}\n",
            old.key_id,
            old.retired_at.as_deref().unwrap_or_default(),
            old.minisign
        ));
    }
    text
}

#[derive(Subcommand)]
pub(super) enum DeliveryCommand {
    /// Package a sealed snapshot for the deal's partner with a signed Croissant manifest.
    Create(DeliveryCreateArgs),
    /// Check a package: signatures, sizes, SHA-256, missing or extra files, replays.
    /// Exits 1 naming what failed.
    Verify {
        /// The package folder.
        dir: PathBuf,
        /// The public key to check with (minisign .pub file, RW... line in a file, or
        /// PEM); default: the store's keys.
        #[arg(long, value_name = "FILE")]
        public_key: Option<PathBuf>,
    },
    /// A deal's deliveries.
    List {
        #[arg(long, value_name = "ID")]
        deal: i64,
    },
    /// One delivery, with its push receipts.
    Show { id: i64 },
    /// Upload a package to the partner's bucket (s3://, gs://, az://, file://); the
    /// manifest and its signatures go last; a re-run skips what is already there.
    Push {
        id: i64,
        /// Where to: s3://bucket/prefix (S3-compatible endpoints through AWS_ENDPOINT_URL),
        /// gs://bucket/prefix, az://container/prefix or file:///folder. Credentials come
        /// from each cloud's standard environment variables.
        #[arg(long, value_name = "URL")]
        to: String,
        /// Files above this size (MiB) go in parts (default 64).
        #[arg(long, value_name = "MIB")]
        multipart_mib: Option<u64>,
    },
}

#[derive(Args)]
pub(super) struct DeliveryCreateArgs {
    #[arg(long, value_name = "ID")]
    deal: i64,
    #[arg(long, value_name = "ID")]
    snapshot: i64,
    /// The package folder: new or empty.
    #[arg(long, value_name = "DIR")]
    out: String,
    /// The platform's name in the manifest (default: $CONSENTRY_PLATFORM).
    #[arg(long, value_name = "NAME")]
    platform: Option<String>,
}

impl From<DeliveryCreateArgs> for DeliveryRequest {
    fn from(a: DeliveryCreateArgs) -> Self {
        DeliveryRequest {
            deal_id: DealId(a.deal),
            snapshot_id: SnapshotId(a.snapshot),
            out: a.out,
            platform: a.platform,
        }
    }
}

impl DeliveryCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            DeliveryCommand::Create(_) | DeliveryCommand::Push { .. } => true,
            DeliveryCommand::Verify { .. }
            | DeliveryCommand::List { .. }
            | DeliveryCommand::Show { .. } => false,
        }
    }

    /// Whether the command can run without a store (`verify` with `--public-key`).
    pub(super) fn store_optional(&self) -> bool {
        matches!(
            self,
            DeliveryCommand::Verify {
                public_key: Some(_),
                ..
            }
        )
    }

    pub(super) fn run(self, store: Option<&Store>, out: &Output) -> Result<ExitCode> {
        if let DeliveryCommand::Verify { dir, public_key } = self {
            let keys = public_key.map(|p| read_public_key(&p)).transpose()?;
            let report = delivery::verify(store, &dir, keys)?;
            out.value(&report, || package_text(&report));
            return Ok(verdict(report.ok));
        }
        let store = store.expect("only verify runs without a store");
        match self {
            DeliveryCommand::Create(args) => {
                let d = delivery::create(store, Secrets::from_env()?, args.into())?;
                out.value(&created_json(&d), || {
                    format!(
                        "delivery {} (sequence {} of deal {}): {} files, {} records in {}\nmanifest SHA-256 {}\n",
                        d.delivery_id,
                        d.sequence,
                        d.deal_id,
                        d.files.len(),
                        d.records,
                        d.out_dir,
                        d.manifest_sha256
                    )
                });
            }
            DeliveryCommand::List { deal } => {
                let list = delivery::list(store, DealId(deal))?;
                out.value(&list, || {
                    table(
                        &["ID", "SEQ", "SNAPSHOT", "RECORDS", "CREATED", "FOLDER"],
                        list.iter().map(|d| {
                            vec![
                                d.delivery_id.to_string(),
                                d.sequence.to_string(),
                                d.snapshot_id.to_string(),
                                d.records.to_string(),
                                d.created_at.clone(),
                                d.out_dir.clone(),
                            ]
                        }),
                    )
                });
            }
            DeliveryCommand::Show { id } => {
                let d = delivery::get(store, DeliveryId(id))?;
                let receipts = delivery::receipts(store, d.delivery_id)?;
                let json = serde_json::json!({"delivery": d, "receipts": receipts});
                out.value(&json, || {
                    let mut text = lines(&[
                        ("delivery", d.delivery_id.to_string()),
                        ("deal", d.deal_id.to_string()),
                        ("sequence", d.sequence.to_string()),
                        ("snapshot", d.snapshot_id.to_string()),
                        ("records", d.records.to_string()),
                        ("folder", d.out_dir.clone()),
                        ("manifest sha256", d.manifest_sha256.clone()),
                        ("signed by key", d.key_id.clone()),
                        ("created", d.created_at.clone()),
                    ]);
                    text.push_str(&table(
                        &["DESTINATION", "KEY", "BYTES", "ETAG", "AT"],
                        receipts.iter().map(|r| {
                            vec![
                                r.destination.clone(),
                                r.key.clone(),
                                r.bytes.to_string(),
                                r.etag.clone().unwrap_or_default(),
                                r.uploaded_at.clone(),
                            ]
                        }),
                    ));
                    text
                });
            }
            DeliveryCommand::Push {
                id,
                to,
                multipart_mib,
            } => {
                let mut options = PushOptions::default();
                if let Some(mib) = multipart_mib {
                    options.multipart_threshold = mib << 20;
                }
                let show_progress = !out.json;
                let report = delivery::push(
                    store,
                    DeliveryId(id),
                    &to,
                    &options,
                    &mut |event| {
                        if show_progress {
                            progress_line(event);
                        }
                    },
                    &AtomicBool::new(false),
                )?;
                out.value(&report, || {
                    format!(
                        "pushed delivery {} to {}: {} objects sent, {} already there\n",
                        report.delivery_id, report.destination, report.uploaded, report.skipped
                    )
                });
            }
            DeliveryCommand::Verify { .. } => unreachable!("handled above"),
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `delivery create --json`: the delivery, with the names the scripts read.
fn created_json(d: &delivery::Delivery) -> serde_json::Value {
    let mut v = serde_json::to_value(d).expect("serializable");
    v["files"] = serde_json::to_value(&d.files).expect("serializable");
    v
}

/// Progress on stderr: each object, each part of a large one, each retried attempt.
fn progress_line(event: &PushEvent) {
    match event {
        PushEvent::Started { key, bytes } => warn(&format!("{key}: {bytes} bytes")),
        PushEvent::Progress { key, sent, bytes } => warn(&format!(
            "{key}: {}% ({sent} of {bytes} bytes)",
            sent * 100 / (*bytes).max(1)
        )),
        PushEvent::AttemptFailed { key, reason, .. } => {
            warn(&format!("{key}: attempt failed, retrying: {reason}"))
        }
        PushEvent::Done(r) if r.skipped => warn(&format!("{}: already there", r.key)),
        PushEvent::Done(r) => warn(&format!("{}: stored", r.key)),
    }
}

fn read_public_key(path: &PathBuf) -> Result<Vec<PublicKey>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Error::io(format!("cannot read the public key {}", path.display()), e))?;
    PublicKey::parse(&text)
        .map(|k| vec![k])
        .map_err(|e| Error::invalid("public_key", format!("{}: {e}", path.display())))
}

fn package_text(r: &PackageReport) -> String {
    let mut text = if r.ok {
        format!(
            "ok: {} verifies: signatures by key {}, {} files with their sizes and SHA-256{}\n",
            r.dir,
            r.key_id.as_deref().unwrap_or("?"),
            r.files_checked,
            match (r.deal_id, r.sequence) {
                (Some(d), Some(s)) => format!(", deal {d} sequence {s}"),
                _ => String::new(),
            }
        )
    } else {
        format!("FAILED: {} does not verify:\n", r.dir)
    };
    for p in &r.problems {
        text.push_str(&format!("  - {p}\n"));
    }
    text
}

#[derive(Subcommand)]
pub(super) enum WithdrawalCommand {
    /// Sign a notice listing, per earlier delivery of the deal, the records whose authors
    /// are no longer eligible.
    Create(WithdrawalCreateArgs),
    /// The users a notice would list now, with their reason.
    Pending {
        #[arg(long, value_name = "ID")]
        deal: i64,
        /// Evaluate eligibility at this instant (RFC 3339); default now.
        #[arg(long, value_name = "RFC3339")]
        as_of: Option<String>,
    },
    /// Notices and their status (pending, overdue, acknowledged).
    List {
        #[arg(long, value_name = "ID")]
        deal: Option<i64>,
        #[arg(long)]
        status: Option<String>,
    },
    /// Record the partner's acknowledgement, with their deletion attestation.
    Ack {
        id: i64,
        /// The day the partner acknowledged, YYYY-MM-DD.
        #[arg(long, value_name = "DATE")]
        date: String,
        /// The partner's deletion attestation (kept beside the store, hashed in the log).
        #[arg(long, value_name = "FILE", conflicts_with = "reference")]
        attestation: Option<String>,
        /// A reference to the attestation (a ticket, a letter).
        #[arg(long)]
        reference: Option<String>,
    },
}

#[derive(Args)]
pub(super) struct WithdrawalCreateArgs {
    #[arg(long, value_name = "ID")]
    deal: i64,
    /// Evaluate eligibility at this instant (RFC 3339); default now.
    #[arg(long, value_name = "RFC3339")]
    as_of: Option<String>,
    /// The notice file (FILE.minisig and FILE.sig are written beside it).
    #[arg(long, value_name = "FILE")]
    out: String,
}

impl From<WithdrawalCreateArgs> for NoticeRequest {
    fn from(a: WithdrawalCreateArgs) -> Self {
        NoticeRequest {
            deal_id: DealId(a.deal),
            as_of: a.as_of,
            out: a.out,
        }
    }
}

impl WithdrawalCommand {
    pub(super) fn writes(&self) -> bool {
        match self {
            WithdrawalCommand::Create(_) | WithdrawalCommand::Ack { .. } => true,
            WithdrawalCommand::Pending { .. } | WithdrawalCommand::List { .. } => false,
        }
    }

    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        match self {
            WithdrawalCommand::Create(args) => {
                let r = withdrawal::create(store, Secrets::from_env()?, args.into())?;
                out.value(&r, || {
                    format!(
                        "notice {} (sequence {} of deal {}): {} records of {} users, due {}\n{}\n",
                        r.notice.record.notice_id,
                        r.notice.record.sequence,
                        r.notice.record.deal_id,
                        r.notice.record.record_count,
                        r.notice.record.user_count,
                        r.notice.record.due_date,
                        r.notice.record.file
                    )
                });
            }
            WithdrawalCommand::Pending { deal, as_of } => {
                let users = withdrawal::pending(store, DealId(deal), as_of.as_deref())?;
                out.value(&users, || {
                    table(
                        &["USER", "REASON", "RECORDS"],
                        users.iter().map(|u| {
                            vec![u.user_id.clone(), u.reason.clone(), u.records.to_string()]
                        }),
                    )
                });
            }
            WithdrawalCommand::List { deal, status } => {
                let list = withdrawal::list(store, deal.map(DealId), status.as_deref())?;
                out.value(&list, || {
                    table(
                        &[
                            "ID",
                            "DEAL",
                            "SEQ",
                            "ISSUED",
                            "DUE",
                            "RECORDS",
                            "STATUS",
                            "ACKNOWLEDGED",
                        ],
                        list.iter().map(|n| {
                            vec![
                                n.record.notice_id.to_string(),
                                n.record.deal_id.to_string(),
                                n.record.sequence.to_string(),
                                n.record.issued_at.clone(),
                                n.record.due_date.clone(),
                                n.record.record_count.to_string(),
                                n.status.clone(),
                                n.record.acknowledged_on.clone().unwrap_or_default(),
                            ]
                        }),
                    )
                });
            }
            WithdrawalCommand::Ack {
                id,
                date,
                attestation,
                reference,
            } => {
                let n = withdrawal::acknowledge(
                    store,
                    AckRequest {
                        notice_id: NoticeId(id),
                        date,
                        attestation_file: attestation,
                        reference,
                    },
                )?;
                out.value(&n, || {
                    format!(
                        "notice {} acknowledged on {}\n",
                        n.record.notice_id,
                        n.record.acknowledged_on.as_deref().unwrap_or_default()
                    )
                });
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `consentry exposure --user ID`.
#[derive(Args)]
pub(super) struct ExposureArgs {
    /// The user's id in the registry.
    #[arg(long, value_name = "USER_ID")]
    user: String,
}

impl ExposureArgs {
    pub(super) fn run(self, store: &Store, out: &Output) -> Result<ExitCode> {
        let r = withdrawal::exposure(store, &self.user)?;
        out.value(&r, || {
            let mut text = format!(
                "user {}{}: in {} snapshots, {} deliveries\n",
                r.user_id,
                if r.registered {
                    ""
                } else {
                    " (not in the registry)"
                },
                r.snapshots.len(),
                r.deliveries.len()
            );
            text.push_str(&table(
                &[
                    "DELIVERY",
                    "SEQ",
                    "DEAL",
                    "PARTNER",
                    "SNAPSHOT",
                    "RECORDS",
                    "DELIVERED",
                    "NOTICES",
                ],
                r.deliveries.iter().map(|d| {
                    vec![
                        d.delivery_id.to_string(),
                        d.sequence.to_string(),
                        d.deal_id.to_string(),
                        d.partner_name.clone(),
                        d.snapshot_id.to_string(),
                        d.records.to_string(),
                        d.delivered_at.clone(),
                        d.notices
                            .iter()
                            .map(|n| {
                                format!("#{} {} ({} records)", n.notice_id, n.status, n.records)
                            })
                            .collect::<Vec<_>>()
                            .join(", "),
                    ]
                }),
            ));
            text
        });
        Ok(ExitCode::SUCCESS)
    }
}

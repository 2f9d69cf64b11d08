//! The once-a-day desktop reminder: renewals due within 90 days and withdrawal notices
//! overdue for acknowledgement (the dashboard's figures). Checked at start and every
//! hour; shown at most once per calendar day per store, the day remembered in a small
//! file in the app's data folder. Where the desktop has no notification service (a bare
//! X server), nothing is shown and nothing fails.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use consentry::dashboard::{self, Due};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::AppState;

const CHECK_EVERY: Duration = Duration::from_secs(3600);

/// Starts the hourly check on a thread of its own.
pub fn start(app: AppHandle, key: String) {
    std::thread::spawn(move || loop {
        check(&app, &key);
        std::thread::sleep(CHECK_EVERY);
    });
}

fn check(app: &AppHandle, key: &str) {
    let today = Utc::now().date_naive().to_string();
    let Some(marker) = marker(app, key) else {
        return;
    };
    if std::fs::read_to_string(&marker).is_ok_and(|day| day.trim() == today) {
        return;
    }
    let state = app.state::<AppState>();
    let Ok(store) = state.store.as_ref() else {
        return;
    };
    let Ok(due) = dashboard::due(store, None) else {
        return;
    };
    let Some(body) = message(&due) else {
        return;
    };
    let shown = app
        .notification()
        .builder()
        .title("Consentry")
        .body(body)
        .show();
    if shown.is_ok() {
        let _ = std::fs::write(&marker, today);
    }
}

/// Where the day of the last reminder for this store is kept.
fn marker(app: &AppHandle, key: &str) -> Option<PathBuf> {
    let dir = app.path().app_data_dir().ok()?;
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join(format!("reminded-{key}.txt")))
}

/// What the reminder says, or nothing when nothing is due.
pub(crate) fn message(board: &Due) -> Option<String> {
    let overdue = board
        .notices
        .iter()
        .filter(|n| n.status == "overdue")
        .count();
    let renewals = board.renewals_due.len();
    let mut parts = Vec::new();
    if renewals > 0 {
        let first = &board.renewals_due[0];
        parts.push(if renewals == 1 {
            format!(
                "\u{201c}{}\u{201d} ends in {} days: renew it or let it expire.",
                first.title, first.days_left
            )
        } else {
            format!(
                "{renewals} deals end within 90 days, the first \u{201c}{}\u{201d} in {} days.",
                first.title, first.days_left
            )
        });
    }
    if overdue > 0 {
        parts.push(format!(
            "{overdue} withdrawal {} overdue for the partner's acknowledgement.",
            if overdue == 1 {
                "notice is"
            } else {
                "notices are"
            }
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use consentry::dashboard::{OpenNotice, RenewalDue};
    use consentry::deal::{DealId, DealStatus};

    fn board() -> Due {
        Due::default()
    }

    #[test]
    fn says_nothing_when_nothing_is_due_and_names_what_is() {
        assert_eq!(message(&board()), None);
        let mut b = board();
        b.renewals_due.push(RenewalDue {
            deal_id: DealId(3),
            title: "Search licence".into(),
            partner_name: "Northwind".into(),
            status: DealStatus::Active,
            end_date: "2026-08-01".parse().unwrap(),
            days_left: 32,
        });
        b.notices.push(OpenNotice {
            notice_id: consentry::delivery::NoticeId(1),
            deal_id: DealId(3),
            sequence: 1,
            due_date: "2026-06-01".into(),
            status: "overdue".into(),
        });
        b.notices.push(OpenNotice {
            notice_id: consentry::delivery::NoticeId(2),
            deal_id: DealId(3),
            sequence: 2,
            due_date: "2026-07-30".into(),
            status: "pending".into(),
        });
        assert_eq!(
            message(&b).unwrap(),
            "\u{201c}Search licence\u{201d} ends in 32 days: renew it or let it expire. \
             1 withdrawal notice is overdue for the partner's acknowledgement."
        );
    }
}

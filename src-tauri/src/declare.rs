//! The macro that turns the one declaration of the app's commands (`commands.rs`) into
//! everything that must agree with it:
//! - each `#[tauri::command]` adapter (the core call on a blocking thread), except for
//!   commands marked `raw`, whose adapter is written by hand in `lib.rs` because it needs
//!   the app state or a channel;
//! - [`COMMANDS`], the names, in the order declared;
//! - `handler()`, the invoke handler with exactly those commands;
//! - `typescript()`, the `Commands` type map of `ui/src/commands.ts`: per command, its
//!   arguments as the UI passes them (camelCase) and its response.
//!
//! `build.rs` reads the names from `commands.rs` as text for Tauri's permissions, and the
//! test `the_declaration_the_handler_the_build_script_and_the_capability_agree` checks
//! them against [`COMMANDS`] and the capability.

/// See the module docs. Each line: `name(arg: Type, ...) -> Response => handler;`,
/// where `handler` is a path or closure taking `&Store`; or `name(...) -> Response;`,
/// without a handler, for an adapter written by hand in `lib.rs`.
macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident ( $($arg:ident : $ty:ty),* $(,)? ) -> $resp:ty $(=> $handler:expr)? ;
    )*) => {
        $( commands!(@adapter [$($doc)*] $name ( $($arg : $ty),* ) -> $resp $(=> $handler)?); )*

        /// Every command the app declares, in the order declared.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// The invoke handler for exactly the declared commands.
        pub fn handler<R: tauri::Runtime>(
        ) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
            tauri::generate_handler![$($name),*]
        }

        /// `ui/src/commands.ts`: the `Commands` type map the UI's typed `invoke` uses.
        pub fn typescript() -> String {
            let cfg = ts_rs::Config::new().with_large_int("number");
            let mut out = String::from(
                "// Generated from src-tauri/src/commands.rs by `make bindings`. Do not edit.\n\n",
            );
            out.push_str($crate::declare::IMPORTS);
            out.push_str("\n/** Per command: its arguments as the UI passes them, and its response. */\n");
            out.push_str("export type Commands = {\n");
            $(
                let args: Vec<String> = vec![$(
                    format!(
                        "{}: {}",
                        $crate::declare::camel(stringify!($arg)),
                        <$ty as $crate::declare::TsArg>::ts(&cfg)
                    )
                ),*];
                let args = if args.is_empty() {
                    "Record<string, never>".to_string()
                } else {
                    format!("{{ {} }}", args.join("; "))
                };
                out.push_str(&format!(
                    "  {}: {{ args: {}; response: {} }};\n",
                    stringify!($name),
                    args,
                    $crate::declare::binding(<$resp as ts_rs::TS>::name(&cfg))
                ));
            )*
            out.push_str("};\n");
            out
        }
    };
    (@adapter [$($doc:literal)*] $name:ident ( $($arg:ident : $ty:ty),* ) -> $resp:ty) => {};
    (@adapter [$($doc:literal)*] $name:ident ( $($arg:ident : $ty:ty),* ) -> $resp:ty => $handler:expr) => {
        $(#[doc = $doc])*
        #[tauri::command]
        async fn $name(
            state: tauri::State<'_, $crate::AppState>,
            $($arg: $ty),*
        ) -> $crate::Reply<$resp> {
            $crate::call(state, move |s| ($handler)(s)).await
        }
    };
}

pub(crate) use commands;

/// The types the UI imports from the generated bindings, for the `Commands` map.
pub(crate) const IMPORTS: &str = "import type * as B from './bindings';\n\n\
/** The channel a command streams progress through (the UI passes a Tauri Channel). */\n\
export interface Channel<T> {\n  onmessage: (message: T) => void;\n}\n";

/// The TypeScript type of a command argument: a binding from `./bindings`, or a channel.
/// Implemented per type (no blanket impl, so that `Channel<T>` can have its own): an
/// argument of a new type asks for one line here.
pub(crate) trait TsArg {
    fn ts(cfg: &ts_rs::Config) -> String;
}

macro_rules! ts_arg {
    ($($ty:ty),*) => {$(
        impl TsArg for $ty {
            fn ts(cfg: &ts_rs::Config) -> String {
                binding(<$ty as ts_rs::TS>::name(cfg))
            }
        }
    )*};
}

use consentry::audit::AuditFilter;
use consentry::deal::{DealFilter, DealId, DealInput, DealStatus, RenewInput};
use consentry::delivery::{AckRequest, DeliveryId, DeliveryRequest, NoticeRequest};
use consentry::demo::DemoOptions;
use consentry::finance::{FeeInput, FxRateInput, Grouping, InvoiceId, PaymentInput, ReportRequest};
use consentry::imports::{ImportKind, ImportOptions};
use consentry::partner::{PartnerId, PartnerInput};
use consentry::policy::PolicyInput;
use consentry::snapshot::{BuildRequest, SnapshotId};

ts_arg!(
    AuditFilter,
    DealFilter,
    DealId,
    DealInput,
    DealStatus,
    RenewInput,
    ImportOptions,
    ImportKind,
    PartnerId,
    PartnerInput,
    PolicyInput,
    BuildRequest,
    SnapshotId,
    DeliveryId,
    DeliveryRequest,
    NoticeRequest,
    AckRequest,
    FeeInput,
    InvoiceId,
    PaymentInput,
    Grouping,
    ReportRequest,
    FxRateInput,
    DemoOptions,
    Option<DealId>,
    u32,
    String,
    Option<String>
);

impl<T: ts_rs::TS> TsArg for tauri::ipc::Channel<T> {
    fn ts(cfg: &ts_rs::Config) -> String {
        format!("Channel<{}>", binding(T::name(cfg)))
    }
}

/// A type name as the generated file sees it: the bindings' types through `B.`.
pub(crate) fn binding(name: String) -> String {
    const PLAIN: &[&str] = &["string", "number", "boolean", "null"];
    name.split_inclusive(|c: char| !c.is_alphanumeric() && c != '_')
        .map(|part| {
            let word: String = part
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let starts_upper = word.chars().next().is_some_and(char::is_uppercase);
            if starts_upper && word != "Array" && !PLAIN.contains(&word.as_str()) {
                format!("B.{part}")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// `deal_id` as the UI passes it: `dealId` (Tauri's convention for command arguments).
pub(crate) fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_names_are_camel_case_and_types_come_from_the_bindings() {
        assert_eq!(camel("deal_id"), "dealId");
        assert_eq!(camel("input"), "input");
        assert_eq!(binding("Array<Partner>".into()), "Array<B.Partner>");
        assert_eq!(binding("string | null".into()), "string | null");
        assert_eq!(binding("DealInput".into()), "B.DealInput");
    }
}

//! The store's Ed25519 signing key: made on first use, its secret kept in the OS secret
//! store when one answers and otherwise in a file only the user can read, its public
//! half (and every retired one) in the store so that old deliveries still verify.
//!
//! Where the secret goes is decided once, when the key is made, and recorded with it:
//! - `keyring`: the OS secret store through the `keyring` crate (Secret Service over
//!   D-Bus on Linux, the Keychain on macOS, the Credential Manager on Windows), entry
//!   service `consentry`, user `<store path>#<key id>`;
//! - `file`: `<store file>.keys/<key id>.secret`, mode 0600 in a 0700 folder.
//!
//! [`Secrets::from_env`] reads `CONSENTRY_SECRET_STORE` (`keyring`, `file`, or `auto`,
//! the default: the keyring if it answers a write and a read-back, else the file).

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::error::{Error, Result};
use crate::model::audit::Action;
pub use crate::model::delivery::{KeyReport, SecretStore, SigningKey};
use crate::model::signature::{KeyNumber, KeyPair, PublicKey};
use crate::store::deliveries::KeyRow;
use crate::store::{self, Store};

/// Where a new key's secret may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// The OS secret store if it answers, else the file.
    Auto,
    /// Only the OS secret store; refused if it does not answer.
    Keyring,
    /// Only the file beside the store.
    File,
}

impl Secrets {
    /// The choice `CONSENTRY_SECRET_STORE` makes (default [`Secrets::Auto`]).
    pub fn from_env() -> Result<Secrets> {
        match std::env::var("CONSENTRY_SECRET_STORE").ok().as_deref() {
            None | Some("") | Some("auto") => Ok(Secrets::Auto),
            Some("keyring") => Ok(Secrets::Keyring),
            Some("file") => Ok(Secrets::File),
            Some(other) => Err(Error::invalid(
                "CONSENTRY_SECRET_STORE",
                format!("CONSENTRY_SECRET_STORE is {other:?}: use keyring, file or auto"),
            )),
        }
    }
}

const SERVICE: &str = "consentry";

fn keyring_entry(store: &Store, key_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("{}#{key_id}", store.location()))
        .map_err(|e| keyring_error("cannot name the keyring entry", e))
}

fn keyring_error(what: &str, e: keyring::Error) -> Error {
    Error::Conflict {
        field: None,
        message: format!("{what}: the OS secret store answered: {e}"),
    }
}

fn secret_file(store: &Store, key_id: &str) -> Result<PathBuf> {
    match store.location() {
        ":memory:" => Err(Error::Conflict {
            field: None,
            message: "an in-memory store has no folder to keep a signing key in".to_string(),
        }),
        path => Ok(PathBuf::from(format!("{path}.keys")).join(format!("{key_id}.secret"))),
    }
}

/// Where the secret of `row` is, as `key show` says it.
fn location(store: &Store, row: &KeyRow) -> Result<String> {
    Ok(match row.secret_store {
        SecretStore::Keyring => format!(
            "OS keyring: service {SERVICE}, entry {}#{}",
            store.location(),
            row.key_id
        ),
        SecretStore::File => secret_file(store, &row.key_id)?.display().to_string(),
    })
}

/// Saves a new secret where `choice` allows; where it went.
fn save_secret(store: &Store, choice: Secrets, pair: &KeyPair) -> Result<SecretStore> {
    let id = pair.number.id();
    let text = BASE64.encode(pair.secret.to_bytes());
    if choice != Secrets::File {
        let saved = keyring_entry(store, &id).and_then(|entry| {
            entry
                .set_password(&text)
                .and_then(|()| entry.get_password())
                .map_err(|e| keyring_error("cannot keep the signing key in the OS keyring", e))
        });
        match saved {
            Ok(back) if back == text => return Ok(SecretStore::Keyring),
            Ok(_) if choice == Secrets::Keyring => {
                return Err(Error::Conflict {
                    field: None,
                    message: "the OS keyring did not give back the key it was given".to_string(),
                })
            }
            Err(e) if choice == Secrets::Keyring => return Err(e),
            _ => {}
        }
    }
    write_secret_file(&secret_file(store, &id)?, text.as_bytes())?;
    Ok(SecretStore::File)
}

#[cfg(unix)]
fn write_secret_file(path: &Path, text: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let io = |e| {
        Error::io(
            format!("cannot write the signing key {}", path.display()),
            e,
        )
    };
    let dir = path.parent().expect("a file in a folder");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(io)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    file.write_all(text).map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(not(unix))]
fn write_secret_file(path: &Path, text: &[u8]) -> Result<()> {
    let io = |e| {
        Error::io(
            format!("cannot write the signing key {}", path.display()),
            e,
        )
    };
    std::fs::create_dir_all(path.parent().expect("a file in a folder")).map_err(io)?;
    std::fs::write(path, text).map_err(io)
}

fn forget_secret(store: &Store, row_store: SecretStore, key_id: &str) {
    match row_store {
        SecretStore::Keyring => {
            if let Ok(entry) = keyring_entry(store, key_id) {
                let _ = entry.delete_credential();
            }
        }
        SecretStore::File => {
            if let Ok(path) = secret_file(store, key_id) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

fn load_secret(store: &Store, row: &KeyRow) -> Result<KeyPair> {
    let text = match row.secret_store {
        SecretStore::Keyring => keyring_entry(store, &row.key_id)?
            .get_password()
            .map_err(|e| {
                keyring_error(
                    &format!("cannot read signing key {} from the OS keyring", row.key_id),
                    e,
                )
            })?,
        SecretStore::File => {
            let path = secret_file(store, &row.key_id)?;
            std::fs::read_to_string(&path).map_err(|e| {
                Error::io(format!("cannot read the signing key {}", path.display()), e)
            })?
        }
    };
    let bytes: [u8; 32] = BASE64
        .decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| Error::Conflict {
            field: None,
            message: format!("the secret of signing key {} is damaged", row.key_id),
        })?;
    let number = KeyNumber::parse_id(&row.key_id).expect("stored ids are 16 hex digits");
    let pair = KeyPair::from_secret(number, &bytes);
    if pair.public().minisign() != row.public_key {
        return Err(Error::Conflict {
            field: None,
            message: format!(
                "the secret kept for signing key {} does not match its public key",
                row.key_id
            ),
        });
    }
    Ok(pair)
}

/// The public half of a stored key.
pub(crate) fn public(row: &KeyRow) -> Result<PublicKey> {
    PublicKey::parse(&row.public_key).map_err(|e| Error::Conflict {
        field: None,
        message: format!("signing key {} is damaged in the store: {e}", row.key_id),
    })
}

/// A key as `key show` prints it and the audit log records it (what `audit verify`
/// compares the row with).
pub(crate) fn image(row: &KeyRow) -> Result<SigningKey> {
    let key = public(row)?;
    Ok(SigningKey {
        key_id: row.key_id.clone(),
        minisign: key.minisign(),
        pem: key.pem(),
        secret_store: row.secret_store,
        created_at: row.created_at.clone(),
        retired_at: row.retired_at.clone(),
    })
}

/// Makes a new current key (retiring the current one, if any) in one transaction: the
/// secret is saved first, and forgotten again if the transaction does not commit.
fn make_key(store: &Store, choice: Secrets, action: Action) -> Result<()> {
    let pair = KeyPair::generate();
    let saved_in = save_secret(store, choice, &pair)?;
    let key_id = pair.number.id();
    let result = store.write(|tx| {
        let before = store::deliveries::current_key(tx.conn())?;
        if action == Action::KeyCreated && before.is_some() {
            // Another process made the first key meanwhile: use theirs.
            return Ok(false);
        }
        if let Some(old) = &before {
            store::deliveries::retire_current_key(tx)?;
            let retired = image(&store::deliveries::key(tx.conn(), old.id)?)?;
            tx.audit(
                Action::KeyRetired,
                "signing_key",
                old.id,
                Some(&image(old)?),
                Some(&retired),
            )?;
        }
        let id = store::deliveries::insert_key(tx, &key_id, &pair.public().minisign(), saved_in)?;
        let made = image(&store::deliveries::key(tx.conn(), id)?)?;
        tx.audit(action, "signing_key", id, None, Some(&made))?;
        Ok(true)
    });
    if !matches!(result, Ok(true)) {
        forget_secret(store, saved_in, &key_id);
    }
    result.map(|_| ())
}

fn report(store: &Store, created: bool) -> Result<KeyReport> {
    let rows = store.read(store::deliveries::keys)?;
    let (current, retired) = rows.split_first().ok_or_else(|| Error::NotFound {
        entity: "signing key",
        id: "current".to_string(),
    })?;
    Ok(KeyReport {
        current: image(current)?,
        retired: retired.iter().map(image).collect::<Result<_>>()?,
        secret_location: location(store, current)?,
        created,
    })
}

/// The store's keys; the first use makes the key.
pub fn show(store: &Store, choice: Secrets) -> Result<KeyReport> {
    let created = store.read(store::deliveries::current_key)?.is_none();
    if created {
        make_key(store, choice, Action::KeyCreated)?;
    }
    report(store, created)
}

/// The store's keys without making one: `None` until the first delivery or notice (or
/// `key show`) made the key. Read-only, for screens that show the key.
pub fn existing(store: &Store) -> Result<Option<KeyReport>> {
    if store.read(store::deliveries::current_key)?.is_none() {
        return Ok(None);
    }
    report(store, false).map(Some)
}

/// Replaces the current key with a new one; the old public key is kept, so that what
/// it signed still verifies. Its secret is kept too (it signs nothing new).
pub fn rotate(store: &Store, choice: Secrets) -> Result<KeyReport> {
    make_key(store, choice, Action::KeyRotated)?;
    report(store, true)
}

/// The current key pair, made on first use: what signs.
pub(crate) fn signer(store: &Store, choice: Secrets) -> Result<KeyPair> {
    if store.read(store::deliveries::current_key)?.is_none() {
        make_key(store, choice, Action::KeyCreated)?;
    }
    let row = store
        .read(store::deliveries::current_key)?
        .expect("made above");
    load_secret(store, &row)
}

/// Every public key the store ever signed with, current first.
pub(crate) fn public_keys(store: &Store) -> Result<Vec<PublicKey>> {
    store
        .read(store::deliveries::keys)?
        .iter()
        .map(public)
        .collect()
}

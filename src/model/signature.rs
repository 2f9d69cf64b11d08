//! Ed25519 signatures in the two forms partners verify with standard tools, and the
//! public key in the forms those tools read. Pure: keys and bytes in, text out.
//!
//! - **minisign** (`minisign -Vm FILE -P KEY`): the public key is `RW…`, the base64 of
//!   `"Ed"`, an 8-byte key number and the 32-byte key. A signature file holds the
//!   base64 of `"ED"`, the key number and the Ed25519 signature of the BLAKE2b-512 of the
//!   file (minisign's prehashed form, the one it makes by default), then a trusted
//!   comment and a global signature over the signature and that comment.
//! - **raw Ed25519** (`openssl pkeyutl -verify -pubin -inkey key.pem -rawin -in FILE
//!   -sigfile FILE.sig`): the 64-byte signature of the file itself (RFC 8032 Ed25519,
//!   no prehash); the public key as a PEM SubjectPublicKeyInfo.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use blake2::{Blake2b512, Digest};
use ed25519_dalek::pkcs8::{DecodePublicKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// minisign's 8-byte key number, shown as 16 hex digits (as minisign prints it: the
/// bytes read as a little-endian number).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyNumber(pub [u8; 8]);

impl KeyNumber {
    /// The key id as minisign prints it, e.g. `3C1A0F5E7D2B9A04`.
    pub fn id(self) -> String {
        format!("{:016X}", u64::from_le_bytes(self.0))
    }

    /// Reads an id printed by [`KeyNumber::id`].
    pub fn parse_id(text: &str) -> Option<KeyNumber> {
        if text.len() != 16 {
            return None;
        }
        u64::from_str_radix(text, 16)
            .ok()
            .map(|n| KeyNumber(n.to_le_bytes()))
    }
}

/// A public key with its minisign key number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// Names the key in minisign signatures.
    pub number: KeyNumber,
    /// The Ed25519 key.
    pub key: VerifyingKey,
}

/// A key pair: what signs deliveries and notices.
pub struct KeyPair {
    /// Names the key in minisign signatures.
    pub number: KeyNumber,
    /// The secret half; the public half is derived from it.
    pub secret: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({})", self.number.id())
    }
}

impl KeyPair {
    /// A new key pair from the operating system's random source.
    pub fn generate() -> KeyPair {
        let mut rng = rand_core::OsRng;
        let mut number = [0u8; 8];
        rand_core::RngCore::fill_bytes(&mut rng, &mut number);
        KeyPair {
            number: KeyNumber(number),
            secret: SigningKey::generate(&mut rng),
        }
    }

    /// The key pair of a stored 32-byte secret.
    pub fn from_secret(number: KeyNumber, secret: &[u8; 32]) -> KeyPair {
        KeyPair {
            number,
            secret: SigningKey::from_bytes(secret),
        }
    }

    /// The public half.
    pub fn public(&self) -> PublicKey {
        PublicKey {
            number: self.number,
            key: self.secret.verifying_key(),
        }
    }

    /// The raw Ed25519 signature of `message` (64 bytes): what `openssl pkeyutl -rawin`
    /// verifies.
    pub fn sign_raw(&self, message: &[u8]) -> [u8; 64] {
        self.secret.sign(message).to_bytes()
    }

    /// A minisign signature file for `message`, prehashed; `trusted` is the trusted
    /// comment (one line; minisign prints it after verifying).
    pub fn sign_minisign(&self, message: &[u8], trusted: &str) -> String {
        let signature = self.secret.sign(&Blake2b512::digest(message));
        let mut line = Vec::with_capacity(74);
        line.extend_from_slice(b"ED");
        line.extend_from_slice(&self.number.0);
        line.extend_from_slice(&signature.to_bytes());
        let mut global = signature.to_bytes().to_vec();
        global.extend_from_slice(trusted.as_bytes());
        let global = self.secret.sign(&global);
        format!(
            "untrusted comment: signature from consentry secret key {}\n{}\ntrusted comment: {}\n{}\n",
            self.number.id(),
            BASE64.encode(line),
            trusted,
            BASE64.encode(global.to_bytes())
        )
    }
}

impl PublicKey {
    /// The `RW…` line of a minisign public key (what `minisign -P` takes).
    pub fn minisign(&self) -> String {
        let mut bytes = Vec::with_capacity(42);
        bytes.extend_from_slice(b"Ed");
        bytes.extend_from_slice(&self.number.0);
        bytes.extend_from_slice(self.key.as_bytes());
        BASE64.encode(bytes)
    }

    /// A minisign public key file (`minisign -p FILE`).
    pub fn minisign_file(&self) -> String {
        format!(
            "untrusted comment: minisign public key {}\n{}\n",
            self.number.id(),
            self.minisign()
        )
    }

    /// The key as a PEM SubjectPublicKeyInfo (`openssl pkeyutl -pubin -inkey`).
    pub fn pem(&self) -> String {
        self.key
            .to_public_key_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .expect("an Ed25519 key always encodes")
    }

    /// Reads a public key from a minisign public key file, its `RW…` line alone, or a PEM
    /// (which carries no key number: the number is then all zeros and only the key is
    /// compared).
    pub fn parse(text: &str) -> Result<PublicKey, String> {
        let text = text.trim();
        if text.starts_with("-----BEGIN PUBLIC KEY-----") {
            let key = VerifyingKey::from_public_key_pem(text)
                .map_err(|e| format!("not an Ed25519 public key in PEM: {e}"))?;
            return Ok(PublicKey {
                number: KeyNumber([0; 8]),
                key,
            });
        }
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with("untrusted comment:"))
            .ok_or("empty public key")?;
        let bytes = BASE64
            .decode(line)
            .map_err(|_| "not a minisign public key (bad base64)".to_string())?;
        if bytes.len() != 42 || &bytes[..2] != b"Ed" {
            return Err("not a minisign Ed25519 public key".to_string());
        }
        let key: [u8; 32] = bytes[10..].try_into().expect("32 bytes");
        Ok(PublicKey {
            number: KeyNumber(bytes[2..10].try_into().expect("8 bytes")),
            key: VerifyingKey::from_bytes(&key)
                .map_err(|_| "not a valid Ed25519 public key".to_string())?,
        })
    }

    /// Checks a raw 64-byte Ed25519 signature of `message`.
    pub fn verify_raw(&self, message: &[u8], signature: &[u8]) -> Result<(), String> {
        let signature = Signature::from_slice(signature)
            .map_err(|_| format!("not an Ed25519 signature ({} bytes)", signature.len()))?;
        self.key
            .verify_strict(message, &signature)
            .map_err(|_| "the signature does not match".to_string())
    }

    /// Checks a minisign signature file of `message`; its trusted comment on success.
    pub fn verify_minisign(&self, message: &[u8], file: &str) -> Result<String, String> {
        let parsed = MinisignSignature::parse(file)?;
        if parsed.number != self.number && self.number != KeyNumber([0; 8]) {
            return Err(format!(
                "signed with key {}, not {}",
                parsed.number.id(),
                self.number.id()
            ));
        }
        let signed: Vec<u8> = if parsed.prehashed {
            Blake2b512::digest(message).to_vec()
        } else {
            message.to_vec()
        };
        self.key
            .verify_strict(&signed, &parsed.signature)
            .map_err(|_| "the signature does not match".to_string())?;
        let mut global = parsed.signature.to_bytes().to_vec();
        global.extend_from_slice(parsed.trusted.as_bytes());
        self.key
            .verify_strict(&global, &parsed.global)
            .map_err(|_| "the trusted comment's signature does not match".to_string())?;
        Ok(parsed.trusted)
    }
}

/// A minisign signature file, parsed.
#[derive(Debug)]
pub struct MinisignSignature {
    /// The key that made it.
    pub number: KeyNumber,
    /// `ED` (BLAKE2b-512 of the file signed) rather than the legacy `Ed`.
    pub prehashed: bool,
    signature: Signature,
    /// The trusted comment.
    pub trusted: String,
    global: Signature,
}

impl MinisignSignature {
    /// Parses the four lines of a minisign signature file.
    pub fn parse(file: &str) -> Result<MinisignSignature, String> {
        let mut lines = file.lines();
        let bad = || "not a minisign signature file".to_string();
        let untrusted = lines.next().ok_or_else(bad)?;
        if !untrusted.starts_with("untrusted comment:") {
            return Err(bad());
        }
        let line = BASE64
            .decode(lines.next().ok_or_else(bad)?.trim())
            .map_err(|_| bad())?;
        let trusted = lines
            .next()
            .and_then(|l| l.strip_prefix("trusted comment: "))
            .ok_or_else(bad)?;
        let global = BASE64
            .decode(lines.next().ok_or_else(bad)?.trim())
            .map_err(|_| bad())?;
        if line.len() != 74 {
            return Err(bad());
        }
        let prehashed = match &line[..2] {
            b"ED" => true,
            b"Ed" => false,
            _ => return Err("not an Ed25519 minisign signature".to_string()),
        };
        Ok(MinisignSignature {
            number: KeyNumber(line[2..10].try_into().expect("8 bytes")),
            prehashed,
            signature: Signature::from_slice(&line[10..]).map_err(|_| bad())?,
            trusted: trusted.to_string(),
            global: Signature::from_slice(&global).map_err(|_| bad())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_signed_verifies_and_anything_else_does_not() {
        let pair = KeyPair::generate();
        let public = pair.public();
        let message = b"{\"manifest\": 1}\n";
        let raw = pair.sign_raw(message);
        public.verify_raw(message, &raw).unwrap();
        assert!(public.verify_raw(b"{\"manifest\": 2}\n", &raw).is_err());

        let file = pair.sign_minisign(message, "timestamp:1\tfile:manifest.json");
        assert_eq!(
            public.verify_minisign(message, &file).unwrap(),
            "timestamp:1\tfile:manifest.json"
        );
        assert!(public.verify_minisign(b"other", &file).is_err());
        let forged = file.replace("timestamp:1", "timestamp:2");
        assert!(public.verify_minisign(message, &forged).is_err());
        let other = KeyPair::generate().public();
        assert!(other.verify_minisign(message, &file).is_err());
        assert!(other.verify_raw(message, &raw).is_err());
    }

    #[test]
    fn public_keys_read_back_from_every_form() {
        let public = KeyPair::generate().public();
        assert!(public.minisign().starts_with("RW"));
        assert_eq!(PublicKey::parse(&public.minisign()).unwrap(), public);
        assert_eq!(PublicKey::parse(&public.minisign_file()).unwrap(), public);
        let from_pem = PublicKey::parse(&public.pem()).unwrap();
        assert_eq!(from_pem.key, public.key);
        assert_eq!(
            KeyNumber::parse_id(&public.number.id()),
            Some(public.number)
        );
        assert!(PublicKey::parse("RWQ").is_err());
    }
}

//! Page tokens: HS256 JWTs signed with a keyring, verified strictly.
//!
//! # Format
//!
//! A token is a compact JWS (RFC 7515, RFC 7519) of three base64url parts
//! without padding. Header: `{"typ":"JWT","alg":"HS256","kid":<key id>}`.
//! Claims: `{"app_id","page_id","iat","exp","jti"}`, where `iat` and `exp`
//! are NumericDate seconds read from the injected [`Clock`],
//! `exp = iat + token.ttl`, and `jti` is 128 bits from the operating
//! system's CSPRNG as 32 hex digits. A token is at most 4096 bytes.
//! `token.ttl` and `token.leeway` count in whole seconds (NumericDate's unit).
//! Signing and verifying go through `jsonwebtoken` (HS256 only); this
//! module only decides what to accept.
//!
//! # Keyring and rotation
//!
//! The first key of `token.keys` signs; the others only verify. With no
//! keys configured one random 32-byte key with a random 16-hex-digit `kid`
//! is made (its tokens die with the process). [`TokenService::rotate_key`]
//! makes a new random key the signing key and retires the previous signing
//! key at that second: a retired key still verifies until
//! `retired_at + ttl + leeway` has passed, i.e. for as long as any token it
//! signed can be alive. After that it is refused as
//! [`TokenProblem::RetiredKey`] and [`TokenService::drop_retired_keys`]
//! removes it; the last 64 dropped `kid`s are remembered so that their
//! tokens keep being refused as `RetiredKey`, not `UnknownKey`. Configured
//! verify-only keys are never retired. The keyring sits behind one
//! `RwLock`, held only inside one method; a poisoned lock is recovered
//! (no change to the ring can panic halfway: they are a swap and an insert,
//! or one `retain`, so the ring is whole whatever panicked).
//!
//! # Verification order (op `verify_token`)
//!
//! Cheap structural checks come first and nothing of the claims is read
//! before the signature verified:
//!
//! 1. longer than 4096 bytes: `TooLong`;
//! 2. not exactly three `.`-separated parts, a part that is not base64url
//!    without padding (canonical), or a header that is not a JSON object:
//!    `Malformed`. All three parts are checked here, so bad base64 anywhere
//!    is always `Malformed`, never `Signature`;
//! 3. `alg` not exactly the string `"HS256"` (`none` in any case, `HS384`,
//!    `RS256`, missing, a number): `Algorithm`;
//! 4. no `kid`: `MissingKeyId`; a `kid` that is not a string or not a valid
//!    id (1 to 64 of `A-Z a-z 0-9 - _ .`): `BadKeyId`; a dropped or overdue
//!    retired key: `RetiredKey`; not in the ring: `UnknownKey`. A header
//!    `jsonwebtoken` would not read (a mistyped registered field, `crit`,
//!    `b64: false`) is `Malformed`;
//! 5. `jsonwebtoken::decode` with the key: a bad signature is `Signature`;
//!    claims that do not deserialize into the strict claim struct (all of
//!    `app_id`, `page_id`, `iat`, `exp`, `jti` present with their types,
//!    optional `nbf` a number, nothing else) or ids that are not valid ids:
//!    `Claims`;
//! 6. with `now` from the clock in seconds and the configured leeway:
//!    `now > exp + leeway` is [`Error::TokenExpired`]; `nbf` or `iat`
//!    beyond `now + leeway` is `NotYetValid`;
//! 7. `app_id` not this application's: [`Error::InvalidApplication`].
//!
//! # Why `jsonwebtoken`'s own claim checks are off
//!
//! Its time checks read the system clock (not the injectable [`Clock`], so
//! expiry and retirement could not be tested or kept consistent with each
//! other), and they have been wrong before: CVE-2026-25537, an `exp` or
//! `nbf` of the wrong type (e.g. a string) was treated as absent, so such a
//! token never expired. Here every claim is deserialized into a struct with
//! plain `u64` times, so a mistyped or missing `exp` cannot be read at all
//! and is refused as `Claims`; the time comparisons are ours.
//!
//! Neither errors nor `Debug` output ever contain a token or a secret.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind as JwtErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::clock::Clock;
use super::config::{check_id, is_valid_id, TokenConfig, MAX_ID_LEN};
use crate::error::{Error, TokenProblem};

/// Longest token accepted, in bytes.
pub(crate) const MAX_TOKEN_LEN: usize = 4096;

/// How many dropped key ids are remembered (to answer `RetiredKey`).
const REMEMBERED_DROPPED_KEYS: usize = 64;

/// Bytes of a random key (the HS256 output size, RFC 7518 §3.2).
const RANDOM_KEY_BYTES: usize = 32;

/// Random bytes of a generated `kid` (16 hex digits).
const RANDOM_KID_BYTES: usize = 8;

/// Random bytes of a `jti` (128 bits, 32 hex digits).
const JTI_BYTES: usize = 16;

const OP_VERIFY: &str = "verify_token";
const OP_ISSUE: &str = "issue_token";

/// The claims of a page token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Claims {
    pub app_id: String,
    pub page_id: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
}

/// The claims as they are on the wire. Strict on purpose (see the module
/// doc): plain `u64` times so that `"exp": "…"` or a missing `exp` cannot be
/// read, and no unknown claims, so nothing is silently ignored.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireClaims {
    app_id: String,
    page_id: String,
    iat: u64,
    exp: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nbf: Option<u64>,
    jti: String,
}

/// One key: its id and its secret, held only inside `jsonwebtoken`'s key
/// types (which redact themselves in `Debug` and zeroize on drop). No
/// `Debug` here, so it cannot be printed by accident.
struct Key {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl Key {
    fn new(kid: String, secret: &[u8]) -> Option<Key> {
        Some(Key {
            kid,
            encoding: EncodingKey::from_secret(secret).ok()?,
            decoding: DecodingKey::from_secret(secret).ok()?,
        })
    }

    /// A random key with a random kid; the error says why not (never a
    /// secret).
    fn random() -> Result<Key, String> {
        let kid = random_hex(RANDOM_KID_BYTES).map_err(|e| e.to_string())?;
        let mut secret = [0u8; RANDOM_KEY_BYTES];
        getrandom::fill(&mut secret).map_err(|e| e.to_string())?;
        let key = Key::new(kid, &secret);
        secret.fill(0);
        key.ok_or_else(|| "the random secret was refused as an HS256 key".to_string())
    }
}

/// A key that only verifies.
struct VerifyOnly {
    key: Arc<Key>,
    /// Unix second at which a rotation took signing away from it; `None`
    /// for a configured verify-only key (never retired).
    retired_at: Option<u64>,
}

struct Ring {
    signing: Arc<Key>,
    /// Newest first: a rotation pushes the previous signing key to the front.
    verify_only: Vec<VerifyOnly>,
    /// Kids of dropped keys, oldest first, at most `REMEMBERED_DROPPED_KEYS`.
    dropped: VecDeque<String>,
}

impl Ring {
    fn holds(&self, kid: &str) -> bool {
        self.signing.kid == kid
            || self.verify_only.iter().any(|v| v.key.kid == kid)
            || self.dropped.iter().any(|d| d == kid)
    }
}

/// Outcome of looking a kid up in the ring.
enum Lookup {
    Found(Arc<Key>),
    Retired,
    Unknown,
}

/// Issues and verifies the page tokens of one application.
pub(crate) struct TokenService {
    app_id: String,
    ttl_secs: u64,
    leeway_secs: u64,
    clock: Arc<dyn Clock>,
    ring: RwLock<Ring>,
    /// Signature only: HS256, no time, audience or required-claim checks
    /// (ours are stricter; see the module doc).
    validation: Validation,
}

impl fmt::Debug for TokenService {
    // By hand: kids are not secret, keys are never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenService")
            .field("app_id", &self.app_id)
            .field("ttl_secs", &self.ttl_secs)
            .field("leeway_secs", &self.leeway_secs)
            .field("key_ids", &self.key_ids())
            .finish_non_exhaustive()
    }
}

impl TokenService {
    pub(crate) fn new(
        config: &TokenConfig,
        app_id: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        // jsonwebtoken panics at first use without exactly one crypto
        // backend (feature unification could enable a second); refuse here.
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            return Err(Error::config(
                "token",
                "jsonwebtoken has no crypto provider: exactly one of its features \
                 `rust_crypto`, `aws_lc_rs` must be enabled",
            ));
        }
        check_id("application.id", app_id)?;
        let ttl_secs = config.ttl.as_secs();
        let mut keys: Vec<Key> = Vec::with_capacity(config.keys.len());
        for (i, (kid, secret)) in config.keyring()?.into_iter().enumerate() {
            let key = Key::new(kid.to_string(), &secret).ok_or_else(|| {
                Error::config(
                    format!("token.keys[{i}].secret_hex"),
                    "is not usable as an HS256 key",
                )
            })?;
            keys.push(key);
        }
        let mut keys = keys.into_iter();
        let signing = match keys.next() {
            Some(k) => k,
            None => Key::random().map_err(|e| {
                Error::config(
                    "token.keys",
                    format!("is empty and no random key could be made: {e}"),
                )
            })?,
        };
        let ring = Ring {
            signing: Arc::new(signing),
            verify_only: keys
                .map(|k| VerifyOnly {
                    key: Arc::new(k),
                    retired_at: None,
                })
                .collect(),
            dropped: VecDeque::new(),
        };

        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::new();
        validation.leeway = 0;
        validation.reject_tokens_expiring_in_less_than = 0;

        Ok(TokenService {
            app_id: app_id.to_string(),
            ttl_secs,
            leeway_secs: config.leeway.as_secs(),
            clock,
            ring: RwLock::new(ring),
            validation,
        })
    }

    /// A signed token for `page_id`, and its claims.
    pub(crate) fn issue(&self, page_id: &str) -> Result<(String, Claims), Error> {
        if !is_valid_id(page_id) {
            return Err(Error::DataInvalid {
                op: OP_ISSUE,
                message: format!("a page id must be 1 to {MAX_ID_LEN} of A-Z a-z 0-9 - _ ."),
            });
        }
        let jti = random_hex(JTI_BYTES).map_err(|e| Error::DataInvalid {
            op: OP_ISSUE,
            message: format!("no random token id could be drawn: {e}"),
        })?;
        // The clock is read under the lock, so that a token's `iat` is never
        // after the `retired_at` of the key that signed it.
        let (key, iat) = self.with_ring(|ring| (Arc::clone(&ring.signing), self.now_secs()));
        let wire = WireClaims {
            app_id: self.app_id.clone(),
            page_id: page_id.to_string(),
            iat,
            exp: iat.saturating_add(self.ttl_secs),
            nbf: None,
            jti,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        let token = jsonwebtoken::encode(&header, &wire, &key.encoding).map_err(|_| {
            Error::DataInvalid {
                op: OP_ISSUE,
                message: "signing the token failed".to_string(),
            }
        })?;
        let claims = Claims {
            app_id: wire.app_id,
            page_id: wire.page_id,
            iat: wire.iat,
            exp: wire.exp,
            jti: wire.jti,
        };
        Ok((token, claims))
    }

    /// The claims of `token` if it is valid now; see the module doc for the
    /// order of the checks and the error of each.
    pub(crate) fn verify(&self, token: &str) -> Result<Claims, Error> {
        let invalid = |problem| Error::TokenInvalid {
            op: OP_VERIFY,
            problem,
        };
        // 1. Bounded work for whatever is sent.
        if token.len() > MAX_TOKEN_LEN {
            return Err(invalid(TokenProblem::TooLong));
        }
        // 2. Shape.
        let (header_bytes, header) =
            parse_shape(token).ok_or_else(|| invalid(TokenProblem::Malformed))?;
        // 3. The algorithm is ours to choose, never the token's.
        match header.get("alg") {
            Some(Value::String(alg)) if alg == "HS256" => {}
            _ => return Err(invalid(TokenProblem::Algorithm)),
        }
        // 4. The key.
        let kid = match header.get("kid") {
            None => return Err(invalid(TokenProblem::MissingKeyId)),
            Some(Value::String(kid)) if is_valid_id(kid) => kid.as_str(),
            Some(_) => return Err(invalid(TokenProblem::BadKeyId)),
        };
        let now = self.now_secs();
        let key = match self.lookup(kid, now) {
            Lookup::Found(key) => key,
            Lookup::Retired => return Err(invalid(TokenProblem::RetiredKey)),
            Lookup::Unknown => return Err(invalid(TokenProblem::UnknownKey)),
        };
        // jsonwebtoken parses the header again into its `Header`; do it
        // here first, so that a JSON error out of `decode` can only be
        // about the claims.
        if serde_json::from_slice::<Header>(&header_bytes).is_err() {
            return Err(invalid(TokenProblem::Malformed));
        }
        // 5. Signature, then the strict claims.
        let wire = jsonwebtoken::decode::<WireClaims>(token, &key.decoding, &self.validation)
            .map_err(|e| invalid(problem_of(e.kind())))?
            .claims;
        if !is_valid_id(&wire.app_id) || !is_valid_id(&wire.page_id) || !is_valid_id(&wire.jti) {
            return Err(invalid(TokenProblem::Claims));
        }
        // 6. Time, by our clock.
        let leeway = self.leeway_secs;
        if now > wire.exp.saturating_add(leeway) {
            return Err(Error::TokenExpired {
                op: OP_VERIFY,
                expired_at: wire.exp,
            });
        }
        let latest = now.saturating_add(leeway);
        if wire.iat > latest || wire.nbf.is_some_and(|nbf| nbf > latest) {
            return Err(invalid(TokenProblem::NotYetValid));
        }
        // 7. Ours, or another application's (sharing the keyring).
        if wire.app_id != self.app_id {
            return Err(Error::InvalidApplication { op: OP_VERIFY });
        }
        Ok(Claims {
            app_id: wire.app_id,
            page_id: wire.page_id,
            iat: wire.iat,
            exp: wire.exp,
            jti: wire.jti,
        })
    }

    /// Makes a new random key the signing key and retires the previous one
    /// now; returns the new kid. Should the operating system's random
    /// source fail (it does not, once booted), the keyring is left as it
    /// is, the failure is logged, and the current signing kid is returned.
    pub(crate) fn rotate_key(&self) -> String {
        self.with_ring_mut(|ring| {
            let now = self.now_secs();
            // A kid is 64 random bits: a clash is next to impossible, but a
            // reused kid would make a key unverifiable, so draw again.
            for _ in 0..4 {
                match Key::random() {
                    Ok(key) if !ring.holds(&key.kid) => {
                        let kid = key.kid.clone();
                        let previous = std::mem::replace(&mut ring.signing, Arc::new(key));
                        ring.verify_only.insert(
                            0,
                            VerifyOnly {
                                key: previous,
                                retired_at: Some(now),
                            },
                        );
                        return kid;
                    }
                    Ok(_) => continue,
                    Err(e) => {
                        tracing::error!(
                            error = %e,
                            "token key rotation failed (no random key); the signing key stays"
                        );
                        break;
                    }
                }
            }
            ring.signing.kid.clone()
        })
    }

    /// Drops the retired keys whose tokens have all expired
    /// (`retired_at + ttl + leeway` has passed); returns how many.
    pub(crate) fn drop_retired_keys(&self) -> usize {
        self.with_ring_mut(|ring| {
            let now = self.now_secs();
            let mut dropped = Vec::new();
            ring.verify_only.retain(|v| {
                let gone = v.retired_at.is_some_and(|r| self.retirement_over(r, now));
                if gone {
                    dropped.push(v.key.kid.clone());
                }
                !gone
            });
            let count = dropped.len();
            // `verify_only` is newest first; remember oldest first so that the
            // bound forgets the oldest.
            for kid in dropped.into_iter().rev() {
                if ring.dropped.len() == REMEMBERED_DROPPED_KEYS {
                    ring.dropped.pop_front();
                }
                ring.dropped.push_back(kid);
            }
            count
        })
    }

    /// The kids held, the signing key's first.
    pub(crate) fn key_ids(&self) -> Vec<String> {
        self.with_ring(|ring| {
            std::iter::once(&ring.signing)
                .chain(ring.verify_only.iter().map(|v| &v.key))
                .map(|k| k.kid.clone())
                .collect()
        })
    }

    fn lookup(&self, kid: &str, now: u64) -> Lookup {
        self.with_ring(|ring| {
            if ring.dropped.iter().any(|d| d == kid) {
                return Lookup::Retired;
            }
            if ring.signing.kid == kid {
                return Lookup::Found(Arc::clone(&ring.signing));
            }
            match ring.verify_only.iter().find(|v| v.key.kid == kid) {
                // Overdue but not dropped yet: refused the same, so that the
                // answer does not depend on when the cleanup ran.
                Some(v) if v.retired_at.is_some_and(|r| self.retirement_over(r, now)) => {
                    Lookup::Retired
                }
                Some(v) => Lookup::Found(Arc::clone(&v.key)),
                None => Lookup::Unknown,
            }
        })
    }

    /// True once every token a key retired at `retired_at` signed has
    /// expired: their `iat` is at most `retired_at`, so their `exp` at most
    /// `retired_at + ttl`, refused once `now > exp + leeway`.
    fn retirement_over(&self, retired_at: u64, now: u64) -> bool {
        now > retired_at
            .saturating_add(self.ttl_secs)
            .saturating_add(self.leeway_secs)
    }

    fn now_secs(&self) -> u64 {
        self.clock.now_ms() / 1000
    }

    /// Runs `f` under the read lock (recovering a poisoned lock: the ring
    /// is whole after every change, see the module doc).
    fn with_ring<R>(&self, f: impl FnOnce(&Ring) -> R) -> R {
        let ring = self.ring.read().unwrap_or_else(PoisonError::into_inner);
        f(&ring)
    }

    /// Runs `f` under the write lock (recovering a poisoned lock).
    fn with_ring_mut<R>(&self, f: impl FnOnce(&mut Ring) -> R) -> R {
        let mut ring = self.ring.write().unwrap_or_else(PoisonError::into_inner);
        f(&mut ring)
    }
}

/// Step 2: three parts, each canonical base64url without padding, the
/// header a JSON object. Returns the header's bytes and its object.
fn parse_shape(token: &str) -> Option<(Vec<u8>, Map<String, Value>)> {
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header_bytes = URL_SAFE_NO_PAD.decode(header).ok()?;
    URL_SAFE_NO_PAD.decode(payload).ok()?;
    URL_SAFE_NO_PAD.decode(signature).ok()?;
    match serde_json::from_slice::<Value>(&header_bytes).ok()? {
        Value::Object(map) => Some((header_bytes, map)),
        _ => None,
    }
}

/// The problem a `jsonwebtoken::decode` error stands for, once steps 1 to 4
/// passed. Its `Json` errors are the claims' (the header was read before);
/// `InvalidToken` is its own header check (`crit`, `b64`).
fn problem_of(kind: &JwtErrorKind) -> TokenProblem {
    match kind {
        JwtErrorKind::InvalidSignature => TokenProblem::Signature,
        JwtErrorKind::Json(_)
        | JwtErrorKind::InvalidClaimFormat(_)
        | JwtErrorKind::MissingRequiredClaim(_) => TokenProblem::Claims,
        JwtErrorKind::InvalidAlgorithm
        | JwtErrorKind::MissingAlgorithm
        | JwtErrorKind::UnsupportedAlgorithm => TokenProblem::Algorithm,
        JwtErrorKind::InvalidToken | JwtErrorKind::Base64(_) | JwtErrorKind::Utf8(_) => {
            TokenProblem::Malformed
        }
        // Key or provider trouble: the signature could not be verified.
        _ => TokenProblem::Signature,
    }
}

/// `n` random bytes from the operating system as lowercase hex.
fn random_hex(n: usize) -> Result<String, getrandom::Error> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf)?;
    Ok(to_hex(&buf))
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use crate::app::config::decode_secret;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    use std::time::{Duration, UNIX_EPOCH};

    use proptest::prelude::*;
    use serde_json::json;

    use super::*;
    use crate::app::clock::ManualClock;
    use crate::app::config::KeyConfig;

    const APP: &str = "app-1";
    const KID: &str = "k2026";
    /// 32 bytes, distinctive enough to be searched for in output.
    const SECRET_HEX: &str = "5ec7e75ec7e7a11ce5ec7e75ec7e7a11ce5ec7e75ec7e7a11ce5ec7e75ec7e7a";
    const OTHER_SECRET_HEX: &str =
        "0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de";
    const T0: u64 = 1_800_000_000;
    const TTL: u64 = 3600;
    const LEEWAY: u64 = 5;
    const JTI: &str = "00112233445566778899aabbccddeeff";

    fn clock() -> Arc<ManualClock> {
        Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0)))
    }

    fn config(keys: &[(&str, &str)]) -> TokenConfig {
        TokenConfig {
            ttl: Duration::from_secs(TTL),
            nonce_window: Duration::from_secs(60),
            leeway: Duration::from_secs(LEEWAY),
            keys: keys
                .iter()
                .map(|(id, hex)| KeyConfig {
                    id: (*id).to_string(),
                    secret_hex: (*hex).to_string(),
                })
                .collect(),
        }
    }

    fn service_with(keys: &[(&str, &str)], app: &str, clock: &Arc<ManualClock>) -> TokenService {
        TokenService::new(&config(keys), app, Arc::clone(clock) as Arc<dyn Clock>).unwrap()
    }

    /// The service under attack: app `APP`, one known key `KID`.
    fn service() -> (TokenService, Arc<ManualClock>) {
        let c = clock();
        (service_with(&[(KID, SECRET_HEX)], APP, &c), c)
    }

    fn secret(hex: &str) -> Vec<u8> {
        decode_secret("test", hex).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn problem(r: Result<Claims, Error>) -> TokenProblem {
        match r {
            Err(Error::TokenInvalid { op, problem }) => {
                assert_eq!(op, "verify_token");
                problem
            }
            other => panic!("expected TokenInvalid, got {other:?}"),
        }
    }

    /// Claims that pass every check of `service()` at `T0`.
    fn good_claims() -> Value {
        json!({"app_id": APP, "page_id": "page-1", "iat": T0, "exp": T0 + TTL, "jti": JTI})
    }

    /// Correctly signed with `alg`, `kid` and the secret: only the claim
    /// (or header) checks are under test.
    fn sign(alg: Algorithm, kid: Option<&str>, secret_hex: &str, claims: &Value) -> String {
        let mut header = Header::new(alg);
        header.kid = kid.map(str::to_string);
        let key = EncodingKey::from_secret(&secret(secret_hex)).unwrap();
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    fn forge(claims: &Value) -> String {
        sign(Algorithm::HS256, Some(KID), SECRET_HEX, claims)
    }

    /// Assembled by hand: any header, any signature text.
    fn raw(header: &Value, claims: &Value, signature: &str) -> String {
        format!(
            "{}.{}.{signature}",
            b64(header.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        )
    }

    fn parts(token: &str) -> Vec<String> {
        token.split('.').map(str::to_string).collect()
    }

    /// `s` with its byte at `i` replaced by another base64url character.
    fn replace_at(s: &str, i: usize) -> String {
        let mut b = s.as_bytes().to_vec();
        b[i] = if b[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn rfc7515_a1_vector_verifies_with_the_compiled_backend() {
        let token = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9\
            .eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ\
            .dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let k = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
        let key = DecodingKey::from_secret(&URL_SAFE_NO_PAD.decode(k).unwrap()).unwrap();
        let mut v = Validation::new(Algorithm::HS256);
        v.validate_exp = false;
        v.validate_aud = false;
        v.required_spec_claims = HashSet::new();
        let data = jsonwebtoken::decode::<Value>(token, &key, &v).unwrap();
        assert_eq!(data.claims["iss"], "joe");
        assert_eq!(data.claims["exp"], 1_300_819_380);

        // One signature character changed: refused.
        let p = parts(token);
        let flipped = format!("{}.{}.{}", p[0], p[1], replace_at(&p[2], 10));
        let e = jsonwebtoken::decode::<Value>(&flipped, &key, &v).unwrap_err();
        assert_eq!(e.kind(), &JwtErrorKind::InvalidSignature);
    }

    #[test]
    fn issue_then_verify_round_trips() {
        let (svc, _) = service();
        let (token, claims) = svc.issue("page-1").unwrap();
        assert_eq!(
            claims,
            Claims {
                app_id: APP.into(),
                page_id: "page-1".into(),
                iat: T0,
                exp: T0 + TTL,
                jti: claims.jti.clone(),
            }
        );
        assert_eq!(claims.jti.len(), 32);
        assert!(claims
            .jti
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(svc.verify(&token).unwrap(), claims);

        let (token2, claims2) = svc.issue("page-1").unwrap();
        assert_ne!(claims.jti, claims2.jti);
        assert_ne!(token, token2);
        assert_eq!(svc.verify(&token2).unwrap(), claims2);
    }

    #[test]
    fn wire_format_is_the_contract() {
        let (svc, _) = service();
        let (token, claims) = svc.issue("p").unwrap();
        let p = parts(&token);
        assert_eq!(p.len(), 3);
        let header: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&p[0]).unwrap()).unwrap();
        assert_eq!(header, json!({"typ": "JWT", "alg": "HS256", "kid": KID}));
        let body: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&p[1]).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"app_id": APP, "page_id": "p", "iat": T0, "exp": T0 + TTL, "jti": claims.jti})
        );
        // HMAC-SHA256: 32 bytes.
        assert_eq!(URL_SAFE_NO_PAD.decode(&p[2]).unwrap().len(), 32);
    }

    #[test]
    fn keyring_from_config_and_random() {
        let c = clock();
        let svc = service_with(&[("new", SECRET_HEX), ("old", OTHER_SECRET_HEX)], APP, &c);
        assert_eq!(svc.key_ids(), ["new", "old"]);
        let (token, _) = svc.issue("p").unwrap();
        assert_eq!(
            parts(&token)[0],
            parts(&sign(
                Algorithm::HS256,
                Some("new"),
                SECRET_HEX,
                &good_claims()
            ))[0]
        );
        // The second key verifies only.
        let old = sign(
            Algorithm::HS256,
            Some("old"),
            OTHER_SECRET_HEX,
            &good_claims(),
        );
        assert_eq!(svc.verify(&old).unwrap().page_id, "page-1");

        // No keys: one random key with a 16-hex-digit kid.
        let random = service_with(&[], APP, &c);
        let ids = random.key_ids();
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0].len(), 16);
        assert!(ids[0].bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(ids, service_with(&[], APP, &c).key_ids());
        let (t, claims) = random.issue("p").unwrap();
        assert_eq!(random.verify(&t).unwrap(), claims);
    }

    #[test]
    fn bad_configuration_is_refused_without_the_secret() {
        let c = || Arc::new(ManualClock::starting_now()) as Arc<dyn Clock>;
        let field = |r: Result<TokenService, Error>| match r {
            Err(e @ Error::ConfigInvalid { .. }) => {
                assert!(!e.to_string().contains(SECRET_HEX), "{e}");
                assert!(!format!("{e:?}").contains(&SECRET_HEX[..31]), "{e:?}");
                match e {
                    Error::ConfigInvalid { field, .. } => field,
                    _ => unreachable!(),
                }
            }
            other => panic!("expected ConfigInvalid, got {other:?}"),
        };
        let short = &SECRET_HEX[..62];
        assert_eq!(
            field(TokenService::new(&config(&[("k", short)]), APP, c())),
            "token.keys[0].secret_hex"
        );
        assert_eq!(
            field(TokenService::new(
                &config(&[("k", SECRET_HEX), ("j", "zz")]),
                APP,
                c()
            )),
            "token.keys[1].secret_hex"
        );
        assert_eq!(
            field(TokenService::new(
                &config(&[("../k", SECRET_HEX)]),
                APP,
                c()
            )),
            "token.keys[0].id"
        );
        assert_eq!(
            field(TokenService::new(
                &config(&[("k", SECRET_HEX), ("k", SECRET_HEX)]),
                APP,
                c()
            )),
            "token.keys[1].id"
        );
        assert_eq!(
            field(TokenService::new(&config(&[]), "", c())),
            "application.id"
        );
        let mut zero = config(&[]);
        zero.ttl = Duration::from_millis(500);
        assert_eq!(field(TokenService::new(&zero, APP, c())), "token.ttl");
    }

    #[test]
    fn issue_refuses_a_bad_page_id() {
        let (svc, _) = service();
        for id in ["", "../x", "a b", &"p".repeat(65)] {
            assert!(
                matches!(
                    svc.issue(id),
                    Err(Error::DataInvalid {
                        op: "issue_token",
                        ..
                    })
                ),
                "{id}"
            );
        }
    }

    /// Every structural and header attack, each with its specific problem.
    #[test]
    fn attack_table() {
        let (svc, _) = service();
        let good = forge(&good_claims());
        assert!(svc.verify(&good).is_ok());
        let p = parts(&good);
        let sig = p[2].as_str();
        let hs = |kid: &str| json!({"typ": "JWT", "alg": "HS256", "kid": kid});

        let mut cases: Vec<(String, String, TokenProblem)> = Vec::new();
        let mut case =
            |name: &str, token: String, want| cases.push((name.to_string(), token, want));

        for alg in ["none", "None", "NONE", "nOnE", "noNe"] {
            for s in ["", sig] {
                let h = json!({"typ": "JWT", "alg": alg, "kid": KID});
                case(
                    &format!("alg {alg} sig {s:?}"),
                    raw(&h, &good_claims(), s),
                    TokenProblem::Algorithm,
                );
            }
            // Without a kid too: the algorithm is checked first.
            case(
                &format!("alg {alg} no kid"),
                raw(&json!({"alg": alg}), &good_claims(), ""),
                TokenProblem::Algorithm,
            );
        }
        case(
            "HS384 signed with the key",
            sign(Algorithm::HS384, Some(KID), SECRET_HEX, &good_claims()),
            TokenProblem::Algorithm,
        );
        case(
            "HS512 signed with the key",
            sign(Algorithm::HS512, Some(KID), SECRET_HEX, &good_claims()),
            TokenProblem::Algorithm,
        );
        case(
            "RS256 header",
            raw(
                &json!({"typ": "JWT", "alg": "RS256", "kid": KID}),
                &good_claims(),
                sig,
            ),
            TokenProblem::Algorithm,
        );
        case(
            "alg missing",
            raw(&json!({"typ": "JWT", "kid": KID}), &good_claims(), sig),
            TokenProblem::Algorithm,
        );
        case(
            "alg number",
            raw(&json!({"alg": 256, "kid": KID}), &good_claims(), sig),
            TokenProblem::Algorithm,
        );
        case(
            "alg null",
            raw(&json!({"alg": null, "kid": KID}), &good_claims(), sig),
            TokenProblem::Algorithm,
        );
        case(
            "alg hs256",
            raw(&json!({"alg": "hs256", "kid": KID}), &good_claims(), sig),
            TokenProblem::Algorithm,
        );
        case(
            "alg array",
            raw(&json!({"alg": ["HS256"], "kid": KID}), &good_claims(), sig),
            TokenProblem::Algorithm,
        );

        // Tampering (still valid base64url, so the signature is what fails).
        case(
            "payload byte",
            format!("{}.{}.{}", p[0], replace_at(&p[1], 7), p[2]),
            TokenProblem::Signature,
        );
        case(
            "signature byte",
            format!("{}.{}.{}", p[0], p[1], replace_at(&p[2], 10)),
            TokenProblem::Signature,
        );
        case(
            "signature emptied",
            format!("{}.{}.", p[0], p[1]),
            TokenProblem::Signature,
        );
        case(
            "signature truncated",
            format!("{}.{}.{}", p[0], p[1], &p[2][..40]),
            TokenProblem::Signature,
        );
        case(
            "claims of another token, this signature",
            format!(
                "{}.{}.{}",
                p[0],
                parts(&forge(
                    &json!({"app_id": APP, "page_id": "admin", "iat": T0, "exp": T0 + TTL, "jti": JTI})
                ))[1],
                p[2]
            ),
            TokenProblem::Signature,
        );
        case(
            "same kid, other secret",
            sign(
                Algorithm::HS256,
                Some(KID),
                OTHER_SECRET_HEX,
                &good_claims(),
            ),
            TokenProblem::Signature,
        );

        // Shape.
        case("empty", String::new(), TokenProblem::Malformed);
        case(
            "2 parts",
            format!("{}.{}", p[0], p[1]),
            TokenProblem::Malformed,
        );
        case("4 parts", format!("{good}.{sig}"), TokenProblem::Malformed);
        case("dots only", "..".into(), TokenProblem::Malformed);
        case(
            "header padded",
            format!("{}=.{}.{}", p[0], p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "header std base64",
            format!("{}+.{}.{}", p[0], p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "payload bad char",
            format!("{}.{}*.{}", p[0], p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "payload padded",
            format!("{}.{}==.{}", p[0], p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "signature bad char",
            format!("{}.{}.{}/", p[0], p[1], &p[2][..42]),
            TokenProblem::Malformed,
        );
        // 43 + 2 = 45 characters: 4k + 1 is no base64 length.
        case(
            "signature impossible length",
            format!("{}.{}.{}AA", p[0], p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "signature 33 bytes",
            format!("{}.{}.{}A", p[0], p[1], p[2]),
            TokenProblem::Signature,
        );
        case(
            "header not JSON",
            format!("{}.{}.{}", b64(b"{alg"), p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "header an array",
            format!("{}.{}.{}", b64(b"[\"HS256\"]"), p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "header a string",
            format!("{}.{}.{}", b64(b"\"HS256\""), p[1], p[2]),
            TokenProblem::Malformed,
        );
        case(
            "typ a number",
            raw(
                &json!({"typ": 1, "alg": "HS256", "kid": KID}),
                &good_claims(),
                sig,
            ),
            TokenProblem::Malformed,
        );
        case(
            "crit header (signed)",
            {
                let mut h = Header::new(Algorithm::HS256);
                h.kid = Some(KID.into());
                h.crit = Some(vec!["exp".into()]);
                let key = EncodingKey::from_secret(&secret(SECRET_HEX)).unwrap();
                jsonwebtoken::encode(&h, &good_claims(), &key).unwrap()
            },
            TokenProblem::Malformed,
        );

        // Key ids.
        case(
            "kid missing",
            sign(Algorithm::HS256, None, SECRET_HEX, &good_claims()),
            TokenProblem::MissingKeyId,
        );
        case(
            "kid unknown",
            sign(Algorithm::HS256, Some("k2025"), SECRET_HEX, &good_claims()),
            TokenProblem::UnknownKey,
        );
        let k64 = "k".repeat(64);
        case(
            "kid 64 chars, unknown",
            sign(Algorithm::HS256, Some(&k64), SECRET_HEX, &good_claims()),
            TokenProblem::UnknownKey,
        );
        let k65 = "k".repeat(65);
        case(
            "kid 65 chars",
            sign(Algorithm::HS256, Some(&k65), SECRET_HEX, &good_claims()),
            TokenProblem::BadKeyId,
        );
        let k_huge = "k".repeat(2000);
        case(
            "kid 2000 chars",
            sign(Algorithm::HS256, Some(&k_huge), SECRET_HEX, &good_claims()),
            TokenProblem::BadKeyId,
        );
        case(
            "kid path",
            sign(
                Algorithm::HS256,
                Some("../../etc/passwd"),
                SECRET_HEX,
                &good_claims(),
            ),
            TokenProblem::BadKeyId,
        );
        case(
            "kid ..",
            raw(&hs(".."), &good_claims(), sig),
            TokenProblem::BadKeyId,
        );
        case(
            "kid empty",
            raw(&hs(""), &good_claims(), sig),
            TokenProblem::BadKeyId,
        );
        case(
            "kid with NUL",
            raw(&hs("k2026\u{0}"), &good_claims(), sig),
            TokenProblem::BadKeyId,
        );
        case(
            "kid number",
            raw(&json!({"alg": "HS256", "kid": 2026}), &good_claims(), sig),
            TokenProblem::BadKeyId,
        );
        case(
            "kid null",
            raw(&json!({"alg": "HS256", "kid": null}), &good_claims(), sig),
            TokenProblem::BadKeyId,
        );

        // Size.
        case(
            "4097 bytes",
            "a".repeat(MAX_TOKEN_LEN + 1),
            TokenProblem::TooLong,
        );
        case(
            "4096 bytes",
            "a".repeat(MAX_TOKEN_LEN),
            TokenProblem::Malformed,
        );
        let mut big = good_claims();
        big["pad"] = json!("x".repeat(4000));
        case("signed but oversized", forge(&big), TokenProblem::TooLong);

        assert_eq!(cases.len(), 59);
        for (name, token, want) in &cases {
            assert_eq!(problem(svc.verify(token)), *want, "{name}: {token}");
        }
    }

    /// Correctly signed tokens whose claims are wrong: CVE-2026-25537 and
    /// its relatives.
    #[test]
    fn claim_attacks() {
        let (svc, _) = service();
        let set = |field: &str, value: Value| {
            let mut c = good_claims();
            c[field] = value;
            forge(&c)
        };
        let without = |field: &str| {
            let mut c = good_claims();
            c.as_object_mut().unwrap().remove(field);
            forge(&c)
        };
        let cases: Vec<(&str, String)> = vec![
            ("exp as string", set("exp", json!("0"))),
            (
                "exp as numeric string",
                set("exp", json!((T0 + TTL).to_string())),
            ),
            ("nbf as string", set("nbf", json!("9999999999"))),
            ("iat as string", set("iat", json!(T0.to_string()))),
            ("exp missing", without("exp")),
            ("iat missing", without("iat")),
            ("jti missing", without("jti")),
            ("app_id missing", without("app_id")),
            ("page_id missing", without("page_id")),
            ("exp null", set("exp", Value::Null)),
            ("exp float", set("exp", json!(1.8e9 + 7200.5))),
            ("exp negative", set("exp", json!(-1))),
            ("exp bool", set("exp", json!(true))),
            ("exp beyond u64", set("exp", json!(1e30))),
            ("exp an object", set("exp", json!({"$date": T0 + TTL}))),
            ("app_id number", set("app_id", json!(1))),
            ("page_id path", set("page_id", json!("../../etc"))),
            ("page_id empty", set("page_id", json!(""))),
            ("jti too long", set("jti", json!("j".repeat(65)))),
            ("app_id bad", set("app_id", json!("app 1"))),
            ("unknown claim", set("admin", json!(true))),
            ("aud claim", set("aud", json!("x"))),
            (
                "claims an array",
                forge(&json!([APP, "p", T0, T0 + TTL, JTI])),
            ),
            ("claims a number", forge(&json!(1))),
        ];
        for (name, token) in &cases {
            assert_eq!(problem(svc.verify(token)), TokenProblem::Claims, "{name}");
        }
        // Duplicate claims in the JSON text, signed: refused, not "last wins".
        let dup = format!(
            r#"{{"app_id":"{APP}","page_id":"p","iat":{T0},"exp":{},"exp":{},"jti":"{JTI}"}}"#,
            T0 + TTL,
            T0 + TTL
        );
        let message = format!(
            "{}.{}",
            b64(json!({"alg": "HS256", "kid": KID}).to_string().as_bytes()),
            b64(dup.as_bytes())
        );
        let key = EncodingKey::from_secret(&secret(SECRET_HEX)).unwrap();
        let signature =
            jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256).unwrap();
        assert_eq!(
            problem(svc.verify(&format!("{message}.{signature}"))),
            TokenProblem::Claims
        );
        // The well-typed `nbf` in the past is fine.
        let nbf_ok = set("nbf", json!(T0));
        assert!(svc.verify(&nbf_ok).is_ok());
    }

    #[test]
    fn expiry_and_leeway() {
        let (svc, clock) = service();
        let (token, claims) = svc.issue("p").unwrap();
        clock.advance(Duration::from_secs(TTL + LEEWAY)); // now = exp + leeway
        assert_eq!(svc.verify(&token).unwrap(), claims);
        clock.advance(Duration::from_millis(999)); // same second
        assert!(svc.verify(&token).is_ok());
        clock.advance(Duration::from_millis(1)); // now = exp + leeway + 1
        match svc.verify(&token) {
            Err(Error::TokenExpired { op, expired_at }) => {
                assert_eq!(op, "verify_token");
                assert_eq!(expired_at, T0 + TTL);
            }
            other => panic!("expected TokenExpired, got {other:?}"),
        }
        // A forged, correctly signed, long-expired token.
        let old = forge(&json!({"app_id": APP, "page_id": "p", "iat": 1, "exp": 2, "jti": JTI}));
        assert!(matches!(
            svc.verify(&old),
            Err(Error::TokenExpired { expired_at: 2, .. })
        ));
    }

    #[test]
    fn not_yet_valid_beyond_leeway() {
        let (svc, _) = service();
        let at = |field: &str, t: u64| {
            let mut c = good_claims();
            c[field] = json!(t);
            forge(&c)
        };
        assert!(svc.verify(&at("nbf", T0 + LEEWAY)).is_ok());
        assert_eq!(
            problem(svc.verify(&at("nbf", T0 + LEEWAY + 1))),
            TokenProblem::NotYetValid
        );
        assert!(svc.verify(&at("iat", T0 + LEEWAY)).is_ok());
        assert_eq!(
            problem(svc.verify(&at("iat", T0 + LEEWAY + 1))),
            TokenProblem::NotYetValid
        );
        assert_eq!(
            problem(svc.verify(&at("nbf", u64::MAX))),
            TokenProblem::NotYetValid
        );
    }

    #[test]
    fn other_applications_tokens() {
        let c = clock();
        let ours = service_with(&[(KID, SECRET_HEX)], APP, &c);
        // Same keyring, other application: the signature holds, the app does not.
        let same_keys = service_with(&[(KID, SECRET_HEX)], "app-2", &c);
        let (t, _) = same_keys.issue("p").unwrap();
        assert!(matches!(
            ours.verify(&t),
            Err(Error::InvalidApplication { op: "verify_token" })
        ));
        // Its own random keyring: the kid is unknown here.
        let own_keys = service_with(&[], "app-2", &c);
        let (t, _) = own_keys.issue("p").unwrap();
        assert_eq!(problem(ours.verify(&t)), TokenProblem::UnknownKey);
        // Same kid, its own secret: the signature fails.
        let same_kid = service_with(&[(KID, OTHER_SECRET_HEX)], "app-2", &c);
        let (t, _) = same_kid.issue("p").unwrap();
        assert_eq!(problem(ours.verify(&t)), TokenProblem::Signature);
        // Time is checked before the application.
        c.advance(Duration::from_secs(TTL + LEEWAY + 1));
        let (t, _) = same_keys.issue("p").unwrap();
        c.advance(Duration::from_secs(TTL + LEEWAY + 1));
        assert!(matches!(ours.verify(&t), Err(Error::TokenExpired { .. })));
    }

    #[test]
    fn rotation_retires_then_drops() {
        let (svc, clock) = service();
        let (before, _) = svc.issue("p").unwrap();
        let kid = svc.rotate_key();
        assert_ne!(kid, KID);
        assert_eq!(svc.key_ids(), [kid.as_str(), KID]);
        let (after, _) = svc.issue("p").unwrap();
        assert!(after.starts_with(
            &parts(&sign(
                Algorithm::HS256,
                Some(&kid),
                SECRET_HEX,
                &good_claims()
            ))[0]
        ));
        // The retired key still verifies, up to retired_at + ttl + leeway.
        assert!(svc.verify(&before).is_ok());
        assert_eq!(svc.drop_retired_keys(), 0);
        clock.advance(Duration::from_secs(TTL + LEEWAY));
        assert!(svc.verify(&before).is_ok());
        assert_eq!(svc.drop_retired_keys(), 0);
        assert_eq!(svc.key_ids().len(), 2);
        // One second later its tokens are all dead, and the key is refused
        // as retired even before the cleanup ran.
        clock.advance(Duration::from_secs(1));
        assert_eq!(problem(svc.verify(&before)), TokenProblem::RetiredKey);
        assert_eq!(svc.drop_retired_keys(), 1);
        assert_eq!(svc.key_ids(), [kid.as_str()]);
        assert_eq!(problem(svc.verify(&before)), TokenProblem::RetiredKey);
        assert_eq!(svc.drop_retired_keys(), 0);
        // A retired key's token forged fresh is refused too (not UnknownKey).
        assert_eq!(
            problem(svc.verify(&forge(&good_claims()))),
            TokenProblem::RetiredKey
        );
        // The new key's token was issued at T0: expired now, by time.
        assert!(matches!(
            svc.verify(&after),
            Err(Error::TokenExpired { .. })
        ));
        let (fresh, claims) = svc.issue("p").unwrap();
        assert_eq!(svc.verify(&fresh).unwrap(), claims);
    }

    #[test]
    fn configured_verify_only_keys_are_never_dropped() {
        let c = clock();
        let svc = service_with(&[("new", SECRET_HEX), ("old", OTHER_SECRET_HEX)], APP, &c);
        let kid = svc.rotate_key();
        assert_eq!(svc.key_ids(), [kid.as_str(), "new", "old"]);
        c.advance(Duration::from_secs(10 * TTL));
        assert_eq!(svc.drop_retired_keys(), 1);
        assert_eq!(svc.key_ids(), [kid.as_str(), "old"]);
    }

    #[test]
    fn dropped_kids_are_remembered_boundedly() {
        let (svc, clock) = service();
        let mut tokens = vec![svc.issue("p").unwrap().0];
        let mut kids = vec![KID.to_string()];
        for _ in 0..70 {
            kids.push(svc.rotate_key());
            tokens.push(svc.issue("p").unwrap().0);
        }
        clock.advance(Duration::from_secs(TTL + LEEWAY + 1));
        assert_eq!(svc.drop_retired_keys(), 70);
        assert_eq!(svc.key_ids(), [kids[70].as_str()]);
        // The newest 64 dropped (kids[6..70]) are remembered, older ones not.
        for (i, t) in tokens.iter().enumerate() {
            let got = svc.verify(t);
            match i {
                0..=5 => assert_eq!(problem(got), TokenProblem::UnknownKey, "{i}"),
                6..=69 => assert_eq!(problem(got), TokenProblem::RetiredKey, "{i}"),
                _ => assert!(matches!(got, Err(Error::TokenExpired { .. })), "{i}"),
            }
        }
    }

    #[test]
    fn rotation_while_32_threads_verify() {
        const ROTATIONS: usize = 20;
        let (svc, clock) = service();
        let early: Vec<String> = (0..8)
            .map(|i| svc.issue(&format!("early-{i}")).unwrap().0)
            .collect();
        let failures = AtomicUsize::new(0);
        let verified = AtomicUsize::new(0);
        let issued = Mutex::new(Vec::new());
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for t in 0..32 {
                let (svc, early, failures, verified, issued, done) =
                    (&svc, &early, &failures, &verified, &issued, &done);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    let mut round = 0;
                    // At least 10 rounds, and on until the rotations are over.
                    while round < 10 || !done.load(Ordering::SeqCst) {
                        let (token, claims) = svc.issue(&format!("t{t}-{round}")).unwrap();
                        mine.push(token);
                        for tok in mine.iter().chain(early) {
                            match svc.verify(tok) {
                                Ok(_) => verified.fetch_add(1, Ordering::Relaxed),
                                Err(_) => failures.fetch_add(1, Ordering::Relaxed),
                            };
                        }
                        if svc.verify(mine.last().unwrap()).ok() != Some(claims) {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                        round += 1;
                        if mine.len() > 8 {
                            issued.lock().unwrap().push(mine.remove(0));
                        }
                    }
                    issued.lock().unwrap().extend(mine);
                });
            }
            s.spawn(|| {
                for _ in 0..ROTATIONS {
                    svc.rotate_key();
                    // Nothing has expired: nothing may be dropped.
                    if svc.drop_retired_keys() != 0 {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                    std::thread::yield_now();
                }
                done.store(true, Ordering::SeqCst);
            });
        });
        assert_eq!(failures.load(Ordering::Relaxed), 0);
        assert!(verified.load(Ordering::Relaxed) > 32 * 10);
        assert_eq!(svc.key_ids().len(), ROTATIONS + 1);

        // Past ttl + leeway: every retired key goes; its tokens are
        // refused at step 4 (RetiredKey) before their expiry is looked at
        // (step 6); the signing key's tokens are simply expired.
        clock.advance(Duration::from_secs(TTL + LEEWAY + 1));
        assert_eq!(svc.drop_retired_keys(), ROTATIONS);
        let signing = svc.key_ids().remove(0);
        let mut all = issued.into_inner().unwrap();
        all.extend(early);
        let (mut retired, mut expired) = (0, 0);
        for tok in &all {
            let header: Value =
                serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts(tok)[0]).unwrap()).unwrap();
            if header["kid"] == signing.as_str() {
                assert!(matches!(svc.verify(tok), Err(Error::TokenExpired { .. })));
                expired += 1;
            } else {
                assert_eq!(problem(svc.verify(tok)), TokenProblem::RetiredKey);
                retired += 1;
            }
        }
        assert!(retired >= 8, "{retired}");
        assert!(expired + retired == all.len());
    }

    #[test]
    fn a_poisoned_lock_is_recovered() {
        let (svc, _) = service();
        let (token, claims) = svc.issue("p").unwrap();
        let poisoned = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _guard = svc.ring.write().unwrap();
            panic!("poison the keyring lock");
        }));
        assert!(poisoned.is_err());
        assert!(svc.ring.is_poisoned());
        assert_eq!(svc.verify(&token).unwrap(), claims);
        let kid = svc.rotate_key();
        assert_eq!(svc.key_ids()[0], kid);
        let (t2, c2) = svc.issue("p").unwrap();
        assert_eq!(svc.verify(&t2).unwrap(), c2);
        assert_eq!(svc.drop_retired_keys(), 0);
    }

    #[test]
    fn no_output_contains_a_token_or_a_secret() {
        let (svc, clock) = service();
        let (token, _) = svc.issue("p").unwrap();
        let secret_bytes = format!("{:?}", secret(SECRET_HEX));
        let secret_bytes = &secret_bytes[1..secret_bytes.len() / 2];
        let debug = format!("{svc:?}");
        assert!(
            debug.contains("TokenService") && debug.contains(KID),
            "{debug}"
        );
        let leaks = |s: &str| {
            s.contains(SECRET_HEX)
                || s.contains(&SECRET_HEX[..16])
                || s.contains(&SECRET_HEX.to_uppercase()[..16])
                || s.contains(secret_bytes)
        };
        assert!(!leaks(&debug), "{debug}");
        let p = parts(&token);
        let mut bad = vec![
            format!("{}.{}.{}", p[0], replace_at(&p[1], 7), p[2]),
            format!("{}.{}.{}", p[0], p[1], replace_at(&p[2], 3)),
            format!("{token}.{}", p[2]),
            format!("{}x", "a".repeat(MAX_TOKEN_LEN)),
            sign(Algorithm::HS384, Some(KID), SECRET_HEX, &good_claims()),
            forge(&json!({"app_id": APP, "page_id": "p", "iat": T0, "exp": "never", "jti": JTI})),
            forge(
                &json!({"app_id": "app-2", "page_id": "p", "iat": T0, "exp": T0 + TTL, "jti": JTI}),
            ),
        ];
        clock.advance(Duration::from_secs(2 * TTL));
        bad.push(token.clone());
        for t in &bad {
            let e = svc.verify(t).unwrap_err();
            for out in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
                assert!(!out.contains(t.as_str()), "{out}");
                for part in t.split('.').filter(|x| x.len() > 8) {
                    assert!(!out.contains(part), "{out}");
                }
                assert!(!leaks(&out), "{out}");
            }
        }
    }

    /// Every single-character change of a valid token is refused.
    #[test]
    fn every_one_character_change_is_refused() {
        let (svc, _) = service();
        let (token, _) = svc.issue("page-1").unwrap();
        for i in 0..token.len() {
            for c in [b'A', b'x', b'-', b'_', b'.', b'='] {
                let mut b = token.as_bytes().to_vec();
                if b[i] == c {
                    continue;
                }
                b[i] = c;
                let t = String::from_utf8(b).unwrap();
                assert!(
                    svc.verify(&t).is_err(),
                    "accepted with byte {i} = {}",
                    char::from(c)
                );
            }
        }
    }

    const ALPHABET: &[u8] =
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}";

    #[derive(Clone, Debug)]
    enum Edit {
        Replace(prop::sample::Index, u8),
        Insert(prop::sample::Index, u8),
        Delete(prop::sample::Index),
        Truncate(prop::sample::Index),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let ch = prop::sample::select(ALPHABET);
        prop_oneof![
            (any::<prop::sample::Index>(), ch.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
            (any::<prop::sample::Index>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
            any::<prop::sample::Index>().prop_map(Edit::Delete),
            any::<prop::sample::Index>().prop_map(Edit::Truncate),
        ]
    }

    fn apply(token: &str, edits: &[Edit]) -> String {
        let mut b = token.as_bytes().to_vec();
        for e in edits {
            match e {
                Edit::Replace(i, c) if !b.is_empty() => {
                    let i = i.index(b.len());
                    b[i] = *c;
                }
                Edit::Insert(i, c) => {
                    let i = i.index(b.len() + 1);
                    b.insert(i, *c);
                }
                Edit::Delete(i) if !b.is_empty() => {
                    let i = i.index(b.len());
                    b.remove(i);
                }
                Edit::Truncate(i) => b.truncate(i.index(b.len() + 1)),
                _ => {}
            }
        }
        String::from_utf8(b).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn random_strings_never_panic_nor_pass(s in "\\PC{0,600}") {
            let (svc, _) = service();
            prop_assert!(svc.verify(&s).is_err());
        }

        #[test]
        fn random_three_part_strings_never_pass(
            s in "[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,200}\\.[A-Za-z0-9_-]{0,60}"
        ) {
            let (svc, _) = service();
            prop_assert!(svc.verify(&s).is_err());
        }

        #[test]
        fn random_headers_never_pass(header in "\\PC{0,120}", body in "\\PC{0,120}") {
            let (svc, _) = service();
            let t = format!("{}.{}.{}", b64(header.as_bytes()), b64(body.as_bytes()), b64(&[0; 32]));
            prop_assert!(svc.verify(&t).is_err());
        }

        #[test]
        fn mutated_tokens_never_pass(edits in prop::collection::vec(edit(), 1..5)) {
            let (svc, _) = service();
            let (token, _) = svc.issue("page-1").unwrap();
            let mutated = apply(&token, &edits);
            let got = svc.verify(&mutated);
            if mutated == token {
                prop_assert!(got.is_ok());
            } else {
                prop_assert!(got.is_err(), "accepted {mutated}");
            }
        }
    }
}

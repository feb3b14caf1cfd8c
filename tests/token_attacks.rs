//! The page-token attack suite, through the public API only.
//!
//! Every case presents a token to [`Application::page`] (a few also to
//! [`Application::page_id`] or [`Application::close_page`]) and asserts the
//! specific error it must get: `TokenInvalid` with its exact
//! [`TokenProblem`], `TokenExpired` with its exact `exp`,
//! `InvalidApplication`, `PageNotFound` or `WrongPageType`, and the `op` of
//! the entry point. The forgeries are as strong as they can be: each one
//! carries the claims of a live page (its real `page_id` and `jti`) and,
//! wherever the attack allows it, a correct HMAC made with the real secret,
//! so that the one thing wrong with it is the thing under test. Controls
//! (marked so) show that the same forging path yields accepted tokens when
//! nothing is wrong, so that no refusal is an artefact of the forger.
//!
//! What this file proves:
//!
//! - no forged, tampered, foreign, expired, retired, replaced or garbage
//!   token is accepted (the accepted forgeries are counted: 0), including
//!   256-case property tests over arbitrary strings, arbitrary bytes,
//!   three-part base64url strings and single-character edits of a valid
//!   token, and every single-character replacement of it;
//! - each refusal is the specific one `token.rs` documents, in its order of
//!   checks (size, shape, `alg`, `kid`, signature, claims, time,
//!   application; then page, token id, type in `mod.rs`);
//! - time is the injected clock's, to the second (leeway and nonce-window
//!   boundaries on both sides);
//! - no refusal's `Display` or `Debug` contains the token, one of its parts
//!   or a secret;
//! - `metrics().token_validation_fails_total` counts exactly the token
//!   refusals (`TokenInvalid`, `TokenExpired`, `InvalidApplication`) and not
//!   `PageNotFound` or `WrongPageType`.
//!
//! Correctly signed tokens with malformed claims are made with
//! `jsonwebtoken` and the known test secret (never hand-rolled crypto).
//! Run with `-- --nocapture` to see the table of cases.

use std::cell::Cell;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use livetemplate::{
    live_template, Application, Config, Error, ErrorKind, KeyConfig, ManualClock, PageHandle,
    Template, TokenProblem,
};
use proptest::prelude::*;
use proptest::test_runner::{
    Config as ProptestConfig, TestCaseError, TestCaseResult, TestError, TestRunner,
};
use serde_json::{json, Value};

#[live_template(source = "<p>{{.n}}</p>")]
#[derive(Clone, Debug, PartialEq)]
struct Counter {
    n: u64,
}

#[live_template(source = "<i>{{.s}}</i>")]
#[derive(Clone, Debug, PartialEq)]
struct Label {
    s: String,
}

const APP: &str = "app-1";
const KID: &str = "k2026";
/// 32 bytes, distinctive enough to be searched for in output.
const SECRET_HEX: &str = "5ec7e75ec7e7a11ce5ec7e75ec7e7a11ce5ec7e75ec7e7a11ce5ec7e75ec7e7a";
const OTHER_SECRET_HEX: &str = "0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de0badc0de";
const T0: u64 = 1_800_000_000;
const TTL: u64 = 3600;
const LEEWAY: u64 = 5;
const NONCE_WINDOW: u64 = 60;
/// Longer than `TTL + LEEWAY`, so that pages outlive their tokens.
const PAGE_TTL: u64 = 2 * TTL;
/// The documented limit (`token.rs`, `MAX_TOKEN_LEN`).
const MAX_TOKEN_LEN: usize = 4096;
const PROPTEST_CASES: u32 = 256;

// ---------------------------------------------------------------------------
// Outcomes

/// What a presentation gave (or must give).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Invalid(TokenProblem),
    Expired(u64),
    InvalidApplication,
    PageNotFound,
    WrongPageType,
    Other(ErrorKind),
}

use Outcome::{Accepted, Expired, Invalid, InvalidApplication, PageNotFound, WrongPageType};

impl Outcome {
    fn of<R>(r: &Result<R, Error>) -> Outcome {
        match r {
            Ok(_) => Accepted,
            Err(Error::TokenInvalid { problem, .. }) => Invalid(*problem),
            Err(Error::TokenExpired { expired_at, .. }) => Expired(*expired_at),
            Err(Error::InvalidApplication { .. }) => InvalidApplication,
            Err(Error::PageNotFound { .. }) => PageNotFound,
            Err(Error::WrongPageType { .. }) => WrongPageType,
            Err(e) => Outcome::Other(e.kind()),
        }
    }

    /// The refusals `token_validation_fails_total` counts (by this file's
    /// own reading of the variants, not the library's).
    fn is_token_refusal(self) -> bool {
        matches!(self, Invalid(_) | Expired(_) | InvalidApplication)
    }

    fn label(self) -> String {
        match self {
            Accepted => "accepted".into(),
            Invalid(p) => format!("TokenInvalid({p:?})"),
            Expired(exp) => format!("TokenExpired(exp={exp})"),
            InvalidApplication => "InvalidApplication".into(),
            PageNotFound => "PageNotFound".into(),
            WrongPageType => "WrongPageType".into(),
            Outcome::Other(kind) => format!("unexpected {}", kind.as_str()),
        }
    }
}

/// Why `e`'s `Display` or `Debug` betrays `token` or a secret, if it does.
fn leak(e: &Error, token: &str) -> Option<String> {
    let secret_bytes: Vec<String> = [SECRET_HEX, OTHER_SECRET_HEX]
        .iter()
        .map(|h| {
            let d = format!("{:?}", unhex(h));
            d[1..d.len() / 2].to_string()
        })
        .collect();
    for out in [e.to_string(), format!("{e:?}"), format!("{e:#?}")] {
        if token.len() >= 8 && out.contains(token) {
            return Some("output shows the token".into());
        }
        if token
            .split('.')
            .any(|part| part.len() >= 8 && out.contains(part))
        {
            return Some("output shows a part of the token".into());
        }
        for hex in [SECRET_HEX, OTHER_SECRET_HEX] {
            if out.contains(hex)
                || out.contains(&hex[..16])
                || out.contains(&hex.to_uppercase()[..16])
            {
                return Some("output shows a secret".into());
            }
        }
        if secret_bytes.iter().any(|b| out.contains(b.as_str())) {
            return Some("output shows a secret's bytes".into());
        }
    }
    None
}

// ---------------------------------------------------------------------------
// The suite's bookkeeping

struct Row {
    section: &'static str,
    case: String,
    expected: String,
    got: String,
    ok: bool,
}

/// One application under attack, with the token refusals presented to it.
struct Target {
    name: &'static str,
    app: Application,
    clock: Arc<ManualClock>,
    refusals: Cell<u64>,
}

impl Target {
    fn refused(&self) {
        self.refusals.set(self.refusals.get() + 1);
    }
}

#[derive(Default)]
struct Suite {
    section: &'static str,
    rows: Vec<Row>,
    forgeries_accepted: usize,
    failures: Vec<String>,
    outputs_checked: usize,
}

impl Suite {
    fn row(&mut self, case: &str, expected: &str, got: &str, ok: bool) {
        if !ok {
            self.failures.push(format!(
                "[{}] {case}: expected {expected}, got {got}",
                self.section
            ));
        }
        self.rows.push(Row {
            section: self.section,
            case: case.to_string(),
            expected: expected.to_string(),
            got: got.to_string(),
            ok,
        });
    }

    /// Records one presentation of `token` to `op` of `target`.
    fn record<R>(
        &mut self,
        target: &Target,
        case: &str,
        op: &str,
        token: &str,
        want: Outcome,
        got: Result<R, Error>,
    ) -> Option<R> {
        let outcome = Outcome::of(&got);
        if outcome.is_token_refusal() {
            target.refused();
        }
        if want != Accepted && outcome == Accepted {
            self.forgeries_accepted += 1;
        }
        let mut problems = Vec::new();
        if let Err(e) = &got {
            if e.op() != op {
                problems.push(format!("op {:?}, not {op:?}", e.op()));
            }
            if let Some(l) = leak(e, token) {
                problems.push(l);
            }
            self.outputs_checked += 1;
        }
        let mut got_label = outcome.label();
        if !problems.is_empty() {
            let _ = write!(got_label, " [{}]", problems.join("; "));
        }
        self.row(
            case,
            &want.label(),
            &got_label,
            outcome == want && problems.is_empty(),
        );
        got.ok()
    }

    fn page<T: Template + Send + 'static>(
        &mut self,
        target: &Target,
        case: &str,
        token: &str,
        want: Outcome,
    ) -> Option<PageHandle<T>> {
        let got = target.app.page::<T>(token);
        self.record(target, case, "page", token, want, got)
    }

    fn page_id(&mut self, target: &Target, case: &str, token: &str, want: Outcome) {
        let got = target.app.page_id(token);
        self.record(
            target,
            &format!("page_id: {case}"),
            "page_id",
            token,
            want,
            got,
        );
    }

    fn close_page(&mut self, target: &Target, case: &str, token: &str, want: Outcome) {
        let got = target.app.close_page(token);
        self.record(
            target,
            &format!("close_page: {case}"),
            "close_page",
            token,
            want,
            got,
        );
    }

    /// One row per target: the metric equals the refusals presented.
    fn check_metrics(&mut self, targets: &[&Target]) {
        self.section = "metrics";
        for t in targets {
            let counted = t.app.metrics().token_validation_fails_total;
            let presented = t.refusals.get();
            self.row(
                &format!("token_validation_fails_total [{}]", t.name),
                &format!("{presented} (token refusals presented)"),
                &counted.to_string(),
                counted == presented,
            );
        }
    }

    fn table(&self) -> String {
        let w_case = self.rows.iter().map(|r| r.case.len()).max().unwrap_or(4);
        let w_exp = self
            .rows
            .iter()
            .map(|r| r.expected.len())
            .max()
            .unwrap_or(8);
        let mut out = String::new();
        let _ = writeln!(out, "{:<w_case$} | {:<w_exp$} | got", "case", "expected");
        let _ = writeln!(out, "{}", "-".repeat(w_case + w_exp + 30));
        let mut section = "";
        for r in &self.rows {
            if r.section != section {
                section = r.section;
                let _ = writeln!(out, "## {section}");
            }
            let mark = if r.ok { "" } else { "   <-- FAIL" };
            let _ = writeln!(
                out,
                "{:<w_case$} | {:<w_exp$} | {}{mark}",
                r.case, r.expected, r.got
            );
        }
        let _ = writeln!(
            out,
            "{} cases, {} failed, {} forgeries accepted, {} error outputs checked for leaks",
            self.rows.len(),
            self.failures.len(),
            self.forgeries_accepted,
            self.outputs_checked
        );
        out
    }
}

// ---------------------------------------------------------------------------
// Applications and forged tokens

fn unhex(hex: &str) -> Vec<u8> {
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

fn config(app_id: &str, keys: &[(&str, &str)]) -> Config {
    let mut c = Config::default();
    c.application.id = Some(app_id.to_string());
    c.application.page_ttl = Duration::from_secs(PAGE_TTL);
    // Never during a test (it runs on real time): cleanups are explicit.
    c.application.cleanup_interval = Duration::from_secs(PAGE_TTL);
    c.token.ttl = Duration::from_secs(TTL);
    c.token.leeway = Duration::from_secs(LEEWAY);
    c.token.nonce_window = Duration::from_secs(NONCE_WINDOW);
    c.token.keys = keys
        .iter()
        .map(|(id, hex)| KeyConfig {
            id: (*id).to_string(),
            secret_hex: (*hex).to_string(),
        })
        .collect();
    c
}

fn app_on(clock: &Arc<ManualClock>, config: Config) -> Application {
    Application::with_clock(config, Arc::clone(clock) as Arc<dyn livetemplate::Clock>).unwrap()
}

/// The application under attack: `APP`, key `KID` = `SECRET_HEX`, at `T0`.
fn target(name: &'static str, tweak: impl FnOnce(&mut Config)) -> Target {
    let clock = Arc::new(ManualClock::new(UNIX_EPOCH + Duration::from_secs(T0)));
    let mut c = config(APP, &[(KID, SECRET_HEX)]);
    tweak(&mut c);
    Target {
        name,
        app: app_on(&clock, c),
        clock,
        refusals: Cell::new(0),
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn parts(token: &str) -> Vec<String> {
    token.split('.').map(str::to_string).collect()
}

/// The claims a genuine token carries.
fn claims_of(token: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts(token)[1]).unwrap()).unwrap()
}

/// Signed by `jsonwebtoken` with `alg`, `kid` and the secret.
fn sign(alg: Algorithm, kid: Option<&str>, secret_hex: &str, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.kid = kid.map(str::to_string);
    let key = EncodingKey::from_secret(&unhex(secret_hex)).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

/// Any header, the real HMAC-SHA256 over it (`jsonwebtoken::crypto::sign`).
fn mac(header: &Value, claims: &Value, secret_hex: &str) -> String {
    let message = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let key = EncodingKey::from_secret(&unhex(secret_hex)).unwrap();
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256).unwrap();
    format!("{message}.{signature}")
}

/// Any header, any signature text.
fn raw(header: &Value, claims: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    )
}

/// `s` with its byte at `i` replaced by another base64url character (not
/// the last one, so the part stays canonical base64url).
fn replace_at(s: &str, i: usize) -> String {
    assert!(i + 1 < s.len());
    let mut b = s.as_bytes().to_vec();
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

/// Deterministic pseudo-random bytes (xorshift64*), as text.
fn noise(len: usize, mut seed: u64) -> String {
    let bytes: Vec<u8> = (0..len)
        .map(|_| {
            seed ^= seed >> 12;
            seed ^= seed << 25;
            seed ^= seed >> 27;
            (seed.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
        })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn hs256_header(kid: &str) -> Value {
    json!({"typ": "JWT", "alg": "HS256", "kid": kid})
}

// ---------------------------------------------------------------------------
// Scenarios

/// Structural, header, signature, claim, key-id, size, foreign, closed,
/// type and garbage attacks; the clock stands at `T0`.
fn static_attacks(s: &mut Suite) -> Target {
    s.section = "static (clock at T0)";
    let t = target("static", |_| {});
    let page = t.app.new_page(Counter { n: 1 }).unwrap();
    let label = t.app.new_page(Label { s: "x".into() }).unwrap();
    let good = page.token().to_string();
    let p = parts(&good);
    let (h, body, sig) = (p[0].as_str(), p[1].as_str(), p[2].as_str());
    let claims = claims_of(&good);
    assert_eq!(claims["page_id"], page.id(), "the forger reads the claims");
    let with = |field: &str, value: Value| {
        let mut c = claims.clone();
        c[field] = value;
        sign(Algorithm::HS256, Some(KID), SECRET_HEX, &c)
    };
    let without = |field: &str| {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(field);
        sign(Algorithm::HS256, Some(KID), SECRET_HEX, &c)
    };

    // Controls: the forging paths yield accepted tokens.
    s.page::<Counter>(&t, "genuine token (control)", &good, Accepted);
    s.page::<Counter>(
        &t,
        "its claims re-signed HS256 with the real key (control)",
        &sign(Algorithm::HS256, Some(KID), SECRET_HEX, &claims),
        Accepted,
    );
    s.page::<Counter>(
        &t,
        "hand-built HS256 header + real HMAC (control)",
        &mac(&hs256_header(KID), &claims, SECRET_HEX),
        Accepted,
    );

    // Algorithm confusion.
    for alg in ["none", "None", "NONE", "nOnE", "NoNe", "nONE"] {
        let header = json!({"typ": "JWT", "alg": alg, "kid": KID});
        s.page::<Counter>(
            &t,
            &format!("alg {alg:?}, empty signature"),
            &raw(&header, &claims, ""),
            Invalid(TokenProblem::Algorithm),
        );
        s.page::<Counter>(
            &t,
            &format!("alg {alg:?}, copied signature"),
            &raw(&header, &claims, sig),
            Invalid(TokenProblem::Algorithm),
        );
    }
    s.page::<Counter>(
        &t,
        "HS384 signed with the real key",
        &sign(Algorithm::HS384, Some(KID), SECRET_HEX, &claims),
        Invalid(TokenProblem::Algorithm),
    );
    s.page::<Counter>(
        &t,
        "HS512 signed with the real key",
        &sign(Algorithm::HS512, Some(KID), SECRET_HEX, &claims),
        Invalid(TokenProblem::Algorithm),
    );
    let rs256 = json!({"typ": "JWT", "alg": "RS256", "kid": KID});
    s.page::<Counter>(
        &t,
        "RS256 header, copied signature",
        &raw(&rs256, &claims, sig),
        Invalid(TokenProblem::Algorithm),
    );
    s.page::<Counter>(
        &t,
        "RS256 header, real HMAC-SHA256 over it",
        &mac(&rs256, &claims, SECRET_HEX),
        Invalid(TokenProblem::Algorithm),
    );

    // Tampering and the wrong key.
    s.page::<Counter>(
        &t,
        "one payload byte changed (valid base64url)",
        &format!("{h}.{}.{sig}", replace_at(body, 7)),
        Invalid(TokenProblem::Signature),
    );
    s.page::<Counter>(
        &t,
        "one signature byte changed (valid base64url)",
        &format!("{h}.{body}.{}", replace_at(sig, 10)),
        Invalid(TokenProblem::Signature),
    );
    s.page::<Counter>(
        &t,
        "signature stripped (h.p.)",
        &format!("{h}.{body}."),
        Invalid(TokenProblem::Signature),
    );
    s.page::<Counter>(
        &t,
        "wrong key: same kid, other secret",
        &sign(Algorithm::HS256, Some(KID), OTHER_SECRET_HEX, &claims),
        Invalid(TokenProblem::Signature),
    );

    // Shape.
    s.page::<Counter>(
        &t,
        "2 parts",
        &format!("{h}.{body}"),
        Invalid(TokenProblem::Malformed),
    );
    s.page::<Counter>(
        &t,
        "4 parts",
        &format!("{good}.{sig}"),
        Invalid(TokenProblem::Malformed),
    );
    s.page::<Counter>(
        &t,
        "bad base64url: header padded '='",
        &format!("{h}=.{body}.{sig}"),
        Invalid(TokenProblem::Malformed),
    );
    s.page::<Counter>(
        &t,
        "bad base64url: '+' (std alphabet) in payload",
        &format!("{h}.{body}+.{sig}"),
        Invalid(TokenProblem::Malformed),
    );
    s.page::<Counter>(
        &t,
        "bad base64url: '*' in signature",
        &format!("{h}.{body}.{}*", &sig[..sig.len() - 1]),
        Invalid(TokenProblem::Malformed),
    );

    // Correctly signed, malformed claims (CVE-2026-25537 class).
    s.page::<Counter>(
        &t,
        "exp as a string (signed)",
        &with("exp", json!("never")),
        Invalid(TokenProblem::Claims),
    );
    s.page::<Counter>(
        &t,
        "exp as a numeric string (signed)",
        &with("exp", json!((T0 + TTL).to_string())),
        Invalid(TokenProblem::Claims),
    );
    s.page::<Counter>(
        &t,
        "nbf as a string (signed)",
        &with("nbf", json!("9999999999")),
        Invalid(TokenProblem::Claims),
    );
    s.page::<Counter>(
        &t,
        "exp missing (signed)",
        &without("exp"),
        Invalid(TokenProblem::Claims),
    );

    // Not yet valid, on both sides of the leeway.
    s.page::<Counter>(
        &t,
        "nbf = now + leeway (control)",
        &with("nbf", json!(T0 + LEEWAY)),
        Accepted,
    );
    s.page::<Counter>(
        &t,
        "nbf in the future (now + leeway + 1)",
        &with("nbf", json!(T0 + LEEWAY + 1)),
        Invalid(TokenProblem::NotYetValid),
    );
    s.page::<Counter>(
        &t,
        "iat = now + leeway (control)",
        &with("iat", json!(T0 + LEEWAY)),
        Accepted,
    );
    s.page::<Counter>(
        &t,
        "iat in the future (now + leeway + 1)",
        &with("iat", json!(T0 + LEEWAY + 1)),
        Invalid(TokenProblem::NotYetValid),
    );

    // Key ids (each signed with the real secret).
    let kid = |k: Option<&str>| sign(Algorithm::HS256, k, SECRET_HEX, &claims);
    s.page::<Counter>(
        &t,
        "kid missing",
        &kid(None),
        Invalid(TokenProblem::MissingKeyId),
    );
    s.page::<Counter>(
        &t,
        "unknown kid",
        &kid(Some("k2025")),
        Invalid(TokenProblem::UnknownKey),
    );
    s.page::<Counter>(
        &t,
        "kid of 64 chars (valid, unknown)",
        &kid(Some(&"k".repeat(64))),
        Invalid(TokenProblem::UnknownKey),
    );
    s.page::<Counter>(
        &t,
        "oversized kid (65 chars)",
        &kid(Some(&"k".repeat(65))),
        Invalid(TokenProblem::BadKeyId),
    );
    s.page::<Counter>(
        &t,
        "path-like kid ../../etc/passwd",
        &kid(Some("../../etc/passwd")),
        Invalid(TokenProblem::BadKeyId),
    );

    // Size.
    let mut big = claims.clone();
    big["pad"] = json!("x".repeat(MAX_TOKEN_LEN));
    let big = sign(Algorithm::HS256, Some(KID), SECRET_HEX, &big);
    assert!(big.len() > MAX_TOKEN_LEN);
    s.page::<Counter>(
        &t,
        "over 4 KiB, correctly signed",
        &big,
        Invalid(TokenProblem::TooLong),
    );
    s.page::<Counter>(
        &t,
        "4097 bytes of 'a'",
        &"a".repeat(MAX_TOKEN_LEN + 1),
        Invalid(TokenProblem::TooLong),
    );
    s.page::<Counter>(
        &t,
        "4096 bytes of 'a' (at the limit: shape)",
        &"a".repeat(MAX_TOKEN_LEN),
        Invalid(TokenProblem::Malformed),
    );

    // Other applications' tokens (same clock).
    let foreign = |app_id: &str, keys: &[(&str, &str)]| {
        let other = app_on(&t.clock, config(app_id, keys));
        let token = other
            .new_page(Counter { n: 1 })
            .unwrap()
            .token()
            .to_string();
        token
    };
    s.page::<Counter>(
        &t,
        "other app: same keyring, other application.id",
        &foreign("app-2", &[(KID, SECRET_HEX)]),
        InvalidApplication,
    );
    s.page::<Counter>(
        &t,
        "other app: its own random keyring",
        &foreign("app-3", &[]),
        Invalid(TokenProblem::UnknownKey),
    );
    s.page::<Counter>(
        &t,
        "other app: same kid, other secret",
        &foreign("app-4", &[(KID, OTHER_SECRET_HEX)]),
        Invalid(TokenProblem::Signature),
    );
    s.page::<Counter>(
        &t,
        "same id and keyring, page not held here",
        &foreign(APP, &[(KID, SECRET_HEX)]),
        PageNotFound,
    );

    // Closed pages.
    let closed = t.app.new_page(Counter { n: 2 }).unwrap();
    let closed_token = closed.token().to_string();
    closed.close();
    s.page::<Counter>(
        &t,
        "closed page's token (PageHandle::close)",
        &closed_token,
        PageNotFound,
    );
    let closed = t.app.new_page(Counter { n: 3 }).unwrap();
    let closed_token = closed.token().to_string();
    s.close_page(&t, "genuine token (control)", &closed_token, Accepted);
    s.page::<Counter>(
        &t,
        "closed page's token (Application::close_page)",
        &closed_token,
        PageNotFound,
    );
    s.close_page(&t, "the same token again", &closed_token, PageNotFound);
    s.close_page(
        &t,
        "tampered signature",
        &format!("{h}.{body}.{}", replace_at(sig, 3)),
        Invalid(TokenProblem::Signature),
    );
    s.page::<Counter>(
        &t,
        "the page survives the forged close_page (control)",
        &good,
        Accepted,
    );

    // Types.
    s.page::<Label>(&t, "Counter page as page::<Label>", &good, WrongPageType);
    s.page::<Counter>(
        &t,
        "Label page as page::<Counter>",
        label.token(),
        WrongPageType,
    );
    s.page::<Label>(
        &t,
        "Label page as page::<Label> (control)",
        label.token(),
        Accepted,
    );

    // Garbage.
    s.page::<Counter>(&t, "empty string", "", Invalid(TokenProblem::Malformed));
    s.page::<Counter>(&t, "\"..\"", "..", Invalid(TokenProblem::Malformed));
    s.page::<Counter>(
        &t,
        "1 MiB of 'A'",
        &"A".repeat(1 << 20),
        Invalid(TokenProblem::TooLong),
    );
    s.page::<Counter>(
        &t,
        "1 MiB of random bytes",
        &noise(1 << 20, 0x5eed),
        Invalid(TokenProblem::TooLong),
    );
    s.page::<Counter>(
        &t,
        "300 random bytes",
        &noise(300, 0xfeed),
        Invalid(TokenProblem::Malformed),
    );

    // The other verifying entry point.
    assert_eq!(
        t.app.page_id(&good).ok().as_deref(),
        Some(page.id()),
        "page_id names the page"
    );
    s.page_id(&t, "genuine token (control)", &good, Accepted);
    s.page_id(
        &t,
        "alg \"none\", empty signature",
        &raw(&json!({"alg": "none", "kid": KID}), &claims, ""),
        Invalid(TokenProblem::Algorithm),
    );
    s.page_id(
        &t,
        "one signature byte changed",
        &format!("{h}.{body}.{}", replace_at(sig, 10)),
        Invalid(TokenProblem::Signature),
    );
    s.page_id(
        &t,
        "exp as a string (signed)",
        &with("exp", json!("never")),
        Invalid(TokenProblem::Claims),
    );
    s.page_id(
        &t,
        "other app: same keyring, other application.id",
        &foreign("app-5", &[(KID, SECRET_HEX)]),
        InvalidApplication,
    );

    fuzz_attacks(s, &t, &good);
    t
}

/// Printable ASCII and a few specials: the edits of the mutation tests.
const ALPHABET: &[char] = &[
    'A', 'B', 'e', 'y', 'J', '0', '9', '-', '_', '.', '=', '+', '/', ' ', '"', '{', '}', '\0', 'é',
    '€',
];

#[derive(Clone, Debug)]
enum Edit {
    Replace(prop::sample::Index, char),
    Insert(prop::sample::Index, char),
    Delete(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let ch = prop_oneof![prop::sample::select(ALPHABET), any::<char>()];
    prop_oneof![
        (any::<prop::sample::Index>(), ch.clone()).prop_map(|(i, c)| Edit::Replace(i, c)),
        (any::<prop::sample::Index>(), ch).prop_map(|(i, c)| Edit::Insert(i, c)),
        any::<prop::sample::Index>().prop_map(Edit::Delete),
    ]
}

/// `token` (ASCII) with one character edited.
fn apply(token: &str, e: &Edit) -> String {
    let mut chars: Vec<char> = token.chars().collect();
    match e {
        Edit::Replace(i, c) => {
            let i = i.index(chars.len());
            chars[i] = *c;
        }
        Edit::Insert(i, c) => chars.insert(i.index(chars.len() + 1), *c),
        Edit::Delete(i) => {
            chars.remove(i.index(chars.len()));
        }
    }
    chars.into_iter().collect()
}

/// Runs a 256-case property: every generated token is presented to
/// `page::<Counter>`; it must be accepted exactly when it is `genuine`,
/// never panic, and never leak. One table row.
fn fuzz<S: Strategy>(
    s: &mut Suite,
    t: &Target,
    case: &str,
    strategy: S,
    genuine: &str,
    make: impl Fn(S::Value) -> String,
) {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: PROPTEST_CASES,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let (runs, unchanged) = (Cell::new(0u64), Cell::new(0u64));
    let (forged, checked) = (Cell::new(0usize), Cell::new(0usize));
    let result = runner.run(&strategy, |v| -> TestCaseResult {
        let token = make(v);
        let got = t.app.page::<Counter>(&token);
        let outcome = Outcome::of(&got);
        runs.set(runs.get() + 1);
        if outcome.is_token_refusal() {
            t.refused();
        }
        if token == genuine {
            unchanged.set(unchanged.get() + 1);
            prop_assert_eq!(outcome, Accepted, "the unchanged token was refused");
            return Ok(());
        }
        if outcome == Accepted {
            forged.set(forged.get() + 1);
        }
        prop_assert_ne!(outcome, Accepted, "accepted a forgery: {:?}", token);
        if let Err(e) = &got {
            checked.set(checked.get() + 1);
            // Short inputs may be a substring of any message by chance.
            if token.chars().count() >= 16 {
                if let Some(l) = leak(e, &token) {
                    return Err(TestCaseError::fail(l));
                }
            }
        }
        Ok(())
    });
    s.forgeries_accepted += forged.get();
    s.outputs_checked += checked.get();
    let expected = format!("{PROPTEST_CASES} cases, refused unless unchanged");
    match result {
        Ok(()) => s.row(
            &format!("proptest: {case}"),
            &expected,
            &format!(
                "{} presented: {} refused, {} unchanged accepted",
                runs.get(),
                runs.get() - unchanged.get(),
                unchanged.get()
            ),
            true,
        ),
        Err(TestError::Fail(why, value)) => {
            let mut v = format!("{value:?}");
            v.truncate(200);
            s.row(
                &format!("proptest: {case}"),
                &expected,
                &format!("FAILED: {why} (minimal input {v})"),
                false,
            );
        }
        Err(TestError::Abort(why)) => s.row(
            &format!("proptest: {case}"),
            &expected,
            &format!("ABORTED: {why}"),
            false,
        ),
    }
}

fn fuzz_attacks(s: &mut Suite, t: &Target, good: &str) {
    fuzz(s, t, "arbitrary strings", any::<String>(), good, |x| x);
    fuzz(
        s,
        t,
        "arbitrary bytes, up to 6000 (lossy UTF-8)",
        prop::collection::vec(any::<u8>(), 0..6000),
        good,
        |b| String::from_utf8_lossy(&b).into_owned(),
    );
    fuzz(
        s,
        t,
        "three base64url-alphabet parts",
        proptest::string::string_regex(
            "[A-Za-z0-9_-]{0,80}\\.[A-Za-z0-9_-]{0,300}\\.[A-Za-z0-9_-]{0,60}",
        )
        .unwrap(),
        good,
        |x| x,
    );
    fuzz(
        s,
        t,
        "one random char edit of a valid token",
        edit(),
        good,
        |e| apply(good, &e),
    );

    // Exhaustively: every position, a few replacement characters.
    let (mut presented, mut accepted, mut leaks) = (0, 0, 0);
    for i in 0..good.len() {
        for c in ['A', 'x', '-', '_', '.', '='] {
            let mut chars: Vec<char> = good.chars().collect();
            if chars[i] == c {
                continue;
            }
            chars[i] = c;
            let token: String = chars.into_iter().collect();
            let got = t.app.page::<Counter>(&token);
            let outcome = Outcome::of(&got);
            presented += 1;
            if outcome.is_token_refusal() {
                t.refused();
            }
            match &got {
                Ok(_) => accepted += 1,
                Err(e) => {
                    s.outputs_checked += 1;
                    if leak(e, &token).is_some() {
                        leaks += 1;
                    }
                }
            }
        }
    }
    s.forgeries_accepted += accepted;
    s.row(
        &format!("every 1-char replacement of the token ({presented})"),
        "all refused, no leak",
        &format!(
            "{} refused, {accepted} accepted, {leaks} leaks",
            presented - accepted
        ),
        presented > 0 && accepted == 0 && leaks == 0,
    );
}

/// `exp` and the leeway, to the millisecond of the injected clock.
fn expiry_attacks(s: &mut Suite) -> Target {
    s.section = "expiry (ManualClock)";
    let t = target("expiry", |_| {});
    let token = t
        .app
        .new_page(Counter { n: 1 })
        .unwrap()
        .token()
        .to_string();
    let claims = claims_of(&token);
    let same_keys = app_on(&t.clock, config("app-2", &[(KID, SECRET_HEX)]));
    let foreign = same_keys
        .new_page(Counter { n: 1 })
        .unwrap()
        .token()
        .to_string();

    t.clock.advance(Duration::from_secs(TTL + LEEWAY));
    s.page::<Counter>(
        &t,
        "now = exp + leeway: just inside (control)",
        &token,
        Accepted,
    );
    t.clock.advance(Duration::from_millis(999));
    s.page::<Counter>(
        &t,
        "now = exp + leeway + 0.999 s, same second (control)",
        &token,
        Accepted,
    );
    t.clock.advance(Duration::from_millis(1));
    s.page::<Counter>(
        &t,
        "now = exp + leeway + 1 s: expired beyond the leeway",
        &token,
        Expired(T0 + TTL),
    );
    s.page_id(&t, "expired beyond the leeway", &token, Expired(T0 + TTL));
    let mut old = claims.clone();
    old["iat"] = json!(1);
    old["exp"] = json!(2);
    s.page::<Counter>(
        &t,
        "long expired, correctly signed (exp = 2)",
        &sign(Algorithm::HS256, Some(KID), SECRET_HEX, &old),
        Expired(2),
    );
    s.page::<Counter>(
        &t,
        "expired, other app (time before application)",
        &foreign,
        Expired(T0 + TTL),
    );
    let fresh = t
        .app
        .new_page(Counter { n: 2 })
        .unwrap()
        .token()
        .to_string();
    s.page::<Counter>(&t, "a token issued now (control)", &fresh, Accepted);
    t
}

/// `application.page_ttl`: a valid token of an idle page finds nothing.
fn idle_attacks(s: &mut Suite) -> Target {
    s.section = "idle pages (page_ttl 600 s)";
    let t = target("idle", |c| {
        c.application.page_ttl = Duration::from_secs(600);
        c.application.cleanup_interval = Duration::from_secs(600);
    });
    let idle = t.app.new_page(Counter { n: 1 }).unwrap();
    let busy = t.app.new_page(Counter { n: 2 }).unwrap();
    let swept = t.app.new_page(Counter { n: 3 }).unwrap();
    t.clock.advance(Duration::from_secs(300));
    s.page::<Counter>(&t, "touched at 300 s (control)", busy.token(), Accepted);
    t.clock.advance(Duration::from_secs(300));
    s.page::<Counter>(
        &t,
        "idle page_ttl, before any cleanup",
        idle.token(),
        PageNotFound,
    );
    let removed = t.app.cleanup_expired();
    s.row(
        "cleanup_expired() removes the other idle page",
        "1 removed",
        &format!("{removed} removed"),
        removed == 1,
    );
    s.page::<Counter>(
        &t,
        "idle page removed by cleanup_expired()",
        swept.token(),
        PageNotFound,
    );
    s.page::<Counter>(
        &t,
        "the touched page lives (control)",
        busy.token(),
        Accepted,
    );
    t
}

/// Key rotation: the retired key verifies while its tokens can live, then
/// never again (step 4, `RetiredKey`, comes before the time check).
fn rotation_attacks(s: &mut Suite) -> Target {
    s.section = "key rotation";
    let t = target("rotation", |_| {});
    let old = t
        .app
        .new_page(Counter { n: 1 })
        .unwrap()
        .token()
        .to_string();
    let new_kid = t.app.rotate_key();
    let ids = t.app.key_ids();
    s.row(
        "rotate_key(): new signing key, old one verify-only",
        &format!("[{new_kid}, {KID}]"),
        &format!("[{}]", ids.join(", ")),
        ids == [new_kid.as_str(), KID],
    );
    s.page::<Counter>(
        &t,
        "retired key's token right after rotate_key() (control)",
        &old,
        Accepted,
    );
    let newer = t
        .app
        .new_page(Counter { n: 2 })
        .unwrap()
        .token()
        .to_string();
    s.page::<Counter>(&t, "new key's token (control)", &newer, Accepted);

    t.clock.advance(Duration::from_secs(TTL + LEEWAY));
    s.page::<Counter>(
        &t,
        "retired key's token at retired_at + ttl + leeway (control)",
        &old,
        Accepted,
    );
    t.clock.advance(Duration::from_secs(1));
    s.page::<Counter>(
        &t,
        "retired key's token past ttl + leeway, before cleanup",
        &old,
        Invalid(TokenProblem::RetiredKey),
    );
    t.app.cleanup_expired();
    let ids = t.app.key_ids();
    s.row(
        "cleanup_expired() drops the retired key",
        &format!("[{new_kid}]"),
        &format!("[{}]", ids.join(", ")),
        ids == [new_kid.as_str()],
    );
    s.page::<Counter>(
        &t,
        "retired key's token after cleanup_expired()",
        &old,
        Invalid(TokenProblem::RetiredKey),
    );
    let now = T0 + TTL + LEEWAY + 1;
    let mut fresh_claims = claims_of(&old);
    fresh_claims["iat"] = json!(now);
    fresh_claims["exp"] = json!(now + TTL);
    s.page::<Counter>(
        &t,
        "fresh claims signed with the retired key's secret",
        &sign(Algorithm::HS256, Some(KID), SECRET_HEX, &fresh_claims),
        Invalid(TokenProblem::RetiredKey),
    );
    s.page::<Counter>(
        &t,
        "new key's token from T0, past ttl + leeway",
        &newer,
        Expired(T0 + TTL),
    );
    let fresh = t
        .app
        .new_page(Counter { n: 3 })
        .unwrap()
        .token()
        .to_string();
    s.page::<Counter>(&t, "a token issued now (control)", &fresh, Accepted);
    t
}

/// `refresh_token`: the previous token lives `token.nonce_window`, older
/// ones not at all.
fn replacement_attacks(s: &mut Suite) -> Target {
    s.section = "refreshed tokens (nonce_window 60 s)";
    let t = target("replaced", |_| {});
    let mut page = t.app.new_page(Counter { n: 1 }).unwrap();
    let first = page.token().to_string();
    let second = page.refresh_token().unwrap().to_string();
    s.page::<Counter>(
        &t,
        "previous token inside the window (control)",
        &first,
        Accepted,
    );
    let third = page.refresh_token().unwrap().to_string();
    s.page::<Counter>(
        &t,
        "token of two refreshes ago, inside the window",
        &first,
        Invalid(TokenProblem::Replaced),
    );
    t.clock
        .advance(Duration::from_millis(NONCE_WINDOW * 1000 - 1));
    s.page::<Counter>(
        &t,
        "previous token, window - 1 ms (control)",
        &second,
        Accepted,
    );
    t.clock.advance(Duration::from_millis(1));
    s.page::<Counter>(
        &t,
        "previous token, past nonce_window",
        &second,
        Invalid(TokenProblem::Replaced),
    );
    s.page::<Counter>(&t, "current token (control)", &third, Accepted);
    s.page::<Label>(
        &t,
        "current token, page::<Label> on a Counter page",
        &third,
        WrongPageType,
    );
    t
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn token_attacks_are_all_refused_specifically() {
    let mut s = Suite::default();
    let targets = [
        static_attacks(&mut s),
        expiry_attacks(&mut s),
        idle_attacks(&mut s),
        rotation_attacks(&mut s),
        replacement_attacks(&mut s),
    ];
    s.check_metrics(&targets.iter().collect::<Vec<_>>());
    println!("{}", s.table());
    assert_eq!(s.forgeries_accepted, 0, "accepted forgeries");
    assert!(
        s.failures.is_empty(),
        "{} of {} cases failed:\n{}",
        s.failures.len(),
        s.rows.len(),
        s.failures.join("\n")
    );
}

/// The bookkeeping above can fail: an accepted forgery, a wrong error, a
/// wrong op and a leaking message are all caught.
#[test]
fn the_harness_catches_what_it_must() {
    let mut s = Suite::default();
    let t = target("harness", |_| {});
    let page = t.app.new_page(Counter { n: 1 }).unwrap();
    let good = page.token().to_string();
    s.page::<Counter>(
        &t,
        "genuine presented as a forgery",
        &good,
        Invalid(TokenProblem::Algorithm),
    );
    assert_eq!((s.forgeries_accepted, s.failures.len()), (1, 1));
    let none = raw(&json!({"alg": "none", "kid": KID}), &claims_of(&good), "");
    s.page::<Counter>(
        &t,
        "wrong problem expected",
        &none,
        Invalid(TokenProblem::Signature),
    );
    assert_eq!((s.forgeries_accepted, s.failures.len()), (1, 2));
    let got = t.app.page::<Counter>(&none);
    s.record(
        &t,
        "wrong op expected",
        "page_id",
        &none,
        Invalid(TokenProblem::Algorithm),
        got,
    );
    assert_eq!(s.failures.len(), 3);
    assert!(s.rows[2].got.contains("op \"page\""), "{}", s.rows[2].got);

    let leaky = Error::DataInvalid {
        op: "page",
        message: format!("refused {good}"),
    };
    assert!(leak(&leaky, &good).is_some());
    let sig = &parts(&good)[2];
    let leaky = Error::DataInvalid {
        op: "page",
        message: format!("bad signature {sig}"),
    };
    assert!(leak(&leaky, &good).is_some());
    let leaky = Error::DataInvalid {
        op: "page",
        message: format!("key {}", &SECRET_HEX[..20]),
    };
    assert!(leak(&leaky, "").is_some());
    let clean = t.app.page::<Counter>(&none).unwrap_err();
    assert!(leak(&clean, &none).is_none(), "{clean}");

    // Two refusals were recorded; `clean` was presented unrecorded, so the
    // metric (3) and the count (2) disagree, and the check flags it.
    assert_eq!(t.refusals.get(), 2);
    assert_eq!(t.app.metrics().token_validation_fails_total, 3);
    s.check_metrics(&[&t]);
    assert_eq!(s.failures.len(), 4, "{:?}", s.failures);
}

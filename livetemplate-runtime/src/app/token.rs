//! Page tokens: HS256 JWTs signed with a keyring (STUB: being written).

use std::sync::Arc;

use super::clock::Clock;
use super::config::TokenConfig;
use crate::error::Error;

/// The claims of a page token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Claims {
    pub app_id: String,
    pub page_id: String,
    pub iat: u64,
    pub exp: u64,
    pub jti: String,
}

pub(crate) struct TokenService {}

impl TokenService {
    pub(crate) fn new(
        _config: &TokenConfig,
        _app_id: &str,
        _clock: Arc<dyn Clock>,
    ) -> Result<Self, Error> {
        todo!()
    }
    pub(crate) fn issue(&self, _page_id: &str) -> Result<(String, Claims), Error> {
        todo!()
    }
    pub(crate) fn verify(&self, _token: &str) -> Result<Claims, Error> {
        todo!()
    }
    pub(crate) fn rotate_key(&self) -> String {
        todo!()
    }
    pub(crate) fn drop_retired_keys(&self) -> usize {
        todo!()
    }
    pub(crate) fn key_ids(&self) -> Vec<String> {
        todo!()
    }
}

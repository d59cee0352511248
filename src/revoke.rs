//! Revoke (opt-in): ask the Hub to invalidate leaked tokens (issue 13, DESIGN §10).

use serde::Serialize;

/// What `--revoke` did about a finding's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Revocation {
    /// The token was sent to the Hub's revoke endpoint, which accepted the request.
    Requested,
}

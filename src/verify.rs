//! Verify (opt-in): what the Hub says each token is. Data types; the HTTP client follows.

use serde::Serialize;

/// The Hub's answer for one token (DESIGN §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// 200: the token works.
    Valid,
    /// 401: revoked or never valid.
    Invalid,
    /// 403: the token exists but may not call whoami: not "valid".
    Forbidden,
    /// Anything else, or no answer.
    Unknown,
    /// `--verify` was not asked for.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Forbidden => "forbidden",
            Status::Unknown => "unknown",
            Status::Skipped => "skipped",
        }
    }
}

/// What verification learned about one token. Never holds the token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub status: Status,
    /// `read`, `write`, `god` or `fineGrained`; `None` for OAuth tokens and failures.
    pub role: Option<String>,
    pub token_name: Option<String>,
    pub owner: Option<String>,
    /// Fine-grained permissions: `global` ones and each `scoped[].permissions`, deduplicated.
    pub permissions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub orgs: Vec<String>,
    /// Why the status is what it is (an HTTP status, a network error), for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Verification {
    pub fn skipped() -> Self {
        Verification {
            status: Status::Skipped,
            role: None,
            token_name: None,
            owner: None,
            permissions: Vec::new(),
            orgs: Vec::new(),
            detail: None,
        }
    }

    pub fn with_status(status: Status) -> Self {
        Verification {
            status,
            ..Verification::skipped()
        }
    }
}

/// Permissions that cannot change anything: reads, and calling inference (which the Hub names
/// `…write` because it spends the owner's credits, not because it changes a repository).
pub fn is_read_only_permission(permission: &str) -> bool {
    permission.rsplit('.').next() == Some("read")
        || matches!(
            permission,
            "inference.serverless.write" | "inference.endpoints.infer.write"
        )
}

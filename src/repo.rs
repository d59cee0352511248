//! Hub repositories by name: their kinds (model, dataset, Space), `owner/name` ids checked
//! against the Hub's own character set (so a name can never add a path segment, a query or a
//! git option to the URLs and commands built from it), and URL segments. Plain data, used by
//! the Hub source, the need map and the judge alike.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// The kinds of Hub repository, and storage buckets (files without git: no revisions, no
/// discussions).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Model,
    Dataset,
    Space,
    Bucket,
}

impl Kind {
    /// What an owner's listing reads; buckets only when asked (`--buckets`).
    pub const ALL: [Kind; 3] = [Kind::Model, Kind::Dataset, Kind::Space];

    /// The API's plural: `/api/{plural}/{id}/…`.
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Model => "models",
            Kind::Dataset => "datasets",
            Kind::Space => "spaces",
            Kind::Bucket => "buckets",
        }
    }

    /// What precedes the id in web and git URLs (models have none).
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Model => "",
            Kind::Dataset => "datasets/",
            Kind::Space => "spaces/",
            Kind::Bucket => "buckets/",
        }
    }
}

/// One repository on the Hub.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct Repo {
    pub kind: Kind,
    /// `owner/name`.
    pub id: String,
}

impl Repo {
    /// `spaces/acme/demo`, `acme/model`: the JSON `source.repo`.
    pub fn name(&self) -> String {
        format!("{}{}", self.kind.prefix(), self.id)
    }

    /// `hf://spaces/acme/demo`.
    pub fn display(&self) -> String {
        format!("hf://{}", self.name())
    }

    /// `hf://spaces/acme/demo` or `hf://spaces/acme/demo@refs%2Fpr%2F1`.
    pub fn display_at(&self, revision: Option<&str>) -> String {
        match revision {
            Some(rev) => format!("{}@{}", self.display(), encode_segment(rev)),
            None => self.display(),
        }
    }
}

/// A Hub user, organisation or repository name.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 96
        && !s.starts_with(['-', '.'])
        && !s.contains("..")
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A repository id as the Hub lists it: `owner/name`, both names.
pub fn is_repo_id(s: &str) -> bool {
    matches!(s.split_once('/'), Some((o, n)) if is_name(o) && is_name(n))
}

/// Everything but unreserved characters: one URL path segment, `/` included.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Encodes `s` as one URL path segment (`refs/pr/1` → `refs%2Fpr%2F1`).
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Encodes a repository file path segment by segment, keeping its `/`.
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

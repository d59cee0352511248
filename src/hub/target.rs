//! `hf://` targets as the user types them (huggingface_hub's `HfFileSystem` convention) and the
//! repositories they name. Parsing only: nothing here touches the network.
//!
//! Owner and repository names are checked against the Hub's own character set, so a name can
//! never add a path segment, a query or a git option to the URLs and commands built from it.

use percent_encoding::percent_decode_str;

pub use crate::repo::{encode_path, encode_segment, is_name, is_repo_id, Kind, Repo};

/// What one `hf://` argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// One repository, at a revision (`None`: the default branch).
    Repo {
        repo: Repo,
        revision: Option<String>,
    },
    /// Every repository of a user or organisation; `kind` narrows it (`hf://spaces/acme`).
    Owner { owner: String, kind: Option<Kind> },
}

/// A target that cannot be scanned.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("{0:?}: expected hf://[datasets/|spaces/]OWNER[/NAME][@REVISION]")]
    Shape(String),
    #[error("{0:?}: {1:?} is not a Hub name (letters, digits, '-', '_' and '.'; at most 96)")]
    Name(String, String),
    #[error("{0:?}: paths inside a repository are not supported; name the repository")]
    Path(String),
    #[error("{0:?}: a revision needs a repository (hf://OWNER/NAME@REVISION)")]
    OwnerRevision(String),
    #[error("{0:?}: a storage bucket has no revisions (hf://buckets/OWNER/NAME)")]
    BucketRevision(String),
    #[error(
        "{0:?}: the revision is empty, starts with '-', holds control characters or a `.`, `..` \
         or empty path segment"
    )]
    Revision(String),
}

/// True for arguments that name the Hub rather than a local path.
pub fn is_hub(arg: &str) -> bool {
    arg.starts_with("hf://")
}

/// Parses `hf://[datasets/|spaces/|models/]OWNER[/NAME][@REV]`; `REV` may be percent-encoded
/// (`refs%2Fpr%2F1`).
pub fn parse(text: &str) -> Result<Target, TargetError> {
    let shape = || TargetError::Shape(text.to_owned());
    let rest = text.strip_prefix("hf://").ok_or_else(shape)?;
    let rest = rest.trim_end_matches('/');
    let (kind, rest) = match rest.split_once('/') {
        Some(("datasets", r)) => (Some(Kind::Dataset), r),
        Some(("spaces", r)) => (Some(Kind::Space), r),
        Some(("models", r)) => (Some(Kind::Model), r),
        Some(("buckets", r)) => (Some(Kind::Bucket), r),
        _ => (None, rest),
    };
    let (names, revision) = match rest.split_once('@') {
        Some((n, r)) => (n, Some(r)),
        None => (rest, None),
    };
    let parts: Vec<&str> = names.split('/').collect();
    for p in &parts {
        if !is_name(p) {
            return Err(TargetError::Name(text.to_owned(), (*p).to_owned()));
        }
    }
    if kind == Some(Kind::Bucket) && revision.is_some() {
        return Err(TargetError::BucketRevision(text.to_owned()));
    }
    let revision = match revision {
        None => None,
        Some(r) => {
            let decoded = percent_decode_str(r)
                .decode_utf8()
                .map_err(|_| TargetError::Revision(text.to_owned()))?
                .into_owned();
            // A `.` or `..` segment (also percent-encoded) would rewrite the API path the
            // revision is put in; an empty one is no git ref either.
            if decoded.is_empty()
                || decoded.starts_with('-')
                || decoded.chars().any(char::is_control)
                || decoded
                    .split('/')
                    .any(|seg| seg.is_empty() || seg == "." || seg == "..")
            {
                return Err(TargetError::Revision(text.to_owned()));
            }
            Some(decoded)
        }
    };
    match parts.as_slice() {
        [owner] => {
            if revision.is_some() {
                return Err(TargetError::OwnerRevision(text.to_owned()));
            }
            Ok(Target::Owner {
                owner: (*owner).to_owned(),
                kind,
            })
        }
        [owner, name] => Ok(Target::Repo {
            repo: Repo {
                kind: kind.unwrap_or(Kind::Model),
                id: format!("{owner}/{name}"),
            },
            revision,
        }),
        _ => Err(TargetError::Path(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(kind: Kind, id: &str, revision: Option<&str>) -> Target {
        Target::Repo {
            repo: Repo {
                kind,
                id: id.to_owned(),
            },
            revision: revision.map(str::to_owned),
        }
    }

    #[test]
    fn parses_every_shape() {
        assert_eq!(
            parse("hf://spaces/acme/demo"),
            Ok(repo(Kind::Space, "acme/demo", None))
        );
        assert_eq!(
            parse("hf://datasets/acme/data/"),
            Ok(repo(Kind::Dataset, "acme/data", None))
        );
        assert_eq!(
            parse("hf://acme/model"),
            Ok(repo(Kind::Model, "acme/model", None))
        );
        assert_eq!(
            parse("hf://spaces/acme/demo@refs%2Fpr%2F1"),
            Ok(repo(Kind::Space, "acme/demo", Some("refs/pr/1")))
        );
        assert_eq!(
            parse("hf://acme"),
            Ok(Target::Owner {
                owner: "acme".into(),
                kind: None
            })
        );
        assert_eq!(
            parse("hf://buckets/acme/logs"),
            Ok(repo(Kind::Bucket, "acme/logs", None))
        );
        assert_eq!(
            parse("hf://buckets/acme"),
            Ok(Target::Owner {
                owner: "acme".into(),
                kind: Some(Kind::Bucket)
            })
        );
        assert_eq!(
            parse("hf://buckets/acme/logs@main"),
            Err(TargetError::BucketRevision(
                "hf://buckets/acme/logs@main".into()
            ))
        );
        assert_eq!(
            parse("hf://spaces/acme"),
            Ok(Target::Owner {
                owner: "acme".into(),
                kind: Some(Kind::Space)
            })
        );
    }

    #[test]
    fn refuses_what_could_change_a_url_or_a_command() {
        for bad in [
            "hf://",
            "hf://acme/../x",
            "hf://acme/x?y=1",
            "hf://acme/x#y",
            "hf://-acme/x",
            "hf://acme/x/y/z",
            "hf://acme@main",
            "hf://acme/x@",
            "hf://acme/x@--upload-pack=evil",
            "hf://acme/x@a%0Ab",
            "hf://acme/%2e%2e",
            "hf://acme/m@..",
            "hf://acme/m@.",
            "hf://acme/m@%2e%2e",
            "hf://acme/m@%2E%2E%2Fx",
            "hf://acme/m@refs/../x",
            "hf://acme/m@refs//x",
            "hf://acme/m@refs%2Fpr%2F..",
        ] {
            assert!(parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn displays_and_encodes() {
        let r = Repo {
            kind: Kind::Space,
            id: "acme/demo".into(),
        };
        assert_eq!(
            r.display_at(Some("refs/pr/1")),
            "hf://spaces/acme/demo@refs%2Fpr%2F1"
        );
        assert_eq!(encode_path("a b/c#d.py"), "a%20b/c%23d.py");
        assert!(is_repo_id("acme/demo") && !is_repo_id("acme") && !is_repo_id("a/b/c"));
    }
}

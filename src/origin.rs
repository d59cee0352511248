//! Where a blob's bytes came from. A source makes one for each blob it hands over (a file on
//! disk, a git blob, a Hub file, discussion or variable); an archive wraps the origin of the
//! blob it opened around each member's. The matcher never looks at it: the fold turns it into
//! what a finding shows (its path, its commit, where on the Hub).

use std::sync::Arc;

use crate::model::{CommitInfo, HubItem, Source};

/// Where a blob came from (noseyparker's `Provenance`, kingfisher's `Origin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A file of a tree on disk, or a stream the user named (`-`, a FIFO): its report path, as
    /// the user named it (shared: the tree source keeps it for the second look too).
    File(Arc<str>),
    /// A file version in git: its repository-relative path, and the commit that introduced
    /// what is reported from it (`None`: staged, not committed yet). Boxed, as the Hub's: every
    /// blob carries an origin, and most are plain files.
    Git {
        path: String,
        commit: Option<Box<CommitInfo>>,
    },
    /// Something on the Hub.
    Hub(Box<HubOrigin>),
    /// A file inside an archive (or the content of a compressed file), named as the archive
    /// names it.
    Member { outer: Arc<Origin>, name: String },
}

/// Where on the Hub a blob was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubOrigin {
    /// The report path: `hf://spaces/acme/demo/app.py`, `…/discussions/7`.
    pub path: String,
    pub place: Source,
    /// The commit that introduced what is reported, with `--history`.
    pub commit: Option<CommitInfo>,
}

impl Origin {
    /// A file version in git.
    pub fn git(path: impl Into<String>, commit: Option<CommitInfo>) -> Origin {
        Origin::Git {
            path: path.into(),
            commit: commit.map(Box::new),
        }
    }

    /// Something on the Hub.
    pub fn hub(path: String, place: Source, commit: Option<CommitInfo>) -> Origin {
        Origin::Hub(Box::new(HubOrigin {
            path,
            place,
            commit,
        }))
    }

    /// The report path: `outer.zip!inner/file.py` for a member.
    pub fn path(&self) -> String {
        match self {
            Origin::Member { outer, name } => format!("{}!{name}", outer.path()),
            other => other.own_path().to_owned(),
        }
    }

    /// The path whose name says what the bytes are (platform, kind of file): a member's own
    /// name (a `.env` in a tarball is an env file), else the report path.
    pub fn context_path(&self) -> &str {
        match self {
            Origin::Member { name, .. } => name,
            other => other.own_path(),
        }
    }

    /// The last segment of [`Origin::context_path`]: what a compressed file is named after.
    pub fn file_name(&self) -> &str {
        let path = self.context_path();
        path.rsplit('/').next().unwrap_or(path)
    }

    fn own_path(&self) -> &str {
        match self {
            Origin::File(path) => path,
            Origin::Git { path, .. } => path,
            Origin::Hub(hub) => &hub.path,
            Origin::Member { name, .. } => name,
        }
    }

    /// The origin of the blob everything else is inside: not a member.
    pub fn root(&self) -> &Origin {
        match self {
            Origin::Member { outer, .. } => outer.root(),
            other => other,
        }
    }

    /// A file of a Space repository on the Hub: its code runs on the Hub's servers.
    pub fn in_hub_space(&self) -> bool {
        matches!(self.root(), Origin::Hub(hub)
            if hub.place.item == HubItem::File && hub.place.repo.starts_with("spaces/"))
    }

    /// The commit that introduced what is reported, for git and `--history`.
    pub fn commit(&self) -> Option<&CommitInfo> {
        match self.root() {
            Origin::Git { commit, .. } => commit.as_deref(),
            Origin::Hub(hub) => hub.commit.as_ref(),
            _ => None,
        }
    }

    /// Where on the Hub, for the Hub source.
    pub fn hub_place(&self) -> Option<&Source> {
        match self.root() {
            Origin::Hub(hub) => Some(&hub.place),
            _ => None,
        }
    }

    /// The same place inside `root` instead of this origin's own root: git and `--history`
    /// name the commit that introduced what is reported only after reading a file version,
    /// and give its members that commit's root.
    #[must_use]
    pub fn rebased(&self, root: Origin) -> Origin {
        match self {
            Origin::Member { outer, name } => Origin::Member {
                outer: Arc::new(outer.rebased(root)),
                name: name.clone(),
            },
            _ => root,
        }
    }

    /// The same place, for a member named `name`.
    pub fn member(self: &Arc<Self>, name: impl Into<String>) -> Origin {
        Origin::Member {
            outer: Arc::clone(self),
            name: name.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_named_inside_their_archive_and_judged_by_their_own_name() {
        let outer = Arc::new(Origin::File("dist/release.tar.gz".into()));
        let tar = Arc::new(outer.member("release.tar"));
        let env = tar.member("app/.env");
        assert_eq!(env.path(), "dist/release.tar.gz!release.tar!app/.env");
        assert_eq!(env.context_path(), "app/.env");
        assert_eq!(env.file_name(), ".env");
        assert_eq!(outer.file_name(), "release.tar.gz");
        assert_eq!(env.root(), &*outer);
        assert!(env.commit().is_none() && env.hub_place().is_none());
    }
}

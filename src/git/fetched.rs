//! Reading a repository hfaudit fetched itself (a Hub repository's revisions, in a temporary
//! folder): its refs, the files of a revision, and blobs handed to the caller one by one. Git
//! runs there as everywhere (no program the repository names, no lazy fetch), and without the
//! environment that could point it at another repository.

use std::path::Path;

use super::blobs::{read_blobs, Blob, Feeder, Limits};
use super::process::{self, Git, GitError};

/// One file of a revision, as `git ls-tree -r -l` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    pub path: String,
    pub oid: String,
    pub size: u64,
}

/// The refs of the repository at `dir` and the object each names: `(refs/…, id)`.
pub fn refs(dir: &Path) -> Result<Vec<(String, String)>, GitError> {
    let git = Git::sandbox(dir);
    let out = process::output(git.command(["for-each-ref", "--format=%(objectname) %(refname)"]))?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: "for-each-ref".into(),
            message: process::first_lines(&out.stderr, out.status.code()),
        });
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Ok(text
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(id, name)| (name.to_owned(), id.to_owned()))
        .collect())
}

/// The regular files of `commit` (symbolic links and submodules left out), at most `max` of
/// them; the second value says there were more.
pub fn tree_files(dir: &Path, commit: &str, max: usize) -> Result<(Vec<TreeFile>, bool), GitError> {
    let git = Git::sandbox(dir);
    let out =
        process::output(git.command(["ls-tree", "-r", "-l", "-z", "--full-tree", commit, "--"]))?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: "ls-tree".into(),
            message: process::first_lines(&out.stderr, out.status.code()),
        });
    }
    let mut files = Vec::new();
    let bad = |detail: String| GitError::Parse {
        command: "ls-tree",
        detail,
    };
    for entry in out.stdout.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`
        let tab = entry
            .iter()
            .position(|b| *b == b'\t')
            .ok_or_else(|| bad("an entry without a path".into()))?;
        let head = String::from_utf8_lossy(&entry[..tab]);
        let mut fields = head.split_ascii_whitespace();
        let (Some(mode), Some(kind), Some(oid), Some(size)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(bad(format!("unexpected entry {head:?}")));
        };
        if kind != "blob" || mode == "120000" {
            continue;
        }
        let size = size
            .parse()
            .map_err(|_| bad(format!("unexpected size {size:?}")))?;
        if files.len() == max {
            return Ok((files, true));
        }
        files.push(TreeFile {
            path: String::from_utf8_lossy(&entry[tab + 1..]).into_owned(),
            oid: oid.to_owned(),
            size,
        });
    }
    Ok((files, false))
}

/// Reads each requested blob once per request (`(object id, tag)`) and hands it to `each`, on
/// rayon's threads; the results in request order. Blobs larger than `max_size` come as
/// [`Blob::TooBig`], unread.
pub fn each_blob<T, R>(
    dir: &Path,
    wanted: Vec<(String, T)>,
    max_size: Option<u64>,
    limits: Limits,
    each: impl for<'b> Fn(T, Blob<'b>) -> R + Sync + Send,
) -> Result<Vec<R>, GitError>
where
    T: Send,
    R: Send,
{
    let git = Git::sandbox(dir);
    let ((), found) = read_blobs(
        &git,
        1,
        max_size,
        limits,
        move |feeder: &mut Feeder<T>| {
            for (oid, tag) in wanted {
                feeder.request(&oid, 0, tag)?;
            }
            Ok(())
        },
        each,
    )?;
    Ok(found)
}

//! The files `hfaudit plan` reads: a tree walk with `.gitignore`, `.ignore` and the config's
//! `exclude` respected, regular files only, up to a size. Files are read one at a time, as the
//! plan asks for them, so a large tree is never held in memory.
//!
//! A stand-in until the pipeline's blob source serves plans too.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::WalkBuilder;

/// How to walk.
#[derive(Debug, Clone)]
pub struct TreeOptions {
    pub paths: Vec<PathBuf>,
    pub respect_ignore: bool,
    /// Larger files are skipped (and listed).
    pub max_filesize: u64,
    /// The config's `exclude` globs, relative to `exclude_root`.
    pub exclude: Vec<String>,
    pub exclude_root: PathBuf,
}

/// What the walk could not read, for notes.
#[derive(Debug, Default)]
pub struct Troubles {
    /// Paths skipped, with why (too big).
    pub skipped: Vec<(String, String)>,
    /// Paths that could not be read, with the error.
    pub errors: Vec<(String, String)>,
}

/// Extensions never worth reading for Hub calls (weights, media, archives, data).
const SKIP_EXT: &[&str] = &[
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "ico",
    "svg",
    "pdf",
    "mp3",
    "mp4",
    "wav",
    "flac",
    "ogg",
    "webm",
    "zip",
    "gz",
    "tgz",
    "bz2",
    "xz",
    "zst",
    "tar",
    "7z",
    "whl",
    "bin",
    "pt",
    "pth",
    "ckpt",
    "safetensors",
    "gguf",
    "onnx",
    "h5",
    "npy",
    "npz",
    "pkl",
    "parquet",
    "arrow",
    "so",
    "dylib",
    "dll",
    "exe",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "lock",
];

/// The report path of `path` under `root`: relative to the one folder planned, else as named.
fn report_path(path: &Path, root: Option<&Path>) -> String {
    let shown = root
        .and_then(|r| path.strip_prefix(r).ok())
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path);
    crate::walk::display_path(shown)
}

/// Walks `opts.paths` (default: the current folder) and yields (report path, bytes) for each
/// regular file; what could not be read goes to `troubles`.
pub fn files<'t>(
    opts: &TreeOptions,
    troubles: &'t RefCell<Troubles>,
) -> Result<impl Iterator<Item = (String, Vec<u8>)> + 't, ignore::Error> {
    let paths = if opts.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        opts.paths.clone()
    };
    // One folder: paths relative to it, so the plan reads the same wherever it runs from.
    let root = match paths.as_slice() {
        [one] if one.is_dir() => Some(one.clone()),
        _ => None,
    };
    let excluded = exclusions(opts)?;
    let mut builder = WalkBuilder::new(&paths[0]);
    for p in &paths[1..] {
        builder.add(p);
    }
    let ignore = opts.respect_ignore;
    builder
        .hidden(false)
        .parents(ignore)
        .ignore(ignore)
        .git_ignore(ignore)
        .git_global(ignore)
        .git_exclude(ignore)
        .require_git(false)
        .follow_links(false);
    let cwd = std::env::current_dir().unwrap_or_default();
    builder.filter_entry(move |e| {
        if e.file_name() == ".git" {
            return false;
        }
        let is_dir = e.file_type().is_some_and(|t| t.is_dir());
        !(e.depth() > 0
            && excluded.as_ref().is_some_and(|gi| {
                let abs = cwd.join(e.path());
                abs.starts_with(gi.path()) && gi.matched(&abs, is_dir).is_ignore()
            }))
    });
    let max = opts.max_filesize;
    Ok(builder.build().filter_map(move |entry| {
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                troubles
                    .borrow_mut()
                    .errors
                    .push((String::new(), err.to_string()));
                return None;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return None;
        }
        let path = entry.path();
        let shown = report_path(path, root.as_deref());
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if SKIP_EXT.contains(&ext.as_str()) {
            return None;
        }
        match crate::read::read_regular_file(path, max) {
            Ok(data) => Some((shown, data)),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                troubles
                    .borrow_mut()
                    .skipped
                    .push((shown, format!("larger than {max} bytes")));
                None
            }
            Err(e) => {
                troubles.borrow_mut().errors.push((shown, e.to_string()));
                None
            }
        }
    }))
}

/// The config's `exclude` globs as a gitignore rooted at the config's folder.
fn exclusions(opts: &TreeOptions) -> Result<Option<Gitignore>, ignore::Error> {
    if opts.exclude.is_empty() {
        return Ok(None);
    }
    let root = if opts.exclude_root.is_absolute() {
        opts.exclude_root.clone()
    } else {
        std::env::current_dir()
            .unwrap_or_default()
            .join(&opts.exclude_root)
    };
    let mut b = GitignoreBuilder::new(root);
    for glob in &opts.exclude {
        b.add_line(None, glob)?;
    }
    b.build().map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_hidden_workflows_respects_ignores_and_limits() {
        let dir = tempfile::tempdir().unwrap();
        let w = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        w(".github/workflows/a.yml", "run: hf upload acme/m .\n");
        w(".gitignore", "ignored/\n");
        w("ignored/x.py", "x\n");
        w("excluded/y.py", "y\n");
        w("big.py", &"#".repeat(200));
        w("model.safetensors", "weights");
        w("src/app.py", "ok\n");
        let troubles = RefCell::new(Troubles::default());
        let opts = TreeOptions {
            paths: vec![dir.path().to_path_buf()],
            respect_ignore: true,
            max_filesize: 100,
            exclude: vec!["excluded/".into()],
            exclude_root: dir.path().to_path_buf(),
        };
        let mut got: Vec<String> = files(&opts, &troubles).unwrap().map(|(p, _)| p).collect();
        got.sort();
        assert_eq!(got, [".github/workflows/a.yml", ".gitignore", "src/app.py"]);
        assert_eq!(troubles.borrow().skipped.len(), 1);
        assert_eq!(troubles.borrow().skipped[0].0, "big.py");
    }
}

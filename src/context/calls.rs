//! Calls and variable reads: what a file asks of the Hub (read and write calls, from
//! `data/calls.toml`) and which token variables it reads, for need inference.

use super::usage::{
    ends_with_ci, is_ident, line_start, split_ident_end, trim_end, trim_start, WINDOW,
};
use super::{memmem, BTreeSet, Deserialize, Need, Serialize, Words};

pub(super) const BUILTIN_CALLS: &str = include_str!("../../data/calls.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CallsFile {
    read: Vec<String>,
    write: Vec<String>,
    #[serde(default)]
    conditional: Vec<Conditional>,
}

/// A call that counts only when the same file also mentions one of `requires` (a Hub host).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Conditional {
    name: String,
    need: Need,
    requires: Vec<String>,
}

#[derive(Debug, Clone)]
pub(super) struct Pattern {
    name: String,
    write: bool,
    requires: Vec<String>,
}

/// The read and write call names, compiled into one matcher so a file is scanned in one pass.
#[derive(Debug, Clone)]
pub struct CallLists {
    read: Vec<String>,
    write: Vec<String>,
    conditional: Vec<Conditional>,
    /// `patterns[i]` is `words`' word `i`.
    patterns: Vec<Pattern>,
    words: Words,
}

impl CallLists {
    /// The lists in `data/calls.toml`, embedded in the binary.
    pub fn builtin() -> Self {
        let file: CallsFile =
            toml::from_str(BUILTIN_CALLS).expect("data/calls.toml is valid (tested)");
        Self::build(file.read, file.write, file.conditional)
    }

    /// Plain lists without conditional calls.
    pub fn new(read: Vec<String>, write: Vec<String>) -> Self {
        Self::build(read, write, Vec::new())
    }

    /// Adds the user's call names (config `extra read/write call names`) and rebuilds the matcher.
    pub fn extend<S: AsRef<str>>(&mut self, extra_read: &[S], extra_write: &[S]) {
        let mut read = std::mem::take(&mut self.read);
        let mut write = std::mem::take(&mut self.write);
        read.extend(extra_read.iter().map(|s| s.as_ref().to_owned()));
        write.extend(extra_write.iter().map(|s| s.as_ref().to_owned()));
        *self = Self::build(read, write, std::mem::take(&mut self.conditional));
    }

    /// Unconditional read call names.
    pub fn read(&self) -> &[String] {
        &self.read
    }

    /// Unconditional write call names.
    pub fn write(&self) -> &[String] {
        &self.write
    }

    fn build(read: Vec<String>, write: Vec<String>, conditional: Vec<Conditional>) -> Self {
        let mut seen = BTreeSet::new();
        let mut patterns = Vec::new();
        let plain = write
            .iter()
            .map(|n| (n, true, &[][..]))
            .chain(read.iter().map(|n| (n, false, &[][..])));
        let cond = conditional
            .iter()
            .map(|c| (&c.name, c.need == Need::Write, c.requires.as_slice()));
        // Write first: a name listed as both counts as a write.
        for (name, write, requires) in plain.chain(cond) {
            if name.is_empty() || !seen.insert(name.clone()) {
                continue;
            }
            patterns.push(Pattern {
                name: name.clone(),
                write,
                requires: requires.to_vec(),
            });
        }
        let words = Words::new(patterns.iter().map(|p| &p.name));
        CallLists {
            read,
            write,
            conditional,
            patterns,
            words,
        }
    }
}

/// The call names found in a scope, deduplicated and sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calls {
    pub reads: Vec<String>,
    pub writes: Vec<String>,
}

impl Calls {
    /// Write if any write call is in scope, read if only reads are, unknown otherwise.
    pub fn need(&self) -> Need {
        if !self.writes.is_empty() {
            Need::Write
        } else if !self.reads.is_empty() {
            Need::Read
        } else {
            Need::Unknown
        }
    }

    /// Adds the calls of another file in the same scope.
    pub fn merge(&mut self, other: &Calls) {
        for (mine, theirs) in [
            (&mut self.reads, &other.reads),
            (&mut self.writes, &other.writes),
        ] {
            let set: BTreeSet<String> = mine.drain(..).chain(theirs.iter().cloned()).collect();
            mine.extend(set);
        }
    }
}

/// Which read and write calls appear in `data`, in one pass of the matcher: every name at
/// every place it occurs.
pub fn calls_in(data: &[u8], lists: &CallLists) -> Calls {
    calls_in_scope(data, data, lists)
}

/// [`calls_in`] of a part of a file (one command of a CI step), where a conditional call
/// (`git push`) counts only when `scope` names its host; an empty scope leaves them out.
pub fn calls_in_scope(data: &[u8], scope: &[u8], lists: &CallLists) -> Calls {
    let mut reads = BTreeSet::new();
    let mut writes = BTreeSet::new();
    let mut hosts: Vec<(&str, bool)> = Vec::new();
    for (start, i) in lists.words.find_all(data) {
        let pattern = &lists.patterns[i];
        let name = pattern.name.as_bytes();
        let end = start + name.len();
        if is_ident(name[0]) && start > 0 && is_ident(data[start - 1]) {
            continue;
        }
        if is_ident(name[name.len() - 1]) && data.get(end).is_some_and(|&b| is_ident(b)) {
            continue;
        }
        let set = if pattern.write {
            &mut writes
        } else {
            &mut reads
        };
        if set.contains(&pattern.name) {
            continue;
        }
        if switched_off(&data[end..]) || in_line_comment(data, start) {
            continue;
        }
        let host_ok = pattern.requires.is_empty()
            || pattern.requires.iter().any(|host| {
                if let Some(&(_, found)) = hosts.iter().find(|(h, _)| *h == host.as_str()) {
                    return found;
                }
                let found = memmem::find(scope, host.as_bytes()).is_some();
                hosts.push((host.as_str(), found));
                found
            });
        if host_ok {
            set.insert(pattern.name.clone());
        }
    }
    Calls {
        reads: reads.into_iter().collect(),
        writes: writes.into_iter().collect(),
    }
}

/// Whether `at` sits on a whole-line comment (`# …`, `// …`, `/* … */` continuation,
/// `<!-- …`), also as a notebook source line (`"# …\n",`). Only whole lines: a `#` in the
/// middle of a line may be inside a string, and a call missed there would hide a write.
pub(super) fn in_line_comment(data: &[u8], at: usize) -> bool {
    let from = at.saturating_sub(400);
    let start = data[from..at]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(from, |p| from + p + 1);
    let mut line = trim_start(&data[start..at]);
    // A notebook's source lines are JSON strings, and a `\n` escape starts a new one.
    if let Some(p) = super::ESCAPED_NEWLINE_REV.rfind(line) {
        line = &line[p + 2..];
    }
    // …and each is an element of a JSON list: `"source": ["# …` or `, "# …`.
    let element = (0..line.len())
        .rev()
        .find(|&i| line[i] == b'"' && matches!(trim_end(&line[..i]).last(), Some(b'[' | b',')));
    let line = match element {
        Some(i) => &line[i + 1..],
        None => trim_start(line.strip_prefix(b"\"").unwrap_or(line)),
    };
    // Not `--`: a continued shell command's next line starts `--push-to-hub`.
    [&b"#"[..], b"//", b"* ", b"<!--", b"REM "]
        .iter()
        .any(|c| line.starts_with(c))
}

/// Whether the text after a call name sets it to an off value: `=False`, `": false`, `: bool = False`.
pub(super) fn switched_off(after: &[u8]) -> bool {
    let after = &after[..after.len().min(64)];
    let skip_quotes = |s: &[u8]| -> usize {
        s.iter()
            .take_while(|b| matches!(b, b'"' | b'\'' | b'\\'))
            .count()
    };
    let mut s = &after[skip_quotes(after)..];
    s = trim_start_inline(s);
    match s.first() {
        Some(b'=') if s.get(1) != Some(&b'=') => s = &s[1..],
        Some(b':') => {
            s = trim_start_inline(&s[1..]);
            // An annotated parameter default: `push_to_hub: bool = False`.
            let ident = s.iter().take_while(|&&b| is_ident(b)).count();
            let rest = trim_start_inline(&s[ident..]);
            if ident > 0 && rest.first() == Some(&b'=') && rest.get(1) != Some(&b'=') {
                s = &rest[1..];
            }
        }
        _ => return false,
    }
    s = trim_start_inline(s);
    s = &s[skip_quotes(s)..];
    let word = s.iter().take_while(|&&b| is_ident(b)).count();
    matches!(
        &s[..word],
        b"False" | b"false" | b"FALSE" | b"0" | b"None" | b"null" | b"no" | b"off"
    )
}

/// Skips spaces and tabs (not newlines: a value on the next line is something else).
pub(super) fn trim_start_inline(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|b| matches!(b, b' ' | b'\t')).count();
    &s[n..]
}

/// Environment variables that hold a Hugging Face token by convention. Each was checked
/// against public code (issue 18); where it is used:
pub const STANDARD_TOKEN_VARS: &[&str] = &[
    // huggingface_hub's own (and so transformers', datasets', diffusers', the `hf` CLI's).
    "HF_TOKEN",
    // huggingface_hub's older name, still read; text-generation-inference and SageMaker's
    // Hugging Face containers take it (PacktPublishing/LLM-Engineers-Handbook deploys with it).
    "HUGGING_FACE_HUB_TOKEN",
    // LangChain's (`HuggingFaceEndpoint`, `HuggingFaceHub`), and LangChain-based apps.
    "HUGGINGFACEHUB_API_TOKEN",
    // TruffleHog's `huggingface` source reads it; common in community apps.
    "HUGGINGFACE_TOKEN",
    // Community configs that try it after `HF_TOKEN` (crissyhsu/Table_Pet configs/config.py).
    "HUGGINGFACE_HUB_TOKEN",
    // Community apps (aashnajoshi/Inquira app/config.py).
    "HF_API_TOKEN",
    "HF_HUB_TOKEN",
    "HUGGINGFACE_API_KEY",
    "HF_API_KEY",
    // DeepSpeed-MII's examples (microsoft/DeepSpeed-MII mii/legacy/examples/benchmark/txt2img/
    // baseline-sd.py), pydantic settings of community apps (mlvanguards/custom-siri settings.py),
    // and build scripts that pass it as a build argument.
    "HF_AUTH_TOKEN",
    // Community apps, Python and JavaScript (yakibuta888/transcriber src/config.py,
    // `process.env.HUGGING_FACE_TOKEN` with @huggingface/inference).
    "HUGGING_FACE_TOKEN",
    // OntoLearner's documented variable (sciknoworg/OntoLearner docs/source/learners/llm.rst),
    // and apps around `InferenceClient` in Python and JavaScript.
    "HUGGINGFACE_ACCESS_TOKEN",
];

/// Which of `names` this file reads (not merely assigns), in their order.
///
/// These files join a token's scope when the token is assigned to such a variable elsewhere.
pub fn env_reads(data: &[u8], names: &Words) -> Vec<String> {
    let mut read = vec![false; names.as_slice().len()];
    for (p, i) in names.find_all(data) {
        if read[i] {
            continue;
        }
        let nb = names.as_slice()[i].as_bytes();
        let before = &data[p.saturating_sub(WINDOW.min(96))..p];
        let after_start = p + nb.len();
        let after = &data[after_start..data.len().min(after_start + 96)];
        let bounded = before.last().is_none_or(|&b| !is_ident(b))
            && after.first().is_none_or(|&b| !is_ident(b));
        read[i] = bounded && is_env_read(data, p, before, after);
    }
    names
        .as_slice()
        .iter()
        .zip(read)
        .filter(|(_, r)| *r)
        .map(|(n, _)| n.clone())
        .collect()
}

/// Assignment right after a reference (`= value`, not `==`): a write, not a read.
pub(super) fn assigned_after(after: &[u8]) -> bool {
    let s = trim_start_inline(after);
    s.first() == Some(&b'=') && s.get(1) != Some(&b'=')
}

pub(super) fn is_env_read(data: &[u8], pos: usize, before: &[u8], after: &[u8]) -> bool {
    // `$X`, `${X}`, `$(X)`, `%X%`, `$env:X`, `${{ secrets.X }}`, `${{ env.X }}`, `process.env.X`.
    let sigil = before.ends_with(b"$")
        || before.ends_with(b"${")
        || before.ends_with(b"$(")
        || (before.ends_with(b"%") && after.first() == Some(&b'%'))
        || ends_with_ci(before, b"$env:")
        || before.ends_with(b"secrets.")
        || before.ends_with(b"env.");
    if sigil {
        return !assigned_after(after);
    }

    // Quoted name as a subscript or call argument: `os.environ["X"]`, `os.getenv("X")`, …
    let quote_len = before
        .iter()
        .rev()
        .take_while(|b| matches!(b, b'"' | b'\'' | b'\\'))
        .count();
    if quote_len > 0
        && before[before.len() - quote_len..]
            .iter()
            .any(|&b| b != b'\\')
    {
        let outer = trim_end(&before[..before.len() - quote_len]);
        if let Some(obj) = outer.strip_suffix(b"[") {
            let obj = trim_end(obj);
            let env_object = [&b"environ"[..], b"env", b"ENV", b"secrets"]
                .iter()
                .any(|k| obj.ends_with(k));
            if env_object {
                let close = after
                    .iter()
                    .take_while(|b| matches!(b, b'"' | b'\'' | b'\\'))
                    .count();
                let rest = &after[close..];
                return rest.first() == Some(&b']') && !assigned_after(&rest[1..]);
            }
        }
        if let Some(call) = outer.strip_suffix(b"(") {
            let (_, func) = split_ident_end(trim_end(call));
            return matches!(
                func,
                b"get"
                    | b"getenv"
                    | b"Getenv"
                    | b"LookupEnv"
                    | b"var"
                    | b"var_os"
                    | b"fetch"
                    | b"get_secret"
                    | b"env"
            );
        }
    }

    // `X: ${{ … }}` in a workflow: the step gets the variable from the CI's secret store.
    let mapped = trim_start_inline(after)
        .strip_prefix(b":")
        .map(trim_start_inline)
        .is_some_and(|v| {
            let v = &v[v.iter().take_while(|b| matches!(b, b'"' | b'\'')).count()..];
            v.starts_with(b"${{")
        });
    if mapped {
        return true;
    }

    // Pass-through from the host: compose `- X`, `docker run -e X`, Dockerfile `ARG X`.
    let line_from = line_start(data, pos);
    let head = trim_start(&data[line_from..pos]);
    let tail_end = after
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(after.len());
    let tail = trim_end(&after[..tail_end]);
    let pass_through_head = matches!(head, b"- " | b"ARG " | b"arg ")
        || head.ends_with(b" -e ")
        || head.ends_with(b" --env ");
    pass_through_head && (tail.is_empty() || tail[0].is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// The meaning `calls_in` keeps: every name at every place it occurs, checked on its own.
    fn every_occurrence(data: &[u8], lists: &CallLists) -> Calls {
        let mut reads = BTreeSet::new();
        let mut writes = BTreeSet::new();
        for start in 0..data.len() {
            for p in &lists.patterns {
                let name = p.name.as_bytes();
                let end = start + name.len();
                if !data[start..].starts_with(name)
                    || (is_ident(name[0]) && start > 0 && is_ident(data[start - 1]))
                    || (is_ident(name[name.len() - 1])
                        && data.get(end).is_some_and(|&b| is_ident(b)))
                    || switched_off(&data[end..])
                    || in_line_comment(data, start)
                {
                    continue;
                }
                let host_ok = p.requires.is_empty()
                    || p.requires
                        .iter()
                        .any(|h| memmem::find(data, h.as_bytes()).is_some());
                if host_ok {
                    let set = if p.write { &mut writes } else { &mut reads };
                    set.insert(p.name.clone());
                }
            }
        }
        Calls {
            reads: reads.into_iter().collect(),
            writes: writes.into_iter().collect(),
        }
    }

    #[test]
    fn the_leftmost_search_finds_what_an_overlapping_one_would() {
        // Names that nest (`hf upload` in `hf upload-large-folder`, `upload_file` in
        // `upload_files`…), so the longest name at a place is often rejected and a shorter
        // one must still count.
        let lists = CallLists::new(
            vec!["load".into(), "load_dataset".into(), "hf download".into()],
            vec![
                "upload".into(),
                "upload_file".into(),
                "upload_files".into(),
                "hf upload".into(),
                "hf upload-large-folder".into(),
                "push_to_hub".into(),
            ],
        );
        let pieces: [&[u8]; 14] = [
            b"load",
            b"_dataset",
            b"up",
            b"upload",
            b"_file",
            b"s",
            b"hf ",
            b"hf upload",
            b"-large-folder",
            b"push_to_hub",
            b"=False",
            b"(",
            b"\n# ",
            b" x",
        ];
        let mut rng = StdRng::seed_from_u64(7);
        let mut fired = 0;
        for _ in 0..3000 {
            let mut data = Vec::new();
            for _ in 0..rng.gen_range(1..12) {
                data.extend_from_slice(pieces[rng.gen_range(0..pieces.len())]);
            }
            let want = every_occurrence(&data, &lists);
            fired += usize::from(want != Calls::default());
            assert_eq!(
                calls_in(&data, &lists),
                want,
                "{:?}",
                String::from_utf8_lossy(&data)
            );
        }
        assert!(fired > 500, "the pieces make calls often: {fired}");
    }
}

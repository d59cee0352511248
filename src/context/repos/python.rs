//! Hub calls in Python and JavaScript/TypeScript: huggingface_hub, transformers, datasets,
//! diffusers, peft, sentence-transformers and huggingface.js, from their tokens.

use std::collections::{HashMap, HashSet};

use super::lex::{self, Kind as T, Lang, Tok};
use super::{hub_url, name_repo, shell, Access, HubUse, Inference, Named, Target, UrlUse};
use crate::repo::{Kind, Repo};

mod calls;
mod js;
mod strings;

/// All the Hub calls of one file.
pub(super) fn uses(src: &[u8], lang: Lang) -> Vec<HubUse> {
    uses_of(src, &lex::tokens(src, lang), lang)
}

/// The Hub calls of Python cells (a notebook's): `src` holds them one after the other, each
/// at `cells[i]`, tokenized on its own (an unclosed bracket ends with its cell) and read as one
/// file (cells share their names).
pub(super) fn uses_in_cells(src: &[u8], cells: &[std::ops::Range<usize>]) -> Vec<HubUse> {
    let mut toks = Vec::new();
    for range in cells {
        let lines_before = memchr::memchr_iter(b'\n', &src[..range.start]).count() as u64;
        for mut t in lex::tokens(&src[range.clone()], Lang::Python) {
            t.start += range.start;
            t.end += range.start;
            t.line += lines_before;
            toks.push(t);
        }
        if toks.last().is_some_and(|t: &Tok| t.kind != T::Newline) {
            let end = range.end.saturating_sub(1);
            toks.push(Tok {
                kind: T::Newline,
                start: end,
                end,
                line: lines_before + 1,
            });
        }
    }
    uses_of(src, &toks, Lang::Python)
}

fn uses_of(src: &[u8], toks: &[Tok], lang: Lang) -> Vec<HubUse> {
    let mut cx = Cx::new(src, toks, lang);
    cx.calls();
    cx.strings();
    cx.out
}

/// What a name is bound to in the file.
#[derive(Debug, Clone)]
enum Binding {
    /// `NAME = value`: the value's tokens.
    Value(usize, usize),
    /// Bound some other way (a parameter, a loop variable, an import): why it is no constant.
    Bound(&'static str),
}

/// What an argument evaluates to.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    /// Not a literal; the predicate says why (`an f-string`, `not a literal`, …).
    Not(String),
    Null,
    Bool(bool),
    /// A JavaScript object literal: key and the value's token range.
    Obj(Vec<(String, usize, usize)>),
    /// `os.environ["SPACE_ID"]`: the Space's own repository.
    OwnSpace,
}

const NOT_LITERAL: &str = "not a literal";

#[derive(Debug, Clone)]
struct Arg {
    kw: Option<String>,
    lo: usize,
    hi: usize,
}

/// How a call's repository kind is known.
#[derive(Debug, Clone, Copy)]
enum KindBy {
    Fixed(Kind),
    /// The `repo_type` keyword (`"dataset"`, `"space"`), else a model.
    RepoType,
}

struct Cx<'a> {
    src: &'a [u8],
    toks: &'a [Tok],
    lang: Lang,
    binds: HashMap<String, Vec<Binding>>,
    /// The file imports huggingface_hub (or huggingface.js's hub): generic method names such as
    /// `upload_file` are its.
    hub_lib: bool,
    transformers: bool,
    datasets_lib: bool,
    model_lib: bool,
    smolagents: bool,
    /// Each training-arguments call of the file (`TrainingArguments`, `SFTConfig`, …) and its
    /// literal `hub_model_id`: where `Trainer.push_to_hub()` pushes.
    training_args: Vec<Option<String>>,
    /// String tokens read as a call's repository argument (not looked at again as URLs).
    consumed: HashSet<usize>,
    /// For each string token inside a call's arguments, the call's name.
    enclosing: HashMap<usize, String>,
    out: Vec<HubUse>,
}

fn has(src: &[u8], needle: &str) -> bool {
    memchr::memmem::find(src, needle.as_bytes()).is_some()
}

impl<'a> Cx<'a> {
    fn new(src: &'a [u8], toks: &'a [Tok], lang: Lang) -> Self {
        let mut cx = Cx {
            src,
            toks,
            lang,
            binds: HashMap::new(),
            hub_lib: false,
            transformers: false,
            datasets_lib: false,
            model_lib: false,
            smolagents: false,
            training_args: Vec::new(),
            consumed: HashSet::new(),
            enclosing: HashMap::new(),
            out: Vec::new(),
        };
        cx.hub_lib = has(src, "huggingface_hub")
            || has(src, "HfApi")
            || has(src, "@huggingface/hub")
            || has(src, "@huggingface/inference");
        cx.transformers = has(src, "transformers");
        cx.scan_imports();
        cx.bindings();
        cx
    }

    fn text(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| t.text(self.src))
    }

    fn is_ident(&self, i: usize, word: &str) -> bool {
        self.toks
            .get(i)
            .is_some_and(|t| t.kind == T::Ident && t.text(self.src) == word)
    }

    fn punct(&self, i: usize, b: u8) -> bool {
        self.toks.get(i).is_some_and(|t| t.is_punct(b))
    }

    /// The source text of tokens `lo..hi`, on one line and short.
    fn snippet(&self, lo: usize, hi: usize) -> String {
        let (Some(a), Some(b)) = (self.toks.get(lo), self.toks.get(hi.saturating_sub(1))) else {
            return String::new();
        };
        let raw = String::from_utf8_lossy(&self.src[a.start..b.end.max(a.start)]);
        let one: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if one.chars().count() > 48 {
            let cut: String = one.chars().take(47).collect();
            format!("{cut}…")
        } else {
            one
        }
    }

    /// Which libraries the file imports: the kind of a `push_to_hub` depends on it.
    fn scan_imports(&mut self) {
        const MODEL_LIBS: &[&str] = &[
            "transformers",
            "diffusers",
            "peft",
            "sentence_transformers",
            "setfit",
            "timm",
            "trl",
            "span_marker",
            "gliner",
            "open_clip",
            "optimum",
            "accelerate",
            "torch",
            "keras",
            "tensorflow",
            "flair",
            "fastai",
            "spacy",
        ];
        for i in 0..self.toks.len() {
            if !(self.is_ident(i, "import") || self.is_ident(i, "from")) {
                continue;
            }
            let module = self.text(i + 1);
            let root = module.split('.').next().unwrap_or(module);
            if root == "smolagents" {
                self.smolagents = true;
            }
            if root == "datasets" {
                self.datasets_lib = true;
            } else if MODEL_LIBS.contains(&root) {
                self.model_lib = true;
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Bindings

    /// Records every name the file binds: `NAME = value` at the start of a statement (with an
    /// annotation, or `const`/`let`/`var`), and the other ways a name gets a value (parameters,
    /// loops, `as`, imports, tuples, augmented assignments), which make it no constant.
    fn bindings(&mut self) {
        let n = self.toks.len();
        let mut stmt_start = true;
        let mut i = 0;
        while i < n {
            let t = &self.toks[i];
            if t.kind == T::Newline {
                stmt_start = true;
                i += 1;
                continue;
            }
            if stmt_start {
                stmt_start = false;
                self.statement(i);
            }
            if t.kind == T::Ident {
                match t.text(self.src) {
                    "for" => {
                        let mut j = i + 1;
                        while j < n && !self.is_ident(j, "in") && self.toks[j].kind != T::Newline {
                            if self.toks[j].kind == T::Ident {
                                self.bind(j, Binding::Bound("a loop variable"));
                            }
                            j += 1;
                        }
                    }
                    "as" if self.toks.get(i + 1).is_some_and(|t| t.kind == T::Ident) => {
                        self.bind(i + 1, Binding::Bound("bound by `as`"));
                    }
                    "def" | "function" => self.params(i),
                    "lambda" => {
                        let mut j = i + 1;
                        while j < n && !self.punct(j, b':') && self.toks[j].kind != T::Newline {
                            if self.toks[j].kind == T::Ident {
                                self.bind(j, Binding::Bound("a function parameter"));
                            }
                            j += 1;
                        }
                    }
                    "import" if self.lang == Lang::Python => {
                        let mut j = i + 1;
                        while j < n && self.toks[j].kind != T::Newline {
                            let prev_as = self.is_ident(j.saturating_sub(1), "as");
                            if self.toks[j].kind == T::Ident && !prev_as && !self.punct(j + 1, b'.')
                            {
                                self.bind(j, Binding::Bound("imported from another module"));
                            }
                            j += 1;
                        }
                    }
                    _ => {}
                }
                if self.toks.get(i + 1).is_some_and(|t| t.kind == T::Op)
                    && self.toks[i + 1].text(self.src) == ":="
                {
                    self.bind(i, Binding::Bound("assigned in an expression"));
                }
            }
            i += 1;
        }
        // What each training-arguments call pushes to: its `hub_model_id`, if it has one.
        for i in 0..n {
            let name = self.text(i);
            let training = self.toks[i].kind == T::Ident
                && self.punct(i + 1, b'(')
                && (name.ends_with("TrainingArguments") || name.ends_with("Config"))
                && !(i > 0 && ["def", "class"].iter().any(|k| self.is_ident(i - 1, k)));
            if !training {
                continue;
            }
            let (args, _) = self.args(i + 1);
            let kws: Vec<&str> = args.iter().filter_map(|a| a.kw.as_deref()).collect();
            // `TrainingArguments("out")` names its output folder by position; a `…Config` is one
            // only with these keywords (`LoraConfig`, `AutoConfig` are not).
            let named = kws
                .iter()
                .any(|k| matches!(*k, "output_dir" | "push_to_hub" | "hub_model_id"));
            if !named && !name.ends_with("TrainingArguments") {
                continue;
            }
            let id = Self::kw(&args, "hub_model_id").map(|a| self.eval(a.lo, a.hi, 0));
            self.training_args.push(match id {
                Some(Val::Str(s)) => Some(s),
                _ => None,
            });
        }
    }

    /// The end of a value starting at `lo`: the next `,` or closing bracket at its depth, or the
    /// statement's end.
    fn value_end(&self, lo: usize) -> usize {
        let mut depth = 0usize;
        let mut j = lo;
        while let Some(t) = self.toks.get(j) {
            match t.kind {
                T::Punct(b'(' | b'[' | b'{') => depth += 1,
                T::Punct(b')' | b']' | b'}') => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                T::Punct(b',') if depth == 0 => break,
                T::Newline => break,
                _ => {}
            }
            j += 1;
        }
        j
    }

    fn bind(&mut self, i: usize, b: Binding) {
        let name = self.text(i).to_owned();
        self.binds.entry(name).or_default().push(b);
    }

    /// A statement starting at `i`: an assignment to a name?
    fn statement(&mut self, i: usize) {
        let mut j = i;
        if self.lang == Lang::Js {
            if self.is_ident(j, "export") {
                j += 1;
            }
            if ["const", "let", "var"].iter().any(|k| self.is_ident(j, k)) {
                j += 1;
            }
        }
        if self.toks.get(j).is_none_or(|t| t.kind != T::Ident) {
            return;
        }
        let mut k = j + 1;
        if self.punct(k, b':') {
            // `NAME: str = value`, `const NAME: string = value`.
            while let Some(t) = self.toks.get(k) {
                if t.kind == T::Newline || t.is_punct(b'=') {
                    break;
                }
                k += 1;
            }
        }
        match self.toks.get(k).map(|t| &t.kind) {
            Some(T::Punct(b'=')) => {
                let lo = k + 1;
                let mut hi = lo;
                let mut chained = false;
                while let Some(t) = self.toks.get(hi) {
                    if t.kind == T::Newline {
                        break;
                    }
                    chained |= t.is_punct(b'=');
                    hi += 1;
                }
                let b = if chained {
                    Binding::Bound("assigned in a chain")
                } else {
                    Binding::Value(lo, hi)
                };
                self.bind(j, b);
            }
            Some(T::Punct(b',')) if self.lang == Lang::Python => {
                // `a, b = …`: each name of the target.
                let mut m = j;
                while let Some(t) = self.toks.get(m) {
                    if t.kind == T::Newline || t.is_punct(b'=') {
                        break;
                    }
                    if t.kind == T::Ident {
                        self.bind(m, Binding::Bound("unpacked from a tuple"));
                    }
                    m += 1;
                }
            }
            Some(T::Op) => {
                let op = self.text(k);
                if op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=") {
                    self.bind(j, Binding::Bound("changed in place"));
                }
            }
            _ => {}
        }
    }

    /// The parameters of `def name(…)` / `function name(…)` at `i`.
    fn params(&mut self, i: usize) {
        let mut j = i + 1;
        if self.toks.get(j).is_some_and(|t| t.kind == T::Ident) {
            j += 1;
        }
        if !self.punct(j, b'(') {
            return;
        }
        let mut depth = 0usize;
        while let Some(t) = self.toks.get(j) {
            match t.kind {
                T::Punct(b'(' | b'[' | b'{') => depth += 1,
                T::Punct(b')' | b']' | b'}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                T::Ident if depth == 1 => {
                    let before = j
                        .checked_sub(1)
                        .and_then(|p| self.toks.get(p))
                        .is_some_and(|p| {
                            p.is_punct(b'(')
                                || p.is_punct(b',')
                                || p.is_punct(b'*')
                                || p.kind == T::Op
                        });
                    let after = self.toks.get(j + 1).is_some_and(|a| {
                        a.is_punct(b'=') || a.is_punct(b',') || a.is_punct(b')') || a.is_punct(b':')
                    });
                    if before && after {
                        self.bind(j, Binding::Bound("a function parameter"));
                    }
                }
                _ => {}
            }
            j += 1;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Values

    /// What tokens `lo..hi` are, following a name to its one assignment (`depth` bounds that).
    fn eval(&self, lo: usize, hi: usize, depth: usize) -> Val {
        let toks = &self.toks[lo.min(self.toks.len())..hi.min(self.toks.len())];
        let Some(first) = toks.first() else {
            return Val::Not(NOT_LITERAL.into());
        };
        // "a" "b", "a" + "b": a literal when every piece is one.
        let strings = toks.first().and_then(Tok::str).is_some()
            && toks.last().and_then(Tok::str).is_some()
            && toks.iter().all(|t| t.str().is_some() || t.is_punct(b'+'));
        if strings {
            if toks.iter().filter_map(Tok::str).any(|s| s.interpolated) {
                return Val::Not(match self.lang {
                    Lang::Python => "an f-string".into(),
                    Lang::Js => "a template string".into(),
                });
            }
            return Val::Str(
                toks.iter()
                    .filter_map(Tok::str)
                    .map(|s| s.value.as_str())
                    .collect(),
            );
        }
        if let Some(var) = self.env_var(toks) {
            if var == "SPACE_ID" {
                return Val::OwnSpace;
            }
            return Val::Not(format!("read from the environment variable {var}"));
        }
        if toks.len() == 1 && first.kind == T::Ident {
            let name = first.text(self.src);
            return match name {
                "None" | "null" | "undefined" => Val::Null,
                "True" | "true" => Val::Bool(true),
                "False" | "false" => Val::Bool(false),
                _ => self.lookup(name, depth),
            };
        }
        if self.lang == Lang::Js && first.is_punct(b'{') {
            return Val::Obj(self.object(lo, hi));
        }
        Val::Not(NOT_LITERAL.into())
    }

    /// A name's one assignment in the file, evaluated.
    fn lookup(&self, name: &str, depth: usize) -> Val {
        match self.binds.get(name).map(Vec::as_slice) {
            None | Some([]) => Val::Not("not assigned in this file".into()),
            Some([Binding::Bound(why)]) => Val::Not((*why).into()),
            Some([Binding::Value(lo, hi)]) => {
                if depth >= 4 {
                    return Val::Not(NOT_LITERAL.into());
                }
                match self.eval(*lo, *hi, depth + 1) {
                    Val::Not(r) if r == NOT_LITERAL => Val::Not(format!(
                        "assigned `{}`, not a literal",
                        self.snippet(*lo, *hi)
                    )),
                    Val::Not(r) if r.starts_with("a ") || r.starts_with("an ") => {
                        Val::Not(format!("assigned {r}"))
                    }
                    other => other,
                }
            }
            Some(all) => {
                // Assigned more than once, always to the same literal: that literal.
                let values: Option<Vec<String>> = all
                    .iter()
                    .map(|b| match b {
                        Binding::Value(lo, hi) if depth < 4 => match self.eval(*lo, *hi, depth + 1)
                        {
                            Val::Str(s) => Some(s),
                            _ => None,
                        },
                        _ => None,
                    })
                    .collect();
                match values {
                    Some(v) if v.windows(2).all(|w| w[0] == w[1]) => Val::Str(v[0].clone()),
                    _ => Val::Not(format!("assigned {} times in this file", all.len())),
                }
            }
        }
    }

    /// `os.environ["X"]`, `os.getenv("X")`, `os.environ.get("X")`, `process.env.X`: `X`.
    fn env_var(&self, toks: &[Tok]) -> Option<String> {
        let at = toks.iter().position(|t| {
            t.kind == T::Ident && matches!(t.text(self.src), "environ" | "getenv" | "env")
        })?;
        let rest = &toks[at + 1..];
        if self.lang == Lang::Js && rest.first().is_some_and(|t| t.is_punct(b'.')) {
            return rest
                .get(1)
                .filter(|t| t.kind == T::Ident)
                .map(|t| t.text(self.src).to_owned());
        }
        rest.iter()
            .take(6)
            .find_map(Tok::str)
            .map(|s| s.value.clone())
    }

    /// The entries of a JavaScript object literal `{ … }` at `lo`.
    fn object(&self, lo: usize, hi: usize) -> Vec<(String, usize, usize)> {
        let mut out = Vec::new();
        let mut j = lo + 1;
        while j < hi {
            let end = self.value_end(j).min(hi);
            let key = self.toks.get(j).and_then(|t| match &t.kind {
                T::Ident => Some(t.text(self.src).to_owned()),
                T::Str(s) => Some(s.value.clone()),
                _ => None,
            });
            if let Some(key) = key {
                if self.punct(j + 1, b':') {
                    out.push((key, j + 2, end));
                } else if end == j + 1 {
                    // Shorthand `{ repo }`: the name's value.
                    out.push((key, j, j + 1));
                }
            }
            if end >= hi || !self.punct(end, b',') {
                break;
            }
            j = end + 1;
        }
        out
    }

    // -----------------------------------------------------------------------------------------
    // Calls

    /// The arguments of the call whose `(` is at `open`, and the index of its `)`.
    fn args(&self, open: usize) -> (Vec<Arg>, usize) {
        let mut args = Vec::new();
        let mut j = open + 1;
        loop {
            if self.punct(j, b')') || j >= self.toks.len() {
                return (args, j);
            }
            let end = self.value_end(j);
            let (kw, lo) = if self.lang == Lang::Python
                && self.toks.get(j).is_some_and(|t| t.kind == T::Ident)
                && self.punct(j + 1, b'=')
            {
                (Some(self.text(j).to_owned()), j + 2)
            } else {
                (None, j)
            };
            if lo < end {
                args.push(Arg { kw, lo, hi: end });
            }
            if !self.punct(end, b',') {
                return (args, end);
            }
            j = end + 1;
        }
    }

    fn calls(&mut self) {
        for i in 0..self.toks.len() {
            if self.toks[i].kind != T::Ident || !self.punct(i + 1, b'(') {
                continue;
            }
            if i > 0
                && ["def", "function", "class", "fn"]
                    .iter()
                    .any(|k| self.is_ident(i - 1, k))
            {
                continue;
            }
            let receiver = if i >= 1 && self.punct(i - 1, b'.') {
                Some(if i >= 2 && self.toks[i - 2].kind == T::Ident {
                    self.text(i - 2)
                } else if i >= 2 && self.punct(i - 2, b')') {
                    // `records.to_datasets().push_to_hub(…)`: the method that made the receiver.
                    self.callee_before(i - 2)
                } else {
                    ""
                })
            } else {
                None
            };
            let (args, close) = self.args(i + 1);
            let name = self.text(i);
            for j in i + 2..close.min(self.toks.len()) {
                if self.toks[j].str().is_some() {
                    self.enclosing.entry(j).or_insert_with(|| name.to_owned());
                }
            }
            let line = self.toks[i].line;
            match self.lang {
                Lang::Python => self.python_call(line, name, receiver, &args),
                Lang::Js => self.js_call(line, name, &args),
            }
        }
    }

    /// The name called by the call whose `)` is at `close`: `to_datasets` in `x.to_datasets()`.
    fn callee_before(&self, close: usize) -> &'a str {
        let mut depth = 0usize;
        let mut j = close;
        loop {
            match self.toks.get(j).map(|t| &t.kind) {
                Some(T::Punct(b')' | b']' | b'}')) => depth += 1,
                Some(T::Punct(b'(' | b'[' | b'{')) => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return match j.checked_sub(1).and_then(|p| self.toks.get(p)) {
                            Some(t) if t.kind == T::Ident => t.text(self.src),
                            _ => "",
                        };
                    }
                }
                None => return "",
                _ => {}
            }
            if j == 0 {
                return "";
            }
            j -= 1;
        }
    }

    /// The argument at keyword `kws` (any of them) or else at position `pos`.
    fn arg<'x>(args: &'x [Arg], pos: Option<usize>, kws: &[&str]) -> Option<&'x Arg> {
        args.iter()
            .find(|a| a.kw.as_deref().is_some_and(|k| kws.contains(&k)))
            .or_else(|| {
                let pos = pos?;
                args.iter().filter(|a| a.kw.is_none()).nth(pos)
            })
    }

    fn kw<'x>(args: &'x [Arg], name: &str) -> Option<&'x Arg> {
        args.iter().find(|a| a.kw.as_deref() == Some(name))
    }

    fn push(&mut self, line: u64, call: &str, access: Access, target: Target) {
        self.out.push(HubUse {
            line,
            call: call.to_owned(),
            access,
            target,
            inference: None,
        });
    }

    /// The kind a `repo_type` argument names; `Err` with why when it is not a literal.
    fn repo_type(&self, args: &[Arg]) -> Result<Kind, String> {
        let Some(a) = Self::kw(args, "repo_type") else {
            return Ok(Kind::Model);
        };
        // `constants.REPO_TYPE_DATASET`.
        match self.text(a.hi.saturating_sub(1)) {
            "REPO_TYPE_DATASET" => return Ok(Kind::Dataset),
            "REPO_TYPE_SPACE" => return Ok(Kind::Space),
            "REPO_TYPE_MODEL" => return Ok(Kind::Model),
            _ => {}
        }
        match self.eval(a.lo, a.hi, 0) {
            Val::Str(s) => match s.as_str() {
                "dataset" | "datasets" => Ok(Kind::Dataset),
                "space" | "spaces" => Ok(Kind::Space),
                "model" | "models" => Ok(Kind::Model),
                other => Err(format!("repo_type {other:?} is not a repository kind")),
            },
            Val::Null => Ok(Kind::Model),
            Val::Not(r) => Err(format!("`{}` (repo_type) is {r}", self.snippet(a.lo, a.hi))),
            _ => Err("repo_type is not a literal".into()),
        }
    }

    /// The target an argument names, or `None` when it names no repository (a local path, a
    /// name without a namespace that is only read).
    fn target(&mut self, arg: &Arg, kind: Kind, access: Access) -> Option<Target> {
        let val = self.eval(arg.lo, arg.hi, 0);
        self.target_of(val, arg, kind, access)
    }

    fn target_of(&mut self, val: Val, arg: &Arg, kind: Kind, access: Access) -> Option<Target> {
        match val {
            Val::Str(s) => {
                for j in arg.lo..arg.hi {
                    self.consumed.insert(j);
                }
                named_target(
                    name_repo(&s, kind, self.lang == Lang::Js),
                    access == Access::Write,
                )
            }
            Val::Not(r) => Some(Target::Unresolved(format!(
                "`{}` is {r}",
                self.snippet(arg.lo, arg.hi)
            ))),
            Val::OwnSpace => Some(Target::OwnSpace),
            Val::Null | Val::Bool(_) => None,
            Val::Obj(_) => Some(Target::Unresolved(format!(
                "`{}` is not a repository id",
                self.snippet(arg.lo, arg.hi)
            ))),
        }
    }

    /// A call whose repository is at keyword `kws` or position `pos`, of a kind `by`.
    #[allow(clippy::too_many_arguments)]
    fn repo_call(
        &mut self,
        line: u64,
        call: &str,
        access: Access,
        args: &[Arg],
        pos: Option<usize>,
        kws: &[&str],
        by: KindBy,
    ) {
        let Some(arg) = Self::arg(args, pos, kws).cloned() else {
            if !args.is_empty() || access == Access::Write {
                self.push(
                    line,
                    call,
                    access,
                    Target::Unresolved("no repository argument hfaudit can read".into()),
                );
            }
            return;
        };
        let kind = match by {
            KindBy::Fixed(k) => Ok(k),
            KindBy::RepoType => self.repo_type(args),
        };
        let Some(target) = self.target(&arg, kind.clone().unwrap_or(Kind::Model), access) else {
            return;
        };
        let target = match (target, kind) {
            (Target::Repo(_), Err(why)) => Target::Unresolved(why),
            (t, _) => t,
        };
        self.push(line, call, access, target);
    }
}

/// Why a `push_to_hub=True` without `hub_model_id` is unresolved.
const NO_HUB_MODEL_ID: &str = "no hub_model_id: the repository is named after the output \
    folder, in the namespace of whoever runs the code";

/// Calls that run a command line given as a string.
const RUNNERS: &[&str] = &[
    "system",
    "run",
    "call",
    "check_call",
    "check_output",
    "Popen",
    "popen",
    "getoutput",
    "getstatusoutput",
    "run_command",
    "run_cmd",
    "exec_command",
    "execute",
    "spawn",
    "sh",
    "shell",
    "bash",
    "runcmd",
];

/// The target a literal names, or `None` when it names no repository that needs a permission:
/// a local path, or a name without a namespace that is only read.
fn named_target(named: Named, write: bool) -> Option<Target> {
    match named {
        Named::Repo(r) | Named::Url(UrlUse::Repo(r)) => Some(Target::Repo(r)),
        Named::Bare(n) if write => Some(Target::Unresolved(format!(
            "{n:?} has no namespace: the repository is made in the namespace of whoever runs \
             the code"
        ))),
        Named::Template(t) | Named::Url(UrlUse::Template(t)) => {
            Some(Target::Unresolved(super::template_why(&t)))
        }
        Named::Bucket => Some(Target::Unresolved(
            "a storage bucket (hf://buckets/…), which a plan does not scope".into(),
        )),
        Named::Bare(_) | Named::Local | Named::Url(_) => None,
    }
}

/// A write that creates a repository: on its namespace.
pub(super) fn namespace_of(t: Option<Target>) -> Target {
    match t {
        Some(Target::Repo(Repo { id, .. })) => {
            Target::Namespace(id.split('/').next().unwrap_or_default().to_owned())
        }
        Some(t @ (Target::Unresolved(_) | Target::OwnSpace | Target::Namespace(_))) => t,
        Some(Target::Nothing) | None => {
            Target::Unresolved("no repository id hfaudit can read".into())
        }
    }
}

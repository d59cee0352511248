//! Hub calls in Python and JavaScript/TypeScript: huggingface_hub, transformers, datasets,
//! diffusers, peft, sentence-transformers and huggingface.js, from their tokens.

use std::collections::{HashMap, HashSet};

use super::lex::{self, Kind as T, Lang, Tok};
use super::{hub_url, name_repo, shell, Access, HubUse, Inference, Named, Target, UrlUse};
use crate::repo::{Kind, Repo};

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

    fn python_call(&mut self, line: u64, name: &str, receiver: Option<&str>, args: &[Arg]) {
        use Access::{Discussion, Read, Write};
        use KindBy::{Fixed, RepoType};
        const RID: &[&str] = &["repo_id"];
        // `push_to_hub=True` in TrainingArguments and the configs built on it.
        if let Some(flag) = Self::kw(args, "push_to_hub").cloned() {
            match self.eval(flag.lo, flag.hi, 0) {
                Val::Bool(false) | Val::Null => {}
                v => {
                    let call = if v == Val::Bool(true) {
                        "push_to_hub=True"
                    } else {
                        "push_to_hub"
                    };
                    let target = match Self::kw(args, "hub_model_id").cloned() {
                        Some(a) => self.target(&a, Kind::Model, Write),
                        None => Some(Target::Unresolved(NO_HUB_MODEL_ID.into())),
                    };
                    if let Some(t) = target {
                        self.push(line, call, Write, t);
                    }
                }
            }
        }
        let hub = self.hub_lib;
        match name {
            "from_pretrained" => {
                let peft = receiver
                    .is_some_and(|r| r.starts_with("PeftModel") || r.starts_with("PeftMixedModel"));
                if peft {
                    self.repo_call(
                        line,
                        name,
                        Read,
                        args,
                        Some(1),
                        &["model_id"],
                        Fixed(Kind::Model),
                    );
                } else {
                    self.repo_call(
                        line,
                        name,
                        Read,
                        args,
                        Some(0),
                        &[
                            "pretrained_model_name_or_path",
                            "model_id",
                            "model_name_or_path",
                        ],
                        Fixed(Kind::Model),
                    );
                }
            }
            "load_lora_weights" | "load_textual_inversion" | "load_ip_adapter" => self.repo_call(
                line,
                name,
                Read,
                args,
                Some(0),
                &[
                    "pretrained_model_name_or_path_or_dict",
                    "pretrained_model_name_or_path",
                ],
                Fixed(Kind::Model),
            ),
            "pipeline" if self.transformers && receiver.is_none() => {
                if let Some(a) = Self::arg(args, Some(1), &["model"]).cloned() {
                    if let Some(t) = self.target(&a, Kind::Model, Read) {
                        self.push(line, name, Read, t);
                    }
                }
            }
            "SentenceTransformer" | "CrossEncoder" | "SparseEncoder" => self.repo_call(
                line,
                name,
                Read,
                args,
                Some(0),
                &["model_name_or_path", "model_name"],
                Fixed(Kind::Model),
            ),
            "hf_hub_download" | "snapshot_download" | "hf_hub_url" | "get_safetensors_metadata" => {
                self.repo_call(line, name, Read, args, Some(0), RID, RepoType);
            }
            "repo_info" | "list_repo_files" | "list_repo_tree" | "list_repo_refs"
            | "list_repo_commits" | "file_exists" | "repo_exists" | "get_paths_info"
            | "list_repo_likers" | "revision_exists"
                if hub =>
            {
                self.repo_call(line, name, Read, args, Some(0), RID, RepoType);
            }
            "model_info" if hub => {
                self.repo_call(line, name, Read, args, Some(0), RID, Fixed(Kind::Model));
            }
            "dataset_info" if hub => {
                self.repo_call(line, name, Read, args, Some(0), RID, Fixed(Kind::Dataset));
            }
            "space_info" | "get_space_runtime" | "get_space_variables" if hub => {
                self.repo_call(line, name, Read, args, Some(0), RID, Fixed(Kind::Space));
            }
            "load_dataset"
            | "load_dataset_builder"
            | "get_dataset_config_names"
            | "get_dataset_split_names"
            | "get_dataset_infos"
            | "get_dataset_config_info" => {
                self.repo_call(
                    line,
                    name,
                    Read,
                    args,
                    Some(0),
                    &["path"],
                    Fixed(Kind::Dataset),
                );
            }
            "InferenceClient" | "AsyncInferenceClient" => {
                let a = Self::arg(args, Some(0), &["model", "base_url"]).cloned();
                self.inference_call(line, name, a.as_ref());
            }
            "HuggingFaceEndpoint" | "HuggingFaceHub" | "HuggingFaceInferenceAPI" => {
                let a = Self::arg(
                    args,
                    None,
                    &["endpoint_url", "repo_id", "model_name", "model"],
                )
                .cloned();
                self.inference_call(line, name, a.as_ref());
            }
            "push_to_hub" => self.push_to_hub(line, receiver, args),
            "upload_file" if hub => self.repo_call(line, name, Write, args, Some(2), RID, RepoType),
            "upload_folder" if hub => self.repo_call(line, name, Write, args, None, RID, RepoType),
            "delete_file" | "delete_folder" if hub => {
                self.repo_call(line, name, Write, args, Some(1), RID, RepoType);
            }
            "upload_large_folder"
            | "create_commit"
            | "delete_repo"
            | "delete_files"
            | "create_branch"
            | "delete_branch"
            | "create_tag"
            | "delete_tag"
            | "update_repo_settings"
            | "update_repo_visibility"
            | "super_squash_history"
            | "merge_pull_request"
            | "preupload_lfs_files"
                if hub =>
            {
                self.repo_call(line, name, Write, args, Some(0), RID, RepoType);
            }
            "add_space_secret"
            | "delete_space_secret"
            | "add_space_variable"
            | "delete_space_variable"
            | "restart_space"
            | "pause_space"
            | "set_space_sleep_time"
            | "request_space_hardware"
            | "request_space_storage"
            | "delete_space_storage"
                if hub =>
            {
                self.repo_call(line, name, Write, args, Some(0), RID, Fixed(Kind::Space));
            }
            "create_discussion"
            | "create_pull_request"
            | "comment_discussion"
            | "rename_discussion"
            | "change_discussion_status"
                if hub =>
            {
                self.repo_call(line, name, Discussion, args, Some(0), RID, RepoType);
            }
            "create_repo" if hub => self.create_repo(line, args),
            "move_repo" if hub => {
                self.repo_call(line, name, Write, args, Some(0), &["from_id"], RepoType);
                if let Some(to) = Self::arg(args, Some(1), &["to_id"]).cloned() {
                    let t = self.target(&to, Kind::Model, Write);
                    self.push(line, name, Write, namespace_of(t));
                }
            }
            "duplicate_space" if hub => {
                self.repo_call(
                    line,
                    name,
                    Read,
                    args,
                    Some(0),
                    &["from_id"],
                    Fixed(Kind::Space),
                );
                let t = match Self::arg(args, Some(1), &["to_id"]).cloned() {
                    Some(to) => namespace_of(self.target(&to, Kind::Space, Write)),
                    None => Target::Unresolved(
                        "no to_id: the copy is made in the namespace of whoever runs the code"
                            .into(),
                    ),
                };
                self.push(line, name, Write, t);
            }
            "run_job" | "run_uv_job" | "create_scheduled_job" if hub => self.push(
                line,
                name,
                Write,
                Target::Unresolved(
                    "runs a Job: it needs job.write on the namespace that pays, which a plan \
                     does not cover"
                        .into(),
                ),
            ),
            _ => {}
        }
    }

    /// `create_repo(id)` makes a repository in a namespace: a write on the namespace. With
    /// `exist_ok=True` on a repository that exists, a write on the repository is enough
    /// (huggingface_hub checks that the repository exists when the Hub refuses to create it).
    fn create_repo(&mut self, line: u64, args: &[Arg]) {
        let Some(arg) = Self::arg(args, Some(0), &["repo_id"]).cloned() else {
            self.push(
                line,
                "create_repo",
                Access::Write,
                Target::Unresolved("no repository argument hfaudit can read".into()),
            );
            return;
        };
        let kind = self.repo_type(args);
        let exist_ok =
            Self::kw(args, "exist_ok").is_some_and(|a| self.eval(a.lo, a.hi, 0) == Val::Bool(true));
        let Some(t) = self.target(&arg, kind.clone().unwrap_or(Kind::Model), Access::Write) else {
            return;
        };
        let t = match (t, kind) {
            (Target::Repo(_), Err(why)) => Target::Unresolved(why),
            (t @ Target::Repo(_), Ok(_)) if exist_ok => t,
            (t, _) => namespace_of(Some(t)),
        };
        self.push(line, "create_repo", Access::Write, t);
    }

    /// Where `Trainer.push_to_hub()` pushes: the `hub_model_id` of the file's training arguments
    /// when they all name the same literal one, else unresolved.
    fn trainer_target(&self) -> Target {
        let ids: Vec<&str> = self
            .training_args
            .iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let all_named = !ids.is_empty() && ids.len() == self.training_args.len();
        match ids.split_first() {
            Some((first, rest)) if all_named && rest.iter().all(|r| r == first) => {
                named_target(name_repo(first, Kind::Model, false), true).unwrap_or_else(|| {
                    Target::Unresolved(format!("hub_model_id {first:?} is not a repository id"))
                })
            }
            _ if !all_named => Target::Unresolved(NO_HUB_MODEL_ID.into()),
            _ => Target::Unresolved(
                "the file's training arguments name different hub_model_id values".into(),
            ),
        }
    }

    fn push_to_hub(&mut self, line: u64, receiver: Option<&str>, args: &[Arg]) {
        let Some(arg) = Self::arg(
            args,
            Some(0),
            &["repo_id", "repo_path_or_name", "repo_name"],
        )
        .cloned() else {
            // `trainer.push_to_hub()`, `trainer.push_to_hub(commit_message=…)`; anything else
            // (`repo.push_to_hub()`) pushes where its object was made.
            let r = receiver.unwrap_or_default();
            let t = if r.to_ascii_lowercase().contains("trainer") {
                self.trainer_target()
            } else {
                Target::Unresolved(format!(
                    "`{r}.push_to_hub()` names no repository: it pushes where `{r}` was made"
                ))
            };
            self.push(line, "push_to_hub", Access::Write, t);
            return;
        };
        let kind = match Self::kw(args, "repo_type") {
            Some(_) => self.repo_type(args),
            None => self.push_kind(receiver),
        };
        let Some(t) = self.target(&arg, kind.clone().unwrap_or(Kind::Model), Access::Write) else {
            return;
        };
        let t = match (t, kind) {
            (Target::Repo(_), Err(why)) => Target::Unresolved(why),
            (t, _) => t,
        };
        self.push(line, "push_to_hub", Access::Write, t);
    }

    /// A model or a dataset? `datasets` objects push datasets, every other library models; a
    /// file that uses both tells by the receiver's name, or not at all.
    fn push_kind(&self, receiver: Option<&str>) -> Result<Kind, String> {
        const DATA: &[&str] = &[
            "dataset",
            "datasets",
            "ds",
            "dset",
            "data",
            "dd",
            "corpus",
            "split",
            "splits",
            "df",
            "train",
            "test",
            "val",
            "eval",
            "validation",
            "subset",
            "shard",
        ];
        const MODEL: &[&str] = &[
            "model",
            "tokenizer",
            "processor",
            "pipe",
            "pipeline",
            "trainer",
            "peft",
            "adapter",
            "lora",
            "extractor",
            "unet",
            "vae",
            "transformer",
            "encoder",
            "decoder",
            "net",
            "classifier",
            "clf",
            "learner",
            "policy",
            "agent",
            "merged",
            "quantized",
            "config",
        ];
        let r = receiver.unwrap_or_default().to_ascii_lowercase();
        let words: Vec<&str> = r
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        // smolagents pushes its tools and agents as Spaces.
        if self.smolagents
            && words
                .iter()
                .any(|w| matches!(*w, "tool" | "tools" | "agent"))
        {
            return Ok(Kind::Space);
        }
        let data = words.iter().any(|w| DATA.contains(w)) || r.contains("dataset");
        let model = words.iter().any(|w| MODEL.contains(w)) || r.contains("model");
        match (data, model, self.datasets_lib, self.model_lib) {
            (true, false, ..) => Ok(Kind::Dataset),
            (false, true, ..) | (_, _, false, _) => Ok(Kind::Model),
            (_, _, true, false) => Ok(Kind::Dataset),
            (_, _, true, true) => Err(format!(
                "`{}.push_to_hub`: a model or a dataset repository? (the file uses both)",
                receiver.unwrap_or("…")
            )),
        }
    }

    /// An inference client: serverless, or an Inference Endpoint when given its URL.
    fn inference_call(&mut self, line: u64, call: &str, arg: Option<&Arg>) {
        let (target, inference) = match arg.map(|a| (a, self.eval(a.lo, a.hi, 0))) {
            Some((a, Val::Str(s))) => {
                for j in a.lo..a.hi {
                    self.consumed.insert(j);
                }
                match name_repo(&s, Kind::Model, false) {
                    Named::Url(UrlUse::Inference(i, repo)) => {
                        (repo.map_or(Target::Nothing, Target::Repo), i)
                    }
                    Named::Repo(r) => (Target::Repo(r), Inference::Serverless),
                    _ => (Target::Nothing, Inference::Serverless),
                }
            }
            Some((a, Val::Not(r))) => (
                Target::Unresolved(format!(
                    "`{}` is {r} (serverless inference assumed)",
                    self.snippet(a.lo, a.hi)
                )),
                Inference::Serverless,
            ),
            None | Some(_) => (Target::Nothing, Inference::Serverless),
        };
        self.out.push(HubUse {
            line,
            call: call.to_owned(),
            access: Access::Inference,
            target,
            inference: Some(inference),
        });
    }

    fn js_call(&mut self, line: u64, name: &str, args: &[Arg]) {
        use Access::{Read, Write};
        let hub = self.hub_lib;
        let transformers_js =
            has(self.src, "@huggingface/transformers") || has(self.src, "@xenova/transformers");
        match name {
            "from_pretrained" => {
                self.repo_call(
                    line,
                    name,
                    Read,
                    args,
                    Some(0),
                    &[],
                    KindBy::Fixed(Kind::Model),
                );
            }
            "pipeline" if transformers_js => {
                if let Some(a) = Self::arg(args, Some(1), &[]).cloned() {
                    if let Some(t) = self.target(&a, Kind::Model, Read) {
                        self.push(line, name, Read, t);
                    }
                }
            }
            "HfInference" | "InferenceClient" | "HfInferenceEndpoint" if hub => {
                self.inference_call(line, name, None);
            }
            "endpoint" if hub => {
                let a = Self::arg(args, Some(0), &[]).cloned();
                if let Some(a) = a {
                    if let Val::Str(s) = self.eval(a.lo, a.hi, 0) {
                        if let UrlUse::Inference(i, _) = hub_url(&s) {
                            self.out.push(HubUse {
                                line,
                                call: name.to_owned(),
                                access: Access::Inference,
                                target: Target::Nothing,
                                inference: Some(i),
                            });
                        }
                    }
                }
            }
            "downloadFile"
            | "downloadFileToCacheDir"
            | "snapshotDownload"
            | "listFiles"
            | "fileExists"
            | "fileDownloadInfo"
            | "listCommits"
            | "pathsInfo"
                if hub =>
            {
                self.js_repo(line, name, Read, args, "repo");
            }
            "modelInfo" | "datasetInfo" | "spaceInfo" if hub => {
                let kind = match name {
                    "datasetInfo" => "datasets/",
                    "spaceInfo" => "spaces/",
                    _ => "",
                };
                self.js_repo_prefixed(line, name, args, kind);
            }
            "uploadFile"
            | "uploadFiles"
            | "uploadFilesWithProgress"
            | "commit"
            | "deleteRepo"
            | "deleteFile"
            | "deleteFiles"
            | "createBranch"
            | "deleteBranch"
            | "uploadFolder"
                if hub =>
            {
                self.js_repo(line, name, Write, args, "repo");
            }
            "createRepo" if hub => {
                let before = self.out.len();
                self.js_repo(line, name, Write, args, "repo");
                for u in &mut self.out[before..] {
                    let t = std::mem::replace(&mut u.target, Target::Nothing);
                    u.target = namespace_of(Some(t));
                }
            }
            _ => {}
        }
    }

    /// A huggingface.js call whose first argument is an object with the repository at `key`: a
    /// string (`"acme/m"`, `"datasets/acme/d"`) or `{ type, name }`.
    fn js_repo(&mut self, line: u64, call: &str, access: Access, args: &[Arg], key: &str) {
        let Some(first) = args.first() else { return };
        let Val::Obj(entries) = self.eval(first.lo, first.hi, 0) else {
            return;
        };
        let Some((_, lo, hi)) = entries.into_iter().find(|(k, _, _)| k == key) else {
            return;
        };
        let arg = Arg { kw: None, lo, hi };
        let target = match self.eval(lo, hi, 0) {
            Val::Obj(inner) => {
                let field = |cx: &Self, k: &str| {
                    inner
                        .iter()
                        .find(|(key, _, _)| key == k)
                        .map(|&(_, lo, hi)| (cx.eval(lo, hi, 0), lo, hi))
                };
                let kind = match field(self, "type") {
                    None => Ok(Kind::Model),
                    Some((Val::Str(t), _, _)) => match t.as_str() {
                        "dataset" => Ok(Kind::Dataset),
                        "space" => Ok(Kind::Space),
                        "model" => Ok(Kind::Model),
                        other => Err(format!("type {other:?} is not a repository kind")),
                    },
                    Some((_, lo, hi)) => Err(format!(
                        "`{}` (type) is not a literal",
                        self.snippet(lo, hi)
                    )),
                };
                match (field(self, "name"), kind) {
                    (Some((v, lo, hi)), Ok(k)) => {
                        let a = Arg { kw: None, lo, hi };
                        self.target_of(v, &a, k, access)
                    }
                    (Some(_), Err(why)) => Some(Target::Unresolved(why)),
                    (None, _) => None,
                }
            }
            v => self.target_of(v, &arg, Kind::Model, access),
        };
        if let Some(t) = target {
            self.push(line, call, access, t);
        }
    }

    /// `modelInfo({ name: "acme/m" })` and its dataset and Space forms.
    fn js_repo_prefixed(&mut self, line: u64, call: &str, args: &[Arg], prefix: &str) {
        let Some(first) = args.first() else { return };
        let Val::Obj(entries) = self.eval(first.lo, first.hi, 0) else {
            return;
        };
        let Some((_, lo, hi)) = entries.into_iter().find(|(k, _, _)| k == "name") else {
            return;
        };
        let arg = Arg { kw: None, lo, hi };
        let val = match self.eval(lo, hi, 0) {
            Val::Str(s) => Val::Str(format!("{prefix}{s}")),
            v => v,
        };
        if let Some(t) = self.target_of(val, &arg, Kind::Model, Access::Read) {
            self.push(line, call, Access::Read, t);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Strings: Hub URLs, `hf://` paths and command lines

    fn strings(&mut self) {
        for i in 0..self.toks.len() {
            let Some(s) = self.toks[i].str() else {
                continue;
            };
            if s.bare || self.consumed.contains(&i) {
                continue;
            }
            let line = self.toks[i].line;
            let value = s.value.trim();
            let interpolated = s.interpolated;
            // A command run from code: `os.system("hf upload acme/m .")`.
            let command = ["hf ", "huggingface-cli ", "git "]
                .iter()
                .any(|p| value.starts_with(p));
            // Only a string handed to something that runs it: help texts and lists of examples
            // name commands without running them.
            let runner = self
                .enclosing
                .get(&i)
                .is_some_and(|c| RUNNERS.contains(&c.as_str()));
            if command && runner {
                let mut found = shell::command_uses(value, &HashMap::new(), false);
                for u in &mut found {
                    u.line = line;
                }
                self.out.extend(found);
                continue;
            }
            if value.contains(char::is_whitespace) {
                continue;
            }
            let in_call = self.enclosing.get(&i).cloned();
            // A URL handed to a call or given to a name is used; one in a list of test
            // strings or in a message is data.
            // A download URL (`…/resolve/…`) is one wherever it is.
            let assigned = i > 0 && self.punct(i - 1, b'=');
            if in_call.is_none() && !assigned && !value.contains("/resolve/") {
                continue;
            }
            let access = match in_call.as_deref() {
                Some(c)
                    if c.starts_with("to_")
                        || matches!(c, "save_to_disk" | "put" | "put_file" | "upload") =>
                {
                    Access::Write
                }
                _ => Access::Read,
            };
            let named = if let Some(rest) = value.strip_prefix("hf://") {
                super::hf_path(rest)
            } else if value.starts_with("https://") || value.starts_with("http://") {
                Named::Url(hub_url(value))
            } else {
                continue;
            };
            let (target, access, inference) = match named {
                Named::Repo(r) | Named::Url(UrlUse::Repo(r)) if !interpolated => {
                    (Target::Repo(r), access, None)
                }
                Named::Url(UrlUse::Inference(inf, repo)) => (
                    repo.filter(|_| !interpolated)
                        .map_or(Target::Nothing, Target::Repo),
                    Access::Inference,
                    Some(inf),
                ),
                // A URL built from a variable counts where code fetches it, not in a message.
                Named::Repo(_)
                | Named::Url(UrlUse::Repo(_) | UrlUse::Template(_))
                | Named::Template(_)
                    if in_call.is_some() =>
                {
                    (
                        Target::Unresolved(format!(
                            "the repository in `{}` is not a literal",
                            self.snippet(i, i + 1)
                        )),
                        access,
                        None,
                    )
                }
                _ => continue,
            };
            self.out.push(HubUse {
                line,
                call: "url".into(),
                access,
                target,
                inference,
            });
        }
        self.list_commands();
    }

    /// `subprocess.run(["hf", "upload", REPO, "."])`: a command as a list of strings.
    fn list_commands(&mut self) {
        for i in 0..self.toks.len() {
            if !self.punct(i, b'[') {
                continue;
            }
            let first = self
                .toks
                .get(i + 1)
                .and_then(Tok::str)
                .map(|s| s.value.as_str());
            if !matches!(first, Some("hf" | "huggingface-cli" | "git")) {
                continue;
            }
            let mut words = Vec::new();
            let mut j = i + 1;
            while j < self.toks.len() && !self.punct(j, b']') {
                let end = self.value_end(j);
                let word = match self.eval(j, end, 0) {
                    Val::Str(s) if !s.contains(char::is_whitespace) => s,
                    Val::Str(_) => "…".to_owned(),
                    _ => format!(
                        "{{{}}}",
                        self.snippet(j, end).replace(char::is_whitespace, "")
                    ),
                };
                words.push(word);
                if !self.punct(end, b',') {
                    break;
                }
                j = end + 1;
            }
            let line = self.toks[i].line;
            let mut found = shell::command_uses(&words.join(" "), &HashMap::new(), false);
            for u in &mut found {
                u.line = line;
            }
            self.out.extend(found);
        }
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

//! HF015 in code (Python, notebooks, JavaScript): a print or log call that shows a token
//! variable's value, read right there (`print(os.environ["HF_TOKEN"])`) or through a name that
//! holds it (`token = os.getenv("HF_TOKEN")` … `print(token)`, `t = get_token()` … `print(t)`).
//! A part, a length or a test of the token is not the token.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;

use super::Hits;

static PRINT_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[^\w.])(print|pprint|(?:logger|logging|log|LOGGER|_logger)\.(?:debug|info|warning|warn|error|critical|exception|log)|sys\.(?:stdout|stderr)\.write|console\.(?:log|info|warn|error|debug)|st\.(?:write|text|code|markdown))\s*\(",
    )
    .expect("static regex")
});
static PY_ENV_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:environ\s*\[\s*|environ\.get\s*\(\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"#,
    )
    .expect("static regex")
});
static JS_ENV_READ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"process\.env(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\])"#,
    )
    .expect("static regex")
});
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:(?:const|let|var)\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=]+)?=[^=](.*)$")
        .expect("static regex")
});
/// huggingface_hub's own ways to get the saved token.
static GET_TOKEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bget_token\s*\(\s*\)").expect("static regex"));
static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").expect("static regex"));

/// The argument text of a call whose `(` is at `open`, up to its `)` (or the end of the line).
fn call_args(text: &str, open: usize) -> &str {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (k, ch) in text[open..].char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &text[open + 1..open + k];
                }
            }
            _ => {}
        }
    }
    &text[(open + 1).min(text.len())..]
}

/// Code in `args`: plain string literals removed, f-string and template `{…}` parts kept.
fn code_of(args: &str) -> String {
    let mut out = String::with_capacity(args.len());
    let chars: Vec<char> = args.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c == '"' || c == '\'' || c == '`' {
            let formatted = c == '`'
                || (k > 0 && matches!(chars[k - 1], 'f' | 'F'))
                || (k > 1
                    && matches!(chars[k - 1], 'r' | 'R')
                    && matches!(chars[k - 2], 'f' | 'F'));
            let mut j = k + 1;
            let mut depth = 0usize;
            // A string literal inside a `{…}` part (`{os.environ['HF_TOKEN']}`) is no code.
            let mut inner: Option<char> = None;
            while j < chars.len() && !(chars[j] == c && depth == 0 && inner.is_none()) {
                let ch = chars[j];
                if let Some(q) = inner {
                    if ch == q {
                        inner = None;
                    }
                    out.push(' ');
                } else if formatted && ch == '{' {
                    depth += 1;
                    out.push(' ');
                } else if formatted && ch == '}' {
                    depth = depth.saturating_sub(1);
                    out.push(' ');
                } else if depth > 0 && (ch == '"' || ch == '\'') && ch != c {
                    inner = Some(ch);
                    out.push(' ');
                } else if depth > 0 {
                    out.push(ch);
                }
                j += 1;
            }
            out.push(' ');
            k = j + 1;
        } else {
            out.push(c);
            k += 1;
        }
    }
    out
}

/// Whether `text` ends with `word` as a whole word.
fn ends_with_word(text: &str, word: &str) -> bool {
    text.strip_suffix(word).is_some_and(|b| {
        b.chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric() && c != '_')
    })
}

/// Whether the use of a value at `at..at + len` in `code` shows it: not `bool(x)`, `len(x)`,
/// `x is None`, `x is not None`, `"set" if x else …`, `x[:8]` (a part of a token is not the
/// token: hfaudit's own redaction shows as much).
fn reveals(code: &str, at: usize, len: usize) -> bool {
    let before = code[..at].trim_end();
    let after = code[at + len..].trim_start();
    let wrapped = [
        "bool(",
        "len(",
        "type(",
        "isinstance(",
        "hash(",
        "id(",
        "Boolean(",
        "!!",
        "!",
    ]
    .iter()
    .any(|f| before.ends_with(f));
    let tested = ends_with_word(before, "not")
        || ends_with_word(before, "if")
        || ends_with_word(before, "elif")
        || ends_with_word(before, "and")
        || before.ends_with("&&");
    let compared = [
        "is None",
        "is not None",
        "in ",
        "==",
        "!=",
        "and ",
        "&&",
        "?",
        "[",
        ".startswith(",
        ".endswith(",
        ".startsWith(",
        ".endsWith(",
        ".length",
        ".slice(",
        ".substring(",
        ".substr(",
    ]
    .iter()
    .any(|p| after.starts_with(p));
    !(wrapped || tested || compared)
}

/// Token-variable reads in `text` (`os.environ["X"]`, `os.getenv("X", "")`,
/// `process.env.X`): (variable, start, end) of each whole expression.
fn env_read_spans<'t>(text: &'t str, names: &HashSet<&str>) -> Vec<(&'t str, usize, usize)> {
    let mut out = Vec::new();
    let widen = |start: usize| {
        text[..start]
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_' || *c == '.')
            .last()
            .map_or(start, |(i, _)| i)
    };
    for c in PY_ENV_READ.captures_iter(text) {
        let m = c.get(1).expect("group 1");
        if !names.contains(m.as_str()) {
            continue;
        }
        let whole = c.get(0).expect("whole match");
        let rest = &text[whole.end()..];
        let close = if whole.as_str().contains('[') {
            ']'
        } else {
            ')'
        };
        let mut depth = 0usize;
        let mut end = text.len();
        for (k, ch) in rest.char_indices() {
            match ch {
                '(' | '[' => depth += 1,
                ')' | ']' if depth > 0 => depth -= 1,
                ch if ch == close => {
                    end = whole.end() + k + 1;
                    break;
                }
                _ => {}
            }
        }
        out.push((m.as_str(), widen(whole.start()), end));
    }
    for c in JS_ENV_READ.captures_iter(text) {
        let m = c.get(1).or_else(|| c.get(2)).expect("one name group");
        if names.contains(m.as_str()) {
            let whole = c.get(0).expect("whole match");
            out.push((m.as_str(), widen(whole.start()), whole.end()));
        }
    }
    out.sort_by_key(|r| r.1);
    out
}

/// A name that holds a token: the variable it was read from, or the call that read it.
struct Holder {
    name: String,
    /// The token variable it was read from, or `None` for `get_token()`.
    variable: Option<String>,
    /// "read by `get_token()`".
    origin: Option<String>,
}

/// `print(os.environ["HF_TOKEN"])`, `print(token)` where `token` was read from a token
/// variable (or by `get_token()`) earlier in the file, `logger.info(f"… {token}")`,
/// `console.log(process.env.X)`.
pub(super) fn code_prints(hits: &mut Hits<'_>, names: &HashSet<&str>) {
    let lines = hits.lines;
    let mut holders: Vec<Holder> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        // Without a token variable's name on the line and no name holding one yet, neither a
        // print nor an assignment here can matter.
        if holders.is_empty() && !line.mentions {
            continue;
        }
        let text: &str = &line.text;
        let bare = text.trim_start();
        if bare.starts_with('#') || bare.starts_with("//") {
            continue;
        }
        for c in PRINT_CALL.captures_iter(text) {
            let call = c.get(1).expect("group 1");
            let open = c.get(0).expect("whole match").end() - 1;
            let raw = call_args(text, open);
            let code = code_of(raw);
            // (variable, origin)
            let mut found: Option<(String, Option<String>)> = env_read_spans(raw, names)
                .into_iter()
                .find(|(_, start, end)| reveals(raw, *start, end - start))
                .map(|(v, _, _)| (v.to_owned(), None));
            if found.is_none() {
                for w in WORD.find_iter(&code) {
                    if let Some(h) = holders.iter().find(|h| h.name == w.as_str()) {
                        if reveals(&code, w.start(), w.len()) {
                            found = Some(match &h.variable {
                                Some(v) => (v.clone(), None),
                                None => (h.name.clone(), h.origin.clone()),
                            });
                            break;
                        }
                    }
                }
            }
            if let Some((var, origin)) = found {
                let what = format!("`{}`", call.as_str());
                if let Some(hit) = hits.push("HF015", i, call.start(), &var, &what) {
                    hit.origin = origin;
                }
            }
        }
        if let Some(c) = ASSIGN.captures(text) {
            let (name, value) = (c.get(1).expect("group 1"), c.get(2).expect("group 2"));
            // Only a name that holds the value itself: `client = InferenceClient(token=…)`
            // reads the variable too, but printing the client prints no token.
            let value = value.as_str().trim_start();
            let is_read = [
                "os.environ",
                "environ",
                "os.getenv",
                "getenv",
                "process.env",
                "get_token",
                "HfFolder.get_token",
                "huggingface_hub.get_token",
            ]
            .iter()
            .any(|p| value.starts_with(p));
            holders.retain(|h| h.name != name.as_str());
            if !is_read {
                continue;
            }
            let read = env_read_spans(value, names).into_iter().next();
            let holder = match read {
                // `token = os.environ["HF_TOKEN"][:8]` holds a part, `x = bool(…)` no token.
                Some((v, start, end)) if reveals(value, start, end - start) => Some(Holder {
                    name: name.as_str().to_owned(),
                    variable: Some(v.to_owned()),
                    origin: None,
                }),
                Some(_) => None,
                None => GET_TOKEN.find(value).map(|m| {
                    let callee = value[..m.end()].trim();
                    Holder {
                        name: name.as_str().to_owned(),
                        variable: None,
                        origin: Some(format!("read by `{callee}`")),
                    }
                }),
            };
            holders.extend(holder);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fires, hits};

    #[test]
    fn printing_in_code() {
        let yes = [
            "import os\nprint(os.environ[\"HF_TOKEN\"])\n",
            "import os\ntoken = os.getenv('HF_TOKEN')\nlogin(token=token)\nprint(token)\n",
            "token = os.environ.get(\"HF_TOKEN\", \"\")\nlogger.info(f\"using token {token}\")\n",
            "from huggingface_hub import get_token\nt = get_token()\nprint('token:', t)\n",
            "logging.debug(\"env: %s\", os.environ['HUGGINGFACEHUB_API_TOKEN'])\n",
            "print(len(x), os.environ['HF_TOKEN'])\n",
            "token = os.getenv('HF_TOKEN')\nprint(token if DEBUG else '')\n",
        ];
        for text in yes {
            assert!(fires("app.py", text, "HF015"), "{text}");
        }
        assert!(fires(
            "index.js",
            "console.log(`token ${process.env.HF_TOKEN}`)\n",
            "HF015"
        ));
        assert!(fires(
            "nb.ipynb",
            r#"{"cells": [{"source": ["print(os.environ[\"HF_TOKEN\"])\n"]}]}"#,
            "HF015"
        ));
        let no = [
            "import os\nlogin(token=os.environ[\"HF_TOKEN\"])\n",
            "client = InferenceClient(token=os.getenv(\"HF_TOKEN\"))\nprint(client.model)\n",
            "print(\"HF_TOKEN is set\")\n",
            "print(\"set HF_TOKEN first\")\ntoken = os.getenv('HF_TOKEN')\n",
            "print(\"HF_TOKEN\" in os.environ)\n",
            "print(bool(os.getenv(\"HF_TOKEN\")))\n",
            "token = os.getenv('HF_TOKEN')\nprint(token is not None)\nprint(\"token\")\n",
            "token = os.getenv('HF_TOKEN')\nprint(len(token))\n",
            "# print(os.environ[\"HF_TOKEN\"])\n",
            "token = os.getenv('HF_TOKEN')\ntoken = 'x'\nprint(token)\n",
            // A part of the token, its length, a test of it: not the token (issue 18).
            "HF_TOKEN = os.getenv('HF_TOKEN')\nprint(f\"HF_TOKEN set: {HF_TOKEN[:8]}...\")\n",
            "print(f\"token: {os.environ['HF_TOKEN'][:5]}…\")\n",
            "token = os.getenv('HF_TOKEN')\nprint('HF_TOKEN:', 'set' if token else 'missing')\n",
            "print('token', 'set' if os.getenv('HF_TOKEN') else 'unset')\n",
            "token = os.getenv('HF_TOKEN')\nprint(token.startswith('hf_'))\n",
            "print(bool(os.environ.get('HF_TOKEN')), 'x')\n",
            "prefix = os.getenv('HF_TOKEN')[:4]\nprint(prefix)\n",
        ];
        for text in no {
            assert!(!fires("app.py", text, "HF015"), "{text}");
        }
    }

    #[test]
    fn printing_names_where_the_value_comes_from() {
        let got = hits(
            "auth.py",
            "import os  # HF_TOKEN\ntoken = get_token()\nprint(token)\n",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].variable, "token", "a variable name, not a phrase");
        assert_eq!(got[0].origin.as_deref(), Some("read by `get_token()`"));
        let got = hits("a.py", "t = os.environ['HF_TOKEN']\nprint(t)\n");
        assert_eq!(
            (got[0].variable.as_str(), got[0].origin.as_ref()),
            ("HF_TOKEN", None)
        );
    }
}

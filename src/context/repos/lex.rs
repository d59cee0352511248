//! A small tokenizer for Python and JavaScript/TypeScript: enough to find calls, their
//! arguments and string literals, and to tell code from comments and docstrings.
//!
//! Linear, never recursive, never panics: unknown bytes become [`Kind::Other`] tokens, and an
//! unterminated string ends at the end of the file.

/// Which language's comments and strings to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Lang {
    Python,
    Js,
}

/// A string literal: its text (escapes of quotes and backslashes undone) and whether it has
/// interpolations (`f"{x}"`, `` `${x}` ``), which make it no literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Str {
    pub value: String,
    pub interpolated: bool,
    /// The whole statement is this string (a docstring or a bare string): prose, not code.
    pub bare: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Kind {
    Ident,
    Str(Str),
    /// One punctuation byte that matters: `( ) [ ] { } , = : . ;` and the like.
    Punct(u8),
    /// Operators of more than one byte (`==`, `!=`, `->`, `=>`, `+=`, `:=`, `**`): never `=`.
    Op,
    /// The end of a logical line (Python: a newline outside brackets, or `;`; JS: `;` or a
    /// newline outside brackets).
    Newline,
    /// Numbers and anything else.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Tok {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    /// 1-based.
    pub line: u64,
}

impl Tok {
    pub fn text<'a>(&self, src: &'a [u8]) -> &'a str {
        std::str::from_utf8(&src[self.start..self.end]).unwrap_or("")
    }

    pub fn is_punct(&self, b: u8) -> bool {
        self.kind == Kind::Punct(b)
    }

    pub fn str(&self) -> Option<&Str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'$' || b >= 0x80
}

fn ident_char(b: u8) -> bool {
    ident_start(b) || b.is_ascii_digit()
}

/// Python string prefixes (`r`, `b`, `f`, `rb`, `fr`, …, any case).
fn python_prefix(word: &[u8]) -> Option<(bool, bool)> {
    if word.is_empty() || word.len() > 2 {
        return None;
    }
    let mut raw = false;
    let mut f = false;
    for &b in word {
        match b.to_ascii_lowercase() {
            b'r' => raw = true,
            b'f' | b't' => f = true,
            b'b' | b'u' => {}
            _ => return None,
        }
    }
    Some((raw, f))
}

/// Tokenizes `src`. Line numbers count `\n` bytes.
pub(super) fn tokens(src: &[u8], lang: Lang) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::new();
    let mut i = 0;
    let mut line: u64 = 1;
    let mut depth: usize = 0;
    let n = src.len();
    while i < n {
        let b = src[i];
        match b {
            b'\n' => {
                if depth == 0 && out.last().is_some_and(|t| t.kind != Kind::Newline) {
                    out.push(Tok {
                        kind: Kind::Newline,
                        start: i,
                        end: i + 1,
                        line,
                    });
                }
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | b'\x0c' => i += 1,
            b'\\' if src.get(i + 1) == Some(&b'\n') => {
                // A continued line.
                line += 1;
                i += 2;
            }
            b'#' if lang == Lang::Python => {
                while i < n && src[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if lang == Lang::Js && src.get(i + 1) == Some(&b'/') => {
                while i < n && src[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if lang == Lang::Js && src.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i < n && !(src[i] == b'*' && src.get(i + 1) == Some(&b'/')) {
                    if src[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
                i = (i + 2).min(n);
            }
            b'"' | b'\'' => {
                let start = i;
                let start_line = line;
                let (s, next, lines) = string(src, i, lang, false, false);
                line += lines;
                i = next;
                out.push(Tok {
                    kind: Kind::Str(s),
                    start,
                    end: i,
                    line: start_line,
                });
            }
            b'`' if lang == Lang::Js => {
                let start = i;
                let start_line = line;
                let (s, next, lines) = template(src, i);
                line += lines;
                i = next;
                out.push(Tok {
                    kind: Kind::Str(s),
                    start,
                    end: i,
                    line: start_line,
                });
            }
            _ if ident_start(b) => {
                let start = i;
                while i < n && ident_char(src[i]) {
                    i += 1;
                }
                if lang == Lang::Python && matches!(src.get(i), Some(b'"' | b'\'')) {
                    if let Some((raw, f)) = python_prefix(&src[start..i]) {
                        let start_line = line;
                        let (s, next, lines) = string(src, i, lang, raw, f);
                        line += lines;
                        i = next;
                        out.push(Tok {
                            kind: Kind::Str(s),
                            start,
                            end: i,
                            line: start_line,
                        });
                        continue;
                    }
                }
                out.push(Tok {
                    kind: Kind::Ident,
                    start,
                    end: i,
                    line,
                });
            }
            _ if b.is_ascii_digit() => {
                let start = i;
                while i < n && (src[i].is_ascii_alphanumeric() || src[i] == b'_' || src[i] == b'.')
                {
                    i += 1;
                }
                out.push(Tok {
                    kind: Kind::Other,
                    start,
                    end: i,
                    line,
                });
            }
            _ => {
                let start = i;
                let next = src.get(i + 1).copied();
                let two = matches!(
                    (b, next),
                    (
                        b'=' | b'!'
                            | b'<'
                            | b'>'
                            | b'+'
                            | b'-'
                            | b'*'
                            | b'/'
                            | b'%'
                            | b'&'
                            | b'|'
                            | b'^'
                            | b':'
                            | b'@',
                        Some(b'=')
                    ) | (b'-' | b'=', Some(b'>'))
                        | (b'*', Some(b'*'))
                        | (b'/', Some(b'/'))
                );
                let kind = if two {
                    i += 2;
                    Kind::Op
                } else {
                    i += 1;
                    match b {
                        b'(' | b'[' | b'{' => {
                            depth += 1;
                            Kind::Punct(b)
                        }
                        b')' | b']' | b'}' => {
                            depth = depth.saturating_sub(1);
                            Kind::Punct(b)
                        }
                        b';' => Kind::Newline,
                        b',' | b'=' | b':' | b'.' | b'+' | b'-' | b'*' | b'!' | b'?' | b'<'
                        | b'>' | b'@' | b'%' | b'&' | b'|' => Kind::Punct(b),
                        _ => Kind::Other,
                    }
                };
                out.push(Tok {
                    kind,
                    start,
                    end: i,
                    line,
                });
            }
        }
    }
    mark_bare_strings(&mut out);
    out
}

/// A quoted string starting at `open` (the quote): (literal, next index, newlines inside).
fn string(src: &[u8], open: usize, lang: Lang, raw: bool, format: bool) -> (Str, usize, u64) {
    let quote = src[open];
    let triple = lang == Lang::Python
        && src.get(open + 1) == Some(&quote)
        && src.get(open + 2) == Some(&quote);
    let mut at = if triple { open + 3 } else { open + 1 };
    let mut value = Vec::new();
    let mut lines = 0;
    let mut interpolated = false;
    while let Some(&ch) = src.get(at) {
        if ch == b'\\' {
            let Some(&esc) = src.get(at + 1) else {
                at += 1;
                break;
            };
            if esc == b'\n' {
                lines += 1;
            }
            if raw || !matches!(esc, b'\\' | b'\'' | b'"') {
                value.push(ch);
            }
            value.push(esc);
            at += 2;
            continue;
        }
        if triple {
            if ch == quote && src.get(at + 1) == Some(&quote) && src.get(at + 2) == Some(&quote) {
                at += 3;
                break;
            }
        } else if ch == quote {
            at += 1;
            break;
        } else if ch == b'\n' {
            // An unterminated one-line string ends at the line's end.
            break;
        }
        if ch == b'\n' {
            lines += 1;
        }
        if format && ch == b'{' {
            if src.get(at + 1) == Some(&b'{') {
                value.push(b'{');
                at += 2;
                continue;
            }
            interpolated = true;
        }
        value.push(ch);
        at += 1;
    }
    (
        Str {
            value: String::from_utf8_lossy(&value).into_owned(),
            interpolated,
            bare: false,
        },
        at.min(src.len()),
        lines,
    )
}

/// A JavaScript template literal at `i` (the backtick).
fn template(src: &[u8], i: usize) -> (Str, usize, u64) {
    let mut j = i + 1;
    let mut value = Vec::new();
    let mut lines = 0;
    let mut interpolated = false;
    let mut braces = 0usize;
    while let Some(&c) = src.get(j) {
        if c == b'\n' {
            lines += 1;
        }
        if braces > 0 {
            match c {
                b'{' => braces += 1,
                b'}' => braces -= 1,
                _ => {}
            }
            j += 1;
            continue;
        }
        match c {
            b'\\' => {
                if let Some(&e) = src.get(j + 1) {
                    value.push(e);
                    if e == b'\n' {
                        lines += 1;
                    }
                }
                j += 2;
            }
            b'`' => {
                j += 1;
                break;
            }
            b'$' if src.get(j + 1) == Some(&b'{') => {
                interpolated = true;
                braces = 1;
                j += 2;
            }
            _ => {
                value.push(c);
                j += 1;
            }
        }
    }
    (
        Str {
            value: String::from_utf8_lossy(&value).into_owned(),
            interpolated,
            bare: false,
        },
        j.min(src.len()),
        lines,
    )
}

/// Marks strings that make up a whole statement (docstrings, bare strings): prose.
fn mark_bare_strings(toks: &mut [Tok]) {
    let mut start = 0;
    while start < toks.len() {
        let end = toks[start..]
            .iter()
            .position(|t| t.kind == Kind::Newline)
            .map_or(toks.len(), |p| start + p);
        let stmt = &toks[start..end];
        // `x = 1; "doc"` and the docstring after `def f():` both start a statement; a body
        // on the same line as its colon (`def f(): "doc"`) is rare enough to leave as code.
        if !stmt.is_empty() && stmt.iter().all(|t| matches!(t.kind, Kind::Str(_))) {
            for t in &mut toks[start..end] {
                if let Kind::Str(s) = &mut t.kind {
                    s.bare = true;
                }
            }
        }
        start = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str, lang: Lang) -> Vec<String> {
        tokens(src.as_bytes(), lang)
            .iter()
            .map(|t| match &t.kind {
                Kind::Ident => format!("id:{}", t.text(src.as_bytes())),
                Kind::Str(s) if s.bare => format!("bare:{}", s.value),
                Kind::Str(s) if s.interpolated => format!("f:{}", s.value),
                Kind::Str(s) => format!("s:{}", s.value),
                Kind::Punct(b) => format!("{}", *b as char),
                Kind::Op => "op".into(),
                Kind::Newline => "NL".into(),
                Kind::Other => "other".into(),
            })
            .collect()
    }

    #[test]
    fn python_strings_comments_and_docstrings() {
        let src = "def f(a='x'):\n    \"\"\"Doc from_pretrained(\"a/b\")\"\"\"\n    # from_pretrained(\"c/d\")\n    return g(f\"{a}/m\", r'\\q', b\"z\")\n";
        assert_eq!(
            kinds(src, Lang::Python),
            [
                "id:def",
                "id:f",
                "(",
                "id:a",
                "=",
                "s:x",
                ")",
                ":",
                "NL",
                "bare:Doc from_pretrained(\"a/b\")",
                "NL",
                "id:return",
                "id:g",
                "(",
                "f:{a}/m",
                ",",
                "s:\\q",
                ",",
                "s:z",
                ")",
                "NL"
            ]
        );
    }

    #[test]
    fn brackets_join_lines_and_lines_are_counted() {
        let src = "x = f(\n  'a',\n  b == 2)\ny = 1\n";
        let toks = tokens(src.as_bytes(), Lang::Python);
        let y = toks.iter().find(|t| t.text(src.as_bytes()) == "y").unwrap();
        assert_eq!(y.line, 4);
        let newlines = toks.iter().filter(|t| t.kind == Kind::Newline).count();
        assert_eq!(newlines, 2);
        assert!(toks.iter().any(|t| t.kind == Kind::Op));
    }

    #[test]
    fn js_comments_and_templates() {
        let src = "// a('x/y')\nconst m = `${o}/m`; /* b('c/d') */ load(\"e/f\")";
        assert_eq!(
            kinds(src, Lang::Js),
            ["id:const", "id:m", "=", "f:/m", "NL", "id:load", "(", "s:e/f", ")"]
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        for src in [
            &b"'"[..],
            b"\"\"\"",
            b"f'{",
            b"`${",
            b"\\",
            b"/*",
            b"\xff\xfe(\x00",
            b"r'\\",
        ] {
            let _ = tokens(src, Lang::Python);
            let _ = tokens(src, Lang::Js);
        }
    }
}

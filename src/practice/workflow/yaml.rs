//! A light reading of a workflow's YAML: block mappings, sequence items, block scalars and
//! plain scalars' continuation lines, each node with its path from the root. Flow mappings and
//! anchors are not followed.

use super::super::Line;

/// One YAML node on a line: its path from the document root, and its value.
#[derive(Debug)]
pub(super) struct Entry {
    /// 0-based line index.
    pub(super) line: usize,
    /// Keys from the root, a sequence item as `-N` (N its line index).
    pub(super) path: Vec<String>,
    /// The inline value, comment removed (`|` for a block scalar).
    pub(super) value: String,
    /// Lines of a block scalar, or a plain scalar's continuation lines.
    pub(super) more: Vec<usize>,
}

impl Entry {
    pub(super) fn at(&self, pattern: &[&str]) -> bool {
        self.path.len() == pattern.len()
            && self
                .path
                .iter()
                .zip(pattern)
                .all(|(p, want)| *want == "*" || p == want || (*want == "-" && p.starts_with('-')))
    }

    /// Whether the node is `owner`'s child `key`.
    pub(super) fn at_end(&self, owner: &[String], key: &str) -> bool {
        self.path.len() == owner.len() + 1
            && self.path.starts_with(owner)
            && self.path.last().is_some_and(|k| k == key)
    }
}

fn indent(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// `key: value` → (key, value); `None` for a line that is no mapping entry.
fn split_key(rest: &str) -> Option<(&str, &str)> {
    let (key, after) = if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
        let close = rest[1..].find(q)? + 1;
        (&rest[1..close], &rest[close + 1..])
    } else {
        let colon = rest
            .char_indices()
            .find(|&(i, c)| {
                c == ':'
                    && rest[i + 1..]
                        .chars()
                        .next()
                        .is_none_or(|n| n == ' ' || n == '\t')
            })?
            .0;
        let key = rest[..colon].trim_end();
        if key.is_empty()
            || key.contains(' ')
            || key.starts_with(['{', '[', '|', '>', '&', '*', '!', '%', '@', '`', '$', '-'])
        {
            return None;
        }
        (key, &rest[colon..])
    };
    let value = after.trim_start().strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with([' ', '\t'])) {
        return None;
    }
    Some((key, value.trim()))
}

/// The value without a trailing `# comment` (outside quotes).
fn strip_comment(value: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    for (i, c) in value.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            None if (c == '"' || c == '\'') && (i == 0 || prev == ' ') => quote = Some(c),
            None if c == '#' && (i == 0 || prev == ' ' || prev == '\t') => {
                return value[..i].trim_end();
            }
            _ => {}
        }
        prev = c;
    }
    value.trim_end()
}

/// The workflow's nodes, in order.
pub(super) fn entries(lines: &[Line<'_>]) -> Vec<Entry> {
    let mut out = Vec::new();
    // (column, name, is a sequence item)
    let mut stack: Vec<(usize, String, bool)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let text: &str = &lines[i].text;
        let trimmed = text.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
            i += 1;
            continue;
        }
        let mut col = indent(text);
        let mut rest = trimmed;
        while rest == "-" || rest.starts_with("- ") {
            while stack
                .last()
                .is_some_and(|(c, _, item)| *c > col || (*c == col && *item))
            {
                stack.pop();
            }
            stack.push((col, format!("-{i}"), true));
            let after = &rest[1..];
            let skip = 1 + (after.len() - after.trim_start().len());
            col += skip;
            rest = &rest[skip..];
        }
        if rest.is_empty() {
            i += 1;
            continue;
        }
        let Some((key, value)) = split_key(rest) else {
            // A scalar item (`- HF_TOKEN`) or a line this reading does not follow.
            out.push(Entry {
                line: i,
                path: stack.iter().map(|s| s.1.clone()).collect(),
                value: strip_comment(rest).to_owned(),
                more: Vec::new(),
            });
            i += 1;
            continue;
        };
        while stack.last().is_some_and(|(c, _, _)| *c >= col) {
            stack.pop();
        }
        stack.push((col, key.to_owned(), false));
        let value = strip_comment(value);
        let block = value.starts_with('|') || value.starts_with('>');
        let mut entry = Entry {
            line: i,
            path: stack.iter().map(|s| s.1.clone()).collect(),
            value: value.to_owned(),
            more: Vec::new(),
        };
        let mut j = i + 1;
        if !value.is_empty() {
            while j < lines.len() {
                let t: &str = &lines[j].text;
                if t.trim().is_empty() {
                    j += 1;
                    continue;
                }
                if indent(t) <= col {
                    break;
                }
                let bare = t.trim_start();
                // A plain scalar continues on more indented lines that are no node of their own.
                if !block && (bare.starts_with("- ") || split_key(bare).is_some()) {
                    break;
                }
                entry.more.push(j);
                j += 1;
            }
        }
        out.push(entry);
        i = j.max(i + 1);
    }
    out
}

/// The text of a `run:` value: (line index, text) per physical line.
pub(super) fn run_lines<'l>(entry: &Entry, lines: &'l [Line<'l>]) -> Vec<(usize, String)> {
    if entry.value.starts_with('|') || entry.value.starts_with('>') {
        return entry
            .more
            .iter()
            .map(|&j| (j, lines[j].text.trim().to_owned()))
            .collect();
    }
    let first = entry.value.as_str();
    let quoted = first.len() >= 2
        && ((first.starts_with('"') && first.ends_with('"'))
            || (first.starts_with('\'') && first.ends_with('\'')));
    let first = if quoted {
        first[1..first.len() - 1].replace("\\\"", "\"")
    } else {
        first.to_owned()
    };
    // A plain scalar's continuation lines fold into one line.
    let mut text = first;
    for &j in &entry.more {
        text.push(' ');
        text.push_str(lines[j].text.trim());
    }
    vec![(entry.line, text)]
}
pub(super) fn unquote(v: &str) -> &str {
    let v = v.trim();
    if v.len() >= 2
        && ((v.starts_with('"') && v.ends_with('"')) || (v.starts_with('\'') && v.ends_with('\'')))
    {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_and_comments() {
        assert_eq!(split_key("run: echo a: b"), Some(("run", "echo a: b")));
        assert_eq!(split_key("\"on\": push"), Some(("on", "push")));
        assert_eq!(split_key("env:"), Some(("env", "")));
        assert_eq!(split_key("python -c x"), None);
        assert_eq!(split_key("--flag value: x"), None);
        assert_eq!(split_key("https://x.y"), None);
        assert_eq!(strip_comment("pytest # run"), "pytest");
        assert_eq!(strip_comment("echo \"#1\""), "echo \"#1\"");
        assert_eq!(strip_comment("a#b"), "a#b");
    }
}

//! Hub URLs and command lines inside string literals.

use std::collections::HashMap;

use super::{hub_url, shell, Access, Cx, HubUse, Named, Target, Tok, UrlUse, Val, RUNNERS};

impl Cx<'_> {
    pub(super) fn strings(&mut self) {
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
                super::super::hf_path(rest)
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
    pub(super) fn list_commands(&mut self) {
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

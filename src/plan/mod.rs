//! `hfaudit plan`: for each platform of a tree, the fine-grained token to create — a name, and
//! exactly the permissions its code needs (issue 20), with the evidence for each and the places
//! whose repository is not a literal.
//!
//! Pure: files (report path and bytes) in, a [`Plan`] out; no network. The need map is
//! [`crate::context::hub_uses`]; renderers live in `report::plan`.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::access::{Entity, Scoped};
use crate::context::repos::{self, Access, HubUse, Target};
use crate::context::{platform_of, Platform};

/// The Hub's permission to read a repository's files.
pub const READ: &str = "repo.content.read";
/// …to write its files and settings (and create repositories, on a namespace).
pub const WRITE: &str = "repo.write";
/// …to open and comment on discussions and pull requests.
pub const DISCUSS: &str = "discussion.write";

/// The order the token page lists permissions in.
const ORDER: [&str; 3] = [READ, DISCUSS, WRITE];

/// Entity type of a namespace (a user or an organisation: the plan cannot tell which offline).
pub const NAMESPACE: &str = "namespace";

/// The whole plan: `--format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub version: u32,
    pub tokens: Vec<TokenPlan>,
}

/// The token one platform needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenPlan {
    pub platform: Platform,
    /// Named after the project, what the token is for and where it runs, as the Hub advises.
    pub name: String,
    /// Always `fineGrained`: the only kind that can be limited to repositories.
    pub role: &'static str,
    /// Per repository (or namespace) the permissions; write lists read too, as the Hub does.
    pub scoped: Vec<Scoped>,
    /// Permissions not tied to a repository: the inference ones.
    pub global: Vec<String>,
    pub evidence: Vec<Evidence>,
    pub unresolved: Vec<Unresolved>,
}

/// One call that asks for a permission.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub path: String,
    pub line: u64,
    pub call: String,
    /// `model:acme/m`, `namespace:acme`; `None` for inference without a repository.
    pub repo: Option<String>,
    /// `read`, `write`, `discussion` or `inference`.
    pub access: &'static str,
}

/// A call whose repository is not a literal: planned by hand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unresolved {
    pub path: String,
    pub line: u64,
    pub call: String,
    pub why: String,
    /// `read`, `write`, `discussion` or `inference`: an unresolved write leaves the plan short
    /// of a permission, an unresolved read only of a private repository.
    pub access: &'static str,
}

/// What the plan knows about the tree besides its files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The project's name (the folder planned), the first word of each token's name.
    pub project: String,
    /// The tree is a Space (its `README.md` names an `sdk:`): its code runs on a server.
    pub is_space: bool,
    /// The Space's own id (`acme/demo`), when known (from its git remote).
    pub space_id: Option<String>,
}

/// The plan for `files`: (report path, contents) in any order.
pub fn plan<P, B>(files: impl IntoIterator<Item = (P, B)>, opts: &Options) -> Plan
where
    P: AsRef<str>,
    B: AsRef<[u8]>,
{
    let per_file = files.into_iter().map(|(path, bytes)| {
        let path = path.as_ref().to_owned();
        let platform = platform_in(&path, opts.is_space);
        let uses = repos::hub_uses(&path, platform, bytes.as_ref());
        (path, platform, uses)
    });
    plan_from_uses(per_file, opts)
}

/// The platform of a report path, in a Space (whose source code runs on the Hub's servers) or not.
pub fn platform_in(path: &str, is_space: bool) -> Platform {
    match platform_of(path) {
        Platform::Source if is_space => Platform::Server,
        p => p,
    }
}

/// The plan from uses already found (the pipeline's `FileFacts::hub_uses`): (report path,
/// platform, uses).
pub fn plan_from_uses(
    files: impl IntoIterator<Item = (String, Platform, Vec<HubUse>)>,
    opts: &Options,
) -> Plan {
    let mut by_platform: BTreeMap<Platform, Vec<(String, HubUse)>> = BTreeMap::new();
    for (path, platform, mut uses) in files {
        if let Some(id) = &opts.space_id {
            repos::resolve_own_space(&mut uses, id);
        }
        by_platform
            .entry(platform)
            .or_default()
            .extend(uses.into_iter().map(|u| (path.clone(), u)));
    }
    let tokens = by_platform
        .into_iter()
        .filter(|(_, uses)| !uses.is_empty())
        .map(|(platform, uses)| token_plan(platform, &uses, opts))
        .collect();
    Plan { version: 1, tokens }
}

fn token_plan(platform: Platform, uses: &[(String, HubUse)], opts: &Options) -> TokenPlan {
    // (entity type, name) → permissions.
    let mut grants: BTreeMap<(String, String), BTreeSet<&'static str>> = BTreeMap::new();
    let mut global = BTreeSet::new();
    let mut evidence = BTreeSet::new();
    let mut unresolved = BTreeSet::new();
    for (path, u) in uses {
        if let Some(i) = u.inference {
            global.insert(i.permission());
        }
        let perms: &[&'static str] = match u.access {
            Access::Read => &[READ],
            Access::Write => &[READ, WRITE],
            Access::Discussion => &[DISCUSS],
            Access::Inference => &[],
        };
        let entity = match &u.target {
            Target::Repo(r) => Some((repos::kind_str(r.kind).to_owned(), r.id.clone())),
            Target::Namespace(n) => Some((NAMESPACE.to_owned(), n.clone())),
            Target::Nothing => None,
            Target::OwnSpace | Target::Unresolved(_) => {
                unresolved.insert(Unresolved {
                    path: path.clone(),
                    line: u.line,
                    call: u.call.clone(),
                    why: u.unresolved().unwrap_or_default().to_owned(),
                    access: u.access.as_str(),
                });
                continue;
            }
        };
        if let Some(e) = &entity {
            if !perms.is_empty() {
                grants.entry(e.clone()).or_default().extend(perms);
            }
        }
        if entity.is_some() || u.inference.is_some() {
            evidence.insert(Evidence {
                path: path.clone(),
                line: u.line,
                call: u.call.clone(),
                repo: entity.map(|(k, n)| format!("{k}:{n}")),
                access: u.access.as_str(),
            });
        }
    }
    // A repository in a namespace the token may already write to everything of needs nothing
    // more, unless it needs what the namespace grant lacks.
    let namespaces: BTreeMap<String, BTreeSet<&'static str>> = grants
        .iter()
        .filter(|((k, _), _)| k == NAMESPACE)
        .map(|((_, n), p)| (n.clone(), p.clone()))
        .collect();
    let scoped = grants
        .into_iter()
        .filter(|((kind, name), perms)| {
            kind == NAMESPACE
                || !name.split_once('/').is_some_and(|(owner, _)| {
                    namespaces.get(owner).is_some_and(|ns| perms.is_subset(ns))
                })
        })
        .map(|((kind, name), perms)| Scoped {
            entity: Entity { kind, name },
            permissions: ORDER
                .iter()
                .filter(|p| perms.contains(*p))
                .map(|p| (*p).to_owned())
                .collect(),
        })
        .collect::<Vec<_>>();
    let writes = scoped
        .iter()
        .any(|s| s.permissions.iter().any(|p| p == WRITE));
    let reads = scoped.iter().any(|s| !s.permissions.is_empty());
    let purpose = match (writes, reads, !global.is_empty()) {
        (true, _, _) => "write",
        (false, true, true) => "read-inference",
        (false, true, false) => "read",
        (false, false, true) => "inference",
        (false, false, false) => "unresolved",
    };
    TokenPlan {
        platform,
        name: token_name(&opts.project, purpose, platform),
        role: "fineGrained",
        scoped,
        global: global.into_iter().map(str::to_owned).collect(),
        evidence: evidence.into_iter().collect(),
        unresolved: unresolved.into_iter().collect(),
    }
}

/// `acme-write-ci`: the project, the purpose, the platform (letters, digits and `-`).
pub fn token_name(project: &str, purpose: &str, platform: Platform) -> String {
    let project: String = project
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let project = project
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let place = platform.as_str().replace('_', "-");
    if project.is_empty() {
        format!("{purpose}-{place}")
    } else {
        format!("{project}-{purpose}-{place}")
    }
}

/// The Space a clone belongs to, from its `.git/config`: the `huggingface.co/spaces/…` remote.
pub fn space_id_from_git_config(config: &str) -> Option<String> {
    config.lines().find_map(|l| {
        let url = l
            .trim()
            .strip_prefix("url")?
            .trim_start()
            .strip_prefix('=')?
            .trim();
        match repos::hub_url(url) {
            repos::UrlUse::Repo(r) if r.kind == crate::repo::Kind::Space => Some(r.id),
            _ => None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            project: "Acme Train".into(),
            ..Options::default()
        }
    }

    #[test]
    fn one_token_per_platform_with_exact_permissions() {
        let files = [
            (
                "train/push.py",
                "from huggingface_hub import HfApi, hf_hub_download\napi = HfApi()\nhf_hub_download(\"acme/d1\", \"x.csv\", repo_type=\"dataset\")\nm = AutoModel.from_pretrained(\"acme/m2\")\napi.upload_file(path_or_fileobj=\"a\", path_in_repo=\"a\", repo_id=\"acme/m2\")\nc = InferenceClient()\n",
            ),
            (
                "tools/dyn.py",
                "from huggingface_hub import upload_folder\n\n\nupload_folder(repo_id=args.repo, folder_path=\"x\")\n",
            ),
            (
                ".github/workflows/sync.yml",
                "jobs:\n  s:\n    steps:\n      - run: hf repo create acme/new\n      - run: hf upload acme/new .\n",
            ),
            ("README.md", "hf upload acme/doc .\n"),
        ];
        let p = plan(files, &opts());
        assert_eq!(p.version, 1);
        let platforms: Vec<Platform> = p.tokens.iter().map(|t| t.platform).collect();
        assert_eq!(platforms, [Platform::Ci, Platform::Source]);
        let ci = &p.tokens[0];
        assert_eq!(ci.name, "acme-train-write-ci");
        // The namespace grant covers the repository in it.
        assert_eq!(
            serde_json::to_value(&ci.scoped).unwrap(),
            serde_json::json!([{"entity": {"type": "namespace", "name": "acme"},
                                "permissions": ["repo.content.read", "repo.write"]}])
        );
        let src = &p.tokens[1];
        assert_eq!(src.name, "acme-train-write-source");
        assert_eq!(src.role, "fineGrained");
        assert_eq!(
            serde_json::to_value(&src.scoped).unwrap(),
            serde_json::json!([
                {"entity": {"type": "dataset", "name": "acme/d1"}, "permissions": ["repo.content.read"]},
                {"entity": {"type": "model", "name": "acme/m2"}, "permissions": ["repo.content.read", "repo.write"]}
            ])
        );
        assert_eq!(src.global, ["inference.serverless.write"]);
        assert_eq!(src.evidence.len(), 4);
        assert_eq!(
            src.unresolved,
            [Unresolved {
                path: "tools/dyn.py".into(),
                line: 4,
                call: "upload_folder".into(),
                why: "`args.repo` is not a literal".into(),
                access: "write",
            }]
        );
    }

    #[test]
    fn a_space_plans_its_source_as_a_server_and_knows_its_own_repository() {
        let files = [(
            "app.py",
            "from huggingface_hub import HfApi\nimport os\nHfApi().restart_space(os.environ[\"SPACE_ID\"])\n",
        )];
        let unknown = plan(
            files,
            &Options {
                is_space: true,
                ..opts()
            },
        );
        assert_eq!(unknown.tokens[0].platform, Platform::Server);
        assert_eq!(unknown.tokens[0].unresolved.len(), 1);
        let known = plan(
            files,
            &Options {
                is_space: true,
                space_id: Some("acme/demo".into()),
                ..opts()
            },
        );
        assert!(known.tokens[0].unresolved.is_empty());
        assert_eq!(known.tokens[0].scoped[0].entity.name, "acme/demo");
        assert_eq!(known.tokens[0].scoped[0].entity.kind, "space");
    }

    #[test]
    fn nothing_to_plan_without_hub_calls() {
        let p = plan([("a.py", "print(1)\n")], &opts());
        assert!(p.tokens.is_empty());
    }

    #[test]
    fn names_and_space_ids() {
        assert_eq!(token_name("", "read", Platform::EnvFile), "read-env-file");
        assert_eq!(
            token_name("my_proj!", "write", Platform::Ci),
            "my-proj-write-ci"
        );
        assert_eq!(
            space_id_from_git_config(
                "[remote \"origin\"]\n\turl = https://huggingface.co/spaces/acme/demo\n"
            )
            .as_deref(),
            Some("acme/demo")
        );
        assert_eq!(
            space_id_from_git_config("\turl = https://github.com/acme/demo\n"),
            None
        );
    }
}

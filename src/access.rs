//! The access map: what whoami-v2 says a token can reach (DESIGN §7, issue 20).
//!
//! The shapes are the Hub's own, as huggingface_hub and huggingface.js read them: the account's
//! `name`, its `orgs` (each with the user's `roleInOrg`: `admin`, `write`, `contributor` or
//! `read`), and `auth.accessToken` with a `role` (`read`, `write`, `fineGrained`) and, for a
//! fine-grained token, `fineGrained.global` (permissions not tied to an entity) and
//! `fineGrained.scoped` (an `entity` — `{type: user|org|model|dataset|space, name}` — and the
//! permissions granted on it, such as `repo.content.read`, `repo.write`,
//! `inference.serverless.write`). OAuth tokens come without `accessToken`.
//!
//! Parsing only; [`write_reach`] says what a [`Verification`] can write to.

use serde::{Deserialize, Serialize};

/// What a scoped permission is granted on: a user, an organisation or one repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Entity {
    /// `user`, `org`, `model`, `dataset`, `space` (other types are kept as the Hub sends them).
    #[serde(rename = "type")]
    pub kind: String,
    /// A user or organisation name, or a repository id (`acme/m`).
    pub name: String,
}

impl Entity {
    /// A user or an organisation: the grant covers every repository of the namespace.
    pub fn is_namespace(&self) -> bool {
        matches!(self.kind.as_str(), "user" | "org")
    }
}

/// One `fineGrained.scoped` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Scoped {
    pub entity: Entity,
    pub permissions: Vec<String>,
}

/// An organisation of the account, with the account's role in it (`roleInOrg`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub name: String,
    pub role: Option<String>,
}

/// A token's access as whoami-v2 tells it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessMap {
    /// The account the token belongs to.
    pub owner: String,
    pub orgs: Vec<Org>,
    /// `read`, `write`, `god` or `fineGrained`; `None` for an OAuth token.
    pub role: Option<String>,
    pub token_name: Option<String>,
    /// A fine-grained token's `global` permissions (`None` for other tokens).
    pub global: Option<Vec<String>>,
    /// A fine-grained token's `scoped` entries that name an entity (`None` for other tokens).
    pub scoped: Option<Vec<Scoped>>,
    /// Every fine-grained permission, `global` then `scoped`, in order, deduplicated.
    pub permissions: Vec<String>,
}

// Typed documents: an answer of the wrong shape (`{}`, a string where a name goes, an HTML page)
// is refused rather than taken for a valid token; fields not named here are ignored.

#[derive(Deserialize)]
struct WhoamiDoc {
    name: String,
    auth: AuthDoc,
    #[serde(default)]
    orgs: Option<Vec<OrgDoc>>,
}

#[derive(Deserialize)]
struct AuthDoc {
    #[serde(rename = "accessToken", default)]
    access_token: Option<TokenDoc>,
}

#[derive(Deserialize)]
struct OrgDoc {
    name: String,
    #[serde(rename = "roleInOrg", default)]
    role_in_org: Option<String>,
}

#[derive(Deserialize)]
struct TokenDoc {
    role: String,
    #[serde(rename = "displayName", default)]
    display_name: Option<String>,
    #[serde(rename = "fineGrained", default)]
    fine_grained: Option<FineGrainedDoc>,
}

#[derive(Deserialize)]
struct FineGrainedDoc {
    #[serde(default)]
    global: Option<Vec<String>>,
    #[serde(default)]
    scoped: Option<Vec<ScopedDoc>>,
}

#[derive(Deserialize)]
struct ScopedDoc {
    #[serde(default)]
    entity: Option<EntityDoc>,
    #[serde(default)]
    permissions: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct EntityDoc {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

/// Parses a whoami-v2 answer (already JSON): `Err` says why it is not one.
pub fn parse(value: serde_json::Value) -> Result<AccessMap, String> {
    if !value.is_object() {
        return Err("not a JSON object".to_owned());
    }
    let doc: WhoamiDoc =
        serde_json::from_value(value).map_err(|e| format!("not a whoami document ({e})"))?;
    let mut map = AccessMap {
        owner: doc.name,
        orgs: doc
            .orgs
            .unwrap_or_default()
            .into_iter()
            .map(|o| Org {
                name: o.name,
                role: o.role_in_org,
            })
            .collect(),
        ..AccessMap::default()
    };
    let Some(token) = doc.auth.access_token else {
        return Ok(map);
    };
    if let Some(fine) = token.fine_grained {
        let global = fine.global.unwrap_or_default();
        let mut scoped = Vec::new();
        map.permissions.extend(global.iter().cloned());
        for entry in fine.scoped.unwrap_or_default() {
            let permissions = entry.permissions.unwrap_or_default();
            map.permissions.extend(permissions.iter().cloned());
            if let Some(EntityDoc {
                kind: Some(kind),
                name: Some(name),
            }) = entry.entity
            {
                scoped.push(Scoped {
                    entity: Entity { kind, name },
                    permissions,
                });
            }
        }
        let mut seen = std::collections::HashSet::new();
        map.permissions.retain(|p| seen.insert(p.clone()));
        map.global = Some(global);
        map.scoped = Some(scoped);
    }
    map.role = Some(token.role);
    map.token_name = token.display_name;
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_scoped_entities_global_and_org_roles() {
        let m = parse(json!({
            "type": "user", "name": "alice",
            "orgs": [{"type": "org", "name": "acme", "roleInOrg": "write"},
                     {"type": "org", "name": "lab", "roleInOrg": "read"}, {"name": "old"}],
            "auth": {"type": "access_token", "accessToken": {
                "displayName": "ci-push", "role": "fineGrained",
                "fineGrained": {
                    "canReadGatedRepos": true,
                    "global": ["discussion.write"],
                    "scoped": [
                        {"entity": {"_id": "1", "type": "user", "name": "alice"},
                         "permissions": ["repo.content.read", "inference.serverless.write"]},
                        {"entity": {"_id": "2", "type": "model", "name": "acme/m"},
                         "permissions": ["repo.content.read", "repo.write"]},
                        {"permissions": ["collection.read"]}
                    ]
                }
            }}
        }))
        .unwrap();
        assert_eq!(m.owner, "alice");
        assert_eq!(m.role.as_deref(), Some("fineGrained"));
        assert_eq!(m.token_name.as_deref(), Some("ci-push"));
        assert_eq!(
            m.global.as_deref(),
            Some(&["discussion.write".to_owned()][..])
        );
        let scoped = m.scoped.unwrap();
        assert_eq!(
            scoped.len(),
            2,
            "the entry without an entity is not scoped to one"
        );
        assert_eq!(
            scoped[1].entity,
            Entity {
                kind: "model".into(),
                name: "acme/m".into()
            }
        );
        assert_eq!(
            m.permissions,
            [
                "discussion.write",
                "repo.content.read",
                "inference.serverless.write",
                "repo.write",
                "collection.read"
            ]
        );
        assert_eq!(
            m.orgs,
            [
                Org {
                    name: "acme".into(),
                    role: Some("write".into())
                },
                Org {
                    name: "lab".into(),
                    role: Some("read".into())
                },
                Org {
                    name: "old".into(),
                    role: None
                }
            ]
        );
    }

    #[test]
    fn classic_and_oauth_tokens_have_no_scopes() {
        let m =
            parse(json!({"name": "alice", "auth": {"accessToken": {"role": "write"}}})).unwrap();
        assert_eq!((m.global, m.scoped), (None, None));
        let m = parse(json!({"name": "alice", "auth": {"type": "oauth"}})).unwrap();
        assert_eq!(m.role, None);
        assert!(parse(json!({"name": "alice"})).is_err());
        assert!(parse(json!([1])).is_err());
    }
}

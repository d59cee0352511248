//! huggingface.js calls (`@huggingface/hub`, `@huggingface/inference`).

use super::{
    has, hub_url, namespace_of, Access, Arg, Cx, HubUse, Kind, KindBy, Target, UrlUse, Val,
};

impl Cx<'_> {
    pub(super) fn js_call(&mut self, line: u64, name: &str, args: &[Arg]) {
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
    pub(super) fn js_repo(
        &mut self,
        line: u64,
        call: &str,
        access: Access,
        args: &[Arg],
        key: &str,
    ) {
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
    pub(super) fn js_repo_prefixed(&mut self, line: u64, call: &str, args: &[Arg], prefix: &str) {
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
}

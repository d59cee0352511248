//! Python calls that touch the Hub: huggingface_hub, transformers, datasets, diffusers, peft,
//! sentence-transformers; `push_to_hub` and `create_repo`; inference clients.

use super::{
    name_repo, named_target, namespace_of, Access, Arg, Cx, HubUse, Inference, Kind, KindBy, Named,
    Target, UrlUse, Val, NO_HUB_MODEL_ID,
};

impl Cx<'_> {
    pub(super) fn python_call(
        &mut self,
        line: u64,
        name: &str,
        receiver: Option<&str>,
        args: &[Arg],
    ) {
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
    pub(super) fn create_repo(&mut self, line: u64, args: &[Arg]) {
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
    pub(super) fn trainer_target(&self) -> Target {
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

    pub(super) fn push_to_hub(&mut self, line: u64, receiver: Option<&str>, args: &[Arg]) {
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
    pub(super) fn push_kind(&self, receiver: Option<&str>) -> Result<Kind, String> {
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
    pub(super) fn inference_call(&mut self, line: u64, call: &str, arg: Option<&Arg>) {
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
}

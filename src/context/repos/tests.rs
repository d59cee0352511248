use super::*;

/// `LINE CALL ACCESS TARGET` per use: `model:acme/m`, `ns:acme`, `space:self`, `-`, or
/// `?why`.
fn uses(path: &str, src: &str) -> Vec<String> {
    let platform = crate::context::platform_of(path);
    hub_uses(path, platform, src.as_bytes())
        .iter()
        .map(|u| {
            let target = match &u.target {
                Target::Repo(r) => repo_label(r),
                Target::Namespace(n) => format!("ns:{n}"),
                Target::OwnSpace => "space:self".into(),
                Target::Nothing => "-".into(),
                Target::Unresolved(why) => format!("?{why}"),
            };
            let access = match u.inference {
                Some(i) => format!("{}/{}", u.access.as_str(), i.permission()),
                None => u.access.as_str().to_owned(),
            };
            format!("{} {} {access} {target}", u.line, u.call)
        })
        .collect()
}

#[test]
fn python_literals_keywords_and_positions() {
    let src = r#"
from transformers import AutoModel, AutoTokenizer, pipeline
from huggingface_hub import hf_hub_download, snapshot_download, HfApi
m = AutoModel.from_pretrained("acme/m1", revision="main")
t = AutoTokenizer.from_pretrained(pretrained_model_name_or_path="acme/m2")
p = pipeline("text-generation", model="acme/m3")
q = pipeline("fill-mask", "acme/m4")
f = hf_hub_download(repo_id="acme/d1", filename="x.csv", repo_type="dataset")
g = hf_hub_download("acme/m5", "config.json")
s = snapshot_download("acme/s1", repo_type="space")
api = HfApi()
api.upload_file(path_or_fileobj="a", path_in_repo="a", repo_id="acme/out", repo_type="dataset")
api.upload_file("a", "a", "acme/out2")
api.upload_folder(folder_path="x", repo_id="acme/out3")
api.model_info("acme/m6")
api.dataset_info("acme/d2")
"#;
    assert_eq!(
        uses("train.py", src),
        [
            "4 from_pretrained read model:acme/m1",
            "5 from_pretrained read model:acme/m2",
            "6 pipeline read model:acme/m3",
            "7 pipeline read model:acme/m4",
            "8 hf_hub_download read dataset:acme/d1",
            "9 hf_hub_download read model:acme/m5",
            "10 snapshot_download read space:acme/s1",
            "12 upload_file write dataset:acme/out",
            "13 upload_file write model:acme/out2",
            "14 upload_folder write model:acme/out3",
            "15 model_info read model:acme/m6",
            "16 dataset_info read dataset:acme/d2",
        ]
    );
}

#[test]
fn python_constants_assigned_once() {
    let src = r#"
from huggingface_hub import upload_folder, create_repo
REPO_ID = "acme/model"
DATA: str = "acme/data"
TWICE = "acme/a"
TWICE = "acme/b"
FROM_ENV = os.environ["HUB_REPO"]
create_repo(REPO_ID, exist_ok=True)
upload_folder(repo_id=REPO_ID, folder_path="out")
load_dataset(DATA)
upload_folder(repo_id=TWICE, folder_path="out")
upload_folder(repo_id=FROM_ENV, folder_path="out")
upload_folder(repo_id=os.getenv("SPACE_ID"), folder_path="out", repo_type="space")
"#;
    assert_eq!(
        uses("push.py", src),
        [
            "8 create_repo write model:acme/model",
            "9 upload_folder write model:acme/model",
            "10 load_dataset read dataset:acme/data",
            "11 upload_folder write ?`TWICE` is assigned 2 times in this file",
            "12 upload_folder write ?`FROM_ENV` is read from the environment variable HUB_REPO",
            "13 upload_folder write space:self",
        ]
    );
}

#[test]
fn python_non_literals_are_unresolved_never_guessed() {
    let src = r#"
from huggingface_hub import HfApi
api = HfApi()
def publish(repo_id, org="acme"):
    api.upload_folder(repo_id=repo_id, folder_path="out")
    api.upload_folder(repo_id=f"{org}/m", folder_path="out")
    api.upload_folder(repo_id="{}/{}".format(org, "m"), folder_path="out")
    api.upload_folder(repo_id="acme/" + name, folder_path="out")
    api.upload_folder(repo_id=args.repo, folder_path="out")
    api.upload_folder(folder_path="out", **kwargs)
for r in ["acme/a", "acme/b"]:
    api.create_repo(r)
"#;
    assert_eq!(
        uses("tools/dyn.py", src),
        [
            "5 upload_folder write ?`repo_id` is a function parameter",
            "6 upload_folder write ?`f\"{org}/m\"` is an f-string",
            "7 upload_folder write ?`\"{}/{}\".format(org, \"m\")` is not a literal",
            "8 upload_folder write ?`\"acme/\" + name` is not a literal",
            "9 upload_folder write ?`args.repo` is not a literal",
            "10 upload_folder write ?no repository argument hfaudit can read",
            "12 create_repo write ?`r` is a loop variable",
        ]
    );
}

#[test]
fn paths_bare_names_comments_and_docstrings_are_no_repositories() {
    let src = r#"
'''Loads acme/doc with from_pretrained("acme/doc").'''
from transformers import AutoModel
# model = AutoModel.from_pretrained("acme/commented")
def f():
    """Uses hf_hub_download("acme/docstring")."""
    return 1
a = AutoModel.from_pretrained("./local/dir")
b = AutoModel.from_pretrained("/abs/path")
c = AutoModel.from_pretrained("gpt2")
d = AutoModel.from_pretrained("models/bert/base")
e = AutoModel.from_pretrained("weights/model.safetensors")
f = load_dataset("json", data_files="x.json")
g = load_dataset("squad")
print("see https://huggingface.co/acme/prose for details")
h = AutoModel.from_pretrained("~/ckpt")
"#;
    assert_eq!(uses("m.py", src), Vec::<String>::new());
}

#[test]
fn bare_names_written_to_are_unresolved() {
    let src = "model.push_to_hub(\"my-model\")\n";
    assert_eq!(
        uses("p.py", src),
        ["1 push_to_hub write ?\"my-model\" has no namespace: the repository is made in the namespace of whoever runs the code"]
    );
}

#[test]
fn push_to_hub_kinds_and_trainer_forms() {
    let models = r#"
from transformers import Trainer, TrainingArguments
args = TrainingArguments("out", push_to_hub=True, hub_model_id="acme/ft")
trainer = Trainer(model=model, args=args)
trainer.push_to_hub()
model.push_to_hub("acme/m")
"#;
    assert_eq!(
        uses("train.py", models),
        [
            "3 push_to_hub=True write model:acme/ft",
            "5 push_to_hub write model:acme/ft",
            "6 push_to_hub write model:acme/m",
        ]
    );
    let data = "from datasets import load_dataset\nds = load_dataset(\"acme/raw\")\nds.push_to_hub(\"acme/clean\")\n";
    assert_eq!(
        uses("prep.py", data),
        [
            "2 load_dataset read dataset:acme/raw",
            "3 push_to_hub write dataset:acme/clean"
        ]
    );
    let both = "import datasets\nimport transformers\nds.push_to_hub(\"acme/d\")\nmodel.push_to_hub(\"acme/m\")\nthing.push_to_hub(\"acme/x\")\n";
    assert_eq!(
        uses("both.py", both),
        [
            "3 push_to_hub write dataset:acme/d",
            "4 push_to_hub write model:acme/m",
            "5 push_to_hub write ?`thing.push_to_hub`: a model or a dataset repository? (the file uses both)",
        ]
    );
    // Two training arguments, one without hub_model_id; a variable that only happens to be
    // called hub_model_id; a Repository object: none says where the push goes.
    let two = "args = TrainingArguments(\"a\", hub_model_id=\"acme/a\")\nother = TrainingArguments(\"b\")\nhub_model_id = \"acme/read\"\ntrainer.push_to_hub()\nrepo.push_to_hub(commit_message=\"x\")\n";
    assert_eq!(
        uses("t.py", two),
        [
            "4 push_to_hub write ?no hub_model_id: the repository is named after the output folder, in the namespace of whoever runs the code",
            "5 push_to_hub write ?`repo.push_to_hub()` names no repository: it pushes where `repo` was made",
        ]
    );
    let no_id = "from transformers import TrainingArguments\nargs = TrainingArguments(\"out\", push_to_hub=True)\n";
    assert_eq!(
        uses("t.py", no_id),
        ["2 push_to_hub=True write ?no hub_model_id: the repository is named after the output folder, in the namespace of whoever runs the code"]
    );
}

#[test]
fn create_repo_is_a_write_on_the_namespace() {
    let src = "from huggingface_hub import create_repo, HfApi\ncreate_repo(\"acme/new\", repo_type=\"dataset\")\nHfApi().create_repo(repo_id=\"acme/old\", exist_ok=True)\n";
    assert_eq!(
        uses("c.py", src),
        [
            "2 create_repo write ns:acme",
            "3 create_repo write model:acme/old"
        ]
    );
}

#[test]
fn inference_serverless_and_endpoints() {
    let src = r#"
from huggingface_hub import InferenceClient
c1 = InferenceClient()
c2 = InferenceClient(model="acme/chat")
c3 = InferenceClient("https://abc123.us-east-1.aws.endpoints.huggingface.cloud")
r = requests.post("https://router.huggingface.co/v1/chat/completions", json=body)
c4 = InferenceClient(model=MODEL)
"#;
    assert_eq!(
        uses("serve.py", src),
        [
            "3 InferenceClient inference/inference.serverless.write -",
            "4 InferenceClient inference/inference.serverless.write model:acme/chat",
            "5 InferenceClient inference/inference.endpoints.infer.write -",
            "6 url inference/inference.serverless.write -",
            "7 InferenceClient inference/inference.serverless.write ?`MODEL` is not assigned in this file (serverless inference assumed)",
        ]
    );
}

#[test]
fn hub_urls_in_code_whole_strings_only() {
    let src = r#"
URL = "https://huggingface.co/acme/m/resolve/main/model.bin"
DS = "https://huggingface.co/datasets/acme/d"
SP = "https://hf.co/spaces/acme/s"
DOCS = "https://huggingface.co/docs/hub/index"
ORG = "https://huggingface.co/acme"
df = pd.read_parquet("hf://datasets/acme/p/data.parquet")
df.to_parquet("hf://datasets/acme/q/out.parquet")
r = requests.get(f"https://huggingface.co/{repo}/resolve/main/x")
msg = f"https://huggingface.co/{repo}"
"#;
    assert_eq!(
        uses("u.py", src),
        [
            "2 url read model:acme/m",
            "3 url read dataset:acme/d",
            "4 url read space:acme/s",
            "7 url read dataset:acme/p",
            "8 url write dataset:acme/q",
            "9 url read ?the repository in `f\"https://huggingface.co/{repo}/resolve/main/x\"` is not a literal",
        ]
    );
}

#[test]
fn shell_cli_lines() {
    let src = r#"#!/bin/bash
# hf upload acme/commented .
hf download acme/m1
huggingface-cli download --repo-type dataset acme/d1 --local-dir data
hf upload acme/m2 ./out . --commit-message "x"
hf upload-large-folder acme/d2 ./big --repo-type=dataset
hf upload "$REPO" ./out
hf repo create acme/new --repo-type space
huggingface-cli repo create newname --organization acme
hf download gpt2
sudo HF_HUB_ENABLE_HF_TRANSFER=1 hf download acme/m3 && hf upload acme/m4 . \
   --private && hf download \
   acme/m5
python train.py --push_to_hub --hub_model_id acme/ft
accelerate launch train.py --push-to-hub
comfy model download --url "https://huggingface.co/acme/lora/resolve/main/x.safetensors?download=true"
"#;
    assert_eq!(
        uses("scripts/run.sh", src),
        [
            "3 hf download read model:acme/m1",
            "4 huggingface-cli download read dataset:acme/d1",
            "5 hf upload write model:acme/m2",
            "6 hf upload-large-folder write dataset:acme/d2",
            "7 hf upload write ?`$REPO` is a shell variable",
            "8 hf repo create write ns:acme",
            "9 huggingface-cli repo create write ns:acme",
            "11 hf download read model:acme/m3",
            "11 hf upload write model:acme/m4",
            "13 hf download read model:acme/m5",
            "14 --push_to_hub write model:acme/ft",
            "15 --push-to-hub write ?no --hub_model_id: the repository is named after the output folder, in the namespace of whoever runs the command",
            "16 comfy read model:acme/lora",
        ]
    );
}

#[test]
fn workflow_lines_and_git_remotes() {
    let src = r"
name: Sync to Hub
on: push
jobs:
  sync:
    steps:
      - uses: actions/checkout@v4
      - run: git push https://user:$HF_TOKEN@huggingface.co/spaces/acme/demo main
      - run: hf upload ${{ vars.HF_REPO }} ./dist
      - name: Push
        run: |
          git remote add space https://huggingface.co/spaces/acme/other
          git push --force space main
          git push https://$HF_USER:$HF_TOKEN@huggingface.co/spaces/$HF_USER/app main
      - run: git clone https://huggingface.co/datasets/acme/d
";
    assert_eq!(
        uses(".github/workflows/sync.yml", src),
        [
            "8 git push write space:acme/demo",
            "9 hf upload write ?`${{vars.HF_REPO}}` is a workflow expression",
            "13 git push write space:acme/other",
            "14 git push write ?`$HF_USER/app` is a shell variable",
            "15 git clone read dataset:acme/d",
        ]
    );
}

#[test]
fn a_git_push_without_a_hub_remote_is_unresolved_only_near_a_hub_host() {
    assert_eq!(
        uses("deploy.sh", "git push origin main\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        uses(
            "deploy.sh",
            "git clone https://huggingface.co/spaces/acme/s\ngit push origin main\n"
        ),
        [
            "1 git clone read space:acme/s",
            "2 git push write ?git push to a remote hfaudit cannot tie to a Hub repository"
        ]
    );
}

#[test]
fn commands_run_from_python() {
    let src = "import os, subprocess\nos.system(\"hf upload acme/m .\")\nsubprocess.run([\"hf\", \"upload\", REPO, \".\"])\nsubprocess.run([\"huggingface-cli\", \"download\", \"acme/d\", \"--repo-type\", \"dataset\"])\n";
    assert_eq!(
        uses("run.py", src),
        [
            "2 hf upload write model:acme/m",
            "3 hf upload write ?the repository id \"{REPO}\" is a template",
            "4 huggingface-cli download read dataset:acme/d",
        ]
    );
}

#[test]
fn javascript_hub_and_transformers_js() {
    let src = r#"
import { uploadFile, createRepo, downloadFile } from "@huggingface/hub";
import { pipeline } from "@huggingface/transformers";
const REPO = "acme/js";
// uploadFile({ repo: "acme/commented" })
await uploadFile({ repo: REPO, file, accessToken });
await uploadFile({ repo: "datasets/acme/jd", file });
await createRepo({ repo: { type: "space", name: "acme/newspace" } });
await downloadFile({ repo: { type: "dataset", name: `${org}/d` }, path: "x" });
const p = await pipeline("sentiment-analysis", "Xenova/distilbert");
"#;
    assert_eq!(
        uses("web/app.ts", src),
        [
            "6 uploadFile write model:acme/js",
            "7 uploadFile write dataset:acme/jd",
            "8 createRepo write ns:acme",
            "9 downloadFile read ?``${org}/d`` is a template string",
            "10 pipeline read model:Xenova/distilbert",
        ]
    );
}

#[test]
fn notebooks_code_cells_with_file_lines() {
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["from_pretrained(\"acme/prose\")\n"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
             "source": ["from transformers import AutoModel\n", "m = AutoModel.from_pretrained(\"acme/nb\")\n", "!hf upload acme/out .\n"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
             "source": ["%%bash\n", "hf download acme/sh\n"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
             "source": ["!pip install x\n", "!apt install y"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 4, "source": []},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 5,
             "source": ["x = 1\n", "\n", "d = load_dataset(\"acme/after\")"]}
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    let text = serde_json::to_string_pretty(&nb).unwrap();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|p| p + 1)
            .unwrap()
    };
    let got = uses("nb/train.ipynb", &text);
    assert_eq!(
        got,
        [
            format!("{} from_pretrained read model:acme/nb", line_of("acme/nb")),
            format!("{} hf upload write model:acme/out", line_of("acme/out")),
            format!("{} hf download read model:acme/sh", line_of("acme/sh")),
            format!(
                "{} load_dataset read dataset:acme/after",
                line_of("acme/after")
            ),
        ]
    );
}

#[test]
fn docs_are_not_read() {
    assert!(uses("README.md", "hf upload acme/m .\n").is_empty());
    assert!(uses("docs/guide.rst", "from_pretrained(\"acme/m\")\n").is_empty());
}

#[test]
fn generic_method_names_need_the_hub_library() {
    // boto3's upload_file(Filename, Bucket, Key) is not the Hub's.
    let src =
        "import boto3\ns3 = boto3.client('s3')\ns3.upload_file('a.txt', 'bucket', 'org/key')\n";
    assert!(uses("s3.py", src).is_empty());
}

#[test]
fn urls_name_repositories_precisely() {
    let repo = |kind, id: &str| {
        UrlUse::Repo(Repo {
            kind,
            id: id.to_owned(),
        })
    };
    assert_eq!(
        hub_url("https://huggingface.co/acme/m/resolve/main/x.bin"),
        repo(Kind::Model, "acme/m")
    );
    assert_eq!(
        hub_url("https://user:tok@huggingface.co/spaces/acme/s.git"),
        repo(Kind::Space, "acme/s")
    );
    assert_eq!(
        hub_url("https://huggingface.co/api/datasets/acme/d/parquet"),
        repo(Kind::Dataset, "acme/d")
    );
    for page in [
        "https://huggingface.co/settings/tokens",
        "https://huggingface.co/docs/transformers",
        "https://huggingface.co/acme",
        "https://huggingface.co/",
        "https://example.com/acme/m",
        "https://huggingface.co/papers/2401.00001",
        "https://huggingface.co/blog/post",
    ] {
        assert_eq!(hub_url(page), UrlUse::Page, "{page}");
    }
    assert!(matches!(
        hub_url("https://api-inference.huggingface.co/models/acme/m"),
        UrlUse::Inference(Inference::Serverless, Some(_))
    ));
    assert_eq!(
        hub_url("https://router.huggingface.co/hf-inference/models/acme/m/pipeline/x"),
        UrlUse::Inference(
            Inference::Serverless,
            Some(Repo {
                kind: Kind::Model,
                id: "acme/m".into()
            })
        )
    );
    assert_eq!(
        hub_url("https://router.huggingface.co/v1/chat/completions"),
        UrlUse::Inference(Inference::Serverless, None)
    );
    assert_eq!(
        name_repo("datasets/acme/d", Kind::Model, true),
        Named::Repo(Repo {
            kind: Kind::Dataset,
            id: "acme/d".into()
        })
    );
    assert_eq!(
        name_repo("datasets/acme/d", Kind::Model, false),
        Named::Local
    );
    assert_eq!(
        name_repo("hf-hub:timm/vit", Kind::Model, false),
        Named::Repo(Repo {
            kind: Kind::Model,
            id: "timm/vit".into()
        })
    );
    assert_eq!(
        name_repo("meta-llama/Llama-3.1-8B", Kind::Model, false),
        Named::Repo(Repo {
            kind: Kind::Model,
            id: "meta-llama/Llama-3.1-8B".into()
        })
    );
    assert_eq!(name_repo("C:/models/x", Kind::Model, false), Named::Local);
}

#[test]
fn write_calls_are_covered_by_uses() {
    let u = |call: &str, access| HubUse {
        line: 1,
        call: call.into(),
        access,
        target: Target::Nothing,
        inference: None,
    };
    let uses = [
        u("hf upload-large-folder", Access::Write),
        u("push_to_hub=True", Access::Write),
        u("from_pretrained", Access::Read),
    ];
    assert!(covers(&uses, "hf upload"));
    assert!(covers(&uses, "push_to_hub"));
    assert!(covers(&uses, "push_to_hub=True"));
    assert!(!covers(&uses, "upload_file"));
    assert!(!covers(&uses, "from_pretrained"));
}

#[test]
fn never_panics_on_odd_input() {
    use rand::{rngs::StdRng, Rng, SeedableRng};
    let pieces = [
        "from_pretrained(",
        "\"acme/m\"",
        ")",
        "'",
        "\"\"\"",
        "#",
        "\n",
        "=",
        ",",
        "repo_id",
        "hf upload ",
        "git push ",
        "https://huggingface.co/",
        "{",
        "}",
        "$",
        "[",
        "]",
        "\\",
        "push_to_hub",
        "f\"",
        "`",
        "/*",
        "//",
    ];
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..2000 {
        let mut s = String::new();
        for _ in 0..rng.gen_range(1..20) {
            s.push_str(pieces[rng.gen_range(0..pieces.len())]);
        }
        for path in ["a.py", "a.ts", "a.sh", "a.ipynb", "a.yml"] {
            let _ = uses(path, &s);
        }
    }
}

#[test]
fn a_push_goes_to_the_remote_as_last_set_before_it() {
    // Two steps reuse one remote name for two Spaces (huggingface/peft's deploy workflow).
    let src = r"
jobs:
  a:
    steps:
      - run: |
          git remote add app https://huggingface.co/spaces/acme/first
          git push -f app HEAD:main
      - run: |
          git remote add app https://huggingface.co/spaces/acme/second
          git push -f app HEAD:main
";
    assert_eq!(
        uses(".github/workflows/deploy.yml", src),
        [
            "7 git push write space:acme/first",
            "10 git push write space:acme/second"
        ]
    );
    // A remote set only after the push is not where it goes.
    let late = "git push space main\ngit remote add space https://huggingface.co/spaces/acme/s\n";
    assert_eq!(
        uses("deploy.sh", late),
        ["1 git push write ?git push to a remote hfaudit cannot tie to a Hub repository"]
    );
}

#[test]
fn canonical_urls_and_placeholders_name_no_repository() {
    let src = r#"
A = "https://huggingface.co/gpt2/raw/main/config.json"
B = "https://huggingface.co/datasets/squad/blob/main/x.json"
C = "https://huggingface.co/bert-base/resolve/main/config.json"
from huggingface_hub import snapshot_download, upload_folder
snapshot_download("user/repo")
upload_folder(repo_id="your-username/my-model", folder_path="o")
D = "https://huggingface.co/username/space_id"
"#;
    assert_eq!(
        uses("t.py", src),
        [
            "6 snapshot_download read ?\"user/repo\" looks like a placeholder",
            "7 upload_folder write ?\"your-username/my-model\" looks like a placeholder",
        ]
    );
}

#[test]
fn commands_in_help_texts_are_not_run() {
    let src = "EXAMPLES = [\n    \"hf download meta-llama/Llama-3.2-1B\",\n]\nparser.epilog = \"hf upload acme/m .\"\nsubprocess.run(\"hf upload acme/run .\", shell=True)\n";
    assert_eq!(uses("cli.py", src), ["5 hf upload write model:acme/run"]);
}

#[test]
fn names_assigned_twice_to_one_literal_are_that_literal() {
    let src = "ID = \"acme/m\"\nfrom_pretrained(ID)\nID = \"acme/m\"\nOTHER = \"acme/a\"\nOTHER = \"acme/b\"\nfrom_pretrained(OTHER)\n";
    assert_eq!(
        uses("t.py", src),
        [
            "2 from_pretrained read model:acme/m",
            "6 from_pretrained read ?`OTHER` is assigned 2 times in this file",
        ]
    );
}

#[test]
fn notebook_cells_share_their_names() {
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 1,
             "source": ["ckpt = \"acme/first\"\n", "m = AutoModel.from_pretrained(ckpt)\n"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 2,
             "source": ["ckpt = \"acme/second\"\n", "m = AutoModel.from_pretrained(ckpt"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 3,
             "source": ["KEEP = \"acme/kept\"\n"]},
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": 4,
             "source": ["load_dataset(KEEP)\n"]}
        ],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5
    });
    let text = serde_json::to_string_pretty(&nb).unwrap();
    let got = uses("n.ipynb", &text);
    // Assigned in two cells to two values: unresolved in both; an unclosed call ends with its
    // cell; a constant of another cell is found.
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        got[0].ends_with("from_pretrained read ?`ckpt` is assigned 2 times in this file"),
        "{got:?}"
    );
    assert!(
        got[1].ends_with("from_pretrained read ?`ckpt` is assigned 2 times in this file"),
        "{got:?}"
    );
    assert!(
        got[2].ends_with("load_dataset read dataset:acme/kept"),
        "{got:?}"
    );
}

#[test]
fn push_to_hub_on_a_converted_dataset_and_smolagents_tools() {
    let src = "records.to_datasets().push_to_hub(\"acme/annotated\")\n";
    assert_eq!(
        uses("a.py", src),
        ["1 push_to_hub write dataset:acme/annotated"]
    );
    let tools = "from smolagents import Tool\ntool.push_to_hub(\"acme/my-tool\")\n";
    assert_eq!(
        uses("t.py", tools),
        ["2 push_to_hub write space:acme/my-tool"]
    );
}

//! TEMPORARY stand-in; replaced by the context branch.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform { Notebook, Ci, Server, EnvFile, Source, Docs, Other }
impl Platform { pub fn as_str(self) -> &'static str { match self { Platform::Notebook => "notebook", Platform::Ci => "ci", Platform::Server => "server", Platform::EnvFile => "env_file", Platform::Source => "source", Platform::Docs => "docs", Platform::Other => "other" } } }
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Usage { LoginCall, TokenArgument, BearerHeader, UrlCredential, EnvAssignment, Literal }
impl Usage { pub fn as_str(self) -> &'static str { match self { Usage::LoginCall => "login_call", Usage::TokenArgument => "token_argument", Usage::BearerHeader => "bearer_header", Usage::UrlCredential => "url_credential", Usage::EnvAssignment => "env_assignment", Usage::Literal => "literal" } } }
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need { Read, Write, Unknown }
impl Need { pub fn as_str(self) -> &'static str { match self { Need::Read => "read", Need::Write => "write", Need::Unknown => "unknown" } } }
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CellPart { Source, Output }
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct NotebookCell { pub index: usize, pub part: CellPart }
#[derive(Debug, Clone, Default)]
pub struct CallLists { pub read: Vec<String>, pub write: Vec<String> }
impl CallLists { pub fn builtin() -> Self { Self::default() } pub fn extend(self, _r: &[String], _w: &[String]) -> Self { self } }
#[derive(Debug, Clone, Default)]
pub struct Calls { pub reads: Vec<String>, pub writes: Vec<String> }
impl Calls { pub fn need(&self) -> Need { if !self.writes.is_empty() { Need::Write } else if !self.reads.is_empty() { Need::Read } else { Need::Unknown } } }
pub const STANDARD_TOKEN_VARS: &[&str] = &["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"];
pub fn platform_of(path: &str) -> Platform { if path.ends_with(".ipynb") { Platform::Notebook } else if path.ends_with(".md") { Platform::Docs } else { Platform::Source } }
pub fn usage_at(_data: &[u8], _offset: usize, _len: usize) -> (Usage, Option<String>) { (Usage::Literal, None) }
pub fn notebook_cells(_data: &[u8], offsets: &[usize]) -> Option<Vec<Option<NotebookCell>>> { Some(vec![None; offsets.len()]) }
pub fn calls_in(_data: &[u8], _lists: &CallLists) -> Calls { Calls::default() }
pub fn env_reads(_data: &[u8], _names: &[&str]) -> Vec<String> { Vec::new() }

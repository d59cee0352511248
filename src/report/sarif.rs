//! `--format sarif`: SARIF 2.1.0 built from the typed structs of `serde-sarif`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification,
    PhysicalLocation, PropertyBag, Region, ReportingConfiguration, ReportingDescriptor,
    Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::{Report, Roots};
use crate::judge::Finding;
use crate::rules::{Rule, Severity};

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Error => ResultLevel::Error,
        Severity::Warning => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let text = |t: &str| {
        MultiformatMessageString::builder()
            .text(t.split_whitespace().collect::<Vec<_>>().join(" "))
            .build()
    };
    let help_md = crate::rules::render_doc(rule);
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_owned(),
        json!(match rule.severity {
            Severity::Error => "8.0",
            Severity::Warning => "5.0",
            Severity::Info => "1.0",
        }),
    );
    let mut descriptor = ReportingDescriptor::builder()
        .id(rule.id.clone())
        .name(rule.name.clone())
        .short_description(text(&rule.summary))
        .full_description(text(&rule.why))
        .help(
            MultiformatMessageString::builder()
                .text(rule.fix.trim().to_owned())
                .markdown(help_md)
                .build(),
        )
        .default_configuration(
            ReportingConfiguration::builder()
                .level(json!(level(rule.severity).to_string()))
                .build(),
        )
        .properties(
            PropertyBag::builder()
                .tags(vec!["security".to_owned(), "secrets".to_owned()])
                .additional_properties(props)
                .build(),
        )
        .build();
    descriptor.help_uri = rule.references.first().cloned();
    descriptor
}

/// Characters a URI reference may hold as they are in a path: unreserved ones and `/`.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// The base id code scanning resolves against the checkout.
const SRCROOT: &str = "%SRCROOT%";

/// A file's SARIF location: percent-encoded, relative to the repository root (`%SRCROOT%`)
/// when it lies inside, else an absolute `file://` URI (names with spaces or `%` stay valid).
fn artifact(roots: &Roots, path: &str) -> ArtifactLocation {
    // A Hub path is already absolute: an `hf:` URI that decodes to the path as reported.
    if let Some(rest) = path.strip_prefix("hf://") {
        return ArtifactLocation::builder()
            .uri(format!("hf://{}", utf8_percent_encode(rest, PATH)))
            .build();
    }
    if let Some(rel) = roots.repo_relative(path) {
        return ArtifactLocation::builder()
            .uri(utf8_percent_encode(&rel, PATH).to_string())
            .uri_base_id(SRCROOT)
            .build();
    }
    let uri = match roots.absolute(path) {
        Some(abs) => {
            let abs = abs.to_string_lossy().replace('\\', "/");
            let abs = if abs.starts_with('/') {
                abs
            } else {
                format!("/{abs}")
            };
            format!("file://{}", utf8_percent_encode(&abs, PATH))
        }
        None => utf8_percent_encode(path, PATH).to_string(),
    };
    ArtifactLocation::builder().uri(uri).build()
}

fn location(
    roots: &Roots,
    path: &str,
    line: Option<u64>,
    column: Option<u64>,
    offset: Option<u64>,
) -> Location {
    let mut region = Region::builder().build();
    if let Some(l) = line {
        region.start_line = Some(l as i64);
        region.start_column = column.map(|c| c as i64);
    } else if let Some(o) = offset {
        // A binary file has no lines; code scanning still requires a start line, so the
        // region is line 1 plus the exact byte offset.
        region.byte_offset = Some(o as i64);
        region.start_line = Some(1);
    }
    Location::builder()
        .physical_location(
            PhysicalLocation::builder()
                .artifact_location(artifact(roots, path))
                .region(region)
                .build(),
        )
        .build()
}

fn result(roots: &Roots, f: &Finding, rule_index: Option<usize>) -> SarifResult {
    let mut partial = BTreeMap::new();
    // Stable across line moves: the rule, the token and the file.
    partial.insert(
        "hfaudit/v1".to_owned(),
        format!("{}:{}:{}", f.rule, f.fingerprint(), f.path),
    );
    let text = format!("{} ({}). {}", f.message, f.subject(), f.help);
    let mut props = BTreeMap::new();
    props.insert("token".to_owned(), json!(f.token));
    props.insert("context".to_owned(), json!(f.context));
    props.insert("verification".to_owned(), json!(f.verification));
    if let Some(c) = &f.commit {
        props.insert("commit".to_owned(), json!(c));
    }
    let related: Vec<Location> = f
        .locations
        .iter()
        .skip(1)
        .map(|l| location(roots, &l.path, l.line, l.column, None))
        .collect();
    let mut r = SarifResult::builder()
        .rule_id(f.rule.clone())
        .level(level(f.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![location(
            roots,
            &f.path,
            f.line,
            f.column,
            Some(f.offset),
        )])
        .partial_fingerprints(partial)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    r.rule_index = rule_index.map(|i| i as i64);
    if !related.is_empty() {
        r.related_locations = Some(related);
    }
    r
}

pub fn render(report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
    let rules = &report.rules.rules;
    let driver = ToolComponent::builder()
        .name("hfaudit")
        .version(env!("CARGO_PKG_VERSION"))
        // The tool's home, from Cargo.toml's `repository` (its one definition).
        .information_uri(env!("CARGO_PKG_REPOSITORY"))
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(&report.roots, f, rules.iter().position(|r| r.id == f.rule)))
        .collect();
    // Files that could not be read: the run is not complete, and says which.
    let notifications: Vec<Notification> = report
        .errors
        .iter()
        .map(|e| {
            Notification::builder()
                .level(json!("error"))
                .message(
                    Message::builder()
                        .text(format!("cannot read {}: {}", e.path, e.message))
                        .build(),
                )
                .locations(vec![Location::builder()
                    .physical_location(
                        PhysicalLocation::builder()
                            .artifact_location(artifact(&report.roots, &e.path))
                            .build(),
                    )
                    .build()])
                .build()
        })
        .collect();
    let mut invocation = Invocation::builder()
        .execution_successful(report.errors.is_empty())
        .build();
    if !notifications.is_empty() {
        invocation.tool_execution_notifications = Some(notifications);
    }
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .invocations(vec![invocation])
        .column_kind(json!("unicodeCodePoints"))
        .build();
    if let Some(repo) = &report.roots.repo {
        let mut uri = repo.to_string_lossy().replace('\\', "/");
        if !uri.ends_with('/') {
            uri.push('/');
        }
        if !uri.starts_with('/') {
            uri.insert(0, '/');
        }
        let root = ArtifactLocation::builder()
            .uri(format!("file://{}", utf8_percent_encode(&uri, PATH)))
            .build();
        run.original_uri_base_ids = Some(BTreeMap::from([(SRCROOT.to_owned(), root)]));
    }
    let log = Sarif::builder()
        .version(json!("2.1.0"))
        .schema(serde_sarif::sarif::SCHEMA_URL.to_owned())
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

//! `--format sarif`: SARIF 2.1.0 built from the typed structs of `serde-sarif`.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;
use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run,
    Sarif, Tool, ToolComponent,
};

use super::Report;
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

fn location(path: &str, line: Option<u64>, column: Option<u64>, offset: Option<u64>) -> Location {
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
                .artifact_location(ArtifactLocation::builder().uri(path.to_owned()).build())
                .region(region)
                .build(),
        )
        .build()
}

fn result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
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
        .map(|l| location(&l.path, l.line, l.column, None))
        .collect();
    let mut r = SarifResult::builder()
        .rule_id(f.rule.clone())
        .level(level(f.severity))
        .message(Message::builder().text(text).build())
        .locations(vec![location(&f.path, f.line, f.column, Some(f.offset))])
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
        .information_uri("https://huggingface.co/docs/hub/security-tokens")
        .rules(rules.iter().map(descriptor).collect::<Vec<_>>())
        .build();
    let results: Vec<SarifResult> = report
        .findings
        .iter()
        .map(|f| result(f, rules.iter().position(|r| r.id == f.rule)))
        .collect();
    let run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    let log = Sarif::builder()
        .version(json!("2.1.0"))
        .schema(serde_sarif::sarif::SCHEMA_URL.to_owned())
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

//! The `JUnit` XML report: a [`Report`] in, the XML that CI servers read out
//! (`--junit FILE`), written with `quick-junit` (as cargo-nextest does).
//!
//! One `<testsuite>` per feature, one `<testcase>` per intent: name = the
//! intent's name, classname = the feature's name, the intent id (`path:line`)
//! as the `id` property and the `file`/`line` attributes. A failed,
//! undefined, ambiguous or hollow intent is a `<failure>` (its plain reason
//! as the message, the technical message as the text), an intent that did
//! not run is `<skipped>`: the counts add up to the JSON report's summary
//! (`passed` = tests − failures − skipped). It must not invent timings: the
//! report has only the whole run's wall time.

use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{
    NonSuccessKind, Property, Report as Junit, TestCase, TestCaseStatus, TestSuite, XmlString,
};

use super::{IntentReport, Report, file_of, words};
use crate::vocabulary::Status;

/// The `JUnit` XML could not be written.
#[derive(Debug, thiserror::Error)]
#[error("failed to write the JUnit report: {0}")]
pub struct Error(#[from] quick_junit::SerializeError);

/// Renders `report` as a `JUnit` XML document.
pub fn render(report: &Report) -> Result<String, Error> {
    let mut junit = Junit::new("wow");
    junit.set_time(Duration::from_millis(report.duration_ms));
    for feature in &report.features {
        let mut suite = TestSuite::new(feature.name.as_str());
        suite.add_properties([
            Property::new("path", feature.path.as_str()),
            Property::new("sha256", feature.sha256.as_str()),
        ]);
        suite.add_test_cases(
            report
                .intents
                .iter()
                .filter(|i| file_of(&i.id) == feature.path)
                .map(|i| case(i, &feature.name)),
        );
        junit.add_test_suite(suite);
    }
    // Intents whose feature file is not listed still count (none should).
    let others = report.orphans();
    if !others.is_empty() {
        let mut suite = TestSuite::new("other intents");
        suite.add_test_cases(others.into_iter().map(|i| case(i, &i.feature)));
        junit.add_test_suite(suite);
    }
    Ok(junit.to_string()?)
}

fn case(intent: &IntentReport, feature: &str) -> TestCase {
    let reason = intent
        .reason
        .as_deref()
        .or(intent.message.as_deref())
        .filter(|r| !r.is_empty());
    let status = match intent.status {
        Status::Passed => TestCaseStatus::success(),
        Status::NotRun | Status::LeftOut => {
            let mut status = TestCaseStatus::skipped();
            status.set_message(
                reason.unwrap_or(words::step(crate::vocabulary::StepStatus::NotRun).0),
            );
            status
        }
        Status::Failed
        | Status::Undefined
        | Status::Ambiguous
        | Status::Hollow
        | Status::Unverified
        | Status::Disputed => {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_type(words::status(intent.status).0.to_lowercase());
            status.set_message(reason.unwrap_or("the intent did not pass"));
            let mut text = String::new();
            if let Some(step) = &intent.failed_step {
                let _ = writeln!(text, "at: {step}");
            }
            if let Some(message) = &intent.message {
                text.push_str(message.trim_end());
                text.push('\n');
            }
            for finding in &intent.findings {
                let _ = writeln!(
                    text,
                    "{}:{}: {}",
                    finding.file, finding.line, finding.message
                );
            }
            if !text.is_empty() {
                status.set_description(text);
            }
            status
        }
    };
    let mut case = TestCase::new(intent.name.as_str(), status);
    case.set_classname(feature);
    case.add_property(Property::new("id", intent.id.as_str()));
    let (file, line) = intent.id.rsplit_once(':').unwrap_or((&intent.id, ""));
    case.extra
        .insert(XmlString::new("file"), XmlString::new(file));
    if !line.is_empty() {
        case.extra
            .insert(XmlString::new("line"), XmlString::new(line));
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_testcase_per_intent() {
        let report = super::super::html::tests::sample();
        insta::assert_snapshot!(render(&report).expect("serializes"));
    }

    #[test]
    fn counts_read_back_match_the_summary() {
        let mut report = super::super::html::tests::sample();
        // One of each: passed ×2, failed, undefined, hollow, and a not run.
        report.intents[1].status = Status::NotRun;
        report.intents[1].message = Some("the run timed out".to_owned());
        report.summary.passed -= 1;
        report.summary.failed += 1;
        let xml = render(&report).expect("serializes");

        let junit = Junit::deserialize_from_str(&xml).expect("valid JUnit XML");
        let summary = report.summary;
        assert_eq!(junit.tests, summary.intents);
        assert_eq!(junit.failures + junit.skipped, summary.failed);
        assert_eq!(junit.skipped, 1);
        assert_eq!(junit.errors, 0);
        assert_eq!(
            junit.tests - junit.failures - junit.skipped - junit.errors,
            summary.passed
        );
        let suite = &junit.test_suites[0];
        assert_eq!(suite.name.as_str(), "Shopping cart");
        assert_eq!(suite.test_cases.len(), summary.intents);
        let hollow = &suite.test_cases[4];
        assert_eq!(hollow.name.as_str(), "Codes are listed");
        assert_eq!(
            hollow.classname.as_ref().map(XmlString::as_str),
            Some("Shopping cart")
        );
        assert_eq!(
            hollow.properties[0].value.as_str(),
            "features/shop.feature:27"
        );

        // The same counts, read from the text without the library.
        assert_eq!(xml.matches("<testcase ").count(), summary.intents);
        assert_eq!(
            xml.matches("<failure").count() + xml.matches("<skipped").count(),
            summary.failed
        );
        assert!(xml.contains(&format!(
            "<testsuites name=\"wow\" tests=\"{}\" skipped=\"1\" failures=\"{}\" errors=\"0\"",
            summary.intents,
            summary.failed - 1
        )));
    }

    #[test]
    fn markup_in_messages_stays_text() {
        let mut report = super::super::html::tests::sample();
        report.intents[2].message =
            Some("]]></failure><script>x</script> \u{1b}[31mred\u{1b}[0m \u{0}".to_owned());
        report.intents[2].reason = Some("\"quoted\" & <b>".to_owned());
        let xml = render(&report).expect("serializes");
        assert!(!xml.contains("<script>"));
        let junit = Junit::deserialize_from_str(&xml).expect("valid JUnit XML");
        let TestCaseStatus::NonSuccess {
            message,
            description,
            ..
        } = &junit.test_suites[0].test_cases[2].status
        else {
            panic!("a failure");
        };
        assert_eq!(
            message.as_ref().map(XmlString::as_str),
            Some("\"quoted\" & <b>")
        );
        assert!(
            description
                .as_ref()
                .is_some_and(|d| d.as_str().contains("]]></failure><script>x</script>"))
        );
    }
}

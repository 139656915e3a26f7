//! The twelve warning signs: rules that read a partnership's timeline and return findings.
//! A rule is a pure function of a timeline, its settings and "now"; it never touches git.
//! [`analyse`] runs the catalog in its phases, re-grades, dates and sorts. Findings name the
//! field they point at; nothing here reads positions in a file's text (`analysis` does).

mod catalog;
pub mod finding;
pub mod health;
pub mod rules;
pub mod settings;
mod since;
pub mod vocabulary;

#[cfg(test)]
mod docs;
#[cfg(test)]
mod monotonic;
#[cfg(test)]
mod samples;
#[cfg(test)]
pub(crate) mod testing;

use std::fmt::Write as _;

use rayon::prelude::*;

use crate::ledger::{Date, Ladder, Snapshot, Timeline, Version};

pub use finding::{
    Acknowledgement, Evidence, Fact, FactValue, Finding, Fingerprint, Location, Measure, Movement,
    Severity, Sign, Since, Worse,
};
pub use settings::{Settings, Vocabulary};

/// One configuration key of a rule, for `rapport explain`, read from its declaration in
/// [`settings`].
#[derive(Debug, serde::Serialize)]
pub struct SettingDoc {
    pub key: &'static str,
    /// As written in `rapport.yaml`.
    pub default: String,
    pub meaning: String,
    #[serde(skip)]
    pub bounds: settings::Bounds,
    #[serde(skip)]
    pub in_prose: settings::DefaultValue,
}

/// A rule's documentation, in the style of lint catalogs: one place says what it detects, why
/// it matters, an example, how to fix it and how to configure it. Its settings and their
/// defaults are read from their declaration in [`settings`], never written here.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable id, such as `payment-terms-slip`.
    pub id: &'static str,
    pub sign: Sign,
    /// One line.
    pub title: &'static str,
    pub default_severity: Severity,
    /// Whether some findings are raised to `error` (the `detects` text says when).
    pub escalates: bool,
    /// What it detects, with the exact interpretation of its thresholds. A threshold is written
    /// `{key}` (or `{key:%}` for a fraction read as a percentage) and shown as its key with its
    /// default, such as "`window_days` (180)": see [`RuleInfo::detects`].
    pub detects: &'static str,
    /// Why it matters: the sign behind it.
    pub why: &'static str,
    /// A history that triggers it.
    pub example: &'static str,
    /// How to fix it; also each finding's remedy.
    pub fix: &'static str,
}

impl RuleInfo {
    /// What it detects, each `{key}` replaced by the threshold's key and default.
    pub fn detects(&self) -> String {
        let settings = self.settings();
        let mut out = String::with_capacity(self.detects.len() + 64);
        let mut rest = self.detects;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let token = &after[..close];
            let (key, as_percent) = match token.strip_suffix(":%") {
                Some(key) => (key, true),
                None => (token, false),
            };
            match settings.iter().find(|s| s.key == key) {
                Some(setting) => {
                    let _ = write!(out, "`{key}` ({})", setting.in_prose.in_prose(as_percent));
                }
                None => out.push_str(&rest[open..open + close + 2]),
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// Its keys under `rules.<id>` in rapport.yaml (besides `enabled` and `severity`).
    pub fn settings(&self) -> Vec<SettingDoc> {
        Settings::docs(self.id)
    }

    /// The statuses of the partnerships it runs on.
    pub fn applies_to(&self) -> &'static [crate::ledger::model::Status] {
        catalog::applies_to(self.id)
    }
}

/// The documentation of a rule as `rapport rules --format json` prints it.
#[derive(serde::Serialize)]
struct RuleInfoDocument<'a> {
    id: &'a str,
    sign: Sign,
    title: &'a str,
    default_severity: Severity,
    escalates: bool,
    detects: String,
    why: &'a str,
    example: &'a str,
    fix: &'a str,
    applies_to: &'static [crate::ledger::model::Status],
    settings: Vec<SettingDoc>,
}

impl serde::Serialize for RuleInfo {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        RuleInfoDocument {
            id: self.id,
            sign: self.sign,
            title: self.title,
            default_severity: self.default_severity,
            escalates: self.escalates,
            detects: self.detects(),
            why: self.why,
            example: self.example,
            fix: self.fix,
            applies_to: self.applies_to(),
            settings: self.settings(),
        }
        .serialize(serializer)
    }
}

/// A rule: a pure function from a partnership's timeline to findings.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    /// Its findings on a timeline (the [`Phase::Timeline`]).
    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding>;
    /// For a rule of the [`Phase::Findings`]: reads the findings of the rules before it (their
    /// severities as configured), may mark them, and adds its own. Called whatever its switch
    /// says (marking acknowledged findings does not depend on reporting stale entries): the
    /// rule reads its own switch.
    fn after(&self, _current: &Snapshot, _findings: &mut Vec<Finding>, _cx: &Context) {}
}

/// When a rule runs, as the catalog declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// On the timeline: most rules.
    Timeline,
    /// After every rule of the timeline phase, on their findings, in catalog order: what open
    /// signs mean for the renewal, which findings are acknowledged.
    Findings,
}

/// What every rule reads besides the timeline.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The date of the analysis: the analysed revision's commit date, or `--as-of`.
    pub now: Date,
    pub settings: &'a Settings,
    pub ladder: &'a Ladder,
    pub vocabulary: &'a Vocabulary,
}

/// The signs, numbered as in the catalogue; 0 is the ledger's own hygiene.
pub mod sign {
    use super::Sign;

    const fn s(number: u8, name: &'static str) -> Sign {
        Sign { number, name }
    }
    pub const HYGIENE: Sign = s(0, "ledger hygiene");
    /// Not one of the twelve: what their open findings mean for the contract's next deadline.
    pub const RENEWAL: Sign = s(0, "renewal at risk");
    pub const VALUE: Sign = s(1, "the value does not show");
    pub const GOALS: Sign = s(2, "goals missed");
    pub const TENSION: Sign = s(3, "tension shows");
    pub const SATISFACTION: Sign = s(4, "unhappy although the contract is delivered");
    pub const METRICS: Sign = s(5, "no metrics define success");
    pub const VENDOR: Sign = s(6, "the solution serves the seller");
    pub const PARTNER: Sign = s(7, "partner dysfunction");
    pub const SUPPORT: Sign = s(8, "support is weak and error-prone");
    pub const PAYMENTS: Sign = s(9, "payments delayed, terms stretched, prices cut");
    pub const SCOPE: Sign = s(10, "the scope is unclear");
    pub const COMMUNICATION: Sign = s(11, "communication breaks down");
    pub const EFFORT: Sign = s(12, "too much time for what it returns");
}

/// Every rule, ordered by sign then id (declared in [`catalog`](self::catalog) with its settings).
pub fn catalog() -> &'static [&'static dyn Rule] {
    catalog::CATALOG
}

/// The rule with this id.
pub fn find_rule(id: &str) -> Option<&'static dyn Rule> {
    catalog().iter().copied().find(|r| r.info().id == id)
}

/// Runs every enabled rule over every present partnership, then re-grades findings as
/// configured, runs the findings phase (the renewal, the current `acknowledged` entries), dates
/// each finding (see [`Finding::since`]) and sorts (partnership, severity worst first, rule,
/// subject). Findings name the field they are about ([`Finding::path`]); pointing them at
/// lines of a file is the caller's.
pub fn analyse(timelines: &[Timeline], cx: &Context) -> Vec<Finding> {
    let mut findings: Vec<Finding> = timelines
        .par_iter()
        .flat_map_iter(|timeline| {
            let mut findings = findings_of(timeline, cx, None);
            date(timeline, cx, &mut findings);
            findings
        })
        .collect();
    sort(&mut findings);
    findings
}

/// Puts findings in report order: by partnership, the most severe first, then by rule and
/// subject. [`analyse`] returns them so; findings gathered a partnership at a time are sorted
/// with this.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.location.partnership, b.severity, a.rule, &a.subject).cmp(&(
            &b.location.partnership,
            a.severity,
            b.rule,
            &b.subject,
        ))
    });
}

/// Dates `findings`, findings of `timeline` as of `cx.now` (all of them or only some: each is
/// dated alone), with when each began (see [`Finding::since`]).
pub fn date(timeline: &Timeline, cx: &Context, findings: &mut [Finding]) {
    since::date_findings(timeline, cx, findings, &|upto, cx, wanted| {
        findings_of(upto, cx, Some(wanted))
    });
}

/// Runs every enabled rule over every present partnership as of `cx.now`, re-grades, runs the
/// findings phase and sorts, like [`analyse`], without dating the findings: what the timeline
/// and the trends compare at each version, and what a comparison needs before it knows which
/// findings it shows (see [`date`]).
pub fn analyse_undated(timelines: &[Timeline], cx: &Context) -> Vec<Finding> {
    let mut findings: Vec<Finding> = timelines
        .par_iter()
        .flat_map_iter(|timeline| findings_of(timeline, cx, None))
        .collect();
    sort(&mut findings);
    findings
}

/// The findings of one partnership as of `cx.now`: of every enabled rule, or of the rules
/// `only` names (with those the renewal and acknowledgement rules read, when it names them).
fn findings_of(
    timeline: &Timeline,
    cx: &Context,
    only: Option<&std::collections::HashSet<&'static str>>,
) -> Vec<Finding> {
    let Some(current) = timeline.current() else {
        return Vec::new();
    };
    // A rule of the findings phase reads every other rule's findings.
    let only = only.filter(|only| !only.iter().any(|id| catalog::phase(id) == Phase::Findings));
    let mut findings = Vec::new();
    let status = current.front.status;
    for ((rule, switch, applies), phase) in cx.settings.switches().into_iter().zip(catalog::PHASES)
    {
        if *phase != Phase::Timeline {
            continue;
        }
        let id = rule.info().id;
        if only.is_some_and(|only| !only.contains(id)) {
            continue;
        }
        // A paused or ended partnership is expected to go quiet: the rules that read activity
        // do not run on it (see the table in docs/rules.md).
        if !switch.enabled || !applies.contains(&status) {
            continue;
        }
        for mut finding in rule.check(timeline, cx) {
            if let Some(severity) = switch.severity {
                finding.severity = severity;
            }
            findings.push(finding);
        }
    }
    for rule in catalog::findings_phase() {
        rule.after(current, &mut findings, cx);
    }
    findings
}

/// Starts a finding of `info` in `snapshot` with its default severity.
pub fn finding(
    info: &'static RuleInfo,
    snapshot: &Snapshot,
    subject: impl Into<String>,
    message: impl Into<String>,
) -> Finding {
    let subject = subject.into();
    Finding {
        rule: info.id,
        sign: info.sign,
        severity: info.default_severity,
        location: Location {
            partnership: snapshot.id.clone(),
            name: snapshot.front.partner.clone(),
            file: snapshot.path.clone(),
            line: 1,
        },
        fingerprint: Fingerprint::new(info.id, &snapshot.id, &subject),
        subject,
        path: None,
        message: message.into(),
        facts: Vec::new(),
        template: None,
        evidence: Vec::new(),
        measure: None,
        remedy: info.fix,
        acknowledgement: Acknowledgement::Open,
        since: None,
    }
}

impl Finding {
    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    /// Points at a front matter field, such as `terms.payment_days` or `kpis[0].actual`: its
    /// line is found where the file's text is at hand (`analysis::locate`).
    pub fn at_path(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    /// Points at a line of the body (a meeting heading, an action item), as the ledger read it
    /// into the snapshot.
    pub fn at_line(mut self, line: usize) -> Finding {
        self.location.line = line;
        self
    }

    /// The evidence, the first [`finding::EVIDENCE`] pieces of it, then one saying how many more
    /// there are (dated as the last of those).
    pub fn evidence(mut self, mut evidence: Vec<Evidence>) -> Finding {
        if evidence.len() > finding::EVIDENCE {
            let more = evidence.len() - finding::EVIDENCE;
            let last = evidence.last().map(|e| e.date);
            evidence.truncate(finding::EVIDENCE);
            if let Some(date) = last {
                evidence.push(Evidence::dated(
                    date,
                    format!("and {} more", crate::numbers::prose(more as f64)),
                    None,
                ));
            }
        }
        self.evidence = evidence;
        self
    }

    /// States the message as `template` with `{name}` where each fact goes.
    pub fn stating(mut self, template: &str, mut facts: Vec<Fact>) -> Finding {
        // A list bounded by `finding::list` leaves facts no placeholder names: not stated, not kept.
        facts = finding::stated(template, facts);
        self.message = finding::render(template, &facts);
        self.template = Some(template.to_string());
        self.facts = facts;
        self
    }

    /// The number the finding is about (see [`Measure`]).
    pub fn measure(mut self, measure: Measure) -> Finding {
        self.measure = Some(measure);
        self
    }
}

impl Evidence {
    /// States what was observed as `template` with `{name}` where each fact goes; `value` was
    /// read from `value_field`, when it is a field's value.
    pub fn stating(
        mut self,
        template: &str,
        facts: Vec<Fact>,
        value_field: Option<&str>,
    ) -> Evidence {
        self.observed = finding::render(template, &facts);
        self.template = Some(template.to_string());
        self.facts = facts;
        self.value_field = value_field.map(str::to_string);
        self
    }

    /// A fact observed in a version of the file.
    pub fn of(version: &Version, observed: impl Into<String>, value: Option<f64>) -> Evidence {
        Evidence {
            date: version.date(),
            commit: Some(version.commit.short.clone()).filter(|s| !s.is_empty()),
            observed: observed.into(),
            value,
            facts: Vec::new(),
            template: None,
            value_field: None,
            date_from: Vec::new(),
        }
    }

    /// A field's value in a version, `terms.price = 120,000`, drawn on charts and masked when
    /// `redact` names the field.
    pub fn field(version: &Version, field: &str, value: f64) -> Evidence {
        Evidence::of(version, "", Some(value)).stating(
            &format!("{field} = {{value}}"),
            vec![Fact::new("value", FactValue::Number(value)).of(field)],
            Some(field),
        )
    }

    /// The evidence's date was read or derived from `fields`, and is left out with them.
    pub fn dated_by(mut self, fields: &[&str]) -> Evidence {
        self.date_from = fields.iter().map(|f| f.to_string()).collect();
        self
    }

    /// A fact first seen in a commit, known by its date and short id.
    pub fn in_commit(
        date: Date,
        commit: &str,
        observed: impl Into<String>,
        value: Option<f64>,
    ) -> Evidence {
        Evidence {
            date,
            commit: Some(commit.to_string()).filter(|s| !s.is_empty()),
            observed: observed.into(),
            value,
            facts: Vec::new(),
            template: None,
            value_field: None,
            date_from: Vec::new(),
        }
    }

    /// A fact carrying its own date (a meeting, an invoice, an event).
    pub fn dated(date: Date, observed: impl Into<String>, value: Option<f64>) -> Evidence {
        Evidence {
            date,
            commit: None,
            observed: observed.into(),
            value,
            facts: Vec::new(),
            template: None,
            value_field: None,
            date_from: Vec::new(),
        }
    }
}

/// The currency the terms name as a fact (`EUR`, read from `terms.currency`), and how a sentence
/// puts it before an amount: `{currency} `, or nothing when the terms name none. The space
/// belongs to the sentence, not to the value the data and the schema show.
pub fn currency_fact(snapshot: &crate::ledger::Snapshot) -> (Option<Fact>, &'static str) {
    let currency = snapshot
        .front
        .terms
        .as_ref()
        .and_then(|t| t.currency.as_deref());
    match currency {
        Some(c) => (
            Some(Fact::new("currency", FactValue::Text(c.to_string())).of("terms.currency")),
            "{currency} ",
        ),
        None => (None, ""),
    }
}

pub use crate::numbers::{percent, prose as number};

/// A partnership status as written in the front matter: `onboarding`.
pub fn status_name(status: crate::ledger::model::Status) -> &'static str {
    use crate::ledger::model::Status::*;
    match status {
        Prospect => "prospect",
        Onboarding => "onboarding",
        Active => "active",
        Paused => "paused",
        Ending => "ending",
        Ended => "ended",
    }
}

/// Statuses as prose: `` `onboarding`, `active` or `paused` ``.
pub fn statuses_in_words(statuses: &[crate::ledger::model::Status]) -> String {
    let names: Vec<String> = statuses
        .iter()
        .map(|s| format!("`{}`", status_name(*s)))
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => "none".to_string(),
    }
}

/// Whole calendar months from `from` to `to` (0 when under a month).
pub fn months_between(from: Date, to: Date) -> i64 {
    use chrono::Datelike;
    let (a, b) = (from.0, to.0);
    let mut months =
        i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    if b.day() < a.day() {
        months -= 1;
    }
    months.max(0)
}

/// `in 7 months`, `in 1 month`, `in 12 days`.
pub fn span(from: Date, to: Date) -> String {
    let months = months_between(from, to);
    if months >= 1 {
        format!("in {months} month{}", if months == 1 { "" } else { "s" })
    } else {
        let days = from.days_until(to);
        format!("in {days} day{}", if days == 1 { "" } else { "s" })
    }
}

/// The median of some numbers (`None` when there are none).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_are_as_written() {
        use crate::ledger::model::Status;
        for status in Status::ALL {
            assert_eq!(
                serde_json::to_value(status).expect("a status serializes"),
                serde_json::json!(status_name(status))
            );
        }
        assert_eq!(
            statuses_in_words(&[Status::Onboarding, Status::Active]),
            "`onboarding` or `active`"
        );
    }

    #[test]
    fn months_are_calendar_months() {
        let d = |s: &str| Date::parse(s).expect("test dates are valid");
        assert_eq!(months_between(d("2024-01-15"), d("2024-08-14")), 6);
        assert_eq!(months_between(d("2024-01-15"), d("2024-08-15")), 7);
        assert_eq!(span(d("2024-01-15"), d("2024-01-27")), "in 12 days");
    }

    #[test]
    fn rules_that_read_findings_run_in_the_findings_phase() {
        let after: Vec<&str> = catalog::findings_phase().map(|r| r.info().id).collect();
        assert_eq!(after, [rules::renewal::ID, rules::acknowledgements::ID]);
        assert_eq!(catalog::phase("price-cut"), Phase::Timeline);
    }

    /// Rules name fields; reading positions in a file's text is the analysis's. The test-only
    /// modules (scripted histories, samples) may parse what they replay.
    #[test]
    fn nothing_here_reads_positions_in_a_text() {
        const TEST_ONLY: &[&str] = &["docs.rs", "monotonic.rs", "samples.rs", "testing.rs"];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/signs");
        let mut files = vec![];
        for dir in [root.clone(), root.join("rules")] {
            for entry in std::fs::read_dir(&dir).expect("the source folder") {
                let path = entry.expect("an entry").path();
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
                if name.is_some_and(|n| n.ends_with(".rs") && !TEST_ONLY.contains(&n.as_str())) {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 20, "{files:?}");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a source file");
            // Only the code before its unit tests.
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
            for word in [
                "parse_tree",
                "PathIndex",
                "yaml::locate",
                "parse::split",
                "parse_body",
            ] {
                assert!(!code.contains(word), "{} names `{word}`", file.display());
            }
        }
    }

    #[test]
    fn catalog_is_ordered_and_unique() {
        let ids: Vec<(u8, &str)> = catalog()
            .iter()
            .map(|r| (r.info().sign.number, r.info().id))
            .collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), 22);
    }
}

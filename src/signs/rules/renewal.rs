//! A renewal at risk: the renewal date, or the deadline for giving notice before it, is close
//! while signs of trouble are open. It reads the other rules' findings, so it runs after them
//! ([`apply`]) rather than as a function of the timeline alone.

use crate::ledger::{Date, Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    sign,
};

pub const ID: &str = "renewal-at-risk";

const RENEWAL: &str = "terms.renewal";
const NOTICE_DAYS: &str = "terms.notice_days";

pub struct RenewalAtRisk;

static INFO: RuleInfo = RuleInfo {
    id: ID,
    sign: sign::RENEWAL,
    title: "A renewal or notice deadline is close while signs are open",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "The next deadline of the contract, the notice deadline (`terms.renewal` minus \
        `terms.notice_days`) while it is ahead, else `terms.renewal` itself, is at most \
        {error_days} days away while an open (not acknowledged) finding of one of the \
        twelve signs is an error: error. Or it is at most {warning_days} days away while any \
        finding of the twelve signs is open: warning. A renewal date already past, and \
        partnerships `ending` or `ended`, say nothing. Once the notice deadline has passed \
        while the renewal is ahead, the contract renews itself and can no longer be left on \
        time: that is reported whatever the days left, with both dates, as an error while an \
        error-level sign is open and as a warning while any sign is. The finding names the \
        deadline, the days left and the open signs.",
    why: "The renewal is when the terms can change: the last point at which a partnership in \
        trouble can be renegotiated, or ended, without waiting another contract period. A \
        contract that renews itself silently while its warning signs are open locks the trouble \
        in for another term.",
    example: "terms: { renewal: 2025-11-28, notice_days: 90 }\nopen: error[payment-terms-slip], error[late-payment]\nanalysed on 2025-06-30\n→ error: notice is due by 2025-08-30 (90 days before the renewal on 2025-11-28), in 61 days, while 2 error-level signs are open: payment-terms-slip, late-payment",
    fix: "Put the open signs on the agenda before the deadline: decide with the owner whether to \
        renew as is, renegotiate (terms, scope, SLAs, price) or give notice, and write the \
        decision down. If the deadline in the file is wrong, correct `terms.renewal` or \
        `terms.notice_days`.",
};

impl Rule for RenewalAtRisk {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    /// Produced by [`apply`], which needs the other rules' findings.
    fn check(&self, _: &Timeline, _: &Context) -> Vec<Finding> {
        Vec::new()
    }

    fn after(&self, current: &Snapshot, findings: &mut Vec<Finding>, cx: &Context) {
        apply(current, findings, cx);
    }
}

/// The next deadline of a contract as of `now`: the notice deadline while it is ahead, else the
/// renewal; `None` without a renewal date or when it is past.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub renewal: Date,
    /// The notice deadline, when `notice_days` is given.
    pub notice: Option<Date>,
    /// Whether the next deadline is the notice deadline (else the renewal).
    pub is_notice: bool,
    /// Whether the notice deadline has passed while the renewal is ahead: the contract renews
    /// itself and can no longer be left on time.
    pub notice_missed: bool,
    pub days_left: i64,
}

impl Deadline {
    pub fn of(snapshot: &Snapshot, now: Date) -> Option<Deadline> {
        let terms = snapshot.front.terms.as_ref()?;
        let renewal = terms.renewal?;
        if renewal < now {
            return None;
        }
        let notice = terms.notice_days.map(|days| renewal.sub_days(days));
        let is_notice = notice.is_some_and(|n| n >= now);
        let date = if is_notice {
            notice.unwrap_or(renewal)
        } else {
            renewal
        };
        Some(Deadline {
            renewal,
            notice,
            is_notice,
            notice_missed: notice.is_some_and(|n| n < now),
            days_left: now.days_until(date),
        })
    }

    /// The date of the next deadline.
    pub fn date(&self) -> Date {
        match self.notice {
            Some(notice) if self.is_notice => notice,
            _ => self.renewal,
        }
    }

    /// `notice is due by 2025-08-30 (90 days before the renewal on 2025-11-28), in 61 days`,
    /// `the renewal on 2025-07-15 is today`, as a sentence with its facts. The notice
    /// deadline and the days left are derived from both fields and tell both.
    pub fn stated(&self) -> (&'static str, Vec<Fact>) {
        let renewal = Fact::new("renewal", FactValue::Date(self.renewal)).of(RENEWAL);
        let when = match self.days_left {
            0 => "today".to_string(),
            1 => "in 1 day".to_string(),
            n => format!("in {n} days"),
        };
        let days = [
            Fact::new("when", FactValue::Text(when)).derived(&[RENEWAL, NOTICE_DAYS]),
            Fact::new("days_left", FactValue::Number(self.days_left as f64))
                .derived(&[RENEWAL, NOTICE_DAYS]),
        ];
        match self.notice {
            Some(notice) if self.is_notice => (
                "notice is due by {notice} ({notice_days} days before the renewal on {renewal}), \
                 {when}",
                [
                    Fact::new("notice", FactValue::Date(notice)).derived(&[RENEWAL, NOTICE_DAYS]),
                    Fact::new(
                        "notice_days",
                        FactValue::Number(notice.days_until(self.renewal) as f64),
                    )
                    .of(NOTICE_DAYS),
                    renewal,
                ]
                .into_iter()
                .chain(days)
                .collect(),
            ),
            Some(notice) if self.notice_missed => (
                "notice was due by {notice} ({notice_days} days before the renewal on \
                 {renewal}), {missed} days ago: the contract renews itself on {renewal}, {when}, \
                 and can no longer be left on time",
                [
                    Fact::new("notice", FactValue::Date(notice)).derived(&[RENEWAL, NOTICE_DAYS]),
                    Fact::new(
                        "notice_days",
                        FactValue::Number(notice.days_until(self.renewal) as f64),
                    )
                    .of(NOTICE_DAYS),
                    renewal,
                    Fact::new(
                        "missed",
                        FactValue::Number(
                            notice.days_until(self.renewal) as f64 - self.days_left as f64,
                        ),
                    )
                    .derived(&[RENEWAL, NOTICE_DAYS]),
                ]
                .into_iter()
                .chain(days)
                .collect(),
            ),
            _ => (
                "the renewal on {renewal} is {when}",
                std::iter::once(renewal).chain(days).collect(),
            ),
        }
    }
}

/// Adds the renewal-at-risk finding of `current` to `findings` (the other rules' findings,
/// before acknowledgements are applied), when its next deadline is close while signs are open.
pub fn apply(current: &Snapshot, findings: &mut Vec<Finding>, cx: &Context) {
    let switch = cx.settings.switch(ID);
    // The table of docs/rules.md: not on partnerships that are ending or have ended.
    if !switch.enabled || !INFO.applies_to().contains(&current.front.status) {
        return;
    }
    let Some(deadline) = Deadline::of(current, cx.now) else {
        return;
    };
    let set = &cx.settings.renewal_at_risk;
    // One of the twelve signs, and not accepted by an unexpired acknowledgement.
    let open: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.sign.number > 0 && !acknowledged(current, f.rule, cx.now))
        .collect();
    let errors: Vec<&Finding> = open
        .iter()
        .copied()
        .filter(|f| f.severity == Severity::Error)
        .collect();
    // A missed notice deadline is the one fact that matters however far the renewal is.
    let missed = deadline.notice_missed;
    let (severity, behind) =
        if !errors.is_empty() && (missed || deadline.days_left <= set.error_days) {
            (Severity::Error, errors)
        } else if !open.is_empty() && (missed || deadline.days_left <= set.warning_days) {
            (Severity::Warning, open)
        } else {
            return;
        };
    let mut rules: Vec<&str> = behind.iter().map(|f| f.rule).collect();
    rules.dedup();
    let what = match severity {
        Severity::Error => "error-level sign",
        _ => "sign",
    };
    let (deadline_sentence, mut facts) = deadline.stated();
    // Rule ids and counts only: the open signs' own sentences stay in the evidence.
    let template = format!(
        "{deadline_sentence}, while {{open}} {what}{} {} open: {}",
        if behind.len() == 1 { "" } else { "s" },
        if behind.len() == 1 { "is" } else { "are" },
        rules.join(", ")
    );
    facts.push(Fact::new("open", FactValue::Number(behind.len() as f64)));
    let mut evidence = vec![
        Evidence::dated(deadline.renewal, "", None)
            .stating(
                "terms.renewal = {renewal}",
                vec![Fact::new("renewal", FactValue::Date(deadline.renewal)).of(RENEWAL)],
                None,
            )
            .dated_by(&[RENEWAL]),
    ];
    if let Some(notice) = deadline.notice {
        evidence.push(
            Evidence::dated(notice, "", None)
                .stating(
                    "terms.notice_days = {notice_days}: notice due by {notice}",
                    vec![
                        Fact::new(
                            "notice_days",
                            FactValue::Number(notice.days_until(deadline.renewal) as f64),
                        )
                        .of(NOTICE_DAYS),
                        Fact::new("notice", FactValue::Date(notice))
                            .derived(&[RENEWAL, NOTICE_DAYS]),
                    ],
                    None,
                )
                .dated_by(&[RENEWAL, NOTICE_DAYS]),
        );
    }
    evidence.extend(behind.iter().map(|f| {
        // The open finding's sentence with its own facts, so they are masked as in it.
        let open = format!("open {}[{}]: ", f.severity, f.rule);
        match &f.template {
            Some(template) => Evidence::dated(cx.now, "", None).stating(
                &format!("{open}{template}"),
                f.facts.clone(),
                None,
            ),
            None => Evidence::dated(cx.now, format!("{open}{}", f.message), None),
        }
    }));
    let path = if deadline.is_notice {
        "terms.notice_days"
    } else {
        "terms.renewal"
    };
    let mut found = finding(&INFO, current, RENEWAL, "")
        .stating(&template, facts)
        .severity(severity)
        .at_path(path)
        .evidence(evidence)
        .measure(Measure::new(
            "terms.renewal.days_left",
            deadline.days_left as f64,
            Worse::Lower,
        ));
    if let Some(severity) = switch.severity {
        found.severity = severity;
    }
    findings.push(found);
}

/// Whether an unexpired `acknowledged` entry of the current file covers `rule`.
fn acknowledged(current: &Snapshot, rule: &str, now: Date) -> bool {
    current
        .front
        .acknowledged
        .iter()
        .any(|ack| ack.rule == rule && ack.until.is_none_or(|until| until >= now))
}

#[cfg(test)]
mod tests {
    use crate::signs::testing::{History, Setup, front};
    use crate::signs::{Acknowledgement, Finding, Severity, analyse};

    /// A KPI on target, reported recently: no other sign.
    const KPI: &str =
        "kpis:\n  - { id: pipeline, target: 400000, actual: 420000, as_of: 2025-06-01 }\n";

    /// A partnership whose payment terms went from net-30 to net-120 on 2025-04-19 (an error),
    /// with `terms` extra keys, analysed by the whole catalog at `now`.
    fn renewal_findings(terms: &str, now: &str, extra: &str) -> Vec<Finding> {
        stretched_to(120, terms, now, extra)
    }

    /// The same with the terms stretched to net-`days` (45 is a warning).
    fn stretched_to(days: u32, terms: &str, now: &str, extra: &str) -> Vec<Finding> {
        let last = days;
        let version = |days: u32| {
            front(&format!(
                "terms: {{ payment_days: {days}, currency: EUR{terms} }}\n{KPI}{extra}"
            ))
        };
        let timeline = History::new()
            .version("2024-09-12", &version(30))
            .version("2025-04-19", &version(last))
            .build();
        let setup = Setup::default();
        analyse(&[timeline], &setup.context(now))
            .into_iter()
            .filter(|f| f.rule == super::ID)
            .collect()
    }

    #[test]
    fn a_notice_deadline_inside_the_window_with_an_open_error_is_an_error() {
        let found = renewal_findings(", renewal: 2025-11-28, notice_days: 90", "2025-06-30", "");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(
            found[0].message,
            "notice is due by 2025-08-30 (90 days before the renewal on 2025-11-28), in 61 days, \
             while 1 error-level sign is open: payment-terms-slip"
        );
        assert_eq!(found[0].measure.as_ref().map(|m| m.value), Some(61.0));
    }

    #[test]
    fn only_a_close_deadline_counts_with_warnings_alone() {
        let found = stretched_to(45, ", renewal: 2025-07-20", "2025-06-30", "");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(
            found[0].message,
            "the renewal on 2025-07-20 is in 20 days, while 1 sign is open: payment-terms-slip"
        );
        // 46 days out, a warning is not enough.
        assert_eq!(
            stretched_to(45, ", renewal: 2025-08-15", "2025-06-30", ""),
            vec![]
        );
    }

    #[test]
    fn the_same_renewal_without_notice_is_outside_the_window() {
        // 151 days to the renewal: nothing yet.
        assert_eq!(
            renewal_findings(", renewal: 2025-11-28", "2025-06-30", ""),
            vec![]
        );
    }

    #[test]
    fn a_missed_notice_deadline_is_reported_with_both_dates() {
        // Notice was due by 2025-08-30; on 2025-09-15 the contract can no longer be left on
        // time, 74 days before it renews itself: an error while an error-level sign is open.
        let found = renewal_findings(", renewal: 2025-11-28, notice_days: 90", "2025-09-15", "");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Error);
        assert_eq!(
            found[0].message,
            "notice was due by 2025-08-30 (90 days before the renewal on 2025-11-28), 16 days \
             ago: the contract renews itself on 2025-11-28, in 74 days, and can no longer be \
             left on time, while 1 error-level sign is open: payment-terms-slip"
        );
        assert_eq!(found[0].path.as_deref(), Some("terms.renewal"));
        // However far the renewal: a notice of 300 days missed a month ago, renewal in 270.
        let far = renewal_findings(", renewal: 2026-06-12, notice_days: 300", "2025-09-15", "");
        assert_eq!(far.len(), 1, "{far:#?}");
        assert_eq!(far[0].severity, Severity::Error);
        assert!(
            far[0].message.starts_with("notice was due by 2025-08-16"),
            "{}",
            far[0].message
        );
        // With warnings alone, a warning; the near miss: notice still ahead and far, nothing.
        let warned = stretched_to(
            45,
            ", renewal: 2026-06-12, notice_days: 300",
            "2025-09-15",
            "",
        );
        assert_eq!(warned.len(), 1);
        assert_eq!(warned[0].severity, Severity::Warning);
        assert_eq!(
            stretched_to(
                45,
                ", renewal: 2026-06-12, notice_days: 200",
                "2025-09-15",
                ""
            ),
            vec![]
        );
    }

    #[test]
    fn a_missed_notice_deadline_in_a_chinese_partnership() {
        // The same contract written by a Chinese team: names and notes in Chinese, the
        // deadline read from the same fields.
        let chinese =
            "contacts:\n  - { name: 王伟, side: partner, level: executive, primary: true }\n";
        let found = renewal_findings(
            ", renewal: 2025-11-28, notice_days: 90",
            "2025-09-15",
            chinese,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("notice was due by 2025-08-30"),
            "{}",
            found[0].message
        );
        // Notice on the day itself is not yet missed.
        let on_the_day = renewal_findings(
            ", renewal: 2025-11-28, notice_days: 90",
            "2025-08-30",
            chinese,
        );
        assert!(
            on_the_day[0]
                .message
                .starts_with("notice is due by 2025-08-30"),
            "{}",
            on_the_day[0].message
        );
    }

    #[test]
    fn an_acknowledged_error_leaves_the_renewal_alone_until_it_expires() {
        let ack = "acknowledged:\n  - { rule: payment-terms-slip, reason: Net-120 for a volume commitment, until: 2025-12-31 }\n";
        assert_eq!(
            renewal_findings(", renewal: 2025-08-15", "2025-06-30", ack),
            vec![]
        );
        let late = "acknowledged:\n  - { rule: payment-terms-slip, reason: Net-120 for a volume commitment, until: 2025-06-01 }\n";
        let found = renewal_findings(", renewal: 2025-08-15", "2025-06-30", late);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].acknowledgement, Acknowledgement::Open);
    }

    #[test]
    fn a_past_renewal_or_an_ending_partnership_says_nothing() {
        assert_eq!(
            renewal_findings(", renewal: 2025-06-01", "2025-06-30", ""),
            vec![]
        );
        let ending = "status: ending\n";
        let version = |days: u32| {
            front(&format!(
                "terms: {{ payment_days: {days}, renewal: 2025-07-15 }}\n"
            ))
            .replace("status: active\n", ending)
        };
        let timeline = History::new()
            .version("2024-09-12", &version(30))
            .version("2025-04-19", &version(120))
            .build();
        let setup = Setup::default();
        let found = analyse(&[timeline], &setup.context("2025-06-30"));
        assert!(found.iter().all(|f| f.rule != super::ID), "{found:#?}");
    }
}

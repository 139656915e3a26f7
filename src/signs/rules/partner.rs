//! Sign 7, partner dysfunction: slow answers, staff churn, money trouble and downsizing.

use super::{changes, history, pairs};
use crate::ledger::changes::ItemHistory;
use crate::ledger::model::{Contact, EventKind, Side, same_people};
use crate::ledger::{Snapshot, Timeline, Version};
use crate::signs::{
    Context, Evidence, Fact, FactValue, Finding, Measure, Rule, RuleInfo, Severity, Worse, finding,
    median, sign,
};

pub struct PartnerUnresponsive;
pub struct PartnerTurnover;
pub struct PartnerDistress;

static PARTNER_UNRESPONSIVE: RuleInfo = RuleInfo {
    id: "partner-unresponsive",
    sign: sign::PARTNER,
    title: "The partner's action items stay open",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "For `onboarding` and `active` partnerships: unchecked action items owned by \
        `partner:` in the current file that are past their `(due …)` date, or, without a due \
        date, were opened (first appeared in history) more than {open_days} before now. \
        Separately, when at least {min_closed} partner items were closed, the median \
        time-to-close (opened to checked, from history) of the later half, by closing date, is \
        at least {close_factor} times that of the earlier half.",
    why: "Sign 7: partner dysfunction. Slow or vague answers are often the first visible symptom \
        of a partner that has deprioritised you or is struggling internally.",
    example: "## 2024-06-12 Quarterly business review\n- [ ] partner: send revised enablement plan (due 2024-06-30)\n(analysed on 2024-08-14)\n→ 1 partner action item overdue: \"send revised enablement plan\" (due 2024-06-30, 45 days overdue)",
    fix: "Raise the overdue items with the partner's lead contact, agree new dates in writing, \
        and escalate to the governance meeting if they slip again.",
};

impl Rule for PartnerUnresponsive {
    fn info(&self) -> &'static RuleInfo {
        &PARTNER_UNRESPONSIVE
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.partner_unresponsive;
        let Some(current) = timeline.current() else {
            return Vec::new();
        };
        if !current.front.status.is_live() {
            return Vec::new();
        }
        // Partner items still in the file, with when history saw them opened and closed.
        let items: Vec<ItemHistory> = timeline
            .action_items()
            .into_iter()
            .filter(|item| item.owner == Some(Side::Partner) && item.removed.is_none())
            .collect();
        let mut findings = Vec::new();

        let mut late = Vec::new();
        let mut facts = Vec::new();
        let mut evidence = Vec::new();
        let mut line = None;
        for item in items.iter().filter(|item| item.closed.is_none()) {
            // One sentence part per item, its facts numbered by their place in it; the item's
            // words are a fact, never part of the sentence.
            let k = late.len();
            let what = match item.due {
                Some(due) if due < cx.now => {
                    facts.push(Fact::new(&format!("due{k}"), FactValue::Date(due)));
                    facts.push(Fact::new(
                        &format!("days{k}"),
                        FactValue::Number(due.days_until(cx.now) as f64),
                    ));
                    format!("\"{{item{k}}}\" (due {{due{k}}}, {{days{k}}} days overdue)")
                }
                None if item.opened.days_until(cx.now) > set.open_days => {
                    facts.push(Fact::new(
                        &format!("opened{k}"),
                        FactValue::Date(item.opened),
                    ));
                    facts.push(Fact::new(
                        &format!("days{k}"),
                        FactValue::Number(item.opened.days_until(cx.now) as f64),
                    ));
                    format!("\"{{item{k}}}\" (open since {{opened{k}}}, {{days{k}}} days)")
                }
                _ => continue,
            };
            facts.push(Fact::new(
                &format!("item{k}"),
                FactValue::Text(item.text.clone()),
            ));
            line.get_or_insert(item.line);
            evidence.push(
                Evidence::in_commit(item.opened, &item.opened_in, "", None).stating(
                    "opened: partner: {item}",
                    vec![Fact::new("item", FactValue::Text(item.text.clone()))],
                    None,
                ),
            );
            late.push(what);
        }
        if !late.is_empty() {
            let template = format!(
                "{{count}} partner action item{} overdue: {}",
                if late.len() == 1 { "" } else { "s" },
                crate::signs::finding::list(&late, ", ")
            );
            facts.push(Fact::new("count", FactValue::Number(late.len() as f64)));
            findings.push(
                finding(&PARTNER_UNRESPONSIVE, current, "action-items", "")
                    .stating(&template, facts)
                    .at_line(line.unwrap_or(1))
                    .evidence(evidence)
                    .measure(Measure::new(
                        "action-items.partner.overdue",
                        late.len() as f64,
                        Worse::Higher,
                    )),
            );
        }

        let mut closed: Vec<(&ItemHistory, crate::ledger::Date)> = items
            .iter()
            .filter_map(|item| Some((item, item.closed?)))
            .collect();
        if closed.len() >= set.min_closed.max(2) {
            closed.sort_by_key(|(item, closed)| (*closed, item.opened));
            let days: Vec<f64> = closed
                .iter()
                .map(|(item, closed)| item.opened.days_until(*closed) as f64)
                .collect();
            let half = days.len() / 2;
            let (mut earlier, mut later) = (days[..half].to_vec(), days[half..].to_vec());
            if let (Some(before), Some(after)) = (median(&mut earlier), median(&mut later))
                && after > 0.0
                && after >= set.close_factor * before.max(1.0)
            {
                // The sentence speaks of whole days (a median of two can end in .5, rounded
                // to even as before); the measure keeps the exact median.
                let facts = vec![
                    Fact::new("after", FactValue::Number(after.round_ties_even())),
                    Fact::new("before", FactValue::Number(before.round_ties_even())),
                ];
                let evidence = closed
                    .iter()
                    .map(|(item, closed)| {
                        let days = item.opened.days_until(*closed);
                        Evidence::in_commit(
                            *closed,
                            item.closed_in.as_deref().unwrap_or(""),
                            "",
                            Some(days as f64),
                        )
                        .stating(
                            "closed after {days} days (opened {opened})",
                            vec![
                                Fact::new("days", FactValue::Number(days as f64)),
                                Fact::new("opened", FactValue::Date(item.opened)),
                            ],
                            None,
                        )
                    })
                    .collect();
                findings.push(
                    finding(&PARTNER_UNRESPONSIVE, current, "time-to-close", "")
                        .stating(
                            "the partner now takes a median {after} days to close its action \
                             items, up from {before} days",
                            facts,
                        )
                        .evidence(evidence)
                        .measure(Measure::new(
                            "action-items.partner.median_days_to_close",
                            after,
                            Worse::Higher,
                        )),
                );
            }
        }
        findings
    }
}

static PARTNER_TURNOVER: RuleInfo = RuleInfo {
    id: "partner-turnover",
    sign: sign::PARTNER,
    title: "The partner's people keep changing",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "Partner contacts present in one version and gone in the next one \
        descending from it (a merge is compared with its first parent, each branch with where it \
        started, never one branch with another; a contact is the same person when the `email` \
        matches, else the name, so a corrected name is no departure): fires when at least \
        {min_departures} leave within {window_days} of each other (the \
        busiest window is reported). Separately, the partner's primary contact (the `primary` \
        partner contact) changed to another person at least {primary_changes} times over the \
        history.",
    why: "Sign 7: partner dysfunction, staff churn. Each departure takes knowledge of your account \
        with it; a partner that keeps replacing the people on your account is reorganising \
        around you, or losing people.",
    example: "2024-01-15  contacts: Dana Whitfield, Ola Berg, Tom Ng\n2024-04-02  contacts: Ola Berg, Tom Ng, Lee Park\n2024-07-20  contacts: Tom Ng, Lee Park, Sam Ortiz\n→ 2 partner contacts left within 180 days: Dana Whitfield (2024-04-02), Ola Berg (2024-07-20)",
    fix: "Ask the partner for a named, stable account team and a handover plan for each change; \
        record the people in `contacts` and raise continued churn at the governance meeting.",
};

fn partner_contacts(s: &Snapshot) -> Vec<&Contact> {
    s.front
        .contacts
        .iter()
        .filter(|c| c.side == Side::Partner)
        .collect()
}

/// The contact marked `primary` on the partner's side, as a person: two versions' primaries
/// are the same when [`Contact::same_person`] says so, whatever the spelling of the name.
#[derive(Clone, Debug)]
struct Primary<'a>(&'a Contact);

impl PartialEq for Primary<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.same_person(other.0)
    }
}

fn partner_primary(s: &Snapshot) -> Option<Primary<'_>> {
    s.front
        .contacts
        .iter()
        .find(|c| c.side == Side::Partner && c.primary)
        .map(Primary)
}

impl Rule for PartnerTurnover {
    fn info(&self) -> &'static RuleInfo {
        &PARTNER_TURNOVER
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.partner_turnover;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();

        // Each version against the one it descends from: two merged branches that each added
        // a contact are not one branch's contact leaving in the other.
        let mut departures: Vec<(&Version, String)> = Vec::new();
        for ((_, was), (version, is)) in pairs(timeline, cx.now) {
            let (before, after) = (partner_contacts(was), partner_contacts(is));
            for (contact, stayed) in before.iter().zip(same_people(&before, &after)) {
                if stayed.is_none() {
                    departures.push((version, contact.name.clone()));
                }
            }
        }
        departures.sort_by_key(|(v, _)| v.date());
        // The busiest window ending at a departure; the latest among equals.
        let mut best: Option<(usize, usize)> = None;
        for end in 0..departures.len() {
            let end_date = departures[end].0.date();
            let from = end_date.sub_days(set.window_days);
            // At most `end`: a window can only reach back, whatever the setting says.
            let start = departures
                .iter()
                .position(|(v, _)| v.date() >= from)
                .unwrap_or(end)
                .min(end);
            let count = end + 1 - start;
            if best.is_none_or(|(s, e)| count >= e + 1 - s) {
                best = Some((start, end));
            }
        }
        if let Some((start, end)) = best {
            let group = &departures[start..=end];
            if group.len() >= set.min_departures.max(1) {
                let mut facts = vec![
                    Fact::new("count", FactValue::Number(group.len() as f64)),
                    Fact::new("window_days", FactValue::Number(set.window_days as f64)),
                ];
                let mut listed = Vec::new();
                for (k, (v, name)) in group.iter().enumerate() {
                    listed.push(format!("{{name{k}}} ({{left{k}}})"));
                    facts.push(
                        Fact::new(&format!("name{k}"), FactValue::Text(name.clone()))
                            .of("contacts.name"),
                    );
                    facts.push(Fact::new(&format!("left{k}"), FactValue::Date(v.date())));
                }
                let template = format!(
                    "{{count}} partner contacts left within {{window_days}} days: {}",
                    crate::signs::finding::list(&listed, ", ")
                );
                let evidence = group
                    .iter()
                    .map(|(v, name)| {
                        Evidence::of(v, "", None).stating(
                            "{name} no longer in contacts",
                            vec![
                                Fact::new("name", FactValue::Text(name.clone()))
                                    .of("contacts.name"),
                            ],
                            None,
                        )
                    })
                    .collect();
                findings.push(
                    finding(&PARTNER_TURNOVER, current, "contacts", "")
                        .stating(&template, facts)
                        .at_path("contacts")
                        .evidence(evidence)
                        .measure(Measure::new(
                            "contacts.partner.departures",
                            group.len() as f64,
                            Worse::Higher,
                        )),
                );
            }
        }

        let primaries: Vec<(&Version, &str)> = changes(timeline, cx.now, partner_primary)
            .into_iter()
            .map(|(v, p)| (v, p.0.name.as_str()))
            .collect();
        let changes = primaries.len().saturating_sub(1);
        if changes >= set.primary_changes.max(1) {
            let mut facts = vec![Fact::new("changes", FactValue::Number(changes as f64))];
            let mut chain = Vec::new();
            for (k, (v, name)) in primaries.iter().enumerate() {
                facts.push(
                    Fact::new(&format!("name{k}"), FactValue::Text((*name).to_string()))
                        .of("contacts.name"),
                );
                if k == 0 {
                    chain.push(format!("{{name{k}}}"));
                } else {
                    chain.push(format!("{{name{k}}} ({{since{k}}})"));
                    facts.push(Fact::new(&format!("since{k}"), FactValue::Date(v.date())));
                }
            }
            let template = format!(
                "the partner's primary contact changed {{changes}} times: {}",
                chain.join(" → ")
            );
            let evidence = primaries
                .iter()
                .map(|(v, name)| {
                    Evidence::of(v, "", None).stating(
                        "primary partner contact: {name}",
                        vec![
                            Fact::new("name", FactValue::Text((*name).to_string()))
                                .of("contacts.name"),
                        ],
                        None,
                    )
                })
                .collect();
            findings.push(
                finding(&PARTNER_TURNOVER, current, "primary", "")
                    .stating(&template, facts)
                    .at_path("contacts")
                    .evidence(evidence)
                    .measure(Measure::new(
                        "contacts.partner.primary_changes",
                        changes as f64,
                        Worse::Higher,
                    )),
            );
        }
        findings
    }
}

static PARTNER_DISTRESS: RuleInfo = RuleInfo {
    id: "partner-distress",
    sign: sign::PARTNER,
    title: "The partner is downsizing, restructuring, being acquired or in financial trouble",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "Each entry of `events` in the current version of kind `layoffs`, `restructuring`, \
        `acquisition` or `financial-distress`, dated within {within_days} before now (and \
        not after it). `financial-distress` is an error, the others warnings.",
    why: "Sign 7: partner dysfunction, money trouble and downsizing. A partner under financial or \
        organisational stress cuts first what is not core to it, and your account may be that.",
    example: "events:\n  - { date: 2024-08-01, kind: layoffs, note: Partner cut 10% of its EU staff }\n→ the partner had layoffs on 2024-08-01: Partner cut 10% of its EU staff",
    fix: "Ask the partner's leadership directly what the event means for your account: the people, \
        the roadmap and the support you depend on; review your exit and continuity options.",
};

impl Rule for PartnerDistress {
    fn info(&self) -> &'static RuleInfo {
        &PARTNER_DISTRESS
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let within = cx.settings.partner_distress.within_days;
        let versions = history(timeline, cx.now);
        let Some(&(now_version, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for (i, event) in current.front.events.iter().enumerate() {
            let (what, severity) = match event.kind {
                EventKind::Layoffs => ("had layoffs", Severity::Warning),
                EventKind::Restructuring => ("announced a restructuring", Severity::Warning),
                EventKind::Acquisition => ("is being acquired", Severity::Warning),
                EventKind::FinancialDistress => ("is in financial distress", Severity::Error),
                EventKind::LeadershipChange | EventKind::Other => continue,
            };
            if event.date > cx.now || event.date.days_until(cx.now) > within {
                continue;
            }
            let kind = Fact::new("kind", FactValue::Text(event.kind.as_str().to_string()))
                .of("events.kind");
            let mut facts = vec![Fact::new("date", FactValue::Date(event.date)).of("events.date")];
            let mut noted = "";
            if let Some(note) = &event.note {
                facts.push(Fact::new("note", FactValue::Text(note.clone())).of("events.note"));
                noted = ": {note}";
            }
            let mut event_facts = vec![kind.clone()];
            event_facts.extend(facts.iter().skip(1).cloned());
            // No measure: one dated event, and its fingerprint holds its kind and date, so the
            // same finding at two revisions is the same fact. A count of events would only
            // repeat, on every event's finding, what the new event's own finding already says.
            let recorded = versions
                .iter()
                .find(|(_, s)| {
                    s.front
                        .events
                        .iter()
                        .any(|e| e.date == event.date && e.kind == event.kind)
                })
                .map_or(now_version, |(v, _)| *v);
            findings.push(
                finding(
                    &PARTNER_DISTRESS,
                    current,
                    format!("events:{}:{}", event.kind.as_str(), event.date),
                    "",
                )
                .stating(&format!("the partner {what} on {{date}}{noted}"), facts)
                .severity(severity)
                .at_path(format!("events[{i}]"))
                .evidence(vec![
                    Evidence::dated(event.date, "", None).stating(
                        &format!("event: {{kind}}{noted}"),
                        event_facts,
                        None,
                    ),
                    Evidence::of(recorded, "", None).stating(
                        "recorded {kind} event",
                        vec![kind],
                        None,
                    ),
                ]),
            );
        }
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Movement;
    use crate::signs::testing::{History, evidence, front, run};

    /// The measures of the findings of `rule` on `timeline` at `now`, in order.
    fn measures(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Vec<Measure> {
        run(rule, timeline, now)
            .into_iter()
            .map(|f| f.measure.expect("a measure"))
            .collect()
    }

    #[test]
    fn overdue_partner_items() {
        let body = "## 2024-06-12 Quarterly business review\n- [ ] partner: send revised enablement plan (due 2024-06-30)\n- [ ] partner: name a support lead\n- [ ] ours: share the forecast (due 2024-06-01)\n";
        let timeline = History::new()
            .version("2024-06-12", &(front("") + body))
            .build();
        let findings = run(&PartnerUnresponsive, &timeline, "2024-08-14");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "2 partner action items overdue: \"send revised enablement plan\" (due 2024-06-30, 45 days overdue), \"name a support lead\" (open since 2024-06-12, 63 days)"
        );
        assert_eq!(findings[0].location.line, 10);
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-06-12 c000000 opened: partner: send revised enablement plan",
                "2024-06-12 c000000 opened: partner: name a support lead"
            ]
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "action-items.partner.overdue",
                2.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn more_overdue_items_measure_worse() {
        let with = |more: &str| {
            let body = format!(
                "## 2024-06-12 Review\n- [ ] partner: send revised plan (due 2024-06-30)\n{more}"
            );
            let timeline = History::new()
                .version("2024-06-12", &(front("") + &body))
                .build();
            measures(&PartnerUnresponsive, &timeline, "2024-08-14").remove(0)
        };
        let milder = with("");
        assert_eq!(
            with("- [ ] partner: name a support lead (due 2024-07-15)\n").since(&milder),
            Movement::Worse
        );
        // Our own overdue items and the partner's items not yet due do not count.
        assert_eq!(
            with("- [ ] ours: share the forecast (due 2024-06-01)\n- [ ] partner: train the team (due 2024-09-30)\n")
                .since(&milder),
            Movement::Same
        );
    }

    /// A team's notes over months: the beta customer list is asked for in August and sent,
    /// then asked for again in March; the security questionnaire is carried over, open, from
    /// one review to the next. `asked_again` is the March listing of the beta list.
    fn recurring(language: Language, asked_again: bool) -> Timeline {
        let (list, questionnaire, heading) = match language {
            Language::English => (
                "confirm the beta customer list",
                "send the security questionnaire",
                ["Monthly review", "Monthly review", "Quarterly review"],
            ),
            Language::Chinese => (
                "确认测试版客户名单",
                "发送安全问卷",
                ["月度例会", "月度例会", "季度评审"],
            ),
        };
        let august = format!(
            "## 2025-08-06 {}\nAttendees: Ana Lima, Priya Raman\n\nWe agreed the beta scope.\n\n- [ ] partner: {list} (due 2025-08-20)\n",
            heading[0]
        );
        let august_done = august.replace("- [ ]", "- [x]");
        let september = format!(
            "## 2025-09-03 {}\nAttendees: Ana Lima, Priya Raman\n\nThe beta is live with six customers.\n\n- [ ] partner: {questionnaire} (due 2025-10-15)\n",
            heading[1]
        );
        let march = format!(
            "## 2026-03-04 {}\nAttendees: Ana Lima, Priya Raman\n\nThe general release needs the final list.\n\n{}- [ ] partner: {questionnaire} (due 2025-10-15)\n",
            heading[2],
            if asked_again {
                format!("- [ ] partner: {list} (due 2026-03-18)\n")
            } else {
                String::new()
            }
        );
        History::new()
            .version("2025-08-06", &(front("") + &august))
            .version("2025-08-19", &(front("") + &august_done))
            .version(
                "2025-09-03",
                &(front("") + &august_done + "\n" + &september),
            )
            .version(
                "2026-03-04",
                &(front("") + &august_done + "\n" + &september + "\n" + &march),
            )
            .build()
    }

    #[derive(Clone, Copy)]
    enum Language {
        English,
        Chinese,
    }

    #[test]
    fn an_item_asked_again_after_it_was_checked_is_a_new_item() {
        for language in [Language::English, Language::Chinese] {
            // The list was sent in August; asked again in March, it is due on 2026-03-18 and
            // overdue on 2026-04-01, beside the questionnaire carried over since September.
            let timeline = recurring(language, true);
            let findings = run(&PartnerUnresponsive, &timeline, "2026-04-01");
            assert_eq!(findings.len(), 1, "{findings:#?}");
            assert_eq!(
                findings[0].measure.as_ref().map(|m| m.value),
                Some(2.0),
                "{}",
                findings[0].message
            );
            let opened = evidence(&findings[0]);
            assert_eq!(opened.len(), 2, "{opened:#?}");
            // The questionnaire is one item, opened in September and carried over; the list
            // asked again is opened in March.
            assert!(
                opened[0].starts_with("2025-09-03 c000002 opened"),
                "{opened:#?}"
            );
            assert!(
                opened[1].starts_with("2026-03-04 c000003 opened"),
                "{opened:#?}"
            );
            let items = crate::ledger::changes::action_items(&timeline);
            let open: Vec<&str> = items
                .iter()
                .filter(|i| i.is_open())
                .map(|i| i.text.as_str())
                .collect();
            assert_eq!(open.len(), 2, "{items:#?}");
            // The near miss: the questionnaire alone, listed twice while open, is one item.
            let near = run(
                &PartnerUnresponsive,
                &recurring(language, false),
                "2026-04-01",
            );
            assert_eq!(near.len(), 1, "{near:#?}");
            assert_eq!(near[0].measure.as_ref().map(|m| m.value), Some(1.0));
        }
    }

    #[test]
    fn items_within_time_stay_silent() {
        let body = "## 2024-06-12 Review\n- [ ] partner: send revised plan (due 2024-06-30)\n- [ ] partner: name a lead\n- [x] partner: old item (due 2024-01-01)\n";
        let timeline = History::new()
            .version("2024-06-12", &(front("") + body))
            .build();
        assert!(run(&PartnerUnresponsive, &timeline, "2024-06-30").is_empty());
    }

    #[test]
    fn time_to_close_rising() {
        const TASKS: [&str; 4] = [
            "send the plan",
            "name a support lead",
            "fix billing export",
            "share the roadmap",
        ];
        let body = |done: &[bool]| {
            let mut text = front("") + "## 2024-01-01 Review\n";
            for (task, d) in TASKS.iter().zip(done) {
                text.push_str(&format!(
                    "- [{}] partner: {task}\n",
                    if *d { "x" } else { " " }
                ));
            }
            text
        };
        let timeline = History::new()
            .version("2024-01-01", &body(&[false, false, false, false]))
            .version("2024-01-06", &body(&[true, false, false, false]))
            .version("2024-01-11", &body(&[true, true, false, false]))
            .version("2024-03-01", &body(&[true, true, true, false]))
            .version("2024-04-10", &body(&[true, true, true, true]))
            .build();
        let findings = run(&PartnerUnresponsive, &timeline, "2024-04-11");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "the partner now takes a median 80 days to close its action items, up from 8 days"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "action-items.partner.median_days_to_close",
                80.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn slower_closing_measures_worse() {
        const TASKS: [&str; 4] = [
            "send the plan",
            "name a support lead",
            "fix billing export",
            "share the roadmap",
        ];
        let body = |done: usize| {
            let mut text = front("") + "## 2024-01-01 Review\n";
            for (i, task) in TASKS.iter().enumerate() {
                let mark = if i < done { "x" } else { " " };
                text.push_str(&format!("- [{mark}] partner: {task}\n"));
            }
            text
        };
        // The days each item was closed on, in order.
        let closing = |days: [&str; 4]| {
            let mut history = History::new().version("2024-01-01", &body(0));
            for (i, day) in days.iter().enumerate() {
                history = history.version(day, &body(i + 1));
            }
            measures(&PartnerUnresponsive, &history.build(), "2024-06-01").remove(0)
        };
        let milder = closing(["2024-01-06", "2024-01-11", "2024-03-01", "2024-04-10"]);
        let slower = closing(["2024-01-06", "2024-01-11", "2024-03-01", "2024-05-10"]);
        assert_eq!(slower.since(&milder), Movement::Worse);
        // Faster early closings change the earlier median only.
        let quicker_start = closing(["2024-01-04", "2024-01-09", "2024-03-01", "2024-04-10"]);
        assert_eq!(quicker_start.since(&milder), Movement::Same);
    }

    #[test]
    fn steady_time_to_close_stays_silent() {
        const TASKS: [&str; 4] = [
            "send the plan",
            "name a support lead",
            "fix billing export",
            "share the roadmap",
        ];
        let body = |done: &[bool]| {
            let mut text = front("") + "## 2024-01-01 Review\n";
            for (task, d) in TASKS.iter().zip(done) {
                text.push_str(&format!(
                    "- [{}] partner: {task}\n",
                    if *d { "x" } else { " " }
                ));
            }
            text
        };
        let timeline = History::new()
            .version("2024-01-01", &body(&[false, false, false, false]))
            .version("2024-01-08", &body(&[true, false, false, false]))
            .version("2024-01-12", &body(&[true, true, false, false]))
            .version("2024-01-15", &body(&[true, true, true, false]))
            .version("2024-01-20", &body(&[true, true, true, true]))
            .build();
        assert!(run(&PartnerUnresponsive, &timeline, "2024-01-21").is_empty());
    }

    fn contacts(names: &[(&str, bool)]) -> String {
        let mut text = String::from("contacts:\n");
        for (name, primary) in names {
            text.push_str(&format!(
                "  - {{ name: {name}, side: partner, level: manager, primary: {primary} }}\n"
            ));
        }
        front(&text)
    }

    /// Dana, then Ola leave as primary contacts within four months.
    fn two_departures() -> History {
        History::new()
            .version(
                "2024-01-15",
                &contacts(&[
                    ("Dana Whitfield", true),
                    ("Ola Berg", false),
                    ("Tom Ng", false),
                ]),
            )
            .version(
                "2024-04-02",
                &contacts(&[("Ola Berg", true), ("Tom Ng", false), ("Lee Park", false)]),
            )
            .version(
                "2024-07-20",
                &contacts(&[("Tom Ng", true), ("Lee Park", false), ("Sam Ortiz", false)]),
            )
    }

    #[test]
    fn two_departures_within_the_window() {
        let timeline = two_departures().build();
        let findings = run(&PartnerTurnover, &timeline, "2024-08-01");
        assert_eq!(findings.len(), 2);
        assert_eq!(
            findings[0].message,
            "2 partner contacts left within 180 days: Dana Whitfield (2024-04-02), Ola Berg (2024-07-20)"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-04-02 c000001 Dana Whitfield no longer in contacts",
                "2024-07-20 c000002 Ola Berg no longer in contacts"
            ]
        );
        assert_eq!(
            findings[1].message,
            "the partner's primary contact changed 2 times: Dana Whitfield → Ola Berg (2024-04-02) → Tom Ng (2024-07-20)"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "contacts.partner.departures",
                2.0,
                Worse::Higher
            ))
        );
        assert_eq!(
            findings[1].measure,
            Some(Measure::new(
                "contacts.partner.primary_changes",
                2.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn a_corrected_name_or_a_rename_with_the_same_email_is_no_departure() {
        let team = |dana: &str, ola: &str| {
            front(&format!(
                "contacts:\n  - {{ name: {dana}, side: partner, level: executive, primary: true, email: dana@northwind.example }}\n  - {{ name: {ola}, side: partner, level: manager }}\n  - {{ name: Tom Ng, side: partner, level: staff }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-15", &team("Dana Whitfeld", "Ola Berg"))
            .version("2024-02-01", &team("Dana Whitfield", "Ola Berg"))
            .version("2024-04-02", &team("Dana Whitfield-Ng", "Ola Berg"))
            .build();
        assert_eq!(run(&PartnerTurnover, &timeline, "2024-08-01"), Vec::new());
        // The near miss: Ola (no email) really leaves, and so does Tom.
        let timeline = History::new()
            .version("2024-01-15", &team("Dana Whitfeld", "Ola Berg"))
            .version(
                "2024-04-02",
                &front("contacts:\n  - { name: Dana Whitfield, side: partner, level: executive, primary: true, email: DANA@northwind.example }\n"),
            )
            .build();
        let findings = run(&PartnerTurnover, &timeline, "2024-08-01");
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(
            findings[0].message,
            "2 partner contacts left within 180 days: Ola Berg (2024-04-02), Tom Ng (2024-04-02)"
        );
    }

    #[test]
    fn a_negative_window_counts_no_departures_instead_of_panicking() {
        // A window that ended after its last departure put the group's start past its end.
        let timeline = two_departures()
            .version(
                "2024-10-01",
                &contacts(&[("Lee Park", true), ("Sam Ortiz", false)]),
            )
            .build();
        let mut setup = crate::signs::testing::Setup::default();
        setup.settings.partner_turnover.window_days = -120;
        setup.settings.partner_turnover.min_departures = 1;
        let findings = PartnerTurnover.check(&timeline, &setup.context("2024-11-01"));
        assert_eq!(
            findings[0].message.split(':').next(),
            Some("1 partner contacts left within -120 days")
        );
    }

    #[test]
    fn more_departures_measure_worse() {
        let history = two_departures;
        let milder = measures(&PartnerTurnover, &history().build(), "2024-09-01");
        let more = history()
            .version(
                "2024-08-01",
                &contacts(&[("Lee Park", true), ("Sam Ortiz", false)]),
            )
            .build();
        let more = measures(&PartnerTurnover, &more, "2024-09-01");
        assert_eq!(more[0].value, 3.0);
        assert_eq!(more[0].since(&milder[0]), Movement::Worse);
        assert_eq!(more[1].since(&milder[1]), Movement::Worse);
        // A version that only reorders the same people changes nothing.
        let same = history()
            .version(
                "2024-08-01",
                &contacts(&[("Tom Ng", true), ("Sam Ortiz", false), ("Lee Park", false)]),
            )
            .build();
        let same = measures(&PartnerTurnover, &same, "2024-09-01");
        assert_eq!(same[0].since(&milder[0]), Movement::Same);
        assert_eq!(same[1].since(&milder[1]), Movement::Same);
    }

    #[test]
    fn one_replacement_stays_silent() {
        let timeline = History::new()
            .version(
                "2024-01-15",
                &contacts(&[("Dana Whitfield", true), ("Ola Berg", false)]),
            )
            .version(
                "2024-04-02",
                &contacts(&[("Tom Ng", true), ("Ola Berg", false)]),
            )
            .build();
        assert!(run(&PartnerTurnover, &timeline, "2024-08-01").is_empty());
        // Two departures a year apart are not within 180 days.
        let timeline = History::new()
            .version(
                "2024-01-15",
                &contacts(&[("A", false), ("B", false), ("C", true)]),
            )
            .version("2024-02-01", &contacts(&[("B", false), ("C", true)]))
            .version("2025-02-01", &contacts(&[("C", true)]))
            .build();
        assert!(run(&PartnerTurnover, &timeline, "2025-03-01").is_empty());
    }

    #[test]
    fn distress_events() {
        let text = front(
            "events:\n  - { date: 2024-08-01, kind: layoffs, note: Partner cut 10% of its EU staff }\n  - { date: 2024-09-01, kind: financial-distress }\n  - { date: 2024-09-02, kind: leadership-change }\n  - { date: 2022-01-01, kind: acquisition }\n",
        );
        let timeline = History::new().version("2024-09-03", &text).build();
        let findings = run(&PartnerDistress, &timeline, "2024-09-10");
        assert_eq!(findings.len(), 2);
        assert_eq!(
            findings[0].message,
            "the partner had layoffs on 2024-08-01: Partner cut 10% of its EU staff"
        );
        assert_eq!(findings[1].severity, Severity::Error);
        assert_eq!(
            evidence(&findings[1]),
            vec![
                "2024-09-01 event: financial-distress",
                "2024-09-03 c000000 recorded financial-distress event"
            ]
        );
        // One dated event: nothing to measure.
        assert!(findings.iter().all(|f| f.measure.is_none()));
    }
}

//! Sign 11, communication breaks down: the partner hands you down to a lower level, senior people
//! stop coming, meetings thin out.

use super::{descents, history};
use crate::ledger::model::{Contact, Side};
use crate::ledger::{Date, Ladder, Meeting, Snapshot, Timeline};
use crate::signs::{
    Context, Evidence, Finding, Measure, Rule, RuleInfo, SettingDoc, Severity, Worse, finding,
    median, sign,
};

pub struct ContactDowngrade;
pub struct MeetingCadenceDrop;

static CONTACT_DOWNGRADE: RuleInfo = RuleInfo {
    id: "contact-downgrade",
    sign: sign::COMMUNICATION,
    title: "The partner handed you down to a lower level",
    default_severity: Severity::Warning,
    escalates: true,
    detects: "The partner's lead contact (the `primary` partner contact, else the most senior \
        partner contact on the ladder) drops in rank from one version to the next one \
        descending from it (never from one merged branch to another), and the \
        current lead is still below the earlier rank: one level is a warning, `error_levels` \
        (2) or more an error (executive to manager is two levels). The latest drop is the one reported. \
        Separately, a partner contact at `senior_level` (director) or above, still in \
        `contacts`, who attended an earlier meeting but none of the last `recent_meetings` (3) \
        meetings with an `Attendees:` line.",
    why: "Sign 11: communication breaks down, your contact is handed down to a lower-level \
        manager. When the partner's senior people stop dealing with you, your account has \
        lost priority, and decisions get made further from you.",
    example: "2024-01-15  contacts: [{ name: Dana Whitfield, side: partner, level: executive, primary: true }]\n2024-06-01  contacts: [{ name: Tom Ng, side: partner, level: manager, primary: true }]\n→ error: Dana Whitfield (executive) was replaced as primary contact by Tom Ng (manager): down two levels",
    fix: "Ask the partner's leadership for a sponsor at the level your investment warrants, and set \
        a standing executive review where both sides' leaders attend.",
    settings: &[
        SettingDoc {
            key: "error_levels",
            default: "2",
            meaning: "a drop of this many levels or more is an error",
        },
        SettingDoc {
            key: "senior_level",
            default: "director",
            meaning: "partner contacts at this level or above must keep attending",
        },
        SettingDoc {
            key: "recent_meetings",
            default: "3",
            meaning: "how many latest meetings they must appear in",
        },
    ],
};

/// The partner's lead contact in one version.
#[derive(Clone, Copy, Debug)]
struct Lead<'a> {
    /// Index in `contacts`.
    index: usize,
    contact: &'a Contact,
    name: &'a str,
    level: &'a str,
    /// 0 is the most senior.
    rank: usize,
    primary: bool,
}

fn lead<'a>(s: &'a Snapshot, ladder: &Ladder) -> Option<Lead<'a>> {
    let ranked = |(index, c): (usize, &'a Contact)| {
        let level = c.level.as_deref()?;
        Some(Lead {
            index,
            contact: c,
            name: c.name.as_str(),
            level,
            rank: ladder.rank(level)?,
            primary: c.primary,
        })
    };
    let partner = || {
        s.front
            .contacts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.side == Side::Partner)
    };
    match partner().find(|(_, c)| c.primary) {
        Some(primary) => ranked(primary),
        None => partner()
            .filter_map(ranked)
            .min_by_key(|l| (l.rank, l.index)),
    }
}

fn levels(n: usize) -> String {
    let word = match n {
        1 => "one",
        2 => "two",
        3 => "three",
        4 => "four",
        _ => return format!("{n} levels"),
    };
    format!("{word} level{}", if n == 1 { "" } else { "s" })
}

fn attended(meeting: &Meeting, name: &str) -> bool {
    meeting
        .attendees
        .iter()
        .any(|a| a.trim().eq_ignore_ascii_case(name.trim()))
}

impl Rule for ContactDowngrade {
    fn info(&self) -> &'static RuleInfo {
        &CONTACT_DOWNGRADE
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.contact_downgrade;
        let versions = history(timeline, cx.now);
        let Some(&(_, current)) = versions.last() else {
            return Vec::new();
        };
        let mut findings = Vec::new();

        // Each lead against the lead of the version it descends from, so a branch is never
        // compared with another branch merged beside it.
        let leads = descents(timeline, cx.now, |s| lead(s, cx.ladder));
        let drop = leads.iter().rev().find_map(|(before, after)| {
            let before = before.as_ref()?;
            (after.1.rank > before.1.rank).then_some((before, after))
        });
        let last = versions[versions.len() - 1].0;
        let now_lead = leads
            .iter()
            .rev()
            .find(|(_, (v, _))| std::ptr::eq(*v, last));
        // Compare the lead before the latest drop with the lead now, so a later partial
        // recovery is graded by where things stand.
        if let (Some((&(old_v, ref old), &(new_v, ref new))), Some(&(_, (now_v, ref now)))) =
            (drop, now_lead)
            && now.rank > old.rank
        {
            let n = now.rank - old.rank;
            let role = |lead: &Lead| {
                if lead.primary {
                    "primary contact"
                } else {
                    "most senior partner contact"
                }
            };
            let message = if old.contact.same_person(now.contact) {
                format!(
                    "{} went from {} to {} as {}: down {}",
                    now.name,
                    old.level,
                    now.level,
                    role(now),
                    levels(n)
                )
            } else {
                format!(
                    "{} ({}) was replaced as {} by {} ({}): down {}",
                    old.name,
                    old.level,
                    role(now),
                    now.name,
                    now.level,
                    levels(n)
                )
            };
            let observed = |l: &Lead| format!("{}: {} ({})", role(l), l.name, l.level);
            let mut evidence = vec![
                Evidence::of(old_v, observed(old), Some(old.rank as f64)),
                Evidence::of(new_v, observed(new), Some(new.rank as f64)),
            ];
            if !std::ptr::eq(now_v, new_v)
                && (!now.contact.same_person(new.contact) || now.rank != new.rank)
            {
                evidence.push(Evidence::of(now_v, observed(now), Some(now.rank as f64)));
            }
            findings.push(
                finding(&CONTACT_DOWNGRADE, current, "contact:partner-lead", message)
                    .severity(if n >= set.error_levels.max(1) {
                        Severity::Error
                    } else {
                        Severity::Warning
                    })
                    .at_path(format!("contacts[{}].level", now.index))
                    .evidence(evidence)
                    .measure(Measure::new(
                        "contacts.partner-lead.levels_down",
                        n as f64,
                        Worse::Higher,
                    )),
            );
        }

        let Some(senior) = cx.ladder.rank(&set.senior_level) else {
            return findings;
        };
        let mut meetings: Vec<&Meeting> = current
            .body
            .meetings
            .iter()
            .filter(|m| !m.attendees.is_empty() && m.date <= cx.now)
            .collect();
        meetings.sort_by_key(|m| (m.date, m.line));
        let n = set.recent_meetings.max(1);
        if meetings.len() <= n {
            return findings;
        }
        let (earlier, recent) = meetings.split_at(meetings.len() - n);
        for contact in current
            .front
            .contacts
            .iter()
            .filter(|c| c.side == Side::Partner)
        {
            let Some(rank) = contact.level.as_deref().and_then(|l| cx.ladder.rank(l)) else {
                continue;
            };
            if rank > senior || recent.iter().any(|m| attended(m, &contact.name)) {
                continue;
            }
            let Some(at) = earlier.iter().rposition(|m| attended(m, &contact.name)) else {
                continue;
            };
            let last = earlier[at];
            // Meetings (with an attendance line) held since they last came: not a name, so a
            // redacted contact does not show in the measure.
            let missed = meetings.len() - at - 1;
            let level = contact.level.as_deref().unwrap_or_default();
            let message = format!(
                "{} ({level}) has not attended the last {n} meetings (last attended {})",
                contact.name, last.date
            );
            let mut evidence = vec![Evidence::dated(
                last.date,
                format!("{}: attended", last.title),
                None,
            )];
            evidence.extend(recent.iter().map(|m| {
                Evidence::dated(
                    m.date,
                    format!("{}: {}", m.title, m.attendees.join(", ")),
                    None,
                )
            }));
            let line = recent.last().map_or(1, |m| m.line);
            findings.push(
                finding(
                    &CONTACT_DOWNGRADE,
                    current,
                    format!("attendance:{}", contact.name),
                    message,
                )
                .at_line(line)
                .evidence(evidence)
                .measure(Measure::new(
                    "attendance.meetings_missed",
                    missed as f64,
                    Worse::Higher,
                )),
            );
        }
        findings
    }
}

static MEETING_CADENCE_DROP: RuleInfo = RuleInfo {
    id: "meeting-cadence-drop",
    sign: sign::COMMUNICATION,
    title: "Meetings are thinning out",
    default_severity: Severity::Warning,
    escalates: false,
    detects: "For `onboarding` and `active` partnerships with meetings in the current file (dated \
        on or before now): no meeting for more than `max_silence_days` (90); or the time since \
        the last meeting, or else the gap between the last two meetings, is more than `factor` \
        (2) times the median gap between the meetings before it, which needs at least \
        `min_earlier_meetings` (3) meetings before that gap.",
    why: "Sign 11: communication breaks down. Regular reviews are the governance of a partnership; \
        when they thin out, problems go unraised until they are crises.",
    example: "## 2024-01-10, ## 2024-01-24, ## 2024-02-07, ## 2024-02-21, then nothing (analysed on 2024-04-01)\n→ 40 days since the last meeting on 2024-02-21, 2.9× the usual 14 days between meetings",
    fix: "Put a recurring governance meeting in both sides' calendars, with an agenda (KPIs, SLAs, \
        open items) and leaders from both sides, and record each one in the file.",
    settings: &[
        SettingDoc {
            key: "factor",
            default: "2.0",
            meaning: "the latest gap over this multiple of the usual gap",
        },
        SettingDoc {
            key: "min_earlier_meetings",
            default: "3",
            meaning: "meetings needed before the gap",
        },
        SettingDoc {
            key: "max_silence_days",
            default: "90",
            meaning: "no meeting for longer than this",
        },
    ],
};

fn gaps(dates: &[Date]) -> Vec<f64> {
    dates
        .windows(2)
        .map(|w| w[0].days_until(w[1]) as f64)
        .collect()
}

impl Rule for MeetingCadenceDrop {
    fn info(&self) -> &'static RuleInfo {
        &MEETING_CADENCE_DROP
    }

    fn check(&self, timeline: &Timeline, cx: &Context) -> Vec<Finding> {
        let set = &cx.settings.meeting_cadence_drop;
        let Some(current) = timeline.current() else {
            return Vec::new();
        };
        if !current.front.status.is_live() {
            return Vec::new();
        }
        let mut meetings: Vec<&Meeting> = current
            .body
            .meetings
            .iter()
            .filter(|m| m.date <= cx.now)
            .collect();
        meetings.sort_by_key(|m| (m.date, m.line));
        let mut dates: Vec<Date> = meetings.iter().map(|m| m.date).collect();
        dates.dedup();
        let (Some(&last), Some(last_meeting)) = (dates.last(), meetings.last()) else {
            return Vec::new();
        };
        let silence = last.days_until(cx.now);
        let usual = |dates: &[Date]| -> Option<f64> {
            if dates.len() < set.min_earlier_meetings.max(2) {
                return None;
            }
            median(&mut gaps(dates)).filter(|m| *m > 0.0)
        };
        let evidence = |from: usize| -> Vec<Evidence> {
            meetings[from.min(meetings.len())..]
                .iter()
                .map(|m| Evidence::dated(m.date, format!("meeting: {}", m.title), None))
                .collect()
        };
        let from = meetings.len().saturating_sub(4);
        // With the message, the days of the gap it reports: the silence up to now, or the gap
        // between the last two meetings. Analysed at the same now, a meeting recorded after the
        // last one can only shorten it.
        let found = if silence > set.max_silence_days {
            Some((
                format!("no meeting for {silence} days (the last was on {last})"),
                silence,
            ))
        } else if let Some(median) = usual(&dates).filter(|m| silence as f64 > set.factor * m) {
            Some((
                format!(
                    "{silence} days since the last meeting on {last}, {:.1}× the usual {median:.0} days between meetings",
                    silence as f64 / median
                ),
                silence,
            ))
        } else if dates.len() >= 2 {
            let gap = dates[dates.len() - 2].days_until(last);
            usual(&dates[..dates.len() - 1])
                .filter(|m| gap as f64 > set.factor * m)
                .map(|median| {
                    (
                        format!(
                            "{gap} days between the last two meetings ({} to {last}), {:.1}× the usual {median:.0} days",
                            dates[dates.len() - 2],
                            gap as f64 / median
                        ),
                        gap,
                    )
                })
        } else {
            None
        };
        match found {
            Some((message, days)) => vec![
                finding(&MEETING_CADENCE_DROP, current, "meetings", message)
                    .at_line(last_meeting.line)
                    .evidence(evidence(from))
                    .measure(Measure::new(
                        "meetings.gap_days",
                        days as f64,
                        Worse::Higher,
                    )),
            ],
            None => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signs::Movement;
    use crate::signs::testing::{History, evidence, front, run};

    /// The measure of the only finding of `rule` on `timeline` at `now`.
    fn measure(rule: &dyn Rule, timeline: &Timeline, now: &str) -> Measure {
        let findings = run(rule, timeline, now);
        assert_eq!(findings.len(), 1, "{findings:#?}");
        findings[0].measure.clone().expect("a measure")
    }

    fn primary(name: &str, level: &str) -> String {
        front(&format!(
            "contacts:\n  - {{ name: {name}, side: partner, level: {level}, primary: true }}\n  - {{ name: Ola Berg, side: partner, level: staff }}\n"
        ))
    }

    #[test]
    fn executive_replaced_by_manager_is_an_error() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-06-01", &primary("Tom Ng", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-06-02");
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as primary contact by Tom Ng (manager): down two levels"
        );
        assert_eq!(
            evidence(&findings[0]),
            vec![
                "2024-01-15 c000000 primary contact: Dana Whitfield (executive)",
                "2024-06-01 c000001 primary contact: Tom Ng (manager)"
            ]
        );
        assert_eq!(findings[0].path.as_deref(), Some("contacts[0].level"));
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "contacts.partner-lead.levels_down",
                2.0,
                Worse::Higher
            ))
        );
    }

    #[test]
    fn handed_down_further_measures_worse() {
        let down = |levels: &[&str]| {
            let mut history = History::new();
            for (i, level) in levels.iter().enumerate() {
                let name = ["Dana Whitfield", "Tom Ng", "Lee Park"][i];
                history = history.version(&format!("2024-0{}-01", i + 1), &primary(name, level));
            }
            measure(&ContactDowngrade, &history.build(), "2024-06-02")
        };
        let milder = down(&["executive", "director"]);
        assert_eq!(
            down(&["executive", "manager"]).since(&milder),
            Movement::Worse
        );
        // Down two, then back up one: where things stand is one level down, as before.
        assert_eq!(
            down(&["executive", "manager", "director"]).since(&milder),
            Movement::Same
        );
    }

    #[test]
    fn same_level_replacement_stays_silent() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-06-01", &primary("Tom Ng", "executive"))
            .build();
        assert!(run(&ContactDowngrade, &timeline, "2024-06-02").is_empty());
        // Down and back up again: nothing left to say.
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-03-01", &primary("Tom Ng", "director"))
            .version("2024-06-01", &primary("Lee Park", "executive"))
            .build();
        assert!(run(&ContactDowngrade, &timeline, "2024-06-02").is_empty());
    }

    #[test]
    fn a_partial_recovery_is_graded_by_the_current_lead() {
        let timeline = History::new()
            .version("2024-01-15", &primary("Dana Whitfield", "executive"))
            .version("2024-03-01", &primary("Tom Ng", "manager"))
            .version("2024-06-01", &primary("Lee Park", "director"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-06-02");
        assert_eq!(findings[0].severity, Severity::Warning);
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as primary contact by Lee Park (director): down one level"
        );
        assert_eq!(findings[0].evidence.len(), 3);
        assert_eq!(findings[0].measure.as_ref().map(|m| m.value), Some(1.0));
    }

    fn meetings(attendees: &[&str]) -> String {
        let mut text = front(
            "contacts:\n  - { name: Dana Whitfield, side: partner, level: executive, primary: true }\n  - { name: Tom Ng, side: partner, level: manager }\n",
        );
        for (i, who) in attendees.iter().enumerate() {
            text.push_str(&format!(
                "## 2024-0{}-10 Review\nAttendees: {who}\n\n",
                i + 1
            ));
        }
        text
    }

    #[test]
    fn without_a_primary_the_lead_is_named_the_most_senior_partner_contact() {
        let team = |lead: &str, level: &str| {
            front(&format!(
                "contacts:\n  - {{ name: {lead}, side: partner, level: {level} }}\n  - {{ name: Ola Berg, side: partner, level: staff }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-15", &team("Dana Whitfield", "executive"))
            .version("2024-06-01", &team("Tom Ng", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-01");
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) was replaced as most senior partner contact by Tom Ng (manager): down two levels"
        );
        let said = format!("{} {:?}", findings[0].message, evidence(&findings[0]));
        assert!(!said.contains("primary"), "{said}");
    }

    #[test]
    fn a_renamed_lead_with_the_same_email_is_the_same_person() {
        let lead = |name: &str, level: &str| {
            front(&format!(
                "contacts:\n  - {{ name: {name}, side: partner, level: {level}, primary: true, email: dana@northwind.example }}\n"
            ))
        };
        let timeline = History::new()
            .version("2024-01-15", &lead("Dana Whitfeld", "executive"))
            .version("2024-06-01", &lead("Dana Whitfield", "manager"))
            .build();
        let findings = run(&ContactDowngrade, &timeline, "2024-07-01");
        assert_eq!(
            findings[0].message,
            "Dana Whitfield went from executive to manager as primary contact: down two levels"
        );
    }

    #[test]
    fn senior_contact_stops_attending() {
        let text = meetings(&[
            "Dana Whitfield, Tom Ng",
            "Tom Ng",
            "Tom Ng",
            "Tom Ng, Priya Raman",
        ]);
        let timeline = History::new().version("2024-04-11", &text).build();
        let findings = run(&ContactDowngrade, &timeline, "2024-04-12");
        assert_eq!(findings.len(), 1);
        assert_eq!(
            findings[0].message,
            "Dana Whitfield (executive) has not attended the last 3 meetings (last attended 2024-01-10)"
        );
        assert_eq!(findings[0].evidence.len(), 4);
        assert_eq!(
            findings[0].measure,
            Some(Measure::new(
                "attendance.meetings_missed",
                3.0,
                Worse::Higher
            ))
        );
        let milder = findings[0].measure.clone().expect("a measure");
        let longer = meetings(&[
            "Dana Whitfield, Tom Ng",
            "Tom Ng",
            "Tom Ng",
            "Tom Ng, Priya Raman",
            "Tom Ng",
        ]);
        let timeline = History::new().version("2024-05-11", &longer).build();
        assert_eq!(
            measure(&ContactDowngrade, &timeline, "2024-05-12").since(&milder),
            Movement::Worse
        );
        // A meeting without an attendance line says nothing about who came.
        let unrecorded = text + "## 2024-05-10 Review\nNo attendance taken.\n";
        let timeline = History::new().version("2024-05-11", &unrecorded).build();
        assert_eq!(
            measure(&ContactDowngrade, &timeline, "2024-05-12").since(&milder),
            Movement::Same
        );
        let steady = meetings(&["Dana Whitfield", "Tom Ng", "Tom Ng", "Dana Whitfield"]);
        let timeline = History::new().version("2024-04-11", &steady).build();
        assert!(run(&ContactDowngrade, &timeline, "2024-04-12").is_empty());
    }

    fn cadence(dates: &[&str]) -> String {
        let mut text = front("");
        for d in dates {
            text.push_str(&format!("## {d} Review\nNotes.\n\n"));
        }
        text
    }

    #[test]
    fn silence_after_a_regular_cadence() {
        let text = cadence(&["2024-01-10", "2024-01-24", "2024-02-07", "2024-02-21"]);
        let timeline = History::new().version("2024-02-21", &text).build();
        let findings = run(&MeetingCadenceDrop, &timeline, "2024-04-01");
        assert_eq!(
            findings[0].message,
            "40 days since the last meeting on 2024-02-21, 2.9× the usual 14 days between meetings"
        );
        assert_eq!(evidence(&findings[0]).len(), 4);
        let findings = run(&MeetingCadenceDrop, &timeline, "2024-06-01");
        assert_eq!(
            findings[0].message,
            "no meeting for 101 days (the last was on 2024-02-21)"
        );
        assert_eq!(
            findings[0].measure,
            Some(Measure::new("meetings.gap_days", 101.0, Worse::Higher))
        );
    }

    #[test]
    fn a_longer_gap_measures_worse() {
        let gap = |dates: &[&str]| {
            let text = cadence(dates);
            let timeline = History::new().version("2024-04-10", &text).build();
            measure(&MeetingCadenceDrop, &timeline, "2024-04-12")
        };
        const REGULAR: [&str; 4] = ["2024-01-10", "2024-01-24", "2024-02-07", "2024-02-21"];
        let milder = gap(&[&REGULAR[..], &["2024-03-25"]].concat());
        assert_eq!(milder.value, 33.0);
        let longer = gap(&[&REGULAR[..], &["2024-04-10"]].concat());
        assert_eq!(longer.since(&milder), Movement::Worse);
        // No meeting at all since 2024-02-21 is worse still, at the same date.
        assert_eq!(gap(&REGULAR).since(&longer), Movement::Worse);
        // The same 33 days after a slightly different cadence.
        let other = gap(&[
            "2024-01-09",
            "2024-01-24",
            "2024-02-07",
            "2024-02-21",
            "2024-03-25",
        ]);
        assert_eq!(other.since(&milder), Movement::Same);
    }

    #[test]
    fn a_long_gap_between_the_last_two_meetings() {
        let text = cadence(&[
            "2024-01-10",
            "2024-01-24",
            "2024-02-07",
            "2024-02-21",
            "2024-04-10",
        ]);
        let timeline = History::new().version("2024-04-10", &text).build();
        let findings = run(&MeetingCadenceDrop, &timeline, "2024-04-12");
        assert_eq!(
            findings[0].message,
            "49 days between the last two meetings (2024-02-21 to 2024-04-10), 3.5× the usual 14 days"
        );
    }

    #[test]
    fn regular_meetings_stay_silent() {
        let text = cadence(&[
            "2024-01-10",
            "2024-01-24",
            "2024-02-07",
            "2024-02-21",
            "2024-03-06",
        ]);
        let timeline = History::new().version("2024-03-06", &text).build();
        assert!(run(&MeetingCadenceDrop, &timeline, "2024-04-01").is_empty());
    }
}

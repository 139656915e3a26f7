//! The comment's sections, each a function adding its blocks to the document: the summary,
//! problems, hidden meetings, silenced findings, new and worsened findings, what changed,
//! resolved and settled findings; and the small helpers they share.

use similar::{ChangeTag, TextDiff};

use crate::analysis::review::{FileChange, PartnershipReview, Review, Reviewed, Status};
use crate::ledger::changes::Change;
use crate::ledger::model::Side;
use crate::ledger::{Diagnostic, Meeting};
use crate::numbers::count as grouped;
use crate::report::escape;
use crate::signs::{Acknowledgement, Severity};

use super::budget::{Counted, Doc, Tier};
use super::charts::chart;
use super::{EVIDENCE_KEPT, MARKER};

pub(super) fn summary(doc: &mut Doc, review: &Review) {
    let counts = review.counts();
    let touched = review.partnerships.len();
    let mut text = format!("{MARKER}\n");
    if review.is_quiet() {
        text.push_str("### rapport: all clear\n\n");
        if touched == 0 {
            text.push_str("✅ This change touched no partnership file.\n");
        } else {
            let which = if touched == 1 {
                "the partnership".to_string()
            } else {
                format!("the {} partnerships", grouped(touched))
            };
            text.push_str(&format!(
                "✅ No new or worsened signs in {which} this change touched.\n"
            ));
        }
    } else {
        let mut parts = Vec::new();
        let problems = review.diagnostics.len();
        if problems > 0 {
            parts.push(format!("❌ {}", plural(problems, "problem", "problems")));
        }
        let hidden = review.hidden_meetings().count();
        if hidden > 0 {
            parts.push(format!(
                "❌ {} hidden",
                plural(hidden, "meeting", "meetings")
            ));
        }
        let moved: Vec<String> = [
            Status::Silenced,
            Status::New,
            Status::Worsened,
            Status::Resolved,
            Status::Improved,
        ]
        .into_iter()
        .filter(|&s| counts.of(s) > 0)
        .map(|s| format!("{} {}", grouped(counts.of(s)), s.as_str()))
        .collect();
        if moved.is_empty() {
            parts.push("no new or worsened signs".into());
        } else {
            parts.extend(moved);
        }
        text.push_str(&format!(
            "### rapport: {} in {}\n",
            parts.join(", "),
            plural(touched, "partnership", "partnerships")
        ));
    }
    doc.single(Tier::Summary, None, &[], text);

    let short = |c: &crate::ledger::Commit| {
        escape::code_span(if c.short.is_empty() { &c.id } else { &c.short })
    };
    let mut context = format!(
        "\nCompared {} (merge base of {}, from {}) with {}, analysed as of {}.\n",
        short(&review.merge_base),
        escape::code_span(&review.base.rev),
        escape::code_span(&review.base.source),
        short(&review.head),
        review.now
    );
    if review.config_changed {
        context.push_str(
            "\n`rapport.yaml` changed, so every partnership was analysed again, each side with its own configuration.\n",
        );
    }
    doc.single(Tier::Context, None, &[], context);
}

pub(super) fn problems(doc: &mut Doc, diagnostics: &[Diagnostic]) {
    if diagnostics.is_empty() {
        return;
    }
    let heading = format!(
        "\n#### ❌ {} in changed files\n\nThese must be fixed before merging: an invalid file is not analysed.\n",
        plural(diagnostics.len(), "problem", "problems")
    );
    located(doc, heading, diagnostics);
}

/// Meetings the base read that the change made unread: they fail the gate.
pub(super) fn hidden_meetings(doc: &mut Doc, review: &Review) {
    let hidden: Vec<_> = review.hidden_meetings().collect();
    if hidden.is_empty() {
        return;
    }
    let section = doc.group();
    doc.frame(
        section,
        format!(
            "\n#### ❌ {} hidden by the change\n\nRead as meetings at the merge base, these are swallowed at head by something opened above them and not closed (see the parts not read below).\n",
            plural(hidden.len(), "meeting", "meetings")
        ),
    );
    for (i, (p, h)) in hidden.into_iter().enumerate() {
        let line = format!(
            "{} · {} {} · {}",
            partner(p),
            h.date,
            md(&h.title),
            escape::code_span(&format!("{}:{}", file_of(p), h.line))
        );
        doc.single(
            Tier::Problem,
            Some((Counted::Problem, 1)),
            &[section],
            item(i == 0, &line),
        );
    }
}

/// Parts of the changed files rapport does not read: not a reason to block, but the reviewer
/// should know they count for nothing.
pub(super) fn not_read(doc: &mut Doc, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    let heading = format!(
        "\n#### ⚠️ {} of changed files not read\n\nrapport does not read these as written: they count for nothing until rewritten as the help says.\n",
        plural(warnings.len(), "part", "parts")
    );
    located(doc, heading, warnings);
}

pub(super) fn located(doc: &mut Doc, heading: String, diagnostics: &[Diagnostic]) {
    let section = doc.group();
    doc.frame(section, heading);
    for (i, d) in diagnostics.iter().enumerate() {
        let position = match d.line {
            0 => d.file.clone(),
            line => format!("{}:{line}", d.file),
        };
        let mut line = format!(
            "{} {}: {}",
            escape::code_span(&position),
            escape::code_span(d.code),
            md(&d.message)
        );
        if let Some(source) = d.source_line.as_deref().filter(|s| !s.trim().is_empty()) {
            line.push_str(&format!(" in {}", escape::code_span(source.trim())));
        }
        if let Some(help) = &d.help {
            line.push_str(&format!(" · help: {}", md(help)));
        }
        doc.single(
            Tier::Problem,
            Some((Counted::Problem, 1)),
            &[section],
            item(i == 0, &line),
        );
    }
}

/// Findings the change hid by changing `rapport.yaml`, first and in full: a rule switched off
/// is never shown as good news. Each with the settings that did it.
pub(super) fn silenced(doc: &mut Doc, review: &Review) {
    if review.counts().silenced == 0 {
        return;
    }
    let section = doc.group();
    let mut heading = "\n#### ⚠️ Silenced by the change to `rapport.yaml`\n\n\
        The ledger at head still shows these as the base's configuration judges them; the change \
        hides them by changing the configuration, not by changing the partnership.\n"
        .to_string();
    for (i, change) in review.config_changes.iter().enumerate() {
        heading.push_str(&item(i == 0, &config_change(change)));
    }
    doc.frame(section, heading);
    for p in &review.partnerships {
        let group = doc.group();
        doc.frame(
            group,
            format!("\n{} · {}\n", partner(p), escape::code_span(file_of(p))),
        );
        for reviewed in p.findings.iter().filter(|r| r.status == Status::Silenced) {
            finding(doc, p, reviewed, &[section, group]);
        }
    }
}

/// `` `rules.payment-terms-slip.enabled`: true → false (`rapport.yaml` line 4) ``: one setting
/// the change replaced.
pub(super) fn config_change(change: &crate::analysis::reconfigured::ConfigChange) -> String {
    let at = change
        .line
        .map(|l| format!(" (`rapport.yaml` line {l})"))
        .unwrap_or_default();
    // The values can hold text the file controls (vocabulary, globs): escaped, not code spans.
    format!(
        "{}: {} → {}{at}",
        escape::code_span(&change.key),
        md(&change.before),
        md(&change.after)
    )
}

pub(super) fn new_and_worsened(doc: &mut Doc, review: &Review) {
    let section = doc.group();
    doc.frame(section, "\n#### New and worsened\n".into());
    for p in &review.partnerships {
        let group = doc.group();
        doc.frame(
            group,
            format!("\n{} · {}\n", partner(p), escape::code_span(file_of(p))),
        );
        for reviewed in p
            .findings
            .iter()
            .filter(|r| matches!(r.status, Status::New | Status::Worsened))
        {
            finding(doc, p, reviewed, &[section, group]);
        }
    }
}

pub(super) fn finding(doc: &mut Doc, p: &PartnershipReview, reviewed: &Reviewed, groups: &[usize]) {
    let f = &reviewed.finding;
    let sign = if f.sign.number > 0 {
        format!("sign {}: {}", f.sign.number, md(f.sign.name))
    } else {
        md(f.sign.name)
    };
    let mut head = format!(
        "\n{} · {} · {} · **{}** · line {}\n\n{}\n",
        badge(f.severity),
        escape::code_span(f.rule),
        sign,
        reviewed.status.as_str(),
        f.location.line,
        md(&f.message)
    );
    if reviewed.status == Status::Worsened
        && let Some(before) = &reviewed.before
    {
        head.push_str(&format!(
            "\n_was: {} ({})_\n",
            md(&before.message),
            before.severity
        ));
    }
    if reviewed.status == Status::Silenced {
        let by: Vec<String> = reviewed.silenced_by.iter().map(config_change).collect();
        if !by.is_empty() {
            head.push_str(&format!("\n_Silenced by {}_\n", by.join("; ")));
        }
    }
    let evidence: Vec<String> = f
        .evidence
        .iter()
        .map(|e| {
            let commit = e
                .commit
                .as_deref()
                .map(|c| format!(" · {}", escape::code_span(c)))
                .unwrap_or_default();
            format!("- {}{commit} · {}\n", e.date, md(&e.observed))
        })
        .collect();
    if !evidence.is_empty() {
        head.push('\n');
    }
    for line in evidence.iter().take(EVIDENCE_KEPT) {
        head.push_str(line);
    }
    let unit = doc.unit(Tier::Finding, Some((Counted::Finding, 1)), groups);
    doc.add(unit, head);
    if evidence.len() > EVIDENCE_KEPT {
        let rest = &evidence[EVIDENCE_KEPT..];
        doc.single(
            Tier::Evidence,
            Some((Counted::Evidence, rest.len())),
            groups,
            rest.concat(),
        );
    }
    if !f.remedy.is_empty() {
        doc.add(unit, format!("\n_Fix: {}_\n", md(f.remedy)));
    }
    if let Some(chart) = chart(&p.name, f) {
        doc.single(Tier::Chart, Some((Counted::Chart, 1)), groups, chart);
    }
}

/// Per touched partnership: how its file changed, its field changes and the meetings added.
pub(super) fn what_changed(doc: &mut Doc, review: &Review, groups: &[usize]) {
    for p in &review.partnerships {
        let mut line = format!(
            "\n{} · {} · {}",
            partner(p),
            escape::code_span(file_of(p)),
            file_change(p)
        );
        let tally = tally(p);
        if !tally.is_empty() {
            line.push_str(&format!(" · {tally}"));
        }
        line.push('\n');
        doc.single(Tier::Touched, Some((Counted::Touched, 1)), groups, line);
        for change in &p.changes {
            if let Some(text) = change_line(p, change) {
                doc.single(
                    Tier::Changes,
                    Some((Counted::Change, 1)),
                    groups,
                    format!("- {text}\n"),
                );
            }
        }
        if p.changes_omitted > 0 {
            doc.single(
                Tier::Changes,
                None,
                groups,
                format!("- and {} more field changes\n", grouped(p.changes_omitted)),
            );
        }
        for meeting in &p.meetings {
            doc.single(
                Tier::Changes,
                Some((Counted::Change, 1)),
                groups,
                format!(
                    "- meeting added: **{}** {} (line {})\n",
                    meeting.date,
                    md(&meeting.title),
                    meeting.line
                ),
            );
            if let Some(body) = meeting_body(meeting) {
                doc.single(Tier::MeetingBody, Some((Counted::Meeting, 1)), groups, body);
            }
        }
    }
}

/// The attendees and action items of an added meeting, as a list nested under its line.
pub(super) fn meeting_body(meeting: &Meeting) -> Option<String> {
    let mut out = String::new();
    if !meeting.attendees.is_empty() {
        let names: Vec<String> = meeting.attendees.iter().map(|a| md(a)).collect();
        out.push_str(&format!("  - attendees: {}\n", names.join(", ")));
    }
    for item in &meeting.items {
        let due = item.due.map(|d| format!(" (due {d})")).unwrap_or_default();
        out.push_str(&format!(
            "  - {} {}{}{due}\n",
            if item.done { "☑" } else { "☐" },
            owner(item.owner),
            md(&item.text)
        ));
    }
    (!out.is_empty()).then_some(out)
}

/// One field-level change as list item text; `None` for what is shown elsewhere (the move in
/// the file line, added meetings with their sections).
pub(super) fn change_line(p: &PartnershipReview, change: &Change) -> Option<String> {
    let in_added_meeting = |text: &str, owner: Option<Side>| {
        p.meetings
            .iter()
            .any(|m| m.items.iter().any(|i| i.text == text && i.owner == owner))
    };
    let level = |level: &Option<String>| level.as_deref().map_or("no level".into(), md);
    Some(match change {
        Change::Created | Change::Moved { .. } => return None,
        Change::Field { path, from, to } => {
            let path = escape::code_span(path);
            match (from, to) {
                (Some(from), Some(to)) => format!(
                    "{path}: {} → {}",
                    escape::code_span(from),
                    escape::code_span(to)
                ),
                (None, Some(to)) => format!("{path} added: {}", escape::code_span(to)),
                (Some(from), None) => format!("{path} removed (was {})", escape::code_span(from)),
                (None, None) => format!("{path} changed"),
            }
        }
        Change::ContactAdded {
            name,
            side,
            level: l,
        } => format!(
            "{} contact added: **{}** ({})",
            side_name(*side),
            md(name),
            level(l)
        ),
        Change::ContactRemoved {
            name,
            side,
            level: l,
        } => format!(
            "{} contact removed: **{}** ({})",
            side_name(*side),
            md(name),
            level(l)
        ),
        Change::ContactLevelChanged {
            name,
            side,
            from,
            to,
        } => format!(
            "{} contact **{}**: {} → {}",
            side_name(*side),
            md(name),
            level(from),
            level(to)
        ),
        Change::ScopeAdded { id, summary } => {
            format!("scope {} added: {}", escape::code_span(id), md(summary))
        }
        Change::ScopeRemoved { id, summary } => {
            format!("scope {} removed: {}", escape::code_span(id), md(summary))
        }
        Change::ScopeReworded { id, from, to, .. } => format!(
            "scope {} reworded: {}",
            escape::code_span(id),
            word_diff(from, to)
        ),
        Change::MeetingAdded { date, title } => {
            if p.meetings
                .iter()
                .any(|m| m.date == *date && &m.title == title)
            {
                return None;
            }
            format!("meeting added: **{date}** {}", md(title))
        }
        Change::MeetingRemoved { date, title } => {
            format!("meeting removed: **{date}** {}", md(title))
        }
        Change::ItemOpened {
            text,
            owner: o,
            due,
        } => {
            if in_added_meeting(text, *o) {
                return None;
            }
            let due = due.map(|d| format!(" (due {d})")).unwrap_or_default();
            format!("action item opened: {}{}{due}", owner(*o), md(text))
        }
        Change::ItemChecked { text, owner: o } => {
            format!("action item done: {}{}", owner(*o), md(text))
        }
        Change::ItemUnchecked { text, owner: o } => {
            format!("action item reopened: {}{}", owner(*o), md(text))
        }
        Change::ItemRemoved { text, owner: o } => {
            format!("action item removed: {}{}", owner(*o), md(text))
        }
    })
}

/// A reworded text as runs of ~~removed~~ and **added** words, each run escaped.
pub(super) fn word_diff(from: &str, to: &str) -> String {
    // A diff's cost grows with the product of the lengths: texts longer than any summary is
    // written are shown whole, removed then added.
    if from.len() + to.len() > 8_000 {
        return format!("~~{}~~ **{}**", md(from.trim()), md(to.trim()));
    }
    let diff = TextDiff::from_words(from, to);
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, text)) if *tag == change.tag() => text.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_string())),
        }
    }
    let mut out = String::new();
    for (tag, text) in &runs {
        let core = text.trim();
        let (lead, trail) = (
            text.starts_with(char::is_whitespace),
            text.ends_with(char::is_whitespace),
        );
        if lead || (tag != &ChangeTag::Equal && !out.is_empty()) {
            out.push(' ');
        }
        if !core.is_empty() {
            match tag {
                ChangeTag::Equal => out.push_str(&md(core)),
                ChangeTag::Delete => out.push_str(&format!("~~{}~~", md(core))),
                ChangeTag::Insert => out.push_str(&format!("**{}**", md(core))),
            }
        }
        if trail {
            out.push(' ');
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.trim().chars() {
        if !(c == ' ' && collapsed.ends_with(' ')) {
            collapsed.push(c);
        }
    }
    collapsed
}

pub(super) fn resolved(doc: &mut Doc, review: &Review) {
    let section = doc.group();
    doc.frame(section, "\n#### Resolved\n".into());
    let resolved = review
        .findings()
        .filter(|(_, r)| r.status == Status::Resolved);
    for (i, (p, r)) in resolved.enumerate() {
        let line = format!(
            "✅ {} · {} · {}",
            escape::code_span(r.finding.rule),
            md(&r.finding.message),
            partner(p)
        );
        doc.single(
            Tier::Resolved,
            Some((Counted::Resolved, 1)),
            &[section],
            item(i == 0, &line),
        );
    }
}

pub(super) fn is_settled(status: Status) -> bool {
    matches!(
        status,
        Status::Improved | Status::Acknowledged | Status::Unchanged
    )
}

/// Improved, acknowledged and unchanged findings, one line each.
pub(super) fn settled(doc: &mut Doc, review: &Review, groups: &[usize]) {
    let mut first = true;
    for status in [Status::Improved, Status::Acknowledged, Status::Unchanged] {
        let counted = match status {
            Status::Improved => Counted::Improved,
            Status::Acknowledged => Counted::Acknowledged,
            _ => Counted::Unchanged,
        };
        for (p, r) in review.findings().filter(|(_, r)| r.status == status) {
            let f = &r.finding;
            let mut line = format!(
                "{} · {} · {} · {}",
                status.as_str(),
                escape::code_span(f.rule),
                md(&f.message),
                partner(p)
            );
            if status == Status::Improved
                && let Some(before) = &r.before
            {
                line.push_str(&format!(
                    " · was: {} ({})",
                    md(&before.message),
                    before.severity
                ));
            }
            if let Acknowledgement::Acknowledged { reason, until } = &f.acknowledgement {
                line.push_str(&format!(" · reason: {}", md(reason)));
                if let Some(until) = until {
                    line.push_str(&format!(" (until {until})"));
                }
            }
            doc.single(
                Tier::Settled,
                Some((counted, 1)),
                groups,
                item(first, &line),
            );
            first = false;
        }
    }
}

/// A list item; the first of a list starts after a blank line. Within a tier units go last
/// first, so a list's first item is the last of it to go and the blank line stays with the list.
pub(super) fn item(first: bool, text: &str) -> String {
    let blank = if first { "\n" } else { "" };
    format!("{blank}- {text}\n")
}

/// `**Partner name** (`id`)`.
pub(super) fn partner(p: &PartnershipReview) -> String {
    format!("**{}** ({})", md(&p.name), escape::code_span(&p.id))
}

pub(super) fn file_of(p: &PartnershipReview) -> &str {
    p.path
        .as_deref()
        .or(p.base_path.as_deref())
        .unwrap_or(p.id.as_str())
}

pub(super) fn file_change(p: &PartnershipReview) -> String {
    let what = match p.file {
        FileChange::Added => "added".to_string(),
        FileChange::Modified => "modified".to_string(),
        FileChange::Moved => match &p.base_path {
            Some(from) => format!("moved from {}", escape::code_span(from)),
            None => "moved".to_string(),
        },
        FileChange::Removed => "removed".to_string(),
        FileChange::Reconfigured => {
            "file unchanged, analysed again with the changed configuration".to_string()
        }
        FileChange::Unread => {
            "file unchanged, no longer read: the changed configuration leaves it out".to_string()
        }
    };
    if p.valid {
        what
    } else {
        format!("{what}, **invalid**: not analysed until the problems above are fixed")
    }
}

/// How many of the partnership's findings have each status, such as `1 new, 2 unchanged`.
pub(super) fn tally(p: &PartnershipReview) -> String {
    Status::ALL
        .iter()
        .map(|&s| (s, p.findings.iter().filter(|r| r.status == s).count()))
        .filter(|&(_, n)| n > 0)
        .map(|(s, n)| format!("{} {}", grouped(n), s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn badge(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "🔴 **error**",
        Severity::Warning => "🟠 **warning**",
        Severity::Info => "🔵 **info**",
    }
}

pub(super) fn side_name(side: Side) -> &'static str {
    match side {
        Side::Partner => "partner",
        Side::Ours => "our",
    }
}

pub(super) fn owner(owner: Option<Side>) -> &'static str {
    match owner {
        Some(Side::Partner) => "partner: ",
        Some(Side::Ours) => "ours: ",
        None => "",
    }
}

/// Inline Markdown text from a ledger file or git, trimmed so emphasis around it closes.
pub(super) fn md(text: &str) -> String {
    escape::markdown(text).trim().to_string()
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", grouped(n), if n == 1 { one } else { many })
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

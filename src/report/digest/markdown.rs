//! The digest as an issue body: the marker line (so a scheduled job finds its own issue), the
//! summary line, then a section per owner, worst first. Ledger text and commit messages pass
//! through [`escape`]; the only mentions are `notify:` handles. Kept under a size limit by
//! cutting the least important parts first (charts and commit lists, then findings that got
//! better, then the last partnerships), saying so. A new or worsened finding with a numeric
//! series behind it (payment days, a KPI against its target) gets a Mermaid chart, as in the
//! pull-request report.

use crate::analysis::digest::{Digest, Entry};
use crate::analysis::review::Status;
use crate::report::escape;
use crate::report::text::plural;
use crate::signs::Finding;

/// The first line of every digest: how the scheduled job finds its issue.
pub const MARKER: &str = "<!-- rapport-digest -->";

/// The largest body GitHub takes is 65,536 characters; this leaves room for the job's footer.
pub const LIMIT: usize = 65_000;

/// How much is left out, least important first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detail {
    Full,
    NoCommits,
    OnlyWorse,
}

pub fn render(digest: &Digest, limit: usize) -> String {
    for detail in [Detail::Full, Detail::NoCommits, Detail::OnlyWorse] {
        let out = render_with(digest, detail, digest.entries.len());
        if out.chars().count() <= limit {
            return out;
        }
    }
    // The last partnerships are the least urgent: drop them until the rest fits.
    let (mut low, mut high) = (0, digest.entries.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        if render_with(digest, Detail::OnlyWorse, mid).chars().count() <= limit {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let out = render_with(digest, Detail::OnlyWorse, low);
    if out.chars().count() <= limit {
        return out;
    }
    // Not even the summary fits: the marker and the summary line alone.
    let head: String = out.lines().take(2).collect::<Vec<_>>().join("\n");
    head.chars().take(limit).collect()
}

fn render_with(digest: &Digest, detail: Detail, shown: usize) -> String {
    let mut out = format!("{MARKER}\n");
    let period = super::period(digest);
    if digest.is_quiet() {
        out.push_str(&format!(
            "### rapport digest {period}: quiet, {}.\n",
            super::summary(digest)
        ));
        return out;
    }
    out.push_str(&format!(
        "### rapport digest {period}: {}\n",
        super::summary(digest)
    ));
    let mut left = shown;
    for group in digest.by_owner() {
        if left == 0 {
            break;
        }
        out.push_str(&format!(
            "\n#### {}",
            escape::markdown(super::owner_label(group.owner))
        ));
        if let Some(login) = digest
            .owner_handles(group.owner)
            .and_then(|h| h.github_login())
        {
            out.push_str(&format!(" (@{login})"));
        }
        out.push('\n');
        for entry in group.entries.iter().take(left) {
            write_entry(&mut out, digest, entry, detail);
            left -= 1;
        }
    }
    let hidden = digest.entries.len() - shown;
    if hidden > 0 || detail != Detail::Full {
        out.push_str("\n---\n<sub>");
        if hidden > 0 {
            out.push_str(&format!(
                "{hidden} more partnership{} not shown. ",
                plural(hidden)
            ));
        }
        if detail >= Detail::NoCommits {
            out.push_str("Charts and commit lists left out. ");
        }
        if detail >= Detail::OnlyWorse {
            out.push_str("Findings that got better left out. ");
        }
        out.push_str(&format!(
            "The whole digest: `rapport digest --since {} --until {}`.</sub>\n",
            digest.since.date, digest.until.date
        ));
    }
    out
}

fn write_entry(out: &mut String, digest: &Digest, entry: &Entry, detail: Detail) {
    out.push_str(&format!(
        "\n**{}** · {}",
        escape::markdown(&entry.partner),
        escape::code_span(&entry.file)
    ));
    let others: Vec<String> = digest
        .handles(entry)
        .into_iter()
        .filter(|(name, _)| *name != entry.owner)
        .filter_map(|(_, h)| h.github_login().map(|l| format!("@{l}")))
        .collect();
    if !others.is_empty() {
        out.push_str(&format!(" · cc {}", others.join(" ")));
    }
    out.push_str("\n\n");
    if !entry.valid {
        out.push_str("- ⛔ **broken**: the file no longer parses; `rapport check` shows where\n");
    }
    let mut left_out = 0;
    for reviewed in &entry.findings {
        let better = matches!(reviewed.status, Status::Resolved | Status::Improved);
        if detail >= Detail::OnlyWorse && better {
            left_out += 1;
            continue;
        }
        let f = &reviewed.finding;
        out.push_str(&format!(
            "- {} **{}** {} `{}`: {}\n",
            icon(reviewed.status),
            reviewed.status.as_str(),
            f.severity.as_str(),
            f.rule,
            escape::markdown(&f.message)
        ));
        let worse = matches!(reviewed.status, Status::New | Status::Worsened);
        if detail == Detail::Full
            && worse
            && let Some(chart) = chart(&entry.partner, f)
        {
            out.push_str(&chart);
        }
    }
    if left_out > 0 {
        out.push_str(&format!(
            "- and {left_out} finding{} that got better\n",
            plural(left_out)
        ));
    }
    for alert in &entry.alerts {
        out.push_str(&format!("- ⏰ {}\n", super::alert_text(alert)));
    }
    if detail == Detail::Full && !entry.commits.is_empty() {
        let n = entry.commits.len();
        out.push_str(&format!(
            "\n<details><summary>{n} commit{} this period</summary>\n\n",
            plural(n)
        ));
        for commit in &entry.commits {
            out.push_str(&format!(
                "- `{}` {} {}\n",
                commit.short,
                commit.date,
                escape::markdown(&commit.summary)
            ));
        }
        out.push_str("\n</details>\n");
    }
}

/// The report's Mermaid chart of the finding's numbers over time (see
/// [`crate::report::markdown::chart`]), indented to sit in its list item.
fn chart(partner: &str, f: &Finding) -> Option<String> {
    let chart = crate::report::markdown::chart(partner, f)?;
    let mut out: String = chart
        .lines()
        .map(|line| {
            if line.is_empty() {
                "\n".to_string()
            } else {
                format!("  {line}\n")
            }
        })
        .collect();
    out.push('\n');
    Some(out)
}

fn icon(status: Status) -> &'static str {
    match status {
        Status::New => "🆕",
        Status::Worsened => "🔻",
        Status::Resolved => "✅",
        Status::Improved => "🔺",
        Status::Acknowledged => "📝",
        _ => "•",
    }
}

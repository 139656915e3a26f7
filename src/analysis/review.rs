//! The diff-aware review: what a change (from `merge-base(base, head)` to `head`) did to each
//! partnership it touched. Both sides are analysed at the same "now", the head's (its commit
//! date, unless that contradicts the graph or the clock), so time passing alone is never a
//! change; findings are matched by fingerprint and classified as new, worsened, improved,
//! unchanged, resolved or acknowledged. Only the touched partnerships are read, each through
//! its own file's history.

use std::collections::HashMap;

use super::compare::{Reading, classify};
use super::reconfigured::{self, ConfigChange};
use super::redact;
use super::{LedgerRoot, config_at, reopen_for, run_rules};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::history::{self, CommitId, Compared, LedgerRepo, Progress, Touched};
use crate::ledger::changes::{Change, changes};
use crate::ledger::load;
use crate::ledger::{Content, Date, Meeting};
use crate::signs::{Finding, Fingerprint};

mod types;

pub use types::{
    Before, CHANGES_LISTED, Counts, FileChange, Gate, PartnershipReview, Review, ReviewRequest,
    Reviewed, Status,
};

/// Compares the ledger at `merge-base(base, head)` with the ledger at `head`.
pub fn review(request: &ReviewRequest<'_>) -> Result<Review> {
    let ledger = request.ledger;
    history::read_lightly();
    let repo = LedgerRepo::open_selecting(&ledger.root, &ledger.config.selection())?;
    let (head_id, head_info) = {
        let head = repo.resolve(&request.head)?;
        (head.id(), crate::history::shared_info(&head))
    };
    let base_id = repo.resolve(&request.base.rev)?.id();
    let merge_base = repo
        .merge_base(base_id, head_id)?
        .ok_or_else(|| Error::NoMergeBase {
            base: request.base.rev.clone(),
            head: request.head.clone(),
        })?;
    let merge_base_info = repo.commit_info(merge_base)?;
    let head_config = config_at(&repo, head_id)?;
    // A configuration the merge base cannot read is no reason to refuse the change fixing it:
    // the base is then judged with the head's.
    let base_config = config_at(&repo, merge_base).unwrap_or_else(|_| head_config.clone());
    let config_changed = base_config != head_config;
    let config_changes = if config_changed {
        let text = match repo.file_at(
            &repo.commit(head_id)?,
            crate::config::FILE_NAME,
            crate::config::LIMIT,
        )? {
            Some(Ok(bytes)) => String::from_utf8(bytes).ok(),
            _ => None,
        };
        reconfigured::differences(&base_config, &head_config, text.as_deref())
    } else {
        Vec::new()
    };
    let repo = reopen_for(ledger, repo, &head_config)?;
    // A ledger whose folder is gone (or a submodule) at head has nothing to report on; a change
    // that touches no partnership file is quiet.
    super::root::refuse_unreadable_at(
        ledger,
        &repo,
        &head_config,
        &repo.commit(head_id)?,
        &request.head,
    )?;

    let changed = history::touched(&repo, merge_base, head_id)?;
    let changed_paths: std::collections::HashSet<String> = changed
        .iter()
        .flat_map(|t| [t.before.clone(), t.after.clone()])
        .flatten()
        .collect();
    let touched = if config_changed {
        every_file(&repo, changed, head_id)?
    } else {
        changed
    };
    let follow: Vec<String> = touched
        .iter()
        .filter_map(|t| t.after.clone().or_else(|| t.before.clone()))
        .collect();
    let history::Comparison {
        now,
        partnerships: compared,
        warnings,
    } = history::compare(
        &repo,
        head_id,
        merge_base,
        &follow,
        &head_config.ladder,
        request.progress,
    )?;
    // Only the touched files are read and validated at head; their text at each side points
    // findings at lines.
    let head_files = read_files(
        &repo,
        head_id,
        touched.iter().filter_map(|t| t.after.as_deref()),
    )?;
    let base_files = read_files(
        &repo,
        merge_base,
        touched.iter().filter_map(|t| t.before.as_deref()),
    )?;
    let state = load::load(&head_files.0, &head_config.ladder);
    let unknown = super::unknown_acknowledged_rules(&state);
    let file_warnings = state.warnings;
    let mut diagnostics = state.diagnostics;
    diagnostics.extend(head_files.1);
    diagnostics.extend(unknown);
    diagnostics.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    let texts = |files: &[(String, Vec<u8>)]| -> HashMap<String, String> {
        files
            .iter()
            .filter_map(|(p, b)| Some((p.clone(), String::from_utf8(b.clone()).ok()?)))
            .collect()
    };
    let (head_texts, base_texts) = (texts(&head_files.0), texts(&base_files.0));

    let mut partnerships = Vec::new();
    for pair in &compared {
        let sides = Sides {
            head: Side {
                config: &head_config,
                texts: &head_texts,
            },
            base: Side {
                config: &base_config,
                texts: &base_texts,
            },
            now,
            changed: &changed_paths,
            config_changes: &config_changes,
        };
        if let Some(reviewed) = review_one(pair, &sides) {
            partnerships.push(reviewed);
        }
    }
    if config_changed {
        partnerships.extend(no_longer_read(
            ledger,
            (&base_config, &head_config),
            (merge_base, head_id),
            now,
            &config_changes,
            request.progress,
        )?);
    }
    partnerships.sort_by_key(|p| {
        let worst = p
            .findings
            .iter()
            .filter(|r| matches!(r.status, Status::Silenced | Status::New | Status::Worsened))
            .map(|r| r.finding.severity)
            .max();
        (std::cmp::Reverse(worst), p.valid, p.id.clone())
    });
    Ok(Review {
        base: request.base.clone(),
        head_rev: request.head.clone(),
        merge_base: merge_base_info,
        head: head_info,
        now,
        config_changed,
        config_changes,
        partnerships,
        diagnostics,
        file_warnings,
        warnings,
        prefix: {
            let prefix = repo.prefix().to_string();
            // Freeing the repository's caches takes longer than the command has left to live;
            // the system reclaims them at exit.
            std::mem::forget(repo);
            prefix
        },
    })
}

/// One side of the comparison: its configuration and the text of its touched files.
struct Side<'a> {
    config: &'a Config,
    texts: &'a HashMap<String, String>,
}

struct Sides<'a> {
    head: Side<'a>,
    base: Side<'a>,
    now: Date,
    /// The paths (at either side) of the files the change touched.
    changed: &'a std::collections::HashSet<String>,
    /// The settings the change replaced (empty when it left the configuration alone).
    config_changes: &'a [ConfigChange],
}

fn review_one(pair: &Compared, sides: &Sides<'_>) -> Option<PartnershipReview> {
    let (head, base) = (&pair.head, &pair.base);
    let head_last = head.last()?;
    let removed = matches!(head_last.content, Content::Removed);
    let valid = removed || head.current().is_some();
    let base_present = base.is_present();
    let path = (!removed).then(|| head_last.path.clone());
    let base_path = base_present
        .then(|| base.last().map(|v| v.path.clone()))
        .flatten();
    let file = match (&base_path, &path) {
        (None, _) => FileChange::Added,
        (Some(_), None) => FileChange::Removed,
        (Some(before), Some(after)) if before != after => FileChange::Moved,
        (_, Some(after)) if !sides.changed.contains(after) => FileChange::Reconfigured,
        _ => FileChange::Modified,
    };
    let (head_texts, base_texts) = (sides.head.texts, sides.base.texts);
    let at_head = if valid {
        run_rules(
            std::slice::from_ref(head),
            sides.head.config,
            sides.now,
            &|file: &str| head_texts.get(file).cloned(),
        )
    } else {
        Vec::new()
    };
    let mut at_base = run_rules(
        std::slice::from_ref(base),
        sides.base.config,
        sides.now,
        &|file: &str| base_texts.get(file).cloned(),
    );
    // One partnership on both sides, whatever its file was called at the merge base: a file
    // renamed without an explicit `id` changes its default id, not its findings.
    for finding in &mut at_base {
        if finding.location.partnership != pair.id {
            finding.location.partnership.clone_from(&pair.id);
            finding.fingerprint = Fingerprint::new(finding.rule, &pair.id, &finding.subject);
        }
    }
    // With another configuration at head, the head's ledger is also judged as the merge base
    // judged its own: what that finds and the head does not, the configuration silenced.
    let judged_as_before = (valid && sides.head.config != sides.base.config).then(|| {
        run_rules(
            std::slice::from_ref(head),
            sides.base.config,
            sides.now,
            &|file: &str| head_texts.get(file).cloned(),
        )
    });
    let mut findings = if valid {
        classify(
            &at_head,
            &at_base,
            judged_as_before.as_deref(),
            Reading::Gate,
        )
    } else {
        Vec::new()
    };
    for reviewed in &mut findings {
        if reviewed.status == Status::Silenced {
            reviewed.silenced_by =
                reconfigured::affecting(sides.config_changes, reviewed.finding.rule);
        }
    }
    // A file only the configuration touched is shown when its findings moved.
    if file == FileChange::Reconfigured && findings.iter().all(|r| r.status == Status::Unchanged) {
        return None;
    }
    // Classified on the real values; only then masked, with what either side redacts. The
    // merge base's message and measure are masked as the finding they were.
    let fields: Vec<String> = sides
        .head
        .config
        .redact
        .iter()
        .chain(&sides.base.config.redact)
        .cloned()
        .collect();
    let timelines = [head.clone(), base.clone()];
    redact_reviewed(&mut findings, &timelines, &fields);

    let (before_snapshot, after_snapshot) = (base.current(), head.current());
    let mut changes = match (before_snapshot, after_snapshot) {
        (_, Some(after)) => changes(before_snapshot, after),
        _ => Vec::new(),
    };
    changes.retain(|c| !matches!(c, Change::Created) || file == FileChange::Added);
    redact::redact_changes(&mut changes, &timelines, &fields);
    let changes_omitted = changes.len().saturating_sub(CHANGES_LISTED);
    changes.truncate(CHANGES_LISTED);
    // A meeting the base read whose heading the head still has, swallowed: hidden by the change.
    let hidden_meetings = match (before_snapshot, after_snapshot) {
        (Some(before), Some(after)) => after
            .body
            .hidden
            .iter()
            .filter(|h| {
                before
                    .body
                    .meetings
                    .iter()
                    .any(|m| m.date == h.date && m.title == h.title)
            })
            .cloned()
            .collect(),
        _ => Vec::new(),
    };
    let meetings = match after_snapshot {
        Some(after) => added_meetings(
            before_snapshot.map(|s| s.body.meetings.as_slice()),
            &after.body.meetings,
        ),
        None => Vec::new(),
    };
    let name = head
        .valid()
        .last()
        .or_else(|| base.valid().last())
        .map(|(_, s)| s.front.partner.clone())
        .unwrap_or_else(|| pair.id.clone());
    Some(PartnershipReview {
        id: pair.id.clone(),
        name,
        file,
        path,
        base_path,
        valid,
        changes,
        changes_omitted,
        meetings,
        hidden_meetings,
        findings,
    })
}

/// The partnership files still in the head's tree that the head's configuration no longer reads
/// (an `exclude:` added, a folder dropped from `paths:`), each with the findings the base's
/// configuration finds in it at head, silenced: a configuration cannot make a partnership
/// vanish from the review in silence.
fn no_longer_read(
    ledger: &LedgerRoot,
    (base_config, head_config): (&Config, &Config),
    (merge_base, head): (CommitId, CommitId),
    now: Date,
    config_changes: &[ConfigChange],
    progress: &dyn Progress,
) -> Result<Vec<PartnershipReview>> {
    let repo = LedgerRepo::open_selecting(&ledger.root, &base_config.selection())?;
    let reads = head_config.selection();
    let unread: Vec<String> = repo
        .partnership_paths(&repo.commit(head)?)?
        .into_iter()
        .map(|path| repo.ledger_path(&path).to_string())
        .filter(|path| !reads.selects(path))
        .collect();
    if unread.is_empty() {
        return Ok(Vec::new());
    }
    let compared = history::compare(
        &repo,
        head,
        merge_base,
        &unread,
        &base_config.ladder,
        progress,
    )?;
    let head_files = read_files(&repo, head, unread.iter().map(String::as_str))?;
    let texts: HashMap<String, String> = head_files
        .0
        .iter()
        .filter_map(|(p, b)| Some((p.clone(), String::from_utf8(b.clone()).ok()?)))
        .collect();
    let source = |file: &str| texts.get(file).cloned();
    let mut out = Vec::new();
    for pair in compared.partnerships {
        let Some(current) = pair.head.current() else {
            continue;
        };
        let at_base = run_rules(std::slice::from_ref(&pair.base), base_config, now, &source);
        let judged = run_rules(std::slice::from_ref(&pair.head), base_config, now, &source);
        let mut findings = classify(&[], &at_base, Some(&judged), Reading::Gate);
        for reviewed in &mut findings {
            if reviewed.status == Status::Silenced {
                reviewed.silenced_by =
                    reconfigured::affecting(config_changes, reviewed.finding.rule);
            }
        }
        let fields: Vec<String> = head_config
            .redact
            .iter()
            .chain(&base_config.redact)
            .cloned()
            .collect();
        redact::redact(
            findings.iter_mut().map(|r| &mut r.finding),
            &[pair.head.clone(), pair.base.clone()],
            &fields,
        );
        let path = pair.head.last().map(|v| v.path.clone());
        out.push(PartnershipReview {
            id: pair.id.clone(),
            name: current.front.partner.clone(),
            file: FileChange::Unread,
            base_path: pair.base.last().map(|v| v.path.clone()),
            path,
            valid: true,
            changes: Vec::new(),
            changes_omitted: 0,
            meetings: Vec::new(),
            hidden_meetings: Vec::new(),
            findings,
        });
    }
    Ok(out)
}

/// Masks the `fields` (`redact` of either side) in reviewed findings, and in what each finding
/// was at the earlier point, masked as the finding it was then.
pub(crate) fn redact_reviewed(
    findings: &mut [Reviewed],
    timelines: &[crate::ledger::Timeline],
    fields: &[String],
) {
    let mut befores: Vec<Finding> = findings
        .iter()
        .map(|r| {
            let mut was = r.finding.clone();
            if let Some(before) = &r.before {
                was.message.clone_from(&before.message);
                was.measure.clone_from(&before.measure);
            }
            was
        })
        .collect();
    redact::redact(
        findings
            .iter_mut()
            .map(|r| &mut r.finding)
            .chain(befores.iter_mut()),
        timelines,
        fields,
    );
    for (reviewed, was) in findings.iter_mut().zip(befores) {
        if let Some(before) = &mut reviewed.before {
            before.message = was.message;
            before.measure = was.measure;
        }
    }
}

/// The meetings of `after` that `before` does not have (by date and title, counting repeats).
fn added_meetings(before: Option<&[Meeting]>, after: &[Meeting]) -> Vec<Meeting> {
    let mut known: HashMap<(Date, &str), usize> = HashMap::new();
    for meeting in before.unwrap_or_default() {
        *known
            .entry((meeting.date, meeting.title.as_str()))
            .or_default() += 1;
    }
    after
        .iter()
        .filter(|m| match known.get_mut(&(m.date, m.title.as_str())) {
            Some(count) if *count > 0 => {
                *count -= 1;
                false
            }
            _ => true,
        })
        .cloned()
        .collect()
}

/// Every partnership file of either side, for a change of configuration: the files the change
/// touched (renames paired), then every other file as unchanged.
fn every_file(
    repo: &LedgerRepo,
    mut touched: Vec<Touched>,
    head: CommitId,
) -> Result<Vec<Touched>> {
    for path in repo.partnership_paths(&repo.commit(head)?)? {
        let path = repo.ledger_path(&path).to_string();
        if !touched
            .iter()
            .any(|t| t.after.as_deref() == Some(path.as_str()))
        {
            touched.push(Touched {
                before: Some(path.clone()),
                after: Some(path),
            });
        }
    }
    Ok(touched)
}

/// Reads files (paths relative to the ledger root) from a commit; those not read (links,
/// submodules, files over the size limit) become diagnostics.
fn read_files<'p>(
    repo: &LedgerRepo,
    commit: CommitId,
    paths: impl Iterator<Item = &'p str>,
) -> Result<history::Files> {
    let commit = repo.commit(commit)?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match repo.file_at(&commit, path, load::PARTNERSHIP)? {
            Some(Ok(bytes)) => files.push((path.to_string(), bytes)),
            Some(Err(problem)) => problems.push(problem),
            None => {}
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files.dedup_by(|a, b| a.0 == b.0);
    Ok((files, problems))
}

//! Input at and past the limits, as an attacker or a careless user would write it: trees nested
//! deeper than any ledger, commit times outside the calendar, `--as-of` at its ends, settings out
//! of range, extreme values in partnership files. Each is an error with a message (exit 2) or an
//! analysis (exit 0 or 1), never a panic (101) or an abort (134).

mod common;

use common::{Script, Test, northwind_front, partnership};
use git2::{Oid, Repository, Signature, Time};

/// `rapport ARGS` in `dir`.
fn rapport(dir: &std::path::Path, args: &[&str]) -> Test {
    Test::in_dir(dir).args(args)
}

/// An analysis: findings or none (exit 0 or 1, never 2, 101 or 134), whatever it prints on
/// standard output, and nothing on standard error (no progress is drawn off a terminal).
#[track_caller]
fn assert_analysed(dir: &std::path::Path, args: &[&str]) {
    rapport(dir, args).status_in(&[0, 1]).any_stdout().run();
}

/// Commits `tree` on top of HEAD (if any) at `seconds` since the epoch.
fn commit_tree(repo: &Repository, tree: Oid, seconds: i64, message: &str) -> Oid {
    let signature =
        Signature::new("Priya Raman", "priya@example.com", &Time::new(seconds, 0)).expect("sig");
    let tree = repo.find_tree(tree).expect("tree");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit> = parent.iter().collect();
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
    .expect("commit")
}

/// A tree holding `partners/ok.md` and, `depth` folders below `partners/`, `partners/d/d/…/deep.md`.
fn ledger_tree(repo: &Repository, depth: usize) -> Oid {
    let text = partnership("Deep Partner", "id: deep\n", "");
    let blob = repo.blob(text.as_bytes()).expect("blob");
    let ok = repo
        .blob(partnership("Northwind", "id: ok\n", "").as_bytes())
        .expect("blob");
    let mut builder = repo.treebuilder(None).expect("builder");
    builder.insert("deep.md", blob, 0o100644).expect("insert");
    let mut tree = builder.write().expect("tree");
    for _ in 0..depth {
        let mut builder = repo.treebuilder(None).expect("builder");
        builder.insert("d", tree, 0o040000).expect("insert");
        tree = builder.write().expect("tree");
    }
    let mut partners = repo
        .treebuilder(Some(&repo.find_tree(tree).expect("tree")))
        .expect("b");
    partners.insert("ok.md", ok, 0o100644).expect("insert");
    let partners = partners.write().expect("tree");
    let mut top = repo.treebuilder(None).expect("builder");
    top.insert("partners", partners, 0o040000).expect("insert");
    top.write().expect("tree")
}

/// A repository whose first commit holds `partners/ok.md` and whose second adds a partnership
/// file `depth` folders below `partners/`, written object by object (no work tree).
fn nested(depth: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = Repository::init_bare(dir.path()).expect("init");
    let ok = repo
        .blob(partnership("Northwind", "id: ok\n", "").as_bytes())
        .expect("blob");
    let mut partners = repo.treebuilder(None).expect("builder");
    partners.insert("ok.md", ok, 0o100644).expect("insert");
    let partners = partners.write().expect("tree");
    let mut top = repo.treebuilder(None).expect("builder");
    top.insert("partners", partners, 0o040000).expect("insert");
    let first = top.write().expect("tree");
    commit_tree(&repo, first, 1_718_193_600, "Add Northwind");
    let second = ledger_tree(&repo, depth);
    commit_tree(&repo, second, 1_718_280_000, "Add a deep partnership");
    dir
}

#[test]
fn a_tree_nested_ten_thousand_levels_deep_is_refused_not_overflowed() {
    let repo = nested(10_000);
    for args in [
        // The repository is bare (no working tree to check): every command reads its commits.
        &["check", "--rev", "HEAD"][..],
        &["timeline", "deep"],
        &["timeline", "ok"],
        &["report", "--base", "HEAD~1"],
        &["report", "--base", "HEAD~1", "--format", "json"],
        &["check", "--base", "HEAD~1"],
    ] {
        // The path is cut short.
        rapport(repo.path(), args).status(2).stderr("error: `partners/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d…` is nested more than 256 folders deep, deeper than any ledger: rapport does not read trees this deep
help: keep partnership files a few folders under the ledger folder; if this tree is not a ledger, name the folders that hold partnership files in rapport.yaml (`paths: [partners]`)
").run();
    }
}

#[test]
fn a_file_two_hundred_folders_deep_is_still_read() {
    let repo = nested(200);
    rapport(repo.path(), &["check", "--rev", "HEAD", "--format", "json"])
        .snapshot("a_file_two_hundred_folders_deep_is_checked")
        .run();
    rapport(repo.path(), &["timeline", "deep"])
        .snapshot("a_file_two_hundred_folders_deep_has_a_timeline")
        .run();
}

/// A ledger with every kind of data the rules read, in three versions.
fn rich_history() -> Script {
    let body = |extra: &str| {
        format!(
            "\n## 2024-03-12 Kick-off\nAttendees: Dana Whitfield, Priya Raman\n\nA good start.\n\n\
             ## 2024-04-16 Pipeline review\nAttendees: Dana Whitfield, Omar Haddad\n\nWe argue about \
             the escalation and the complaint.\n\n- [ ] partner: send the plan (due 2024-05-01)\n- [x] ours: share the forecast\n{extra}"
        )
    };
    let extra = "money: { revenue: 10000, invested: 90000 }\neffort: { hours_per_month: 40 }\n\
                 slas:\n  - { id: p1, target: 4, actual: 9, better: lower, as_of: 2024-06-30 }\n\
                 support: { open_tickets: 3, sla_breaches: 1 }\nsatisfaction: { score: 4.5, as_of: 2024-04-01 }\n\
                 scope:\n  - { id: hosting, summary: Managed hosting, owner: partner, sla: p1 }\n\
                 requirements:\n  - { id: sso, need: Single sign-on, status: open, raised: 2024-02-01 }\n\
                 offers:\n  - { summary: A bundle, date: 2024-05-01 }\n\
                 invoices:\n  - { id: I-1, payer: partner, amount: 1000, issued: 2024-03-01, due: 2024-03-31 }\n\
                 events:\n  - { date: 2024-06-01, kind: financial-distress, note: Cash trouble }\n\
                 acknowledged:\n  - { rule: price-cut, reason: agreed, until: 2024-12-31 }\n";
    let worse = extra
        .replace("hours_per_month: 40", "hours_per_month: 90")
        .replace("score: 4.5", "score: 2.5")
        .replace(
            "open_tickets: 3, sla_breaches: 1",
            "open_tickets: 9, sla_breaches: 5",
        );
    Script::new()
        .commit(
            "2024-03-01",
            "Add Northwind",
            &[(
                "partners/northwind.md",
                &partnership("Northwind", &northwind_front(30, extra), &body("")),
            )],
        )
        .commit(
            "2024-06-01",
            "Stretch the terms",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind",
                    &northwind_front(90, &worse).replace("price: 120000", "price: 50000"),
                    &body("\n## 2024-05-30 Escalation\nAttendees: Priya Raman\n\nAnother complaint, a threat.\n"),
                ),
            )],
        )
}

#[test]
fn as_of_at_the_calendars_ends_runs_every_rule() {
    let script = rich_history();
    for day in ["0000-01-01", "0001-01-01", "1970-01-01", "9999-12-31"] {
        for rev in [&["--rev", "HEAD"][..], &[]] {
            let mut args = vec!["check", "--as-of", day, "--fail-on", "never"];
            args.extend_from_slice(rev);
            assert_analysed(script.path(), &args);
        }
    }
    rapport(
        script.path(),
        &["check", "--as-of", "9999-12-31", "--format", "json"],
    )
    .snapshot("as_of_the_last_day_of_the_calendar")
    .run();
}

#[test]
fn commits_dated_outside_the_calendar_are_analysed() {
    // Git stores any 64-bit time; chrono's calendar ends in the year 262142 either way.
    for seconds in [
        "9223372036854775807",
        "-9223372036854775808",
        "8210266876799",
        "-8334601228800",
        "253402300800",
    ] {
        let script = rich_history();
        let repo = &script.repo;
        let head = repo.head().expect("head").peel_to_commit().expect("commit");
        let text = partnership("Northwind", &northwind_front(120, ""), "");
        let blob = repo.blob(text.as_bytes()).expect("blob");
        let mut partners = repo
            .treebuilder(Some(
                &repo
                    .find_tree(
                        head.tree()
                            .expect("tree")
                            .get_name("partners")
                            .expect("partners")
                            .id(),
                    )
                    .expect("tree"),
            ))
            .expect("builder");
        partners
            .insert("northwind.md", blob, 0o100644)
            .expect("insert");
        let partners = partners.write().expect("tree");
        let mut top = repo
            .treebuilder(Some(&head.tree().expect("tree")))
            .expect("b");
        top.insert("partners", partners, 0o040000).expect("insert");
        let tree = top.write().expect("tree");
        // Written by hand: libgit2 writes times as 32-bit numbers.
        let identity = format!("Priya Raman <priya@example.com> {seconds} +0000");
        let raw = format!(
            "tree {tree}\nparent {}\nauthor {identity}\ncommitter {identity}\n\nA commit from out of time\n",
            head.id()
        );
        let id = repo
            .odb()
            .expect("odb")
            .write(git2::ObjectType::Commit, raw.as_bytes())
            .expect("commit");
        repo.reference("refs/heads/main", id, true, "out of time")
            .expect("main");
        let written = repo
            .find_commit(id)
            .expect("commit")
            .author()
            .when()
            .seconds();
        assert_eq!(written.to_string(), seconds);
        for args in [
            &["check", "--rev", "HEAD"][..],
            &["check", "--rev", "HEAD", "--as-of", "2024-07-01"],
            &["check", "--rev", "HEAD", "--format", "json"],
            &["timeline", "northwind"],
            &["timeline", "northwind", "--format", "json"],
            &["report", "--base", "HEAD~1"],
            &["report", "--base", "HEAD~1", "--format", "markdown"],
        ] {
            // The date warnings differ with the date and the command; each line of standard
            // error is one of them.
            let run = rapport(script.path(), args)
                .status_in(&[0, 1])
                .any_stdout()
                .any_stderr()
                .run();
            let said: Vec<&str> = run
                .stderr
                .lines()
                .filter(|l| {
                    !(l.starts_with("warning[date-in-future]: commit ")
                        || l.starts_with("warning[date-before-parent]: commit ")
                        || l.starts_with("  = help: rapport keeps the commit where")
                        || l.is_empty())
                })
                .collect();
            assert_eq!(said, [""; 0], "{args:?} at {seconds}: {}", run.stderr);
        }
    }
}

fn with_config(config: &str) -> Script {
    rich_history().commit("2024-06-02", "Configure", &[("rapport.yaml", config)])
}

#[test]
fn settings_out_of_range_are_refused_at_the_key_with_their_range() {
    let script = with_config(
        "rapport: 1\nrules:\n  value-gap: { window_days: -30 }\n  scope-drift:\n    window_days: 100000000\n  \
         price-cut: { min_cut: 1.5 }\n  meeting-cadence-drop: { factor: 0 }\n  tension-rising: { min_earlier_words: 0 }\n  \
         payment-terms-slip: { error_factor: -2 }\n  satisfaction-decline: { min_drop: 1e308 }\n",
    );
    rapport(script.path(), &["check", "--rev", "HEAD"])
        .snapshot("settings_out_of_range_are_refused_at_the_key")
        .run();
}

#[test]
fn a_misspelt_senior_level_is_refused_with_the_closest_level() {
    let script = with_config(
        "rapport: 1\nladder: [chief, head, lead, member]\nrules:\n  contact-downgrade: { senior_level: haed }\n",
    );
    rapport(script.path(), &["check", "--rev", "HEAD"])
        .status(2)
        .stderr("rapport.yaml:4:24: error[invalid-setting]: `senior_level` of contact-downgrade is `haed`, not a level on the ladder
  |
4 |   contact-downgrade: { senior_level: haed }
  |                        ^
  = help: did you mean `head`? levels, most senior first: chief, head, lead, member

error: the configuration is invalid
")
        .run();
}

#[test]
fn settings_at_the_ends_of_their_ranges_run_every_rule() {
    let low = "rapport: 1\nrules:\n  value-gap: { min_ratio: 0, window_days: 0, error_ratio: 0, error_after_days: 0 }\n  \
               targets-missed: { min_attainment: 0 }\n  no-early-wins: { window_days: 0 }\n  \
               tension-rising: { recent_days: 0, min_factor: 0.001, min_recent_hits: 1, min_earlier_words: 1 }\n  \
               satisfaction-decline: { min_drop: 0.001 }\n  no-success-metrics: { stale_days: 0 }\n  \
               vendor-centric: { open_days: 0, min_offers: 1 }\n  partner-unresponsive: { open_days: 0, close_factor: 0.001, min_closed: 2 }\n  \
               partner-turnover: { window_days: 0, min_departures: 1, primary_changes: 1 }\n  partner-distress: { within_days: 0 }\n  \
               support-degrading: { rising_versions: 2 }\n  payment-terms-slip: { error_factor: 0.001, error_days: 0 }\n  \
               price-cut: { min_cut: 0.001, error_cut: 0.001 }\n  late-payment: { grace_days: 0, error_days: 0 }\n  \
               scope-drift: { min_commits: 1, window_days: 0, min_similarity: 0 }\n  \
               contact-downgrade: { error_levels: 1, absence_factor: 0.001, min_attended: 2, min_missed: 1 }\n  \
               meeting-cadence-drop: { factor: 0.001, min_earlier_meetings: 2, max_silence_days: 0 }\n  \
               effort-disproportion: { min_increase: 0.001, window_days: 0 }\n";
    let high = "rapport: 1\nrules:\n  value-gap: { min_ratio: 1000, window_days: 36500, error_ratio: 1000, error_after_days: 36500 }\n  \
                targets-missed: { min_attainment: 1 }\n  no-early-wins: { window_days: 36500 }\n  \
                tension-rising: { recent_days: 36500, min_factor: 1000, min_recent_hits: 10000, min_earlier_words: 10000000 }\n  \
                satisfaction-decline: { min_drop: 4 }\n  no-success-metrics: { stale_days: 36500 }\n  \
                vendor-centric: { open_days: 36500, min_offers: 10000 }\n  partner-unresponsive: { open_days: 36500, close_factor: 1000, min_closed: 10000 }\n  \
                partner-turnover: { window_days: 36500, min_departures: 10000, primary_changes: 10000 }\n  partner-distress: { within_days: 36500 }\n  \
                support-degrading: { rising_versions: 10000 }\n  payment-terms-slip: { error_factor: 1000, error_days: 3650 }\n  \
                price-cut: { min_cut: 1, error_cut: 1 }\n  late-payment: { grace_days: 36500, error_days: 36500 }\n  \
                scope-drift: { min_commits: 10000, window_days: 36500, min_similarity: 1 }\n  \
                contact-downgrade: { error_levels: 100, absence_factor: 1000, min_attended: 10000, min_missed: 10000 }\n  \
                meeting-cadence-drop: { factor: 1000, min_earlier_meetings: 10000, max_silence_days: 36500 }\n  \
                effort-disproportion: { min_increase: 100, window_days: 36500 }\n";
    for config in [low, high] {
        let script = with_config(config);
        for day in ["0000-01-01", "2024-07-01", "9999-12-31"] {
            rapport(
                script.path(),
                &[
                    "check",
                    "--rev",
                    "HEAD",
                    "--as-of",
                    day,
                    "--fail-on",
                    "never",
                ],
            )
            .any_stdout()
            .run();
        }
    }
}

#[test]
fn extreme_values_in_a_partnership_file_never_panic() {
    let extreme = "since: 0000-01-01\nlaunched: 0001-01-01\nplan: { agreed: 9999-12-31 }\n\
                   contacts:\n  - { name: A, side: partner, level: executive, primary: true }\n\
                   terms: { payment_days: 0, price: 0, currency: EUR, renewal: 0000-01-01 }\n\
                   money: { revenue: 1e308, invested: 1e-308 }\neffort: { hours_per_month: 1e308 }\n\
                   kpis:\n  - { id: k, target: 0, actual: 1e308, as_of: 0000-01-01 }\n  - { id: l, target: 0, actual: 0, better: lower, as_of: 9999-12-31 }\n\
                   slas:\n  - { id: s, target: 0, actual: 0, better: lower }\n\
                   support: { open_tickets: 9223372036854775807, sla_breaches: 0 }\n\
                   satisfaction: { score: 1, as_of: 0000-01-01 }\n\
                   scope: []\nrequirements:\n  - { id: r, need: x, status: open, raised: 0000-01-01 }\n\
                   offers: []\n\
                   invoices:\n  - { id: I, payer: partner, amount: 1e308, issued: 0000-01-01, due: 0000-01-01 }\n  \
                   - { id: J, payer: ours, amount: 0, issued: 0000-01-01, due: 0000-01-02, paid: 9999-12-31 }\n\
                   wins:\n  - { date: 0000-01-01, summary: early, value: 1e308 }\n\
                   events:\n  - { date: 0000-01-01, kind: layoffs }\n\
                   acknowledged:\n  - { rule: value-gap, reason: old, until: 0000-01-01 }\n";
    let body = "\n## 0001-01-01 The first meeting\nAttendees: A\n\n- [ ] partner: reply (due 0000-01-01)\n\n\
                ## 9999-12-31 The last meeting\nAttendees: A\n\n- [ ] partner: reply (due 9999-12-31)\n";
    let mild = extreme
        .replace("payment_days: 0", "payment_days: 3650")
        .replace("price: 0", "price: 1e308");
    let script = Script::new()
        .commit(
            "2024-03-01",
            "Extreme",
            &[("partners/x.md", &partnership("X", &mild, body))],
        )
        .commit(
            "2024-06-01",
            "More extreme",
            &[("partners/x.md", &partnership("X", extreme, body))],
        );
    for day in ["0000-01-01", "2024-07-01", "9999-12-31"] {
        for rev in [&["--rev", "HEAD"][..], &[]] {
            for format in ["text", "json"] {
                let mut args = vec!["check", "--as-of", day, "--format", format];
                args.extend_from_slice(rev);
                assert_analysed(script.path(), &args);
            }
        }
    }
    let backwards = script.commit(
        "2024-06-02",
        "Launched before it started",
        &[(
            "partners/x.md",
            &partnership(
                "X",
                &extreme.replace("since: 0000-01-01", "since: 9999-12-31"),
                body,
            ),
        )],
    );
    rapport(backwards.path(), &["check", "--rev", "HEAD"])
        .snapshot("launched_before_it_started")
        .run();
    let script = backwards;
    for args in [
        &["timeline", "x"][..],
        &["timeline", "x", "--format", "json"],
        &["report", "--base", "HEAD~2", "--head", "HEAD~1"],
        &[
            "report", "--base", "HEAD~2", "--head", "HEAD~1", "--format", "markdown",
        ],
        &[
            "report", "--base", "HEAD~2", "--head", "HEAD~1", "--format", "sarif",
        ],
        &[
            "report", "--base", "HEAD~2", "--head", "HEAD~1", "--format", "json",
        ],
    ] {
        assert_analysed(script.path(), args);
    }
    // The change that breaks the file: reported as invalid at head.
    rapport(script.path(), &["report", "--base", "HEAD~1"])
        .snapshot("the_change_that_breaks_the_file")
        .run();
}

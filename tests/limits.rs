//! Input at and past the limits, as an attacker or a careless user would write it: trees nested
//! deeper than any ledger, commit times outside the calendar, `--as-of` at its ends, settings out
//! of range, extreme values in partnership files. Each is an error with a message (exit 2) or an
//! analysis (exit 0 or 1), never a panic (101) or an abort (134).

mod common;

use common::{Run, Script, northwind_front, partnership, rapport};
use git2::{Oid, Repository, Signature, Time};

/// An analysis: findings or none, exit 0 or 1, nothing on standard error but progress.
fn assert_analysed(run: &Run, what: &str) {
    assert!(
        run.code == 0 || run.code == 1,
        "{what}: exit {}\n{}\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{what}: {}", run.stderr);
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
        let run = rapport(repo.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr
                .contains("error: `partners/d/d/d/d/d/d/d/d/d/d/d/")
                && run
                    .stderr
                    .contains("d/d…` is nested more than 256 folders deep"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.len() < 1_000,
            "the path is cut short: {}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("help: keep partnership files a few folders under")
        );
    }
}

#[test]
fn a_file_two_hundred_folders_deep_is_still_read() {
    let repo = nested(200);
    let run = rapport(repo.path(), &["check", "--rev", "HEAD", "--format", "json"]);
    assert_analysed(&run, "check");
    assert!(run.stdout.contains("\"files\": 2"), "{}", run.stdout);
    let run = rapport(repo.path(), &["timeline", "deep"]);
    assert_analysed(&run, "timeline");
    assert!(run.stdout.contains("Deep Partner"), "{}", run.stdout);
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
            let run = rapport(script.path(), &args);
            assert_analysed(&run, &format!("check --as-of {day} {rev:?}"));
        }
    }
    let run = rapport(
        script.path(),
        &["check", "--as-of", "9999-12-31", "--format", "json"],
    );
    assert!(
        run.stdout.contains("meeting-cadence-drop"),
        "{}",
        run.stdout
    );
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
            let run = rapport(script.path(), args);
            assert_analysed(&run, &format!("{args:?} at {seconds}"));
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
    let run = rapport(script.path(), &["check", "--rev", "HEAD"]);
    assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
    let expected = [
        "rapport.yaml:3:16: error[invalid-setting]: `window_days` of value-gap is -30, out of range",
        "3 |   value-gap: { window_days: -30 }",
        "= help: write a number of days from 0 to 36,500",
        "rapport.yaml:5:5: error[invalid-setting]: `window_days` of scope-drift is 100000000, out of range",
        "rapport.yaml:6:16: error[invalid-setting]: `min_cut` of price-cut is 1.5, out of range",
        "= help: write a fraction (0.25 is 25%) more than 0 and at most 1",
        "rapport.yaml:7:27: error[invalid-setting]: `factor` of meeting-cadence-drop is 0, out of range",
        "= help: write a multiple more than 0 and at most 1,000",
        "rapport.yaml:8:21: error[invalid-setting]: `min_earlier_words` of tension-rising is 0, out of range",
        "rapport.yaml:9:25: error[invalid-setting]: `error_factor` of payment-terms-slip is -2, out of range",
        "rapport.yaml:10:27: error[invalid-setting]: `min_drop` of satisfaction-decline is 1e308, out of range",
        "= help: write a drop in score (scores run 1 to 5) more than 0 and at most 4",
    ];
    for line in expected {
        assert!(
            run.stderr.contains(line),
            "missing {line:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn a_misspelt_senior_level_is_refused_with_the_closest_level() {
    let script = with_config(
        "rapport: 1\nladder: [chief, head, lead, member]\nrules:\n  contact-downgrade: { senior_level: haed }\n",
    );
    let run = rapport(script.path(), &["check", "--rev", "HEAD"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(
        "rapport.yaml:4:24: error[invalid-setting]: `senior_level` of contact-downgrade is `haed`, not a level on the ladder"
    ), "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "help: did you mean `head`? levels, most senior first: chief, head, lead, member"
        ),
        "{}",
        run.stderr
    );
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
            let run = rapport(
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
            );
            assert_eq!(run.code, 0, "{config}\n{day}: {}", run.stderr);
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
                let run = rapport(script.path(), &args);
                assert_analysed(&run, &format!("{args:?}"));
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
    let run = rapport(backwards.path(), &["check", "--rev", "HEAD"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.contains(
        "partners/x.md:7:1: error[date-order]: launched (0001-01-01) before the relationship started (9999-12-31)"
    ), "{}", run.stdout);
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
        let run = rapport(script.path(), args);
        assert_analysed(&run, &format!("{args:?}"));
    }
    // The change that breaks the file: reported as invalid at head.
    let run = rapport(script.path(), &["report", "--base", "HEAD~1"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.contains("error[date-order]"), "{}", run.stdout);
}

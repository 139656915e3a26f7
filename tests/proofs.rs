//! What rapport promises not to do, proven on a scripted ledger: `check`, `timeline`, `report`
//! and `demo --keep` leave the ledger repository byte for byte as they found it (`.git`
//! included, no lock files); redacted fields show in no output, file or job summary, however a
//! renderer might print them; and no network connection is attempted.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Script, partnership};

const CONFIG: &str =
    "rapport: 1\npaths: [partners]\nredact: [terms.price, contacts.email, kpis.actual]\n";

/// One version of Northwind's front matter: the facts that move across the history.
#[derive(Clone)]
struct Facts {
    days: u32,
    price: u32,
    /// Dana Whitfield's and Omar Haddad's addresses.
    dana: &'static str,
    omar: &'static str,
    /// Whether Dana (an executive) is still the partner's primary contact; Omar (a manager)
    /// takes over when not.
    dana_primary: bool,
    pipeline: Option<u32>,
    arr: Option<u32>,
    /// A KPI added by the pull request, whole.
    marketplace: Option<u32>,
    /// A contact added by the pull request, whole.
    lea: bool,
}

const DANA: &str = "dana.whitfield@northwind-analytics.example";
const DANA_NEW: &str = "d.whitfield@northwind-group.example";
const OMAR: &str = "omar.haddad@northwind-analytics.example";
const OMAR_NEW: &str = "o.haddad@northwind-group.example";
const PRIYA: &str = "priya.raman@alliances-team.example";
const LEA: &str = "lea.brandt@northwind-group.example";

const START: Facts = Facts {
    days: 30,
    price: 126_000,
    dana: DANA,
    omar: OMAR,
    dana_primary: true,
    pipeline: Some(41_250),
    arr: None,
    marketplace: None,
    lea: false,
};

fn front(f: &Facts) -> String {
    let mut kpis = String::from("kpis:\n");
    if let Some(actual) = f.pipeline {
        kpis.push_str(&format!(
            "  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {actual} }}\n"
        ));
    }
    if let Some(actual) = f.arr {
        kpis.push_str(&format!(
            "  - {{ id: sourced-arr, name: Partner-sourced ARR, unit: EUR, target: 250000, actual: {actual} }}\n"
        ));
    }
    if let Some(actual) = f.marketplace {
        kpis.push_str(&format!(
            "  - {{ id: marketplace-revenue, name: Marketplace revenue, unit: EUR, target: 90000, actual: {actual} }}\n"
        ));
    }
    let lea = if f.lea {
        format!(
            "  - {{ name: Lea Brandt, side: partner, role: Channel Manager, level: manager, email: {LEA} }}\n"
        )
    } else {
        String::new()
    };
    format!(
        "id: northwind\nsince: 2024-01-15\nlaunched: 2024-03-01\nplan: {{ agreed: 2024-02-10, segments: [EU healthcare] }}\n\
         contacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: executive{}, email: {} }}\n  \
         - {{ name: Omar Haddad, side: partner, role: Partner Manager, level: manager{}, email: {} }}\n{lea}  \
         - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true, email: {PRIYA} }}\n\
         terms: {{ payment_days: {}, price: {}, currency: EUR, renewal: 2025-01-15 }}\n{kpis}\
         wins:\n  - {{ date: 2024-04-30, summary: Helsinki University Hospital, value: 80000 }}\n",
        if f.dana_primary {
            ", primary: true"
        } else {
            ""
        },
        f.dana,
        if f.dana_primary {
            ""
        } else {
            ", primary: true"
        },
        f.omar,
        f.days,
        f.price,
    )
}

const MEETINGS: [&str; 5] = [
    "\n## 2024-02-01 Kick-off\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
     Agreed the EU healthcare plan and the first three target accounts.\n\n\
     - [x] partner: send the enablement plan (due 2024-02-28)\n- [x] ours: share the Q1 forecast\n",
    "\n## 2024-03-14 Launch review\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
     Launch went well; two hospitals asked for a demo.\n",
    "\n## 2024-06-20 Quarterly business review\nAttendees: Omar Haddad, Priya Raman\n\n\
     Dana has moved to the group's new venture; Omar now leads the alliance.\n\n\
     - [ ] partner: send the revised enablement plan (due 2024-07-15)\n",
    "\n## 2024-09-12 Renewal talks\nAttendees: Omar Haddad, Priya Raman\n\n\
     Northwind asks for longer terms and a lower price at renewal.\n",
    "\n## 2024-11-07 Pipeline sync\nAttendees: Omar Haddad, Lea Brandt, Priya Raman\n\n\
     Lea joins for the marketplace listing.\n",
];

fn northwind(facts: &Facts, meetings: usize) -> String {
    partnership(
        "Northwind Analytics",
        &front(facts),
        &MEETINGS[..meetings].concat(),
    )
}

/// The ledger on `main` (a year of Northwind: terms stretched, a price cut, the executive
/// sponsor handed over, new addresses, KPIs behind) and a branch `pr`, checked out, that cuts
/// the price further, changes an address and every KPI actual, adds a KPI and a contact; the
/// working tree holds one more, uncommitted, price cut. `origin` points at a remote that does
/// not exist, with `origin/HEAD` at `main`.
fn ledger() -> Script {
    let spring = Facts {
        pipeline: Some(118_600),
        arr: Some(61_375),
        ..START
    };
    let summer = Facts {
        days: 60,
        price: 132_500,
        dana: DANA_NEW,
        dana_primary: false,
        ..spring.clone()
    };
    let autumn = Facts {
        days: 90,
        price: 89_900,
        pipeline: Some(143_900),
        ..summer.clone()
    };
    let pull_request = Facts {
        days: 120,
        price: 61_750,
        omar: OMAR_NEW,
        pipeline: Some(152_300),
        arr: Some(64_450),
        marketplace: Some(27_450),
        lea: true,
        ..autumn.clone()
    };
    let file = "partners/northwind.md";
    let script = Script::new()
        .commit(
            "2024-01-15",
            "Start the Northwind partnership",
            &[("rapport.yaml", CONFIG), (file, &northwind(&START, 0))],
        )
        .commit(
            "2024-02-01",
            "Northwind kick-off",
            &[(file, &northwind(&START, 1))],
        )
        .commit(
            "2024-03-14",
            "Northwind launch review",
            &[(file, &northwind(&spring, 2))],
        )
        .commit(
            "2024-06-20",
            "Northwind QBR: Omar takes over, net-60, new addresses",
            &[(file, &northwind(&summer, 3))],
        )
        .commit(
            "2024-09-12",
            "Northwind renewal: net-90 and a lower price",
            &[(file, &northwind(&autumn, 4))],
        )
        .branch("pr")
        .commit(
            "2024-11-07",
            "Northwind: net-120, price cut again, marketplace KPI",
            &[(file, &northwind(&pull_request, 5))],
        );
    for args in [
        &[
            "remote",
            "add",
            "origin",
            "https://git.invalid/alliances/ledger.git",
        ][..],
        &["update-ref", "refs/remotes/origin/main", "main"],
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ],
    ] {
        let out = script.git(args);
        assert!(out.status.success(), "git {args:?}: {out:?}");
    }
    let uncommitted = Facts {
        price: 58_000,
        ..pull_request
    };
    std::fs::write(script.path().join(file), northwind(&uncommitted, 5)).expect("edit");
    script
}

/// Every value the redacted fields held in any version, committed or not.
const PRICES: [u32; 5] = [126_000, 132_500, 89_900, 61_750, 58_000];
const ACTUALS: [u32; 6] = [41_250, 118_600, 61_375, 143_900, 152_300, 64_450];
const ADDED_ACTUAL: u32 = 27_450;
const EMAILS: [&str; 6] = [DANA, DANA_NEW, OMAR, OMAR_NEW, PRIYA, LEA];

fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("rapport")
}

/// `rapport` with `args`, run from `cwd`, with no CI variables but `env` and no colour.
fn rapport<S: AsRef<std::ffi::OsStr>>(cwd: &Path, args: &[S], env: &[(&str, &Path)]) -> Command {
    let mut cmd = Command::new(binary());
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    for var in [
        "GITHUB_BASE_REF",
        "GITHUB_ACTIONS",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
        "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
        "GITHUB_STEP_SUMMARY",
        "GITLAB_CI",
    ] {
        cmd.env_remove(var);
    }
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd
}

const FORMATS: [&str; 6] = ["text", "markdown", "json", "sarif", "github", "gitlab"];

/// One run of the binary to prove things about.
struct Run {
    args: Vec<String>,
    code: i32,
    /// What it printed (both streams) and the files it was asked to write.
    outputs: Vec<(String, Vec<u8>)>,
}

fn outputs(out: Output) -> (i32, Vec<(String, Vec<u8>)>) {
    (
        out.status.code().unwrap_or(-1),
        vec![
            ("stdout".to_string(), out.stdout),
            ("stderr".to_string(), out.stderr),
        ],
    )
}

/// A run to make: its arguments, the exit code it must have, the files it must write, and
/// where `GITHUB_STEP_SUMMARY` points.
struct Planned {
    args: Vec<String>,
    code: i32,
    files: Vec<PathBuf>,
    summary: Option<PathBuf>,
}

impl Planned {
    fn new(args: &[&str], code: i32) -> Planned {
        Planned {
            args: args.iter().map(|s| s.to_string()).collect(),
            code,
            files: Vec::new(),
            summary: None,
        }
    }

    fn run(self, repo: &Path) -> Run {
        let env: Vec<(&str, &Path)> = self
            .summary
            .as_deref()
            .map(|s| ("GITHUB_STEP_SUMMARY", s))
            .into_iter()
            .collect();
        let out = rapport(repo, &self.args, &env)
            .output()
            .expect("rapport runs");
        let (code, mut outputs) = outputs(out);
        let shown = self.args.join(" ");
        assert_eq!(
            code,
            self.code,
            "rapport {shown}\n{}",
            String::from_utf8_lossy(&outputs[1].1)
        );
        for file in self.files {
            let bytes = std::fs::read(&file)
                .unwrap_or_else(|e| panic!("rapport {shown}: {}: {e}", file.display()));
            assert!(!bytes.is_empty(), "{} is empty", file.display());
            outputs.push((file.display().to_string(), bytes));
        }
        Run {
            args: self.args,
            code,
            outputs,
        }
    }
}

/// The commands whose proofs this file gives, each with the exit code it must have: `check` of
/// the working tree, of commits and as the gate; `timeline` at `pr` and `main`; `report` in
/// every format, each also writing every format to files under `outside`, with the job summary
/// there too.
fn every_command(repo: &Path, outside: &Path) -> Vec<Run> {
    let repo_text = repo.to_string_lossy().into_owned();
    let repo_text = repo_text.as_str();
    let mut plan = Vec::new();
    for format in ["text", "json"] {
        // An error (the price cut in half) fails the check; the gate fails on the worsened one.
        plan.push(Planned::new(&["check", repo_text, "--format", format], 1));
        for rev in ["HEAD", "main"] {
            plan.push(Planned::new(
                &["check", repo_text, "--rev", rev, "--format", format],
                1,
            ));
            plan.push(Planned::new(
                &[
                    "timeline",
                    "northwind",
                    "--path",
                    repo_text,
                    "--rev",
                    rev,
                    "--format",
                    format,
                ],
                0,
            ));
        }
        plan.push(Planned::new(
            &["check", repo_text, "--base", "main", "--format", format],
            1,
        ));
    }
    for (i, format) in FORMATS.iter().enumerate() {
        let dir = outside.join(format!("report-{i}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let mut run = Planned::new(
            &["report", repo_text, "--base", "main", "--format", format],
            0,
        );
        for other in FORMATS {
            let file = dir.join(format!("rapport-{other}.out"));
            run.args.push("--output".into());
            run.args.push(format!("{other}={}", file.display()));
            run.files.push(file);
        }
        // Only `--format github` writes the job summary.
        let summary = dir.join("summary.md");
        if *format == "github" {
            run.files.push(summary.clone());
        }
        run.summary = Some(summary);
        plan.push(run);
    }
    // Without --base: the base is origin/HEAD, which is only read, never fetched.
    plan.push(Planned::new(&["report", repo_text, "--format", "json"], 0));
    plan.into_iter().map(|p| p.run(repo)).collect()
}

// ---------------------------------------------------------------------------------------------
// Read-only.

/// What is kept of a file system entry: kind and mode, size, times, inode, and for a file its
/// bytes, for a link its target.
#[derive(Debug, PartialEq)]
struct Entry {
    kind: &'static str,
    mode: u32,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
    inode: u64,
    bytes: Vec<u8>,
}

/// Every entry under `root` (`.git` included), by path relative to it.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let (kind, bytes) = if meta.file_type().is_symlink() {
                let target = std::fs::read_link(&path).expect("readlink");
                ("link", target.to_string_lossy().as_bytes().to_vec())
            } else if meta.is_dir() {
                stack.push(path.clone());
                ("dir", Vec::new())
            } else {
                ("file", std::fs::read(&path).expect("read"))
            };
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            out.insert(
                relative,
                Entry {
                    kind,
                    mode: meta.mode(),
                    // A directory's size follows its entries, as its times do.
                    size: meta.size(),
                    mtime: (meta.mtime(), meta.mtime_nsec()),
                    ctime: (meta.ctime(), meta.ctime_nsec()),
                    inode: meta.ino(),
                    bytes,
                },
            );
        }
    }
    // The root's own times change when an entry is added to or removed from it.
    let meta = std::fs::metadata(root).expect("root");
    out.insert(
        PathBuf::new(),
        Entry {
            kind: "dir",
            mode: meta.mode(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
            inode: meta.ino(),
            bytes: Vec::new(),
        },
    );
    out
}

/// The differences between two snapshots, one line each.
fn differences(before: &BTreeMap<PathBuf, Entry>, after: &BTreeMap<PathBuf, Entry>) -> Vec<String> {
    let mut out = Vec::new();
    for (path, was) in before {
        match after.get(path) {
            None => out.push(format!("removed {}", path.display())),
            Some(is) if is != was => {
                let what = if is.bytes != was.bytes {
                    "contents"
                } else if is.size != was.size {
                    "size"
                } else if is.mtime != was.mtime {
                    "mtime"
                } else if is.ctime != was.ctime {
                    "ctime"
                } else {
                    "mode or inode"
                };
                out.push(format!("{what} changed: {}", path.display()));
            }
            Some(_) => {}
        }
    }
    for path in after.keys().filter(|p| !before.contains_key(*p)) {
        out.push(format!("added {}", path.display()));
    }
    out
}

fn locks(snapshot: &BTreeMap<PathBuf, Entry>) -> Vec<&PathBuf> {
    snapshot
        .keys()
        .filter(|p| p.extension().is_some_and(|e| e == "lock"))
        .collect()
}

#[test]
fn check_timeline_and_report_leave_the_repository_byte_for_byte() {
    let script = ledger();
    let outside = tempfile::tempdir().expect("a folder outside the repository");
    let before = snapshot(script.path());
    assert!(
        before.keys().any(|p| p.starts_with(".git/objects")),
        "the snapshot covers .git"
    );
    assert!(locks(&before).is_empty(), "{:?}", locks(&before));
    let runs = every_command(script.path(), outside.path());
    let after = snapshot(script.path());
    assert!(
        locks(&after).is_empty(),
        "lock files left: {:?}",
        locks(&after)
    );
    let changed = differences(&before, &after);
    assert!(
        changed.is_empty(),
        "after {} runs ({}), the repository changed:\n{}",
        runs.len(),
        runs.iter()
            .map(|r| r.args[0].as_str())
            .collect::<Vec<_>>()
            .join(", "),
        changed.join("\n")
    );
}

#[test]
fn demo_keep_writes_only_its_own_new_folder() {
    let script = ledger();
    let scratch = tempfile::tempdir().expect("scratch");
    let (home, tmp, keep) = (
        scratch.path().join("home"),
        scratch.path().join("tmp"),
        scratch.path().join("sample"),
    );
    for dir in [&home, &tmp] {
        std::fs::create_dir(dir).expect("mkdir");
    }
    let before = snapshot(script.path());
    let keep_text = keep.to_string_lossy().into_owned();
    // Run from inside the ledger repository, as someone trying rapport there would.
    let out = rapport(
        script.path(),
        &["demo", "--keep", &keep_text],
        &[("HOME", &home), ("TMPDIR", &tmp)],
    )
    .output()
    .expect("demo runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = snapshot(script.path());
    assert!(locks(&after).is_empty(), "{:?}", locks(&after));
    let changed = differences(&before, &after);
    assert!(changed.is_empty(), "{}", changed.join("\n"));
    // Beside the ledger, only the kept folder appeared; home and the temporary folder are empty.
    let mut beside: Vec<String> = std::fs::read_dir(scratch.path())
        .expect("scratch")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    beside.sort();
    assert_eq!(beside, ["home", "sample", "tmp"]);
    for dir in [&home, &tmp] {
        let left: Vec<_> = std::fs::read_dir(dir).expect("read").collect();
        assert!(left.is_empty(), "{} holds {left:?}", dir.display());
    }
    assert!(keep.join(".git").is_dir() && keep.join("partners").is_dir());
}

// ---------------------------------------------------------------------------------------------
// Redaction.

/// The ways a renderer could print a whole number: plain, with thousands grouped by a comma, a
/// dot, an apostrophe or a (thin, no-break) space, as a float, abbreviated, in exponent form.
fn renderings(n: u32) -> Vec<String> {
    let digits = n.to_string();
    let grouped = |sep: &str| {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(c);
        }
        out
    };
    let mut out = vec![digits.clone(), format!("{n}.0"), format!("{n}.00")];
    for sep in [",", ".", "'", " ", "\u{a0}", "\u{202f}", "\u{2009}", "_"] {
        out.push(grouped(sep));
    }
    if n.is_multiple_of(1000) {
        out.push(format!("{}k", n / 1000));
        out.push(format!("{}K", n / 1000));
    } else {
        let thousands = format!("{:.1}", f64::from(n) / 1000.0);
        out.push(format!("{thousands}k"));
        out.push(format!("{thousands}K"));
    }
    let exponent = format!("{:e}", f64::from(n));
    out.push(exponent.clone());
    out.push(exponent.to_uppercase());
    out.sort();
    out.dedup();
    out
}

/// The text as a reader sees it through each format's escaping: percent-encoding (workflow
/// commands, links), HTML entities, Markdown backslashes and zero-width breaks (@-mentions).
fn unescaped(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let decoded = percent_encoding::percent_decode_str(&text)
        .decode_utf8_lossy()
        .into_owned();
    let mut text = decoded
        .replace("&#64;", "@")
        .replace("&#x40;", "@")
        .replace("&commat;", "@")
        .replace("&#46;", ".")
        .replace("&period;", ".")
        .replace("&#44;", ",")
        .replace("&comma;", ",")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
        .replace("\\u0040", "@");
    for invisible in [
        '\\', '\u{200b}', '\u{200c}', '\u{200d}', '\u{2060}', '\u{feff}', '`',
    ] {
        text = text.replace(invisible, "");
    }
    text
}

/// Where `needle` occurs in `text` as a number of its own: not inside a longer number (no
/// digit right before or after it, nor a separator with a digit beyond it).
fn number_at(text: &str, needle: &str) -> Option<usize> {
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    // A set of characters, not output: the separators of a number.
    let separator = |c: Option<char>| c.is_some_and(|c| ",.'_".contains(c));
    text.match_indices(needle).map(|(i, _)| i).find(|&i| {
        let mut before = text[..i].chars().rev();
        let mut after = text[i + needle.len()..].chars();
        let (b1, b2) = (before.next(), before.next());
        let (a1, a2) = (after.next(), after.next());
        let longer = |next: Option<char>, beyond: Option<char>| {
            digit(next) || (separator(next) && digit(beyond))
        };
        !longer(b1, b2) && !longer(a1, a2)
    })
}

/// Every redacted value found in `output`, as `value (as printed): context`.
fn leaks(output: &[u8]) -> Vec<String> {
    let views = [
        String::from_utf8_lossy(output).into_owned(),
        unescaped(output),
    ];
    let mut found = Vec::new();
    let context = |text: &str, at: usize| {
        let start = (0..=at.saturating_sub(60))
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let end = ((at + 60).min(text.len())..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        text[start..end].replace('\n', "⏎")
    };
    for view in &views {
        for n in PRICES.iter().chain(&ACTUALS).chain([&ADDED_ACTUAL]) {
            for shown in renderings(*n) {
                if let Some(at) = number_at(view, &shown) {
                    found.push(format!("{n} (as {shown:?}): …{}…", context(view, at)));
                }
            }
        }
        for email in EMAILS {
            // The address, or its local part alone (the domain names the company, not whom).
            let (local, _) = email.split_once('@').expect("an address");
            for part in [email, local] {
                if let Some(at) = view.find(part) {
                    found.push(format!("{email} (as {part:?}): …{}…", context(view, at)));
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn the_values_scanned_for_are_those_of_the_history() {
    // The scan finds the values where the file holds them, and in every rendering it knows.
    let found = leaks(northwind(&START, 5).as_bytes());
    assert!(found.iter().any(|l| l.starts_with("126000 ")), "{found:?}");
    assert!(found.iter().any(|l| l.starts_with("41250 ")), "{found:?}");
    assert!(found.iter().any(|l| l.starts_with(DANA)), "{found:?}");
    for shown in [
        "EUR 126,000",
        "126 000 €",
        "126.000",
        "1.26e5",
        "126k",
        "126000.0",
    ] {
        assert!(!leaks(shown.as_bytes()).is_empty(), "{shown}");
    }
    assert!(!leaks(b"d.whitfield%40northwind-group.example").is_empty());
    assert!(!leaks("dana.whitfield@\u{200b}northwind-analytics.example".as_bytes()).is_empty());
    // Other numbers are not mistaken for them.
    assert!(leaks(b"1,126,000 and 1260000 and 2024-01-26 and 126.0001").is_empty());
}

#[test]
fn redacted_fields_show_in_no_output_of_check_timeline_or_report() {
    let script = ledger();
    let outside = tempfile::tempdir().expect("a folder outside the repository");
    let runs = every_command(script.path(), outside.path());
    let mut leaked = Vec::new();
    for run in &runs {
        for (name, bytes) in &run.outputs {
            for leak in leaks(bytes) {
                leaked.push(format!(
                    "rapport {} (exit {}), {name}: {leak}",
                    run.args.join(" "),
                    run.code
                ));
            }
        }
    }
    assert!(leaked.is_empty(), "{}", leaked.join("\n"));
    // The masked values are there to be masked: the findings and changes speak of them.
    let said = |args0: &str, name: &str, needle: &str| {
        runs.iter().any(|r| {
            r.args[0] == args0
                && r.outputs
                    .iter()
                    // Many runs' outputs: each masked value is looked for where it is spoken of.
                    .any(|(n, b)| n.ends_with(name) && String::from_utf8_lossy(b).contains(needle))
        })
    };
    assert!(said("check", "stdout", "the price was cut"));
    assert!(said("check", "stdout", "[redacted]"));
    assert!(said("report", "rapport-markdown.out", "[redacted]"));
    assert!(said("report", "summary.md", "rapport-report"));
    assert!(said("report", "rapport-text.out", "terms.price"));
    assert!(said("timeline", "stdout", "price-cut"));
}

/// Regression: a list entry added whole (a new KPI) showed its redacted `actual` in the
/// review's field changes, in every report format.
#[test]
fn a_kpi_added_whole_shows_no_redacted_actual() {
    let script = ledger();
    let out = rapport(
        script.path(),
        &["report", ".", "--base", "main", "--format", "json"],
        &[],
    )
    .output()
    .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let changes = report["partnerships"][0]["changes"].to_string();
    assert!(
        changes
            // The review's changes as JSON text: the added KPI with its actual masked.
            .contains("{actual: [redacted], name: Marketplace revenue, target: 90000, unit: EUR}"),
        "{changes}"
    );
    assert!(!changes.contains(&ADDED_ACTUAL.to_string()), "{changes}");
}

/// Regression: `timeline` showed redacted fields raw, in its field changes and its series.
#[test]
fn the_timeline_masks_changes_and_leaves_out_redacted_series() {
    let script = ledger();
    let out = rapport(
        script.path(),
        &["timeline", "northwind", "--format", "json"],
        &[],
    )
    .output()
    .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let view: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let series: Vec<&str> = view["series"]
        .as_array()
        .expect("series")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(series, ["terms.payment_days"]);
    let changes: Vec<String> = view["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .flat_map(|v| v["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| {
            c["path"]
                .as_str()
                .is_some_and(|p| p == "terms.price" || p.ends_with(".email"))
        })
        .map(|c| format!("{} {} → {}", c["path"], c["from"], c["to"]))
        .collect();
    assert_eq!(
        changes,
        [
            "\"contacts.Dana Whitfield.email\" \"[redacted]\" → \"[redacted]\"",
            "\"terms.price\" \"[redacted]\" → \"[redacted]\"",
            "\"terms.price\" \"[redacted]\" → \"[redacted]\"",
            "\"contacts.Omar Haddad.email\" \"[redacted]\" → \"[redacted]\"",
            "\"terms.price\" \"[redacted]\" → \"[redacted]\"",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// No network.

/// Why strace cannot trace here, if it cannot.
fn strace_unavailable() -> Option<String> {
    match Command::new("strace")
        .args(["-f", "-e", "trace=network", "-o", "/dev/null", "true"])
        .output()
    {
        Err(e) => Some(format!(
            "strace is not installed ({e}); apt-get install -y strace (.ci/run installs it)"
        )),
        Ok(out) if !out.status.success() => Some(format!(
            "strace cannot trace here (ptrace not permitted?): {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Ok(_) => None,
    }
}

#[test]
fn no_network_connection_is_attempted() {
    if let Some(why) = strace_unavailable() {
        eprintln!("SKIPPED the network proof: {why}");
        return;
    }
    let script = ledger();
    let outside = tempfile::tempdir().expect("a folder outside the repository");
    let repo = script.path().to_string_lossy().into_owned();
    let out_file = outside.path().join("report.sarif").display().to_string();
    let runs: [(&[&str], i32); 8] = [
        (&["check", &repo], 1),
        (&["check", &repo, "--rev", "HEAD", "--format", "json"], 1),
        (&["check", &repo, "--base", "main"], 1),
        (&["timeline", "northwind", "--path", &repo], 0),
        (&["report", &repo, "--base", "main"], 0),
        // The base from the CI's environment and from origin/HEAD: read, never fetched.
        (&["report", &repo, "--format", "github"], 0),
        (&["report", &repo, "--format", "markdown"], 0),
        (
            &[
                "report",
                &repo,
                "--base",
                "main",
                "--output",
                &format!("sarif={out_file}"),
            ],
            0,
        ),
    ];
    for (i, (args, expected)) in runs.iter().enumerate() {
        let trace = outside.path().join(format!("trace-{i}.txt"));
        let mut cmd = Command::new("strace");
        cmd.args(["-f", "-qq", "-e", "trace=network", "-o"])
            .arg(&trace)
            .arg(binary())
            .args(*args)
            .current_dir(script.path())
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
            .env_remove("CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
        if i == 5 {
            cmd.env("GITHUB_BASE_REF", "main");
        } else {
            cmd.env_remove("GITHUB_BASE_REF");
        }
        let out = cmd.output().expect("strace runs");
        assert_eq!(
            out.status.code(),
            Some(*expected),
            "rapport {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        let calls = std::fs::read_to_string(&trace).expect("the trace");
        let network: Vec<&str> = calls
            .lines()
            .filter(|l| {
                // An strace log: the network calls, picked out of every system call.
                l.contains("connect(")
                    || l.contains("socket(AF_INET")
                    || l.contains("socket(AF_INET6")
            })
            .collect();
        assert!(
            network.is_empty(),
            "rapport {} made network calls:\n{}",
            args.join(" "),
            network.join("\n")
        );
    }
}

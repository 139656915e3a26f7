//! How fast rapport reads history, beside git reading the same history. Builds the synthetic
//! ledgers (examples/synth_ledger.rs, at 1x and 3x) if they are not there, then prints side by
//! side, median of several runs: a full `rapport check --rev HEAD` against
//! `git log -p -- partners/` (with CPU time and peak memory), one
//! partnership's `rapport timeline ID` against `git log -p -- FILE`, and the pull-request
//! report (`rapport report --base main --head bench-pr`, a branch made once from the main tip
//! changing three partnership files) against `git log -p bench-pr -- FILE1 FILE2 FILE3`, with
//! its peak memory, how its time splits, and the same on a ledger of 250 partnerships; and
//! `rapport portfolio --rev HEAD` beside `rapport check --rev HEAD`, time and peak memory; and
//! the weekly digest (`rapport digest --since 1w --until HEAD`: two points, one reading of the
//! history) beside the same check; and `rapport lsp`'s work on an edit of the file with the
//! longest history (its history read once, then each edit reparsed and its partnership's rules
//! rerun), against 50 ms.
//!
//!     cargo bench --bench history [-- [--scale N] [REPO]]
//!     cargo bench --bench history -- --lsp-edit REPO [FILE]     (that last row alone)

#[path = "../examples/synth_ledger.rs"]
mod synth;

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rapport::history::{self, LedgerRepo};
use rapport::ledger::Ladder;

const RUNS: usize = 5;

// The same allocator as the `rapport` binary, so the library is measured as it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // The library runs here (the whole pass, the report, the language server) read every
    // version, as a first run does: no cache of parsed versions.
    rapport::history::store::disable();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child-all") {
        let repo = args.get(i + 1).map(PathBuf::from).unwrap_or_default();
        child_all(&repo);
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--child-report") {
        let arg = |n: usize| args.get(i + n).cloned().unwrap_or_default();
        child_report(Path::new(&arg(1)), &arg(2), &arg(3));
        return;
    }
    if let Some(i) = args.iter().position(|a| a == "--lsp-edit") {
        let repo = args.get(i + 1).map(PathBuf::from).unwrap_or_default();
        let file = args
            .get(i + 2)
            .cloned()
            .unwrap_or_else(|| most_changed(&repo));
        output(&repo, "git", &["checkout", "HEAD", "--", &file]);
        let (first, edit) = lsp_edit(&repo, &file);
        println!("{}: {file}", repo.display());
        println!(
            "rapport lsp: first analysis (history read)   {}",
            seconds(first)
        );
        println!(
            "rapport lsp: an edit re-analysed              {} (target 0.050 s: {})",
            seconds(edit),
            if edit <= LSP_EDIT_TARGET {
                "ok"
            } else {
                "MISS"
            }
        );
        return;
    }
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!(
            "usage: cargo bench --bench history -- [--scale N] [REPO]\n\n\
             Without REPO: the synthetic ledger at 1x (1,000 partnerships, 20,000 commits) and 3x,\n\
             built under target/ on first use, figures side by side; --scale N measures N x alone.\n\
             With REPO: any repository with a partners/ folder."
        );
        return;
    }
    let scale = args
        .iter()
        .position(|a| a == "--scale")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| *n > 0);
    let scale_value = |i: usize| i > 0 && args.get(i - 1).is_some_and(|p| p == "--scale");
    let given = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && !scale_value(*i))
        .map(|(_, a)| PathBuf::from(a));
    let synthetic = |name: &str| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target")
            .join(name)
    };
    let rapport = env!("CARGO_BIN_EXE_rapport");
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("history"));
    let ledgers: Vec<(String, PathBuf)> = match &given {
        Some(repo) => vec![("given".to_string(), repo.clone())],
        None => {
            let scales = scale.map_or_else(|| vec![1, 3], |s| vec![s]);
            scales
                .into_iter()
                .map(|s| {
                    let repo = if s == 1 {
                        synthetic("synth-ledger")
                    } else {
                        synthetic(&format!("synth-ledger-{s}x"))
                    };
                    ensure_ledger(&repo, 1000 * s, 20_000 * s);
                    (format!("{s}x"), repo)
                })
                .collect()
        }
    };
    println!("median of {RUNS} runs after one warm-up, output read through a pipe\n");
    let figures: Vec<Figures> = ledgers
        .iter()
        .map(|(name, repo)| measure(name, repo, rapport, &me))
        .collect();
    print_figures(&figures);

    // The pull-request report, on the first ledger and (for the synthetic one) on a ledger of
    // 250 partnerships with as many commits: what the change did not touch should not count.
    let mut reviewed = vec![ledgers[0].1.clone()];
    if given.is_none() {
        let small = synthetic("synth-ledger-250");
        ensure_ledger(&small, 250, 20_000);
        reviewed.push(small);
    }
    println!();
    for (n, ledger) in reviewed.iter().enumerate() {
        pull_request_figures(ledger, rapport, &me, n == 0);
    }
    println!("\nload average at the end: {}", load_average());
}

/// The 1-, 5- and 15-minute load averages, as the kernel reports them.
fn load_average() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What the benchmark measures on one ledger.
struct Figures {
    name: String,
    repo: PathBuf,
    commits: String,
    /// `rapport check --rev HEAD`: wall time, CPU seconds and peak memory (kB).
    check: Duration,
    check_cpu: Option<f64>,
    check_peak_kb: Option<u64>,
    all_git: Duration,
    all_git_cpu: Option<f64>,
    all_git_peak_kb: Option<u64>,
    /// `rapport check --rev HEAD` with a warm cache of parsed versions, and git in turns with it.
    warm: Duration,
    warm_git: Duration,
    warm_cpu: Option<f64>,
    /// The library's whole-ledger pass alone: its output line (versions, time, peak).
    library: String,
    one_id: String,
    one: Duration,
    one_git: Duration,
    one_git_follow: Duration,
    /// `rapport check FILE`: the pre-commit hook's path.
    one_check: Duration,
    /// `git log -p -- FILE`, measured in turns with `one_check`.
    one_check_git: Duration,
    /// CPU seconds and peak memory (kB) of `rapport check FILE` and of `git log -p -- FILE`.
    one_check_cpu: Option<(f64, u64)>,
    one_git_cpu: Option<(f64, u64)>,
    /// `rapport portfolio --rev HEAD`: wall time and peak memory (kB).
    portfolio: Duration,
    portfolio_peak_kb: Option<u64>,
    /// `rapport digest --since 1w --until HEAD`: wall time.
    digest: Duration,
    /// `rapport lsp` on the file of `one_id`: the first analysis (its history read), then the
    /// median re-analysis after an edit.
    lsp_first: Duration,
    lsp_edit: Duration,
    load_before: String,
    load_after: String,
}

fn measure(name: &str, repo: &Path, rapport: &str, me: &Path) -> Figures {
    let load_before = load_average();
    let file = most_changed(repo);
    let one_id = file
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".md"))
        .unwrap_or_default()
        .to_string();
    let commits = output(repo, "git", &["rev-list", "--count", "HEAD"])
        .trim()
        .to_string();
    eprintln!("measuring {name}: {} ({commits} commits)", repo.display());
    // Cold: `--no-cache`, every version read and parsed as on a first run (a first run also
    // writes the cache); warm: the cache under `target/bench-cache`, filled by the warm-up run.
    let check_args = ["--no-cache", "check", "--rev", "HEAD"];
    let warm_args = ["check", "--rev", "HEAD"];
    let log_args = ["log", "-p", "--", "partners/"];
    // rapport and git take turns, so a change in the machine's load falls on both.
    let (check, all_git) = medians(
        || drain(repo, rapport, &check_args),
        || drain(repo, "git", &log_args),
    );
    let (warm, warm_git) = medians(
        || drain(repo, rapport, &warm_args),
        || drain(repo, "git", &log_args),
    );
    let warm_cpu = cpu_and_peak(repo, rapport, &warm_args).map(|(cpu, _)| cpu);
    let (check_cpu, check_peak_kb) = cpu_and_peak(repo, rapport, &check_args).unzip();
    let (all_git_cpu, all_git_peak_kb) = cpu_and_peak(repo, "git", &log_args).unzip();
    let library = Command::new(me)
        .args(["--child-all", &repo.to_string_lossy()])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    let (one, one_git) = medians(
        || drain(repo, rapport, &["--no-cache", "timeline", &one_id]),
        || drain(repo, "git", &["log", "-p", "--", &file]),
    );
    let one_git_follow = median(|| drain(repo, "git", &["log", "-p", "--follow", "--", &file]));
    // The portfolio is the full check plus each partnership's trend: beside the check.
    let portfolio_args = ["--no-cache", "portfolio", "--rev", "HEAD"];
    let portfolio = median(|| drain(repo, rapport, &portfolio_args));
    let portfolio_peak_kb = cpu_and_peak(repo, rapport, &portfolio_args).map(|(_, kb)| kb);
    // The digest analyses two points in time from one reading of the history.
    let digest = median(|| {
        drain(
            repo,
            rapport,
            &["--no-cache", "digest", "--since", "1w", "--until", "HEAD"],
        )
    });
    // The pre-commit hook's path: `rapport check FILE` on a staged file in the working tree,
    // read with its own history only. The synthetic ledger is written without a working tree,
    // so the file is checked out first.
    output(repo, "git", &["checkout", "HEAD", "--", &file]);
    let hook = ["--no-cache", "check", "--fail-on", "never", file.as_str()];
    let checked = Command::new(rapport)
        .args(hook)
        .current_dir(repo)
        .output()
        .expect("rapport runs");
    assert!(
        checked.status.success(),
        "rapport check {file} fails: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let (one_check, one_check_git) = medians(
        || drain(repo, rapport, &hook),
        || drain(repo, "git", &["log", "-p", "--", &file]),
    );
    let one_check_cpu = cpu_and_peak(repo, rapport, &hook);
    let one_git_cpu = cpu_and_peak(repo, "git", &["log", "-p", "--", &file]);
    let (lsp_first, lsp_edit) = lsp_edit(repo, &file);
    Figures {
        name: name.to_string(),
        repo: repo.to_path_buf(),
        commits,
        check,
        check_cpu,
        check_peak_kb,
        all_git,
        all_git_cpu,
        all_git_peak_kb,
        warm,
        warm_git,
        warm_cpu,
        library,
        one_id: format!("{one_id} ({file})"),
        one,
        one_git,
        one_git_follow: one_git_follow.0,
        one_check,
        one_check_git,
        one_check_cpu,
        one_git_cpu,
        portfolio: portfolio.0,
        portfolio_peak_kb,
        digest: digest.0,
        lsp_first,
        lsp_edit,
        load_before,
        load_after: load_average(),
    }
}

/// The figures of every ledger measured, side by side.
fn print_figures(figures: &[Figures]) {
    for f in figures {
        println!(
            "{}: {} ({} commits); one partnership: {}; load average {} before, {} after",
            f.name,
            f.repo.display(),
            f.commits,
            f.one_id,
            f.load_before,
            f.load_after
        );
    }
    println!();
    print!("{:<48}", "what");
    for f in figures {
        print!(" {:>22}", f.name);
    }
    println!(" {:>8}", "target");
    let line = |what: &str, cells: Vec<String>, target: &str| {
        print!("{what:<48}");
        for cell in cells {
            print!(" {cell:>22}");
        }
        println!(" {target:>8}");
    };
    let ratio = |ours: Duration, git: Duration| ours.as_secs_f64() / git.as_secs_f64().max(1e-9);
    let cpu = |c: Option<f64>| c.map_or_else(|| "-".to_string(), |c| format!("{c:.2} s"));
    line(
        "rapport check --rev HEAD",
        figures.iter().map(|f| seconds(f.check)).collect(),
        "",
    );
    line(
        "git log -p -- partners/",
        figures.iter().map(|f| seconds(f.all_git)).collect(),
        "",
    );
    line(
        "  ratio (wall)",
        figures
            .iter()
            .map(|f| verdict(ratio(f.check, f.all_git), 1.0))
            .collect(),
        "1.0x",
    );
    line(
        "  CPU (user + system): check / git log -p",
        figures
            .iter()
            .map(|f| format!("{} / {}", cpu(f.check_cpu), cpu(f.all_git_cpu)))
            .collect(),
        "",
    );
    line(
        "  ratio (CPU)",
        figures
            .iter()
            .map(|f| match (f.check_cpu, f.all_git_cpu) {
                (Some(ours), Some(git)) => verdict(ours / git.max(1e-9), 2.0),
                _ => "no /usr/bin/time".to_string(),
            })
            .collect(),
        "2.0x",
    );
    line(
        "  peak memory, check / git log -p (GNU time %M)",
        figures
            .iter()
            .map(|f| {
                let limit = if f.name == "1x" { 256 } else { 512 };
                f.check_peak_kb.map_or_else(
                    || "no /usr/bin/time".to_string(),
                    |kb| {
                        let mb = kb as f64 / 1024.0;
                        let git = f.all_git_peak_kb.unwrap_or(0) as f64 / 1024.0;
                        let ok = if mb <= f64::from(limit) { "ok" } else { "MISS" };
                        format!("{mb:.0} / {git:.0} MB {ok}")
                    },
                )
            })
            .collect(),
        "256/512MB",
    );
    line(
        "rapport check --rev HEAD, warm cache",
        figures
            .iter()
            .map(|f| format!("{} ({})", seconds(f.warm), cpu(f.warm_cpu)))
            .collect(),
        "",
    );
    line(
        "  ratio to git log -p -- partners/ (wall)",
        figures
            .iter()
            .map(|f| verdict(ratio(f.warm, f.warm_git), 0.3))
            .collect(),
        "0.3x",
    );
    line(
        "rapport timeline ID",
        figures.iter().map(|f| seconds(f.one)).collect(),
        "",
    );
    line(
        "git log -p -- FILE",
        figures.iter().map(|f| seconds(f.one_git)).collect(),
        "",
    );
    line(
        "  ratio (wall)",
        figures
            .iter()
            .map(|f| verdict(ratio(f.one, f.one_git), 1.5))
            .collect(),
        "1.5x",
    );
    line(
        "  vs git log -p --follow -- FILE",
        figures
            .iter()
            .map(|f| format!("{:.2}x", ratio(f.one, f.one_git_follow)))
            .collect(),
        "",
    );
    line(
        "rapport check FILE (the pre-commit hook)",
        figures.iter().map(|f| seconds(f.one_check)).collect(),
        "",
    );
    line(
        "git log -p -- FILE",
        figures.iter().map(|f| seconds(f.one_check_git)).collect(),
        "",
    );
    line(
        "  ratio (wall)",
        figures
            .iter()
            .map(|f| verdict(ratio(f.one_check, f.one_check_git), 1.5))
            .collect(),
        "1.5x",
    );
    line(
        "  CPU, peak: check FILE / git log -p -- FILE",
        figures
            .iter()
            .map(|f| match (f.one_check_cpu, f.one_git_cpu) {
                (Some((c, k)), Some((g, gk))) => format!(
                    "{c:.2}/{g:.2} s {:.0}/{:.0} MB",
                    k as f64 / 1024.0,
                    gk as f64 / 1024.0
                ),
                _ => "no /usr/bin/time".to_string(),
            })
            .collect(),
        "",
    );
    line(
        "rapport portfolio --rev HEAD vs check",
        figures
            .iter()
            .map(|f| verdict(ratio(f.portfolio, f.check), 1.2))
            .collect(),
        "1.2x",
    );
    line(
        "  peak memory, portfolio vs check",
        figures
            .iter()
            .map(|f| match (f.portfolio_peak_kb, f.check_peak_kb) {
                (Some(ours), Some(check)) => format!(
                    "{:.0} / {:.0} MB {}",
                    ours as f64 / 1024.0,
                    check as f64 / 1024.0,
                    if ours <= check { "ok" } else { "MISS" }
                ),
                _ => "no /usr/bin/time".to_string(),
            })
            .collect(),
        "<=check",
    );
    line(
        "rapport digest --since 1w --until HEAD vs check",
        figures
            .iter()
            .map(|f| verdict(ratio(f.digest, f.check), 1.3))
            .collect(),
        "1.3x",
    );
    line(
        "rapport lsp: first analysis (history read)",
        figures.iter().map(|f| seconds(f.lsp_first)).collect(),
        "",
    );
    line(
        "rapport lsp: an edit re-analysed",
        figures
            .iter()
            .map(|f| {
                let ok = if f.lsp_edit <= LSP_EDIT_TARGET {
                    "ok"
                } else {
                    "MISS"
                };
                format!("{} {ok}", seconds(f.lsp_edit))
            })
            .collect(),
        "0.050 s",
    );
    println!();
    for f in figures {
        println!(
            "{} library pass (history::each_partnership): {}",
            f.name, f.library
        );
    }
}

/// What an edit may cost the language server: the user is typing.
const LSP_EDIT_TARGET: Duration = Duration::from_millis(50);

/// The language server's work on `file` (checked out in `repo`): the first analysis, which
/// reads the file's history, then the median of `RUNS` edits, each re-analysed with the
/// history kept.
fn lsp_edit(repo: &Path, file: &str) -> (Duration, Duration) {
    use rapport::analysis::buffer::Buffers;
    let ledger = rapport::analysis::open(&[repo.join("partners")]).expect("the ledger opens");
    let mut buffers = Buffers::open(ledger).expect("the ledger's repository opens");
    let text = std::fs::read_to_string(repo.join(file)).expect("the file is checked out");
    let today = rapport::ledger::Date::today();
    let started = Instant::now();
    buffers
        .analyse(file, &text, today)
        .expect("the file is analysed");
    let first = started.elapsed();
    let mut times = Vec::new();
    for i in 0..RUNS {
        let edited = format!("{text}\nFollow-up {i}: the partner sent the revised plan.\n");
        let started = Instant::now();
        buffers
            .analyse(file, &edited, today)
            .expect("the edit is analysed");
        times.push(started.elapsed());
    }
    assert_eq!(buffers.history_reads(), 1, "the history is read once");
    times.sort();
    (first, times[RUNS / 2])
}

fn verdict(ratio: f64, target: f64) -> String {
    let ok = if ratio <= target { "ok" } else { "MISS" };
    format!("{ratio:.2}x {ok}")
}

/// Builds the synthetic ledger of `partnerships` and `commits` at `repo` unless it is there.
fn ensure_ledger(repo: &Path, partnerships: usize, commits: usize) {
    if repo.join(".git").exists() {
        return;
    }
    eprintln!("building the synthetic ledger in {} ...", repo.display());
    let started = Instant::now();
    if let Err(error) = synth::generate(repo, partnerships, commits) {
        eprintln!("cannot build the synthetic ledger: {error}");
        std::process::exit(2);
    }
    eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
}

fn row(what: &str, ours: Duration, git: Duration, target: f64) {
    let ratio = ours.as_secs_f64() / git.as_secs_f64().max(1e-9);
    let verdict = if ratio <= target { "ok" } else { "MISS" };
    println!(
        "{what:<44} {:>10} {:>10} {:>6.2}x {:>5.1}x {verdict}",
        seconds(ours),
        seconds(git),
        ratio,
        target
    );
}

fn seconds(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

/// Runs `f` once to warm caches, then `RUNS` times; the median wall time and the last output.
fn median(mut f: impl FnMut() -> String) -> (Duration, String) {
    f();
    let mut times = Vec::new();
    let mut last = String::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        last = f();
        times.push(started.elapsed());
    }
    times.sort();
    (times[RUNS / 2], last)
}

/// Runs `ours` and `theirs` once each to warm caches, then `RUNS` times each in turns, so a
/// change in the machine's load falls on both; their median wall times.
fn medians(
    mut ours: impl FnMut() -> String,
    mut theirs: impl FnMut() -> String,
) -> (Duration, Duration) {
    ours();
    theirs();
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..RUNS {
        let started = Instant::now();
        ours();
        a.push(started.elapsed());
        let started = Instant::now();
        theirs();
        b.push(started.elapsed());
    }
    a.sort();
    b.sort();
    (a[RUNS / 2], b[RUNS / 2])
}

/// The cache of parsed versions the benchmark's warm rows use, not the user's.
fn bench_cache() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-cache")
}

/// Runs a command in `dir`, reading (and counting) all it prints.
fn drain(dir: &Path, program: &str, args: &[&str]) -> String {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("RAPPORT_CACHE_DIR", bench_cache())
        .env("NO_COLOR", "1")
        .env("GIT_PAGER", "cat")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the command runs");
    let mut bytes = 0usize;
    let mut buf = vec![0u8; 1 << 16];
    if let Some(mut out) = child.stdout.take() {
        while let Ok(n) = out.read(&mut buf) {
            if n == 0 {
                break;
            }
            bytes += n;
        }
    }
    let _ = child.wait();
    format!("{bytes} bytes")
}

fn output(dir: &Path, program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default()
}

/// The partnership file changed in the most commits.
fn most_changed(repo: &Path) -> String {
    let names = output(
        repo,
        "git",
        &["log", "--format=", "--name-only", "--", "partners/"],
    );
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for name in names.lines().filter(|l| !l.is_empty()) {
        *counts.entry(name).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let head = output(
        repo,
        "git",
        &["ls-tree", "-r", "--name-only", "HEAD", "partners/"],
    );
    ranked
        .into_iter()
        .map(|(name, _)| name.to_string())
        .find(|name| head.lines().any(|l| l == name))
        .unwrap_or_default()
}

/// In a process of its own, so its peak memory is its own: the whole-ledger pass once, each
/// partnership's timeline counted and dropped, as `check` does.
fn child_all(repo: &Path) {
    let started = Instant::now();
    let ledger = LedgerRepo::open(repo, &["partners".to_string()]).expect("the ledger opens");
    let phases = Phases(started, std::sync::Mutex::default());
    let found = history::each_partnership(&ledger, "HEAD", &Ladder::default(), &phases, &|t, _| {
        t.versions.len()
    })
    .expect("the history reads");
    let elapsed = started.elapsed();
    let versions: usize = found.results.iter().sum();
    let peak_kb = vm_hwm_kb();
    let steps = phases.1.into_inner().unwrap_or_default().join(" ");
    println!(
        "timelines={} versions={versions} seconds={:.3} peak_kb={peak_kb} {steps}",
        found.results.len(),
        elapsed.as_secs_f64()
    );
}

/// The CPU time (user + system, seconds) and peak resident memory (kB) of `program`, medians
/// of [`RUNS`] runs, as GNU time reports them; `None` without GNU time.
fn cpu_and_peak(dir: &Path, program: &str, args: &[&str]) -> Option<(f64, u64)> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let file = std::env::temp_dir().join(format!("rapport-bench-cpu-{}", std::process::id()));
    let file_arg = file.to_string_lossy().to_string();
    let mut wrapped = vec!["-f", "%U %S %M", "-o", &file_arg, program];
    wrapped.extend_from_slice(args);
    let mut cpus = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..RUNS {
        drain(dir, "/usr/bin/time", &wrapped);
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let Some(last) = text.lines().last() else {
            continue;
        };
        let fields: Vec<&str> = last.split_whitespace().collect();
        if let [user, system, peak] = fields.as_slice()
            && let (Ok(u), Ok(s), Ok(p)) = (
                user.parse::<f64>(),
                system.parse::<f64>(),
                peak.parse::<u64>(),
            )
        {
            cpus.push(u + s);
            peaks.push(p);
        }
    }
    let _ = std::fs::remove_file(&file);
    cpus.sort_by(f64::total_cmp);
    peaks.sort_unstable();
    Some((*cpus.get(cpus.len() / 2)?, *peaks.get(peaks.len() / 2)?))
}

/// The branch the pull-request figures review.
const PR_BRANCH: &str = "bench-pr";

/// The pull-request report on `repo`: its time beside git's on the three files, its peak
/// memory, and how its time splits (in a process of its own).
fn pull_request_figures(repo: &Path, rapport: &str, me: &Path, header: bool) {
    let pr = match pull_request(repo) {
        Ok(pr) => pr,
        Err(error) => {
            eprintln!(
                "cannot make the {PR_BRANCH} branch in {}: {error}",
                repo.display()
            );
            return;
        }
    };
    let partnerships = output(
        repo,
        "git",
        &["ls-tree", "-r", "--name-only", &pr.base, "partners/"],
    )
    .lines()
    .filter(|l| l.ends_with(".md"))
    .count();
    let commits = output(repo, "git", &["rev-list", "--count", PR_BRANCH]);
    let report = [
        "--no-cache",
        "report",
        ".",
        "--base",
        &pr.base,
        "--head",
        PR_BRANCH,
        "--format",
        "json",
    ];
    let mut log = vec!["log", "-p", PR_BRANCH, "--"];
    log.extend(pr.files.iter().map(String::as_str));
    let ours = median(|| drain(repo, rapport, &report));
    let git = median(|| drain(repo, "git", &log));
    let peak_kb = peak_kb(repo, rapport, &report);
    let split = Command::new(me)
        .args([
            "--child-report",
            &repo.to_string_lossy(),
            &pr.base,
            PR_BRANCH,
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();

    if header {
        println!(
            "pull-request report: rapport report . --base {} --head {PR_BRANCH} --format json",
            pr.base
        );
        println!("  vs git log -p {PR_BRANCH} -- FILE1 FILE2 FILE3 (the three files it changes)");
    }
    println!(
        "{} ({partnerships} partnerships, {} commits), files: {}",
        repo.display(),
        commits.trim(),
        pr.files.join(" ")
    );
    row(
        "  report, 3 files vs git log -p -- 3 files",
        ours.0,
        git.0,
        1.5,
    );
    match peak_kb {
        Some(kb) => println!(
            "{:<44} {:>9.0}M {:>10} {:>7} {:>8}",
            "  peak memory, report (GNU time %M, median)",
            kb as f64 / 1024.0,
            "",
            "",
            if kb <= 64 * 1024 {
                "<=64M ok"
            } else {
                "<=64M MISS"
            }
        ),
        None => println!("  peak memory: /usr/bin/time (GNU time) is not installed"),
    }
    println!("  library run: {split}");
}

/// The base branch and the three files (at head) of the pull-request branch.
struct PullRequest {
    base: String,
    files: Vec<String>,
}

/// Makes [`PR_BRANCH`] from the main tip unless it is there already: three commits, each
/// changing one partnership file (payment terms stretched, a meeting added, a KPI actual
/// raised), written through an in-memory index with a fixed author and date, so the branch is
/// the same on every machine and the main branch, `HEAD` and the work tree are left alone.
fn pull_request(dir: &Path) -> Result<PullRequest, git2::Error> {
    let repo = git2::Repository::open(dir)?;
    let base = ["main", "master"]
        .into_iter()
        .find(|b| repo.find_branch(b, git2::BranchType::Local).is_ok())
        .ok_or_else(|| git2::Error::from_str("neither a main nor a master branch"))?;
    let tip = repo
        .find_branch(base, git2::BranchType::Local)?
        .get()
        .peel_to_commit()?;
    let pr = PullRequest {
        base: base.to_string(),
        files: pick_files(&tip.tree()?)?,
    };
    let files = &pr.files;
    let reference = format!("refs/heads/{PR_BRANCH}");
    if let Ok(existing) = repo
        .find_reference(&reference)
        .and_then(|r| r.peel_to_commit())
        && existing.id() != tip.id()
        && repo.merge_base(existing.id(), tip.id())? == tip.id()
    {
        return Ok(pr);
    }
    let when = tip.time().seconds() + 86_400;
    let day = chrono::DateTime::from_timestamp(when, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "2024-01-01".to_string());
    let meeting = format!(
        "\n## {day} Renewal review\nAttendees: Dana Whitfield, Priya Raman\n\nThe partner \
         asks for longer payment terms before the renewal; pricing is open again.\n\n- [ ] \
         ours: send the revised pricing plan\n- [ ] partner: share the pipeline numbers\n"
    );
    type Edit = Box<dyn Fn(&str) -> String>;
    let with_meeting = {
        let meeting = meeting.clone();
        move |text: &str| {
            let mut text = text.to_string();
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&meeting);
            text
        }
    };
    let steps: [(&str, &str, Edit); 3] = [
        (
            &files[0],
            "Stretch the payment terms",
            Box::new({
                let with_meeting = with_meeting.clone();
                move |t| bump(t, "payment_days: ", 45).unwrap_or_else(|| with_meeting(t))
            }),
        ),
        (
            &files[1],
            "Notes of the renewal review",
            Box::new(with_meeting.clone()),
        ),
        (
            &files[2],
            "Update the pipeline actual",
            Box::new(move |t| bump(t, "actual: ", 25_000).unwrap_or_else(|| with_meeting(t))),
        ),
    ];
    let mut parent = tip;
    for (n, (path, message, edit)) in steps.iter().enumerate() {
        let tree = parent.tree()?;
        let blob = tree
            .get_path(Path::new(path))?
            .to_object(&repo)?
            .peel_to_blob()?;
        let text = edit(&String::from_utf8_lossy(blob.content()));
        let mut index = git2::Index::new()?;
        index.read_tree(&tree)?;
        index.add(&rapport::sample::file_entry(
            path,
            repo.blob(text.as_bytes())?,
            text.len(),
        ))?;
        let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
        let time = git2::Time::new(when + 3600 * n as i64, 0);
        let who = git2::Signature::new("Bench Reviewer", "bench@example.com", &time)?;
        let id = repo.commit(None, &who, &who, message, &tree, &[&parent])?;
        parent = repo.find_commit(id)?;
    }
    repo.reference(&reference, parent.id(), true, "benchmark pull request")?;
    Ok(pr)
}

/// Three partnership files of the tree, spread over the ledger (an eighth, half and seven
/// eighths of the way through the sorted paths), preferring files never moved (outside
/// `archive/` folders in the synthetic ledger), so `git log -p -- FILE` sees their whole history
/// as rapport, which follows moves, does.
fn pick_files(tree: &git2::Tree<'_>) -> Result<Vec<String>, git2::Error> {
    let mut all = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |folder, entry| {
        let name = entry.name().unwrap_or_default();
        if folder.starts_with("partners/")
            && name.ends_with(".md")
            && entry.kind() == Some(git2::ObjectType::Blob)
        {
            all.push(format!("{folder}{name}"));
        }
        git2::TreeWalkResult::Ok
    })?;
    all.sort();
    let unmoved: Vec<String> = all
        .iter()
        .filter(|p| !p.contains("/archive/"))
        .cloned()
        .collect();
    let pool = if unmoved.len() >= 3 { unmoved } else { all };
    let n = pool.len();
    if n < 3 {
        return Err(git2::Error::from_str(
            "fewer than three partnership files under partners/",
        ));
    }
    Ok([n / 8, n / 2, n * 7 / 8]
        .into_iter()
        .map(|i| pool[i].clone())
        .collect())
}

/// `text` with the number after the first `key` raised by `by`.
fn bump(text: &str, key: &str, by: u64) -> Option<String> {
    let at = text.find(key)? + key.len();
    let digits = text[at..].bytes().take_while(u8::is_ascii_digit).count();
    let value: u64 = text[at..at + digits].parse().ok()?;
    Some(format!(
        "{}{}{}",
        &text[..at],
        value + by,
        &text[at + digits..]
    ))
}

/// The peak resident memory (kB) of `program`, median of [`RUNS`] runs, as GNU time reports it
/// (the kernel's `ru_maxrss` of the child), its output read through a pipe; `None` without GNU
/// time.
fn peak_kb(dir: &Path, program: &str, args: &[&str]) -> Option<u64> {
    let time = Path::new("/usr/bin/time");
    if !time.exists() {
        return None;
    }
    let file = std::env::temp_dir().join(format!("rapport-bench-peak-{}", std::process::id()));
    let file_arg = file.to_string_lossy().to_string();
    let mut wrapped = vec!["-f", "%M", "-o", &file_arg, program];
    wrapped.extend_from_slice(args);
    let mut peaks: Vec<u64> = (0..RUNS)
        .filter_map(|_| {
            drain(dir, "/usr/bin/time", &wrapped);
            // The last line: GNU time puts "Command exited with non-zero status" before it.
            std::fs::read_to_string(&file)
                .ok()
                .and_then(|t| t.lines().last().and_then(|l| l.trim().parse().ok()))
        })
        .collect();
    let _ = std::fs::remove_file(&file);
    peaks.sort_unstable();
    peaks.get(peaks.len() / 2).copied()
}

/// In a process of its own: the pull-request review and its JSON rendering, once, with when
/// each file's history is followed (the commits are listed before the first).
fn child_report(repo: &Path, base: &str, head: &str) {
    use rapport::analysis::review::{self, ReviewRequest};
    let started = Instant::now();
    let ledger = rapport::analysis::open(&[repo.to_path_buf()]).expect("the ledger opens");
    let marks = Marks(started, std::sync::Mutex::default());
    let review = review::review(&ReviewRequest {
        ledger: &ledger,
        base: rapport::analysis::base::Base::given(base),
        head: head.to_string(),
        progress: &marks,
    })
    .expect("the change reviews");
    let reviewed = started.elapsed().as_secs_f64();
    let mut out = Vec::new();
    rapport::commands::report::render(rapport::cli::ReportFormat::Json, &review, &mut out)
        .expect("the review renders");
    let rendered = started.elapsed().as_secs_f64();
    let marks = marks.1.into_inner().unwrap_or_default();
    let first = marks.first().map_or(reviewed, |m| m.begin);
    let last = marks.last().map_or(reviewed, |m| m.end);
    let follows: Vec<String> = marks
        .iter()
        .map(|m| format!("{:.3}", m.end - m.begin))
        .collect();
    let peaks: Vec<String> = marks
        .iter()
        .map(|m| format!("{}", m.peak_after / 1024))
        .collect();
    println!(
        "until the first file is followed (open, merge base, diff, list commits) {first:.3} s \
         (peak {} MB); following each file [{}] s (peak after each [{}] MB); analysis {:.3} s; \
         rendering {:.3} s; total {rendered:.3} s, peak {} MB; {} partnerships reviewed",
        marks.first().map_or(0, |m| m.peak_before / 1024),
        follows.join(", "),
        peaks.join(", "),
        reviewed - last,
        rendered - reviewed,
        vm_hwm_kb() / 1024,
        review.partnerships.len()
    );
    std::mem::forget(review);
}

/// The peak resident memory of this process so far, in kB.
fn vm_hwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
}

/// When each step of the history stage begins and ends (seconds since the start), and the
/// peak memory then.
struct Marks(Instant, std::sync::Mutex<Vec<Mark>>);

struct Mark {
    begin: f64,
    end: f64,
    peak_before: u64,
    peak_after: u64,
}

impl rapport::history::Progress for Marks {
    fn begin(&self, _step: &'static str, _total: u64) {
        let now = self.0.elapsed().as_secs_f64();
        let peak = vm_hwm_kb();
        if let Ok(mut marks) = self.1.lock() {
            marks.push(Mark {
                begin: now,
                end: now,
                peak_before: peak,
                peak_after: peak,
            });
        }
    }

    fn finish(&self) {
        let now = self.0.elapsed().as_secs_f64();
        let peak = vm_hwm_kb();
        if let Ok(mut marks) = self.1.lock()
            && let Some(last) = marks.last_mut()
        {
            last.end = now;
            last.peak_after = peak;
        }
    }
}

/// Records when each step of the history stage ends.
struct Phases(Instant, std::sync::Mutex<Vec<String>>);

impl rapport::history::Progress for Phases {
    fn finish(&self) {
        if let Ok(mut steps) = self.1.lock() {
            let n = steps.len();
            steps.push(format!(
                "step{n}_done_at={:.3}",
                self.0.elapsed().as_secs_f64()
            ));
        }
    }
}

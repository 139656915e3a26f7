//! How fast rapport reads history, beside git reading the same history. Builds the synthetic
//! ledger (examples/synth_ledger.rs) if it is not there, then prints, median of several runs:
//! all timelines against `git log -p -- partners/` (with rapport's peak memory), and one
//! partnership's `rapport timeline ID` against `git log -p -- FILE`.
//!
//!     cargo bench --bench history [-- REPO]

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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child-all") {
        let repo = args.get(i + 1).map(PathBuf::from).unwrap_or_default();
        child_all(&repo);
        return;
    }
    let repo = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/synth-ledger"));
    if !repo.join(".git").exists() {
        eprintln!("building the synthetic ledger in {} ...", repo.display());
        let started = Instant::now();
        if let Err(error) = synth::generate(&repo, 1000, 20_000) {
            eprintln!("cannot build the synthetic ledger: {error}");
            std::process::exit(2);
        }
        eprintln!("built in {:.1} s", started.elapsed().as_secs_f64());
    }
    let rapport = env!("CARGO_BIN_EXE_rapport");
    let me = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("history"));
    let file = most_changed(&repo);
    let id = file
        .rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".md"))
        .unwrap_or_default()
        .to_string();
    let commits = output(&repo, "git", &["rev-list", "--count", "HEAD"]);
    println!(
        "repository: {} ({} commits); partnership for the one-file runs: {id} ({file})",
        repo.display(),
        commits.trim()
    );
    println!("median of {RUNS} runs after one warm-up, output read through a pipe\n");

    let all_rapport = median(|| {
        let out = Command::new(&me)
            .args(["--child-all", &repo.to_string_lossy()])
            .output()
            .expect("the benchmark runs itself");
        String::from_utf8_lossy(&out.stdout).to_string()
    });
    let all_git = median(|| drain(&repo, "git", &["log", "-p", "--", "partners/"]));
    let check_rev = median(|| drain(&repo, rapport, &["check", "--rev", "HEAD"]));
    let one_rapport = median(|| drain(&repo, rapport, &["timeline", &id]));
    let one_git = median(|| drain(&repo, "git", &["log", "-p", "--", &file]));
    let one_git_follow = median(|| drain(&repo, "git", &["log", "-p", "--follow", "--", &file]));

    let peak_kb = all_rapport
        .1
        .split_whitespace()
        .find_map(|w| w.strip_prefix("peak_kb="))
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let detail = all_rapport.1.trim();
    println!(
        "{:<44} {:>10} {:>10} {:>7} {:>8}",
        "what", "rapport", "git", "ratio", "target"
    );
    row(
        "all timelines vs git log -p -- partners/",
        all_rapport.0,
        all_git.0,
        1.0,
    );
    row(
        "rapport timeline ID vs git log -p -- FILE",
        one_rapport.0,
        one_git.0,
        1.5,
    );
    row(
        "  (git log -p --follow -- FILE)",
        one_rapport.0,
        one_git_follow.0,
        1.5,
    );
    println!(
        "{:<44} {:>10}",
        "rapport check --rev HEAD (validate + history)",
        seconds(check_rev.0)
    );
    println!(
        "{:<44} {:>9.0}M {:>10} {:>7} {:>8}",
        "peak memory, all timelines",
        peak_kb as f64 / 1024.0,
        "",
        "",
        if peak_kb <= 256 * 1024 {
            "<=256M ok"
        } else {
            "<=256M MISS"
        }
    );
    println!("\nlibrary run: {detail}");
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

/// Runs a command in `dir`, reading (and counting) all it prints.
fn drain(dir: &Path, program: &str, args: &[&str]) -> String {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(dir)
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

/// In a process of its own, so its peak memory is its own: all timelines, once.
fn child_all(repo: &Path) {
    let started = Instant::now();
    let ledger = LedgerRepo::open(repo, &["partners".to_string()]).expect("the ledger opens");
    let phases = Phases(started, std::sync::Mutex::default());
    let history = history::timelines(&ledger, "HEAD", &Ladder::default(), &phases)
        .expect("the history reads");
    let elapsed = started.elapsed();
    let versions: usize = history.timelines.iter().map(|t| t.versions.len()).sum();
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let steps = phases.1.into_inner().unwrap_or_default().join(" ");
    println!(
        "timelines={} versions={versions} seconds={:.3} peak_kb={peak_kb} {steps}",
        history.timelines.len(),
        elapsed.as_secs_f64()
    );
    // As the commands do: the system reclaims the history at exit.
    std::mem::forget(history);
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

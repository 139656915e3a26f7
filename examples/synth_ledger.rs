//! Builds a large synthetic ledger repository for benchmarks: by default 1,000 partnerships in
//! nested folders over 20,000 commits, one in five touching only other files, the others one to
//! three partnerships (about 28,000 versions), every version changing a number in the front
//! matter, meetings of 300 to 1,000 bytes with an action item each (files reach 15–20 KB), some
//! files moved. Deterministic: the same arguments give the same
//! repository. Written as a `git fast-import` stream, so it takes seconds.
//!
//!     cargo run --release --example synth_ledger -- DIR [PARTNERSHIPS] [COMMITS]

use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// A small deterministic generator (SplitMix64), so the repository is the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const REGIONS: [&str; 5] = ["emea", "amer", "apac", "nordics", "dach"];
const SEGMENTS: [&str; 4] = ["healthcare", "retail", "finance", "public"];
const WORDS: [&str; 16] = [
    "pipeline",
    "enablement",
    "forecast",
    "integration",
    "pricing",
    "training",
    "escalation",
    "renewal",
    "roadmap",
    "migration",
    "security",
    "onboarding",
    "support",
    "marketing",
    "hosting",
    "reporting",
];
const PEOPLE: [&str; 6] = [
    "Dana Whitfield",
    "Priya Raman",
    "Lee Chen",
    "Sam Osei",
    "Ana Costa",
    "Tom Berg",
];

struct Partnership {
    id: String,
    folder: String,
    payment_days: u32,
    hours: u32,
    actual: u64,
    score: f64,
    level: &'static str,
    meetings: Vec<String>,
    created: bool,
}

impl Partnership {
    fn path(&self) -> String {
        format!("partners/{}/{}.md", self.folder, self.id)
    }

    fn text(&self) -> String {
        let mut text = format!(
            "---\nrapport: 1\npartner: {name}\nstatus: active\nowner: Priya Raman\nsince: 2020-01-15\ncontacts:\n  - {{ name: Dana Whitfield, side: partner, role: VP Alliances, level: {level}, primary: true }}\n  - {{ name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }}\nterms: {{ payment_days: {days}, price: 120000, currency: EUR }}\neffort: {{ hours_per_month: {hours} }}\nkpis:\n  - {{ id: sourced-pipeline, name: Partner-sourced pipeline, unit: EUR, target: 400000, actual: {actual} }}\nscope:\n  - {{ id: hosting, summary: Managed hosting for tenants, owner: partner }}\nsatisfaction: {{ score: {score:.1} }}\n---\n\n# {name}\n",
            name = format!("Partner {}", self.id),
            level = self.level,
            days = self.payment_days,
            hours = self.hours,
            actual = self.actual,
            score = self.score,
        );
        for meeting in &self.meetings {
            text.push('\n');
            text.push_str(meeting);
        }
        text
    }
}

fn meeting(rng: &mut Rng, day: &str) -> String {
    let topic = rng.pick(&WORDS);
    let mut text = format!(
        "## {day} {} review\nAttendees: {}, {}\n\n",
        capitalise(topic),
        rng.pick(&PEOPLE),
        rng.pick(&PEOPLE)
    );
    // One action item each, as real minutes end.
    let side = if rng.below(2) == 0 { "partner" } else { "ours" };
    let item = format!(
        "\n- [ ] {side}: {} the {} {}\n",
        rng.pick(&["send", "review", "agree", "share", "fix"]),
        rng.pick(&WORDS),
        rng.pick(&["plan", "numbers", "draft", "backlog"]),
    );
    // Between 300 and 1,000 bytes in all: sentences of notes until the meeting's length is
    // reached, the last one cut short at a word.
    let length = 300 + rng.below(701) as usize;
    while text.len() + item.len() < length {
        let sentence: Vec<&str> = (0..8 + rng.below(10)).map(|_| rng.pick(&WORDS)).collect();
        let mut sentence = capitalise(&sentence.join(" "));
        let room = length - text.len() - item.len();
        if sentence.len() + 2 > room {
            let cut = sentence[..room.saturating_sub(2).min(sentence.len())]
                .rfind(' ')
                .unwrap_or(0);
            sentence.truncate(cut);
            if sentence.is_empty() {
                break;
            }
        }
        text.push_str(&sentence);
        text.push_str(".\n");
    }
    text.push_str(&item);
    text
}

/// One partnership's change in a commit: what the commit message says about it, and the path it
/// was moved from, if it was.
fn change(rng: &mut Rng, p: &mut Partnership, day: &str) -> (String, Option<String>) {
    if !p.created {
        p.created = true;
        return (format!("Start the partnership with {}", p.id), None);
    }
    // Every version's front matter changes a number, as a ledger kept up to date does: the
    // hours spent this month, whatever else the commit does.
    p.hours = 20 + (p.hours + 1 + rng.below(30) as u32) % 100;
    match rng.below(20) {
        0 => {
            p.payment_days += 15;
            (
                format!("{}: payment terms now net-{}", p.id, p.payment_days),
                None,
            )
        }
        1 => {
            p.level = if p.level == "executive" {
                "manager"
            } else {
                "executive"
            };
            (format!("{}: new partner contact level", p.id), None)
        }
        2 if p.folder.matches('/').count() < 3 => {
            let old = p.path();
            p.folder.push_str("/archive");
            (format!("{}: file under archive", p.id), Some(old))
        }
        3..=6 => {
            // The meeting that closes the last meeting's action item is written down too.
            if let Some(last) = p.meetings.last_mut() {
                *last = last.replacen("- [ ]", "- [x]", 1);
            }
            let notes = meeting(rng, day);
            p.meetings.push(notes);
            (
                format!("{}: close an action item, meeting notes {day}", p.id),
                None,
            )
        }
        _ => {
            p.actual += rng.below(20_000);
            p.score = (p.score + (rng.below(5) as f64 - 2.0) / 10.0).clamp(1.0, 5.0);
            let notes = meeting(rng, day);
            p.meetings.push(notes);
            (format!("{}: meeting notes {day}", p.id), None)
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Days since 1970-01-01 to a calendar date (proleptic Gregorian), for meeting headings.
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn data(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    writeln!(out, "data {}", bytes.len())?;
    out.write_all(bytes)?;
    writeln!(out)
}

/// Writes the fast-import stream for the ledger.
pub fn stream(out: &mut impl Write, partnerships: usize, commits: usize) -> io::Result<()> {
    let mut rng = Rng(0x5EED);
    let mut all: Vec<Partnership> = (0..partnerships)
        .map(|i| Partnership {
            id: format!("p-{i:04}"),
            folder: format!(
                "{}/{}",
                REGIONS[i % REGIONS.len()],
                SEGMENTS[(i / REGIONS.len()) % SEGMENTS.len()]
            ),
            payment_days: 30,
            hours: 60,
            actual: 0,
            score: 4.5,
            level: "executive",
            meetings: Vec::new(),
            created: false,
        })
        .collect();
    let start: i64 = 1_577_872_800; // 2020-01-01 10:00 UTC
    let mut time = start;
    for n in 0..commits {
        time += 1800 + rng.below(7200) as i64;
        let mut changes: Vec<String> = Vec::new();
        let message;
        // Every partnership is created early on; afterwards, one commit in five touches only
        // other files.
        let creating = n < partnerships * 5 / 4 && n % 5 != 4;
        if n % 5 == 4 {
            message = format!("Update the team handbook ({n})");
            let text = format!("Handbook revision {n}\n");
            changes.push(format!("M 100644 inline docs/handbook-{}.md", n % 50));
            changes.push(text);
        } else {
            // A meeting often concerns more than one partnership: most commits touch one, many
            // two, some three.
            let touched = if creating {
                1
            } else {
                1 + rng.below(2) + u64::from(rng.below(3) == 0)
            };
            let day = civil(time.div_euclid(86_400));
            let mut messages = Vec::new();
            let mut done: Vec<usize> = Vec::new();
            for _ in 0..touched {
                let index = if creating {
                    all.iter().position(|p| !p.created).unwrap_or(0)
                } else {
                    rng.below(partnerships as u64) as usize
                };
                if done.contains(&index) {
                    continue;
                }
                done.push(index);
                let Some(p) = all.get_mut(index) else {
                    continue;
                };
                let (said, old_path) = change(&mut rng, p, &day);
                messages.push(said);
                if let Some(old) = old_path {
                    changes.push(format!("D {old}"));
                }
                changes.push(format!("M 100644 inline {}", p.path()));
                changes.push(p.text());
            }
            message = messages.join("; ");
        }
        let who = PEOPLE[n % PEOPLE.len()];
        let email = who.to_lowercase().replace(' ', ".");
        writeln!(out, "commit refs/heads/main")?;
        writeln!(out, "mark :{}", n + 1)?;
        writeln!(out, "author {who} <{email}@example.com> {time} +0000")?;
        writeln!(out, "committer {who} <{email}@example.com> {time} +0000")?;
        data(out, message.as_bytes())?;
        if n > 0 {
            writeln!(out, "from :{n}")?;
        }
        let mut lines = changes.into_iter();
        while let Some(line) = lines.next() {
            writeln!(out, "{line}")?;
            if line.starts_with("M ") {
                let text = lines.next().unwrap_or_default();
                data(out, text.as_bytes())?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Creates the repository at `dir` (which must not exist yet or be empty).
pub fn generate(dir: &Path, partnerships: usize, commits: usize) -> io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let status = Command::new("git")
        .args(["init", "-q", "-b", "main"])
        .current_dir(dir)
        .status()?;
    if !status.success() {
        return Err(io::Error::other("git init failed"));
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .spawn()?;
    {
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| io::Error::other("no stdin for git fast-import"))?;
        let mut writer = io::BufWriter::new(stdin);
        stream(&mut writer, partnerships, commits)?;
        writer.flush()?;
    }
    if !child.wait()?.success() {
        return Err(io::Error::other("git fast-import failed"));
    }
    // Pack like a clone would be, so both git and rapport read a realistic repository.
    let status = Command::new("git")
        .args(["repack", "-a", "-d", "-q"])
        .current_dir(dir)
        .status()?;
    if !status.success() {
        return Err(io::Error::other("git repack failed"));
    }
    Ok(())
}

#[allow(dead_code)]
fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: synth_ledger DIR [PARTNERSHIPS] [COMMITS]");
        std::process::exit(2);
    };
    let partnerships = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let commits = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let started = std::time::Instant::now();
    generate(Path::new(dir), partnerships, commits)?;
    println!(
        "{dir}: {partnerships} partnerships, {commits} commits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

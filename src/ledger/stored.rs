//! A parsed file version as bytes and back, for the cache of parsed versions kept between runs
//! (see `history::store`). What is read back is exactly what was written: [`encode`] refuses a
//! version it could not give back equal, and [`decode`] refuses anything that is not such an
//! encoding (a truncated, corrupt or foreign entry), so the caller parses the file instead.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use super::body::{HiddenMeeting, MeetingData};
use super::model::Side;
use super::{ActionItem, Body, Content, Date, Diagnostic, FrontMatter, Meeting, Snapshot};

#[derive(Serialize, Deserialize)]
enum Stored {
    Valid(Box<StoredSnapshot>),
    Invalid(Vec<StoredDiagnostic>),
}

#[derive(Serialize, Deserialize)]
struct StoredSnapshot {
    id: String,
    path: String,
    front: FrontMatter,
    meetings: Vec<StoredMeeting>,
    loose_items: Vec<StoredItem>,
    hidden: Vec<(Date, String, usize)>,
    warnings: Vec<StoredDiagnostic>,
}

#[derive(Serialize, Deserialize)]
struct StoredMeeting {
    date: Date,
    title: String,
    line: usize,
    attendees: Vec<String>,
    items: Vec<StoredItem>,
    text: String,
}

#[derive(Serialize, Deserialize)]
struct StoredItem {
    text: String,
    owner: Option<Side>,
    due: Option<Date>,
    done: bool,
    line: usize,
}

#[derive(Serialize, Deserialize)]
struct StoredDiagnostic {
    file: String,
    line: usize,
    column: usize,
    code: String,
    message: String,
    help: Option<String>,
    source_line: Option<String>,
    source_column: Option<usize>,
}

/// The bytes of a parsed version (`None` for a removed file, which is never stored, or for a
/// version that would not read back equal).
pub fn encode(content: &Content) -> Option<Vec<u8>> {
    let stored = match content {
        Content::Valid { snapshot } => Stored::Valid(Box::new(StoredSnapshot {
            id: snapshot.id.clone(),
            path: snapshot.path.clone(),
            front: (*snapshot.front).clone(),
            meetings: snapshot
                .body
                .meetings
                .iter()
                .map(|m| StoredMeeting {
                    date: m.date,
                    title: m.title.clone(),
                    line: m.line,
                    attendees: m.attendees.clone(),
                    items: m.items.iter().map(item_out).collect(),
                    text: m.text.to_string(),
                })
                .collect(),
            loose_items: snapshot.body.loose_items.iter().map(item_out).collect(),
            hidden: snapshot
                .body
                .hidden
                .iter()
                .map(|h| (h.date, h.title.clone(), h.line))
                .collect(),
            warnings: snapshot.warnings.iter().map(diagnostic_out).collect(),
        })),
        Content::Invalid { diagnostics } => {
            Stored::Invalid(diagnostics.iter().map(diagnostic_out).collect())
        }
        Content::Removed => return None,
    };
    let bytes = serde_json::to_vec(&stored).ok()?;
    // A value JSON cannot carry as it is (a float that is not a number) is not stored.
    (decode(&bytes).as_ref() == Some(content)).then_some(bytes)
}

/// The parsed version `bytes` encode, `None` when they are not an encoding [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Option<Content> {
    let stored: Stored = serde_json::from_slice(bytes).ok()?;
    Some(match stored {
        Stored::Valid(s) => {
            let s = *s;
            let meetings = s
                .meetings
                .into_iter()
                .map(|m| {
                    Meeting::from(MeetingData {
                        date: m.date,
                        title: m.title,
                        line: m.line,
                        attendees: m.attendees,
                        items: m.items.into_iter().map(item_in).collect(),
                        text: Arc::from(m.text),
                    })
                })
                .collect();
            Content::Valid {
                snapshot: Arc::new(Snapshot {
                    id: s.id,
                    path: s.path,
                    front: Arc::new(s.front),
                    body: Body {
                        meetings,
                        loose_items: s.loose_items.into_iter().map(item_in).collect(),
                        hidden: s
                            .hidden
                            .into_iter()
                            .map(|(date, title, line)| HiddenMeeting { date, title, line })
                            .collect(),
                    },
                    warnings: s
                        .warnings
                        .into_iter()
                        .map(diagnostic_in)
                        .collect::<Option<Vec<_>>>()?,
                }),
            }
        }
        Stored::Invalid(diagnostics) => Content::Invalid {
            diagnostics: Arc::new(
                diagnostics
                    .into_iter()
                    .map(diagnostic_in)
                    .collect::<Option<Vec<_>>>()?,
            ),
        },
    })
}

fn item_out(item: &ActionItem) -> StoredItem {
    StoredItem {
        text: item.text.clone(),
        owner: item.owner,
        due: item.due,
        done: item.done,
        line: item.line,
    }
}

fn item_in(item: StoredItem) -> ActionItem {
    ActionItem {
        text: item.text,
        owner: item.owner,
        due: item.due,
        done: item.done,
        line: item.line,
    }
}

fn diagnostic_out(d: &Diagnostic) -> StoredDiagnostic {
    StoredDiagnostic {
        file: d.file.clone(),
        line: d.line,
        column: d.column,
        code: d.code.to_string(),
        message: d.message.clone(),
        help: d.help.clone(),
        source_line: d.source_line.clone(),
        source_column: d.source_column,
    }
}

fn diagnostic_in(d: StoredDiagnostic) -> Option<Diagnostic> {
    Some(Diagnostic {
        file: d.file,
        line: d.line,
        column: d.column,
        code: code(&d.code)?,
        message: d.message,
        help: d.help,
        source_line: d.source_line,
        source_column: d.source_column,
    })
}

/// The most distinct diagnostic codes read back: rapport has a few dozen, so an entry naming
/// more is not one rapport wrote.
const MAX_CODES: usize = 256;

/// A diagnostic's code as the `&'static str` it is everywhere else: each distinct code is
/// allocated once for the process.
fn code(text: &str) -> Option<&'static str> {
    static CODES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut codes = CODES
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = codes.get(text) {
        return Some(found);
    }
    let plausible = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if !plausible || codes.len() >= MAX_CODES {
        return None;
    }
    let leaked: &'static str = Box::leak(text.to_string().into_boxed_str());
    codes.insert(leaked);
    Some(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Ladder;
    use crate::ledger::parse::parse_partnership;

    fn round_trip(file: &str, text: &str) {
        let content =
            Content::from_parse(parse_partnership(file, text.as_bytes(), &Ladder::default()));
        let bytes = encode(&content).expect("a parsed version is stored");
        assert_eq!(decode(&bytes), Some(content));
    }

    #[test]
    fn every_sample_file_reads_back_equal() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-ledger");
        let mut seen = 0;
        let mut stack = vec![dir.clone()];
        while let Some(at) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&at) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "md")
                    && let Ok(text) = std::fs::read_to_string(&path)
                {
                    round_trip(&path.to_string_lossy(), &text);
                    seen += 1;
                }
            }
        }
        assert!(seen > 3, "the sample ledger's files were read");
    }

    #[test]
    fn an_invalid_version_reads_back_equal() {
        round_trip(
            "partners/x.md",
            "---\nrapport: 1\npartner: X\nstatus: maybe\nterms: { payment_dayz: 3 }\n---\n\n## 2024-02-30 Call\n\n- [ ] ours: next Friday\n",
        );
    }

    #[test]
    fn anything_else_is_refused() {
        assert_eq!(decode(b""), None);
        assert_eq!(decode(b"{\"Valid\":"), None);
        assert_eq!(decode(b"[1,2,3]"), None);
        assert_eq!(
            decode(br#"{"Invalid":[{"file":"a","line":1,"column":1,"code":"NOT A CODE","message":"m","help":null,"source_line":null,"source_column":null}]}"#),
            None
        );
    }
}

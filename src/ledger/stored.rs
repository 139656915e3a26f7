//! A parsed file version as bytes and back, for the cache of parsed versions kept between runs
//! (see `history::store`). What is read back is exactly what was written: [`encode`] refuses a
//! version it could not give back equal, and [`decode`] refuses anything that is not such an
//! encoding (a truncated, corrupt or foreign entry), so the caller parses the file instead.
//!
//! A meeting (most of a version's bytes, and the same in every later version of the file) is
//! kept out of the version's encoding: [`part`] encodes it apart, its lines counted from its
//! heading (so a meeting that only moved is the same part), the store keeps each distinct one
//! once (told apart by [`part_key`]) beside its text, and [`decode`] takes the meetings back
//! ([`meeting`] reads one part).

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
    /// Each meeting's heading line; the meetings themselves are parts.
    meetings: Vec<usize>,
    loose_items: Vec<StoredItem>,
    hidden: Vec<(Date, String, usize)>,
    warnings: Vec<StoredDiagnostic>,
}

#[derive(Serialize, Deserialize)]
struct StoredMeeting {
    date: Date,
    title: String,
    attendees: Vec<String>,
    items: Vec<StoredItem>,
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

/// The bytes of a parsed version, its meetings left out (`None` for a removed file, which is
/// never stored, or for a version that would not read back equal). Each meeting is kept apart
/// with [`part`], in order, and given back to [`decode`].
pub fn encode(content: &Content) -> Option<Vec<u8>> {
    let stored = match content {
        Content::Valid { snapshot } => Stored::Valid(Box::new(StoredSnapshot {
            id: snapshot.id.clone(),
            path: snapshot.path.clone(),
            front: (*snapshot.front).clone(),
            meetings: snapshot.body.meetings.iter().map(|m| m.line).collect(),
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
    let back: Stored = serde_json::from_slice(&bytes).ok()?;
    let equal = match (back, content) {
        (Stored::Valid(s), Content::Valid { snapshot }) => {
            s.id == snapshot.id
                && s.path == snapshot.path
                && s.front == *snapshot.front
                && s.meetings.len() == snapshot.body.meetings.len()
                && s.meetings
                    .iter()
                    .zip(&snapshot.body.meetings)
                    .all(|(line, m)| *line == m.line)
                && s.loose_items.into_iter().map(item_in).collect::<Vec<_>>()
                    == snapshot.body.loose_items
                && s.hidden
                    .into_iter()
                    .map(|(date, title, line)| HiddenMeeting { date, title, line })
                    .collect::<Vec<_>>()
                    == snapshot.body.hidden
                && s.warnings
                    .into_iter()
                    .map(diagnostic_in)
                    .collect::<Option<Vec<_>>>()
                    .as_ref()
                    == Some(&snapshot.warnings)
        }
        (Stored::Invalid(d), Content::Invalid { diagnostics }) => {
            d.into_iter()
                .map(diagnostic_in)
                .collect::<Option<Vec<_>>>()
                .as_ref()
                == Some(&**diagnostics)
        }
        _ => false,
    };
    equal.then_some(bytes)
}

/// The meetings of a parsed version, each to be kept apart with [`part`].
pub fn meetings(content: &Content) -> &[Meeting] {
    match content {
        Content::Valid { snapshot } => &snapshot.body.meetings,
        _ => &[],
    }
}

/// What tells a meeting kept apart from another, wherever its heading is: a hash of
/// everything [`part`] keeps, and its text's length.
pub fn part_key(m: &Meeting) -> (u64, usize) {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    m.date.hash(&mut hasher);
    m.title.hash(&mut hasher);
    m.attendees.hash(&mut hasher);
    for item in &m.items {
        item.text.hash(&mut hasher);
        item.owner.hash(&mut hasher);
        item.due.hash(&mut hasher);
        item.done.hash(&mut hasher);
        item.line.wrapping_sub(m.line).hash(&mut hasher);
    }
    m.text.hash(&mut hasher);
    (hasher.finish(), m.text.len())
}

/// A meeting's encoding without its text, its lines counted from its heading (`None` when it
/// would not read back equal).
pub fn part(m: &Meeting) -> Option<Vec<u8>> {
    let stored = StoredMeeting {
        date: m.date,
        title: m.title.clone(),
        attendees: m.attendees.clone(),
        items: m
            .items
            .iter()
            .map(|i| StoredItem {
                line: i.line.wrapping_sub(m.line),
                ..item_out(i)
            })
            .collect(),
    };
    let bytes = serde_json::to_vec(&stored).ok()?;
    let back = place(&meeting(&bytes, Arc::clone(&m.text))?, m.line);
    (back == *m).then_some(bytes)
}

/// A meeting read by [`meeting`] put at its heading's `line`.
pub fn place(m: &Meeting, line: usize) -> Meeting {
    m.moved(isize::try_from(line).unwrap_or(isize::MAX))
}

/// The meeting a part's `encoding` and `text` hold, its lines counted from its heading (at
/// line 0 until [`decode`] places it).
pub fn meeting(encoding: &[u8], text: Arc<str>) -> Option<Meeting> {
    let m: StoredMeeting = serde_json::from_slice(encoding).ok()?;
    Some(Meeting::from(MeetingData {
        date: m.date,
        title: m.title,
        line: 0,
        attendees: m.attendees,
        items: m.items.into_iter().map(item_in).collect(),
        text,
    }))
}

/// The partnership id of the parsed version `bytes` encode (`Some(None)`: the version is
/// invalid), read without decoding the rest of it; `None` when they are not an encoding
/// [`encode`] wrote.
pub fn id_of(bytes: &[u8]) -> Option<Option<String>> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    #[derive(Deserialize)]
    enum StoredId {
        Valid(IdOnly),
        Invalid(serde::de::IgnoredAny),
    }
    Some(match serde_json::from_slice::<StoredId>(bytes).ok()? {
        StoredId::Valid(valid) => Some(valid.id),
        StoredId::Invalid(_) => None,
    })
}

/// The parsed version `bytes` and its `meetings` (read by [`meeting`], in order) encode, `None`
/// when they are not an encoding [`encode`] wrote.
pub fn decode(bytes: &[u8], meetings: Vec<Meeting>) -> Option<Content> {
    decode_with(bytes, meetings, &mut |_, meeting, line| {
        place(meeting, line)
    })
}

/// [`decode`], each meeting put at its line by `place_at(position, meeting, line)` (which may
/// hand back a meeting already placed there, so that versions share it).
pub fn decode_with(
    bytes: &[u8],
    meetings: Vec<Meeting>,
    place_at: &mut dyn FnMut(usize, &Meeting, usize) -> Meeting,
) -> Option<Content> {
    let stored: Stored = serde_json::from_slice(bytes).ok()?;
    Some(match stored {
        Stored::Valid(s) => {
            let s = *s;
            if s.meetings.len() != meetings.len() {
                return None;
            }
            let meetings = s
                .meetings
                .into_iter()
                .zip(meetings)
                .enumerate()
                .map(|(i, (line, m))| place_at(i, &m, line))
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
        Stored::Invalid(_) if !meetings.is_empty() => return None,
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
        let meetings: Vec<Meeting> = super::meetings(&content)
            .iter()
            .map(|m| {
                let part = part(m).expect("a meeting is kept");
                meeting(&part, m.text.clone()).expect("a part reads back")
            })
            .collect();
        assert_eq!(decode(&bytes, meetings.clone()), Some(content));
        if !meetings.is_empty() {
            assert_eq!(
                decode(&bytes, meetings[1..].to_vec()),
                None,
                "a meeting missing"
            );
        }
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
        assert_eq!(decode(b"", Vec::new()), None);
        assert_eq!(decode(b"{\"Valid\":", Vec::new()), None);
        assert_eq!(decode(b"[1,2,3]", Vec::new()), None);
        assert_eq!(
            decode(br#"{"Invalid":[{"file":"a","line":1,"column":1,"code":"NOT A CODE","message":"m","help":null,"source_line":null,"source_column":null}]}"#, Vec::new()),
            None
        );
    }
}

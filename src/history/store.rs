//! The cache of parsed versions kept between runs: a file version's blob id says everything
//! about its bytes, so once a version is parsed, later runs (a second `check`, `portfolio`,
//! `digest`, the pre-commit hook) take the parsed version from here instead of reading and
//! parsing the blob again. Findings are never kept: they depend on the configuration and "now".
//!
//! The cache lives under the user's cache directory (`RAPPORT_CACHE_DIR`, else
//! `$XDG_CACHE_HOME/rapport` or `~/.cache/rapport`; `~/Library/Caches/rapport` on macOS,
//! `%LOCALAPPDATA%\rapport` on Windows), in one folder per build and ladder (`v2-…`, named by a
//! hash of rapport's version, a hash of its parser's sources taken at build time and the
//! seniority ladder). A directory inside the repository is refused with one warning: rapport
//! writes nothing there.
//!
//! Beside parsed versions, the cache keeps facts about commits that a commit id fixes for good
//! (see [`Store::fact`]): its parents, dates and message for the commit listing, and what it
//! changed under the ledger's folders for the whole-ledger walk, so a warm run reads no commit
//! or tree object it has read before. They are not kept in a repository with grafts. It keeps
//! the text of each file as it stands at the revision checked, too (findings quote it), so a
//! second run at that revision reads no blob at all.
//!
//! A folder holds segments (`*.pack`), each written by one run, whole: the versions the run
//! parsed are appended to a temporary file as it goes (through one buffer) and the file is
//! renamed into place when the run's reader of history is done, so a concurrent run sees a
//! whole segment or none, and two runs at once each write their own. A segment is a header
//! naming its folder's key, then records, each with its kind, length and checksum: meetings
//! (each distinct meeting once per segment, however many versions repeat it: its text, and the
//! rest with lines counted from its heading), entries (a version's key, the indexes of its
//! meetings in the segment, the rest of the version) and facts (a key, the fact's bytes, or a
//! file's text). A run
//! reads every segment of its folder through once, when it opens the cache, newest first,
//! keeping only where each record is; it stops reading a segment at its first record that does
//! not check (truncated, corrupt), and what it lost is parsed and written again. A record is
//! read from its file again when a version asks for it (through a window of the file each
//! thread keeps: records asked for one after the other were mostly written so), its checksum
//! checked again. A segment
//! with another header (another build's, a foreign file) is ignored.
//!
//! Eviction: after writing its segment, a run keeps the newest segments of every `v2-…` folder
//! up to [`MAX_BYTES`] in all and deletes the older ones (its own is always kept), and deletes
//! temporary files left for over a day by a run that was killed.

use std::collections::HashMap;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Once};
use std::time::{Duration, SystemTime};

use git2::Oid;

use super::repo::LedgerRepo;
use crate::ledger::{Content, Ladder, Meeting, stored};

/// Whether the cache is switched off for this process (`--no-cache`).
static DISABLED: AtomicBool = AtomicBool::new(false);

/// Switches the cache off for the rest of the process: nothing is read from it or written to it.
pub fn disable() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// What every segment starts with, before its folder's key.
const MAGIC: &[u8] = b"rapport-pack 2 ";

/// The most the segments of all folders keep in all; older segments past it are deleted.
pub const MAX_BYTES: u64 = 512 << 20;

/// The most meetings held read back at once, for the versions that repeat them.
const SHARED: usize = 16_384;

/// A record holding a meeting: its encoding's length, its encoding, its text.
const PART: u8 = b'M';
/// A record holding a parsed version.
const ENTRY: u8 = b'E';
/// A record holding a fact about a commit (see [`Store::fact`]).
const FACT: u8 = b'C';
/// A record's kind, length and checksum.
const RECORD_HEAD: usize = 1 + 4 + 8;
/// An entry's key.
type Key = [u8; 20];

/// The cache of parsed versions for one ledger and ladder.
pub(crate) struct Store {
    /// The folder segments of this build and ladder go in.
    dir: PathBuf,
    /// The folder all builds' folders are in.
    root: PathBuf,
    /// What every key starts with: rapport's version, its parser and the ladder.
    salt: String,
    /// The header every segment of this folder starts with.
    header: Vec<u8>,
    /// The segments read, newest first.
    segments: Vec<Segment>,
    /// Where each entry is: its segment, and where its record starts.
    index: HashMap<Key, (usize, usize)>,
    /// Meetings read back (lines counted from their heading), their texts shared by every
    /// version that has them.
    texts: Mutex<HashMap<(usize, u32, usize), Meeting>>,
    /// The segment this run writes, opened with the first version it keeps.
    pending: Mutex<Option<Pending>>,
    /// Whether facts about commits are kept and read: not in a repository with grafts
    /// (`info/grafts`), where a commit's parents are not what its id says.
    facts: bool,
}

/// A segment read: its file, open, and where each of its meeting parts' records is. Records are
/// read from the file when asked for, not held: a ledger's segment is tens of megabytes, and a
/// run reads each version once.
struct Segment {
    file: std::fs::File,
    parts: Vec<usize>,
    /// Tells this segment's bytes from another's in a thread's [`WINDOW`].
    number: u64,
}

/// How much of a segment a thread reads at once: the records a run asks for one after the
/// other were mostly written one after the other, so one read serves many.
const WINDOW_BYTES: usize = 64 << 10;

/// Numbers segments as they are opened, for [`WINDOW`].
static SEGMENTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

thread_local! {
    /// The bytes of a segment this thread read last: the segment's number, where they start,
    /// the bytes.
    static WINDOW: std::cell::RefCell<(u64, usize, Vec<u8>)> =
        const { std::cell::RefCell::new((u64::MAX, 0, Vec::new())) };
}

impl Segment {
    /// The body of the record at `at` (where its head starts), when its checksum still holds.
    fn record(&self, at: usize) -> Option<Vec<u8>> {
        WINDOW.with(|window| {
            let mut window = window.borrow_mut();
            let head: [u8; RECORD_HEAD] =
                self.bytes(&mut window, at, RECORD_HEAD)?.try_into().ok()?;
            let (kind, len, sum) = record_head(&head)?;
            let body = self.bytes(&mut window, at + RECORD_HEAD, len)?.to_vec();
            (checksum(kind, &body) == sum).then_some(body)
        })
    }

    /// The `len` bytes at `at`, from this thread's window on the segment, read again from
    /// `at` on when they are not all in it.
    fn bytes<'w>(
        &self,
        (number, start, bytes): &'w mut (u64, usize, Vec<u8>),
        at: usize,
        len: usize,
    ) -> Option<&'w [u8]> {
        let end = at.checked_add(len)?;
        if *number != self.number || at < *start || end > *start + bytes.len() {
            bytes.resize(len.max(WINDOW_BYTES), 0);
            let read = read_up_to(&self.file, bytes, at as u64).ok()?;
            bytes.truncate(read);
            (*number, *start) = (self.number, at);
        }
        bytes.get(at - *start..end - *start)
    }
}

/// Fills as much of `buf` from `file` at `offset` as the file holds, without moving a shared
/// position (threads read one segment at once); how much was read.
fn read_up_to(file: &std::fs::File, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        #[cfg(unix)]
        let read =
            std::os::unix::fs::FileExt::read_at(file, &mut buf[done..], offset + done as u64);
        #[cfg(windows)]
        let read =
            std::os::windows::fs::FileExt::seek_read(file, &mut buf[done..], offset + done as u64);
        match read {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// A record's kind, body length and checksum, from its head; `None` when the kind is unknown.
fn record_head(head: &[u8; RECORD_HEAD]) -> Option<(u8, usize, u64)> {
    let kind = head[0];
    if kind != PART && kind != ENTRY && kind != FACT {
        return None;
    }
    let len = u32::from_le_bytes(head[1..5].try_into().ok()?) as usize;
    let sum = u64::from_le_bytes(head[5..13].try_into().ok()?);
    Some((kind, len, sum))
}

/// The segment being written: a temporary file, the meeting parts it holds by content hash,
/// and the entries it holds.
struct Pending {
    file: BufWriter<tempfile::NamedTempFile>,
    /// By [`stored::part_key`]: a 64-bit hash and the text's length, so two meetings of one
    /// run do not share one.
    parts: HashMap<(u64, usize), u32>,
    written: std::collections::HashSet<Key>,
    /// Set by a failed write: the segment is dropped.
    failed: bool,
}

impl Store {
    /// The cache for `ledger` read with `ladder`, unless it is switched off, no cache directory
    /// can be found, or the directory is inside the repository. Readers of one run share one:
    /// while one is open, opening the same cache again gives it (its index read once, what the
    /// run keeps written as one segment when the last reader is done with it).
    pub(crate) fn open(ledger: &LedgerRepo, ladder: &Ladder) -> Option<Arc<Store>> {
        type Open = Vec<(PathBuf, bool, std::sync::Weak<Store>)>;
        static OPEN: Mutex<Open> = Mutex::new(Vec::new());
        let store = Store::new(ledger, ladder)?;
        let mut open = OPEN.lock().unwrap_or_else(|p| p.into_inner());
        open.retain(|(_, _, weak)| weak.strong_count() > 0);
        let same = |(dir, facts, _): &&(PathBuf, bool, std::sync::Weak<Store>)| {
            *dir == store.dir && *facts == store.facts
        };
        if let Some(shared) = open
            .iter()
            .find(same)
            .and_then(|(_, _, weak)| weak.upgrade())
        {
            return Some(shared);
        }
        let mut store = store;
        store.load();
        let store = Arc::new(store);
        open.push((store.dir.clone(), store.facts, Arc::downgrade(&store)));
        Some(store)
    }

    /// The cache for `ledger` and `ladder`, not read yet.
    fn new(ledger: &LedgerRepo, ladder: &Ladder) -> Option<Store> {
        if DISABLED.load(Ordering::Relaxed) {
            return None;
        }
        let root = cache_dir()?;
        if inside_repository(&root, &ledger.git_dir()) {
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                eprintln!(
                    "warning: the cache directory {} is inside the repository; rapport writes \
                     nothing there and runs without a cache (set RAPPORT_CACHE_DIR to a folder \
                     outside it, or pass --no-cache)",
                    crate::escape::terminal(&root.to_string_lossy())
                );
            });
            return None;
        }
        let salt = format!(
            "rapport-parsed 2\0{}\0{}\0{}\0",
            env!("CARGO_PKG_VERSION"),
            env!("RAPPORT_PARSER_ID"),
            ladder.0.join("\u{1f}")
        );
        let bucket = Oid::hash_object(git2::ObjectType::Blob, salt.as_bytes())
            .ok()?
            .to_string();
        let mut header = MAGIC.to_vec();
        header.extend_from_slice(bucket.as_bytes());
        header.push(b'\n');
        let dir = root.join(format!("v2-{}", &bucket[..16]));
        Some(Store {
            dir,
            root,
            salt,
            header,
            segments: Vec::new(),
            index: HashMap::new(),
            texts: Mutex::default(),
            pending: Mutex::default(),
            facts: !super::repo::has_grafts(&ledger.repo),
        })
    }

    /// Reads every segment of the folder, newest first.
    fn load(&mut self) {
        let mut found: Vec<(SystemTime, PathBuf)> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".pack"))
            .filter_map(|e| {
                let modified = e.metadata().ok()?.modified().ok()?;
                Some((modified, e.path()))
            })
            .collect();
        found.sort_by(|a, b| b.cmp(a));
        for (_, path) in found {
            let Ok(file) = std::fs::File::open(&path) else {
                continue;
            };
            let number = self.segments.len();
            let Some(parts) = self.scan(&file, number) else {
                continue;
            };
            self.segments.push(Segment {
                file,
                parts,
                number: SEGMENTS.fetch_add(1, Ordering::Relaxed),
            });
        }
    }

    /// Reads a segment through once: where each of its meeting parts is, and each of its
    /// entries into the index. `None` when it is not a segment of this folder; a record that
    /// does not check ends the segment there.
    fn scan(&mut self, file: &std::fs::File, number: usize) -> Option<Vec<usize>> {
        use std::io::Read as _;
        let mut input = std::io::BufReader::with_capacity(1 << 20, file);
        let mut header = vec![0u8; self.header.len()];
        input.read_exact(&mut header).ok()?;
        if header != self.header {
            return None;
        }
        let mut parts = Vec::new();
        let mut at = self.header.len();
        let mut head = [0u8; RECORD_HEAD];
        let mut body = Vec::new();
        while input.read_exact(&mut head).is_ok() {
            let Some((kind, len, sum)) = record_head(&head) else {
                break;
            };
            body.resize(len, 0);
            if input.read_exact(&mut body).is_err() || checksum(kind, &body) != sum {
                break;
            }
            if kind == PART {
                parts.push(at);
            } else {
                let Some(key) = body.get(..20) else {
                    break;
                };
                let mut k: Key = [0; 20];
                k.copy_from_slice(key);
                self.index.entry(k).or_insert((number, at));
            }
            at += RECORD_HEAD + len;
        }
        Some(parts)
    }

    /// The key of the version of `path` in `blob`.
    fn key(&self, blob: Oid, path: &str) -> Option<Key> {
        self.key_of(&format!("{}{blob}\0{path}", self.salt))
    }

    fn key_of(&self, text: &str) -> Option<Key> {
        let oid = Oid::hash_object(git2::ObjectType::Blob, text.as_bytes()).ok()?;
        let mut key: Key = [0; 20];
        key.copy_from_slice(oid.as_bytes().get(..20)?);
        Some(key)
    }

    /// The key of the fact `what` about commit `commit`.
    fn fact_key(&self, what: &str, commit: Oid) -> Option<Key> {
        self.key_of(&format!("{}fact\0{what}\0{commit}", self.salt))
    }

    /// What an earlier run kept as the fact `what` about `commit` (see [`Store::keep_fact`]).
    pub(crate) fn fact(&self, what: &str, commit: Oid) -> Option<Vec<u8>> {
        if !self.facts {
            return None;
        }
        self.kept(self.fact_key(what, commit)?)
    }

    /// Keeps `body` as the fact `what` about `commit` for later runs: something the history
    /// reader worked out from the commit's objects alone (its parents and dates, what it changed
    /// under the ledger's folders), which a commit id fixes for good. `what` names the fact and
    /// everything it depends on besides the commit. Failing to write is not an error.
    pub(crate) fn keep_fact(&self, what: &str, commit: Oid, body: &[u8]) {
        if !self.facts {
            return;
        }
        if let Some(key) = self.fact_key(what, commit) {
            self.keep(key, body);
        }
    }

    /// The bytes of blob `blob` as an earlier run kept them (see [`Store::keep_text`]).
    pub(crate) fn text(&self, blob: Oid) -> Option<Vec<u8>> {
        use std::io::Read;
        let kept = self.kept(self.key_of(&format!("{}text\0{blob}", self.salt))?)?;
        let mut text = Vec::with_capacity(kept.len() * 4);
        flate2::read::ZlibDecoder::new(kept.as_slice())
            .take(crate::ledger::parse::MAX_FILE_BYTES as u64 + 1)
            .read_to_end(&mut text)
            .ok()?;
        // Kept under its blob id by this build alone (the key holds the salt), checked by the
        // record's CRC and zlib's own checksum: as trusted as the parsed versions beside it.
        // Hashing it back to its blob id cost 6% of a warm check's CPU for no more than that.
        Some(text)
    }

    /// Keeps the bytes of blob `blob` for later runs, compressed: a partnership file as it
    /// stands at the revision checked, whose text findings quote; a later run at that revision
    /// takes it from here instead of reading the blob again. Failing to write is not an error.
    pub(crate) fn keep_text(&self, blob: Oid, bytes: &[u8]) {
        use std::io::Write;
        let Some(key) = self.key_of(&format!("{}text\0{blob}", self.salt)) else {
            return;
        };
        let mut packed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        if packed.write_all(bytes).is_ok()
            && let Ok(packed) = packed.finish()
        {
            self.keep(key, &packed);
        }
    }

    /// The body of the record kept under `key`.
    fn kept(&self, key: Key) -> Option<Vec<u8>> {
        let &(number, at) = self.index.get(&key)?;
        let record = self.segments.get(number)?.record(at)?;
        (record.get(..20)? == key).then(|| record[20..].to_vec())
    }

    /// Keeps `body` under `key` (once a run) in a record of its own.
    fn keep(&self, key: Key, body: &[u8]) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.is_none() {
            *pending = self.begin();
        }
        let Some(segment) = pending.as_mut() else {
            return;
        };
        if segment.failed || !segment.written.insert(key) {
            return;
        }
        let mut record = Vec::with_capacity(20 + body.len());
        record.extend_from_slice(&key);
        record.extend_from_slice(body);
        if write_record(&mut segment.file, FACT, &record).is_err() {
            segment.failed = true;
        }
    }

    /// The partnership id the version of `path` in `blob` declares (`Some(None)`: the version
    /// is invalid), if a run parsed it before; its meetings are not read.
    pub(crate) fn id(&self, blob: Oid, path: &str) -> Option<Option<String>> {
        let &(number, at) = self.index.get(&self.key(blob, path)?)?;
        let record = self.segments.get(number)?.record(at)?;
        let body = record.get(20..)?;
        let count = u32_at(body, 0)? as usize;
        stored::id_of(body.get(4usize.checked_add(count.checked_mul(4)?)?..)?)
    }

    /// The parsed version of `path` in `blob`, if a run parsed it before.
    pub(crate) fn get(&self, blob: Oid, path: &str) -> Option<Content> {
        let &(number, at) = self.index.get(&self.key(blob, path)?)?;
        let segment = self.segments.get(number)?;
        let record = segment.record(at)?;
        let body = record.get(20..)?;
        let count = u32_at(body, 0)? as usize;
        let encoding = body.get(4usize.checked_add(count.checked_mul(4)?)?..)?;
        let mut meetings = Vec::with_capacity(count);
        let mut keys = Vec::with_capacity(count);
        let mut shared = self.shared();
        for i in 0..count {
            let index = u32_at(body, 4 + 4 * i)?;
            let meeting = match shared.get(&(number, index, 0)) {
                Some(meeting) => meeting.clone(),
                None => {
                    let part = segment.record(*segment.parts.get(index as usize)?)?;
                    let part = part.as_slice();
                    let split = (u32_at(part, 0)? as usize).checked_add(4)?;
                    let text = std::str::from_utf8(part.get(split..)?).ok()?;
                    let meeting = stored::meeting(part.get(4..split)?, Arc::from(text))?;
                    // Versions of one file follow each other: holding the meetings of the
                    // last few thousand keeps memory flat however large the ledger.
                    if shared.len() >= SHARED {
                        shared.clear();
                    }
                    shared.insert((number, index, 0), meeting.clone());
                    meeting
                }
            };
            keys.push((number, index));
            meetings.push(meeting);
        }
        // A meeting at the same line in consecutive versions is one meeting, held once.
        stored::decode_with(encoding, meetings, &mut |i, meeting, line| {
            let Some(&(number, index)) = keys.get(i) else {
                return stored::place(meeting, line);
            };
            if let Some(placed) = shared.get(&(number, index, line)) {
                return placed.clone();
            }
            let placed = stored::place(meeting, line);
            if shared.len() >= SHARED {
                shared.clear();
            }
            shared.insert((number, index, line), placed.clone());
            placed
        })
    }

    /// Keeps the parsed version of `path` in `blob` for later runs. Failing to write is not an
    /// error: the next run parses the version again.
    pub(crate) fn put(&self, blob: Oid, path: &str, content: &Content) {
        let Some(encoding) = stored::encode(content) else {
            return;
        };
        let Some(key) = self.key(blob, path) else {
            return;
        };
        let meetings = stored::meetings(content);
        let keys: Vec<(u64, usize)> = meetings.iter().map(stored::part_key).collect();
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if pending.is_none() {
            *pending = self.begin();
        }
        let Some(segment) = pending.as_mut() else {
            return;
        };
        if segment.failed || segment.written.contains(&key) {
            return;
        }
        let mut body = Vec::with_capacity(20 + 4 + 4 * meetings.len() + encoding.len());
        body.extend_from_slice(&key);
        body.extend_from_slice(&(meetings.len() as u32).to_le_bytes());
        for (meeting, part_key) in meetings.iter().zip(keys) {
            let index = match segment.parts.get(&part_key) {
                Some(index) => *index,
                None => {
                    let Some(part) = stored::part(meeting) else {
                        return;
                    };
                    let mut record = Vec::with_capacity(4 + part.len() + meeting.text.len());
                    record.extend_from_slice(&(part.len() as u32).to_le_bytes());
                    record.extend_from_slice(&part);
                    record.extend_from_slice(meeting.text.as_bytes());
                    if write_record(&mut segment.file, PART, &record).is_err() {
                        segment.failed = true;
                        return;
                    }
                    let index = segment.parts.len() as u32;
                    segment.parts.insert(part_key, index);
                    index
                }
            };
            body.extend_from_slice(&index.to_le_bytes());
        }
        body.extend_from_slice(&encoding);
        if write_record(&mut segment.file, ENTRY, &body).is_err() {
            segment.failed = true;
        }
        segment.written.insert(key);
    }

    /// A new segment's temporary file, its header written.
    fn begin(&self) -> Option<Pending> {
        std::fs::create_dir_all(&self.dir).ok()?;
        let file = tempfile::Builder::new()
            .prefix(".segment-")
            .tempfile_in(&self.dir)
            .ok()?;
        let mut file = BufWriter::with_capacity(1 << 20, file);
        file.write_all(&self.header).ok()?;
        Some(Pending {
            file,
            parts: HashMap::new(),
            written: Default::default(),
            failed: false,
        })
    }

    fn shared(&self) -> MutexGuard<'_, HashMap<(usize, u32, usize), Meeting>> {
        self.texts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Renames this run's segment into place, then evicts old segments.
    fn finish(&mut self) {
        let pending = self
            .pending
            .get_mut()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(pending) = pending else {
            return;
        };
        if pending.failed || pending.written.is_empty() {
            return;
        }
        let Ok(file) = pending.file.into_inner() else {
            return;
        };
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let name = format!("{stamp:032}-{}.pack", std::process::id());
        let kept = self.dir.join(name);
        if file.persist_noclobber(&kept).is_ok() {
            evict(&self.root, &kept);
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.finish();
    }
}

fn write_record(out: &mut impl Write, kind: u8, body: &[u8]) -> std::io::Result<()> {
    let len = u32::try_from(body.len()).map_err(std::io::Error::other)?;
    out.write_all(&[kind])?;
    out.write_all(&len.to_le_bytes())?;
    out.write_all(&checksum(kind, body).to_le_bytes())?;
    out.write_all(body)
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// A record's checksum, a CRC-32 of its kind and body: it only has to catch damage (a segment
/// is read by the build that wrote it, its folder names the build), and every segment is read
/// through at open, so it has to be fast.
fn checksum(kind: u8, body: &[u8]) -> u64 {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(&[kind]);
    hasher.update(body);
    u64::from(hasher.finalize())
}

/// Keeps the newest segments under `root` up to [`MAX_BYTES`] (and `kept` whatever its size),
/// deleting the rest, and deletes temporary files over a day old.
fn evict(root: &Path, kept: &Path) {
    let day = Duration::from_secs(24 * 60 * 60);
    let now = SystemTime::now();
    let mut segments: Vec<(SystemTime, u64, PathBuf)> = Vec::new();
    let folders = std::fs::read_dir(root).into_iter().flatten().flatten();
    for folder in folders.filter(|f| f.file_name().to_string_lossy().starts_with("v2-")) {
        for entry in std::fs::read_dir(folder.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let modified = meta.modified().unwrap_or(now);
            if name.ends_with(".pack") {
                segments.push((modified, meta.len(), entry.path()));
            } else if name.starts_with(".segment-")
                && now.duration_since(modified).unwrap_or_default() > day
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    segments.sort_by(|a, b| b.cmp(a));
    let mut total = 0u64;
    for (_, size, path) in segments {
        total = total.saturating_add(size);
        if total > MAX_BYTES && path != kept {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// The folder the cache lives in: `RAPPORT_CACHE_DIR`, else the platform's cache folder.
fn cache_dir() -> Option<PathBuf> {
    let set = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(dir) = std::env::var_os("RAPPORT_CACHE_DIR").filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return Some(if dir.is_absolute() {
            dir
        } else {
            std::env::current_dir().ok()?.join(dir)
        });
    }
    if cfg!(windows) {
        return set("LOCALAPPDATA").map(|d| d.join("rapport"));
    }
    if cfg!(target_os = "macos") {
        return set("HOME").map(|d| d.join("Library").join("Caches").join("rapport"));
    }
    set("XDG_CACHE_HOME")
        .or_else(|| set("HOME").map(|d| d.join(".cache")))
        .map(|d| d.join("rapport"))
}

/// Whether `dir` is (or would be) inside the working tree or the git directory of the
/// repository at `git_dir`. Compared on resolved paths, through the nearest existing folder, so
/// a link or a `..` does not hide it.
fn inside_repository(dir: &Path, git_dir: &Path) -> bool {
    let resolved = |path: &Path| -> PathBuf {
        let mut existing = path.to_path_buf();
        let mut rest = Vec::new();
        loop {
            if let Ok(found) = existing.canonicalize() {
                let mut found = found;
                for part in rest.iter().rev() {
                    found.push(part);
                }
                return found;
            }
            match (existing.file_name(), existing.parent()) {
                (Some(name), Some(parent)) => {
                    rest.push(name.to_os_string());
                    existing = parent.to_path_buf();
                }
                _ => return path.to_path_buf(),
            }
        }
    };
    let dir = resolved(dir);
    let mut roots = vec![resolved(git_dir)];
    if let Ok(repo) = git2::Repository::open(git_dir) {
        roots.push(resolved(repo.commondir()));
        if let Some(work) = repo.workdir() {
            roots.push(resolved(work));
        }
    }
    roots.iter().any(|root| dir.starts_with(root))
}

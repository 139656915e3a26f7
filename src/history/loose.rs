//! Loose objects checked whole before libgit2 reads any: libgit2 1.9.7 spins forever on a loose
//! object whose compressed data is cut short, so a repository holding one is refused at once,
//! naming the object, instead of hanging the command that reads it.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use flate2::{Decompress, FlushDecompress, Status};
use rayon::prelude::*;

/// A loose object that cannot be read whole.
#[derive(Debug)]
pub(crate) struct Damaged {
    /// The object's id, from its file's name.
    pub id: String,
    pub file: PathBuf,
    /// What is wrong with it, as a phrase.
    pub what: String,
}

/// Checks every loose object of the repository whose shared git folder is `common_dir` (and of
/// its alternates): each must inflate to its end, to the size its header gives. A folder is
/// checked once per process.
pub(crate) fn check(common_dir: &Path) -> Result<(), Damaged> {
    static CHECKED: OnceLock<Mutex<HashSet<PathBuf>>> = OnceLock::new();
    let checked = CHECKED.get_or_init(Default::default);
    let objects = common_dir.join("objects");
    let mut folders = vec![objects.clone()];
    folders.extend(alternates(&objects));
    for folder in folders {
        if checked.lock().is_ok_and(|done| done.contains(&folder)) {
            continue;
        }
        let files = loose_files(&folder);
        // One inflater and its buffers per thread, reset for each object.
        let damaged = files
            .par_iter()
            .map_init(Inflater::new, |inflater, (id, file)| {
                inflater.problem(file).map(|what| Damaged {
                    id: id.clone(),
                    file: file.clone(),
                    what,
                })
            })
            .find_first(Option::is_some)
            .flatten();
        if let Some(damaged) = damaged {
            return Err(damaged);
        }
        if let Ok(mut done) = checked.lock() {
            done.insert(folder);
        }
    }
    Ok(())
}

/// The object folders `objects/info/alternates` names (one level: an alternate's own
/// alternates are rare and read by libgit2 the same way).
fn alternates(objects: &Path) -> Vec<PathBuf> {
    let Ok(text) = std::fs::read_to_string(objects.join("info/alternates")) else {
        return Vec::new();
    };
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| objects.join(line))
        .filter(|folder| folder.is_dir())
        .collect()
}

/// Every loose object file in an object folder, `(id, file)`, ordered by id.
fn loose_files(objects: &Path) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let Ok(fanout) = std::fs::read_dir(objects) else {
        return found;
    };
    for dir in fanout.flatten() {
        let prefix = dir.file_name().to_string_lossy().into_owned();
        if prefix.len() != 2 || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        for entry in entries.flatten() {
            let rest = entry.file_name().to_string_lossy().into_owned();
            if rest.len() == 38 && rest.bytes().all(|b| b.is_ascii_hexdigit()) {
                found.push((format!("{prefix}{rest}"), entry.path()));
            }
        }
    }
    found.sort();
    found
}

/// A zlib inflater and its buffers, reused from one object to the next.
struct Inflater {
    inflate: Decompress,
    input: Vec<u8>,
    output: Vec<u8>,
}

impl Inflater {
    fn new() -> Inflater {
        Inflater {
            inflate: Decompress::new(true),
            input: vec![0u8; 16 * 1024],
            output: vec![0u8; 64 * 1024],
        }
    }

    fn problem(&mut self, file: &Path) -> Option<String> {
        self.inflate.reset(true);
        problem_with(file, &mut self.inflate, &mut self.input, &mut self.output)
    }
}

/// What is wrong with a loose object file, if anything.
#[cfg(test)]
fn problem(file: &Path) -> Option<String> {
    Inflater::new().problem(file)
}

/// What is wrong with a loose object file, if anything: it is inflated in chunks (nothing is
/// kept), and must end where its zlib stream ends with as many bytes as its header says.
fn problem_with(
    file: &Path,
    inflate: &mut Decompress,
    input: &mut [u8],
    output: &mut [u8],
) -> Option<String> {
    let mut reader = match File::open(file) {
        Ok(reader) => reader,
        Err(error) => return Some(format!("it cannot be read ({error})")),
    };
    let mut header = Vec::new();
    let mut header_done = false;
    loop {
        let read = match reader.read(input) {
            Ok(0) => {
                return Some(
                    "it is cut short: its compressed data ends before the object does".into(),
                );
            }
            Ok(read) => read,
            Err(error) => return Some(format!("it cannot be read ({error})")),
        };
        let mut offset = 0;
        while offset < read {
            let (before_in, before_out) = (inflate.total_in(), inflate.total_out());
            let status =
                match inflate.decompress(&input[offset..read], output, FlushDecompress::None) {
                    Ok(status) => status,
                    Err(_) => return Some("its compressed data is damaged".into()),
                };
            let consumed = (inflate.total_in() - before_in) as usize;
            let produced = (inflate.total_out() - before_out) as usize;
            offset += consumed;
            if !header_done {
                for &byte in &output[..produced] {
                    if byte == 0 {
                        header_done = true;
                        break;
                    }
                    header.push(byte);
                    if header.len() > 32 {
                        return Some("its header is not `TYPE SIZE`".into());
                    }
                }
            }
            if status == Status::StreamEnd {
                return whole(&header, header_done, inflate.total_out());
            }
            if consumed == 0 && produced == 0 {
                return Some("its compressed data is damaged".into());
            }
        }
    }
}

/// Whether an inflated object's length agrees with its header (`blob 1234`, then a NUL).
fn whole(header: &[u8], header_done: bool, total: u64) -> Option<String> {
    let size = std::str::from_utf8(header)
        .ok()
        .and_then(|h| h.split_once(' '))
        .filter(|(kind, _)| matches!(*kind, "blob" | "tree" | "commit" | "tag"))
        .and_then(|(_, size)| size.parse::<u64>().ok());
    match size {
        Some(size) if header_done && size + header.len() as u64 + 1 == total => None,
        Some(size) => Some(format!(
            "it holds {} bytes where its header says {size}",
            total.saturating_sub(header.len() as u64 + 1)
        )),
        None => Some("its header is not `TYPE SIZE`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn loose(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).expect("deflate");
        let mut file = tempfile::NamedTempFile::new().expect("a file");
        file.write_all(&encoder.finish().expect("deflate"))
            .expect("write");
        file
    }

    #[test]
    fn a_whole_object_passes_and_a_cut_or_lying_one_does_not() {
        let body = "北风科技 partnership notes\n".repeat(400);
        let object = format!("blob {}\0{body}", body.len());
        let whole = loose(object.as_bytes());
        assert_eq!(problem(whole.path()), None);
        let bytes = std::fs::read(whole.path()).expect("read");
        for cut in [1, 2, bytes.len() / 2, bytes.len() - 1] {
            let mut short = tempfile::NamedTempFile::new().expect("a file");
            short.write_all(&bytes[..cut]).expect("write");
            assert!(problem(short.path()).is_some(), "cut at {cut}");
        }
        let lying = loose(format!("blob 7\0{body}").as_bytes());
        assert!(problem(lying.path()).is_some_and(|p| p.contains("header says 7")));
        let garbage = tempfile::NamedTempFile::new().expect("a file");
        std::fs::write(garbage.path(), b"not zlib at all").expect("write");
        assert!(problem(garbage.path()).is_some());
    }
}

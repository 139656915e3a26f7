//! Commit objects read for the listing without libgit2: the fields the listing needs (tree,
//! parents, times, author's name, summary), parsed from a commit written the plain way exactly
//! as libgit2 parses it. Anything else (a NUL byte, a second author line, an id in upper case, a
//! signature or time zone out of the usual form) is `None`, and the commit is read through
//! libgit2, which says what is wrong with it, as before.

use git2::Oid;

/// What the listing reads of one commit object.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Parsed<'a> {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    /// Committer time, seconds since the Unix epoch.
    pub committed: i64,
    /// Author time, seconds since the Unix epoch.
    pub authored: i64,
    /// The author's offset from UTC, in minutes (0 when libgit2 would not read it).
    pub offset: i32,
    /// The author's name, trimmed as libgit2 trims it.
    pub author: &'a [u8],
    /// The message, after the blank line that ends the headers.
    pub message: &'a [u8],
}

/// The fields of commit object `bytes`, when it is written the plain way.
pub(super) fn parse(bytes: &[u8]) -> Option<Parsed<'_>> {
    if memchr::memchr(0, bytes).is_some() {
        return None;
    }
    let mut rest = bytes;
    let tree = id_line(&mut rest, b"tree ")?;
    let mut parents = Vec::with_capacity(1);
    while rest.starts_with(b"parent ") {
        parents.push(id_line(&mut rest, b"parent ")?);
    }
    let (author, authored, offset) = signature_line(&mut rest, b"author ")?;
    if rest.starts_with(b"author ") {
        return None;
    }
    let (_, committed, _) = signature_line(&mut rest, b"committer ")?;
    // The other headers, to the blank line; each line read ends with a newline.
    let message = loop {
        match rest.first() {
            None => break &b""[..],
            Some(b'\n') => break &rest[1..],
            Some(_) => {
                rest = match memchr::memchr(b'\n', rest) {
                    Some(end) => &rest[end + 1..],
                    None => &b""[..],
                }
            }
        }
    };
    Some(Parsed {
        tree,
        parents,
        committed,
        authored,
        offset,
        author,
        message,
    })
}

/// `header` followed by an object id in lower-case hex and a newline.
fn id_line(rest: &mut &[u8], header: &[u8]) -> Option<Oid> {
    let line = rest.strip_prefix(header)?;
    let (hex, after) = (line.get(..40)?, line.get(40..)?);
    if after.first() != Some(&b'\n') || !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    {
        return None;
    }
    *rest = &after[1..];
    Oid::from_str(std::str::from_utf8(hex).ok()?).ok()
}

/// `header`, then `name <email> seconds ±hhmm` and a newline: the name as [`trim`] gives it, the
/// time, and the offset in minutes as libgit2 reads it (0 past +14:59).
fn signature_line<'a>(rest: &mut &'a [u8], header: &[u8]) -> Option<(&'a [u8], i64, i32)> {
    let after_header = rest.strip_prefix(header)?;
    let end = memchr::memchr(b'\n', after_header)?;
    let line = &after_header[..end];
    *rest = &after_header[end + 1..];
    let open = memchr::memrchr(b'<', line)?;
    let close = memchr::memrchr(b'>', line)?;
    if close <= open {
        return None;
    }
    let name = trim(&line[..open]);
    let when = line[close + 1..].strip_prefix(b" ")?;
    let space = memchr::memchr(b' ', when)?;
    let (seconds, zone) = (&when[..space], &when[space + 1..]);
    if seconds.is_empty() || seconds.len() > 18 || !seconds.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let seconds: i64 = std::str::from_utf8(seconds).ok()?.parse().ok()?;
    let [sign @ (b'+' | b'-'), digits @ ..] = zone else {
        return None;
    };
    if digits.len() != 4 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let hhmm: i32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
    let (hours, minutes) = (hhmm / 100, hhmm % 100);
    let offset = if hours <= 14 && minutes <= 59 {
        let offset = hours * 60 + minutes;
        if *sign == b'-' { -offset } else { offset }
    } else {
        0
    };
    Some((name, seconds, offset))
}

/// Whitespace as libgit2 sees it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0c | b'\r' | 0x0b)
}

/// A signature's name as libgit2 trims it: control characters, spaces and the punctuation
/// around names in mail headers (`,:;<>"\'`) dropped at both ends.
fn trim(mut bytes: &[u8]) -> &[u8] {
    let crud = |b: u8| b <= b' ' || b",:;<>\"\\'".contains(&b);
    while let [first, rest @ ..] = bytes
        && crud(*first)
    {
        bytes = rest;
    }
    while let [rest @ .., last] = bytes
        && crud(*last)
    {
        bytes = rest;
    }
    bytes
}

/// The summary libgit2 gives of a message: its first paragraph (leading newlines skipped; it
/// ends at a line empty or blank), each run of whitespace holding a newline made one space,
/// other runs kept, whitespace at the end dropped.
pub(super) fn summary(message: &[u8]) -> Vec<u8> {
    let start = message
        .iter()
        .position(|b| *b != b'\n')
        .unwrap_or(message.len());
    let message = &message[start..];
    let mut out = Vec::with_capacity(message.len().min(80));
    let mut space: Option<(usize, bool)> = None;
    for (i, &b) in message.iter().enumerate() {
        if b == b'\n' {
            let next = &message[i + 1..];
            let blank = next
                .iter()
                .position(|c| !(is_space(*c) && *c != b'\n'))
                .is_none_or(|k| next[k] == b'\n');
            if blank {
                break;
            }
        }
        if is_space(b) {
            let (_, newline) = space.get_or_insert((i, false));
            *newline |= b == b'\n';
        } else {
            if let Some((from, newline)) = space.take() {
                if newline {
                    out.push(b' ');
                } else {
                    out.extend_from_slice(&message[from..i]);
                }
            }
            out.push(b);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A commit object from its parts, as a teammate's tool (or a hand) might write it.
    fn commit(tree: &str, parents: &[&str], author: &str, committer: &str, rest: &str) -> Vec<u8> {
        let mut text = format!("tree {tree}\n");
        for parent in parents {
            text.push_str(&format!("parent {parent}\n"));
        }
        text.push_str(&format!("author {author}\ncommitter {committer}\n{rest}"));
        text.into_bytes()
    }

    /// Whatever the listing reads of a commit it reads as libgit2 does, or it leaves the commit
    /// to libgit2: written into a repository as raw objects (names with odd spacing, e-mails
    /// missing, times out of range, zones past +14:59, several authors, extra headers, messages
    /// with leading newlines, blank lines of spaces and tabs, carriage returns), each commit
    /// this parser reads gives libgit2's tree, parents, times, offset, author's name and
    /// summary.
    #[test]
    fn commits_read_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let repo = git2::Repository::init_bare(dir.path()).expect("a repository");
        let odb = repo.odb().expect("its objects");
        let names = prop::sample::select(vec![
            "Mei Lin",
            "  Mei  Lin ",
            "\tMei\u{b}Lin\r",
            "王 芳",
            "",
            "Bob <bob",
            "a>b",
            "Ana <x> Smith",
            "'Mei, Lin';",
            "\"Mei\" \\ :",
            "\u{7f}Mei\u{1}",
        ]);
        let emails = prop::sample::select(vec![
            "<mei@example.com>",
            "<>",
            "mei@example.com",
            "<a<b>",
            "<a>b>",
            "< spaced >",
        ]);
        let plain_times = prop::sample::select(vec![
            " 1700000000 +0800",
            " 1700000000 -0000",
            " 0 +0000",
            " 1700000000 +1500",
            " 1700000000 -0960",
            " 1700000000 +1459",
            " 1700000000 -0130",
        ]);
        let odd_times = prop::sample::select(vec![
            " 99999999999999999999 +0000",
            "  1700000000 +0100",
            " 1700000000 0100",
            " 1700000000 +01",
            " 1700000000",
            "",
            " -5 +0000",
            " 1700000000 +0100 extra",
            "x1700000000 +0100",
        ]);
        let times = prop_oneof![4 => plain_times, 1 => odd_times];
        let signature = (names, emails, times).prop_map(|(n, e, t)| format!("{n} {e}{t}"));
        let messages = prop::sample::select(vec![
            "\nStretch the payment terms\n",
            "\n\n\nLeading newlines\n\nBody\n",
            "\nFirst line\nsecond line\n\nbody",
            "\nFirst  line\twith\ttabs  \n   \nbody",
            "\nFirst line \r\n continued\n",
            "\nTrailing spaces   \n",
            "\n",
            "",
            "\n   \n",
            "\nOne\n\t\nTwo",
            "\n合同续签 \n 付款条件\n",
            "encoding ISO-8859-1\n\nLatin\n",
            "gpgsig -----BEGIN\n line\n -----END\n\nSigned\n",
            "\nno newline at the end",
        ]);
        let trees = prop_oneof![
            9 => Just("4b825dc642cb6eb9a060e54bf8d69288fbee4904"),
            1 => Just("4B825DC642CB6EB9A060E54BF8D69288FBEE4904"),
        ];
        let strategy = (
            trees,
            prop::collection::vec(Just("0123456789abcdef0123456789abcdef01234567"), 0..3),
            signature.clone(),
            signature,
            prop::bool::weighted(0.1),
            messages,
        );
        let read = std::cell::Cell::new(0);
        proptest!(
            ProptestConfig::with_cases(2_000),
            |((tree, parents, author, committer, twice, message) in strategy)| {
                let rest = if twice { format!("author {author}\n{message}") } else { message.to_string() };
                let bytes = commit(tree, &parents, &author, &committer, &rest);
                let oid = odb.write(git2::ObjectType::Commit, &bytes).expect("written");
                let Some(ours) = parse(&bytes) else {
                    return Ok(());
                };
                read.set(read.get() + 1);
                let theirs = repo.find_commit(oid);
                prop_assert!(theirs.is_ok(), "libgit2 refuses what was read: {bytes:?}");
                let theirs = theirs.expect("read");
                prop_assert_eq!(ours.tree, theirs.tree_id());
                prop_assert_eq!(&ours.parents, &theirs.parent_ids().collect::<Vec<_>>());
                prop_assert_eq!(ours.committed, theirs.time().seconds());
                let signature = theirs.author();
                prop_assert_eq!(ours.authored, signature.when().seconds());
                prop_assert_eq!(ours.offset, signature.when().offset_minutes());
                prop_assert_eq!(ours.author, signature.name_bytes());
                prop_assert_eq!(
                    summary(ours.message),
                    theirs.summary_bytes().unwrap_or_default().to_vec(),
                    "message {:?}", message
                );
            }
        );
        assert!(read.get() > 500, "{} commits read", read.get());
    }

    /// A plain commit is read; the ones libgit2 reads its own way are left to it.
    #[test]
    fn only_plain_commits_are_read() {
        let tree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
        let plain = commit(
            tree,
            &[],
            "Mei Lin <mei@example.com> 1700000000 +0800",
            "Mei Lin <mei@example.com> 1700000001 +0800",
            "\nRenewal notes\n",
        );
        let read = parse(&plain).expect("a plain commit is read");
        assert_eq!(
            (read.authored, read.committed, read.offset),
            (1_700_000_000, 1_700_000_001, 480)
        );
        assert_eq!(summary(read.message), b"Renewal notes");
        let mut nul = plain.clone();
        nul.extend_from_slice(b"\0hidden");
        assert_eq!(parse(&nul), None, "a NUL byte");
        let upper = commit(
            &tree.to_uppercase(),
            &[],
            "Mei Lin <mei@example.com> 1700000000 +0800",
            "Mei Lin <mei@example.com> 1700000001 +0800",
            "\nRenewal notes\n",
        );
        assert_eq!(parse(&upper), None, "an id in upper case");
    }
}

//! The front matter read one top-level field at a time, so that a field written exactly as in
//! the file's previous version is not read again: a version usually changes one number.
//!
//! Reading a field alone gives what reading it in the whole front matter gives only when nothing
//! in the YAML reaches from one field into another. [`fields`] splits the text before each line
//! that starts a top-level key and refuses (returns `None`) whenever something could reach across
//! such a line: anchors and aliases, directives and document markers, a line at the margin that
//! is neither a plain key, a list item, a comment nor blank. A quoted or flow value that goes on
//! past the next key line leaves its field unfinished, which does not read, so the caller reads
//! the whole text instead. Each field is read with its own type and serde attributes, the same
//! deserializer and limits as [`FrontMatter`] (see [`Field`]), so a field reads alone exactly
//! as it reads in place; a field written twice, an unknown field or a missing required one also
//! sends the caller to the whole text, whose reading reports it.

use serde::{Deserialize, Deserializer};

use super::model::{
    Acknowledgement, Contact, Effort, Event, FrontMatter, Invoice, Metric, Money, Offer, Plan,
    Requirement, Satisfaction, ScopeItem, Status, Support, Terms, Win,
};
use super::yaml;

/// Front matter longer than this is read whole: the YAML limits (events, nodes) count over the
/// whole text, and below this size no text can reach them however it is split.
const MAX_SPLIT_BYTES: usize = 32 * 1024;

/// The top-level fields of a front matter text, each as its key and its lines (the key line and
/// everything up to the next key line). `None` when the text cannot be split safely; see the
/// module's documentation.
pub(crate) fn fields(front: &str) -> Option<Vec<(&str, &str)>> {
    if front.len() > MAX_SPLIT_BYTES || may_anchor(front) {
        return None;
    }
    let mut out: Vec<(&str, &str)> = Vec::new();
    let mut start = None::<(usize, &str)>;
    let mut offset = 0;
    for line in front.split_inclusive('\n') {
        let first = line.as_bytes().first().copied().unwrap_or(b'\n');
        match first {
            // Before the first key, only blank lines and comments.
            b' ' if start.is_none()
                && !matches!(line.trim_start().bytes().next(), Some(b'#') | None) =>
            {
                return None;
            }
            b' ' | b'#' | b'\n' | b'\r' => {}
            b'-' if start.is_some() && is_item(line) => {}
            _ => {
                let key = plain_key(line)?;
                if let Some((from, key)) = start {
                    out.push((key, &front[from..offset]));
                }
                start = Some((offset, key));
            }
        }
        offset += line.len();
    }
    // Anything before the first key is blank or comments.
    let (from, key) = start?;
    out.push((key, &front[from..]));
    Some(out)
}

/// Whether the text may hold an anchor (`&name`) or an alias (`*name`): either character where
/// a YAML node can begin (after a space, at the start of a line, after `[`, `{` or `,`). A `&`
/// inside a word ("R&D") is not one. Directives (`%`) and document markers are lines at the
/// margin that are not keys, refused in [`fields`].
fn may_anchor(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        (b == b'&' || b == b'*')
            && (i == 0
                || matches!(
                    bytes[i - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b'-' | b':' | b'?'
                ))
    })
}

/// A list item at the margin (`- …`), the compact form of a top-level list.
fn is_item(line: &str) -> bool {
    matches!(line.as_bytes().get(1), Some(b' ' | b'\n' | b'\r') | None)
}

/// The key of a line `key: value` or `key:` at the margin, when the key is a plain name.
fn plain_key(line: &str) -> Option<&str> {
    let end = line.find(':')?;
    let key = &line[..end];
    let mut chars = key.chars();
    let first = chars.next()?;
    let plain = (first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let after = line.as_bytes().get(end + 1);
    (plain && matches!(after, Some(b' ' | b'\n' | b'\r') | None)).then_some(key)
}

/// A field's value read exactly as [`FrontMatter`] reads it: `T`'s own deserialization of the
/// value, even when the value is `null` (where a plain `Option<T>` would say "absent").
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

macro_rules! front_fields {
    (required { $($r:ident: $rt:ty),* $(,)? } defaulted { $($d:ident: $dt:ty),* $(,)? }) => {
        /// Top-level fields of a front matter, each set when written: one field, read from its
        /// lines alone, or the fields gathered so far. The types are [`FrontMatter`]'s; the
        /// construction in [`Field::finish`] names every field, so a field added there and not
        /// here does not compile.
        #[derive(Clone, Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub(crate) struct Field {
            $( #[serde(default, deserialize_with = "present")] $r: Option<$rt>, )*
            $( #[serde(default, deserialize_with = "present")] $d: Option<$dt>, )*
        }

        impl Field {
            /// Adds the fields `self` holds to `into`; `false` when `into` holds one already.
            fn add_to(&self, into: &mut Field) -> bool {
                $( if let Some(value) = &self.$r {
                    if into.$r.is_some() { return false; }
                    into.$r = Some(value.clone());
                } )*
                $( if let Some(value) = &self.$d {
                    if into.$d.is_some() { return false; }
                    into.$d = Some(value.clone());
                } )*
                true
            }

            /// The front matter of the gathered fields; `None` when a required one is missing.
            /// An unwritten field takes its default, as `#[serde(default)]` gives it.
            fn finish(self) -> Option<FrontMatter> {
                Some(FrontMatter {
                    $( $r: self.$r?, )*
                    $( $d: self.$d.unwrap_or_default(), )*
                })
            }
        }
    };
}

front_fields! {
    required {
        rapport: u32,
        partner: String,
        status: Status,
        owner: String,
    }
    defaulted {
        id: Option<String>,
        since: Option<super::Date>,
        launched: Option<super::Date>,
        plan: Option<Plan>,
        contacts: Vec<Contact>,
        terms: Option<Terms>,
        money: Option<Money>,
        effort: Option<Effort>,
        kpis: Vec<Metric>,
        slas: Vec<Metric>,
        scope: Vec<ScopeItem>,
        requirements: Vec<Requirement>,
        offers: Vec<Offer>,
        invoices: Vec<Invoice>,
        support: Option<Support>,
        satisfaction: Option<Satisfaction>,
        wins: Vec<Win>,
        events: Vec<Event>,
        acknowledged: Vec<Acknowledgement>,
    }
}

/// Reads one field's lines.
pub(crate) fn read_field(lines: &str) -> Option<Field> {
    yaml::parse_typed(lines).ok()
}

/// The front matter from its fields, read by `read` (which may take a field from an earlier
/// version); `None` when the text cannot be split, a field does not read, or the fields do not
/// make a front matter. `Some` only with what reading the whole text gives.
pub(crate) fn assemble<'a>(
    front: &'a str,
    mut read: impl FnMut(&'a str) -> Option<std::sync::Arc<Field>>,
) -> Option<FrontMatter> {
    let mut gathered = Field::default();
    for (_, lines) in fields(front)? {
        if !read(lines)?.add_to(&mut gathered) {
            return None;
        }
    }
    gathered.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alone(front: &str) -> Option<FrontMatter> {
        assemble(front, |lines| read_field(lines).map(Into::into))
    }

    fn whole(front: &str) -> Option<FrontMatter> {
        yaml::parse_typed::<FrontMatter>(front).ok()
    }

    const PLAIN: &str = "rapport: 1\npartner: Northwind\nstatus: active\nowner: Priya Raman\n\
        # a comment\ncontacts:\n- { name: Dana, side: partner, level: vp }\n  \n\
        terms:\n  payment_days: 30\n";

    #[test]
    fn fields_split_before_each_key_at_the_margin() {
        let keys: Vec<&str> = fields(PLAIN)
            .unwrap_or_default()
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(
            keys,
            ["rapport", "partner", "status", "owner", "contacts", "terms"]
        );
        let joined: String = fields(PLAIN)
            .unwrap_or_default()
            .iter()
            .map(|f| f.1)
            .collect();
        assert_eq!(joined, PLAIN);
        assert!(alone(PLAIN).is_some());
        assert_eq!(alone(PLAIN), whole(PLAIN));
    }

    #[test]
    fn what_could_reach_across_fields_is_read_whole() {
        for text in [
            "rapport: 1\npartner: &p Acme\nowner: *p\nstatus: active\n",
            "%YAML 1.2\n---\nrapport: 1\n",
            "\"rapport\": 1\n",
            "? rapport\n: 1\n",
            "- rapport\n",
            "rapport: 1\n...\n",
            "\trapport: 1\n",
            "<<: { rapport: 1 }\n",
        ] {
            assert!(fields(text).is_none(), "{text:?} is split");
        }
        assert!(fields("partner: R&D Labs\n").is_some());
    }

    /// Front matters where a split would go wrong if the field read alone were trusted.
    #[test]
    fn a_value_running_over_a_key_line_sends_the_whole_text_to_the_reader() {
        let base = "rapport: 1\nstatus: active\nowner: Priya\n";
        for tail in [
            "partner: \"Acme\nid: x\"\n",
            "partner: 'Acme\nid: x'\n",
            "partner: [Acme,\nid: x]\n",
            "partner: { a: Acme,\nid: x }\n",
            "partner: |\nid: x\n",
            "partner: >\nid: x\n",
            "partner: Acme\nid: x\nid: y\n",
            "partner: Acme\nunknown: 1\n",
            "partner: ~\n",
            "partner: Acme\ncontacts: ~\n",
            "partner: Acme\nsince: ~\n",
            "partner: Acme\nid: ~\n",
        ] {
            let text = format!("{base}{tail}");
            let (alone, whole) = (alone(&text), whole(&text));
            if alone.is_some() {
                assert_eq!(alone, whole, "{text:?}");
            }
        }
    }

    /// Lines a front matter is made of, well and badly written: values that go on over the
    /// next line, block scalars, flow collections left open, comments, lists at the margin,
    /// unknown and repeated keys, anchors, nulls.
    const LINES: &[&str] = &[
        "rapport: 1\n",
        "rapport: ~\n",
        "partner: Acme\n",
        "partner: \"Acme\n",
        "partner: 'It''s\n",
        "partner: Acme: Corp\n",
        "status: active\n",
        "status: paused\n",
        "owner: Priya Raman\n",
        "owner: |\n",
        "owner: >-\n",
        "  folded text\n",
        "text at the margin\n",
        "id: acme\n",
        "id: ~\n",
        "id: x\"\n",
        "id: 'x\n",
        "contacts:\n",
        "- { name: Dana, side: partner, level: vp }\n",
        "  - name: Lee\n",
        "    side: ours\n",
        "-\n",
        "terms: { payment_days: 30,\n",
        "terms:\n",
        "  payment_days: 45\n",
        "  currency: EUR }\n",
        "}\n",
        "]\n",
        "kpis: [\n",
        "  { id: k, name: K, unit: EUR, target: 1, actual: 2 } ]\n",
        "# a comment\n",
        "\n",
        "   \n",
        "since: 2024-01-02\n",
        "since: '2024-01-02'\n",
        "since:\n",
        "unknown: 1\n",
        "satisfaction: { score: 4.5 }\n",
        "effort: { hours_per_month: 10 }\n",
        "scope:\n",
        "  - { id: a, summary: b, owner: partner }\n",
        "partner: &p Acme\n",
        "owner: *p\n",
        "\"owner\": Priya\n",
        "...\n",
        "---\n",
        "\tstatus: active\n",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Whatever the lines, reading field by field gives what reading the whole gives, or
        /// nothing (and the whole is read).
        #[test]
        fn read_alone_or_not_at_all(
            picks in proptest::collection::vec(0..LINES.len(), 0..12),
            at in proptest::collection::vec(0..12usize, 4),
        ) {
            // The required fields, each at a place of its own among the lines.
            let mut lines: Vec<&str> = picks.iter().map(|&i| LINES[i]).collect();
            let required = ["rapport: 1\n", "partner: Acme\n", "status: active\n", "owner: Priya\n"];
            for (line, at) in required.into_iter().zip(at) {
                lines.insert(at.min(lines.len()), line);
            }
            let text: String = lines.concat();
            if let Some(alone) = alone(&text) {
                proptest::prop_assert_eq!(Some(alone), whole(&text), "{:?}", text);
            }
        }

        /// The well-written front matters are read field by field.
        #[test]
        fn plain_front_matter_is_read_alone(picks in proptest::collection::vec(0..8usize, 0..8)) {
            let optional = [
                "id: acme\n",
                "since: 2024-01-02\n",
                "contacts:\n- { name: Dana, side: partner, level: vp }\n",
                "terms:\n  payment_days: 45\n",
                "# a comment\n\n",
                "satisfaction: { score: 4.5 }\n",
                "effort: { hours_per_month: 10 }\n",
                "scope:\n  - { id: a, summary: b, owner: partner }\n",
            ];
            let mut seen = std::collections::HashSet::new();
            let text: String = ["rapport: 1\npartner: Acme\nstatus: active\nowner: Priya\n"]
                .into_iter()
                .chain(picks.into_iter().filter(|&i| seen.insert(i)).map(|i| optional[i]))
                .collect();
            let whole = whole(&text);
            proptest::prop_assert!(whole.is_some(), "{:?}", text);
            proptest::prop_assert_eq!(alone(&text), whole, "{:?}", text);
        }
    }
}

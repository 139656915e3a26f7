//! What changed between two versions of a partnership, as data: field-level changes, contacts,
//! scope items, meetings and action items; the history of each action item across a timeline;
//! and the numeric series (payment days, price, KPI actuals...) behind trend rules and charts.

mod diff;
mod items;
mod series;

pub use diff::{Change, changes, display, display_number, scope_changes};
pub use items::{ItemHistory, ItemTrack, SAME_ITEM, action_items, distinct_items};
pub use series::{Series, series};

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::items::{
        PAIRING_BUDGET, folded, item_changes, item_similarity, match_items, pair_closest,
        summary_similarity,
    };
    use super::*;
    use crate::ledger::body::ActionItem;
    use crate::ledger::date::Date;
    use crate::ledger::model::Side;
    use crate::ledger::parse::parse_partnership;
    use crate::ledger::{Commit, Content, Ladder, Version};
    use crate::ledger::{Snapshot, Timeline};

    fn snap(path: &str, front: &str, body: &str) -> Snapshot {
        let text = format!(
            "---\nrapport: 1\npartner: Northwind\nstatus: active\nowner: Priya\n{front}---\n{body}"
        );
        match parse_partnership(path, text.as_bytes(), &Ladder::default()) {
            Ok(s) => s,
            Err(d) => panic!("{d:?}"),
        }
    }

    #[test]
    fn a_price_in_another_currency_names_both_currencies() {
        let cny = snap("p.md", "terms: { price: 1200000, currency: CNY }\n", "");
        let usd = snap("p.md", "terms: { price: 168000, currency: USD }\n", "");
        let fields: Vec<(String, Option<String>, Option<String>)> = changes(Some(&cny), &usd)
            .into_iter()
            .filter_map(|c| match c {
                Change::Field { path, from, to } => Some((path, from, to)),
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            [
                (
                    "terms.currency".into(),
                    Some("CNY".into()),
                    Some("USD".into())
                ),
                (
                    "terms.price".into(),
                    Some("CNY 1200000".into()),
                    Some("USD 168000".into())
                ),
            ]
        );
        // Near miss: one currency, the price alone changes, written as before.
        let cut = snap("p.md", "terms: { price: 900000, currency: CNY }\n", "");
        let fields: Vec<Change> = changes(Some(&cny), &cut);
        assert_eq!(
            fields,
            [Change::Field {
                path: "terms.price".into(),
                from: Some("1200000".into()),
                to: Some("900000".into()),
            }]
        );
    }

    fn version(day: u32, snapshot: Snapshot) -> Version {
        let date = Date::from_ymd(2024, 1, day).expect("a real date");
        Version {
            commit: Arc::new(Commit {
                id: format!("{day:040}"),
                short: format!("{day:07}"),
                author: "Priya".into(),
                time: 0,
                date,
                summary: String::new(),
            }),
            path: snapshot.path.clone(),
            content: Content::Valid {
                snapshot: Arc::new(snapshot),
            },
            parent: None,
            date,
        }
    }

    /// Versions one after the other, each descending from the one before.
    fn linear(versions: Vec<Version>) -> Vec<Version> {
        versions
            .into_iter()
            .enumerate()
            .map(|(i, v)| Version {
                parent: i.checked_sub(1),
                ..v
            })
            .collect()
    }

    #[test]
    fn entries_added_or_removed_whole_are_one_change() {
        let before = snap(
            "partners/nw.md",
            "plan: { segments: [EU healthcare] }\ninvoices:\n  - { id: INV-1, payer: partner, amount: 100, due: 2024-02-01 }\nwins:\n  - { date: 2024-01-05, value: 10 }\n",
            "",
        );
        let after = snap(
            "partners/nw.md",
            "plan: { segments: [EU healthcare, Nordics] }\ninvoices:\n  - { id: INV-1, payer: partner, amount: 100, due: 2024-02-01, paid: 2024-01-30 }\n  - { id: INV-2, payer: partner, amount: 50, due: 2024-03-01 }\n",
            "",
        );
        let fields: Vec<String> = changes(Some(&before), &after)
            .into_iter()
            .filter_map(|c| match c {
                Change::Field { path, from, to } => Some(format!(
                    "{path}: {} -> {}",
                    from.unwrap_or_default(),
                    to.unwrap_or_default()
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                "invoices.INV-2:  -> {amount: 50, due: 2024-03-01, payer: partner}",
                "wins: {date: 2024-01-05, value: 10} -> ",
                "invoices.INV-1.paid:  -> 2024-01-30",
                "plan.segments: [EU healthcare] -> [EU healthcare, Nordics]",
            ]
        );
    }

    #[test]
    fn an_acknowledgement_reads_as_a_sentence() {
        let before = snap("partners/nw.md", "terms: { price: 100 }\n", "");
        let after = snap(
            "partners/nw.md",
            "terms: { price: 100 }\nacknowledged:\n  - { rule: price-cut, reason: Seats lowered until the renewal, until: 2025-11-28 }\n",
            "",
        );
        let fields: Vec<String> = changes(Some(&before), &after)
            .into_iter()
            .filter_map(|c| match c {
                Change::Field { path, to, .. } => {
                    Some(format!("{path}: {}", to.unwrap_or_default()))
                }
                _ => None,
            })
            .collect();
        assert_eq!(
            fields,
            ["acknowledged: price-cut until 2025-11-28 (Seats lowered until the renewal)"]
        );
    }

    #[test]
    fn field_contact_and_scope_changes() {
        let before = snap(
            "partners/nw.md",
            "contacts:\n  - { name: Dana, side: partner, level: executive }\n  - { name: Lee, side: partner, level: staff }\nterms: { payment_days: 30, price: 120000 }\nscope:\n  - { id: hosting, summary: Managed hosting for EU tenants }\n  - { id: support, summary: Level one support }\n",
            "",
        );
        let after = snap(
            "partners/eu/nw.md",
            "contacts:\n  - { name: Dana, side: partner, level: manager }\n  - { name: Sam, side: partner, level: staff }\nterms: { payment_days: 60, price: 120000 }\nscope:\n  - { id: hosting, summary: Managed hosting for all EU tenants }\n  - { id: training, summary: Training }\n",
            "",
        );
        let changes = changes(Some(&before), &after);
        assert!(changes.contains(&Change::Moved {
            from: "partners/nw.md".into(),
            to: "partners/eu/nw.md".into()
        }));
        assert!(changes.contains(&Change::Field {
            path: "terms.payment_days".into(),
            from: Some("30".into()),
            to: Some("60".into())
        }));
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Field { path, .. } if path == "terms.price"))
        );
        assert!(changes.contains(&Change::ContactLevelChanged {
            name: "Dana".into(),
            side: Side::Partner,
            from: Some("executive".into()),
            to: Some("manager".into())
        }));
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ContactAdded { name, .. } if name == "Sam"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ContactRemoved { name, .. } if name == "Lee"))
        );
        let reworded = changes.iter().find_map(|c| match c {
            Change::ScopeReworded { id, similarity, .. } => Some((id.clone(), *similarity)),
            _ => None,
        });
        let (id, similarity) = reworded.expect("hosting was reworded");
        assert_eq!(id, "hosting");
        assert!(similarity > 0.5 && similarity < 1.0, "{similarity}");
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ScopeAdded { id, .. } if id == "training"))
        );
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, Change::ScopeRemoved { id, .. } if id == "support"))
        );
        assert!(
            !changes
                .iter()
                .any(|c| matches!(c, Change::Field { path, .. } if path.starts_with("contacts.Dana.level") || path.ends_with(".summary"))),
            "{changes:?}"
        );
    }

    #[test]
    fn a_first_version_is_created() {
        let s = snap("partners/nw.md", "", "");
        assert_eq!(changes(None, &s), vec![Change::Created]);
    }

    #[test]
    fn meetings_and_items() {
        let before = snap(
            "p/nw.md",
            "",
            "## 2024-01-10 Kick-off\n- [ ] partner: send the enablement plan\n- [ ] ours: book the room\n",
        );
        let after = snap(
            "p/nw.md",
            "",
            "## 2024-01-10 Kick-off\n- [ ] partner: send the revised enablement plan\n- [x] ours: book the room\n\n## 2024-02-01 Review\n- [ ] partner: fix SSO\n",
        );
        let changes = changes(Some(&before), &after);
        assert_eq!(
            changes,
            vec![
                Change::MeetingAdded {
                    date: Date::from_ymd(2024, 2, 1).expect("date"),
                    title: "Review".into()
                },
                Change::ItemChecked {
                    text: "book the room".into(),
                    owner: Some(Side::Ours)
                },
                Change::ItemOpened {
                    text: "fix SSO".into(),
                    owner: Some(Side::Partner),
                    due: None
                },
            ]
        );
    }

    #[test]
    fn item_history_follows_edits_and_checks() {
        let v1 = snap(
            "p/nw.md",
            "",
            "## 2024-01-01 A\n- [ ] partner: send the plan\n",
        );
        let v2 = snap(
            "p/nw.md",
            "",
            "## 2024-01-01 A\n- [ ] partner: send the plans (due 2024-02-01)\n- [ ] ours: call back\n",
        );
        let v3 = snap(
            "p/nw.md",
            "",
            "## 2024-01-01 A\n- [x] partner: send the plans (due 2024-02-01)\n",
        );
        let timeline = Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, v1), version(5, v2), version(9, v3)]),
            ..Default::default()
        };
        let items = action_items(&timeline);
        assert_eq!(items.len(), 2, "{items:?}");
        let plan = &items[0];
        assert_eq!(plan.text, "send the plans");
        assert_eq!(plan.opened, Date::from_ymd(2024, 1, 1).expect("date"));
        assert_eq!(plan.closed, Date::from_ymd(2024, 1, 9));
        assert_eq!(plan.meeting, Date::from_ymd(2024, 1, 1));
        assert_eq!(plan.due, Date::from_ymd(2024, 2, 1));
        let call = &items[1];
        assert_eq!(call.opened, Date::from_ymd(2024, 1, 5).expect("date"));
        assert_eq!(call.removed, Date::from_ymd(2024, 1, 9));
        assert!(!call.is_open());
    }

    #[test]
    fn an_item_carried_over_to_a_later_meeting_keeps_its_identity() {
        // Newest meeting first, as many teams write; the open item is listed again under it.
        let june = "## 2024-01-01 Kick-off\n- [ ] partner: send the plan (due 2024-01-20)\n";
        let v1 = snap("p/nw.md", "", june);
        let v2 = snap(
            "p/nw.md",
            "",
            &format!(
                "## 2024-01-06 Sync\n- [ ] Partner: Send the  plan (due 2024-02-01)\n- [ ] partner: name a lead\n\n{june}"
            ),
        );
        let v3 = snap(
            "p/nw.md",
            "",
            &format!(
                "## 2024-01-06 Sync\n- [x] partner: send the plan (due 2024-02-01)\n- [ ] partner: name a lead\n\n{june}"
            ),
        );
        let timeline = Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, v1), version(6, v2), version(9, v3)]),
            ..Default::default()
        };
        let items = action_items(&timeline);
        assert_eq!(items.len(), 2, "{items:?}");
        let plan = &items[0];
        assert_eq!(plan.opened, Date::from_ymd(2024, 1, 1).expect("date"));
        assert_eq!(plan.meeting, Date::from_ymd(2024, 1, 1));
        assert_eq!(
            plan.due,
            Date::from_ymd(2024, 2, 1),
            "the latest listing's due date"
        );
        assert_eq!(plan.closed, Date::from_ymd(2024, 1, 9));
        assert_eq!(plan.line, 8, "the latest listing, under the front matter");
        // A different item in the later meeting is its own item.
        assert_eq!(items[1].text, "name a lead");
        assert_eq!(items[1].opened, Date::from_ymd(2024, 1, 6).expect("date"));
        let snapshot = |i: usize| timeline.versions[i].snapshot().expect("valid");
        let mut changes = Vec::new();
        item_changes(snapshot(1), snapshot(2), &mut changes);
        assert_eq!(changes.len(), 1, "{changes:?}");
    }

    fn items(texts: impl Iterator<Item = String>) -> Vec<ActionItem> {
        texts
            .enumerate()
            .map(|(i, text)| ActionItem {
                text,
                owner: Some(Side::Partner),
                due: None,
                done: false,
                line: i + 1,
            })
            .collect()
    }

    #[test]
    fn thousands_of_rewritten_items_pair_within_a_bounded_effort() {
        // Every item rewritten in one commit: pairing each with each by a character diff took
        // hours; the pairing now stops at its budget and calls the rest removed and added.
        let words = [
            "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
        ];
        let text = |seed: usize| {
            (0..6)
                .map(|k| words[(seed * 7 + k * 3 + seed / 7) % words.len()])
                .collect::<Vec<_>>()
                .join(" ")
        };
        let before = items((0..3_000).map(|i| format!("{} {i}", text(i))));
        let mut after = items((0..3_000).map(|i| format!("{} rewritten {i}", text(i + 1))));
        after[0].text = format!("{} 0 (edited)", text(0));
        let (old, new): (Vec<&ActionItem>, Vec<&ActionItem>) =
            (before.iter().collect(), after.iter().collect());
        let pairs = match_items(&old, &new);
        assert_eq!(pairs.len(), 3_000);
        assert_eq!(
            pairs[0],
            Some(0),
            "an edited item still continues its earlier self"
        );
    }

    #[test]
    fn texts_too_long_to_diff_are_compared_at_their_ends() {
        let long = "word ".repeat(10_000);
        let same_start = format!("{long}and an end");
        let other = format!("{long}and another end");
        let s = summary_similarity(&same_start, &other);
        assert!(s > 0.99 && s < 1.0, "{s}");
        assert_eq!(summary_similarity(&long, &long), 1.0);
        assert!(summary_similarity(&long, &"x".repeat(60_000)) < 0.01);
        let mut budget = PAIRING_BUDGET;
        assert_eq!(item_similarity(&same_start, &other, &mut budget), None);
        assert_eq!(budget, PAIRING_BUDGET);
    }

    #[test]
    fn a_different_owner_is_a_different_item() {
        let v1 = snap("p/nw.md", "", "- [ ] partner: send the plan\n");
        let v2 = snap("p/nw.md", "", "- [ ] ours: send the plan\n");
        let items = action_items(&Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, v1), version(2, v2)]),
            ..Default::default()
        });
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn series_keep_changes_only() {
        let a = snap("p/nw.md", "terms: { payment_days: 30 }\n", "");
        let b = snap(
            "p/nw.md",
            "terms: { payment_days: 30 }\neffort: { hours_per_month: 10 }\n",
            "",
        );
        let c = snap("p/nw.md", "terms: { payment_days: 60 }\n", "");
        let series = series(&Timeline {
            id: "nw".into(),
            versions: linear(vec![version(1, a), version(2, b), version(3, c)]),
            ..Default::default()
        });
        assert_eq!(series[0].name, "terms.payment_days");
        assert_eq!(
            series[0].points.iter().map(|p| p.1).collect::<Vec<_>>(),
            vec![30.0, 60.0]
        );
        assert_eq!(series[1].name, "effort.hours_per_month");
    }

    /// Every cut of a timeline with branches, a merge, a version that does not parse, a
    /// deletion and a re-add, items checked, unchecked, edited and moved down by a meeting
    /// written above them: the items followed once give, at each cut, what following the cut
    /// alone gives.
    #[test]
    fn items_followed_once_are_the_items_of_every_cut() {
        let file = |body: &str| snap("p/nw.md", "", body);
        let a = "## 2024-01-01 Kick-off\n- [ ] partner: send the plans\n- [ ] ours: call back\n";
        let versions = vec![
            // 0
            version(1, file(a)),
            // 1: a branch checks the plans, and a meeting above moves them down.
            Version {
                parent: Some(0),
                ..version(
                    2,
                    file(
                        "## 2024-01-02 Review\n- [ ] partner: share the numbers\n\n\
                         ## 2024-01-01 Kick-off\n- [x] partner: send the plans\n- [ ] ours: call back\n",
                    ),
                )
            },
            // 2: another branch adds an item.
            Version {
                parent: Some(0),
                ..version(3, file(&format!("{a}- [ ] ours: fix the backlog\n")))
            },
            // 3: the first branch breaks the file.
            Version {
                content: Content::Invalid {
                    diagnostics: Arc::new(Vec::new()),
                },
                parent: Some(1),
                ..version(4, file(""))
            },
            // 4: the merge brings the other branch's item and edits one.
            Version {
                parent: Some(3),
                ..version(
                    5,
                    file(
                        "## 2024-01-02 Review\n- [ ] partner: share the numbers today\n\n\
                         ## 2024-01-01 Kick-off\n- [x] partner: send the plans\n- [ ] ours: call back\n\
                         - [ ] ours: fix the backlog\n",
                    ),
                )
            },
            // 5: unchecks the plans.
            Version {
                parent: Some(4),
                ..version(
                    6,
                    file(
                        "## 2024-01-02 Review\n- [x] partner: share the numbers today\n\n\
                         ## 2024-01-01 Kick-off\n- [ ] partner: send the plans\n",
                    ),
                )
            },
            // 6: deleted, 7: written again.
            Version {
                content: Content::Removed,
                parent: Some(5),
                ..version(7, file(""))
            },
            Version {
                parent: Some(6),
                ..version(8, file(a))
            },
        ];
        let timeline = Timeline::new("nw".into(), versions.clone());
        for i in 0..versions.len() {
            let cut = Timeline::new("nw".into(), versions[..=i].to_vec());
            assert_eq!(
                timeline.upto(i).action_items(),
                action_items(&cut),
                "cut after version {i}"
            );
        }
        assert_eq!(timeline.action_items(), action_items(&timeline));
        // The merge continued the other branch's item: four items before the re-add.
        assert_eq!(timeline.upto(5).action_items().len(), 4);
        // Another timeline's versions are not read from this one's items.
        let other = Timeline {
            items: timeline.items.clone(),
            ..Timeline::new("nw".into(), vec![version(9, file(a))])
        };
        assert_eq!(other.action_items(), action_items(&other));
    }

    /// The pairing as first written: a queue of unpaired items per owner and text, then the
    /// most similar remaining item of the same owner (that part unchanged, shared).
    fn pairs_as_written(before: &[&ActionItem], after: &[&ActionItem]) -> Vec<Option<usize>> {
        let mut taken = vec![false; before.len()];
        let mut pairs = vec![None; after.len()];
        let mut exact: std::collections::HashMap<
            (Option<Side>, &str),
            std::collections::VecDeque<usize>,
        > = std::collections::HashMap::new();
        for (j, item) in before.iter().enumerate() {
            exact
                .entry((item.owner, item.text.as_str()))
                .or_default()
                .push_back(j);
        }
        for (i, item) in after.iter().enumerate() {
            if let Some(j) = exact
                .get_mut(&(item.owner, item.text.as_str()))
                .and_then(|queue| queue.pop_front())
            {
                taken[j] = true;
                pairs[i] = Some(j);
            }
        }
        pair_closest(before, after, &mut taken, &mut pairs);
        pairs
    }

    fn listed(picks: &[(u8, u8)]) -> Vec<ActionItem> {
        const TEXTS: [&str; 6] = [
            "send the plan",
            "send the plans",
            "book the QBR",
            "确认交付计划",
            "Share ΟΔΟΣ forecast",
            "send the plan",
        ];
        picks
            .iter()
            .enumerate()
            .map(|(i, (text, owner))| ActionItem {
                text: TEXTS[usize::from(*text) % TEXTS.len()].to_string(),
                owner: [None, Some(Side::Ours), Some(Side::Partner)][usize::from(*owner) % 3],
                due: None,
                done: false,
                line: i + 1,
            })
            .collect()
    }

    proptest::proptest! {
        /// Items listed again in order, with or without more, and lists of any kind, pair as
        /// the pairing as first written pairs them.
        #[test]
        fn items_pair_as_first_written(
            before in proptest::collection::vec((0u8..6, 0u8..3), 0..12),
            more in proptest::collection::vec((0u8..6, 0u8..3), 0..6),
            other in proptest::collection::vec((0u8..6, 0u8..3), 0..12),
        ) {
            let old = listed(&before);
            let again = listed(&[before.clone(), more].concat());
            let other = listed(&other);
            let old: Vec<&ActionItem> = old.iter().collect();
            for new in [&again, &other] {
                let new: Vec<&ActionItem> = new.iter().collect();
                proptest::prop_assert_eq!(match_items(&old, &new), pairs_as_written(&old, &new));
                proptest::prop_assert_eq!(match_items(&new, &old), pairs_as_written(&new, &old));
            }
        }

        /// An item's text folds as lower-casing each word and joining them with single spaces.
        #[test]
        fn item_texts_fold_word_by_word(text in "[ \t\na-zA-ZΣσςΟΔ确认İ]{0,24}") {
            let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
            proptest::prop_assert_eq!(folded(&text), words.join(" "));
        }
    }
}

//! The front matter of a partnership file, version 1 of the format: one Rust type per block,
//! closed vocabularies as enums. The JSON Schema in `schema/` is generated from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::date::Date;

/// The YAML front matter of one partnership file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "rapport partnership",
    description = "Front matter of a rapport partnership file, format version 1"
)]
pub struct FrontMatter {
    /// Format version; always 1.
    pub rapport: u32,
    /// Stable identity (`[a-z0-9][a-z0-9-]*`); defaults to the file stem and survives renames.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9-]*$"))]
    pub id: Option<String>,
    /// Display name of the partner.
    pub partner: String,
    /// Lifecycle status.
    pub status: Status,
    /// Our accountable owner.
    pub owner: String,
    /// Start of the relationship.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
    /// Go-to-market launch; starts the early-wins clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launched: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms: Option<Terms>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub money: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effort: Option<Effort>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kpis: Vec<Metric>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub slas: Vec<Metric>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scope: Vec<ScopeItem>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<Requirement>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub offers: Vec<Offer>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invoices: Vec<Invoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support: Option<Support>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<Satisfaction>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wins: Vec<Win>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acknowledged: Vec<Acknowledgement>,
}

/// Lifecycle of a partnership. Rules about missing activity apply only to onboarding and active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Prospect,
    Onboarding,
    Active,
    Paused,
    Ending,
    Ended,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 6] = [
        Status::Prospect,
        Status::Onboarding,
        Status::Active,
        Status::Paused,
        Status::Ending,
        Status::Ended,
    ];

    /// Whether the partnership is expected to show activity (meetings, answers, updates).
    pub fn is_live(self) -> bool {
        matches!(self, Status::Onboarding | Status::Active)
    }
}

/// The go-to-market plan both sides' leadership agreed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// When both sides' leadership agreed the plan; absent means not agreed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreed: Option<Date>,
    /// Market segments both sides committed to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segments: Vec<String>,
}

/// A person on either side of the partnership.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub side: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A rung of the level ladder (default: executive > director > manager > staff).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// The main contact of that side; at most one per side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub primary: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Contact {
    /// Whether `self` and `other` are the same person (in two versions of a file): on the same
    /// side, with the same `email` when both have one, else the same name. Both compare without
    /// regard to case or spacing, so fixing a typo in a name is not a departure when the email
    /// stays, and writing an email for the first time is not one either.
    pub fn same_person(&self, other: &Contact) -> bool {
        if self.side != other.side {
            return false;
        }
        match (self.email_key(), other.email_key()) {
            (Some(a), Some(b)) => a == b,
            _ => name_key(&self.name) == name_key(&other.name),
        }
    }

    fn email_key(&self) -> Option<String> {
        let email = self.email.as_deref()?.trim();
        (!email.is_empty()).then(|| email.to_lowercase())
    }
}

fn name_key(name: &str) -> String {
    name.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// For each contact of `before`, the index of the same person in `after` (see
/// [`Contact::same_person`]), each contact of `after` taken at most once. Linear in the lists'
/// lengths: a file can hold thousands of contacts.
pub fn same_people(before: &[&Contact], after: &[&Contact]) -> Vec<Option<usize>> {
    use std::collections::{HashMap, VecDeque};
    let mut by_email: HashMap<(Side, String), VecDeque<usize>> = HashMap::new();
    let mut by_name: HashMap<(Side, String), VecDeque<usize>> = HashMap::new();
    for (i, contact) in after.iter().enumerate() {
        if let Some(email) = contact.email_key() {
            by_email
                .entry((contact.side, email))
                .or_default()
                .push_back(i);
        }
        by_name
            .entry((contact.side, name_key(&contact.name)))
            .or_default()
            .push_back(i);
    }
    let mut taken = vec![false; after.len()];
    let mut take = |queue: Option<&mut VecDeque<usize>>, ok: &dyn Fn(usize) -> bool| {
        let queue = queue?;
        let at = queue.iter().position(|&i| !taken[i] && ok(i))?;
        let i = queue.remove(at)?;
        taken[i] = true;
        Some(i)
    };
    before
        .iter()
        .map(|contact| {
            let name = by_name.get_mut(&(contact.side, name_key(&contact.name)));
            match contact.email_key() {
                // With an email, the same email; else someone of that name who has none.
                Some(email) => take(by_email.get_mut(&(contact.side, email)), &|_| true)
                    .or_else(|| take(name, &|i| after[i].email_key().is_none())),
                None => take(name, &|_| true),
            }
        })
        .collect()
}

/// Which side of the partnership a contact, invoice or action item belongs to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Side {
    Partner,
    Ours,
}

/// Commercial terms.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    /// Net payment days (net-30 is 30).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_days: Option<i64>,
    /// Contract value per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// ISO 4217 currency code, such as EUR.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Next renewal date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal: Option<Date>,
    /// Days before `renewal` by which notice must be given (to end or renegotiate the contract).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_days: Option<i64>,
}

/// Cumulative money the partnership brought and took.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    /// Cumulative revenue the partnership brought us.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revenue: Option<f64>,
    /// Cumulative investment we made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invested: Option<f64>,
}

/// Our people's time on the partnership.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Effort {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_per_month: Option<f64>,
}

/// A success metric (`kpis[]`) or a service level the partner owes (`slas[]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<f64>,
    /// Which direction is good; default higher.
    #[serde(default, skip_serializing_if = "Better::is_higher")]
    pub better: Better,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
    /// KPIs only: when the period of the target starts (default: the partnership's `since`,
    /// else when the KPI was first recorded). Needs `by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    /// KPIs only: when the whole target is due. A KPI with `by` is judged against the share of
    /// its target due at its `as_of`, linear between `from` and `by`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Date>,
}

impl Metric {
    /// The share of the target due at `at` when the metric has a period: none before its start
    /// (`from`, else `start`), all from `by` on, in proportion to the days between. `None`
    /// without `by`, or when the period is empty.
    pub fn share_due(&self, at: Date, start: Date) -> Option<f64> {
        let by = self.by?;
        let from = self.from.unwrap_or(start);
        let length = from.days_until(by);
        if length <= 0 {
            return None;
        }
        Some((from.days_until(at) as f64 / length as f64).clamp(0.0, 1.0))
    }

    /// The metric's display name, falling back to its id.
    pub fn label(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// How far the actual is toward the target, direction-aware: 1.0 means on target, 0.5 half
    /// way. `None` when the target or actual is missing or the ratio cannot be formed.
    pub fn attainment(&self) -> Option<f64> {
        let (target, actual) = (self.target?, self.actual?);
        match self.better {
            Better::Higher if target > 0.0 => Some(actual / target),
            Better::Lower if actual > 0.0 => Some(target / actual),
            Better::Lower if target >= 0.0 => Some(f64::INFINITY),
            _ => None,
        }
    }

    /// Whether the actual meets the target in the metric's direction.
    pub fn is_met(&self) -> Option<bool> {
        let (target, actual) = (self.target?, self.actual?);
        Some(match self.better {
            Better::Higher => actual >= target,
            Better::Lower => actual <= target,
        })
    }
}

/// Which direction of a metric is good.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Better {
    #[default]
    Higher,
    Lower,
}

impl Better {
    fn is_higher(&self) -> bool {
        *self == Better::Higher
    }
}

/// Who is responsible for what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScopeItem {
    pub id: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<ScopeOwner>,
    /// The id of the `slas[]` entry that covers this item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla: Option<String>,
}

/// Who owns a scope item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeOwner {
    Partner,
    Ours,
    Shared,
}

/// Something we need from the partner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub id: String,
    pub need: String,
    pub status: RequirementStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raised: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementStatus {
    Open,
    Met,
    Declined,
}

/// Something the partner pushes on us.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    /// The id of the `requirements[]` entry this offer answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answers: Option<String>,
}

/// An invoice between the two sides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Invoice {
    pub id: String,
    /// Who pays it.
    pub payer: Side,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<Date>,
    /// Absent means unpaid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid: Option<Date>,
}

/// Support counts for the current period.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Support {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_tickets: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sla_breaches: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopened: Option<i64>,
}

/// Our stakeholders' satisfaction with the partnership.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Satisfaction {
    /// From 1 (very unhappy) to 5 (very happy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 5))]
    pub score: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Date>,
}

/// A significant deal won together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Win {
    pub date: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// Something that happened at the partner.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    pub date: Date,
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    Layoffs,
    Restructuring,
    Acquisition,
    LeadershipChange,
    FinancialDistress,
    Other,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Layoffs => "layoffs",
            EventKind::Restructuring => "restructuring",
            EventKind::Acquisition => "acquisition",
            EventKind::LeadershipChange => "leadership-change",
            EventKind::FinancialDistress => "financial-distress",
            EventKind::Other => "other",
        }
    }
}

/// A known sign the team accepts, with a reason, until a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Acknowledgement {
    /// The rule id, such as `payment-terms-slip`.
    pub rule: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Date>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(name: &str, email: Option<&str>) -> Contact {
        Contact {
            name: name.into(),
            side: Side::Partner,
            role: None,
            level: None,
            primary: false,
            email: email.map(str::to_string),
        }
    }

    #[test]
    fn the_same_person_by_email_else_by_name() {
        let dana = contact("Dana Whitfeld", Some("dana@northwind.example"));
        let renamed = contact("Dana  Whitfield", Some("Dana@Northwind.example"));
        let no_email = contact("dana whitfeld", None);
        let other = contact("Dana Whitfeld", Some("d.whitfield@other.example"));
        assert!(dana.same_person(&renamed));
        assert!(
            dana.same_person(&no_email),
            "an email written for the first time"
        );
        assert!(
            !dana.same_person(&other),
            "two emails that differ are two people"
        );
        let ours = Contact {
            side: Side::Ours,
            ..dana.clone()
        };
        assert!(!dana.same_person(&ours));
    }

    #[test]
    fn pairs_each_person_once() {
        let before = [
            contact("Dana Whitfeld", Some("dana@northwind.example")),
            contact("Ola Berg", None),
            contact("Tom Ng", None),
        ];
        let after = [
            contact("Tom Ng", Some("tom@northwind.example")),
            contact("Dana Whitfield", Some("dana@northwind.example")),
        ];
        let (b, a): (Vec<&Contact>, Vec<&Contact>) =
            (before.iter().collect(), after.iter().collect());
        assert_eq!(same_people(&b, &a), [Some(1), None, Some(0)]);
    }
}

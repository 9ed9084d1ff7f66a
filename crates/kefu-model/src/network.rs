//! The franchised network (R-NET-1): outlets (网点), sorting centres (分拨中心) and regions as
//! organisations with their service area, opening hours, contacts, manager and couriers. Each
//! organisation is a department too (the same id): its staff are users of that department, and a
//! case can be transferred to it as to any department. The tree (outlet → centre → region) is
//! the ladder an overdue work order climbs.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::customer::Phone;
use crate::error::DomainError;
use crate::ids::{DepartmentId, UserId};
use crate::string_enum::string_enum;

string_enum!(
    /// What an organisation is; an outlet reports to a centre or region, a centre to a region.
    OrgKind { Outlet => "outlet", SortingCenter => "sorting_center", Region => "region" }
);

impl OrgKind {
    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::Outlet => "网点",
            OrgKind::SortingCenter => "分拨中心",
            OrgKind::Region => "大区",
        }
    }

    /// Rank in the tree: a parent's rank is higher than its child's.
    fn rank(self) -> u8 {
        match self {
            OrgKind::Outlet => 0,
            OrgKind::SortingCenter => 1,
            OrgKind::Region => 2,
        }
    }
}

/// Someone to call at the organisation (the front desk, the dispatcher).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    pub phone: String,
    /// What they do there (前台, 调度, 客服专员); may be empty.
    #[serde(default)]
    pub duty: String,
}

/// A courier of an outlet: the pickups of their districts go to them. `username` links the
/// courier's own login (role `courier`) when they have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourierEntry {
    pub id: String,
    pub name: String,
    pub phone: String,
    /// The division codes the courier covers within the outlet's area; empty: all of it.
    #[serde(default)]
    pub districts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// An organisation of the network as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// The department that is this organisation.
    pub id: DepartmentId,
    pub key: String,
    pub name: String,
    pub kind: OrgKind,
    /// The organisation above (by key): a centre or a region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// Division codes or prefixes it serves (`4403` all of Shenzhen, `440305` Nanshan).
    pub districts: Vec<String>,
    /// The business calendar of its opening hours; work-order deadlines run on it.
    pub calendar: String,
    /// Working minutes between a pickup's booking and the courier's arrival.
    pub lead_minutes: u32,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// The user told first when the organisation lets a deadline pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<UserId>,
    #[serde(default)]
    pub couriers: Vec<CourierEntry>,
    pub active: bool,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What an admin sends to create or change an organisation. The manager is named by user name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationDraft {
    pub key: String,
    pub name: String,
    pub kind: OrgKind,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub districts: Vec<String>,
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub lead_minutes: Option<u32>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub manager: Option<String>,
    #[serde(default)]
    pub couriers: Vec<CourierEntry>,
    #[serde(default)]
    pub active: Option<bool>,
    /// The version read, required to change an existing organisation.
    #[serde(default)]
    pub version: Option<i64>,
}

pub const DEFAULT_CALENDAR: &str = "cn-service";
pub const DEFAULT_LEAD_MINUTES: u32 = 120;

/// A division code or prefix: 2, 4 or 6 digits.
pub fn is_division_code(code: &str) -> bool {
    matches!(code.len(), 2 | 4 | 6) && code.bytes().all(|b| b.is_ascii_digit())
}

/// Checks a draft against the rest of the network (`others`: every organisation but the one
/// being changed) and returns the cleaned fields. `manager` is the resolved manager's id.
pub fn plan_organisation(
    draft: &OrganisationDraft,
    others: &[Organisation],
    manager: Option<UserId>,
    calendar_known: impl Fn(&str) -> bool,
) -> Result<PlannedOrganisation, DomainError> {
    crate::text::check_key("key", &draft.key)?;
    let name = crate::text::text("name", &draft.name, 80, true)?;
    if others.iter().any(|o| o.key == draft.key) {
        return Err(DomainError::conflict(
            "organisation_exists",
            format!("an organisation with key {} exists", draft.key),
        ));
    }
    let parent = match draft.parent.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(key) => {
            let Some(parent) = others.iter().find(|o| o.key == key) else {
                return Err(DomainError::invalid(
                    "parent",
                    "no organisation has this key",
                ));
            };
            if parent.kind.rank() <= draft.kind.rank() {
                return Err(DomainError::invalid(
                    "parent",
                    "an outlet reports to a sorting centre or region, a centre to a region",
                ));
            }
            Some(key.to_string())
        }
    };
    let mut districts = Vec::new();
    for (i, d) in draft.districts.iter().enumerate() {
        let d = d.trim();
        if !is_division_code(d) {
            return Err(DomainError::invalid(
                format!("districts[{i}]"),
                "a 2-, 4- or 6-digit division code",
            ));
        }
        if !districts.iter().any(|x: &String| x == d) {
            districts.push(d.to_string());
        }
    }
    if draft.kind == OrgKind::Outlet && districts.is_empty() {
        return Err(DomainError::invalid(
            "districts",
            "an outlet serves at least one district",
        ));
    }
    let calendar = draft
        .calendar
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .unwrap_or(DEFAULT_CALENDAR)
        .to_string();
    if !calendar_known(&calendar) {
        return Err(DomainError::invalid("calendar", "no calendar has this key"));
    }
    let lead_minutes = draft.lead_minutes.unwrap_or(DEFAULT_LEAD_MINUTES);
    if lead_minutes > 24 * 60 * 3 {
        return Err(DomainError::invalid("lead_minutes", "0 to 4320"));
    }
    let mut contacts = Vec::new();
    for (i, c) in draft.contacts.iter().enumerate() {
        let field = |f: &str| format!("contacts[{i}].{f}");
        contacts.push(Contact {
            name: crate::text::text(&field("name"), &c.name, 40, true)?,
            phone: Phone::parse(&c.phone)
                .map_err(|m| DomainError::invalid(field("phone"), m))?
                .as_str()
                .to_string(),
            duty: crate::text::text(&field("duty"), &c.duty, 40, false)?,
        });
    }
    if contacts.len() > 20 {
        return Err(DomainError::invalid("contacts", "at most 20"));
    }
    let mut couriers: Vec<CourierEntry> = Vec::new();
    for (i, c) in draft.couriers.iter().enumerate() {
        let field = |f: &str| format!("couriers[{i}].{f}");
        crate::text::check_key(&field("id"), &c.id)?;
        if couriers.iter().any(|x| x.id == c.id) {
            return Err(DomainError::invalid(
                field("id"),
                "each courier's id is unique",
            ));
        }
        for (j, d) in c.districts.iter().enumerate() {
            if !is_division_code(d) {
                return Err(DomainError::invalid(
                    field(&format!("districts[{j}]")),
                    "a 2-, 4- or 6-digit division code",
                ));
            }
        }
        couriers.push(CourierEntry {
            id: c.id.clone(),
            name: crate::text::text(&field("name"), &c.name, 40, true)?,
            phone: Phone::parse(&c.phone)
                .map_err(|m| DomainError::invalid(field("phone"), m))?
                .as_str()
                .to_string(),
            districts: c.districts.clone(),
            username: c
                .username
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string),
        });
    }
    if couriers.len() > 500 {
        return Err(DomainError::invalid("couriers", "at most 500"));
    }
    Ok(PlannedOrganisation {
        key: draft.key.clone(),
        name,
        kind: draft.kind,
        parent,
        districts,
        calendar,
        lead_minutes,
        contacts,
        manager,
        couriers,
        active: draft.active.unwrap_or(true),
    })
}

/// The checked fields of an organisation, before the store gives it its id and version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedOrganisation {
    pub key: String,
    pub name: String,
    pub kind: OrgKind,
    pub parent: Option<String>,
    pub districts: Vec<String>,
    pub calendar: String,
    pub lead_minutes: u32,
    pub contacts: Vec<Contact>,
    pub manager: Option<UserId>,
    pub couriers: Vec<CourierEntry>,
    pub active: bool,
}

impl PlannedOrganisation {
    /// The stored organisation: new (`existing` `None`) or the next version of `existing`.
    pub fn into_record(
        self,
        id: DepartmentId,
        existing: Option<&Organisation>,
        now: Timestamp,
    ) -> Organisation {
        Organisation {
            id,
            key: self.key,
            name: self.name,
            kind: self.kind,
            parent: self.parent,
            districts: self.districts,
            calendar: self.calendar,
            lead_minutes: self.lead_minutes,
            contacts: self.contacts,
            manager: self.manager,
            couriers: self.couriers,
            active: self.active,
            version: existing.map_or(1, |e| e.version + 1),
            created_at: existing.map_or(now, |e| e.created_at),
            updated_at: now,
        }
    }
}

/// How long a prefix of `code` a district entry matches (`None`: it does not).
fn match_len(entry: &str, code: &str) -> Option<usize> {
    let prefix = entry.trim_end_matches("00");
    (!prefix.is_empty() && code.starts_with(prefix)).then_some(prefix.len())
}

/// The whole network, for the rules that look across organisations.
#[derive(Debug, Clone, Default)]
pub struct Network {
    pub organisations: Vec<Organisation>,
}

impl Network {
    pub fn new(organisations: Vec<Organisation>) -> Network {
        Network { organisations }
    }

    pub fn by_id(&self, id: &DepartmentId) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.id == *id)
    }

    pub fn by_key(&self, key: &str) -> Option<&Organisation> {
        self.organisations.iter().find(|o| o.key == key)
    }

    /// The active outlet serving a division code: the longest matching district wins.
    pub fn outlet_serving(&self, code: &str) -> Option<&Organisation> {
        self.organisations
            .iter()
            .filter(|o| o.active && o.kind == OrgKind::Outlet)
            .filter_map(|o| {
                o.districts
                    .iter()
                    .filter_map(|d| match_len(d, code))
                    .max()
                    .map(|len| (len, o))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, o)| o)
    }

    /// The organisation a scan names: its key, else its name (scans carry either).
    pub fn named_by_scan(&self, outlet: &str) -> Option<&Organisation> {
        let outlet = outlet.trim();
        if outlet.is_empty() {
            return None;
        }
        self.organisations
            .iter()
            .filter(|o| o.active)
            .find(|o| o.key == outlet)
            .or_else(|| {
                self.organisations
                    .iter()
                    .filter(|o| o.active)
                    .find(|o| o.name == outlet)
            })
    }

    /// The organisations above `id`, nearest first (stops at a missing parent or a cycle).
    pub fn ancestors(&self, id: &DepartmentId) -> Vec<&Organisation> {
        let mut out: Vec<&Organisation> = Vec::new();
        let mut current = self.by_id(id);
        while let Some(org) = current {
            let parent = org.parent.as_deref().and_then(|k| self.by_key(k));
            match parent {
                Some(p) if p.id != *id && !out.iter().any(|o| o.id == p.id) => {
                    out.push(p);
                    current = Some(p);
                }
                _ => break,
            }
        }
        out
    }

    /// `id` itself and every organisation below it: what its staff oversee.
    pub fn oversees(&self, id: &DepartmentId, other: &DepartmentId) -> bool {
        id == other || self.ancestors(other).iter().any(|o| o.id == *id)
    }

    /// The courier of an outlet for a division code: the one whose districts match longest,
    /// else the first without districts, else none.
    pub fn courier_for<'a>(outlet: &'a Organisation, code: &str) -> Option<&'a CourierEntry> {
        outlet
            .couriers
            .iter()
            .filter_map(|c| {
                c.districts
                    .iter()
                    .filter_map(|d| match_len(d, code))
                    .max()
                    .map(|len| (len, c))
            })
            .max_by_key(|(len, _)| *len)
            .map(|(_, c)| c)
            .or_else(|| outlet.couriers.iter().find(|c| c.districts.is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(key: &str, kind: OrgKind, parent: Option<&str>, districts: &[&str]) -> Organisation {
        Organisation {
            id: DepartmentId::new(Timestamp::UNIX_EPOCH),
            key: key.into(),
            name: format!("{key} 名称"),
            kind,
            parent: parent.map(str::to_string),
            districts: districts.iter().map(|d| d.to_string()).collect(),
            calendar: DEFAULT_CALENDAR.into(),
            lead_minutes: 120,
            contacts: vec![],
            manager: None,
            couriers: vec![],
            active: true,
            version: 1,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn draft(
        key: &str,
        kind: OrgKind,
        parent: Option<&str>,
        districts: &[&str],
    ) -> OrganisationDraft {
        OrganisationDraft {
            key: key.into(),
            name: "南山网点".into(),
            kind,
            parent: parent.map(str::to_string),
            districts: districts.iter().map(|d| d.to_string()).collect(),
            calendar: None,
            lead_minutes: None,
            contacts: vec![],
            manager: None,
            couriers: vec![],
            active: None,
            version: None,
        }
    }

    #[test]
    fn the_longest_matching_district_serves() {
        let net = Network::new(vec![
            org("sz", OrgKind::Outlet, None, &["4403"]),
            org("sz-ns", OrgKind::Outlet, None, &["440305"]),
            org("hub", OrgKind::SortingCenter, None, &["44"]),
        ]);
        assert_eq!(
            net.outlet_serving("440305").map(|o| o.key.as_str()),
            Some("sz-ns")
        );
        assert_eq!(
            net.outlet_serving("440304").map(|o| o.key.as_str()),
            Some("sz")
        );
        // A centre is never the outlet that serves an address.
        assert_eq!(net.outlet_serving("440100"), None);
    }

    #[test]
    fn ancestors_climb_the_tree_and_stop_at_a_cycle() {
        let mut outlet = org("o", OrgKind::Outlet, Some("c"), &["4403"]);
        let centre = org("c", OrgKind::SortingCenter, Some("r"), &[]);
        let region = org("r", OrgKind::Region, None, &[]);
        outlet.id = DepartmentId::from_stored("o".into());
        let net = Network::new(vec![outlet.clone(), centre.clone(), region.clone()]);
        let keys: Vec<&str> = net
            .ancestors(&outlet.id)
            .iter()
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(keys, ["c", "r"]);
        assert!(net.oversees(&region.id, &outlet.id));
        assert!(!net.oversees(&outlet.id, &region.id));
        let mut looped = region.clone();
        looped.parent = Some("o".into());
        let net = Network::new(vec![outlet.clone(), centre, looped]);
        assert_eq!(net.ancestors(&outlet.id).len(), 2);
    }

    #[test]
    fn a_draft_is_checked_against_the_network() {
        let others = vec![
            org("c", OrgKind::SortingCenter, None, &[]),
            org("o2", OrgKind::Outlet, None, &["4403"]),
        ];
        let known = |c: &str| c == DEFAULT_CALENDAR;
        let ok = plan_organisation(
            &draft("o1", OrgKind::Outlet, Some("c"), &["440305"]),
            &others,
            None,
            known,
        )
        .unwrap();
        assert_eq!(ok.calendar, DEFAULT_CALENDAR);
        assert_eq!(ok.parent.as_deref(), Some("c"));
        let err = |d: OrganisationDraft| plan_organisation(&d, &others, None, known).unwrap_err();
        assert!(matches!(
            err(draft("o2", OrgKind::Outlet, None, &["4403"])),
            DomainError::Conflict { .. }
        ));
        assert!(matches!(
            err(draft("o1", OrgKind::Outlet, None, &[])),
            DomainError::Invalid { field, .. } if field == "districts"
        ));
        assert!(matches!(
            err(draft("o1", OrgKind::Outlet, None, &["44030"])),
            DomainError::Invalid { field, .. } if field == "districts[0]"
        ));
        // An outlet cannot report to an outlet, nor a region to a centre.
        assert!(matches!(
            err(draft("o1", OrgKind::Outlet, Some("o2"), &["4403"])),
            DomainError::Invalid { field, .. } if field == "parent"
        ));
        assert!(matches!(
            err(draft("r", OrgKind::Region, Some("c"), &[])),
            DomainError::Invalid { field, .. } if field == "parent"
        ));
        let mut unknown_calendar = draft("o1", OrgKind::Outlet, None, &["4403"]);
        unknown_calendar.calendar = Some("nowhere".into());
        assert!(matches!(
            err(unknown_calendar),
            DomainError::Invalid { field, .. } if field == "calendar"
        ));
    }

    #[test]
    fn the_courier_of_the_closest_district_takes_the_pickup() {
        let mut outlet = org("o", OrgKind::Outlet, None, &["4403"]);
        let courier = |id: &str, districts: &[&str]| CourierEntry {
            id: id.into(),
            name: id.into(),
            phone: "13800138000".into(),
            districts: districts.iter().map(|d| d.to_string()).collect(),
            username: None,
        };
        outlet.couriers = vec![courier("any", &[]), courier("ns", &["440305"])];
        assert_eq!(
            Network::courier_for(&outlet, "440305").map(|c| c.id.as_str()),
            Some("ns")
        );
        assert_eq!(
            Network::courier_for(&outlet, "440304").map(|c| c.id.as_str()),
            Some("any")
        );
    }
}

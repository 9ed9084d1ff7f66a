//! Key performance figures (R-MG-2, R-MG-9, R-SP-4): the report for a period by one dimension
//! with its series and live backlog, the cases behind every figure, and the rebuild of the
//! read model from the cases (which are the fold of their events). The rules are
//! `kefu_model::kpi`; each case's row is written with the case (`AppendOptions::kpi`).
//!
//! Who sees what: admins, supervisors without a team and read-only observers the whole centre;
//! a supervisor with a department their team — that department and the agents in it; an agent
//! their own figures only; department and network staff none.

use std::collections::BTreeMap;

use jiff::SignedDuration;
use jiff::civil::Date;
use kefu_model::case::Case;
use kefu_model::error::DomainError;
use kefu_model::ids::{CaseId, CustomerId};
use kefu_model::kpi::{Ageing, CaseKpi, CaseTally, Dimension, Granularity, KpiContext, KpiFigure};
use kefu_model::quality::{QualityDimension, QualityTally};
use kefu_model::records::CaseQuery;
use kefu_model::user::{Actor, Role};

use crate::desk::{Desk, DeskResult};

/// The setting a migration writes when the stored figures lack a figure it added.
const FIGURES_STALE: &str = "figures_stale";

/// Cases written per batch when the figures are rebuilt.
const REBUILD_BATCH: usize = 500;

pub use kefu_model::period::check_period;

/// The part of the figures an actor may read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scope {
    Centre,
    /// A team: its department and the agents in it.
    Team {
        department: String,
        agents: Vec<String>,
    },
    Own(String),
}

impl Scope {
    /// Whether the key `key` of `dimension` is inside the scope.
    fn admits(&self, dimension: Dimension, key: &str) -> bool {
        match (self, dimension) {
            (Scope::Centre, _) => true,
            (Scope::Team { agents, .. }, Dimension::Agent) => agents.iter().any(|a| a == key),
            (Scope::Team { department, .. }, Dimension::Department) => department == key,
            (Scope::Own(me), Dimension::Agent) => me == key,
            _ => false,
        }
    }

    /// The key a narrowed scope stands for when none is given: the team's department, the
    /// agent themselves.
    fn own_key(&self) -> Option<&str> {
        match self {
            Scope::Centre => None,
            Scope::Team { department, .. } => Some(department),
            Scope::Own(me) => Some(me),
        }
    }

    /// The dimension a report is read by when the scope is narrower than the centre: a team's
    /// whole is its department, an agent's their own row.
    fn narrowed(&self, asked: Dimension) -> DeskResult<Dimension> {
        match (self, asked) {
            (Scope::Centre, d) => Ok(d),
            (Scope::Team { .. }, Dimension::All) => Ok(Dimension::Department),
            (Scope::Team { .. }, d @ (Dimension::Agent | Dimension::Department)) => Ok(d),
            (Scope::Own(_), Dimension::All | Dimension::Agent) => Ok(Dimension::Agent),
            (Scope::Team { .. }, _) => Err(DomainError::Forbidden(
                "a team's supervisor reads the figures by agent or department".into(),
            )),
            (Scope::Own(_), _) => Err(DomainError::Forbidden(
                "an agent reads their own figures (by agent)".into(),
            )),
        }
    }
}

/// One key's figures over the period, with its display name.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiRow {
    pub key: String,
    pub name: String,
    pub figures: kefu_model::kpi::KpiFigures,
}

/// A report: the period's figures by a dimension, the series, and the open backlog by age.
#[derive(Debug, Clone, PartialEq)]
pub struct KpiReport {
    pub from: Date,
    pub to: Date,
    pub dimension: Dimension,
    pub granularity: Granularity,
    /// The whole scope (the centre, the team, the agent).
    pub total: kefu_model::kpi::KpiFigures,
    /// Parcels the outlets reported in the period (the centre's complaint rate), when any.
    pub parcels: Option<i64>,
    pub rows: Vec<KpiRow>,
    /// The scope's figures per bucket of days (the first day of each bucket).
    pub series: Vec<(Date, CaseTally)>,
    /// Open cases by age now, per key (and the scope's total).
    pub ageing: Vec<(String, String, Ageing)>,
    pub ageing_total: Ageing,
}

impl Desk {
    /// What the row of key figures of `case` needs besides the case: the calendars, the
    /// customer's grade, the province of its first parcel's recipient.
    pub(crate) async fn kpi_context(
        &self,
        grade: Option<u8>,
        region: Option<String>,
    ) -> DeskResult<KpiContext> {
        let config = self.sla_config().await?;
        Ok(KpiContext {
            calendars: config.calendars.clone(),
            zone: self.time_zone.clone(),
            grade,
            region,
        })
    }

    /// The region key of a case's parcels: the province of the first one's recipient.
    pub(crate) async fn region_of(&self, waybill_nos: &[String]) -> DeskResult<String> {
        Ok(self.first_parcel_provinces(waybill_nos).await?.0)
    }

    /// The province codes of a case's first parcel — its recipient's and its sender's — empty
    /// without a parcel or a known province.
    pub(crate) async fn first_parcel_provinces(
        &self,
        waybill_nos: &[String],
    ) -> DeskResult<(String, String)> {
        let Some(no) = waybill_nos.first() else {
            return Ok(Default::default());
        };
        let province = |p: Option<kefu_regions::Region>| p.map(|p| p.code).unwrap_or_default();
        Ok(match self.store.shipment(no).await? {
            Some(s) => (
                province(s.recipient.region.province),
                province(s.sender.region.province),
            ),
            None => Default::default(),
        })
    }

    /// A customer's grade (the default for one not found).
    pub(crate) async fn customer_grade(&self, customer: &CustomerId) -> DeskResult<u8> {
        Ok(self
            .store
            .customer_by_id(customer)
            .await?
            .map_or(kefu_model::customer::Grade::DEFAULT, |c| c.grade)
            .get())
    }

    /// Refused unless the actor may read the figures by `dimension` (a scheduled report asks
    /// when it is set up, not only when it runs).
    pub(crate) async fn check_figure_dimension(
        &self,
        actor: &Actor,
        dimension: Dimension,
    ) -> DeskResult<()> {
        self.figure_scope(actor)
            .await?
            .narrowed(dimension)
            .map(|_| ())
    }

    async fn figure_scope(&self, actor: &Actor) -> DeskResult<Scope> {
        match actor.role {
            Role::Admin | Role::Readonly | Role::Inspector => Ok(Scope::Centre),
            Role::Supervisor => match &actor.department_id {
                None => Ok(Scope::Centre),
                Some(department) => {
                    let agents = self
                        .store
                        .list_users()
                        .await?
                        .into_iter()
                        .filter(|u| u.department_id.as_ref() == Some(department))
                        .map(|u| u.id.to_string())
                        .collect();
                    Ok(Scope::Team {
                        department: department.to_string(),
                        agents,
                    })
                }
            },
            Role::Agent => Ok(Scope::Own(actor.user_id.to_string())),
            _ => Err(DomainError::Forbidden(
                "the figures are for the service centre's staff".into(),
            )),
        }
    }

    /// The figures of the cases received on `[from, to)` by `dimension`, as the actor may read
    /// them, with a series by `granularity` and the open backlog by age.
    pub async fn kpi_report(
        &self,
        actor: &Actor,
        dimension: Dimension,
        from: Date,
        to: Date,
        granularity: Granularity,
    ) -> DeskResult<KpiReport> {
        check_period(from, to)?;
        let scope = self.figure_scope(actor).await?;
        let dimension = scope.narrowed(dimension)?;
        let days = self.store.kpi_days(dimension, from, to).await?;
        let mut by_key: BTreeMap<String, CaseTally> = BTreeMap::new();
        let mut by_bucket: BTreeMap<Date, CaseTally> = BTreeMap::new();
        for (key, day, tally) in &days {
            if !scope.admits(dimension, key) {
                continue;
            }
            let sum = by_key.entry(key.clone()).or_default();
            *sum = sum.plus(tally);
            let bucket = by_bucket.entry(granularity.bucket(*day)).or_default();
            *bucket = bucket.plus(tally);
        }
        let total = by_key
            .values()
            .fold(CaseTally::default(), |acc, t| acc.plus(t));
        let names = self.key_names(dimension).await?;
        let name_of = |key: &str| {
            names.get(key).cloned().unwrap_or_else(|| {
                if key.is_empty() {
                    "—".into()
                } else {
                    key.to_string()
                }
            })
        };
        let (quality, quality_total) = self.quality_by_key(&scope, dimension, from, to).await?;
        let mut rows: Vec<KpiRow> = by_key
            .into_iter()
            .map(|(key, tally)| KpiRow {
                name: name_of(&key),
                figures: kefu_model::kpi::KpiFigures {
                    key: key.clone(),
                    tally,
                    quality: if dimension == Dimension::All {
                        quality_total.clone()
                    } else {
                        quality.get(&key).cloned()
                    },
                },
                key,
            })
            .collect();
        rows.sort_by(|a, b| {
            b.figures
                .tally
                .cases
                .cmp(&a.figures.tally.cases)
                .then(a.key.cmp(&b.key))
        });
        let parcels = match scope {
            Scope::Centre => {
                let reported = self.store.outlet_parcels(from, to).await?;
                (!reported.is_empty()).then(|| reported.iter().map(|(_, n)| n).sum())
            }
            _ => None,
        };
        let mut ageing = Vec::new();
        let mut ageing_total = Ageing::default();
        // Cases received before the local day of a week ago are all over 7 days old.
        let now = self.now();
        let week_ago = now
            .checked_sub(SignedDuration::from_hours(24 * 7))
            .unwrap_or(now);
        let recent_day = self.time_zone.to_datetime(week_ago).date();
        let recent_from = self
            .time_zone
            .to_timestamp(recent_day.to_datetime(jiff::civil::Time::midnight()))
            .map_err(|e| DomainError::invalid("now", e.to_string()))?;
        for (key, a) in self
            .store
            .open_ageing(dimension, now, recent_day, recent_from)
            .await?
        {
            if !scope.admits(dimension, &key) {
                continue;
            }
            ageing_total = Ageing {
                under_1d: ageing_total.under_1d + a.under_1d,
                d1_to_3: ageing_total.d1_to_3 + a.d1_to_3,
                d3_to_7: ageing_total.d3_to_7 + a.d3_to_7,
                over_7d: ageing_total.over_7d + a.over_7d,
            };
            ageing.push((key.clone(), name_of(&key), a));
        }
        ageing.sort_by(|a, b| b.2.total().cmp(&a.2.total()).then(a.0.cmp(&b.0)));
        Ok(KpiReport {
            from,
            to,
            dimension,
            granularity,
            total: kefu_model::kpi::KpiFigures {
                key: String::new(),
                tally: total,
                quality: quality_total,
            },
            parcels,
            rows,
            series: by_bucket.into_iter().collect(),
            ageing,
            ageing_total,
        })
    }

    /// The quality inspections scored on `[from, to)` by the report's keys, where inspections
    /// carry them (agent, department; the centre sums the agents'), within the scope; and
    /// the scope's sum. None by the other dimensions.
    async fn quality_by_key(
        &self,
        scope: &Scope,
        dimension: Dimension,
        from: Date,
        to: Date,
    ) -> DeskResult<(BTreeMap<String, QualityTally>, Option<QualityTally>)> {
        let (by, keyed) = match dimension {
            Dimension::All | Dimension::Agent => (QualityDimension::Agent, Dimension::Agent),
            Dimension::Department => (QualityDimension::Department, Dimension::Department),
            _ => return Ok((BTreeMap::new(), None)),
        };
        let mut total = QualityTally {
            key: String::new(),
            count: 0,
            score_x100_sum: 0,
            passed: 0,
        };
        let mut by_key = BTreeMap::new();
        for q in self.store.quality_figures(by, from, to, None).await? {
            if !scope.admits(keyed, &q.key) {
                continue;
            }
            total.count += q.count;
            total.score_x100_sum += q.score_x100_sum;
            total.passed += q.passed;
            by_key.insert(q.key.clone(), q);
        }
        Ok((by_key, Some(total)))
    }

    /// Display names of a dimension's keys (users, departments, provinces); codes name
    /// themselves.
    async fn key_names(&self, dimension: Dimension) -> DeskResult<BTreeMap<String, String>> {
        Ok(match dimension {
            Dimension::Agent => self
                .store
                .list_users()
                .await?
                .into_iter()
                .map(|u| (u.id.to_string(), u.display_name))
                .collect(),
            Dimension::Department => self
                .store
                .list_departments()
                .await?
                .into_iter()
                .map(|d| (d.id.to_string(), d.name))
                .collect(),
            Dimension::Region => kefu_regions::provinces()
                .map(|p| (p.code.to_string(), p.name.to_string()))
                .collect(),
            Dimension::Grade => (1..=5).map(|g| (g.to_string(), format!("{g}"))).collect(),
            Dimension::All => BTreeMap::from([(String::new(), String::new())]),
            Dimension::Channel | Dimension::Category => BTreeMap::new(),
        })
    }

    /// The cases behind a figure: received on `[from, to)`, under `key` of `dimension`,
    /// counting in `figure` — exactly those the report sums. Newest first.
    #[allow(clippy::too_many_arguments)]
    pub async fn kpi_cases(
        &self,
        actor: &Actor,
        dimension: Dimension,
        key: &str,
        from: Date,
        to: Date,
        figure: KpiFigure,
        cursor: Option<&str>,
        limit: u32,
    ) -> DeskResult<Vec<Case>> {
        check_period(from, to)?;
        let scope = self.figure_scope(actor).await?;
        let narrowed = scope.narrowed(dimension)?;
        // Asked for the whole and given the scope's own part: its own key.
        let key = match (dimension == Dimension::All, scope.own_key()) {
            (true, Some(own)) if narrowed != Dimension::All => own.to_string(),
            _ => key.to_string(),
        };
        let (dimension, key) = (narrowed, key.as_str());
        if !scope.admits(dimension, key) {
            return Err(DomainError::Forbidden(
                "those figures are outside what you may read".into(),
            ));
        }
        let before = cursor
            .map(|c| CaseId::parse(c).ok_or_else(|| DomainError::invalid("cursor", "not a cursor")))
            .transpose()?;
        let ids = self
            .store
            .kpi_cases(
                dimension,
                key,
                from,
                to,
                figure,
                before.as_ref(),
                limit.clamp(1, 200),
            )
            .await?;
        let mut cases = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(case) = self.store.case_by_id(&id).await? {
                cases.push(case);
            }
        }
        Ok(cases)
    }

    /// Computes every case's row again from the stored cases and replaces the figures: after
    /// an import, or when the rules of a figure changed. Admins only; returns the cases counted.
    pub async fn recompute_figures(&self, actor: &Actor) -> DeskResult<u64> {
        if actor.role != Role::Admin {
            return Err(DomainError::Forbidden(
                "only an admin recomputes the figures".into(),
            ));
        }
        self.rebuild_figures().await
    }

    /// Computes the figures again when a migration marked them stale (a figure was added and
    /// the stored rows lack it), once: the node that starts first claims the marker by
    /// clearing it, and puts it back if the rebuild fails. Returns the cases counted, if any
    /// rebuild was due. Nodes that start together may both rebuild; each row's write moves
    /// the sums by its difference from the stored row, so they agree in the end.
    pub async fn rebuild_stale_figures(&self) -> DeskResult<Option<u64>> {
        let marker = match self.store.setting(FIGURES_STALE).await? {
            Some(m) if !m.is_null() => m,
            _ => return Ok(None),
        };
        let now = self.now();
        self.store
            .put_setting(FIGURES_STALE, &serde_json::Value::Null, now, None)
            .await?;
        match self.rebuild_figures().await {
            Ok(counted) => Ok(Some(counted)),
            Err(e) => {
                self.store
                    .put_setting(FIGURES_STALE, &marker, now, None)
                    .await?;
                Err(e)
            }
        }
    }

    /// The rebuild itself (the command line's, after an import).
    pub async fn rebuild_figures(&self) -> DeskResult<u64> {
        let mut before: Option<CaseId> = None;
        let mut first = true;
        let mut counted = 0u64;
        loop {
            let page = self
                .store
                .list_cases(&CaseQuery {
                    before: before.clone(),
                    limit: REBUILD_BATCH as u32,
                    ..CaseQuery::default()
                })
                .await?;
            let mut rows = Vec::with_capacity(page.items.len());
            for case in &page.items {
                let grade = self.customer_grade(&case.customer_id).await?;
                let region = self.region_of(&case.waybill_nos).await?;
                let cx = self.kpi_context(Some(grade), Some(region)).await?;
                rows.push(CaseKpi::of(case, &cx)?);
            }
            self.store.put_case_kpis(&rows, first).await?;
            first = false;
            counted += rows.len() as u64;
            match page.items.last() {
                Some(last) if page.items.len() == REBUILD_BATCH => before = Some(last.id.clone()),
                _ => break,
            }
        }
        Ok(counted)
    }
}

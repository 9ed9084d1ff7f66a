//! The staffing planner's use cases (R-MG-3): arrivals per channel and half-hour, forecasts,
//! agents needed against the planned schedule, promotion days and the planner's settings.
//! Supervisors and admins only (`staffing::may_plan`). The arithmetic is kefu-model's
//! `staffing` (pure); here the history is read — counted by the database — and the calendar,
//! settings, promotion days and schedule are fetched for it.

use jiff::civil::Date;
use jiff::{Span, Timestamp};
use kefu_model::codes::Channel;
use kefu_model::staffing::{
    self, ChannelNeeds, DayArrivals, DayTypes, Forecast, MAX_FORECAST_DAYS, PromotionDay,
    ScheduleDay, StaffingSettings,
};
use kefu_model::{Actor, DomainError, StoreError};

use crate::desk::{Desk, DeskResult, require};

/// A day's forecast with its agents needed against the planned ones.
#[derive(Debug, Clone)]
pub struct DayPlan {
    pub forecast: Forecast,
    pub channels: Vec<ChannelNeeds>,
}

fn next_day(d: Date) -> DeskResult<Date> {
    d.tomorrow()
        .map_err(|_| DomainError::invalid("day", "a day in range"))
}

impl Desk {
    fn require_planner(&self, actor: &Actor) -> DeskResult<()> {
        require(
            staffing::may_plan(actor),
            "only supervisors and admins plan staffing",
        )
    }

    /// The first instant of a local day in the desk's time zone.
    fn day_start(&self, day: Date) -> DeskResult<Timestamp> {
        day.to_zoned_datetime(self.time_zone().clone())
            .map(|z| z.timestamp())
            .map_err(|_| DomainError::invalid("day", "a day in range"))
    }

    /// The planner's settings (the defaults until saved).
    pub async fn staffing_settings(&self, actor: &Actor) -> DeskResult<StaffingSettings> {
        self.require_planner(actor)?;
        self.setting_or_default(staffing::SETTING).await
    }

    /// Replaces the planner's settings (checked; the calendar must exist), recorded in the
    /// configuration history.
    pub async fn put_staffing_settings(
        &self,
        actor: &Actor,
        settings: StaffingSettings,
    ) -> DeskResult<StaffingSettings> {
        self.require_planner(actor)?;
        let settings = settings.checked()?;
        if self.store.calendar(&settings.calendar).await?.is_none() {
            return Err(DomainError::invalid("calendar", "no such calendar"));
        }
        let value = serde_json::to_value(&settings)
            .map_err(|e| DomainError::Store(StoreError::Backend(format!("encode: {e}"))))?;
        self.store
            .put_setting(
                staffing::SETTING,
                &value,
                self.now(),
                Some(&self.editor(actor)),
            )
            .await?;
        Ok(settings)
    }

    /// Arrivals per local day, channel and half-hour over the days `[from, to)` (at most 366),
    /// counted by the store.
    pub async fn arrival_history(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> DeskResult<Vec<DayArrivals>> {
        self.require_planner(actor)?;
        kefu_model::period::check_period(from, to)?;
        self.arrivals(from, to).await
    }

    async fn arrivals(&self, from: Date, to: Date) -> DeskResult<Vec<DayArrivals>> {
        let (start, end) = (self.day_start(from)?, self.day_start(to)?);
        let cases = self.store.case_arrivals(start, end).await?;
        let calls = self.store.call_arrivals(start, end).await?;
        Ok(staffing::arrivals_by_day(&cases, &calls, self.time_zone()))
    }

    /// All promotion days, by date.
    pub async fn promotion_days(&self, actor: &Actor) -> DeskResult<Vec<PromotionDay>> {
        self.require_planner(actor)?;
        Ok(self.store.promotion_days().await?)
    }

    /// Marks a promotion day (409 `promotion_exists` when the date has one).
    pub async fn add_promotion_day(
        &self,
        actor: &Actor,
        day: PromotionDay,
    ) -> DeskResult<PromotionDay> {
        self.require_planner(actor)?;
        let day = day.checked()?;
        match self.store.put_promotion_day(&day, self.now(), false).await {
            Ok(()) => Ok(day),
            Err(StoreError::Duplicate(_)) => Err(DomainError::conflict(
                "promotion_exists",
                format!("{} is already a promotion day", day.date),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes a date's promotion day (404 when it has none).
    pub async fn change_promotion_day(
        &self,
        actor: &Actor,
        day: PromotionDay,
    ) -> DeskResult<PromotionDay> {
        self.require_planner(actor)?;
        let day = day.checked()?;
        match self.store.put_promotion_day(&day, self.now(), true).await {
            Ok(()) => Ok(day),
            Err(StoreError::NotFound(what)) => Err(DomainError::NotFound(what)),
            Err(e) => Err(e.into()),
        }
    }

    /// Unmarks a promotion day (404 when there was none).
    pub async fn delete_promotion_day(&self, actor: &Actor, date: Date) -> DeskResult<()> {
        self.require_planner(actor)?;
        if self.store.delete_promotion_day(date).await? {
            Ok(())
        } else {
            Err(DomainError::NotFound(format!("promotion day {date}")))
        }
    }

    /// The forecasts of `days` days from `day` (1–14), each on its basis (see
    /// `kefu_model::staffing`); `weeks` overrides the settings' look-back (1–52).
    pub async fn staffing_forecast(
        &self,
        actor: &Actor,
        day: Date,
        days: i64,
        weeks: Option<u32>,
    ) -> DeskResult<Vec<Forecast>> {
        self.require_planner(actor)?;
        let settings: StaffingSettings = self.setting_or_default(staffing::SETTING).await?;
        self.forecasts(&settings, day, days, weeks).await
    }

    async fn forecasts(
        &self,
        settings: &StaffingSettings,
        day: Date,
        days: i64,
        weeks: Option<u32>,
    ) -> DeskResult<Vec<Forecast>> {
        if !(1..=MAX_FORECAST_DAYS).contains(&days) {
            return Err(DomainError::invalid("days", "1 to 14"));
        }
        let weeks = weeks.unwrap_or(settings.weeks);
        if !(1..=52).contains(&weeks) {
            return Err(DomainError::invalid("weeks", "1 to 52"));
        }
        let types = match self.store.calendar(&settings.calendar).await? {
            Some(spec) => DayTypes::of_calendar(&spec),
            None => DayTypes::default(),
        };
        let promotions = self.store.promotion_days().await?;
        let targets: Vec<Date> = (0..days)
            .map(|n| {
                day.checked_add(Span::new().days(n))
                    .map_err(|_| DomainError::invalid("day", "a day in range"))
            })
            .collect::<Result<_, _>>()?;
        let bases: Vec<_> = targets
            .iter()
            .map(|&d| staffing::basis(d, weeks, &types, &promotions))
            .collect();
        let first = bases.iter().flat_map(|b| b.days.iter()).min().copied();
        let last = bases.iter().flat_map(|b| b.days.iter()).max().copied();
        let history = match (first, last) {
            (Some(first), Some(last)) => self.arrivals(first, next_day(last)?).await?,
            _ => Vec::new(),
        };
        Ok(targets
            .into_iter()
            .zip(bases)
            .map(|(d, b)| staffing::forecast(d, b, &history))
            .collect())
    }

    /// Per day from `day` (`days` of them, 1–14): the forecast, the agents needed per channel
    /// and half-hour, the planned ones, the gap and the service level the plan gives.
    pub async fn staffing_needs(
        &self,
        actor: &Actor,
        day: Date,
        days: i64,
        weeks: Option<u32>,
    ) -> DeskResult<Vec<DayPlan>> {
        self.require_planner(actor)?;
        let settings: StaffingSettings = self.setting_or_default(staffing::SETTING).await?;
        let forecasts = self.forecasts(&settings, day, days, weeks).await?;
        let end = forecasts.last().map_or(Ok(day), |f| next_day(f.day))?;
        let planned = self.store.schedule(day, end).await?;
        Ok(forecasts
            .into_iter()
            .map(|f| {
                let channels = staffing::compare(&f, &settings, &planned);
                DayPlan {
                    forecast: f,
                    channels,
                }
            })
            .collect())
    }

    /// The planned agents of the days `[from, to)` (at most 366), by day then channel.
    pub async fn staffing_schedule(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> DeskResult<Vec<ScheduleDay>> {
        self.require_planner(actor)?;
        kefu_model::period::check_period(from, to)?;
        Ok(self.store.schedule(from, to).await?)
    }

    /// Plans a day's agents of one channel: exactly 48 half-hours, each 0–10,000.
    pub async fn put_staffing_schedule(
        &self,
        actor: &Actor,
        day: Date,
        channel: Channel,
        slots: &[i64],
    ) -> DeskResult<ScheduleDay> {
        self.require_planner(actor)?;
        let row = ScheduleDay {
            day,
            channel,
            slots: staffing::checked_slots(slots)?,
            updated_by: actor.event_name(),
            updated_at: self.now(),
        };
        self.store.put_schedule(std::slice::from_ref(&row)).await?;
        Ok(row)
    }

    /// Copies a day's plan (every channel planned) to other days, replacing theirs, in one
    /// write; the number of rows written. At most 31 days; a day without a plan copies nothing.
    pub async fn copy_staffing_schedule(
        &self,
        actor: &Actor,
        from: Date,
        to_days: &[Date],
    ) -> DeskResult<usize> {
        self.require_planner(actor)?;
        if to_days.is_empty() || to_days.len() > 31 {
            return Err(DomainError::invalid("to", "1 to 31 days"));
        }
        let source = self.store.schedule(from, next_day(from)?).await?;
        let (by, at) = (actor.event_name(), self.now());
        let rows: Vec<ScheduleDay> = to_days
            .iter()
            .filter(|&&d| d != from)
            .flat_map(|&d| {
                source.iter().map(move |s| ScheduleDay {
                    day: d,
                    channel: s.channel,
                    slots: s.slots.clone(),
                    updated_by: String::new(),
                    updated_at: Timestamp::UNIX_EPOCH,
                })
            })
            .map(|r| ScheduleDay {
                updated_by: by.clone(),
                updated_at: at,
                ..r
            })
            .collect();
        if !rows.is_empty() {
            self.store.put_schedule(&rows).await?;
        }
        Ok(rows.len())
    }
}

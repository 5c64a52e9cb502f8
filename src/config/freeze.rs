//! Freeze windows: weekly (`days` + `start`–`end` local times in an IANA `timezone`) or one-off
//! (`from`–`until`). Pure: the time is passed in.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use super::policy::FreezeWindow;

/// A freeze window in force at some instant, and when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveFreeze {
    pub name: String,
    /// E.g. `Fri–Sun 16:00–23:59 America/New_York`.
    pub description: String,
    pub until: DateTime<Utc>,
}

/// Whether `window` is in force at `now`. `Err` names what in the profile cannot be read.
pub fn active_at(
    window: &FreezeWindow,
    now: DateTime<Utc>,
) -> Result<Option<ActiveFreeze>, String> {
    let tz = parse_tz(&window.timezone)?;
    let until = if window.days.is_empty() {
        one_off(window, tz, now)?
    } else {
        weekly(window, tz, now)?
    };
    Ok(until.map(|until| ActiveFreeze {
        name: window.name.clone(),
        description: describe(window),
        until,
    }))
}

/// What in a freeze window cannot be read: the offending value as written (to point at its
/// line), and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreezeProblem {
    pub value: Option<String>,
    pub message: String,
}

impl FreezeProblem {
    fn of(value: &str, message: String) -> FreezeProblem {
        FreezeProblem {
            value: Some(value.to_string()),
            message,
        }
    }

    fn shape(message: &str) -> FreezeProblem {
        FreezeProblem {
            value: None,
            message: message.to_string(),
        }
    }
}

/// Everything in `window` that cannot be read, checked when the profile is loaded (so that
/// `profile check` finds it, not the first command in a freeze): the time zone, each day, the
/// times, and the shape (weekly or one-off, not both).
pub fn validate(window: &FreezeWindow) -> Result<(), FreezeProblem> {
    let tz: Tz = parse_tz(&window.timezone).map_err(|e| FreezeProblem::of(&window.timezone, e))?;
    let weekly_fields = window.start.is_some() || window.end.is_some();
    let one_off_fields = window.from.is_some() || window.until.is_some();
    if window.days.is_empty() {
        if weekly_fields {
            return Err(FreezeProblem::shape(
                "`start`/`end` need `days` (e.g. days = [\"Fri\", \"Sat\"])",
            ));
        }
        let (Some(from), Some(until)) = (&window.from, &window.until) else {
            return Err(FreezeProblem::shape(
                "a freeze window needs `days` (weekly) or both `from` and `until`",
            ));
        };
        let from_at = parse_instant(from, tz, "from").map_err(|e| FreezeProblem::of(from, e))?;
        let until_at =
            parse_instant(until, tz, "until").map_err(|e| FreezeProblem::of(until, e))?;
        if from_at >= until_at {
            return Err(FreezeProblem::of(
                until,
                "`from` must come before `until`".into(),
            ));
        }
        return Ok(());
    }
    if one_off_fields {
        return Err(FreezeProblem::shape(
            "a window is weekly (`days`) or one-off (`from`/`until`), not both",
        ));
    }
    for day in &window.days {
        parse_day(day).map_err(|e| FreezeProblem::of(day, e))?;
    }
    for (field, text, default) in [
        ("start", &window.start, "00:00"),
        ("end", &window.end, "23:59"),
    ] {
        parse_time(text.as_deref(), default, field)
            .map_err(|e| FreezeProblem::of(text.as_deref().unwrap_or(default), e))?;
    }
    Ok(())
}

fn parse_tz(name: &str) -> Result<Tz, String> {
    name.parse().map_err(|_| {
        format!("unknown timezone `{name}` (use an IANA name such as Europe/Berlin or UTC)")
    })
}

/// `Mon` … `Sun`, or the full English name as systemd's calendar accepts it, in any case.
fn parse_day(day: &str) -> Result<Weekday, String> {
    day.parse::<Weekday>().map_err(|_| {
        format!(
            "day `{day}` is not a weekday: use Mon, Tue, Wed, Thu, Fri, Sat, Sun (or Monday … Sunday)"
        )
    })
}

/// A human description of the window, as shown in a refusal.
pub fn describe(window: &FreezeWindow) -> String {
    if window.days.is_empty() {
        return format!(
            "{} → {} {}",
            window.from.as_deref().unwrap_or("?"),
            window.until.as_deref().unwrap_or("?"),
            window.timezone
        );
    }
    let days: Vec<Weekday> = window.days.iter().filter_map(|d| d.parse().ok()).collect();
    let consecutive = days.len() >= 3 && days.windows(2).all(|w| w[0].succ() == w[1]);
    let days_text = match (consecutive, days.first(), days.last()) {
        (true, Some(first), Some(last)) => format!("{first}–{last}"),
        _ => window.days.join(","),
    };
    format!(
        "{days_text} {}–{} {}",
        window.start.as_deref().unwrap_or("00:00"),
        window.end.as_deref().unwrap_or("23:59"),
        window.timezone
    )
}

fn parse_time(text: Option<&str>, default: &str, field: &str) -> Result<NaiveTime, String> {
    let text = text.unwrap_or(default);
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| format!("{field} `{text}` is not a time of day (HH:MM, 00:00 to 23:59)"))
}

fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // In a DST gap the wall time does not exist: take the instant an hour later.
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| Utc.from_utc_datetime(&local), |t| t.with_timezone(&Utc))
}

fn weekly(
    window: &FreezeWindow,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, String> {
    let mut days = Vec::new();
    for day in &window.days {
        days.push(parse_day(day)?);
    }
    let start = parse_time(window.start.as_deref(), "00:00", "start")?;
    let end = parse_time(window.end.as_deref(), "23:59", "end")?;
    let local = now.with_timezone(&tz).naive_local();
    let today: NaiveDate = local.date();
    // Minute precision, end inclusive: `23:59` covers the whole last minute of the day.
    let minute = NaiveTime::from_hms_opt(
        chrono::Timelike::hour(&local.time()),
        chrono::Timelike::minute(&local.time()),
        0,
    )
    .unwrap_or(local.time());
    let listed = |d: NaiveDate| days.contains(&d.weekday());
    if start <= end {
        if listed(today) && start <= minute && minute <= end {
            return Ok(Some(local_to_utc(tz, today.and_time(end))));
        }
        return Ok(None);
    }
    // Overnight window such as 22:00–06:00: starts on a listed day, ends the next morning.
    if listed(today) && minute >= start {
        let next = today.succ_opt().unwrap_or(today);
        return Ok(Some(local_to_utc(tz, next.and_time(end))));
    }
    if let Some(yesterday) = today.pred_opt()
        && listed(yesterday)
        && minute <= end
    {
        return Ok(Some(local_to_utc(tz, today.and_time(end))));
    }
    Ok(None)
}

fn parse_instant(text: &str, tz: Tz, field: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M")
        .map(|local| local_to_utc(tz, local))
        .map_err(|_| format!("{field} `{text}` is neither RFC 3339 nor `YYYY-MM-DD HH:MM`"))
}

fn one_off(
    window: &FreezeWindow,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, String> {
    let (Some(from), Some(until)) = (&window.from, &window.until) else {
        return Err("a freeze window needs `days` (weekly) or both `from` and `until`".into());
    };
    let from = parse_instant(from, tz, "from")?;
    let until = parse_instant(until, tz, "until")?;
    Ok((from <= now && now < until).then_some(until))
}

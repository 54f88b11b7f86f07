//! The gateway's `timestamp`: `yyyy-MM-dd HH:mm:ss` in fixed UTC+8 (Beijing time, no DST).
//!
//! The core never reads a clock: the host passes the instant in.

use std::fmt;

use crate::error::{Error, Result};

const BEIJING_OFFSET_SECS: i64 = 8 * 3600;
const SECS_PER_DAY: i64 = 86_400;

/// An instant, as the gateway writes it: a civil date-time in UTC+8.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    unix_secs: i64,
}

impl Timestamp {
    /// From milliseconds since the Unix epoch (sub-second precision is dropped, as on the wire).
    pub fn from_unix_millis(millis: i64) -> Self {
        Timestamp { unix_secs: millis.div_euclid(1000) }
    }

    /// From seconds since the Unix epoch.
    pub fn from_unix_secs(secs: i64) -> Self {
        Timestamp { unix_secs: secs }
    }

    /// Seconds since the Unix epoch.
    pub fn unix_secs(self) -> i64 {
        self.unix_secs
    }

    /// The Beijing civil date-time fields.
    pub fn to_beijing(self) -> BeijingDateTime {
        let local = self.unix_secs + BEIJING_OFFSET_SECS;
        let (year, month, day) = civil_from_days(local.div_euclid(SECS_PER_DAY));
        let secs = local.rem_euclid(SECS_PER_DAY);
        BeijingDateTime {
            year,
            month,
            day,
            hour: (secs / 3600) as u8,
            minute: (secs % 3600 / 60) as u8,
            second: (secs % 60) as u8,
        }
    }

    /// Parses `yyyy-MM-dd HH:mm:ss` read as Beijing time; `field` names the input in errors.
    pub fn parse_beijing(field: &str, text: &str) -> Result<Self> {
        BeijingDateTime::parse(field, text).map(BeijingDateTime::to_timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_beijing().fmt(f)
    }
}

/// A civil date-time in UTC+8, as the gateway's `yyyy-MM-dd HH:mm:ss` fields carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[allow(missing_docs)]
pub struct BeijingDateTime {
    pub year: i64,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl BeijingDateTime {
    /// Parses exactly `yyyy-MM-dd HH:mm:ss` (zero-padded, 24-hour, one space) and checks the calendar.
    pub fn parse(field: &str, text: &str) -> Result<Self> {
        let rule = "must be a date-time `yyyy-MM-dd HH:mm:ss` (Beijing time)";
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 19
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                10 => *b == b' ',
                13 | 16 => *b == b':',
                _ => b.is_ascii_digit(),
            });
        if !shape_ok {
            return Err(Error::field(field, rule));
        }
        let num = |range: std::ops::Range<usize>| -> i64 { text.get(range).and_then(|s| s.parse().ok()).unwrap_or(-1) };
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        let (hour, minute, second) = (num(11..13), num(14..16), num(17..19));
        if !on_calendar(year, [month, day, hour, minute, second]) {
            return Err(Error::field(field, format!("{rule}; `{text}` is not a calendar date-time")));
        }
        // The ranges were checked just above, so these narrowings cannot truncate.
        Ok(BeijingDateTime {
            year,
            month: month as u8,
            day: day as u8,
            hour: hour as u8,
            minute: minute as u8,
            second: second as u8,
        })
    }

    /// The instant this Beijing date-time denotes.
    pub fn to_timestamp(self) -> Timestamp {
        let fields = [self.month, self.day, self.hour, self.minute, self.second].map(i64::from);
        Timestamp { unix_secs: secs_of(self.year, fields) - BEIJING_OFFSET_SECS }
    }
}

impl fmt::Display for BeijingDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

/// The instant of a UTC date-time given as `year` and `[month, day, hour, minute, second]`, if the
/// calendar has it.
pub(crate) fn utc(year: i64, fields: [i64; 5]) -> Option<Timestamp> {
    on_calendar(year, fields).then(|| Timestamp { unix_secs: secs_of(year, fields) })
}

/// Seconds since the epoch of a date and time on the calendar, read as UTC.
fn secs_of(year: i64, [month, day, hour, minute, second]: [i64; 5]) -> i64 {
    days_from_civil(year, month, day) * SECS_PER_DAY + hour * 3600 + minute * 60 + second
}

fn on_calendar(year: i64, [month, day, hour, minute, second]: [i64; 5]) -> bool {
    (1..=12).contains(&month)
        && (1..=days_in_month(year, month)).contains(&day)
        && (0..24).contains(&hour)
        && (0..60).contains(&minute)
        && (0..60).contains(&second)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years, March-based years).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 { month_from_march + 3 } else { month_from_march - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month as u8, day as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_utc_plus_8() {
        // 2024-05-13T09:49:20Z is 17:49:20 in Beijing.
        assert_eq!(Timestamp::from_unix_millis(1_715_593_760_123).to_string(), "2024-05-13 17:49:20");
        // Crossing midnight and a year boundary.
        assert_eq!(Timestamp::from_unix_secs(1_704_038_400).to_string(), "2024-01-01 00:00:00");
        assert_eq!(Timestamp::from_unix_secs(0).to_string(), "1970-01-01 08:00:00");
        assert_eq!(Timestamp::from_unix_millis(-1).to_string(), "1970-01-01 07:59:59");
    }

    #[test]
    fn parses_and_round_trips() {
        let t = Timestamp::parse_beijing("timestamp", "2024-02-29 23:59:59").unwrap();
        assert_eq!(t.to_string(), "2024-02-29 23:59:59");
        for secs in [-86_400 * 800, 0, 951_782_400, 1_715_593_760, 4_102_444_800] {
            let t = Timestamp::from_unix_secs(secs);
            assert_eq!(Timestamp::parse_beijing("t", &t.to_string()).unwrap(), t);
        }
    }

    #[test]
    fn rejects_bad_shapes_and_dates() {
        for bad in ["2024-5-13 17:49:20", "2024-05-13T17:49:20", "2023-02-29 00:00:00", "2024-05-13 24:00:00", ""] {
            let err = Timestamp::parse_beijing("gmt_biz", bad).unwrap_err();
            assert_eq!(err.code(), "invalid_field");
            assert!(err.to_string().contains("gmt_biz"));
        }
    }
}

//! Archive names of `rotating_file`: the scheme that makes them (the `archive`
//! pattern, or the numbered default) and the exact test of whether a file
//! name is one of them.
//!
//! Retention, compression at start and the clean-up of stray temporary files
//! touch only names this test accepts, so it must accept exactly the names
//! the scheme can produce (issue 13: `%F.log` once deleted `errors.log` and
//! `README.log`, because an unknown field matched anything). Pure: no I/O.

use std::time::SystemTime;

use crate::error::Error;
use crate::error::ErrorKind;

/// The longest file name most file systems take (`NAME_MAX`).
const NAME_MAX: usize = 255;

/// Suffixes an archive name can carry: compressed, or being compressed.
const GZ: &str = ".gz";
const GZ_TMP: &str = ".gz.tmp";

/// A field of an archive pattern: what it prints and what it can read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    /// `%Y`: 4 digits.
    Year,
    /// `%y`: 2 digits.
    Year2,
    /// `%m`: 01-12.
    Month,
    /// `%d`: 01-31.
    Day,
    /// `%H`: 00-23.
    Hour,
    /// `%M`: 00-59.
    Minute,
    /// `%S`: 00-60.
    Second,
    /// `%j`: 001-366.
    DayOfYear,
    /// `%G`: the ISO 8601 week-based year, 4 digits.
    IsoYear,
    /// `%g`: the ISO 8601 week-based year, 2 digits.
    IsoYear2,
    /// `%V`: the ISO 8601 week, 01-53.
    IsoWeek,
    /// `%U`: the week of the year, weeks starting on Sunday, 00-53.
    WeekSunday,
    /// `%W`: the week of the year, weeks starting on Monday, 00-53.
    WeekMonday,
    /// `%u`: the weekday, Monday 1 to Sunday 7.
    WeekdayMonday,
    /// `%w`: the weekday, Sunday 0 to Saturday 6.
    WeekdaySunday,
    /// `%s`: seconds since the epoch, no leading zeros.
    Epoch,
    /// The sequence number of numbered archives (`app.log.17`): 1 or more,
    /// no leading zeros. Not a strftime field.
    Sequence,
}

/// The strftime fields `archive` accepts, for the error message.
const SUPPORTED: &str =
    "%Y %m %d %H %M %S %F (%Y-%m-%d) %y %j %G %g %V %U %W %u %w %s, and %% for `%`";

impl Field {
    fn from_spec(c: char) -> Option<Field> {
        Some(match c {
            'Y' => Field::Year,
            'y' => Field::Year2,
            'm' => Field::Month,
            'd' => Field::Day,
            'H' => Field::Hour,
            'M' => Field::Minute,
            'S' => Field::Second,
            'j' => Field::DayOfYear,
            'G' => Field::IsoYear,
            'g' => Field::IsoYear2,
            'V' => Field::IsoWeek,
            'U' => Field::WeekSunday,
            'W' => Field::WeekMonday,
            'u' => Field::WeekdayMonday,
            'w' => Field::WeekdaySunday,
            's' => Field::Epoch,
            _ => return None,
        })
    }

    /// How many digits it prints: `Some(n)` always n (zero-padded), `None`
    /// as many as the value needs, without leading zeros.
    fn width(self) -> Option<usize> {
        match self {
            Field::Year | Field::IsoYear => Some(4),
            Field::DayOfYear => Some(3),
            Field::WeekdayMonday | Field::WeekdaySunday => Some(1),
            Field::Epoch | Field::Sequence => None,
            _ => Some(2),
        }
    }

    /// The values it can print.
    fn range(self) -> (u64, u64) {
        match self {
            Field::Year | Field::IsoYear => (0, 9999),
            Field::Year2 | Field::IsoYear2 => (0, 99),
            Field::Month => (1, 12),
            Field::Day => (1, 31),
            Field::Hour => (0, 23),
            Field::Minute => (0, 59),
            Field::Second => (0, 60),
            Field::DayOfYear => (1, 366),
            Field::IsoWeek => (1, 53),
            Field::WeekSunday | Field::WeekMonday => (0, 53),
            Field::WeekdayMonday => (1, 7),
            Field::WeekdaySunday => (0, 6),
            Field::Epoch => (0, u64::MAX),
            Field::Sequence => (1, u64::MAX),
        }
    }

    /// The most bytes it prints.
    fn max_len(self) -> usize {
        self.width().unwrap_or(20)
    }

    /// Its value at `t` (clamped into [`range`](Field::range), so that what
    /// is printed can always be read back).
    fn value(self, t: &jiff::ZonedDateTime) -> u64 {
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        let year = n(i64::from(t.year()));
        let iso = t.date().iso_week_date();
        let day0 = n(i64::from(t.day_of_year()) - 1);
        // 0 for Sunday ... 6 for Saturday.
        let sunday0 = n(i64::from(t.weekday().to_sunday_zero_offset()));
        let monday0 = (sunday0 + 6) % 7;
        let v = match self {
            Field::Year => year,
            Field::Year2 => year % 100,
            Field::Month => n(i64::from(t.month())),
            Field::Day => n(i64::from(t.day())),
            Field::Hour => n(i64::from(t.hour())),
            Field::Minute => n(i64::from(t.minute())),
            Field::Second => n(i64::from(t.second())),
            Field::DayOfYear => day0 + 1,
            Field::IsoYear => n(i64::from(iso.year())),
            Field::IsoYear2 => n(i64::from(iso.year())) % 100,
            Field::IsoWeek => n(i64::from(iso.week())),
            Field::WeekSunday => (day0 + 7 - sunday0) / 7,
            Field::WeekMonday => (day0 + 7 - monday0) / 7,
            Field::WeekdayMonday => monday0 + 1,
            Field::WeekdaySunday => sunday0,
            Field::Epoch => n(t.timestamp().as_second()),
            Field::Sequence => 1,
        };
        let (lo, hi) = self.range();
        v.clamp(lo, hi)
    }

    fn push(self, value: u64, out: &mut String) {
        use std::fmt::Write;
        let _ = match self.width() {
            Some(w) => write!(out, "{value:0w$}"),
            None => write!(out, "{value}"),
        };
    }

    /// Reads the field at the start of `s`; returns the bytes it took.
    fn read(self, s: &[u8]) -> Option<usize> {
        let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
        let len = match self.width() {
            Some(w) if digits >= w => w,
            Some(_) => return None,
            // Greedy: the pattern never puts a digit right after a field of
            // varying width (refused when parsed), so all the digits are its.
            None if digits == 0 || (digits > 1 && s[0] == b'0') => return None,
            None => digits,
        };
        let text = std::str::from_utf8(&s[..len]).ok()?;
        let value: u64 = text.parse().ok()?;
        let (lo, hi) = self.range();
        (lo..=hi).contains(&value).then_some(len)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Field(Field),
}

/// How archive names of a `rotating_file` handler are made and recognised:
/// its `archive` pattern, compiled once when the config is checked.
///
/// A pattern is a file name (no directory) with strftime fields, of which
/// these are accepted: `%Y %m %d %H %M %S %F %y %j %G %g %V %U %W %u %w %s`
/// and `%%`. Each prints a fixed number of digits (`%s` excepted), and no
/// padding flags or widths are taken, so that a name can be read back
/// exactly. A pattern is refused when it
///
/// - has a field not in that list (position given),
/// - has no field (every archive would get the same name),
/// - puts a digit right after `%s` (`%s%Y`: the two cannot be told apart),
/// - does not begin with the log file's name up to its first dot (`app` for
///   `app.log`), so that retention cannot take another program's files for
///   archives (`%F.log` would match `2024-01-01.log` of anyone),
/// - can produce the log file's own name, or names longer than 255 bytes.
///
/// A name already taken in the same period gets `.1`, `.2`, ... appended;
/// compressed archives end in `.gz`. [`is_archive`](ArchivePattern::is_archive)
/// accepts exactly those names: the fields' digits must be in range (month
/// `01`-`12`, ...), `%s` and the `.N` suffix have no leading zeros.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use logfig::__internal::ArchivePattern;
///
/// let pattern = ArchivePattern::parse("app.%Y-%m-%d.log", "app.log")?;
/// let day = SystemTime::UNIX_EPOCH + Duration::from_secs(1_774_800_000);
/// assert_eq!(pattern.name_at(day), "app.2026-03-29.log");
/// assert!(pattern.is_archive("app.2026-03-29.log.2.gz"));
/// assert!(!pattern.is_archive("app.2026-13-29.log")); // no 13th month
/// assert!(!pattern.is_archive("app.log"));
///
/// let refused = ArchivePattern::parse("%F.log", "app.log").unwrap_err();
/// assert!(refused.to_string().contains("must begin with `app`"));
/// # Ok::<(), logfig::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivePattern {
    pieces: Vec<Piece>,
    /// Whether a name already taken gets `.1`, `.2`, ... appended (dated
    /// names; numbered ones take the next number instead).
    repeats: bool,
}

fn invalid(pattern: &str, message: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorKind::Invalid,
        format!("invalid archive name `{pattern}`: {message}"),
    )
}

impl ArchivePattern {
    /// Compiles the `archive` pattern of a handler whose log file is named
    /// `file_name` (the last component of its path).
    ///
    /// # Errors
    ///
    /// `ErrorKind::Invalid`, saying what is wrong and where, for each rule in
    /// the type's description.
    pub fn parse(pattern: &str, file_name: &str) -> Result<ArchivePattern, Error> {
        let mut pieces: Vec<Piece> = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars().enumerate();
        while let Some((i, c)) = chars.next() {
            let at = i + 1;
            if c == '/' || c == '\\' || c.is_control() {
                return Err(invalid(
                    pattern,
                    format!(
                        "{c:?} at character {at}: an archive name is a file name beside the log file, with no directory part"
                    ),
                ));
            }
            if c != '%' {
                literal.push(c);
                continue;
            }
            let field = match chars.next() {
                Some((_, '%')) => {
                    literal.push('%');
                    continue;
                }
                Some((_, 'F')) => vec![
                    Piece::Field(Field::Year),
                    Piece::Literal("-".into()),
                    Piece::Field(Field::Month),
                    Piece::Literal("-".into()),
                    Piece::Field(Field::Day),
                ],
                Some((_, spec)) => match Field::from_spec(spec) {
                    Some(f) => vec![Piece::Field(f)],
                    None => {
                        return Err(invalid(
                            pattern,
                            format!(
                                "unsupported field `%{spec}` at character {at}; supported: {SUPPORTED} (no padding flags or widths, so that names can be read back exactly)"
                            ),
                        ));
                    }
                },
                None => {
                    return Err(invalid(
                        pattern,
                        format!("a lone `%` at character {at}: write `%%` for a percent sign"),
                    ));
                }
            };
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            if let (Some(Piece::Field(Field::Epoch)), Some(Piece::Field(_))) =
                (pieces.last(), field.first())
            {
                return Err(invalid(
                    pattern,
                    format!(
                        "a field right after `%s` at character {at}: a number of varying length must be followed by a character that is not a digit, or end the name"
                    ),
                ));
            }
            pieces.extend(field);
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        let archive = ArchivePattern {
            pieces,
            repeats: true,
        };
        archive.check(pattern, file_name)?;
        Ok(archive)
    }

    /// The default scheme: `<file_name>.<N>`, N from 1 up.
    pub(crate) fn numbered(file_name: &str) -> ArchivePattern {
        ArchivePattern {
            pieces: vec![
                Piece::Literal(format!("{file_name}.")),
                Piece::Field(Field::Sequence),
            ],
            repeats: false,
        }
    }

    /// The rules of [`parse`](ArchivePattern::parse) about the pattern as a
    /// whole.
    fn check(&self, pattern: &str, file_name: &str) -> Result<(), Error> {
        let fields = || {
            self.pieces.iter().filter_map(|p| match p {
                Piece::Field(f) => Some(*f),
                Piece::Literal(_) => None,
            })
        };
        if fields().next().is_none() {
            return Err(invalid(
                pattern,
                "it has no date field such as `%Y-%m-%d`: every archive would get the same name",
            ));
        }
        for pair in self.pieces.windows(2) {
            let digit_after_epoch = matches!(pair, [Piece::Field(Field::Epoch), Piece::Literal(l)]
                if l.starts_with(|c: char| c.is_ascii_digit()));
            if digit_after_epoch {
                return Err(invalid(
                    pattern,
                    "a digit right after `%s`: a number of varying length must be followed by a character that is not a digit, or end the name",
                ));
            }
        }
        let stem = stem(file_name);
        let prefix = match self.pieces.first() {
            Some(Piece::Literal(l)) => l.as_str(),
            _ => "",
        };
        if !prefix.starts_with(stem) {
            return Err(invalid(
                pattern,
                format!(
                    "archive names must begin with `{stem}` (the log file's name up to its first dot), so that retention cannot take another program's files for archives; for example `{stem}.%Y-%m-%d.log`"
                ),
            ));
        }
        if self.recognise(file_name).is_some() || self.is_temporary(file_name) {
            return Err(invalid(
                pattern,
                format!("it can produce the log file's own name `{file_name}`"),
            ));
        }
        let longest = self.pieces.iter().fold(0usize, |n, p| {
            n.saturating_add(match p {
                Piece::Literal(l) => l.len(),
                Piece::Field(f) => f.max_len(),
            })
        }) + if self.repeats { 21 } else { 0 }
            + GZ_TMP.len();
        if longest > NAME_MAX {
            return Err(invalid(
                pattern,
                format!(
                    "its names (with `.N` and `{GZ_TMP}`) can be {longest} bytes long; a file name may have at most {NAME_MAX}"
                ),
            ));
        }
        Ok(())
    }

    /// The archive name for time `time`, in UTC.
    pub fn name_at(&self, time: SystemTime) -> String {
        let ts = jiff::Timestamp::try_from(time).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
        self.name_in(&ts.to_zoned_datetime(jiff::tz::TimeZone::UTC), 1)
    }

    /// The archive name for the zoned time `t`, with sequence number `seq`
    /// (used by numbered names only).
    pub(crate) fn name_in(&self, t: &jiff::ZonedDateTime, seq: u64) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => out.push_str(l),
                Piece::Field(Field::Sequence) => Field::Sequence.push(seq.max(1), &mut out),
                Piece::Field(f) => f.push(f.value(t), &mut out),
            }
        }
        out
    }

    /// Whether a name already taken gets `.1`, `.2`, ... appended.
    pub(crate) fn repeats(&self) -> bool {
        self.repeats
    }

    /// Whether `name` is an archive name of this scheme: plain, with a `.N`
    /// of a period that rolled more than once, or compressed (`.gz`).
    pub fn is_archive(&self, name: &str) -> bool {
        self.recognise(name).is_some()
    }

    /// Recognises an archive name: `Some` with its sequence number (numbered
    /// names) and whether it is compressed.
    pub(crate) fn recognise(&self, name: &str) -> Option<Recognised> {
        // A literal part may itself end in `.gz` or digits: try each reading.
        let plain = self.core(name).map(|seq| Recognised { seq, gz: false });
        plain.or_else(|| {
            let core = name.strip_suffix(GZ)?;
            self.core(core).map(|seq| Recognised { seq, gz: true })
        })
    }

    /// Whether `name` is the temporary file of a compression in progress:
    /// `<plain archive>.gz.tmp`.
    pub(crate) fn is_temporary(&self, name: &str) -> bool {
        name.strip_suffix(GZ_TMP)
            .and_then(|core| self.core(core))
            .is_some()
    }

    /// Matches a plain archive name, with the `.N` of repeats; returns the
    /// sequence number of a numbered name (0 for dated names).
    fn core(&self, name: &str) -> Option<u64> {
        if let Some(seq) = self.exact(name) {
            return Some(seq);
        }
        if !self.repeats {
            return None;
        }
        let (head, n) = name.rsplit_once('.')?;
        Field::Sequence
            .read(n.as_bytes())
            .filter(|&len| len == n.len())?;
        self.exact(head)
    }

    /// Matches `name` against the pieces alone.
    fn exact(&self, name: &str) -> Option<u64> {
        let mut rest = name.as_bytes();
        let mut seq = 0;
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => rest = rest.strip_prefix(l.as_bytes())?,
                Piece::Field(f) => {
                    let len = f.read(rest)?;
                    if *f == Field::Sequence {
                        seq = std::str::from_utf8(&rest[..len]).ok()?.parse().ok()?;
                    }
                    rest = &rest[len..];
                }
            }
        }
        rest.is_empty().then_some(seq)
    }

    /// Whether some name could be an archive (or temporary file) of both
    /// this scheme and `other`: two handlers whose schemes overlap in one
    /// directory would delete each other's archives.
    pub(crate) fn overlaps(&self, other: &ArchivePattern) -> bool {
        let (mine, theirs) = (self.shapes(), other.shapes());
        mine.iter()
            .any(|a| theirs.iter().any(|b| shapes_intersect(a, b)))
    }

    /// Every name this scheme can produce, as byte patterns: plain, with
    /// `.N`, compressed, and the temporary file of a compression.
    fn shapes(&self) -> Vec<Vec<Shape>> {
        let mut core = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(l) => core.extend(l.bytes().map(Shape::Byte)),
                Piece::Field(f) => match f.width() {
                    Some(w) => core.extend(std::iter::repeat_n(Shape::Digit, w)),
                    None => core.extend([Shape::Digit, Shape::Digits]),
                },
            }
        }
        let mut cores = vec![core.clone()];
        if self.repeats {
            core.extend([Shape::Byte(b'.'), Shape::Digit, Shape::Digits]);
            cores.push(core);
        }
        let mut out = Vec::new();
        for c in cores {
            for suffix in ["", GZ, GZ_TMP] {
                let mut s = c.clone();
                s.extend(suffix.bytes().map(Shape::Byte));
                out.push(s);
            }
        }
        out
    }
}

/// What [`ArchivePattern::recognise`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Recognised {
    /// The number of a numbered archive; 0 for dated ones.
    pub(crate) seq: u64,
    /// Whether the name ends in `.gz`.
    pub(crate) gz: bool,
}

/// The log file's name up to its first dot (not counting a leading one):
/// `app` for `app.log`, `.hidden` for `.hidden.log`.
fn stem(file_name: &str) -> &str {
    match file_name.char_indices().skip(1).find(|&(_, c)| c == '.') {
        Some((i, _)) => &file_name[..i],
        None => file_name,
    }
}

/// One position of a name pattern, for the overlap test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Byte(u8),
    /// One ASCII digit.
    Digit,
    /// Zero or more ASCII digits.
    Digits,
}

/// Whether some byte string matches both `a` and `b`: a search over pairs of
/// positions, `a.len() * b.len()` states at most.
fn shapes_intersect(a: &[Shape], b: &[Shape]) -> bool {
    let fits = |x: Shape, y: Shape| match (x, y) {
        (Shape::Byte(p), Shape::Byte(q)) => p == q,
        (Shape::Byte(p), Shape::Digit) | (Shape::Digit, Shape::Byte(p)) => p.is_ascii_digit(),
        (Shape::Digit, Shape::Digit) => true,
        _ => false,
    };
    let width = b.len() + 1;
    let mut seen = vec![false; (a.len() + 1) * width];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if std::mem::replace(&mut seen[i * width + j], true) {
            continue;
        }
        if i == a.len() && j == b.len() {
            return true;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        // A run of digits may end (skip it) or take one more digit.
        if x == Some(Shape::Digits) {
            todo.push((i + 1, j));
            if y.is_some_and(|y| fits(Shape::Digit, y)) {
                todo.push((i, j + 1));
            }
        }
        if y == Some(Shape::Digits) {
            todo.push((i, j + 1));
            if x.is_some_and(|x| fits(x, Shape::Digit)) {
                todo.push((i + 1, j));
            }
        }
        if let (Some(x), Some(y)) = (x, y) {
            if fits(x, y) {
                todo.push((i + 1, j + 1));
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> jiff::ZonedDateTime {
        format!("{s}[UTC]").parse().unwrap()
    }

    #[test]
    fn names_read_back_exactly() {
        let p = ArchivePattern::parse(
            "app.%Y-%m-%d_%H%M%S.%j.%G-W%V-%u.%U.%W.%w.%y.%g.log",
            "app.log",
        )
        .unwrap();
        let name = p.name_in(&at("2026-03-29T07:08:09"), 1);
        assert_eq!(
            name,
            "app.2026-03-29_070809.088.2026-W13-7.13.12.0.26.26.log"
        );
        for ok in [
            name.clone(),
            format!("{name}.2"),
            format!("{name}.gz"),
            format!("{name}.17.gz"),
        ] {
            assert!(p.is_archive(&ok), "{ok}");
        }
        assert!(p.is_temporary(&format!("{name}.gz.tmp")));
        for bad in [
            "app.log".to_owned(),
            format!("{name}.0"),
            format!("{name}.01"),
            format!("{name}.gz.tmp"),
            format!("{name}.bak"),
            format!("x{name}"),
            name.replace("-03-", "-13-"),
            name.replace("-29_", "-32_"),
            name.replace("_07", "_24"),
        ] {
            assert!(!p.is_archive(&bad), "{bad}");
        }
    }

    #[test]
    fn numbered_names() {
        let p = ArchivePattern::numbered("app.log");
        assert_eq!(p.name_in(&at("2026-01-01T00:00:00"), 17), "app.log.17");
        assert_eq!(
            p.recognise("app.log.17.gz"),
            Some(Recognised { seq: 17, gz: true })
        );
        for bad in [
            "app.log",
            "app.log.0",
            "app.log.017",
            "app.log.1.2",
            "app.log.x",
            "app.logs.1",
            "myapp.log.1",
        ] {
            assert!(!p.is_archive(bad), "{bad}");
        }
        assert!(p.is_temporary("app.log.3.gz.tmp"));
        assert!(!p.is_temporary("app.log.03.gz.tmp"));
    }

    #[test]
    fn epoch_seconds_are_greedy_but_unambiguous() {
        let p = ArchivePattern::parse("app.%s.log", "app.log").unwrap();
        assert_eq!(
            p.name_at(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)),
            "app.1700000000.log"
        );
        assert!(p.is_archive("app.0.log"));
        assert!(!p.is_archive("app.01.log"));
        assert!(!p.is_archive("app..log"));
        assert!(ArchivePattern::parse("app.%s%Y", "app.log").is_err());
        assert!(ArchivePattern::parse("app.%s1", "app.log").is_err());
        assert!(ArchivePattern::parse("app.%s-%Y", "app.log").is_ok());
    }

    #[test]
    fn refused_patterns_say_why() {
        let err = |p: &str| ArchivePattern::parse(p, "app.log").unwrap_err().to_string();
        assert!(
            err("%F.log").contains("must begin with `app`"),
            "{}",
            err("%F.log")
        );
        assert!(
            err("app.%Q.log").contains("`%Q` at character 5"),
            "{}",
            err("app.%Q.log")
        );
        assert!(
            err("app.%-d.log").contains("`%-`"),
            "{}",
            err("app.%-d.log")
        );
        assert!(err("app.%").contains("lone `%`"));
        assert!(err("app.%%.log").contains("no date field"));
        assert!(err("app/%Y.log").contains("no directory part"));
        assert!(err("app.\n%Y").contains("no directory part"));
        assert!(err(&format!("app.{}%Y", "x".repeat(250))).contains("at most 255"));
        // The pattern can make the live file's own name.
        assert!(
            ArchivePattern::parse("app.%Y", "app.2024")
                .unwrap_err()
                .to_string()
                .contains("own name")
        );
        assert!(
            ArchivePattern::parse("app.%Y", "app.2024.gz")
                .unwrap_err()
                .to_string()
                .contains("own name")
        );
        assert!(ArchivePattern::parse(".hidden.%Y", ".hidden.log").is_ok());
        assert!(ArchivePattern::parse("app-%F.log", "app.log").is_ok());
        assert!(ArchivePattern::parse("app.log.%Y-%m-%d", "app.log").is_ok());
    }

    #[test]
    fn overlapping_schemes() {
        let numbered = ArchivePattern::numbered("app.log");
        let dated = |p: &str, f: &str| ArchivePattern::parse(p, f).unwrap();
        // `app.log.2026` is a numbered name and a dated one.
        assert!(numbered.overlaps(&dated("app.log.%Y", "app.log.x")));
        assert!(numbered.overlaps(&ArchivePattern::numbered("app.log")));
        assert!(!numbered.overlaps(&dated("app.log.%Y-%m", "app.log.x")));
        assert!(!numbered.overlaps(&ArchivePattern::numbered("app.log.1")));
        assert!(dated("app.%Y.log", "app.a").overlaps(&dated("app.%s.log", "app.b")));
        assert!(!dated("app.%Y.log", "app.a").overlaps(&dated("app.%Y-%m.log", "app.b")));
        // `.N` of a repeat against a longer field.
        assert!(dated("app.%Y", "app.a").overlaps(&dated("app.%Y.%m", "app.b")));
    }
}

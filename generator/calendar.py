"""Working-day calendar on the State Council holiday schedule (国务院节假日安排).

The 7-working-day window of SZ 五(二) ("办结后7个工作日内") counts working days, and a
working day in China is not simply Monday–Friday: public holidays (法定节假日) take
weekdays off, and make-up working days (调休上班) put Saturdays and Sundays back to work.

Where the answers come from, in order of precedence:

1. Override files ``content/calendar/<year>.yaml`` (one :class:`CalendarYear` each), written
   from the State Council notice. A file for year Y is the *whole* schedule of Y: a day of Y
   that it does not list is a working day exactly when it is Monday–Friday. It may also
   list days in December of Y−1, because the notice for Y can move days there (e.g. the
   2019 notice made Saturday 2018-12-29 a working day); for those listed days the newer
   notice (Y) wins over the file or package data for Y−1.
2. The ``chinesecalendar`` package for the years it covers (2004–2026 in 1.11).
3. Any other year is *unknown*: asking about it raises :class:`UnknownYearError`. A
   deadline is never guessed from weekdays alone, because a wrong deadline marks an
   association late (or on time) on the public compliance view.

We do not use ``chinese_calendar.find_workday``: when the start day is not itself a working
day it counts the start's next working day as day 0, i.e. one day too many for
"the Nth working day after the decision".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable, Self

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

__all__ = [
    "UnknownYearError",
    "HolidayPeriod",
    "CalendarYear",
    "WorkingCalendar",
    "build_calendar",
    "PACKAGE_SOURCE",
]

_ONE_DAY = timedelta(days=1)
_WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

# The package validates against the years of its own holiday table; derive the range the
# same way instead of hard-coding 2004–2026, so upgrading the package widens it by itself.
_PACKAGE_FIRST_YEAR: int = min(chinese_calendar.holidays).year
_PACKAGE_LAST_YEAR: int = max(chinese_calendar.holidays).year
PACKAGE_SOURCE: str = f"chinesecalendar {chinese_calendar.__version__}"


class UnknownYearError(Exception):
    """The calendar has no holiday schedule for ``year``; the caller must not guess."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(
            f"未知 {year} 年的节假日安排（calendar/{year}.yaml 不存在，chinesecalendar 也未收录）"
            f"/ no holiday schedule known for {year}"
        )

    # Exception pickles its args (the message); rebuild from the year instead, so the error
    # survives a process pool intact.
    def __reduce__(self) -> tuple[type[UnknownYearError], tuple[int]]:
        return (UnknownYearError, (self.year,))


def _in_scope(d: date, year: int) -> bool:
    # The notice for `year` may also move days of late December of the year before.
    return d.year == year or (d.year == year - 1 and d.month == 12)


def _scope_text(year: int) -> str:
    return f"只能是 {year} 年内的日期，或 {year - 1} 年 12 月的日期（本年通知可调整上年末的安排）"


class HolidayPeriod(BaseModel):
    """One holiday of the notice, e.g. ``{name: 春节, start: 2027-02-06, end: 2027-02-12}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(title="节日名称", description="通知中的节日名称，例如「春节」「国庆节」。", min_length=1)
    start: date = Field(title="放假开始日期", description="放假第一天（含），格式 YYYY-MM-DD。")
    end: date | None = Field(
        default=None,
        title="放假结束日期",
        description="放假最后一天（含），格式 YYYY-MM-DD；只放一天时可省略。",
    )

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"{self.name}的结束日期 {self.end} 早于开始日期 {self.start}。"
                "结束日期应不早于开始日期；只放一天时可省略 end。"
            )
        return self

    def dates(self) -> tuple[date, ...]:
        """Every day of the period, both ends included."""
        last = self.end if self.end is not None else self.start
        return tuple(self.start + timedelta(days=i) for i in range((last - self.start).days + 1))


class CalendarYear(BaseModel):
    """The schedule of one year, from the State Council notice: ``content/calendar/<year>.yaml``.

    Shape (dates as YYYY-MM-DD; weekends inside a holiday period may be listed, they are
    rest days anyway)::

        year: 2027
        notice_title: 国务院办公厅关于2027年部分节假日安排的通知
        notice_number: 国办发明电〔2026〕7号      # optional
        holidays:
          - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
          - {name: 春节, start: 2027-02-06, end: 2027-02-13}
          - {name: 清明节, start: 2027-04-05}    # end may be omitted for a single day
        makeup_workdays:                         # 调休上班: Saturdays or Sundays only
          - 2027-02-14
          - 2026-12-27                           # late December of the year before is allowed

    The file is the whole schedule of its year: a day of ``year`` not listed is a working day
    exactly when it is Monday to Friday. Days of December of ``year - 1`` may be listed
    because the notice for ``year`` can move days there; only the listed ones change.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(title="年份", description="本安排适用的年份，应与文件名一致，例如 2027。", ge=1949, le=9998)
    notice_title: str = Field(
        title="通知标题",
        description="国务院办公厅通知的完整标题，例如「国务院办公厅关于2027年部分节假日安排的通知」。",
        min_length=1,
    )
    notice_number: str | None = Field(
        default=None,
        title="发文字号",
        description="通知的发文字号，例如「国办发明电〔2026〕7号」；没有时可省略。",
    )
    holidays: tuple[HolidayPeriod, ...] = Field(
        default=(),
        title="放假安排",
        description="每个节日一项：name（节日名称）、start（放假第一天）、end（放假最后一天，可省略）。",
    )
    makeup_workdays: tuple[date, ...] = Field(
        default=(),
        title="调休上班日",
        description="因调休而上班的星期六或星期日，每行一个日期（YYYY-MM-DD）。",
    )

    # Checks are split by field so a diagnostic can point at the offending key; each
    # collects all problems of its field, so an author fixes them in one round.
    @field_validator("holidays")
    @classmethod
    def _check_holidays(cls, periods: tuple[HolidayPeriod, ...], info: ValidationInfo) -> tuple[HolidayPeriod, ...]:
        year = info.data.get("year")
        problems: list[str] = []
        seen: dict[date, str] = {}
        for period in periods:
            for d in period.dates():
                if year is not None and not _in_scope(d, year):
                    problems.append(f"放假日期 {d}（{period.name}）不在允许范围内：{_scope_text(year)}。")
                if d in seen:
                    problems.append(f"{d} 同时出现在「{seen[d]}」和「{period.name}」的放假日期中，每天只能属于一个节日。")
                else:
                    seen[d] = period.name
        if problems:
            raise ValueError("".join(problems))
        return periods

    @field_validator("makeup_workdays")
    @classmethod
    def _check_makeup_workdays(cls, days: tuple[date, ...], info: ValidationInfo) -> tuple[date, ...]:
        year = info.data.get("year")
        problems: list[str] = []
        seen: set[date] = set()
        for d in days:
            if year is not None and not _in_scope(d, year):
                problems.append(f"调休上班日 {d} 不在允许范围内：{_scope_text(year)}。")
            if d.weekday() < 5:
                problems.append(
                    f"调休上班日 {d} 是{_WEEKDAY_NAMES[d.weekday()]}，本来就是工作日。"
                    "调休上班日只能是星期六或星期日，请核对通知中的日期。"
                )
            if d in seen:
                problems.append(f"调休上班日 {d} 重复填写，请删去一个。")
            seen.add(d)
        if problems:
            raise ValueError("".join(problems))
        return days

    @model_validator(mode="after")
    def _holiday_or_workday_not_both(self) -> Self:
        holidays = {d: p.name for p in self.holidays for d in p.dates()}
        both = [d for d in self.makeup_workdays if d in holidays]
        if both:
            raise ValueError("".join(
                f"{d} 既在「{holidays[d]}」放假日期中，又是调休上班日。一天只能是放假或上班之一，请核对通知。"
                for d in both
            ))
        return self

    def holiday_dates(self) -> frozenset[date]:
        return frozenset(d for period in self.holidays for d in period.dates())

    def source(self) -> str:
        """How to cite the notice: its title, and its number when it has one."""
        return f"{self.notice_title}（{self.notice_number}）" if self.notice_number else self.notice_title


def _package_is_workday(d: date) -> bool:
    # chinese_calendar.is_workday's own rule on the package's two tables, without its
    # argument checks and range test on every call (the caller checked the year): counting
    # a year's working days asks about all its 365 days.
    return d in chinese_calendar.workdays or (d.weekday() < 5 and d not in chinese_calendar.holidays)


@dataclass(frozen=True)
class WorkingCalendar:
    """Answers "is this a working day" and counts working days. Build with :func:`build_calendar`.

    ``explicit_workdays`` / ``explicit_restdays`` are the days the override files list
    (after the newer notice won for late-December days); ``override_years`` are the years
    an override file governs entirely.
    """

    overrides: tuple[CalendarYear, ...]
    override_years: frozenset[int]
    explicit_workdays: frozenset[date]
    explicit_restdays: frozenset[date]
    package_years: tuple[int, int] = (_PACKAGE_FIRST_YEAR, _PACKAGE_LAST_YEAR)
    package_source: str = PACKAGE_SOURCE
    # A per-date memo: the fields above never change, so neither do the answers. Excluded
    # from eq/hash/repr; the dataclass itself stays frozen (no field can be reassigned).
    _memo: dict[date, bool] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    # year -> running count of working days: ``[0, w(Jan 1), w(Jan 1) + w(Jan 2), ...]``, so
    # counting the working days of a span inside a known year is one subtraction.
    _prefix: dict[int, list[int]] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def is_known_year(self, year: int) -> bool:
        first, last = self.package_years
        return year in self.override_years or first <= year <= last

    def known_years(self) -> tuple[int, ...]:
        first, last = self.package_years
        return tuple(sorted(self.override_years | set(range(first, last + 1))))

    def source(self, year: int) -> str:
        """Where the schedule of ``year`` comes from, for the compliance view's footnotes."""
        own = next((o for o in self.overrides if o.year == year), None)
        if own is not None:
            base = own.source()
        elif self.package_years[0] <= year <= self.package_years[1]:
            base = self.package_source
        else:
            raise UnknownYearError(year)
        # A later notice that moved December days of this year is part of the answer too.
        following = next((o for o in self.overrides if o.year == year + 1), None)
        if following is not None and any(
            d.year == year for d in following.holiday_dates() | frozenset(following.makeup_workdays)
        ):
            base += f"；12 月部分日期依据 {following.source()}"
        return base

    def is_working_day(self, d: date) -> bool:
        cached = self._memo.get(d)
        if cached is not None:
            return cached
        if d in self.explicit_workdays:
            answer = True
        elif d in self.explicit_restdays:
            answer = False
        elif d.year in self.override_years:
            answer = d.weekday() < 5
        elif self.package_years[0] <= d.year <= self.package_years[1]:
            answer = _package_is_workday(d)
        else:
            # Never memoised: an unknown year must fail every time it is asked about.
            raise UnknownYearError(d.year)
        self._memo[d] = answer
        return answer

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day strictly after ``start``; ``start`` itself never counts.

        ``n == 0`` gives ``start`` back (zero working days later), which keeps
        ``add(add(d, a), b) == add(d, a + b)``. Raises :class:`UnknownYearError` as soon as
        a day it has to look at lies in an unknown year.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        d = start
        remaining = n
        while remaining:
            d = _next_day(d)
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_after(self, start: date, end: date) -> int:
        """How many working days ``d`` satisfy ``start < d <= end`` (0 when ``end <= start``).

        Used for "late by N working days": published on ``end`` after a deadline ``start``.
        Answers exactly as walking the days one by one would (the compliance view asks this
        millions of times): within a known year from its running count, O(1); a span
        crossing an unknown year is walked there, so it raises :class:`UnknownYearError`
        for the same first day the walk would (late-December days a newer notice lists
        stay answerable even in a year no schedule covers).
        """
        if end <= start:
            return 0
        first = start + _ONE_DAY          # start < end <= date.max: no overflow
        count = 0
        for year in range(first.year, end.year + 1):
            a = first if year == first.year else date(year, 1, 1)
            b = end if year == end.year else date(year, 12, 31)
            if self.is_known_year(year):
                running = self._running_count(year)
                base = date(year, 1, 1).toordinal()
                count += running[b.toordinal() - base + 1] - running[a.toordinal() - base]
            else:
                d = a
                while True:
                    if self.is_working_day(d):   # raises at the first day nothing answers
                        count += 1
                    if d == b:
                        break
                    d += _ONE_DAY
        return count

    def _running_count(self, year: int) -> list[int]:
        running = self._prefix.get(year)
        if running is None:
            running = [0]
            d = date(year, 1, 1)
            while d.year == year:
                running.append(running[-1] + self.is_working_day(d))
                if d == date.max:
                    break
                d += _ONE_DAY
            self._prefix[year] = running
        return running


def _next_day(d: date) -> date:
    try:
        return d + _ONE_DAY
    except OverflowError:
        # Past 9999-12-31 there is no schedule either; say so in the usual way.
        raise UnknownYearError(d.year + 1) from None


def build_calendar(overrides: Iterable[CalendarYear] = ()) -> WorkingCalendar:
    """A calendar of the package data plus the override files (at most one per year)."""
    ordered = tuple(sorted(overrides, key=lambda o: o.year))
    years = [o.year for o in ordered]
    duplicates = sorted({y for y in years if years.count(y) > 1})
    if duplicates:
        raise ValueError(f"{'、'.join(map(str, duplicates))} 年的节假日安排重复提供；每年只能有一个 calendar/<年份>.yaml。")

    # Oldest notice first, so a newer notice's late-December days overwrite an older one's.
    explicit: dict[date, bool] = {}
    for o in ordered:
        for d in o.holiday_dates():
            explicit[d] = False
        for d in o.makeup_workdays:
            explicit[d] = True
    return WorkingCalendar(
        overrides=ordered,
        override_years=frozenset(years),
        explicit_workdays=frozenset(d for d, work in explicit.items() if work),
        explicit_restdays=frozenset(d for d, work in explicit.items() if not work),
    )

"""Tests of the working-day calendar: the 7-working-day window of SZ 五(二)."""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import chinese_calendar
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from generator.calendar import (
    PACKAGE_SOURCE,
    CalendarYear,
    UnknownYearError,
    WorkingCalendar,
    build_calendar,
)

CAL = build_calendar()

# A made-up 2027 schedule for tests only (not the real notice): New Year's Day off on
# Friday–Sunday, and the notice moves Sunday 2026-12-27 to a working day.
FICTIONAL_2027_YAML = """\
year: 2027
notice_title: 国务院办公厅关于2027年部分节假日安排的通知（测试用虚构数据）
notice_number: 国办发明电〔2026〕99号
holidays:
  - {name: 元旦, start: 2027-01-01, end: 2027-01-03}
  - {name: 春节, start: 2027-02-06, end: 2027-02-13}
  - {name: 清明节, start: 2027-04-05}
makeup_workdays:
  - 2027-02-14
  - 2026-12-27
"""


def fictional_2027(**changes: object) -> CalendarYear:
    data = yaml.safe_load(FICTIONAL_2027_YAML)
    data.update(changes)
    return CalendarYear.model_validate(data)


# --- pinned examples -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "deadline"),
    [
        (date(2025, 4, 25), date(2025, 5, 8)),  # across the Labour Day holiday, make-up Sunday 04-27
        (date(2024, 2, 4), date(2024, 2, 19)),  # start is itself a make-up Sunday: not counted
        (date(2025, 12, 26), date(2026, 1, 7)),  # across the year, make-up Sunday 2026-01-04
    ],
)
def test_pinned_deadlines(decided: date, deadline: date) -> None:
    assert CAL.add_working_days(decided, 7) == deadline


# --- make-up days, holidays, weekends, year boundaries ---------------------------------


def test_real_makeup_days_come_from_the_package() -> None:
    # Looked up in the package rather than written from memory.
    for d in (date(2023, 4, 23), date(2024, 9, 14), date(2024, 2, 4), date(2026, 1, 4)):
        assert d.weekday() >= 5
        assert d in chinese_calendar.workdays
        assert CAL.is_working_day(d)


def test_makeup_sunday_counts_inside_a_window() -> None:
    # 2023-04-23 (Sunday) is a make-up day before Labour Day 04-29..05-03.
    # Fri 04-21 -> Sun 23 (1), Mon 24 (2), 25 (3), 26 (4), 27 (5), 28 (6), [29..05-03 off], Thu 05-04 (7)
    assert CAL.add_working_days(date(2023, 4, 21), 1) == date(2023, 4, 23)
    assert CAL.add_working_days(date(2023, 4, 21), 7) == date(2023, 5, 4)


def test_makeup_saturday_counts_inside_a_window() -> None:
    # 2024-09-14 (Saturday) is a make-up day before Mid-Autumn 09-15..17.
    assert CAL.add_working_days(date(2024, 9, 13), 1) == date(2024, 9, 14)
    # Sat 14 (1), [15..17 off], Wed 18 (2), 19 (3), 20 (4), 23 (5), 24 (6), 25 (7)
    assert CAL.add_working_days(date(2024, 9, 13), 7) == date(2024, 9, 25)


def test_start_on_a_holiday_is_not_counted() -> None:
    # National Day 2024: 10-01..10-07 off, Saturday 10-12 a make-up day.
    # 8 (1), 9 (2), 10 (3), 11 (4), Sat 12 (5), 14 (6), 15 (7)
    assert CAL.add_working_days(date(2024, 10, 1), 7) == date(2024, 10, 15)
    # The package's find_workday counts one day too many here, which is why we avoid it.
    assert chinese_calendar.find_workday(7, date(2024, 10, 1)) == date(2024, 10, 16)


def test_start_on_a_weekend_is_not_counted() -> None:
    # Saturday 2025-03-08 (an ordinary weekend): Mon 10 is day 1, day 7 is Tue 18.
    assert CAL.add_working_days(date(2025, 3, 8), 1) == date(2025, 3, 10)
    assert CAL.add_working_days(date(2025, 3, 8), 7) == date(2025, 3, 18)
    assert CAL.add_working_days(date(2025, 3, 9), 7) == date(2025, 3, 18)


def test_window_across_a_year_boundary() -> None:
    # 2023-12-29 (Fri): 2024-01-01 is New Year's Day; Tue 01-02 is day 1.
    assert CAL.add_working_days(date(2023, 12, 29), 1) == date(2024, 1, 2)
    assert CAL.add_working_days(date(2023, 12, 29), 7) == date(2024, 1, 10)
    assert CAL.working_days_after(date(2023, 12, 29), date(2024, 1, 10)) == 7


def test_zero_working_days_is_the_start_itself() -> None:
    assert CAL.add_working_days(date(2024, 10, 1), 0) == date(2024, 10, 1)


def test_negative_n_is_rejected() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2025, 1, 1), -1)


def test_working_days_after() -> None:
    assert CAL.working_days_after(date(2025, 4, 25), date(2025, 5, 8)) == 7
    assert CAL.working_days_after(date(2025, 5, 8), date(2025, 5, 8)) == 0
    assert CAL.working_days_after(date(2025, 5, 8), date(2025, 4, 25)) == 0
    # A holiday stretch adds nothing: late by 0 working days.
    assert CAL.working_days_after(date(2024, 10, 1), date(2024, 10, 7)) == 0


# --- known years, unknown years, sources ---------------------------------------------


def test_package_range_is_read_from_the_package() -> None:
    years = CAL.known_years()
    assert years[0] == min(chinese_calendar.holidays).year == 2004
    assert years[-1] == max(chinese_calendar.holidays).year == 2026
    assert years == tuple(range(2004, 2027))
    assert CAL.source(2025) == PACKAGE_SOURCE == f"chinesecalendar {chinese_calendar.__version__}"


def test_every_day_of_the_package_years_is_the_packages_answer() -> None:
    """The calendar reads the package's tables itself (faster than asking per day): on every
    day the package covers, without overrides, it answers as chinese_calendar.is_workday."""
    cal = build_calendar()
    d, last = date(2004, 1, 1), date(2026, 12, 31)
    while d <= last:
        assert cal.is_working_day(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_unknown_year_is_an_error_naming_the_year() -> None:
    with pytest.raises(UnknownYearError) as info:
        CAL.add_working_days(date(2026, 12, 28), 7)
    assert info.value.year == 2027
    assert "2027" in str(info.value)
    assert "calendar/2027.yaml" in str(info.value)
    with pytest.raises(UnknownYearError):
        CAL.is_working_day(date(2003, 6, 2))
    with pytest.raises(UnknownYearError):
        CAL.working_days_after(date(2026, 12, 20), date(2027, 1, 5))
    with pytest.raises(UnknownYearError):
        CAL.source(2031)


def test_unknown_year_fails_every_time() -> None:
    # The memo must never remember a guess for an unknown day.
    cal = build_calendar()
    for _ in range(2):
        with pytest.raises(UnknownYearError):
            cal.is_working_day(date(2027, 1, 4))


def test_start_day_is_never_looked_at() -> None:
    # 2003 is unknown, but only 2004 days are needed to answer.
    expected = next(d for d in chinese_calendar.get_dates(date(2004, 1, 1), date(2004, 1, 31)) if chinese_calendar.is_workday(d))
    assert CAL.add_working_days(date(2003, 12, 31), 1) == expected


def test_unknown_year_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(UnknownYearError(2031)))
    assert error.year == 2031 and "2031" in str(error)


# --- override files ---------------------------------------------------------------------


def test_override_makes_its_year_known() -> None:
    cal = build_calendar([fictional_2027()])
    assert 2027 in cal.known_years()
    # Mon 12-28 (deadline window): 29 (1), 30 (2), 31 (3), [01-01..03 off], 4 (4), 5 (5), 6 (6), 7 (7)
    assert cal.add_working_days(date(2026, 12, 28), 7) == date(2027, 1, 7)
    assert not cal.is_working_day(date(2027, 2, 8))  # a Monday inside 春节
    assert cal.is_working_day(date(2027, 2, 14))  # make-up Sunday
    assert not cal.is_working_day(date(2027, 2, 20))  # an ordinary Saturday
    assert cal.is_working_day(date(2027, 3, 3))  # an ordinary Wednesday
    assert "测试用虚构数据" in cal.source(2027) and "国办发明电〔2026〕99号" in cal.source(2027)
    with pytest.raises(UnknownYearError) as info:
        cal.is_working_day(date(2028, 1, 3))
    assert info.value.year == 2028


def test_override_moves_a_late_december_day_of_the_year_before() -> None:
    # Without the 2027 notice: Fri 12-18 -> 21, 22, 23, 24, 25, 28, 29.
    assert CAL.add_working_days(date(2026, 12, 18), 7) == date(2026, 12, 29)
    cal = build_calendar([fictional_2027()])
    assert cal.is_working_day(date(2026, 12, 27))
    # With Sunday 12-27 a make-up day: 21, 22, 23, 24, 25, 27, 28.
    assert cal.add_working_days(date(2026, 12, 18), 7) == date(2026, 12, 28)
    # 2026 is still the package's year, and its source says which notice moved a day.
    assert cal.source(2026).startswith(PACKAGE_SOURCE)
    assert "2027" in cal.source(2026)


def test_override_replaces_the_package_for_its_whole_year() -> None:
    # A file for a year the package knows is the whole schedule of that year.
    plain_2025 = CalendarYear(year=2025, notice_title="测试：2025 年不放假")
    cal = build_calendar([plain_2025])
    assert cal.is_working_day(date(2025, 5, 5))  # Labour Day in the package, a Monday
    assert not cal.is_working_day(date(2025, 4, 27))  # a make-up Sunday in the package
    assert cal.source(2025) == "测试：2025 年不放假"


def test_newer_notice_wins_for_late_december() -> None:
    year_2026 = CalendarYear(
        year=2026,
        notice_title="测试 2026",
        holidays=[{"name": "测试", "start": date(2026, 12, 31)}],
    )
    year_2027 = CalendarYear(year=2027, notice_title="测试 2027", makeup_workdays=[date(2026, 12, 27)])
    assert not build_calendar([year_2026]).is_working_day(date(2026, 12, 31))
    cal = build_calendar([year_2027, year_2026])  # order of the files does not matter
    assert cal.is_working_day(date(2026, 12, 27))
    assert not cal.is_working_day(date(2026, 12, 31))
    assert cal.overrides == tuple(sorted(cal.overrides, key=lambda o: o.year))


def test_two_files_for_one_year_are_rejected() -> None:
    with pytest.raises(ValueError, match="2027"):
        build_calendar([fictional_2027(), fictional_2027()])


def test_calendar_is_frozen_and_hashable() -> None:
    cal = build_calendar([fictional_2027()])
    with pytest.raises(AttributeError):
        cal.override_years = frozenset()  # type: ignore[misc]
    assert hash(cal) == hash(build_calendar([fictional_2027()]))
    assert cal == build_calendar([fictional_2027()])
    assert isinstance(cal, WorkingCalendar)


# --- CalendarYear validators -------------------------------------------------------------


def test_yaml_shape_of_the_docstring_loads() -> None:
    year = fictional_2027()
    assert year.holidays[0].name == "元旦"
    assert year.holidays[2].end is None and year.holidays[2].dates() == (date(2027, 4, 5),)
    assert len(year.holidays[1].dates()) == 8
    assert year.makeup_workdays == (date(2027, 2, 14), date(2026, 12, 27))


def test_makeup_day_on_a_wednesday_is_rejected() -> None:
    with pytest.raises(ValidationError) as info:
        fictional_2027(makeup_workdays=[date(2027, 3, 3)])
    message = str(info.value)
    assert "星期三" in message and "星期六或星期日" in message
    assert info.value.errors()[0]["loc"] == ("makeup_workdays",)


def test_same_date_holiday_and_makeup_is_rejected() -> None:
    with pytest.raises(ValidationError, match="既在「春节」放假日期中，又是调休上班日"):
        fictional_2027(makeup_workdays=[date(2027, 2, 6)])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("makeup_workdays", [date(2026, 11, 28)]),  # a Saturday, but November of the year before
        ("makeup_workdays", [date(2028, 1, 1)]),  # a Saturday of the next year
        ("holidays", [{"name": "国庆节", "start": date(2026, 10, 1)}]),
    ],
)
def test_dates_outside_the_year_and_previous_december_are_rejected(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match="2026 年 12 月"):
        fictional_2027(**{field: value})


def test_overlapping_holidays_and_reversed_periods_are_rejected() -> None:
    with pytest.raises(ValidationError, match="同时出现"):
        fictional_2027(holidays=[{"name": "甲", "start": date(2027, 5, 1), "end": date(2027, 5, 3)},
                                 {"name": "乙", "start": date(2027, 5, 3)}])
    with pytest.raises(ValidationError, match="早于开始日期"):
        fictional_2027(holidays=[{"name": "甲", "start": date(2027, 5, 3), "end": date(2027, 5, 1)}])


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        fictional_2027(makeup_days=[date(2027, 2, 14)])
    with pytest.raises(ValidationError):
        fictional_2027(holidays=[{"name": "元旦", "from": date(2027, 1, 1)}])


def test_schema_is_documented_in_chinese() -> None:
    properties = CalendarYear.model_json_schema()["properties"]
    for name in ("year", "notice_title", "notice_number", "holidays", "makeup_workdays"):
        assert properties[name]["title"] and properties[name]["description"]


# --- properties ---------------------------------------------------------------------------

# Starts and window sizes chosen so that every result stays inside the package's years.
starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30))
small = st.integers(min_value=0, max_value=20)


@settings(max_examples=300)
@given(start=starts, n=st.integers(min_value=1, max_value=40))
def test_result_is_a_working_day_strictly_after_start(start: date, n: int) -> None:
    result = CAL.add_working_days(start, n)
    assert result > start
    assert CAL.is_working_day(result)
    assert CAL.working_days_after(start, result) == n
    # ...and it is the first such day: one day earlier holds only n - 1.
    assert CAL.working_days_after(start, result - timedelta(days=1)) == n - 1


@settings(max_examples=300)
@given(start=starts, end_offset=st.integers(min_value=-10, max_value=60))
def test_count_agrees_with_the_package(start: date, end_offset: int) -> None:
    # An independent oracle: the package's own list of working days in [start+1, end].
    end = start + timedelta(days=end_offset)
    expected = len(chinese_calendar.get_workdays(start + timedelta(days=1), end)) if end > start else 0
    assert CAL.working_days_after(start, end) == expected


@settings(max_examples=300)
@given(a=starts, gap=st.integers(min_value=0, max_value=30), n=st.integers(min_value=0, max_value=40))
def test_monotone_in_start(a: date, gap: int, n: int) -> None:
    b = a + timedelta(days=gap)
    assert CAL.add_working_days(a, n) <= CAL.add_working_days(b, n)


@settings(max_examples=300)
@given(start=starts, a=small, b=small)
def test_additive(start: date, a: int, b: int) -> None:
    assert CAL.add_working_days(start, a + b) == CAL.add_working_days(CAL.add_working_days(start, a), b)


# --- the running count equals the walk, day by day --------------------------------------------


def _walked(cal: WorkingCalendar, start: date, end: date) -> int | UnknownYearError:
    """The definition, one day at a time: the first unanswerable day raises."""
    count, d = 0, start
    try:
        while d < end:
            d += timedelta(days=1)
            count += cal.is_working_day(d)
    except UnknownYearError as exc:
        return exc
    return count


# Overrides: 2027 (moves Sunday 2026-12-27), and a lone 2031 whose notice moves two days of
# December 2030 — a year nobody has a schedule for, so only those two days are answerable.
FAR_2031 = CalendarYear.model_validate({
    "year": 2031, "notice_title": "国务院办公厅关于2031年部分节假日安排的通知（测试用虚构数据）",
    "holidays": [{"name": "元旦", "start": "2030-12-31", "end": "2031-01-02"}],
    "makeup_workdays": ["2030-12-29"],
})
CALENDARS = [CAL, build_calendar([fictional_2027()]), build_calendar([fictional_2027(), FAR_2031])]
spans = st.dates(min_value=date(2024, 12, 1), max_value=date(2031, 2, 1))


@settings(max_examples=500, deadline=None)
@given(which=st.sampled_from(range(len(CALENDARS))), start=spans, length=st.integers(min_value=-40, max_value=900))
def test_running_count_equals_the_day_by_day_walk(which: int, start: date, length: int) -> None:
    cal = CALENDARS[which]
    end = start + timedelta(days=length)
    expected = _walked(cal, start, end)
    if isinstance(expected, UnknownYearError):
        with pytest.raises(UnknownYearError) as raised:
            cal.working_days_after(start, end)
        assert raised.value.year == expected.year
    else:
        assert cal.working_days_after(start, end) == expected


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2030, 12, 20), max_value=date(2031, 1, 10)),
       end=st.dates(min_value=date(2030, 12, 20), max_value=date(2031, 1, 10)))
def test_listed_december_days_of_an_unknown_year_count_and_the_rest_fail(start: date, end: date) -> None:
    cal = CALENDARS[2]
    expected = _walked(cal, start, end)
    if isinstance(expected, UnknownYearError):
        with pytest.raises(UnknownYearError, match="2030"):
            cal.working_days_after(start, end)
    else:
        assert cal.working_days_after(start, end) == expected


def test_counting_at_the_end_of_time_does_not_overflow() -> None:
    with pytest.raises(UnknownYearError) as raised:
        CAL.working_days_after(date(9999, 12, 1), date.max)
    assert raised.value.year == 9999

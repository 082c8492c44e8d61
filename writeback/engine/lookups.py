"""The synced facts a write-back reads: calendar days, school years, bell schedules and attendance code ids.

Every event of a student's day, and every student of one school in a drain batch, asks for the same ones, so each
is read once per batch. A `Lookups` lives for one batch only: a worker that runs for hours must see what the next
sync brings.
"""

from sis_sync.models import AttendanceCode, BellScheduleItem, CalendarDay, Term

JULY = 7
YEAR_ID_OFFSET = 1990


class Lookups:
    def __init__(self):
        self._answers = {}

    def _once(self, key, read):
        if key not in self._answers:
            self._answers[key] = read()
        return self._answers[key]

    def calendar_day(self, school, att_date):
        return self._once(("calendar_day", school.pk, att_date), lambda: calendar_day(school, att_date))

    def year_id(self, school, att_date):
        return self._once(("year_id", school.pk, att_date), lambda: year_id_for(school, att_date))

    def in_session(self, school, att_date):
        """Whether the school is in session on the date by its synced calendar. A date without a calendar day is
        a day off when the calendar has days before and after it (PowerSchool may list only weekdays); outside
        the synced calendar RaptorLink cannot tell, and leaves the answer to PowerSchool."""
        day = self.calendar_day(school, att_date)
        if day is not None:
            return day.in_session
        return self._once(("outside_calendar", school.pk, att_date), lambda: outside_calendar(school, att_date))

    def bell_items(self, school, att_date):
        """The day's periods in clock order, or [] when the day has no bell schedule."""
        day = self.calendar_day(school, att_date)
        if day is None or day.bell_schedule_id is None:
            return []
        return self._once(("bell_items", day.bell_schedule_id), lambda: bell_items(day.bell_schedule_id))

    def code_id(self, school, year_id, code_text):
        return self._once(("code_id", school.pk, year_id, code_text), lambda: code_id(school, year_id, code_text))

    def codes_reimported(self):
        """Forget the code ids read so far, the missing ones above all."""
        self._answers = {key: answer for key, answer in self._answers.items() if key[0] != "code_id"}


def calendar_day(school, att_date):
    return (
        CalendarDay.objects.filter(school=school, date=att_date, active=True)
        .select_related("bell_schedule", "cycle_day")
        .first()
    )


def year_id_for(school, att_date):
    """TERMS.YEARID of the full-year term containing the date; from the date itself when no term is synced."""
    term = (
        Term.objects.filter(school=school, is_year=True, active=True, first_day__lte=att_date, last_day__gte=att_date)
        .values_list("year_id", flat=True)
        .first()
    )
    if term is not None:
        return term
    start_year = att_date.year if att_date.month >= JULY else att_date.year - 1
    return start_year - YEAR_ID_OFFSET


def outside_calendar(school, att_date):
    """Whether the synced calendar lacks days before or after the date."""
    days = CalendarDay.objects.filter(school=school, active=True)
    return not (days.filter(date__lt=att_date).exists() and days.filter(date__gt=att_date).exists())


def bell_items(bell_schedule_id):
    items = BellScheduleItem.objects.filter(bell_schedule_id=bell_schedule_id, active=True).select_related("period")
    return list(items.order_by("start_seconds"))


def code_id(school, year_id, code_text):
    return (
        AttendanceCode.objects.filter(school=school, year_id=year_id, code=code_text, active=True)
        .values_list("ps_id", flat=True)
        .first()
    )

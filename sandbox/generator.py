"""Generates a whole PowerSchool district into a sandbox store, reproducibly from a seed.

Everything random comes from one `random.Random(seed)`, drawn in a fixed order, so the same seed, size and
`today` give identical rows. Rows are produced by generators and written with `executemany` in batches inside
one transaction, which keeps memory flat and 50,000 students well under a minute.

Keys are deliberately tangled the way real districts are: every table's DCID differs from its ID (DCIDs start
elsewhere and skip now and then, as deleted rows leave holes), school numbers differ from school DCIDs, and
student numbers differ from both student keys.

Field access is stored lower-case (`sandbox_field_access.table_name` / `field_name`), like every table and
column name in the store; plugin.xml parsing folds names to lower case.
"""

import datetime
import math
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass, field
from random import Random

from sandbox import names, schema

ONE_DAY = datetime.timedelta(days=1)
DEFAULT_TOKEN_LIFETIME_S = 2592000
PLUGIN_NAME = "RaptorLink"

DAILY, MEETING, TIME = "ATT_ModeDaily", "ATT_ModeMeeting", "ATT_ModeTime"

# (code, description, presence status): the same texts every year, with new ids each year.
ATTENDANCE_CODES = (
    ("", "Present", "Present"),
    ("A", "Absent Unexcused", "Absent"),
    ("AE", "Absent Excused", "Absent"),
    ("T", "Tardy", "Present"),
    ("TE", "Tardy Excused", "Present"),
    ("ED", "Early Dismissal", "Present"),
    ("EDE", "Early Dismissal Excused", "Present"),
    ("M", "Medical Appointment", "Absent"),
    ("FT", "Field Trip", "Present"),
    ("S", "Suspended", "Absent"),
)

RELATIONSHIPS = (
    "Mother",
    "Father",
    "Guardian",
    "Grandmother",
    "Grandfather",
    "Grandparent",
    "Aunt",
    "Uncle",
    "Stepmother",
    "Stepfather",
    "Emergency Contact",
    "Other",
)
PHONE_TYPES = ("Mobile", "Home", "Work")
EMAIL_TYPES = ("Home", "Work")

# (codetype, code) -> codesetid is fixed by this order, so mutations can look codes up by text.
CODESETS = (
    [("Relationship", code) for code in RELATIONSHIPS]
    + [("Phone", code) for code in PHONE_TYPES]
    + [("Email", code) for code in EMAIL_TYPES]
)

ETHNICITIES = (("W", 45), ("H", 22), ("B", 15), ("A", 10), ("M", 5), ("I", 2), ("P", 1))


@dataclass(frozen=True)
class Level:
    name: str
    low: int
    high: int
    students_per_school: int
    first_number: int
    suffix: str
    abbreviation: str
    periods: tuple  # (number, name, abbreviation)
    first_bell: int  # seconds since midnight
    sections_per_teacher: int


SEVEN_PERIODS = tuple((n, f"Period {n}", str(n)) for n in range(1, 8))

LEVELS = (
    Level(
        "elementary",
        0,
        5,
        500,
        1001,
        "Elementary School",
        "ES",
        ((1, "Morning", "AM"), (2, "Afternoon", "PM")),
        8 * 3600 + 30 * 60,
        2,
    ),
    Level("middle", 6, 8, 800, 2001, "Middle School", "MS", SEVEN_PERIODS, 8 * 3600, 5),
    Level("high", 9, 12, 1200, 3001, "High School", "HS", SEVEN_PERIODS, 7 * 3600 + 30 * 60, 5),
)
GRADES = range(0, 13)


def _grade_name(grade):
    return "Kindergarten" if grade == 0 else f"Grade {grade}"


HIGH_MATH = {9: "Algebra I", 10: "Geometry", 11: "Algebra II", 12: "Precalculus"}
HIGH_SCIENCE = {9: "Biology", 10: "Chemistry", 11: "Physics", 12: "Environmental Science"}
HIGH_HISTORY = {9: "World History", 10: "US History", 11: "Government and Civics", 12: "Economics"}


def _course_catalogue():
    courses = {}
    for grade in range(0, 6):
        courses[f"HR{grade:02d}"] = f"{_grade_name(grade)} Homeroom"
    for grade in range(3, 6):
        courses[f"STEM{grade:02d}"] = f"Grade {grade} Math and Science"
    for grade in range(6, 9):
        courses[f"ENG{grade:02d}"] = f"English {grade}"
        courses[f"MAT{grade:02d}"] = f"Math {grade}"
        courses[f"SCI{grade:02d}"] = f"Science {grade}"
        courses[f"SOC{grade:02d}"] = f"Social Studies {grade}"
    for grade in range(9, 13):
        courses[f"ENG{grade:02d}"] = f"English {grade}"
        courses[f"MAT{grade:02d}"] = HIGH_MATH[grade]
        courses[f"SCI{grade:02d}"] = HIGH_SCIENCE[grade]
        courses[f"LAB{grade:02d}"] = f"{HIGH_SCIENCE[grade]} Lab"
        courses[f"SOC{grade:02d}"] = HIGH_HISTORY[grade]
    courses.update(
        {
            "MSSPAN": "Exploring Spanish",
            "MSBAND": "Middle School Band",
            "MSART": "Art",
            "MSMUS": "General Music",
            "MSTECH": "Technology",
            "MSHLTH": "Health",
            "MSCHOR": "Chorus",
            "MSPE": "Physical Education",
            "MSLIB": "Library Skills",
            "HSSPAN": "Spanish I",
            "HSFREN": "French I",
            "HSCSCI": "Computer Science",
            "HSART": "Studio Art",
            "HSPHOT": "Photography",
            "HSBAND": "Concert Band",
            "HSPE": "Physical Education",
            "HSHLTH": "Health",
        }
    )
    return courses


COURSES = _course_catalogue()


def _bands(level, grade):
    """A student's day as bands of periods; a student takes one option per band.

    Each option is a list of (course number, expression, term) offerings. Alternating-day sections (`7(A)` with
    `7(B)`), lab blocks (`3-4(B)`) and semester pairs make the schedules as irregular as real ones.
    """
    g = f"{grade:02d}"
    if level == "elementary":
        if grade <= 2:
            return [[[(f"HR{g}", "1-2(A-B)", "year")]]]
        return [[[(f"HR{g}", "1(A-B)", "year")]], [[(f"STEM{g}", "2(A-B)", "year")]]]
    if level == "middle":
        return [
            [[(f"ENG{g}", "1(A-B)", "year")]],
            [[(f"MAT{g}", "2(A-B)", "year")]],
            [[(f"SCI{g}", "3(A-B)", "year")]],
            [[(f"SOC{g}", "4(A-B)", "year")]],
            [
                [("MSSPAN", "5(A-B)", "year")],
                [("MSBAND", "5(A-B)", "year")],
                [("MSART", "5(A)", "year"), ("MSMUS", "5(B)", "year")],
            ],
            [[("MSTECH", "6(A-B)", "S1"), ("MSHLTH", "6(A-B)", "S2")], [("MSCHOR", "6(A-B)", "year")]],
            [[("MSPE", "7(A-B)", "year")], [("MSPE", "7(A)", "year"), ("MSLIB", "7(B)", "year")]],
        ]
    return [
        [[(f"ENG{g}", "1(A-B)", "year")]],
        [[(f"MAT{g}", "2(A-B)", "year")]],
        [
            [(f"SCI{g}", "3(A-B)", "year"), (f"SOC{g}", "4(A-B)", "year")],
            [(f"SCI{g}", "3(A)", "year"), (f"LAB{g}", "3-4(B)", "year"), (f"SOC{g}", "4(A)", "year")],
        ],
        [[("HSSPAN", "5(A-B)", "year")], [("HSFREN", "5(A-B)", "year")]],
        [
            [("HSCSCI", "6(A-B)", "year")],
            [("HSART", "6(A-B)", "S1"), ("HSPHOT", "6(A-B)", "S2")],
            [("HSBAND", "6(A-B)", "year")],
        ],
        [[("HSPE", "7(A-B)", "year")], [("HSPE", "7(A)", "year"), ("HSHLTH", "7(B)", "year")]],
    ]


def expand_expression(expression):
    """`2-3(B) 5(A-B)` -> [(2, "B"), (3, "B"), (5, "A"), (5, "B")]: the section_meeting rows of an expression."""
    meetings = []
    for part in expression.split():
        periods, _, days = part.rstrip(")").partition("(")
        first_period, _, last_period = periods.partition("-")
        first_day, _, last_day = days.partition("-")
        for period in range(int(first_period), int(last_period or first_period) + 1):
            for letter in range(ord(first_day), ord(last_day or first_day) + 1):
                meetings.append((period, chr(letter)))
    return meetings


# --- calendar ---------------------------------------------------------------------------------------------------


def _weekday_on_or_after(day, weekday):
    return day + datetime.timedelta(days=(weekday - day.weekday()) % 7)


def _weekday_on_or_before(day, weekday):
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


def _nth_weekday(year, month, weekday, n):
    return _weekday_on_or_after(datetime.date(year, month, 1), weekday) + datetime.timedelta(weeks=n - 1)


MONDAY, WEDNESDAY, THURSDAY, FRIDAY = 0, 2, 3, 4


@dataclass(frozen=True)
class SchoolYear:
    """A US school year, late August to mid June."""

    start: int

    @property
    def yearid(self):
        return self.start - 1990

    @property
    def first_day(self):
        return _weekday_on_or_after(datetime.date(self.start, 8, 25), MONDAY)

    @property
    def last_day(self):
        return _weekday_on_or_before(datetime.date(self.start + 1, 6, 18), FRIDAY)

    def terms(self):
        """(id offset, name, abbreviation, first day, last day, isyearrec, portion) per term."""
        s1_end = _weekday_on_or_before(datetime.date(self.start + 1, 1, 16), FRIDAY)
        q1_end = _weekday_on_or_before(datetime.date(self.start, 10, 31), FRIDAY)
        q3_end = _weekday_on_or_before(datetime.date(self.start + 1, 3, 27), FRIDAY)
        monday_after = datetime.timedelta(days=3)
        return [
            (
                0,
                f"{self.start}-{self.start + 1}",
                f"{self.start % 100:02d}-{(self.start + 1) % 100:02d}",
                self.first_day,
                self.last_day,
                1,
                1,
            ),
            (1, "Semester 1", "S1", self.first_day, s1_end, 0, 2),
            (2, "Semester 2", "S2", s1_end + monday_after, self.last_day, 0, 2),
            (3, "Quarter 1", "Q1", self.first_day, q1_end, 0, 4),
            (4, "Quarter 2", "Q2", q1_end + monday_after, s1_end, 0, 4),
            (5, "Quarter 3", "Q3", s1_end + monday_after, q3_end, 0, 4),
            (6, "Quarter 4", "Q4", q3_end + monday_after, self.last_day, 0, 4),
        ]

    def term_id(self, kind):
        return self.yearid * 100 + TERM_OFFSETS[kind]

    def term_dates(self, kind):
        offset = TERM_OFFSETS[kind]
        term = self.terms()[offset]
        return term[3], term[4]

    def holidays(self):
        start, end = self.start, self.start + 1
        thanksgiving = _nth_weekday(start, 11, THURSDAY, 4)
        spring_break = _nth_weekday(end, 4, MONDAY, 2)
        days = {
            _nth_weekday(start, 9, MONDAY, 1): "Labor Day",
            _nth_weekday(start, 10, MONDAY, 2): "Indigenous Peoples' Day",
            datetime.date(start, 11, 11): "Veterans Day",
            _nth_weekday(end, 1, MONDAY, 3): "Martin Luther King Jr. Day",
            _nth_weekday(end, 2, MONDAY, 3): "Presidents' Day",
            _weekday_on_or_before(datetime.date(end, 5, 31), MONDAY): "Memorial Day",
        }
        for offset in (-1, 0, 1):
            days[thanksgiving + datetime.timedelta(days=offset)] = "Thanksgiving Break"
        for offset in range(5):
            days[spring_break + datetime.timedelta(days=offset)] = "Spring Break"
        day = datetime.date(start, 12, 22)
        while day <= datetime.date(end, 1, 2):
            days[day] = "Winter Break"
            day += ONE_DAY
        return days

    def school_days(self):
        """(date, holiday note or None, early release?) for every weekday of the year."""
        holidays = self.holidays()
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() < 5:
                early = day == self.last_day or (day.weekday() == WEDNESDAY and day.day <= 7)
                yield day, holidays.get(day), early
            day += ONE_DAY


TERM_OFFSETS = {"year": 0, "S1": 1, "S2": 2, "Q1": 3, "Q2": 4, "Q3": 5, "Q4": 6}


def school_year_containing(day):
    """The school year a date belongs to; July already belongs to the year that starts in August."""
    return SchoolYear(day.year if day.month >= 7 else day.year - 1)


# --- keys and writing ---------------------------------------------------------------------------------------------


class KeySequence:
    """IDs count up by one; DCIDs start higher and sometimes skip, so the two never coincide."""

    def __init__(self, rng, first_id, first_dcid):
        self.rng = rng
        self.id = first_id - 1
        self.dcid = first_dcid - 1

    def next(self):
        self.id += 1
        self.dcid += 1
        if self.rng.random() < 0.02:
            self.dcid += self.rng.randint(1, 5)
        return self.dcid, self.id


KEY_STARTS = {  # table: (first ID, first DCID)
    "schools": (1, 3),
    "terms": (1, 11),
    "cycle_day": (1, 21),
    "bell_schedule": (1, 7),
    "period": (1, 41),
    "bell_schedule_items": (1, 201),
    "calendar_day": (1001, 126001),
    "courses": (1, 501),
    "users": (1, 1001),
    "schoolstaff": (1, 2001),
    "sections": (1, 5001),
    "section_meeting": (1, 20001),
    "students": (4001, 10001),
    "cc": (1, 300001),
    "codeset": (1, 3001),
    "person": (1, 50001),
    "studentcontactassoc": (1, 70001),
    "studentcontactdetail": (1, 90001),
    "emailaddress": (1, 110001),
    "personemailaddressassoc": (1, 130001),
    "phonenumber": (1, 150001),
    "personphonenumberassoc": (1, 170001),
    "attendance_code": (1, 601),
}


class BatchWriter:
    """Buffers rows per table and inserts them with executemany, so memory stays flat for any district size."""

    batch_size = 5000

    def __init__(self, conn):
        self.conn = conn
        self.pending = {}
        self.counts = Counter()

    def add(self, table, row):
        rows = self.pending.setdefault(table, [])
        rows.append(row)
        if len(rows) >= self.batch_size:
            self.flush(table)

    def flush(self, table):
        rows = self.pending.pop(table, [])
        if rows:
            columns = list(rows[0])
            placeholders = ", ".join(f":{column}" for column in columns)
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)
            self.counts[table] += len(rows)

    def close(self):
        for table in list(self.pending):
            self.flush(table)


# --- the district ---------------------------------------------------------------------------------------------------


@dataclass
class School:
    dcid: int
    id: int
    number: int
    name: str
    level: Level
    address: tuple  # street, city, zip
    teachers: list = field(default_factory=list)  # (schoolstaff.ID, display name)


@dataclass
class Contact:
    person_id: int
    name: str  # "Last, First" as the legacy student fields spell it
    relationship: str
    flags: dict
    phone: str
    email: str


def _ascii(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if c.isascii() and c.isalnum()).lower()


def _phone(rng, area_code):
    return f"{area_code}-555-{rng.randrange(10000):04d}"


def _uuid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class DistrictBuilder:
    def __init__(self, conn, rng, students, today, profile):
        self.rng = rng
        self.student_count = students
        self.today = today
        self.profile = profile
        self.writer = BatchWriter(conn)
        self.keys = {table: KeySequence(rng, *starts) for table, starts in KEY_STARTS.items()}
        this_year = school_year_containing(today)
        self.years = [SchoolYear(this_year.start - 1), this_year]
        self.area_code = rng.choice(("617", "413", "508", "774", "978"))
        self.city = names.CITIES[0]
        self.zip_base = rng.randrange(1000, 2700)
        self.schools = {}  # level name -> [School]
        self.sections = {}  # (school number, yearid, course, expression, term) -> [section row]
        self.modes = {}  # school number -> attendance mode
        self.codesets = {}  # (codetype, code) -> codesetid
        self.student_number = 210000

    def add(self, table, **row):
        self.writer.add(table, row)

    def next_keys(self, table):
        return self.keys[table].next()

    def address(self):
        street = (
            f"{self.rng.randint(1, 999)} {self.rng.choice(names.STREET_NAMES)} {self.rng.choice(names.STREET_SUFFIXES)}"
        )
        return street, self.city, f"0{self.zip_base + self.rng.randrange(5):04d}"

    # schools --------------------------------------------------------------------------------------------------
    def build_schools(self):
        name_pool = list(names.SCHOOL_NAMES)
        self.rng.shuffle(name_pool)
        shared_building = None
        for level in LEVELS:
            share = (level.high - level.low + 1) / len(GRADES)
            count = max(
                2 if level.name == "elementary" else 1, round(self.student_count * share / level.students_per_school)
            )
            self.schools[level.name] = []
            for index in range(count):
                base = name_pool[index % len(name_pool)]
                numeral = f" {index // len(name_pool) + 1}" if index >= len(name_pool) else ""
                address = self.address()
                # One building houses two PowerSchool schools: the first middle and high schools.
                if index == 0 and level.name == "middle":
                    shared_building = address
                if index == 0 and level.name == "high":
                    address = shared_building
                dcid, id_ = self.next_keys("schools")
                school = School(
                    dcid, id_, level.first_number + index, f"{base}{numeral} {level.suffix}", level, address
                )
                self.schools[level.name].append(school)
        for school in self.all_schools():
            self.modes[school.number] = DAILY if school.level.name == "elementary" else MEETING
        self.modes[self.schools["elementary"][1].number] = TIME

    def all_schools(self):
        return [school for level in LEVELS for school in self.schools[level.name]]

    def write_schools(self, principals):
        for school in self.all_schools():
            street, city, zip_code = school.address
            principal, assistant = principals[school.number]
            self.add(
                "schools",
                dcid=school.dcid,
                id=school.id,
                school_number=school.number,
                name=school.name,
                abbreviation="".join(word[0] for word in school.name.split()[:-2]) + school.level.abbreviation,
                low_grade=school.level.low,
                high_grade=school.level.high,
                state_province_id=f"0410{school.number:04d}",
                alternate_school_number=0,
                school_address=street,
                school_city=city,
                school_state="MA",
                school_zip=zip_code,
                school_phone=_phone(self.rng, self.area_code),
                principal=principal[0],
                principalemail=principal[1],
                asstprincipal=assistant[0],
                asstprincipalemail=assistant[1],
            )

    # calendar, bells, codes ------------------------------------------------------------------------------------
    def write_school_year(self, school, year):
        for offset, name, abbreviation, first, last, isyearrec, portion in year.terms():
            dcid, _ = self.next_keys("terms")
            self.add(
                "terms",
                dcid=dcid,
                id=year.yearid * 100 + offset,
                schoolid=school.number,
                yearid=year.yearid,
                name=name,
                abbreviation=abbreviation,
                firstday=first.isoformat(),
                lastday=last.isoformat(),
                isyearrec=isyearrec,
                portion=portion,
            )
        cycle_days = {}
        for number, letter in enumerate("AB", start=1):
            dcid, cycle_days[letter] = self.next_keys("cycle_day")
            self.add(
                "cycle_day",
                dcid=dcid,
                id=cycle_days[letter],
                schoolid=school.number,
                year_id=year.yearid,
                letter=letter,
                day_number=number,
                abbreviation=letter,
                day_name=f"Day {letter}",
                sortorder=number,
            )
        bells = self.write_bell_schedules(school, year)
        self.write_calendar(school, year, cycle_days, bells)
        self.write_attendance_codes(school, year)
        self.add(
            "sandbox_attendance_mode",
            schoolid=school.number,
            yearid=year.yearid,
            att_mode_code=self.modes[school.number],
        )

    def write_bell_schedules(self, school, year):
        period_ids = []
        for number, name, abbreviation in school.level.periods:
            dcid, id_ = self.next_keys("period")
            period_ids.append(id_)
            self.add(
                "period",
                dcid=dcid,
                id=id_,
                schoolid=school.number,
                year_id=year.yearid,
                period_number=number,
                name=name,
                abbreviation=abbreviation,
                sort_order=number,
            )
        bells = {}
        for kind, name in (("regular", "Regular Day"), ("early", "Early Release")):
            dcid, bells[kind] = self.next_keys("bell_schedule")
            self.add(
                "bell_schedule",
                dcid=dcid,
                id=bells[kind],
                schoolid=school.number,
                year_id=year.yearid,
                name=name,
                attendance_conversion_id=0,
            )
            for period_id, (start, end) in zip(period_ids, _bell_times(school.level, kind)):
                dcid, id_ = self.next_keys("bell_schedule_items")
                self.add(
                    "bell_schedule_items",
                    dcid=dcid,
                    id=id_,
                    bell_schedule_id=bells[kind],
                    period_id=period_id,
                    start_time=start,
                    end_time=end,
                    minutes_attended=(end - start) // 60,
                    daily_attendance_code=0,
                    ada_code=0,
                )
        return bells

    def write_calendar(self, school, year, cycle_days, bells):
        letters = "AB"
        in_session_days = 0
        for day, holiday, early in year.school_days():
            dcid, id_ = self.next_keys("calendar_day")
            cycle_day_id, bell_id = 0, 0
            if holiday is None:
                cycle_day_id = cycle_days[letters[in_session_days % 2]]
                bell_id = bells["early" if early else "regular"]
                in_session_days += 1
            self.add(
                "calendar_day",
                dcid=dcid,
                id=id_,
                schoolid=school.number,
                date_value=day.isoformat(),
                insession=int(holiday is None),
                membershipvalue=1.0 if holiday is None else 0.0,
                note=holiday or ("Early Release" if early else ""),
                type="holiday" if holiday else "",
                bell_schedule_id=bell_id,
                cycle_day_id=cycle_day_id,
                scheduleid=0,
                week_num=(day - year.first_day).days // 7 + 1,
            )

    def write_attendance_codes(self, school, year):
        for order, (code, description, presence) in enumerate(ATTENDANCE_CODES, start=1):
            dcid, id_ = self.next_keys("attendance_code")
            self.add(
                "attendance_code",
                dcid=dcid,
                id=id_,
                schoolid=school.number,
                yearid=year.yearid,
                att_code=code,
                alternate_code="",
                description=description,
                presence_status_cd=presence,
                course_credit_points="1" if presence == "Present" else "0",
                assignment_filter_yn=0,
                calculate_ada_yn=1,
                calculate_adm_yn=1,
                sortorder=order,
                attendancecodeinfo_guid="",
                unused1="",
            )

    # staff, courses, sections ------------------------------------------------------------------------------------
    def offerings(self, school):
        """Expected students per (course, expression, term) offering at a school, to size its sections."""
        level = school.level
        per_grade = self.student_count / len(GRADES) / len(self.schools[level.name])
        expected = Counter()
        for grade in range(level.low, level.high + 1):
            for band in _bands(level.name, grade):
                for option in band:
                    for offering in option:
                        expected[offering] += per_grade / len(band)
        return {offering: max(1, math.ceil(count / 26)) for offering, count in expected.items()}

    def write_staff(self):
        principals = {}
        users_by_school = {}
        for school in self.all_schools():
            section_count = sum(self.offerings(school).values())
            teachers = max(2, math.ceil(section_count / school.level.sections_per_teacher))
            titles = ["Principal", "Assistant Principal", "Attendance Secretary"] + ["Teacher"] * teachers
            people = [self.write_user(school, title) for title in titles]
            users_by_school[school.number] = people
            principals[school.number] = ((people[0][1], people[0][2]), (people[1][1], people[1][2]))
        schools = self.all_schools()
        for school in schools:
            for users_dcid, display, _email, title in users_by_school[school.number]:
                staff_id = self.write_schoolstaff(users_dcid, school, title)
                if title == "Teacher":
                    school.teachers.append((staff_id, display))
                if len(schools) > 1 and self.rng.random() < 0.1:
                    other = self.rng.choice([s for s in schools if s is not school])
                    self.write_schoolstaff(users_dcid, other, title)
        return principals

    def write_user(self, school, title):
        female = self.rng.random() < 0.6
        first = self.rng.choice(names.FEMALE_FIRST_NAMES if female else names.MALE_FIRST_NAMES)
        last = self.rng.choice(names.LAST_NAMES)
        dcid, _ = self.next_keys("users")
        login = f"{_ascii(first)[:1]}{_ascii(last)}{dcid}"
        email = f"{login}@raptorfalls.k12.example"
        self.add(
            "users",
            dcid=dcid,
            teachernumber=f"T{dcid + 7000}",
            first_name=first,
            middle_name="",
            last_name=last,
            lastfirst=f"{last}, {first}",
            email_addr=email,
            homeschoolid=school.number,
            loginid=login,
            teacherloginid=login if title == "Teacher" else "",
            title=title,
        )
        display = f"{'Ms.' if female else 'Mr.'} {last}"
        return dcid, display, email, title

    def write_schoolstaff(self, users_dcid, school, title):
        dcid, id_ = self.next_keys("schoolstaff")
        self.add(
            "schoolstaff",
            dcid=dcid,
            id=id_,
            users_dcid=users_dcid,
            schoolid=school.number,
            status=1,
            staffstatus=1 if title == "Teacher" else 2,
        )
        return id_

    def write_courses(self):
        for number, name in COURSES.items():
            dcid, id_ = self.next_keys("courses")
            self.add(
                "courses",
                dcid=dcid,
                id=id_,
                course_number=number,
                course_name=name,
                credit_hours=1.0 if number.startswith(("ENG", "MAT", "SCI", "SOC")) else 0.5,
            )

    def write_sections(self, school, year):
        offerings = sorted(self.offerings(school).items(), key=lambda item: expand_expression(item[0][1])[0])
        mode = self.modes[school.number]
        teacher_turn = 0
        for (course, expression, term), count in offerings:
            key = (school.number, year.yearid, course, expression, term)
            self.sections[key] = []
            first_period = expand_expression(expression)[0][0]
            for index in range(count):
                teacher_id, teacher_name = school.teachers[teacher_turn % len(school.teachers)]
                teacher_turn += 1
                dcid, id_ = self.next_keys("sections")
                section = {
                    "dcid": dcid,
                    "id": id_,
                    "schoolid": school.number,
                    "course_number": course,
                    "section_number": f"{first_period}{index + 1:02d}",
                    "termid": year.term_id(term),
                    "teacher": teacher_id,
                    "expression": expression,
                    "external_expression": _external_expression(school.level, expression),
                    "att_mode_code": mode,
                    "attendance_type_code": 2,
                    "room": str(100 + teacher_id % 150),
                    "gradebooktype": "2",
                    "maxenrollment": 30,
                }
                self.writer.add("sections", section)
                self.sections[key].append({**section, "teacher_name": teacher_name, "term": term})
                for period, letter in expand_expression(expression):
                    meeting_dcid, meeting_id = self.next_keys("section_meeting")
                    self.add(
                        "section_meeting",
                        dcid=meeting_dcid,
                        id=meeting_id,
                        sectionid=id_,
                        schoolid=school.number,
                        year_id=year.yearid,
                        period_number=period,
                        cycle_day_letter=letter,
                        meeting=f"{period}({letter})",
                    )

    # codesets, families, students --------------------------------------------------------------------------------
    def write_codesets(self):
        for codetype, code in CODESETS:
            dcid, id_ = self.next_keys("codeset")
            self.codesets[(codetype, code)] = id_
            self.add(
                "codeset",
                codesetid=id_,
                dcid=dcid,
                codetype=codetype,
                code=code,
                displayvalue=code,
                description=f"{code} ({codetype.lower()})",
            )

    def write_families(self):
        written = 0
        while written < self.student_count:
            size = min(self.rng.choices((1, 2, 3), weights=(60, 30, 10))[0], self.student_count - written)
            self.write_family(size)
            written += size

    def write_family(self, size):
        rng = self.rng
        last_name = rng.choice(names.LAST_NAMES)
        address = self.address()
        home_phone = _phone(rng, self.area_code)
        area = rng.random()
        contacts = self.write_contacts(last_name, home_phone)
        for _ in range(size):
            grade = rng.randrange(len(GRADES))
            level = next(level for level in LEVELS if level.low <= grade <= level.high)
            schools = self.schools[level.name]
            school = schools[min(int(area * len(schools)), len(schools) - 1)]
            self.write_student(school, grade, last_name, address, home_phone, contacts)

    def write_contacts(self, family_name, home_phone):
        rng = self.rng
        shape = rng.random()
        if shape < 0.65:
            parents = [("Mother", "F"), ("Father", "M")]
        elif shape < 0.8:
            parents = [("Mother", "F")]
        elif shape < 0.9:
            parents = [("Father", "M")]
        else:
            parents = [("Guardian", rng.choice("FM"))]
        contacts = []
        for relationship, gender in parents:
            # Some mothers kept their own name, and one in ten fathers does not live with the family.
            last = rng.choice(names.LAST_NAMES) if relationship == "Mother" and rng.random() < 0.2 else family_name
            apart = relationship == "Father" and len(parents) == 2 and rng.random() < 0.1
            flags = {
                "isemergency": 1,
                "iscustodial": int(not apart),
                "liveswithflg": int(not apart),
                "schoolpickupflg": 1,
                "receivesmailflg": int(not apart),
            }
            contacts.append(self.write_person(gender, last, relationship, flags, None if apart else home_phone))
        extra = rng.random()
        if extra < 0.4:
            relationship, gender = rng.choice((("Grandmother", "F"), ("Grandfather", "M"), ("Grandparent", "F")))
        elif extra < 0.55:
            relationship, gender = rng.choice((("Aunt", "F"), ("Uncle", "M"), ("Emergency Contact", "F")))
        else:
            return contacts
        flags = {
            "isemergency": 1,
            "iscustodial": 0,
            "liveswithflg": 0,
            "schoolpickupflg": int(rng.random() < 0.5),
            "receivesmailflg": 0,
        }
        contacts.append(
            self.write_person(gender, rng.choice(names.LAST_NAMES + (family_name,) * 20), relationship, flags, None)
        )
        return contacts

    def write_person(self, gender, last, relationship, flags, home_phone):
        rng = self.rng
        first = rng.choice(names.FEMALE_FIRST_NAMES if gender == "F" else names.MALE_FIRST_NAMES)
        dcid, person_id = self.next_keys("person")
        self.add(
            "person",
            id=person_id,
            dcid=dcid,
            firstname=first,
            middlename="",
            lastname=last,
            gender=gender,
            employer=rng.choice(names.EMPLOYERS),
            contactnumber=f"C{person_id}",
            isactive=1,
        )
        mobile = _phone(rng, self.area_code)
        phones = [(mobile, "Mobile", 1)]
        if home_phone:
            phones.append((home_phone, "Home", 0))
        if rng.random() < 0.3:
            phones.append((_phone(rng, self.area_code), "Work", 0))
        for order, (number, kind, preferred) in enumerate(phones, start=1):
            self.write_phone(person_id, number, kind, order, preferred)
        email = f"{_ascii(first)}.{_ascii(last)}{person_id}@{rng.choice(('example.com', 'example.net', 'example.org'))}"
        self.write_email(person_id, email, "Home", primary=True)
        if rng.random() < 0.2:
            self.write_email(person_id, f"{_ascii(first)}.{_ascii(last)}@work.example", "Work", primary=False)
        return Contact(person_id, f"{last}, {first}", relationship, flags, mobile, email)

    def write_phone(self, person_id, number, kind, order, preferred):
        dcid, phone_id = self.next_keys("phonenumber")
        self.add("phonenumber", phonenumberid=phone_id, dcid=dcid, phonenumber=number, phonenumberext="")
        dcid, assoc_id = self.next_keys("personphonenumberassoc")
        self.add(
            "personphonenumberassoc",
            personphonenumberassocid=assoc_id,
            dcid=dcid,
            personid=person_id,
            phonenumberid=phone_id,
            phonetypecodesetid=self.codesets[("Phone", kind)],
            phonenumberpriorityorder=order,
            ispreferred=preferred,
            issms=int(kind == "Mobile"),
        )

    def write_email(self, person_id, address, kind, primary):
        dcid, email_id = self.next_keys("emailaddress")
        self.add("emailaddress", emailaddressid=email_id, dcid=dcid, emailaddress=address)
        dcid, assoc_id = self.next_keys("personemailaddressassoc")
        self.add(
            "personemailaddressassoc",
            personemailaddressassocid=assoc_id,
            dcid=dcid,
            personid=person_id,
            emailaddressid=email_id,
            emailtypecodesetid=self.codesets[("Email", kind)],
            isprimaryemailaddress=int(primary),
            emailaddresspriorityorder=1 if primary else 2,
        )

    def write_student(self, school, grade, last_name, address, home_phone, contacts):
        rng = self.rng
        this_year = self.years[1]
        gender = rng.choice("FM")
        first = rng.choice(names.FEMALE_FIRST_NAMES if gender == "F" else names.MALE_FIRST_NAMES)
        middle = rng.choice(names.FEMALE_FIRST_NAMES if gender == "F" else names.MALE_FIRST_NAMES)
        dcid, id_ = self.next_keys("students")
        status, entry, exit_ = self.enrollment_dates(this_year)
        schedule = self.schedule(school, this_year, grade)
        homeroom = schedule[0][0]["teacher_name"] if schedule else ""
        dob = datetime.date(this_year.start - 6 - grade, 9, 1) + datetime.timedelta(days=rng.randrange(365))
        student_number = self.next_student_number()
        self.add(
            "students",
            dcid=dcid,
            id=id_,
            student_number=student_number,
            state_studentnumber=f"1{(id_ * 7919) % 10**9:09d}",
            first_name=first,
            middle_name=middle,
            last_name=last_name,
            lastfirst=f"{last_name}, {first} {middle}",
            grade_level=grade,
            schoolid=school.number,
            enroll_status=status,
            entrydate=entry.isoformat(),
            exitdate=exit_.isoformat(),
            entrycode="01" if status != -1 else "",
            gender=gender,
            dob=dob.isoformat(),
            home_phone=home_phone,
            home_room=homeroom,
            **legacy_contact_fields(contacts),
            student_web_id=f"{_ascii(first)[:1]}{_ascii(last_name)}{student_number % 10000}",
            street=address[0],
            city=address[1],
            state="MA",
            zip=address[2],
            classof=this_year.start + 13 - grade,
            districtentrygradelevel=rng.randint(0, grade),
            lunch_id=student_number,
            fedethnicity=int(rng.random() < 0.22),
            ethnicity=rng.choices([code for code, _ in ETHNICITIES], weights=[w for _, w in ETHNICITIES])[0],
            alert_medical=rng.choice(names.MEDICAL_ALERTS) if rng.random() < 0.06 else "",
            student_email=f"{_ascii(first)}.{_ascii(last_name)}{student_number % 1000}@students.raptorfalls.k12.example",
            next_school=school.number if grade < school.level.high else 0,
            sched_nextyeargrade=grade + 1 if grade < 12 else 99,
        )
        for order, contact in enumerate(contacts, start=1):
            self.write_student_contact(dcid, contact, order)
        if status != -1:
            self.write_enrollments(id_, school, this_year, schedule, entry, exit_)
        returning = status != -1 and entry == this_year.first_day and grade > school.level.low
        if returning:
            last_year = self.years[0]
            self.write_enrollments(
                id_,
                school,
                last_year,
                self.schedule(school, last_year, grade - 1),
                last_year.first_day,
                last_year.last_day + ONE_DAY,
            )

    def enrollment_dates(self, year):
        """(enroll_status, entrydate, exitdate); exitdate is the day after the last day attended."""
        rng = self.rng
        roll = rng.random()
        end = year.last_day + ONE_DAY
        if roll < 0.03:
            entry = self.today + datetime.timedelta(days=rng.randint(3, 40))
            return -1, entry, end if entry < end else SchoolYear(year.start + 1).last_day + ONE_DAY
        if roll < 0.07 and self.today > year.first_day + datetime.timedelta(days=2):
            span = (min(self.today, year.last_day) - year.first_day).days
            return 2, year.first_day, year.first_day + datetime.timedelta(days=rng.randint(2, span))
        if roll < 0.12 and self.today > year.first_day:
            span = (min(self.today, year.last_day) - year.first_day).days
            return 0, year.first_day + datetime.timedelta(days=rng.randint(1, span)), end
        return 0, year.first_day, end

    def schedule(self, school, year, grade):
        """The sections a student in this grade takes, one option per band."""
        sections = []
        for band in _bands(school.level.name, grade):
            for course, expression, term in band[self.rng.randrange(len(band))]:
                key = (school.number, year.yearid, course, expression, term)
                sections.append((self.rng.choice(self.sections[key]), key))
        return sections

    def write_enrollments(self, student_id, school, year, schedule, entry, exit_):
        for section, key in schedule:
            first, last = year.term_dates(section["term"])
            enrolled, left = max(entry, first), min(exit_, last + ONE_DAY)
            if enrolled >= left:
                continue
            if self.rng.random() < 0.05:
                dropped_on = self.drop_date(enrolled, left)
                self.write_cc(student_id, section, enrolled, dropped_on, dropped=True)
                section, enrolled = self.rng.choice(self.sections[key]), dropped_on
            self.write_cc(student_id, section, enrolled, left, dropped=False)

    def drop_date(self, enrolled, left):
        latest = min(self.today, left - ONE_DAY)
        if latest <= enrolled:
            return enrolled
        return enrolled + datetime.timedelta(days=self.rng.randint(0, (latest - enrolled).days))

    def write_cc(self, student_id, section, enrolled, left, dropped):
        sign = -1 if dropped else 1
        dcid, id_ = self.next_keys("cc")
        self.add(
            "cc",
            dcid=dcid,
            id=id_,
            studentid=student_id,
            sectionid=sign * section["id"],
            schoolid=section["schoolid"],
            termid=sign * section["termid"],
            dateenrolled=enrolled.isoformat(),
            dateleft=left.isoformat(),
            expression=section["expression"],
            section_number=section["section_number"],
            course_number=section["course_number"],
            teacherid=section["teacher"],
            origsectionid=section["id"],
            attendance_type_code=2,
            currentabsences=0,
            currenttardies=0,
        )

    def write_student_contact(self, student_dcid, contact, order):
        dcid, assoc_id = self.next_keys("studentcontactassoc")
        relationship_id = self.codesets[("Relationship", contact.relationship)]
        self.add(
            "studentcontactassoc",
            studentcontactassocid=assoc_id,
            dcid=dcid,
            studentdcid=student_dcid,
            personid=contact.person_id,
            contactpriorityorder=order,
            currreltypecodesetid=relationship_id,
        )
        dcid, detail_id = self.next_keys("studentcontactdetail")
        self.add(
            "studentcontactdetail",
            studentcontactdetailid=detail_id,
            dcid=dcid,
            studentcontactassocid=assoc_id,
            relationshiptypecodesetid=relationship_id,
            relationshipnote="",
            isactive=1,
            startdate=None,
            enddate=None,
            **contact.flags,
        )

    def next_student_number(self):
        self.student_number += self.rng.randint(1, 3)
        return self.student_number

    # plugin and settings -----------------------------------------------------------------------------------------
    def write_plugin(self, client_id, client_secret):
        self.add(
            "sandbox_plugin",
            plugin_id=self.rng.randrange(100, 1000),
            name=PLUGIN_NAME,
            client_id=client_id or _uuid(self.rng),
            client_secret=client_secret or _uuid(self.rng),
            enabled=1,
            dataversion_app=PLUGIN_NAME,
            token_lifetime_s=DEFAULT_TOKEN_LIFETIME_S,
            max_page_size=100,
            max_table_page_size=100,
        )
        for table in schema.POWERSCHOOL_TABLES:
            access = "FullAccess" if table in ("attendance", "attendance_time") else "ViewOnly"
            for column in schema.columns(table):
                self.add("sandbox_field_access", table_name=table, field_name=column, access=access)

    def settings(self, seed):
        return {
            "district_name": self.rng.choice(names.DISTRICT_NAMES),
            "district_number": f"{self.rng.randrange(100, 9999):04d}",
            "district_uuid": _uuid(self.rng),
            "district_timezone": "America/New_York",
            "state": "MA",
            "district_address": {
                "street": self.address()[0],
                "city": self.city,
                "state_province": "MA",
                "postal_code": f"0{self.zip_base:04d}",
            },
            "district_phone": _phone(self.rng, self.area_code),
            "profile": self.profile,
            "seed": seed,
            "students": self.student_count,
            "today": self.today.isoformat(),
            "single_element_quirk": True,
        }


def legacy_contact_fields(contacts):
    """STUDENTS' single-record guardian columns, derived from the contacts as PowerSchool keeps them in step."""
    by_relationship = {}
    for contact in contacts:
        by_relationship.setdefault(contact.relationship, contact)
    emergency = sorted(
        (c for c in contacts if c.flags["isemergency"]),
        key=lambda c: c.relationship in ("Mother", "Father", "Guardian"),
    )
    guardians = [c.email for c in contacts if c.flags["iscustodial"]]
    return {
        "mother": by_relationship["Mother"].name if "Mother" in by_relationship else "",
        "father": by_relationship["Father"].name if "Father" in by_relationship else "",
        "emerg_contact_1": emergency[0].name if emergency else "",
        "emerg_phone_1": emergency[0].phone if emergency else "",
        "emerg_contact_2": emergency[1].name if len(emergency) > 1 else "",
        "emerg_phone_2": emergency[1].phone if len(emergency) > 1 else "",
        "guardianemail": ",".join(guardians),
    }


def _bell_times(level, kind):
    """(start, end) in seconds since midnight for each period of a level's regular or early-release day."""
    if level.name == "elementary":
        if kind == "regular":
            return [(level.first_bell, 11 * 3600 + 45 * 60), (12 * 3600 + 30 * 60, 15 * 3600)]
        return [(level.first_bell, 10 * 3600 + 45 * 60), (11 * 3600 + 15 * 60, 12 * 3600 + 30 * 60)]
    length = 50 * 60 if kind == "regular" else 30 * 60
    passing = 5 * 60
    return [
        (level.first_bell + i * (length + passing), level.first_bell + i * (length + passing) + length)
        for i in range(len(level.periods))
    ]


def _external_expression(level, expression):
    if level.name != "elementary":
        return expression
    abbreviations = {str(number): abbreviation for number, _, abbreviation in level.periods}
    periods, _, days = expression.partition("(")
    return "-".join(abbreviations[p] for p in periods.split("-")) + "(" + days


# --- entry points -----------------------------------------------------------------------------------------------

# Everything the generator owns; sandbox_token is left alone so issued tokens survive a regeneration.
GENERATED_TABLES = list(schema.POWERSCHOOL_TABLES) + [
    "sandbox_plugin",
    "sandbox_field_access",
    "sandbox_attendance_mode",
    "sandbox_dataversion",
]


def generate_district(store, *, seed=1, students=2000, profile="25.7", today=None, client_id=None, client_secret=None):
    """Replace the store's district with a freshly generated one; returns the row count per table."""
    if not isinstance(students, int) or students < 0:
        raise ValueError(f"students must be a whole number of at least 0, not {students!r}")
    today = today or datetime.date.today()
    rng = Random(seed)
    with store.transaction() as conn:
        for table in GENERATED_TABLES:
            conn.execute(f"DELETE FROM {table}")
        builder = DistrictBuilder(conn, rng, students, today, str(profile))
        for key, value in builder.settings(seed).items():
            store.set_setting(key, value, conn=conn)
        _build(builder)
        builder.write_plugin(client_id, client_secret)
        builder.writer.close()
    counts = builder.writer.counts
    return {table: counts[table] for table in schema.POWERSCHOOL_TABLES}


def _build(builder):
    builder.build_schools()
    builder.write_codesets()
    builder.write_courses()
    principals = builder.write_staff()
    builder.write_schools(principals)
    for school in builder.all_schools():
        for year in builder.years:
            builder.write_school_year(school, year)
            builder.write_sections(school, year)
    builder.write_families()


def load_or_generate(store, **options):
    """Generate a district only into an empty store, so a restarted sandbox keeps what was written to it."""
    if store.query_one("SELECT 1 FROM schools LIMIT 1") is None:
        generate_district(store, **options)
    return store

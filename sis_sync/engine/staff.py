"""Staff: people (USERS, keyed by USERS.DCID) and their place at each school (SCHOOLSTAFF)."""

from sis_sync.engine.pull import TablePull, reference, required, whole
from sis_sync.models import Source, Staff, StaffSchool

# SCHOOLSTAFF rows at school 0 are district-office affiliations, not a school with an entrance.
AT_A_SCHOOL = "schoolid=gt=0"


def staff_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "first_name": row["first_name"] or "",
        "last_name": required(row["last_name"], "Last name"),
        "email": row["email_addr"] or "",
        "teacher_number": row["teachernumber"] or "",
        "title": row["title"] or "",
    }


def staff_school_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "staff_id": reference(ctx.lookup("staff"), row["users_dcid"], "USERS.DCID"),
        "school_id": reference(ctx.lookup("school"), row["schoolid"], "School number"),
        "ps_id": whole(row["id"], "SCHOOLSTAFF.ID"),
    }


def _scope(model):
    return lambda ctx: model.objects.filter(district=ctx.district, source=Source.POWERSCHOOL)


PULLS = [
    TablePull("staff", Staff, "users", staff_values, lambda ctx: ctx.client.users(), _scope(Staff), ("staff",)),
    TablePull(
        "staff_schools",
        StaffSchool,
        "schoolstaff",
        staff_school_values,
        lambda ctx: ctx.client.table_rows("schoolstaff", AT_A_SCHOOL),
        _scope(StaffSchool),
        ("staff_school",),
        in_scope=lambda ctx, row: bool(row["schoolid"]),
    ),
]

"""Attendance codes (ATTENDANCE_CODE): per school and year, every year PowerSchool has."""

from sis_sync.engine.pull import TablePull, reference, whole
from sis_sync.models import AttendanceCode, Source


def attendance_code_values(ctx, row):
    return whole(row["dcid"], "DCID"), {
        "school_id": reference(ctx.lookup("school"), row["schoolid"], "School number"),
        "ps_id": whole(row["id"], "ATTENDANCE_CODE.ID"),
        "year_id": whole(row["yearid"], "Year id"),
        "code": row["att_code"] or "",
        "description": row["description"] or "",
        "presence_status": row["presence_status_cd"] or "",
    }


PULL = TablePull(
    "attendance_codes",
    AttendanceCode,
    "attendance_code",
    attendance_code_values,
    lambda ctx: ctx.client.table_rows("attendance_code"),
    lambda ctx: AttendanceCode.objects.filter(district=ctx.district, source=Source.POWERSCHOOL),
)

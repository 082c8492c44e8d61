"""The write-back log's table: one row per intent; its status cell opens on the error, the fix and the attempts."""

import django_tables2 as tables

from writeback.export import grade_text, local_time_text
from writeback.models import Intent


class IntentTable(tables.Table):
    selected = tables.CheckBoxColumn(accessor="pk", attrs={"input": {"name": "selected"}})
    kind = tables.Column("Type")
    student = tables.Column("Student name", order_by=("student__last_name", "student__first_name"))
    student_ps_id = tables.Column("Student PS ID", accessor="student__ps_id")
    occurred_at = tables.Column("Date/time")
    grade = tables.Column("Grade", accessor="student__grade_level")
    reason = tables.Column()
    status = tables.TemplateColumn(template_name="admin/writeback/status_cell.html")
    mode = tables.Column()
    building = tables.Column(order_by=("building__name",))
    category = tables.Column()
    attempts = tables.Column()

    class Meta:
        model = Intent
        fields = []
        sequence = [
            "selected",
            "kind",
            "student",
            "student_ps_id",
            "occurred_at",
            "grade",
            "reason",
            "status",
            "mode",
            "building",
            "category",
            "attempts",
        ]
        order_by = "-occurred_at"
        empty_text = "No write-backs match these filters."
        attrs = {"id": "writeback-log"}

    def __init__(self, *args, may_act=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_act:
            self.columns.hide("selected")

    def render_student(self, record):
        return record.student.display_name

    def render_occurred_at(self, record):
        return local_time_text(record)

    def render_grade(self, record):
        return grade_text(record)

"""The forms of the PowerSchool Setup tabs."""

from django import forms

from raptorlink.forms import PowerSchoolConnectionForm
from raptorlink.models import AttendanceMode, District, School


class ConnectionSettingsForm(PowerSchoolConnectionForm):
    """URL, client ID and the write-only secret of the page's own district, and how hard RaptorLink may call it."""

    class Meta(PowerSchoolConnectionForm.Meta):
        fields = ["base_url", "client_id", "client_secret", "max_concurrent_calls", "min_call_interval_ms"]


class DistrictSettingsForm(forms.ModelForm):
    class Meta:
        model = District
        fields = ["visible_student_id", "default_attendance_mode"]
        labels = {"visible_student_id": "Visible student ID", "default_attendance_mode": "Default attendance mode"}
        help_texts = {
            "default_attendance_mode": "What “Save and apply to all schools” sets at every school. It must match "
            "the school's attendance mode in PowerSchool (Attendance Preferences).",
        }


class SchoolWritebackForm(forms.ModelForm):
    """One school's row of School Building Setup."""

    attendance_mode = forms.ChoiceField(
        label="Attendance mode", choices=[("", "— choose —"), *AttendanceMode.choices], required=False
    )

    class Meta:
        model = School
        fields = ["writeback_enabled", "attendance_mode", "checkout_policy"]
        labels = {"writeback_enabled": "Write-back on"}

    def __init__(self, *args, default_mode, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.attendance_mode:
            # A blank mode means the district's default: show the mode in effect rather than an empty choice.
            self.initial["attendance_mode"] = default_mode

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("writeback_enabled") and not cleaned.get("attendance_mode"):
            self.add_error(
                "attendance_mode",
                f"Choose an attendance mode for {self.instance.name}: write-back cannot be on without one.",
            )
        return cleaned


class BaseSchoolFormSet(forms.BaseModelFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        # Django offers every school here; only the rows on the page may be named, so a posted id of another
        # school (another building's, another district's) is refused instead of silently ignored.
        form.fields["id"].queryset = self.get_queryset()


SchoolWritebackFormSet = forms.modelformset_factory(
    School, form=SchoolWritebackForm, formset=BaseSchoolFormSet, extra=0, edit_only=True
)


def school_formset(schools, district, data=None):
    return SchoolWritebackFormSet(
        data,
        queryset=schools,
        prefix="schools",
        form_kwargs={"default_mode": district.default_attendance_mode},
    )


class SchoolOverridesForm(forms.ModelForm):
    class Meta:
        model = District
        fields = ["prevent_school_overrides"]
        help_texts = {
            "prevent_school_overrides": "On: every school writes back in the district's default attendance mode "
            "and building admins cannot change their schools. Off: each school's settings below apply, and "
            "building admins may change their own schools.",
        }

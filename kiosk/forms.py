"""Admin forms for reasons and their code mappings: the codes offered are the schools' synced codes of this year."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from kiosk.models import Reason, ReasonCode
from kiosk.preflight import district_today, school_year_id, year_label
from sis_sync.models import AttendanceCode

DATALIST_ID = "attendance-code-texts"


class DatalistInput(forms.TextInput):
    """A text box that suggests values: the code is stored as text, so a code not imported yet can be typed."""

    def __init__(self, options=(), attrs=None):
        super().__init__({**(attrs or {}), "list": DATALIST_ID, "autocomplete": "off"})
        self.options = list(options)

    def render(self, name, value, attrs=None, renderer=None):
        box = super().render(name, value, attrs, renderer)
        options = format_html_join("", '<option value="{}">{}</option>', self.options)
        return format_html('{}<datalist id="{}">{}</datalist>', box, DATALIST_ID, options)


def code_suggestions(schools):
    """(text, label) for each synced code of this school year at `schools`, e.g. ("T", "T — Tardy · North High")."""
    suggestions = []
    for school in schools:
        year = school_year_id(school, district_today(school.district))
        for code in AttendanceCode.objects.filter(school=school, year_id=year, active=True).exclude(code=""):
            suggestions.append((code.code, f"{code.code} — {code.description} · {school.name}"))
    return suggestions


class ReasonForm(forms.ModelForm):
    # Set by the admin for the signed-in person: the districts whose reasons they manage, and their own buildings.
    whole_district_ids = frozenset()
    building_ids = frozenset()

    class Meta:
        model = Reason
        fields = ["district", "building", "kind", "label", "excused", "enabled", "sort_order"]

    def clean(self):
        cleaned = super().clean()
        district, building = cleaned.get("district"), cleaned.get("building")
        if (
            district
            and district.pk not in self.whole_district_ids
            and getattr(building, "pk", None) not in self.building_ids
        ):
            raise ValidationError({"building": "Choose one of your buildings: you manage the reasons of those only."})
        return cleaned


class ReasonCodeForm(forms.ModelForm):
    class Meta:
        model = ReasonCode
        fields = ["school", "code"]

    def clean(self):
        cleaned = super().clean()
        school, code = cleaned.get("school"), (cleaned.get("code") or "").strip()
        if school and code:
            self.code_check(school, code)
        cleaned["code"] = code
        return cleaned

    def code_check(self, school, code):
        year = school_year_id(school, district_today(school.district))
        codes = set(
            AttendanceCode.objects.filter(school=school, year_id=year, active=True).values_list("code", flat=True)
        )
        # Before the first import there is nothing to check against; the pre-flight check reports it.
        if codes and code not in codes:
            known = ", ".join(sorted(text for text in codes if text))
            raise ValidationError(
                {"code": f"{school.name} has no code “{code}” in {year_label(year)}. Its codes: {known}."}
            )


class ReasonCodeFormSet(forms.BaseInlineFormSet):
    """Checks each mapping's school against the reason, which a new reason's mappings cannot do themselves."""

    def clean(self):
        super().clean()
        for form in self.forms:
            school = getattr(form, "cleaned_data", {}).get("school")
            if school and school.district_id != self.instance.district_id:
                form.add_error("school", "Choose a school of the reason's own district.")

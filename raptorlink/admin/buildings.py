"""Buildings (entrances) and the PowerSchool schools behind them, with each school's write-back settings.

District admins manage every building of their district: its name, time zone, kiosk allowlist (a security
setting) and which schools it houses. A building admin changes only their own buildings' school day, tardy
cut-off and kiosk options (and, while the district allows school overrides, their schools' write-back settings),
and reads the rest.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple

from raptorlink.admin.scoping import BuildingScopedAdmin
from raptorlink.models import AttendanceMode, Building, School
from raptorlink.permissions import Action, buildings_for, districts_for, may, schools_for
from raptorlink.validators import format_grades, parse_grades

# What a building admin may change on their own buildings; everything else on the page they only read.
BUILDING_ADMIN_FIELDS = ["day_start", "day_end", "tardy_cutoff", "self_serve_check_out", "self_serve_grades"]


def manages_whole_building(user, building):
    """Whether `user` may change everything about `building` (a district admin of its district)."""
    return may(user, Action.MANAGE_DISTRICT, building.district)


def sets_school_writeback(user, building):
    """Whether `user` may change the write-back settings of the schools `building` houses (never while the
    district prevents school overrides: its own settings apply to every school then)."""
    if building.district.prevent_school_overrides:
        return False
    return schools_for(user, Action.MANAGE_SCHOOL_WRITEBACK).filter(building=building).exists()


# --- the building's page ------------------------------------------------------------------------------------------


class GradesField(forms.CharField):
    """Grades typed as text ("9-12", "6,7,8", "K-5"), kept as a sorted list of grade levels."""

    def prepare_value(self, value):
        return format_grades(value) if isinstance(value, list) else value

    def to_python(self, value):
        return parse_grades(super().to_python(value))


class BuildingForm(forms.ModelForm):
    self_serve_grades = GradesField(
        label="Grades allowed to self-serve",
        required=False,
        help_text="E.g. 9-12 or 6,7,8 (PK and K too). Students of other grades are sent to the front desk. "
        "Blank: every grade.",
    )
    schools = forms.ModelMultipleChoiceField(
        queryset=School.objects.none(),
        required=False,
        widget=FilteredSelectMultiple("schools", is_stacked=False),
        help_text="The PowerSchool schools whose students use this entrance. A school chosen here leaves the "
        "building it was in.",
    )

    class Meta:
        model = Building
        fields = "__all__"

    def __init__(self, *args, district_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        if "schools" in self.fields:
            self.fields["schools"].queryset = School.objects.filter(district__in=district_ids).select_related(
                "building"
            )
            if self.instance.pk:
                self.fields["schools"].initial = list(self.instance.schools.values_list("pk", flat=True))

    def clean(self):
        cleaned = super().clean()
        district = cleaned.get("district")
        foreign = [school for school in cleaned.get("schools") or [] if district and school.district_id != district.pk]
        if foreign:
            names = ", ".join(school.name for school in foreign)
            self.add_error("schools", f"Not schools of {district}: {names}. Choose schools of the building's district.")
        return cleaned


class SchoolInline(admin.TabularInline):
    """The schools the building houses, with the write-back settings in effect; chosen with the field above."""

    model = School
    fk_name = "building"
    fields = ["number", "name", "grades", "writeback_enabled", "attendance_mode"]
    readonly_fields = ["number", "name", "grades"]
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "PowerSchool school in this building"
    verbose_name_plural = "PowerSchool schools in this building"

    def get_readonly_fields(self, request, obj=None):
        if obj is None or not sets_school_writeback(request.user, obj):
            return [*self.readonly_fields, "writeback_enabled", "attendance_mode"]
        return self.readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is not None and sets_school_writeback(request.user, obj)

    def has_view_permission(self, request, obj=None):
        # Whoever may see the building sees the schools it houses; the building's page decides who that is.
        return True


@admin.register(Building)
class BuildingAdmin(BuildingScopedAdmin):
    building_path = "pk"
    read_action = Action.READ_SETTINGS
    manage_action = Action.MANAGE_BUILDING
    add_action = delete_action = Action.MANAGE_DISTRICT
    form = BuildingForm
    inlines = [SchoolInline]
    list_display = ["name", "district", "time_zone", "school_day", "tardy_cutoff", "grades_at_kiosks"]
    list_filter = [("district", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["district", "name", "time_zone", "schools"]}),
        (
            "School day",
            {
                "fields": ["day_start", "day_end", "tardy_cutoff"],
                "description": "Kiosks offer late check-in from the tardy cut-off (blank: from the start of the "
                "day) until the day ends. The front desk's delayed entry works at any time.",
            },
        ),
        (
            "Kiosks and front desk",
            {
                "fields": ["self_serve_check_out", "self_serve_grades", "kiosk_networks"],
                "description": "The building's kiosks are listed under Kiosk devices.",
            },
        ),
    ]

    def get_inlines(self, request, obj):
        # A new building houses no school yet; the schools field chooses them.
        return self.inlines if obj is not None else []

    def get_readonly_fields(self, request, obj=None):
        if obj is None or manages_whole_building(request.user, obj):
            return []
        fixed = [field.name for field in Building._meta.fields if field.name not in BUILDING_ADMIN_FIELDS]
        return [*fixed, "schools", "schools_housed"]

    def get_fieldsets(self, request, obj=None):
        if obj is None or manages_whole_building(request.user, obj):
            return self.fieldsets
        first = (None, {"fields": ["district", "name", "time_zone", "schools_housed"]})
        return [first, *self.fieldsets[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        district_ids = list(districts_for(request.user, Action.MANAGE_DISTRICT).values_list("pk", flat=True))

        class ScopedBuildingForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, district_ids=district_ids, **inner)

        return ScopedBuildingForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if "schools" in form.fields:
            building_schools_set(form.instance, form.cleaned_data["schools"])

    @admin.display(description="Schools")
    def schools_housed(self, building):
        return ", ".join(str(school) for school in building.schools.all()) or "None yet"

    @admin.display(description="School day")
    def school_day(self, building):
        if building.day_start and building.day_end:
            return f"{building.day_start:%H:%M}–{building.day_end:%H:%M}"
        return "—"

    @admin.display(description="Grades at kiosks")
    def grades_at_kiosks(self, building):
        return format_grades(building.self_serve_grades) or "All"


def building_schools_set(building, schools):
    """Make `schools` exactly the ones `building` houses; a school taken out is left without a building."""
    chosen = {school.pk for school in schools}
    # One save per school moved (a handful at most), so each move reaches the audit log with who made it.
    for school in School.objects.filter(building=building).exclude(pk__in=chosen):
        school.building = None
        school.save(update_fields=["building"])
    for school in School.objects.filter(pk__in=chosen, district=building.district).exclude(building=building):
        school.building = building
        school.save(update_fields=["building"])


@admin.register(School)
class SchoolAdmin(BuildingScopedAdmin):
    """PowerSchool owns the schools; the district decides which building's entrance each one uses."""

    read_action = Action.READ_SETTINGS
    manage_action = Action.MANAGE_SCHOOL_WRITEBACK

    list_display = ["number", "name", "grades", "building", "writeback", "mode", "active", "district"]
    list_filter = [
        ("district", admin.RelatedOnlyFieldListFilter),
        ("building", admin.RelatedOnlyFieldListFilter),
        "writeback_enabled",
        "active",
    ]
    search_fields = ["name", "abbreviation"]
    list_select_related = ["district", "building"]
    SYNCED = ["district", "name", "number", "dcid", "abbreviation", "grades", "active", "synced_at"]
    WRITEBACK = ["writeback_enabled", "attendance_mode", "checkout_policy"]
    fieldsets = [
        (None, {"fields": [*SYNCED, "building"]}),
        (
            "Write-back",
            {
                "fields": [*WRITEBACK, "effective_settings"],
                "description": "The attendance mode must match the one set for this school in PowerSchool "
                "(Attendance Preferences); a blank mode uses the district's default.",
            },
        ),
    ]

    def rows(self, request, action):
        # schools_for also knows that a district preventing overrides keeps write-back settings to itself.
        return schools_for(request.user, action)

    def get_readonly_fields(self, request, obj=None):
        readonly = [*self.SYNCED, "effective_settings"]
        if obj is not None and obj.district.prevent_school_overrides:
            # The district decides for every school; showing editable fields that do nothing would mislead.
            readonly += self.WRITEBACK
        if obj is None or not may(request.user, Action.MANAGE_DISTRICT, obj.district):
            readonly.append("building")
        return readonly

    @admin.display(description="Write-back", boolean=True)
    def writeback(self, school):
        return school.effective_writeback_enabled

    @admin.display(description="Mode")
    def mode(self, school):
        return AttendanceMode(school.effective_attendance_mode).label

    @admin.display(description="In effect")
    def effective_settings(self, school):
        state = "on" if school.effective_writeback_enabled else "off"
        source = "the district's settings (overrides prevented)" if school.district.prevent_school_overrides else ""
        mode = AttendanceMode(school.effective_attendance_mode).label
        return f"Write-back {state}, {mode} mode" + (f", from {source}" if source else "")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building":
            kwargs["queryset"] = buildings_for(request.user, Action.MANAGE_DISTRICT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

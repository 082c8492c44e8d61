"""Who sees which write-backs, and the log's filters (only over what the person may see)."""

import django_filters
from django.db.models import Q

from raptorlink.models import Building, District
from raptorlink.permissions import Action, buildings_for, districts_for, rows_q
from writeback.models import Intent

STATUS_GROUPS = {
    "succeeded": [Intent.Status.SUCCEEDED],
    "failed": [Intent.Status.FAILED],
    "pending": [Intent.Status.PENDING, Intent.Status.SENDING],
    "conflict": [Intent.Status.CONFLICT],
    "skipped": [Intent.Status.SKIPPED],
}
STATUS_CHOICES = [
    ("succeeded", "Successful"),
    ("failed", "Failed"),
    ("pending", "Pending"),
    ("conflict", "Conflict"),
    ("skipped", "Skipped"),
]


def readable_scope(user):
    """District admins and IT viewers read their districts; building admins read their buildings."""
    return rows_q(user, Action.READ_LOG, building_path="building")


def actionable_scope(user):
    """District admins act on their districts; building admins on their buildings. IT viewers only read."""
    return rows_q(user, Action.ACT_ON_LOG, building_path="building")


def visible_intents(user):
    return Intent.objects.filter(readable_scope(user))


def visible_buildings(user):
    """The buildings whose write-backs `user` reads: what the log's building filter offers."""
    return buildings_for(user, Action.READ_LOG)


def visible_districts(user):
    """The districts whose write-backs `user` reads, district-wide or in some of their buildings."""
    return District.objects.filter(
        Q(pk__in=districts_for(user, Action.READ_LOG)) | Q(buildings__in=visible_buildings(user))
    ).distinct()


class IntentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, empty_label="All", method="filter_status")
    student = django_filters.CharFilter(label="Student name", method="filter_student")
    building = django_filters.ModelChoiceFilter(queryset=Building.objects.none(), empty_label="All buildings")
    att_date = django_filters.DateFromToRangeFilter(
        label="Date (from – to)", widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"})
    )
    kind = django_filters.ChoiceFilter(label="Type", choices=Intent.Kind.choices, empty_label="All types")
    category = django_filters.ChoiceFilter(choices=[], empty_label="All categories")
    district = django_filters.ModelChoiceFilter(queryset=District.objects.none(), empty_label="All districts")

    class Meta:
        model = Intent
        fields = ["status", "student", "building", "att_date", "kind", "category", "district"]

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["building"].queryset = visible_buildings(user)
        self.filters["district"].queryset = visible_districts(user)
        categories = queryset.exclude(category="").order_by("category").values_list("category", flat=True)
        self.filters["category"].extra["choices"] = [(name, name) for name in categories.distinct()]

    def filter_status(self, queryset, name, value):
        return queryset.filter(status__in=STATUS_GROUPS[value])

    def filter_student(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(student__first_name__icontains=word)
                | Q(student__last_name__icontains=word)
                | Q(student__preferred_name__icontains=word)
            )
        return queryset

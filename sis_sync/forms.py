from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

from sis_sync.models import ENTITIES, SyncPause, SyncSettings

ENTITY_CHOICES = [(name, name.replace("_", " ").capitalize()) for name in ENTITIES]


class SyncSettingsForm(forms.ModelForm):
    full_interval_hours = forms.IntegerField(
        label="Full sync every (hours)",
        validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text="1–24. A full sync also notices records deleted in PowerSchool.",
    )
    delta_interval_minutes = forms.IntegerField(
        label="Changes sync every (minutes)",
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
        help_text="5–1440. Pulls only what changed in PowerSchool since the last sync.",
    )
    entities = forms.MultipleChoiceField(
        choices=ENTITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="What scheduled syncs pull; none ticked means everything.",
    )

    class Meta:
        model = SyncSettings
        fields = ["district", "enabled", "full_interval_hours", "delta_interval_minutes", "entities"]

    def clean_entities(self):
        # Kept in pull order, so a stored list reads the way the sync runs.
        chosen = set(self.cleaned_data["entities"])
        return [name for name in ENTITIES if name in chosen]


class SyncPauseForm(forms.ModelForm):
    class Meta:
        model = SyncPause
        fields = ["district", "starts_on", "ends_on", "reason"]

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            raise ValidationError({"ends_on": "The pause cannot end before it starts."})
        return cleaned

from django import forms

from raptorlink.models import Membership, PowerSchoolConnection


class PowerSchoolConnectionForm(forms.ModelForm):
    """The secret is write-only: the form never renders it, and a blank entry keeps the stored one."""

    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again. Leave blank to keep the current secret.",
    )

    class Meta:
        model = PowerSchoolConnection
        fields = ["district", "base_url", "client_id", "client_secret", "max_concurrent_calls", "min_call_interval_ms"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_stored_secret = bool(self.instance.pk and self.instance.client_secret)
        self.initial.pop("client_secret", None)
        if "min_call_interval_ms" in self.fields:
            self.fields["min_call_interval_ms"].required = False
        if not self.has_stored_secret:
            self.fields["client_secret"].help_text = "Stored encrypted and never shown again."

    def clean_min_call_interval_ms(self):
        # Blank means what PowerSchool's own setting means by blank: no minimum.
        return self.cleaned_data.get("min_call_interval_ms") or 0

    def clean_base_url(self):
        return self.cleaned_data["base_url"].strip()

    def clean_client_secret(self):
        secret = self.cleaned_data.get("client_secret", "")
        if secret:
            return secret
        if self.has_stored_secret:
            return PowerSchoolConnection.objects.get(pk=self.instance.pk).client_secret
        raise forms.ValidationError("Enter the client secret from the plugin's Data Provider Configuration.")

    def save(self, commit=True):
        connection = super().save(commit=False)
        if self._credentials_changed():
            # A token belongs to the credentials that fetched it; new credentials must prove themselves.
            connection.access_token, connection.token_expires_at = "", None
        if commit:
            connection.save()
        return connection

    def _credentials_changed(self):
        return bool(self.cleaned_data.get("client_secret") and self.data.get("client_secret")) or any(
            name in self.changed_data for name in ("base_url", "client_id")
        )


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "district", "role", "buildings"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        membership = Membership(district=cleaned["district"], role=cleaned["role"])
        membership.clean_buildings(list(cleaned.get("buildings") or []))
        return cleaned

"""A stand-in for the sync engine, for tests of what calls it."""

from django.utils import timezone

from sis_sync.models import SyncRun


class FakeEngine:
    """Stands in for the sync engine: records how it was called and finishes runs with a chosen outcome."""

    @classmethod
    def install(cls, monkeypatch):
        fake = cls()
        monkeypatch.setattr("sis_sync.services.run_sync", fake.run_sync)
        return fake

    def __init__(self):
        self.calls = []
        self.status = SyncRun.Status.SUCCEEDED
        self.error_category = ""

    def run_sync(self, district, *, kind="full", trigger="command", entities=None, progress=None, client=None):
        self.calls.append({"district": district.slug, "kind": kind, "trigger": trigger, "entities": entities})
        now = timezone.now()
        return SyncRun.objects.create(
            district=district, kind=kind, trigger=trigger, status=self.status, started_at=now, finished_at=now,
            error_category=self.error_category, message="PowerSchool said no" if self.error_category else "",
        )  # fmt: skip

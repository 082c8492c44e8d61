"""manage.py sync_powerschool: sync one district (or every connected one) from PowerSchool now."""

import time

from django.core.management.base import BaseCommand, CommandError

from raptorlink.models import District
from sis_sync import services
from sis_sync.models import ENTITIES, SyncRun
from sis_sync.notify import notify_sync_outcome

COUNT_COLUMNS = ["created", "updated", "unchanged", "deactivated", "failed"]


class Command(BaseCommand):
    help = "Sync from PowerSchool now, showing progress and a summary; exits non-zero when a sync fails."

    def add_arguments(self, parser):
        parser.add_argument("--district", help="The district's slug; every district with a connection when omitted.")
        kind = parser.add_mutually_exclusive_group()
        kind.add_argument(
            "--full", action="store_const", dest="kind", const=SyncRun.Kind.FULL, help="Everything (the default)."
        )
        kind.add_argument(
            "--changes",
            action="store_const",
            dest="kind",
            const=SyncRun.Kind.DELTA,
            help="Only what changed since the last sync.",
        )
        parser.add_argument("--only", help=f"Comma-separated, from: {', '.join(ENTITIES)}.")

    def handle(self, *args, district=None, kind=None, only=None, **options):
        entities = parse_entities(only)
        failed = []
        for each in districts_to_sync(district):
            run = self.sync(each, kind or SyncRun.Kind.FULL, entities)
            if run.status == SyncRun.Status.FAILED:
                failed.append(each.slug)
        if failed:
            raise CommandError(f"The sync failed for: {', '.join(failed)}.")

    def sync(self, district, kind, entities):
        self.stdout.write(
            f"Syncing {district.name} ({district.slug}) from PowerSchool: {SyncRun.Kind(kind).label.lower()}"
        )
        progress = ProgressDisplay(self.stdout.write)
        run = services.run_sync(district, kind=kind, trigger="command", entities=entities, progress=progress)
        notify_sync_outcome(run)
        self.stdout.write(summary_table(run))
        self.stdout.write(self.status_line(run))
        return run

    def status_line(self, run):
        style = {SyncRun.Status.SUCCEEDED: self.style.SUCCESS, SyncRun.Status.FAILED: self.style.ERROR}
        status = style.get(run.status, self.style.WARNING)(run.get_status_display())
        duration = f"{run.duration.total_seconds():.1f} s" if run.duration else "—"
        line = f"Status: {status}   duration: {duration}   requests: {run.requests}"
        return f"{line}\n{run.message}" if run.message else line


def parse_entities(only):
    if not only:
        return None
    names = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENTITIES]
    if unknown or not names:
        raise CommandError(f"Unknown entity “{', '.join(unknown)}”: choose from {', '.join(ENTITIES)}.")
    return names


def districts_to_sync(slug):
    if slug:
        district = District.objects.filter(slug=slug).first()
        if district is None:
            known = ", ".join(District.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
            raise CommandError(f"No district “{slug}”. Known districts: {known}.")
        return [district]
    districts = list(District.objects.filter(powerschool__isnull=False).order_by("slug"))
    if not districts:
        raise CommandError("No district has a PowerSchool connection yet.")
    return districts


class ProgressDisplay:
    """Shows what the sync is doing and how fast, at most once a second per entity between its start and end."""

    INTERVAL_S = 1.0

    def __init__(self, write, clock=time.monotonic):
        self.write = write
        self.clock = clock
        self.started = {}
        self.shown_at = 0.0

    def __call__(self, entity, processed, message=""):
        now = self.clock()
        if message == "started":
            self.started[entity] = self.shown_at = now
            self.write(f"  {entity}: pulling…")
            return
        if message != "finished" and now - self.shown_at < self.INTERVAL_S:
            return
        self.shown_at = now
        elapsed = now - self.started.get(entity, now)
        rate = f"{processed / elapsed:,.0f}/s" if elapsed > 0 else "—/s"
        verb = "done" if message == "finished" else "so far"
        self.write(f"  {entity}: {processed:,} records {verb}, {rate}")


def summary_table(run):
    if not run.counts:
        return "Nothing was synced."
    width = max(len("entity"), *(len(entity) for entity in run.counts))
    header = "entity".ljust(width) + "".join(column.rjust(13) for column in COUNT_COLUMNS)
    rows = [
        entity.ljust(width) + "".join(f"{counts.get(column, 0):,}".rjust(13) for column in COUNT_COLUMNS)
        for entity, counts in run.counts.items()
    ]
    return "\n".join([header, "-" * len(header), *rows])

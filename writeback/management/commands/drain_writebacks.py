"""manage.py drain_writebacks [--once]: write due attendance intents to PowerSchool from the command line."""

from time import sleep

from django.core.management.base import BaseCommand

from writeback.engine.drainer import drain, worker_name

IDLE_SLEEP_SECONDS = 1.0


class Command(BaseCommand):
    help = (
        "Write due attendance intents to PowerSchool. With --once, drain what is due and stop; without it, keep "
        "draining (pausing briefly when nothing is due) until Ctrl-C. Safe beside django-q2 workers."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Drain what is due now, then stop.")

    def handle(self, *args, once=False, **options):
        worker = worker_name()
        total = 0
        try:
            while True:
                processed = drain(worker)
                total += processed
                if once:
                    break
                if not processed:
                    sleep(IDLE_SLEEP_SECONDS)
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
        self.stdout.write(f"Processed {total} write-backs.")

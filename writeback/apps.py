from django.apps import AppConfig


class WritebackConfig(AppConfig):
    name = "writeback"
    verbose_name = "Write-back"

    def ready(self):
        from raptorlink.schedules import register_schedule_setup
        from writeback.schedules import setup_drain_schedule

        register_schedule_setup(setup_drain_schedule)

from django.apps import AppConfig


class SisSyncConfig(AppConfig):
    name = "sis_sync"
    verbose_name = "SIS sync"

    def ready(self):
        from raptorlink.schedules import register_schedule_setup
        from sis_sync import signals  # noqa: F401
        from sis_sync.schedules import setup_csv_drop_schedules, setup_sync_schedules

        register_schedule_setup(setup_sync_schedules)
        register_schedule_setup(setup_csv_drop_schedules)

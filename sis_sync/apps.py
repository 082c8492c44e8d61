from django.apps import AppConfig


class SisSyncConfig(AppConfig):
    name = "sis_sync"
    verbose_name = "SIS sync"

    def ready(self):
        from sis_sync import signals  # noqa: F401

from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "kiosk"
    verbose_name = "Kiosk"

    def ready(self):
        from kiosk import signals  # noqa: F401 — connects the receivers

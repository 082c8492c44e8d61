from django.apps import AppConfig


class RaptorlinkConfig(AppConfig):
    name = "raptorlink"
    verbose_name = "RaptorLink"

    def ready(self):
        from raptorlink.audit import signals_connect

        signals_connect()

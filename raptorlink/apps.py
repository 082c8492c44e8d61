from django.apps import AppConfig


class RaptorlinkConfig(AppConfig):
    name = "raptorlink"
    verbose_name = "RaptorLink"

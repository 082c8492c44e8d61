"""The only way RaptorLink speaks to PowerSchool."""

from raptorlink.powerschool.client import PowerSchoolClient

__all__ = ["PowerSchoolClient"]

"""Every app's recurring tasks, set up by one deploy command: `manage.py setup_schedules`.

Each app registers a setup function in its AppConfig.ready(); the function creates or corrects that app's
django-q2 schedules idempotently and returns lines saying what it did. The core calls them without importing the
apps, so dependencies keep pointing one way.
"""

_setups = []


def register_schedule_setup(setup):
    if setup not in _setups:
        _setups.append(setup)
    return setup


def run_schedule_setups():
    """Run every registered setup, in registration (app) order; returns their report lines."""
    return [line for setup in _setups for line in setup()]

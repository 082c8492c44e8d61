"""Roster sources other than the PowerSchool plugin: OneRoster CSV (1.1, 1.2) and Clever CSV sets, read into the
same tables the PowerSchool sync fills (see oneroster.py and clever.py for the rules each format is held to)."""

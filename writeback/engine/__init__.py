"""The write-back engine: apply outbox intents to PowerSchool in Daily, Time or Meeting mode (drainer.py runs it)."""

"""The PowerSchool sync engine: streamed pulls, fingerprinted bulk upserts, and the run that records them.

`runner` runs a whole sync; each entity module pulls one group of PowerSchool tables, maps every row to
RaptorLink's fields (or to a SyncIssue) and hands it to an `upsert.Upserter`.
"""

"""The front desk: staff signed in with their own login, working for the buildings their role covers.

Pages (`pages`) render once; everything the desk does afterwards goes through the JSON endpoints (`api`), so a
secretary with a queue never waits for a page to load.
"""

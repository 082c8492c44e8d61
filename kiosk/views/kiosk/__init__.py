"""The kiosk at a building's entrance: find the student, late check-in or early check-out, a printable pass.

Every view acts only for the enrolled kiosk's own building (`request.kiosk.building`). The JSON endpoints answer
every refusal with a message to show, never with an error page, so the page can always say what to do next.

Sign-ins kept by the page while the server could not be reached arrive later with `occurred_at`, the moment they
happened. That time is accepted only for such replays, never in the future (a kiosk clock up to two minutes ahead
is read as now), and only on the building's today: attendance of another day is a delayed entry for staff. A replay
the server refuses is kept as an `UnrecordedSignIn` for the front desk, so nothing a student did at the door is lost.
"""

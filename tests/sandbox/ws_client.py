"""Calls to the sandbox's /ws/ API through SandboxApp, authenticated as the installed plugin, plugin grants and district lookups."""

import base64
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from sandbox.app import SandboxApp
from sandbox.http import Request

BASE_URL = "https://district.example"


@dataclass
class Answer:
    status: int
    body: bytes

    @property
    def json(self):
        return json.loads(self.body) if self.body else None


class WsClient:
    def __init__(self, store):
        self.store = store
        self.app = SandboxApp(store)
        self.token = self._token()

    def get(self, path, **query):
        return self.call("GET", path, query)

    def post(self, path, body=None, **query):
        return self.call("POST", path, query, body)

    def put(self, path, body=None, **query):
        return self.call("PUT", path, query, body)

    def delete(self, path):
        return self.call("DELETE", path)

    def call(self, method, path, query=None, body=None):
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Host": "district.example",
            "X-Forwarded-Proto": "https",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        payload = json.dumps(body).encode() if body is not None else b""
        response = self.app.handle(Request.build(method, path, urlencode(query or {}), headers, payload))
        return Answer(response.status, response.body)

    def _token(self):
        plugin = self.store.query_one("SELECT client_id, client_secret FROM sandbox_plugin")
        basic = base64.b64encode(f"{plugin['client_id']}:{plugin['client_secret']}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"}
        response = self.app.handle(
            Request.build("POST", "/oauth/access_token", "", headers, b"grant_type=client_credentials")
        )
        return json.loads(response.body)["access_token"]


def grant(store, table, column, access):
    """Set the plugin's access to one field; "NoAccess" removes the grant."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM sandbox_field_access WHERE table_name = ? AND field_name = ?", (table, column))
        if access != "NoAccess":
            conn.execute("INSERT INTO sandbox_field_access VALUES (?, ?, ?)", (table, column, access))


def enrolled_student(store, mode="ATT_ModeMeeting", day="2026-10-14"):
    """A student in class on `day` at a school that records attendance in `mode`."""
    return store.query_one(
        "SELECT s.* FROM students s JOIN sandbox_attendance_mode m ON m.schoolid = s.schoolid AND m.yearid = 36 "
        "WHERE m.att_mode_code = ? AND s.enroll_status = 0 AND s.entrydate <= ? "
        "AND EXISTS (SELECT 1 FROM cc WHERE cc.studentid = s.id AND cc.sectionid > 0 AND cc.dateenrolled <= ? AND cc.dateleft > ?) "
        "ORDER BY s.dcid LIMIT 1",
        (mode, day, day, day),
    )

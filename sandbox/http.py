"""Transport-neutral requests and responses: the HTTP server and the `responses` callbacks both speak these."""

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    query: dict = field(default_factory=dict)  # name -> last value (PowerSchool never repeats a parameter)
    headers: dict = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @classmethod
    def build(cls, method, path, query_string="", headers=None, body=b""):
        query = {name: values[-1] for name, values in parse_qs(query_string, keep_blank_values=True).items()}
        headers = {name.lower(): value for name, value in (headers or {}).items()}
        return cls(method.upper(), path, query, headers, body or b"")

    def json(self):
        """The body as JSON; raises ValueError with a readable message when it is not."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"The request body is not valid JSON: {error}") from error


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict = field(default_factory=dict)

    @classmethod
    def json(cls, payload, status=200, headers=None):
        body = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status, body, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})})

    @classmethod
    def empty(cls, status=204, headers=None):
        return cls(status, b"", dict(headers or {}))

    @classmethod
    def message(cls, status, text, headers=None):
        """PowerSchool's generic error body: {"message": "..."}."""
        return cls.json({"message": text}, status, headers)


class HttpError(Exception):
    """Raised anywhere in a handler to answer with a ready-made response."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response

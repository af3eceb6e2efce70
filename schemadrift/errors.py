"""Errors with one-line messages (exit code 2 on the command line) and password redaction."""
from __future__ import annotations

import re


class SchemadriftError(Exception):
    """Any error schemadrift reports to its user: one line, never a password."""

    def __init__(self, message: str):
        super().__init__(redact(" ".join(str(message).split())))


class UsageError(SchemadriftError):
    """Bad options or arguments."""


class SourceError(SchemadriftError):
    """A source that cannot be read: bad URL, unreachable server, bad file, bad models."""


class PlanError(SchemadriftError):
    """A change the planner cannot turn into SQL for this dialect."""


_URL_PASSWORD = re.compile(r"(?P<head>[a-z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^@\s]*)(?P<at>@)", re.I)
_KEYWORD_PASSWORD = re.compile(r"(?P<head>password\s*[=:]\s*)(?P<pw>'[^']*'|\"[^\"]*\"|\S+)", re.I)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every password (in URLs, ``password=…`` and the given secrets) masked."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + "***" + m["at"], text)
    text = _KEYWORD_PASSWORD.sub(lambda m: m["head"] + "***", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text

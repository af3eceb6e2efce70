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


# the password runs to the last "@" of the authority: an unencoded "@" in it must not leak the rest
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][\w+.-]*://[^:/@\s]*:)(?P<pw>[^/\s]*)(?P<at>@)", re.I)
#: shorter secrets are masked only where they stand as a URL's password (elsewhere they would
#: garble the message: a password "p" is in every word with a p)
MIN_SECRET = 4
_KEYWORD_PASSWORD = re.compile(r"(?P<head>password\s*[=:]\s*)(?P<pw>'[^']*'|\"[^\"]*\"|\S+)", re.I)


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every password (in URLs, ``password=…`` and the given secrets) masked."""
    text = _URL_PASSWORD.sub(lambda m: m["head"] + "***" + m["at"], text)
    text = _KEYWORD_PASSWORD.sub(lambda m: m["head"] + "***", text)
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret and len(secret) >= MIN_SECRET:
            text = text.replace(secret, "***")
    return text


def url_secrets(texts) -> tuple[str, ...]:
    """The passwords of the URLs among ``texts`` (raw and percent-decoded, and the pieces of one
    with an unencoded ``@``, which a driver may echo as part of a host name), to mask wherever
    they might be echoed."""
    from urllib.parse import unquote

    found: list[str] = []
    for text in texts:
        for m in _URL_PASSWORD.finditer(str(text)):
            password = m["pw"]
            found += [password, unquote(password), *password.split("@")]
    return tuple(x for x in dict.fromkeys(found) if x)

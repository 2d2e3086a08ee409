"""What makes text an http(s) URL this generator may request: the one check `index-url:` in
matrix.yml, `check --index-url` and a lock export's file URLs all make."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass

_HOST = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class UrlProblem:
    what: str  # the URL and what is wrong with it, e.g. "'ftp://x' is not an http(s) URL …"
    fix: str | None = None  # the fix whatever the URL is for; None: the caller names one


def http_url_problem(text: str) -> UrlProblem | None:
    """What is wrong with text as an http(s) URL with a host, or None if nothing is."""
    try:
        parts = urllib.parse.urlsplit(text)
        host = parts.hostname
        _ = parts.port  # raises for a port that is not a number
    except ValueError as error:  # e.g. http://[::1
        return UrlProblem(f"{text!r} is not a URL ({error})")
    if parts.scheme not in ("http", "https") or not host:
        return UrlProblem(f"{text!r} is not an http(s) URL with a host")
    if any(char.isspace() or not char.isprintable() for char in text):
        # urlsplit drops tabs and newlines silently: the URL used would not be the one shown
        return UrlProblem(f"{text!r} has a space or control character", "remove it")
    if ":" not in host and not _HOST.fullmatch(host):  # ':': an IPv6 address urlsplit checked
        return UrlProblem(f"{text!r} has a host {host!r} no URL can have")
    return None

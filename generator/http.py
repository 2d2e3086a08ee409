"""The one way this generator opens HTTP sessions: one User-Agent, no cookies.

PyPI asks clients for a descriptive User-Agent with a way to reach the maintainers; the
index, the file downloads and GitHub's API all get the same one.
"""

from __future__ import annotations

import http.cookiejar
from importlib import metadata

import requests
from requests.adapters import HTTPAdapter

# Placeholder until the repository has its public home; PyPI asks for a way to reach us.
PROJECT_URL = "https://github.com/OWNER/python-musl-wheels"


def user_agent() -> str:
    try:
        version = metadata.version("python-musl-wheels")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    return f"python-musl-wheels/{version} (+{PROJECT_URL}) requests/{requests.__version__}"


def new_session(adapter: HTTPAdapter | None = None) -> requests.Session:
    """A session with our User-Agent that accepts no cookies (no server here needs one),
    using `adapter` (retries, pooling, caching) for http and https when given."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    if adapter is not None:
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return session

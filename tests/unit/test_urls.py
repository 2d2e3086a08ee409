"""core.urls: the one http(s) URL check matrix.yml, `check --index-url` and lock exports share."""

from __future__ import annotations

import pytest

from generator.core.urls import UrlProblem, http_url_problem


@pytest.mark.parametrize(
    "url",
    ["https://pypi.org/simple/", "http://127.0.0.1:8080/simple/", "http://[::1]:3141/root/"],
)
def test_an_http_url_with_a_host_has_no_problem(url: str) -> None:
    assert http_url_problem(url) is None


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("http://[::1", UrlProblem("'http://[::1' is not a URL (Invalid IPv6 URL)")),
        (
            "http://host:port/",
            UrlProblem(
                "'http://host:port/' is not a URL "
                "(Port could not be cast to integer value as 'port')"
            ),
        ),
        (
            "file:///etc/passwd",
            UrlProblem("'file:///etc/passwd' is not an http(s) URL with a host"),
        ),
        ("notaurl", UrlProblem("'notaurl' is not an http(s) URL with a host")),
        ("http://a b/", UrlProblem("'http://a b/' has a space or control character", "remove it")),
        (
            "http://a\tb/",
            UrlProblem("'http://a\\tb/' has a space or control character", "remove it"),
        ),
        ("http://a%20b/", UrlProblem("'http://a%20b/' has a host 'a%20b' no URL can have")),
    ],
)
def test_what_is_wrong_says_which_part(url: str, problem: UrlProblem) -> None:
    assert http_url_problem(url) == problem

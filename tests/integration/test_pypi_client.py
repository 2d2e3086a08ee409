"""The PyPI client against recorded PyPI answers on 127.0.0.1, with injected faults."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict, Unpack

import pytest
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import parse_wheel_filename
from packaging.version import Version
from support.pypi_server import FIXTURES, Fault, FixtureIndex, Sleeps, running_index

from generator.errors import Failure, UserError
from generator.pypi import (
    MetadataUnavailable,
    ProjectFiles,
    ProjectNotFound,
    PyPIClient,
    RetryPolicy,
    VersionNotFound,
    default_index_url,
    simple_page,
    transport,
)
from generator.pypi.client import Listing
from generator.pypi.json_api import json_api_base

FIXTURE_PROJECTS = sorted(json.loads((FIXTURES / "manifest.json").read_text())["projects"])


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


class ClientOptions(TypedDict, total=False):
    """The PyPIClient keywords these tests vary."""

    cache_dir: Path | None
    max_workers: int
    listing: Listing


def make_client(
    index: FixtureIndex, sleeps: Sleeps, **options: Unpack[ClientOptions]
) -> PyPIClient:
    retry = RetryPolicy(attempts=3, backoff=0.5, timeout=(2.0, 0.3), sleep=sleeps)
    return PyPIClient(index.index_url, retry=retry, **options)


@pytest.fixture
def client(pypi_index: FixtureIndex, sleeps: Sleeps) -> Iterator[PyPIClient]:
    with make_client(pypi_index, sleeps) as made:
        yield made


@pytest.fixture(params=["html-only", "json-only"])
def one_format_index(request: pytest.FixtureRequest) -> Iterator[FixtureIndex]:
    with running_index(request.param) as index:
        yield index


def musllinux_archs(release_files: ProjectFiles, version: str) -> set[str]:
    archs = set()
    for wheel in release_files.releases()[Version(version)].wheels:
        for tag in parse_wheel_filename(wheel.filename)[3]:
            if tag.platform.startswith("musllinux_"):
                archs.add(tag.platform.split("_", 3)[3])
    return archs


# -- formats and negotiation -------------------------------------------------------


def test_asks_for_pep691_json_first_and_accepts_html(
    client: PyPIClient, pypi_index: FixtureIndex
) -> None:
    client.project_files("six")
    accept = pypi_index.requests_to("/simple/six/")[0].headers["Accept"]
    assert accept.startswith("application/vnd.pypi.simple.v1+json")
    assert "text/html" in accept


def test_sends_a_descriptive_user_agent(client: PyPIClient, pypi_index: FixtureIndex) -> None:
    client.project_files("six")
    agent = pypi_index.requests_to("/simple/six/")[0].headers["User-Agent"]
    assert agent.startswith("python-musl-wheels/")
    assert "https://" in agent


def test_html_only_and_json_only_indexes_give_the_same_files(
    one_format_index: FixtureIndex, sleeps: Sleeps
) -> None:
    with make_client(one_format_index, sleeps) as client:
        pyyaml = client.project_files("PyYAML")
    recorded_html = (FIXTURES / "simple" / "pyyaml.html").read_text()
    assert {f.filename for f in pyyaml.files} == set(re.findall(r">([^<>]+)</a>", recorded_html))
    sdist = pyyaml.releases()[Version("6.0.3")].sdist
    assert sdist is not None
    assert sdist.filename == "pyyaml-6.0.3.tar.gz"
    assert sdist.sha256 == "d76623373421df22fb4cf8817020cbb7ef15c725b9d5e45f17e189bfc384190f"
    assert sdist.requires_python == ">=3.8"
    assert sdist.upload_time is not None  # PEP 700 in JSON; data-upload-time in this HTML
    assert sdist.url.startswith(one_format_index.url + "/files/")


def test_json_only_index_reports_pep700_sizes_and_versions(sleeps: Sleeps) -> None:
    with running_index("json-only") as index, make_client(index, sleeps) as client:
        six = client.project_files("six")
    assert six.listed_versions == ("1.16.0", "1.17.0")
    assert all(f.size and f.size > 0 for f in six.files)


@pytest.mark.parametrize("project", FIXTURE_PROJECTS)
def test_json_api_listing_matches_the_simple_index(
    pypi_index: FixtureIndex, sleeps: Sleeps, project: str
) -> None:
    with (
        make_client(pypi_index, sleeps) as simple,
        make_client(pypi_index, sleeps, listing="json-api") as api,
    ):
        from_simple, from_api = simple.project_files(project), api.project_files(project)

    def facts(files: ProjectFiles) -> set[tuple[object, ...]]:
        return {
            (
                f.filename,
                f.sha256,
                f.requires_python,
                f.yanked,
                f.yanked_reason,
                f.upload_time,
                f.package_type,
                f.url.rsplit("/", 1)[1],
            )
            for f in files.files
        }

    assert facts(from_api) == facts(from_simple)
    assert pypi_index.requests_to(f"/pypi/{project}/json")
    # Versions agree too, except where a filename misleads: the JSON API says which
    # release a file belongs to, a simple page has only the name (read as pip reads it).
    simple_versions = {f.filename: f.version for f in from_simple.files}
    differ = {
        f.filename: (f.version, simple_versions[f.filename])
        for f in from_api.files
        if f.version != simple_versions[f.filename]
    }
    assert differ == VERSION_FROM_RELEASE_NOT_FILENAME.get(project, {})


# cffi's 1.0.2 sdist: PyPI lists it under 1.0.2; its name reads 1.0.2-2 = 1.0.2.post2.
VERSION_FROM_RELEASE_NOT_FILENAME = {
    "cffi": {"cffi-1.0.2-2.tar.gz": (Version("1.0.2"), Version("1.0.2.post2"))},
}


def test_json_api_listing_resolves_relative_file_urls(
    pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    with make_client(pypi_index, sleeps, listing="json-api") as client:
        files = client.project_files("argon2-cffi-bindings")
        assert all(f.url.startswith(pypi_index.url + "/packages/packages/") for f in files.files)
        assert all(f.size for f in files.files)


# -- the cases issue 3 needs, as recorded (README.md) --------------------------------


def test_pyyaml_has_musllinux_wheels_for_some_archs_only(client: PyPIClient) -> None:
    assert musllinux_archs(client.project_files("pyyaml"), "6.0.3") == {"x86_64", "aarch64"}


def test_six_is_pure(client: PyPIClient) -> None:
    wheels = client.project_files("six").releases()[Version("1.17.0")].wheels
    assert [w.filename for w in wheels] == ["six-1.17.0-py2.py3-none-any.whl"]


def test_bcrypt_has_abi3_musllinux_wheels(client: PyPIClient) -> None:
    bcrypt = client.project_files("bcrypt")
    tags = {
        t
        for w in bcrypt.releases()[Version("5.0.0")].wheels
        for t in parse_wheel_filename(w.filename)[3]
    }
    assert Tag("cp39", "abi3", "musllinux_1_2_x86_64") in tags
    assert musllinux_archs(bcrypt, "5.0.0") == {"x86_64", "aarch64"}


def test_yanked_release_keeps_its_reason(client: PyPIClient) -> None:
    release = client.project_files("bcrypt").releases()[Version("4.1.0")]
    assert release.yanked
    assert release.yanked_reason == "Incompatibility with assumptions made by passlib."
    assert not client.project_files("bcrypt").releases()[Version("4.1.1")].yanked


def test_pre_releases_are_listed_and_flagged(client: PyPIClient) -> None:
    releases = client.project_files("pyyaml").releases()
    prereleases = [str(v) for v, r in releases.items() if r.is_prerelease]
    assert prereleases == ["5.1b7", "6.0b1", "6.0.2rc1"]
    assert releases[Version("6.0.2rc1")].yanked  # a yanked pre-release, too


def test_releases_without_sdist(client: PyPIClient) -> None:
    ziglang = client.project_files("ziglang").releases()[Version("0.17.1")]
    assert ziglang.sdist is None
    # ... yet covered everywhere by py3-none-musllinux_1_1_<arch> wheels
    assert musllinux_archs(client.project_files("ziglang"), "0.17.1") == {
        "x86_64",
        "i686",
        "aarch64",
        "armv7l",
        "ppc64le",
        "s390x",
        "riscv64",
    }
    pywin32 = client.project_files("pywin32").releases()[Version("312")]
    assert pywin32.sdist is None
    assert all("win" in w.filename for w in pywin32.wheels)


def test_requires_python_excludes_old_pythons(client: PyPIClient) -> None:
    releases = client.project_files("cffi").releases()
    assert releases[Version("2.1.1")].requires_python == ">=3.10"
    assert releases[Version("1.17.1")].requires_python == ">=3.8"


def test_argon2_needs_cffi_which_lacks_riscv64_musllinux_wheels(client: PyPIClient) -> None:
    meta = client.release_metadata("argon2-cffi-bindings", Version("26.2.0"))
    assert 'cffi>=2; python_version >= "3.14"' in meta.requires_dist
    assert "riscv64" in musllinux_archs(client.project_files("argon2-cffi-bindings"), "26.2.0")
    assert "riscv64" not in musllinux_archs(client.project_files("cffi"), "2.1.1")


# -- release metadata ----------------------------------------------------------------


def test_release_metadata_from_the_json_api_where_it_exists(
    client: PyPIClient, pypi_index: FixtureIndex
) -> None:
    project = json.loads((FIXTURES / "json" / "six.json").read_text())
    # PyPI's per-version answer for the newest release has the project answer's info.
    pypi_index.routes["/pypi/six/1.17.0/json"] = (
        200,
        "application/json",
        json.dumps({"info": project["info"], "urls": project["urls"]}).encode(),
    )
    meta = client.release_metadata("six", Version("1.17.0"))
    assert meta.source.endswith("/pypi/six/1.17.0/json")
    assert meta.requires_python == "!=3.0.*,!=3.1.*,!=3.2.*,>=2.7"
    assert meta.requires_dist == ()
    assert pypi_index.requests_to("/simple/six/") == []  # one request was enough


def test_release_metadata_falls_back_to_pep658_and_stops_asking_the_json_api(
    client: PyPIClient, pypi_index: FixtureIndex
) -> None:
    meta = client.release_metadata("cffi", Version("2.0.0"))
    assert meta.source.endswith("cffi-2.0.0-cp310-cp310-macosx_10_13_x86_64.whl.metadata")
    assert meta.requires_dist == ('pycparser; implementation_name != "PyPy"',)
    assert meta.requires_python == ">=3.9"
    client.release_metadata("pyyaml", Version("6.0.2"))
    assert pypi_index.requests_to("/pypi/pyyaml/6.0.2/json") == []


def test_release_metadata_of_the_newest_sdist_only_answer_via_project_json(
    client: PyPIClient,
) -> None:
    meta = client.release_metadata("argon2-cffi-bindings", Version("26.2.0"))
    assert meta.source.endswith("/pypi/argon2-cffi-bindings/json")
    assert meta.requires_python == ">=3.10"


def test_release_metadata_unavailable_is_a_clear_failure(client: PyPIClient) -> None:
    with pytest.raises(MetadataUnavailable, match=r"bcrypt 4\.3\.0.*\.metadata"):
        client.release_metadata("bcrypt", Version("4.3.0"))


def test_unknown_version_is_a_user_error(client: PyPIClient) -> None:
    with pytest.raises(VersionNotFound, match=r"six 9\.9 is not on the index") as raised:
        client.release_metadata("six", Version("9.9"))
    assert raised.value.exit_code == 2


# -- faults ------------------------------------------------------------------------


def test_500_then_success(client: PyPIClient, pypi_index: FixtureIndex, sleeps: Sleeps) -> None:
    pypi_index.inject("/simple/six/", Fault("status", 500))
    assert client.project_files("six").files
    assert len(pypi_index.requests_to("/simple/six/")) == 2
    assert sleeps == [0.5]
    assert client.stats.retries == 1


def test_429_honours_retry_after(
    client: PyPIClient, pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    pypi_index.inject("/simple/six/", Fault("status", 429, {"Retry-After": "7"}))
    client.project_files("six")
    assert sleeps == [7.0]


def test_429_retry_after_is_capped(
    client: PyPIClient, pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    pypi_index.inject("/simple/six/", Fault("status", 429, {"Retry-After": "86400"}))
    client.project_files("six")
    assert sleeps == [RetryPolicy().retry_after_cap]


def test_persistent_5xx_is_a_bounded_failure_naming_url_and_error(
    client: PyPIClient, pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    pypi_index.inject("/simple/six/", *[Fault("status", 503)] * 3)
    with pytest.raises(Failure, match=r"/simple/six/ after 3 attempts.*HTTP 503") as raised:
        client.project_files("six")
    assert raised.value.exit_code == 1
    assert sleeps == [0.5, 1.0]


def test_hung_response_times_out_and_is_retried(
    client: PyPIClient, pypi_index: FixtureIndex
) -> None:
    pypi_index.inject("/simple/six/", Fault("hang"))
    assert client.project_files("six").files


def test_always_hung_is_a_clear_failure(client: PyPIClient, pypi_index: FixtureIndex) -> None:
    pypi_index.inject("/simple/six/", *[Fault("hang")] * 3)
    expected = r"giving up on http://127\.0\.0\.1:\d+/simple/six/.*timed out"
    with pytest.raises(Failure, match=expected):
        client.project_files("six")


def test_body_cut_short_of_its_content_length_is_retried(
    client: PyPIClient, pypi_index: FixtureIndex
) -> None:
    pypi_index.inject("/simple/pyyaml/", Fault("truncate"))
    assert len(client.project_files("pyyaml").files) == 213
    assert len(pypi_index.requests_to("/simple/pyyaml/")) == 2


def test_truncated_json_is_retried_and_never_served_from_cache(sleeps: Sleeps) -> None:
    with running_index("negotiate", etags=True) as index:
        index.inject("/pypi/argon2-cffi-bindings/json", Fault("short-json"))
        with make_client(index, sleeps) as client:
            meta = client.release_metadata("argon2-cffi-bindings", Version("26.2.0"))
        assert meta.requires_python == ">=3.10"
        retry = index.requests_to("/pypi/argon2-cffi-bindings/json")[1]
        assert "If-None-Match" not in retry.headers


def test_persistently_truncated_json_is_a_clear_failure(
    client: PyPIClient, pypi_index: FixtureIndex
) -> None:
    pypi_index.inject("/pypi/argon2-cffi-bindings/json", *[Fault("short-json")] * 3)
    with pytest.raises(Failure, match=r"argon2-cffi-bindings/json.*unusable response body"):
        client.release_metadata("argon2-cffi-bindings", Version("26.2.0"))


def test_unknown_module_names_the_module(
    client: PyPIClient, pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    expected = r"module 'no-such-module' is not on the index"
    with pytest.raises(ProjectNotFound, match=expected) as raised:
        client.project_files("no-such-module")
    assert isinstance(raised.value, UserError)
    assert sleeps == []  # a 404 is an answer, not a fault to retry


def test_forbidden_is_not_retried(
    client: PyPIClient, pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    pypi_index.inject("/simple/six/", Fault("status", 403))
    with pytest.raises(Failure, match=r"HTTP 403.*index URL"):
        client.project_files("six")
    assert sleeps == []


# -- cache, counters, concurrency -------------------------------------------------------


def test_etag_revalidation_serves_304_from_the_cache_dir(tmp_path: Path, sleeps: Sleeps) -> None:
    with running_index("negotiate", etags=True) as index:
        with make_client(index, sleeps, cache_dir=tmp_path) as first_run:
            first = first_run.project_files("pyyaml")
        with make_client(index, sleeps, cache_dir=tmp_path) as second_run:
            second = second_run.project_files("pyyaml")
            stats = second_run.stats.snapshot()
        assert first == second
        sent = index.requests_to("/simple/pyyaml/")
        assert "If-None-Match" not in sent[0].headers
        assert sent[1].headers["If-None-Match"].startswith('"')
        assert stats["requests"] == 1
        assert stats["not_modified"] == 1
        assert stats["bytes_received"] == 0


def test_stats_count_requests_and_bytes(client: PyPIClient, pypi_index: FixtureIndex) -> None:
    client.project_files("six")
    stats = client.stats.snapshot()
    assert stats["requests"] == 1
    served = pypi_index.content("/simple/six/", accept=simple_page.ACCEPT)[2]
    assert stats["bytes_received"] == len(served)


def test_many_projects_concurrently_keep_failures_apart(
    pypi_index: FixtureIndex, sleeps: Sleeps
) -> None:
    names = [*FIXTURE_PROJECTS, "no-such-module"]
    with make_client(pypi_index, sleeps, max_workers=4) as client:
        results = client.project_files_many(names)
        stats = client.stats.snapshot()
    assert list(results) == names
    assert isinstance(results["no-such-module"], ProjectNotFound)
    assert all(isinstance(results[name], ProjectFiles) for name in FIXTURE_PROJECTS)
    assert stats["requests"] == len(names)


def test_a_project_is_fetched_once_per_client(pypi_index: FixtureIndex, sleeps: Sleeps) -> None:
    with make_client(pypi_index, sleeps, max_workers=8) as client:
        results = client.map_concurrently(client.project_files, ["six", "Six", "SIX", "six"] * 4)
        again = client.project_files("six")
    assert len({id(files) for files in results.values()} | {id(again)}) == 1
    assert len(pypi_index.requests_to("/simple/six/")) == 1


def test_a_failed_fetch_is_asked_again(pypi_index: FixtureIndex, sleeps: Sleeps) -> None:
    pypi_index.inject("/simple/six/", *[Fault("status", 503)] * 3)
    with make_client(pypi_index, sleeps) as client:
        with pytest.raises(Failure):
            client.project_files("six")
        assert client.project_files("six").files


def test_an_unexpected_error_fails_only_its_item(client: PyPIClient) -> None:
    def work(item: str) -> str:
        if item == "b":
            raise KeyError("filename")
        return item.upper()

    results = client.map_concurrently(work, ["a", "b", "c"])
    assert results["a"] == "A" and results["c"] == "C"
    failure = results["b"]
    assert isinstance(failure, Failure)
    assert str(failure).startswith("unexpected KeyError at test_pypi_client.py:")
    assert "'filename'" in str(failure)


def test_index_url_defaults_to_pip_index_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", "https://mirror.example/simple/")
    assert default_index_url() == "https://mirror.example/simple/"
    monkeypatch.delenv("PIP_INDEX_URL")
    assert default_index_url() == "https://pypi.org/simple/"


def test_json_api_base_follows_pypi_layout() -> None:
    assert json_api_base("https://pypi.org/simple/") == "https://pypi.org/pypi"
    assert json_api_base("http://127.0.0.1:8080/simple") == "http://127.0.0.1:8080/pypi"
    assert json_api_base("https://mirror.example/root/pypi/+simple/") is None


# -- the real registry ---------------------------------------------------------------


@pytest.mark.live
def test_live_pypi_six() -> None:
    with PyPIClient("https://pypi.org/simple/") as client:
        six = client.project_files("six")
        release = six.releases()[Version("1.17.0")]
        assert "six-1.17.0-py2.py3-none-any.whl" in {w.filename for w in release.wheels}
        assert release.sdist is not None
        assert release.sdist.sha256
        meta = client.release_metadata("six", Version("1.17.0"), files=six)
        expected = SpecifierSet(">=2.7,!=3.0.*,!=3.1.*,!=3.2.*")
        assert SpecifierSet(meta.requires_python or "") == expected


def test_an_answer_that_drips_is_cut_at_its_deadline(
    client: PyPIClient, pypi_index: FixtureIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One byte every 50 ms never trips a read timeout; the whole-answer deadline does."""
    monkeypatch.setattr(transport, "ANSWER_DEADLINE", 1.0)
    pypi_index.inject("/simple/six/", *[Fault("drip")] * 3)
    started = time.monotonic()
    with pytest.raises(Failure, match=r"giving up on .*/simple/six/.*did not arrive within 1 s"):
        client.project_files("six")
    assert time.monotonic() - started < 3 * 1.0 + 5  # 3 attempts, no hour-long read


def test_a_gzip_bomb_is_refused_without_inflating_it(
    client: PyPIClient, pypi_index: FixtureIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """64 MB of zeros gzipped (~64 kB); the limit, lowered to 8 MB, stops it while reading.
    What that costs in memory is measured on a generator process of its own, by its own
    rusage: test_child_bounds.py."""
    monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", 8 << 20)
    pypi_index.inject("/simple/six/", Fault("gzip-bomb", size=64 << 20))
    with pytest.raises(Failure, match=r"larger than 8 MB decoded"):
        client.project_files("six")
    assert len(pypi_index.requests_to("/simple/six/")) == 1  # refused, not retried

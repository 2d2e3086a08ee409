"""The catalog page in a real headless browser (Debian's chromium, driven by selenium through
/usr/bin/chromedriver), loaded from file:// as the `catalog` verb wrote it: the filter really
filters, the lines shown are exactly right, nothing overflows a 375 px phone, the tables have
real headers, the status is in words with enough contrast, and hostile names stay text; the
bundles section gives each bundle's lines, tags, members and archs, and the filter covers it."""

from __future__ import annotations

import shlex
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from support.catalog_site import (
    HOSTILE,
    HOSTILE_MARKER,
    HOSTILE_MODULE,
    HOSTILE_VERSION,
    write_site,
)

from generator.core.platforms import ARCHS
from generator.publish.images.tags import bundle_arch_tag, bundle_list_tag

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
# Chromium as root in a container, with no network but loopback and no first-run chatter.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (scripts/install-system-deps)",
)


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_site(tmp_path_factory.mktemp("catalog")).as_uri()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_at(browser: WebDriver, url: str, width: int, *, mobile: bool = False) -> None:
    # Headless windows cannot be narrower than 500 px: emulate the phone's viewport instead.
    metrics = {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": mobile}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    browser.get(url)


def visible_families(browser: WebDriver) -> list[tuple[str, str, str]]:
    return [
        (
            str(article.get_attribute("data-module")),
            str(article.get_attribute("data-version")),
            str(article.get_attribute("data-python")),
        )
        for article in browser.find_elements(By.CSS_SELECTOR, "article.family")
        if article.is_displayed()
    ]


def family(browser: WebDriver, module: str, version: str, python: str) -> WebElement:
    for article in browser.find_elements(By.CSS_SELECTOR, "article.family"):
        found = [article.get_attribute(f"data-{key}") for key in ("module", "version", "python")]
        if found == [module, version, python]:
            return article
    raise AssertionError(f"no entry for {module} {version} {python}")


def visible_archs(article: WebElement) -> list[str]:
    rows = article.find_elements(By.CSS_SELECTOR, "tr[data-arch]")
    return [str(row.get_attribute("data-arch")) for row in rows if row.is_displayed()]


ALL = [
    (HOSTILE_MODULE, HOSTILE_VERSION, "3.12"),
    ("markupsafe", "3.0.3", "3.12"),
    ("markupsafe", "3.0.3", "3.13"),
    ("markupsafe", "3.0.2", "3.12"),
    ("numpy", "2.3.5", "3.12"),
    ("numpy", "2.3.5", "3.14t"),
    ("six", "1.17.0", "3.12"),
]


def test_the_filter_narrows_by_name_arch_and_python(browser: WebDriver, page_url: str) -> None:
    open_at(browser, page_url, 1280)
    count = browser.find_element(By.ID, "filter-count")
    assert visible_families(browser) == ALL
    assert count.text == "Showing 7 of 7 module versions, 4 of 4 bundles"

    name = browser.find_element(By.ID, "filter-name")
    name.send_keys("markup")
    assert [f[:2] for f in visible_families(browser)] == [("markupsafe", "3.0.3")] * 2 + [
        ("markupsafe", "3.0.2")
    ]
    name.send_keys(" 3.0.2")  # a second word: the start of a version
    assert visible_families(browser) == [("markupsafe", "3.0.2", "3.12")]
    assert count.text == "Showing 1 of 7 module versions, 0 of 4 bundles"
    name.clear()
    name.send_keys("x")  # clear() sends no input event: type and erase instead
    name.send_keys("\b")
    assert visible_families(browser) == ALL

    Select(browser.find_element(By.ID, "filter-arch")).select_by_value("armv7l")
    assert visible_families(browser) == [f for f in ALL if f[0] in ("markupsafe", "numpy")]
    entry = family(browser, "markupsafe", "3.0.3", "3.12")
    assert visible_archs(entry) == ["armv7l"]  # the other arches' rows are hidden too
    assert not browser.find_element(By.XPATH, "//h2[text()='six']").is_displayed()

    Select(browser.find_element(By.ID, "filter-python")).select_by_value("3.14t")
    assert visible_families(browser) == [("numpy", "2.3.5", "3.14t")]

    Select(browser.find_element(By.ID, "filter-python")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-arch")).select_by_value("")
    assert visible_families(browser) == ALL
    assert visible_archs(family(browser, "markupsafe", "3.0.3", "3.12")) == [
        "x86_64",
        "aarch64",
        "armv7l",
        "s390x",
        "riscv64",
    ]


def test_the_lines_shown_for_a_cell_are_exactly_the_ones_to_paste(
    browser: WebDriver, page_url: str
) -> None:
    open_at(browser, page_url, 1280)
    entry = family(browser, "markupsafe", "3.0.3", "3.12")
    lines = entry.find_element(By.CSS_SELECTOR, "code.lines").get_attribute("textContent")
    assert lines == (
        "COPY --from=ghcr.io/owner/repo:markupsafe3.0.3-py3.12 / /wheels/\n"
        "RUN pip install --no-index --find-links /wheels markupsafe==3.0.3 && rm -rf /wheels"
    )
    tags = [li.text for li in entry.find_elements(By.CSS_SELECTOR, "ul.tags li")]
    assert tags == [
        "ghcr.io/owner/repo:markupsafe3.0.3-py3.12 — every arch above (multi-arch)",
        "ghcr.io/owner/repo:markupsafe3.0.3-py3.12-amd64 — x86_64 only",
        "ghcr.io/owner/repo:markupsafe3.0.3-py3.12-arm64 — aarch64 only",
        "ghcr.io/owner/repo:markupsafe3.0.3-py3.12-armv7 — armv7l only",
        "ghcr.io/owner/repo:markupsafe-py3.12 — the newest version (moves)",
    ]
    button = entry.find_element(By.CSS_SELECTOR, "button.copy")
    button.click()  # selects the lines, and copies them where the clipboard may be written
    assert browser.execute_script("return window.getSelection().toString()") == lines
    # The clipboard answers asynchronously: wait (bounded) for the button to say which it did.
    WebDriverWait(browser, 10).until(lambda _: button.text != "Copy the lines")
    assert button.text in ("Copied", "Selected: press Ctrl+C")
    older = family(browser, "markupsafe", "3.0.2", "3.12")
    assert "moves" not in older.find_element(By.CSS_SELECTOR, "ul.tags").text


def test_each_arch_shows_its_status_in_words_and_its_wheel(
    browser: WebDriver, page_url: str
) -> None:
    open_at(browser, page_url, 1280)
    entry = family(browser, "markupsafe", "3.0.3", "3.12")
    rows = {
        str(row.get_attribute("data-arch")): row.find_elements(By.TAG_NAME, "td")
        for row in entry.find_elements(By.CSS_SELECTOR, "tr[data-arch]")
    }
    status = {arch: cells[0].text for arch, cells in rows.items()}
    assert status == {
        "x86_64": "⬆️ upstream (PyPI)",
        "aarch64": "⬆️ upstream (PyPI)",
        "armv7l": "✅ built here",
        "s390x": "❌ missing",
        "riscv64": "⚠️ failed — build log\ncibuildwheel exited 1",
    }
    log = rows["riscv64"][0].find_element(By.TAG_NAME, "a")
    assert log.get_attribute("href") == "https://github.com/owner/repo/actions/runs/42"
    built = rows["armv7l"][1].find_element(By.TAG_NAME, "a")
    name = "markupsafe-3.0.3-cp312-cp312-musllinux_1_2_armv7l.whl"
    assert built.get_attribute("href") == (
        f"https://raw.githubusercontent.com/owner/repo/0123abc/wheels/markupsafe/{name}"
    )
    upstream = rows["x86_64"][1].find_element(By.TAG_NAME, "a")
    assert str(upstream.get_attribute("href")).startswith("https://files.pythonhosted.org/")
    assert "sha256 " in rows["x86_64"][1].text and rows["s390x"][1].text == "—"
    notices = browser.find_elements(By.CSS_SELECTOR, "ul.notices li")
    assert [n.text for n in notices] == ["upstream covers every cell of six — the line can go"] * 2


def test_nothing_overflows_a_375_px_phone(browser: WebDriver, page_url: str) -> None:
    open_at(browser, page_url, 375, mobile=True)
    assert browser.execute_script("return document.documentElement.clientWidth") == 375
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 375
    too_wide = browser.execute_script(
        "return Array.from(document.querySelectorAll('body *'))"
        ".filter(e => e.getBoundingClientRect().right > 375.5)"
        ".map(e => e.tagName + ' ' + e.className)"
    )
    assert too_wide == []


def test_tables_have_real_headers_and_the_controls_have_labels(
    browser: WebDriver, page_url: str
) -> None:
    open_at(browser, page_url, 1280)
    tables = browser.find_elements(By.TAG_NAME, "table")
    assert len(tables) == len(ALL)
    for table in tables:
        heads = table.find_elements(By.CSS_SELECTOR, "thead th")
        assert [(h.text, h.get_attribute("scope")) for h in heads] == [
            ("Arch", "col"),
            ("Status", "col"),
            ("Wheel and sha256", "col"),
        ]
        for row in table.find_elements(By.CSS_SELECTOR, "tbody tr"):
            assert row.find_element(By.TAG_NAME, "th").get_attribute("scope") == "row"
        assert table.find_element(By.TAG_NAME, "caption").text
    for control in browser.find_elements(By.CSS_SELECTOR, "#filter input, #filter select"):
        label = browser.find_element(By.CSS_SELECTOR, f"label[for='{control.get_attribute('id')}']")
        assert label.is_displayed() and label.text


CONTRAST = """
function luminance(color) {
  const [r, g, b] = color.match(/[0-9.]+/g).slice(0, 3).map(Number).map(v => {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
function background(element) {
  for (let e = element; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
  }
  return 'rgb(255, 255, 255)';
}
return Array.from(document.querySelectorAll('td, th, a, code, label, p, li, h1, h2, h3, h4'))
  .map(e => {
    const [a, b] = [luminance(getComputedStyle(e).color), luminance(background(e))];
    return [e.tagName + ' ' + e.className, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  });
"""


def test_every_text_has_at_least_aa_contrast(browser: WebDriver, page_url: str) -> None:
    open_at(browser, page_url, 1280)
    ratios: list[Any] = browser.execute_script(CONTRAST)
    assert len(ratios) > 100
    low = [(what, round(ratio, 2)) for what, ratio in ratios if ratio < 4.5]
    assert low == []


def test_hostile_names_stay_text(browser: WebDriver, page_url: str) -> None:
    open_at(browser, page_url, 1280)
    assert browser.execute_script("return window.pwned === undefined")
    assert browser.find_elements(By.TAG_NAME, "img") == []
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1  # the page's own
    entry = family(browser, HOSTILE_MODULE, HOSTILE_VERSION, "3.12")
    assert HOSTILE in entry.text  # the failure's reason, shown as text
    assert entry.find_elements(By.TAG_NAME, "a") == []  # its javascript: log is not a link
    assert "(javascript:window.pwned=3)" in entry.text


# ---------------------------------------------------------------- bundles

ALL_BUNDLES = [("web", "3.12"), ("web", "3.13"), ("data", "3.12"), ("data", "3.14t")]


def bundle(browser: WebDriver, name: str, python: str) -> WebElement:
    for article in browser.find_elements(By.CSS_SELECTOR, "article.bundle"):
        heading = article.find_element(By.TAG_NAME, "h3").text
        if heading == f"bundle {name} · Python {python}":
            return article
    raise AssertionError(f"no bundle entry for {name} {python}")


def visible_bundles(browser: WebDriver) -> list[tuple[str, str]]:
    found = []
    for article in browser.find_elements(By.CSS_SELECTOR, "article.bundle"):
        if article.is_displayed():
            name, _, python = article.find_element(By.TAG_NAME, "h3").text.partition(" · Python ")
            found.append((name.removeprefix("bundle "), python))
    return found


def test_each_bundle_gives_its_lines_tags_members_and_archs(
    browser: WebDriver, page_url: str
) -> None:
    open_at(browser, page_url, 1280)
    assert visible_bundles(browser) == ALL_BUNDLES
    entry = bundle(browser, "web", "3.12")
    lines = entry.find_element(By.CSS_SELECTOR, "code.lines").get_attribute("textContent")
    jinja2 = str(Requirement('jinja2>=3.1,<4 ; python_version >= "3.9"'))
    idna = shlex.quote(f'idna; platform_release != "{HOSTILE_MARKER}"')
    assert lines == (
        "COPY --from=ghcr.io/owner/repo:bundle-web-py3.12 / /wheels/\n"
        f"RUN pip install --no-index --find-links /wheels markupsafe {shlex.quote(jinja2)}"
        f" {idna} && rm -rf /wheels"
    )
    assert "'jinja2<4,>=3.1; python_version >= \"3.9\"'" in lines  # quoted for the shell
    tags = [li.text for li in entry.find_elements(By.CSS_SELECTOR, "ul.tags li")]
    reference = "ghcr.io/owner/repo:" + bundle_list_tag("web", "3.12")
    assert tags == [
        f"{reference} — every arch it holds",
        f"ghcr.io/owner/repo:{bundle_arch_tag('web', '3.12', ARCHS['x86_64'])} — x86_64 only",
        f"ghcr.io/owner/repo:{bundle_arch_tag('web', '3.12', ARCHS['aarch64'])} — aarch64 only",
        f"ghcr.io/owner/repo:{bundle_arch_tag('web', '3.12', ARCHS['armv7l'])} — armv7l only",
    ]
    members = [li.text for li in entry.find_elements(By.CSS_SELECTOR, "ul.members li")]
    assert members == [
        "markupsafe — built or fetched here",
        "jinja2 — from the index",
        "idna — from the index",
    ]
    archs = [li.text for li in entry.find_elements(By.CSS_SELECTOR, "ul.archs li")]
    assert archs == [
        "x86_64 (amd64)",
        "aarch64 (arm64)",
        "armv7l (armv7)",
        "s390x (s390x)\nleft out: no wheel of markupsafe here yet",  # missing
        "riscv64 (riscv64)\nleft out: no wheel of markupsafe here yet",  # its build failed
    ]
    button = entry.find_element(By.CSS_SELECTOR, "button.copy")
    button.click()
    assert browser.execute_script("return window.getSelection().toString()") == lines


def test_the_filter_covers_the_bundles(browser: WebDriver, page_url: str) -> None:
    open_at(browser, page_url, 1280)
    count = browser.find_element(By.ID, "filter-count")
    name = browser.find_element(By.ID, "filter-name")
    name.send_keys("pandas")  # a member from the index finds its bundle
    assert visible_bundles(browser) == [("data", "3.12"), ("data", "3.14t")]
    assert visible_families(browser) == []
    assert count.text == "Showing 0 of 7 module versions, 2 of 4 bundles"
    name.clear()
    name.send_keys("web")  # the bundle's own name
    assert visible_bundles(browser) == [("web", "3.12"), ("web", "3.13")]
    name.clear()
    name.send_keys("x")
    name.send_keys("\b")
    assert visible_bundles(browser) == ALL_BUNDLES

    # riscv64 is one of web's archs, but the image lacks it (markupsafe failed there).
    Select(browser.find_element(By.ID, "filter-arch")).select_by_value("riscv64")
    assert visible_bundles(browser) == []
    assert not browser.find_element(By.ID, "bundles-heading").is_displayed()
    Select(browser.find_element(By.ID, "filter-arch")).select_by_value("armv7l")
    assert visible_bundles(browser) == ALL_BUNDLES
    archs = bundle(browser, "web", "3.12").find_elements(By.CSS_SELECTOR, "ul.archs li")
    assert [li.text for li in archs if li.is_displayed()] == ["armv7l (armv7)"]
    Select(browser.find_element(By.ID, "filter-arch")).select_by_value("")
    Select(browser.find_element(By.ID, "filter-python")).select_by_value("3.14t")
    assert visible_bundles(browser) == [("data", "3.14t")]

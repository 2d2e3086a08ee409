"""The catalog page (GitHub Pages, beside the simple index): one static HTML file.

For each family (module × version × Python) a card with a table of its archs (status in words,
the wheel and its sha256), the `COPY --from` and `pip` lines to paste, the image tags and the
dead-line notices; then a card per bundle and Python (its members, the archs its image holds,
its lines and tags). The filter (name, arch, Python) and the copy buttons are inline JavaScript
(assets/catalog.js); the style is inline too: no server, no outside assets. Every text from
outside (module names, versions, reasons, URLs) is HTML-escaped, and only http(s) URLs become
links.
"""

from __future__ import annotations

import html
from importlib.resources import files
from urllib.parse import urlsplit

from generator.core.cells import Served
from generator.core.platforms import ARCHS
from generator.publish.site.catalog import SYMBOLS
from generator.publish.site.catalog_entries import (
    ArchEntry,
    BundleEntry,
    Catalog,
    FamilyEntry,
)
from generator.publish.site.usage import ImageUsage

STATUS_TEXT = {
    Served.BUILT: "built here",
    Served.UPSTREAM: "upstream (PyPI)",
    Served.PURE: "pure Python",
    Served.FAILED: "failed",
    Served.MISSING: "missing",
}


def _asset(name: str) -> str:
    return (files("generator.publish.site") / "assets" / name).read_text(encoding="utf-8")


def e(text: str) -> str:
    return html.escape(text, quote=True)


def link(url: str, text: str) -> str:
    """A link when the URL is http(s) (or relative); anything else (javascript:, data:) is
    shown as text, never followed."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("http", "https", ""):
        return f'<a href="{e(url)}">{e(text)}</a>'
    return f'{e(text)} <span class="url">({e(url)})</span>'


def render_page(catalog: Catalog, summary: str, title: str = "Wheel catalog") -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>\n{_asset('catalog.css')}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{e(title)}</h1>",
        f"<p>{e(summary)}</p>",
        "<p>Each entry gives the two lines for a Dockerfile <code>FROM python:X.Y-alpine</code>:"
        " <code>COPY --from</code> picks your platform from the multi-arch image. The pip index"
        ' is at <a href="simple/">simple/</a>.</p>',
        "</header>",
        "<main>",
        *_notices(catalog.notices),
        *_filter(catalog),
    ]
    module = None
    for number, entry in enumerate(catalog.families):
        if entry.family.module != module:
            if module is not None:
                out.append("</section>")
            module = entry.family.module
            out.append(f'<section class="module" aria-label="{e(module)}">')
            out.append(f"<h2>{e(module)}</h2>")
        out += _family(entry, number)
    if module is not None:
        out.append("</section>")
    out += _bundles(catalog.bundles)
    out += ["</main>", f"<script>\n{_asset('catalog.js')}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _notices(notices: tuple[str, ...]) -> list[str]:
    if not notices:
        return []
    items = "".join(f"<li>{e(notice)}</li>" for notice in notices)
    return [
        '<section aria-labelledby="notices-heading">',
        '<h2 id="notices-heading">Notices</h2>',
        f'<ul class="notices">{items}</ul>',
        "</section>",
    ]


def _filter(catalog: Catalog) -> list[str]:
    # Hidden until the script runs: without JavaScript a filter that does nothing would lie.
    archs = "".join(
        f'<option value="{e(arch)}">{e(arch)} ({e(ARCHS[arch].docker_arch)})</option>'
        for arch in catalog.archs
    )
    pythons = "".join(f'<option value="{e(p)}">{e(p)}</option>' for p in catalog.pythons)
    return [
        '<form id="filter" role="search" aria-label="Filter the catalog" hidden>',
        '<div><label for="filter-name">Module name or version</label>'
        '<input id="filter-name" type="search" autocomplete="off" spellcheck="false"'
        ' placeholder="e.g. numpy 2.1"></div>',
        '<div><label for="filter-arch">Arch</label><select id="filter-arch">'
        f'<option value="">all arches</option>{archs}</select></div>',
        '<div><label for="filter-python">Python</label><select id="filter-python">'
        f'<option value="">all Pythons</option>{pythons}</select></div>',
        "</form>",
        '<p id="filter-count" role="status" aria-live="polite"></p>',
    ]


def _family(entry: FamilyEntry, number: int) -> list[str]:
    family = entry.family
    heading = f"{family.module} {family.version} · Python {family.python}"
    archs = " ".join(arch.arch.name for arch in entry.archs)
    out = [
        f'<article class="family" data-module="{e(family.module)}"'
        f' data-version="{e(family.version)}" data-python="{e(family.python)}"'
        f' data-archs="{e(archs)}" aria-labelledby="family-{number}">',
        f'<h3 id="family-{number}">{e(heading)}</h3>',
    ]
    if entry.notices:
        items = "".join(f"<li>{e(notice)}</li>" for notice in entry.notices)
        out.append(f'<ul class="notices">{items}</ul>')
    out += _arch_table(entry, heading)
    out += _usage(entry, number)
    out.append("</article>")
    return out


def _arch_table(entry: FamilyEntry, heading: str) -> list[str]:
    return [
        "<table>",
        f"<caption>Wheels of {e(heading)}, by arch</caption>",
        '<thead><tr><th scope="col">Arch</th><th scope="col">Status</th>'
        '<th scope="col">Wheel and sha256</th></tr></thead>',
        "<tbody>",
        *(_arch_row(arch) for arch in entry.archs),
        "</tbody>",
        "</table>",
    ]


def _arch_row(entry: ArchEntry) -> str:
    arch, record = entry.arch, entry.record
    head = f'<th scope="row">{e(arch.name)}<span class="alias">{e(arch.docker_arch)}</span></th>'
    status = f'<span aria-hidden="true">{SYMBOLS[record.status]}</span> '
    status += e(STATUS_TEXT[record.status])
    if record.log:
        status += " — " + link(record.log, "build log")
    if record.reason:
        status += f'<span class="reason">{e(record.reason)}</span>'
    wheel = "—"
    if entry.wheel is not None:
        sha = f'<code class="sha">sha256 {e(entry.wheel.sha256)}</code>'
        wheel = link(entry.wheel.url, entry.wheel.filename) + sha
    return (
        f'<tr data-arch="{e(arch.name)}">{head}'
        f'<td class="{e(str(record.status))}">{status}</td><td class="wheel">{wheel}</td></tr>'
    )


def _usage(entry: FamilyEntry, number: int) -> list[str]:
    usage = entry.usage
    if usage is None:
        return [f"<p>{e(entry.no_image)}</p>"]
    return _lines_and_tags(usage, f"lines-{number}", "every arch above (multi-arch)")


def _lines_and_tags(usage: ImageUsage, lines_id: str, list_means: str) -> list[str]:
    tags = [f"<li><code>{e(usage.list_reference)}</code> — {e(list_means)}</li>"]
    tags += [
        f"<li><code>{e(reference)}</code> — {e(arch.name)} only</li>"
        for arch, reference in usage.arch_references
    ]
    if usage.moving_reference:
        tags.append(
            f"<li><code>{e(usage.moving_reference)}</code> — the newest version (moves)</li>"
        )
    lines = f"{usage.copy_line}\n{usage.pip_line}"
    return [
        "<h4>Dockerfile lines</h4>",
        f'<pre><code id="{e(lines_id)}" class="lines">{e(lines)}</code></pre>',
        f'<button type="button" class="copy" data-copies="{e(lines_id)}" hidden>'
        "Copy the lines</button>",
        "<h4>Image tags</h4>",
        f'<ul class="tags">{"".join(tags)}</ul>',
    ]


def _bundles(bundles: tuple[BundleEntry, ...]) -> list[str]:
    if not bundles:
        return []
    out = [
        '<section class="bundles" aria-labelledby="bundles-heading">',
        '<h2 id="bundles-heading">Bundles</h2>',
        "<p>One image per application: every wheel its members need, resolved together, for"
        " one Python. The members that are modules here come from this repository; the others"
        " (and all dependencies) from the index, binary wheels only.</p>",
    ]
    for number, entry in enumerate(bundles):
        out += _bundle(entry, number)
    out.append("</section>")
    return out


def _bundle(entry: BundleEntry, number: int) -> list[str]:
    heading = f"bundle {entry.name} · Python {entry.python}"
    # The filter's name box matches the bundle's name or any member's.
    names = " ".join((entry.name, *entry.modules, *entry.from_index))
    covered = " ".join(arch.name for arch in entry.covered)
    members = [f"<li><code>{e(name)}</code> — built or fetched here</li>" for name in entry.modules]
    members += [f"<li><code>{e(name)}</code> — from the index</li>" for name in entry.from_index]
    archs = [
        f'<li data-arch="{e(item.arch.name)}">{e(item.arch.name)}'
        f' <span class="alias">({e(item.arch.docker_arch)})</span>'
        + (f' <span class="reason">{e(item.gap)}</span>' if item.gap else "")
        + "</li>"
        for item in entry.archs
    ]
    out = [
        f'<article class="bundle" data-module="{e(names)}" data-version=""'
        f' data-python="{e(entry.python)}" data-archs="{e(covered)}"'
        f' aria-labelledby="bundle-{number}">',
        f'<h3 id="bundle-{number}">{e(heading)}</h3>',
        "<h4>Members</h4>",
        f'<ul class="members">{"".join(members)}</ul>',
        "<h4>Archs</h4>",
        f'<ul class="archs">{"".join(archs)}</ul>',
    ]
    if entry.from_index:
        out.append(
            "<p>An arch where a member from the index has no wheel is left out when the image"
            " is made; the publish log names it.</p>"
        )
    if entry.usage is None:
        out.append(f"<p>{e(entry.no_image)}</p>")
    else:
        out += _lines_and_tags(entry.usage, f"bundle-lines-{number}", "every arch it holds")
    out.append("</article>")
    return out

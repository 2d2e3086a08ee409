"""buildah for the image tests: a store of each test's own, and a downstream `COPY --from`."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

BUILDAH_TIMEOUT = 600  # a COPY-only build or a push of a few wheels takes seconds


def buildah_storage(root: Path) -> dict[str, str]:
    """An environment giving buildah its own vfs store under `root` (nothing shared)."""
    conf = root / "storage.conf"
    root.mkdir(parents=True)
    conf.write_text(
        f'[storage]\ndriver = "vfs"\ngraphroot = "{root / "graph"}"\nrunroot = "{root / "run"}"\n',
        encoding="utf-8",
    )
    return os.environ | {"CONTAINERS_STORAGE_CONF": str(conf)}


def use_own_store(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    """The generator's buildah calls in this test use a store of their own under `root`."""
    monkeypatch.setenv("CONTAINERS_STORAGE_CONF", buildah_storage(root)["CONTAINERS_STORAGE_CONF"])


def buildah(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["buildah", *args], env=env, capture_output=True, text=True, timeout=BUILDAH_TIMEOUT
    )
    assert result.returncode == 0, f"buildah {' '.join(args)}:\n{result.stderr}"
    return result.stdout.strip()


def copy_from_downstream(reference: str, platform: str, work: Path) -> Path:
    """Build `FROM scratch` + `COPY --from=reference / /wheels/` for `platform` in a fresh
    store (so the image must come from the registry); the folder of what landed in /wheels,
    asserting nothing else landed."""
    env = buildah_storage(work / "store")
    context = work / "context"
    context.mkdir()
    (context / "Containerfile").write_text(
        f"FROM scratch\nCOPY --from={reference} / /wheels/\n", encoding="utf-8"
    )
    bud = ["bud", "--quiet", "--tls-verify=false", "--platform", platform, "--tag", "downstream"]
    buildah(env, *bud, str(context))
    container = buildah(env, "from", "downstream")
    try:
        mounted = Path(buildah(env, "mount", container))
        assert sorted(path.name for path in mounted.iterdir()) == ["wheels"]  # nothing else
        shutil.copytree(mounted / "wheels", work / "wheels")
    finally:
        buildah(env, "rm", container)
    return work / "wheels"

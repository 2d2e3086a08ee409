"""What cibuildwheel can build for musllinux, and where GitHub runs it.

Facts from cibuildwheel 4.3.x (resources/build-platforms.toml): CPython 3.9–3.15
plus free-threaded 3.14t/3.15t on every musllinux arch; image musllinux_1_2.
"""

from __future__ import annotations

from dataclasses import dataclass

MUSLLINUX_IMAGE = "musllinux_1_2"
MUSLLINUX_PLATFORM_PREFIX = "musllinux_1_2"

PYTHONS: tuple[str, ...] = (
    "3.9",
    "3.10",
    "3.11",
    "3.12",
    "3.13",
    "3.14",
    "3.15",
    "3.14t",
    "3.15t",
)


@dataclass(frozen=True)
class Arch:
    """One musllinux architecture: its GitHub runner and container platform."""

    name: str
    runner: str
    qemu: bool  # True: the runner cannot execute this arch natively
    docker_platform: str  # OCI platform, e.g. linux/arm/v7
    docker_arch: str  # ${TARGETARCH}${TARGETVARIANT}, e.g. armv7

    @property
    def qemu_platform(self) -> str:
        """What docker/setup-qemu-action's `platforms:` wants, e.g. linux/arm/v7."""
        return self.docker_platform if self.qemu else ""


_X64 = "ubuntu-24.04"
_ARM = "ubuntu-24.04-arm"

ARCHS: dict[str, Arch] = {
    arch.name: arch
    for arch in (
        Arch("x86_64", _X64, False, "linux/amd64", "amd64"),
        Arch("i686", _X64, False, "linux/386", "386"),
        Arch("aarch64", _ARM, False, "linux/arm64", "arm64"),
        # GitHub's arm64 runners have no AArch32 execution state, so armv7l needs
        # QEMU; emulating arm on an arm host is still far faster than on x86.
        Arch("armv7l", _ARM, True, "linux/arm/v7", "armv7"),
        Arch("ppc64le", _X64, True, "linux/ppc64le", "ppc64le"),
        Arch("s390x", _X64, True, "linux/s390x", "s390x"),
        Arch("riscv64", _X64, True, "linux/riscv64", "riscv64"),
    )
}


def is_free_threaded(python: str) -> bool:
    return python.endswith("t")


def build_identifier(python: str, arch: str) -> str:
    """`3.12`, `aarch64` → `cp312-musllinux_aarch64` (cibuildwheel's spelling)."""
    return f"cp{python.replace('.', '')}-musllinux_{arch}"


def python_sort_key(python: str) -> tuple[int, int, bool]:
    major, minor = python.rstrip("t").split(".")
    return int(major), int(minor), is_free_threaded(python)


def wheel_platform_tag(arch: str) -> str:
    """The platform tag pip uses for this arch, e.g. musllinux_1_2_x86_64."""
    return f"{MUSLLINUX_PLATFORM_PREFIX}_{arch}"

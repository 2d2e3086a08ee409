"""What cibuildwheel can build for musllinux, and where GitHub runs it.

Facts from cibuildwheel 4.3.x (resources/build-platforms.toml): CPython 3.9–3.15
plus free-threaded 3.14t/3.15t on every musllinux arch; image musllinux_1_2.
Build identifiers (`cp312-musllinux_x86_64`) are made and parsed here only.
"""

from __future__ import annotations

from dataclasses import dataclass

MUSLLINUX_IMAGE = "musllinux_1_2"

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

# In this order everywhere (plan, lock, catalog columns): native archs first.
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


def python_version(python: str) -> str:
    """The language version of a Python: `3.14t` → `3.14` (what requires-python compares)."""
    return python.removesuffix("t")


def python_numbers(python: str) -> tuple[int, int]:
    """`3.14t` → (3, 14)."""
    major, minor = python_version(python).split(".")
    return int(major), int(minor)


def abi_tag(python: str) -> str:
    """The CPython ABI tag: `3.12` → `cp312`, free-threaded `3.14t` → `cp314t`."""
    major, minor = python_numbers(python)
    return f"cp{major}{minor}{'t' if is_free_threaded(python) else ''}"


def interpreter_tag(python: str) -> str:
    """`3.14t` → `cp314` (free-threading is in the ABI tag, not the interpreter's)."""
    major, minor = python_numbers(python)
    return f"cp{major}{minor}"


def python_of_abi(abi: str) -> str | None:
    """The inverse of abi_tag: `cp312` → `3.12`, `cp314t` → `3.14t`; None for other ABIs."""
    digits = abi.removeprefix("cp")
    number = digits.removesuffix("t")
    if not abi.startswith("cp") or len(number) < 2 or not number.isdigit():
        return None
    return f"{digits[0]}.{digits[1:]}"


def build_identifier(python: str, arch: str) -> str:
    """`3.12`, `aarch64` → `cp312-musllinux_aarch64` (cibuildwheel's spelling)."""
    return f"{abi_tag(python)}-musllinux_{arch}"


def parse_identifier(identifier: str) -> tuple[str, str]:
    """`cp312-musllinux_x86_64` → ("3.12", "x86_64"); `cp314t-…` → ("3.14t", …)."""
    interpreter, _, arch = identifier.partition("-musllinux_")
    python = python_of_abi(interpreter)
    if python is None or not arch:
        raise ValueError(f"not a musllinux build identifier: {identifier!r}")
    return python, arch


def python_sort_key(python: str) -> tuple[int, int, bool]:
    return (*python_numbers(python), is_free_threaded(python))


def arch_sort_key(arch: str) -> tuple[int, str]:
    """ARCHS order; an arch this generator does not know sorts last."""
    order = list(ARCHS)
    return (order.index(arch) if arch in ARCHS else len(order), arch)


def marker_environment(python: str, arch: str) -> dict[str, str]:
    """PEP 508 marker values of CPython `python` on musllinux `arch`."""
    version = python_version(python)
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{version}.0",
        "os_name": "posix",
        "platform_machine": arch,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Linux",
        "platform_version": "",
        "python_full_version": f"{version}.0",
        "python_version": version,
        "sys_platform": "linux",
        "extra": "",
    }

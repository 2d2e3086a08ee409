"""The typed model of matrix.yml: validation and the JSON Schema both come from here.

Pydantic checks the structure; errors it raises carry a location path that
generator.matrix.load turns into `matrix.yml:LINE:COL`. Validators raise ValueError
with text of the form `what is wrong — how to fix`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from generator.core.platforms import ARCHS, PYTHONS
from generator.core.requirements_text import (
    NotARequirement,
    RequirementWithURL,
    index_requirement,
)
from generator.core.urls import http_url_problem
from generator.matrix.policy import VersionPolicy, parse_policy

# `prefer`: what serves a cell whose best wheel on the index is pure (generator.lock.statuses)
PREFER_CHOICES = ("build", "wheel")


def _reject_number(value: object, what: str) -> object:
    """YAML reads 3.10 as the float 3.1: insist on quotes instead of guessing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    hint = '"3.10"' if str(value) == "3.1" else f'"{value}"'
    raise ValueError(f"{what} {value} was read as a number — quote it: {hint}")


def _check_python(value: str) -> str:
    if value not in PYTHONS:
        raise ValueError(
            f"Python '{value}' cannot be built for musllinux — use one of: {', '.join(PYTHONS)}"
        )
    return value


def _check_arch(value: str) -> str:
    if value not in ARCHS:
        raise ValueError(
            f"unknown arch '{value}' — use one of: {', '.join(ARCHS)} (cibuildwheel's spelling)"
        )
    return value


def _check_policy(value: str | list[str]) -> str | list[str]:
    parse_policy(value)
    return value


def _check_prefer(value: str) -> str:
    if value not in PREFER_CHOICES:
        raise ValueError(
            f"prefer '{value}' is not one of {', '.join(PREFER_CHOICES)} — use build (build "
            "the cells a pure wheel would serve) or wheel (keep the pure wheel)"
        )
    return value


def _check_test_requirement(value: str) -> str:
    """A PEP 508 requirement pip can take from an index, spelled without spaces: cibuildwheel
    splits CIBW_TEST_REQUIRES on whitespace, and a URL or marker has no place in an import test."""
    url_or_marker = f"'{value}' has a URL or a marker — give a name and version specifiers only"
    try:
        requirement = index_requirement(value)
    except NotARequirement as error:
        raise ValueError(
            f"'{value}' is not a requirement ({error}) — write e.g. ruamel.yaml>=0.18"
        ) from None
    except RequirementWithURL:
        raise ValueError(url_or_marker) from None
    if requirement.marker:
        raise ValueError(url_or_marker)
    return str(requirement)


def _check_reason(value: str) -> str:
    if not value.strip():
        raise ValueError(
            "the reason is blank — write a sentence saying why these cells are left out"
        )
    return value


# A DNS name or IPv4 address (letters of any script: internationalised names are hosts too).
def _check_url(value: str) -> str:
    """An http(s) URL with a host that parses (the pattern alone lets `http://[::1` by)."""
    problem = http_url_problem(value)
    if problem is not None:
        raise ValueError(f"{problem.what} — {problem.fix or 'give e.g. https://pypi.org/simple/'}")
    return value


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str | int | float) else value


PythonVersion = Annotated[
    str,
    BeforeValidator(lambda v: _reject_number(v, "Python version")),
    AfterValidator(_check_python),
    WithJsonSchema({"type": "string", "enum": list(PYTHONS)}),
]
Prefer = Annotated[
    str,
    AfterValidator(_check_prefer),
    WithJsonSchema({"type": "string", "enum": list(PREFER_CHOICES)}),
]
ArchName = Annotated[
    str,
    AfterValidator(_check_arch),
    WithJsonSchema({"type": "string", "enum": list(ARCHS)}),
]


def _no_repeats(what: str) -> Callable[[list[str]], list[str]]:
    """A repeated Python or arch would multiply cells and repeat build identifiers."""

    def check(values: list[str]) -> list[str]:
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ValueError(f"{what} {', '.join(repeated)} is listed twice — keep one")
        return values

    return check


PythonList = Annotated[
    list[PythonVersion], Field(min_length=1), AfterValidator(_no_repeats("python"))
]
ArchList = Annotated[list[ArchName], Field(min_length=1), AfterValidator(_no_repeats("arch"))]
VersionText = Annotated[str, BeforeValidator(lambda v: _reject_number(v, "version"))]
Versions = Annotated[
    VersionText | list[VersionText],
    AfterValidator(_check_policy),
    Field(
        description=(
            "latest | latest:N | a PEP 440 specifier like '>=43,<47' | a version | "
            "a list of versions"
        )
    ),
]
HookPath = Annotated[
    str,
    Field(
        pattern=r"^hooks(/[A-Za-z0-9_][A-Za-z0-9._+-]*)+$",  # no `..`: hooks stay in hooks/
        description="A script under hooks/, run with sh inside the build container",
    ),
]
SystemPackage = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9+._-]*$")]
TestRequirement = Annotated[str, AfterValidator(_check_test_requirement)]
EnvName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
# An OCI image reference: [host[:port]/]path[:tag][@digest]
ImageRef = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$", max_length=255)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Exclusion(_Strict):
    """Cells a module must not build, and why."""

    python: (
        Annotated[
            PythonList,
            BeforeValidator(_as_list, json_schema_input_type=PythonVersion | PythonList),
        ]
        | None
    ) = None
    arch: (
        Annotated[ArchList, BeforeValidator(_as_list, json_schema_input_type=ArchName | ArchList)]
        | None
    ) = None
    versions: Annotated[str, Field(description="PEP 440 specifier, e.g. '<2'")] | None = None
    reason: Annotated[
        str,
        AfterValidator(_check_reason),
        Field(description="Shown in plan and the lock", json_schema_extra={"pattern": r"\S"}),
    ]


class Defaults(_Strict):
    """What a module gets unless it says otherwise."""

    python: PythonList = ["3.12", "3.13"]
    arch: ArchList = ["x86_64", "aarch64"]
    versions: Versions = "latest"
    pre_releases: bool = Field(default=False, alias="pre-releases")


class ModuleSpec(_Strict):
    """One module's entry in the mapping form; shorter forms are normalised to this."""

    versions: Versions | None = None
    python: PythonList | None = None
    arch: ArchList | None = None
    pre_releases: bool | None = Field(default=None, alias="pre-releases")
    apk: list[SystemPackage] = Field(
        default=[], description="Alpine packages installed once per build container"
    )
    before_all: HookPath | None = Field(
        default=None, alias="before-all", description="Script run once per build container"
    )
    before_build: HookPath | None = Field(
        default=None, alias="before-build", description="Script run before each Python's build"
    )
    environment: dict[EnvName, str] = Field(
        default={}, description="Extra build environment (CIBW_ENVIRONMENT, bash syntax)"
    )
    import_name: str | None = Field(
        default=None,
        alias="import",
        pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
        description="What the smoke test imports, when it differs from the module name",
    )
    test_requires: list[TestRequirement] = Field(
        default=[],
        alias="test-requires",
        description=(
            "What the import test needs besides the wheel (CIBW_TEST_REQUIRES), e.g. the "
            "pure package a C accelerator plugs into"
        ),
    )
    exclude: list[Exclusion] = []
    prefer: Prefer | None = Field(
        default=None,
        description=(
            "For cells a pure (none-any) wheel would serve: build (always build them from "
            "the sdist) or wheel (always take the pure wheel). Default: build them only when "
            "the release also ships platform wheels, i.e. the pure wheel is a slow fallback"
        ),
    )


def _normalise_module_entry(value: object) -> object:
    """`pyyaml: "6.0.2"` and `cffi: [...]` are shorthand for `{versions: ...}`."""
    if isinstance(value, str | list | int | float) and not isinstance(value, bool):
        return {"versions": value}
    return value


ModuleEntry = Annotated[
    ModuleSpec,
    # The schema shows all three accepted forms, not only the normalised one.
    BeforeValidator(_normalise_module_entry, json_schema_input_type=Versions | ModuleSpec),
]


# Bundles: the tag `bundle-<name>-py3.14t-ppc64le` must stay within Docker's 128 characters.
BundleName = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]


class BundleSpec(_Strict):
    """One image for an application: its distributions by name, or a requirements file naming
    them (modules of this matrix, or projects on the index)."""

    # The schema says "exactly one of the two", as _one_source does.
    model_config = ConfigDict(
        json_schema_extra={"oneOf": [{"required": ["modules"]}, {"required": ["requirements"]}]}
    )

    modules: Annotated[
        list[str] | None,
        WithJsonSchema({"type": "array", "items": {"type": "string"}, "minItems": 1}),
    ] = Field(
        default=None,
        min_length=1,
        description="Distributions the image holds: modules of this matrix (this "
        "repository's wheels) or projects on the index (with their dependencies)",
    )
    requirements: Annotated[str | None, WithJsonSchema({"type": "string", "minLength": 1})] = Field(
        default=None,
        min_length=1,
        description="A requirements file in this repository (path relative to matrix.yml) "
        "naming the distributions (modules of this matrix or projects on the index), with "
        "optional version specifiers",
    )

    @model_validator(mode="after")
    def _one_source(self) -> BundleSpec:
        if (self.modules is None) == (self.requirements is None):
            raise ValueError(
                "a bundle needs `modules` or `requirements`, not both or neither — "
                "write e.g. `modules: [lxml, psycopg2]` or `requirements: requirements.txt`"
            )
        return self


def _normalise_bundle_entry(value: object) -> object:
    """`web: [lxml, psycopg2]` is shorthand for `{modules: [...]}`."""
    return {"modules": value} if isinstance(value, list) else value


BundleEntry = Annotated[
    BundleSpec,
    BeforeValidator(
        _normalise_bundle_entry,
        json_schema_input_type=Annotated[list[str], Field(min_length=1)] | BundleSpec,
    ),
]


class Matrix(_Strict):
    """matrix.yml: modules × versions × Python × arch."""

    defaults: Defaults = Defaults()
    modules: Annotated[dict[str, ModuleEntry], Field(min_length=1)]
    index_url: Annotated[str, Field(pattern=r"^https?://"), AfterValidator(_check_url)] | None = (
        Field(
            default=None,
            alias="index-url",
            description="Simple index to resolve versions from (default: PIP_INDEX_URL or PyPI)",
        )
    )
    registry: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9._-]+)+$",
        description=(
            "Where the images go, HOST/NAMESPACE[/NAME] (default: ghcr.io/<owner>/<repo> with "
            "GITHUB_TOKEN); another registry needs the secrets REGISTRY_USERNAME and "
            "REGISTRY_PASSWORD"
        ),
    )
    images: dict[ArchName, ImageRef] = Field(
        default={},
        description=(
            "The build image per arch, e.g. a mirror of quay.io/pypa/musllinux_1_2_x86_64 "
            "behind a firewall (default: cibuildwheel's pinned musllinux_1_2 image)"
        ),
    )
    keep_versions: int | None = Field(
        default=None,
        alias="keep-versions",
        ge=1,
        description=(
            "Keep only the newest N versions of each module in wheels/ (older wheels leave "
            "git's tip, and so the pip index; the images keep every version). Default: all"
        ),
    )
    bundles: dict[BundleName, BundleEntry] = Field(
        default={},
        description=(
            "One multi-arch image per bundle and Python, bundle-<name>-py<X.Y>, holding the "
            "wheels of all its modules and their dependencies: one COPY --from for an app"
        ),
        json_schema_extra={"additionalProperties": False},  # names outside the pattern
    )


@dataclass(frozen=True)
class ResolvedModule:
    """A module with defaults applied: what every later step works from."""

    name: str  # canonical (PEP 503) name
    spelled: str  # as written in matrix.yml
    policy: VersionPolicy
    pythons: tuple[str, ...]
    archs: tuple[str, ...]
    pre_releases: bool
    spec: ModuleSpec

    @property
    def import_name(self) -> str:
        return self.spec.import_name or self.name.replace("-", "_")

"""PyPI (or any simple index) client: files, releases and metadata of projects.

Entry point: `PyPIClient`; see generator/pypi/client.py.
"""

from generator.pypi.client import (
    MetadataUnavailable,
    ProjectNotFound,
    PyPIClient,
    VersionNotFound,
)
from generator.pypi.models import DistFile, ProjectFiles, Release, ReleaseMetadata
from generator.pypi.transport import (
    DEFAULT_INDEX_URL,
    RequestStats,
    RetryPolicy,
    default_index_url,
)

__all__ = [
    "DEFAULT_INDEX_URL",
    "DistFile",
    "MetadataUnavailable",
    "ProjectFiles",
    "ProjectNotFound",
    "PyPIClient",
    "Release",
    "ReleaseMetadata",
    "RequestStats",
    "RetryPolicy",
    "VersionNotFound",
    "default_index_url",
]

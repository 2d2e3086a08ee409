"""Every third-party action the workflows use, pinned to a full commit SHA.

The version comment is what the SHA was tagged as; update both together.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PinnedAction:
    repo: str
    sha: str
    version: str

    @property
    def uses(self) -> str:
        """The `uses:` value with the version as a trailing comment."""
        return f"{self.repo}@{self.sha} # {self.version}"


_PINS = (
    PinnedAction("actions/checkout", "3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    PinnedAction("actions/setup-python", "5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    PinnedAction("actions/upload-artifact", "bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    PinnedAction("actions/download-artifact", "3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c", "v8.0.1"),
    PinnedAction("actions/cache", "27d5ce7f107fe9357f9df03efb73ab90386fccae", "v5.0.5"),
    PinnedAction("docker/setup-qemu-action", "96fe6ef7f33517b61c61be40b68a1882f3264fb8", "v4.2.0"),
    PinnedAction(
        "docker/setup-buildx-action", "37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0"
    ),
    PinnedAction("docker/login-action", "4907a6ddec9925e35a0a9e82d7399ccc52663121", "v4.1.0"),
    PinnedAction(
        "actions/attest-build-provenance", "a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32", "v4.1.0"
    ),
    PinnedAction("actions/configure-pages", "983d7736d9b0ae728b81ab479565c72886d7745b", "v5.0.0"),
    PinnedAction(
        "actions/upload-pages-artifact", "fc324d3547104276b827a68afc52ff2a11cc49c9", "v5.0.0"
    ),
    PinnedAction("actions/deploy-pages", "cd2ce8fcbc39b97be8ca5fce6e763baed58fa128", "v5.0.0"),
)

# Template name (e.g. `checkout`) → pin, for `<< uses.checkout >>` in templates.
ACTIONS: dict[str, PinnedAction] = {pin.repo.split("/")[1]: pin for pin in _PINS}

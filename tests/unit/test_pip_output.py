"""generator.pip reads what pip could not find from its output, for check and for lock/publish."""

from __future__ import annotations

from generator.pip import missing_distribution, missing_requirement

OUTPUT = (
    "ERROR: Could not find a version that satisfies the requirement cffi>=1.12\n"
    'ERROR: No matching distribution found for cffi>=1.12; python_version >= "3" (from app)\n'
)


def test_the_requirement_keeps_specifiers_and_marker_but_not_the_requirer() -> None:
    assert missing_requirement(OUTPUT) == 'cffi>=1.12; python_version >= "3"'
    assert missing_distribution(OUTPUT) == "cffi"


def test_output_without_the_line_names_nothing() -> None:
    assert missing_requirement("ERROR: ResolutionImpossible") is None
    assert missing_distribution("ERROR: ResolutionImpossible") is None

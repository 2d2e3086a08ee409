"""Small inputs that expand enormously when parsed naively."""

from __future__ import annotations


def alias_bomb() -> str:
    """A matrix.yml of about 450 bytes whose YAML aliases expand to 9^10 strings."""
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for index in range(1, 10):
        previous, name = chr(96 + index), chr(97 + index)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join([*lines, "modules:", "  six: *j"]) + "\n"

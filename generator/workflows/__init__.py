"""Stage 6: the generated GitHub workflows (templates, pinned actions, render --check)."""

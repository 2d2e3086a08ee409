"""Stage 1: matrix.yml → a validated model → modules and their cells."""

"""Stage 4: one build job on one runner: the sdist, then cibuildwheel."""

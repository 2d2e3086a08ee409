"""python-musl-wheels generator: matrix.yml → validated model → plan → workflows."""

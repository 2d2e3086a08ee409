"""Stage 2: matrix + package index → matrix.lock.json (versions, cell statuses, dependencies)."""

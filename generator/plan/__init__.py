"""Stage 3: matrix + lock + published wheels → build jobs (pure: reads no disk)."""

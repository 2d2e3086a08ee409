"""Fast, pure, table-driven tests: no network, no subprocess, no files written."""

"""Shared vocabulary of every stage: platforms, wheel tags, wheel files, cells.

Pure: imports no stage."""

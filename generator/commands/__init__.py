"""One module per `python -m generator` verb."""

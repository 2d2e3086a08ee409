"""The static site: the PEP 503/691 simple index and the catalog page."""

"""Publishing: collect and verify wheels, commit them under `wheels/`, build the pip index and
the catalog. One module per concern; `layout` documents the public `wheels/` layout."""

"""FROM scratch wheel images: tags, what goes in each, buildah/docker commands."""

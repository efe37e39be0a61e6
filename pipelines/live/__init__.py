"""Live upstream sources: URLs built from the catalogue, fetched with pipelines.http into the raw cache."""

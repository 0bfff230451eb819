"""The publishing record under data/: one JSON file per (post id, channel)."""

"""postcal lint: every rule over the whole calendar in one pass."""

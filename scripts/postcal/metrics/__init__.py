"""Metrics: what each network says about our posts and accounts, fetched at set ages and kept as
append-only snapshots under ``data/metrics/``. Goals, charts and reports read only these files."""

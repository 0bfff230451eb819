"""Proposals: drafts that arrive for review (atomized articles, feed items, recycled posts).

Nothing here posts anything: it writes draft files under ``calendar/`` that a person edits and
sets ready. It reads the content model and metric data, never a network adapter.
"""

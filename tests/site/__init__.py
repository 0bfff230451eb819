"""Tests of the calendar site: the MkDocs build, its feeds, escaping and the pages in a browser."""

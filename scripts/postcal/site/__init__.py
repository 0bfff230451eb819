"""The calendar site: pure functions that turn a loaded calendar into pages, and a thin MkDocs
plugin that adds them to the build."""

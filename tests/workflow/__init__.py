"""The GitHub workflows run end to end: their nox sessions, in their order, on a scratch clone."""

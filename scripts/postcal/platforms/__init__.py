"""One adapter per network behind one small interface (see base.py). Adapters know nothing of
git, the ledger or how the calendar is loaded; the publish protocol knows nothing of HTTP."""

"""The inbox: replies, comments and mentions addressed to our accounts, and which await an
answer. Counts, permalinks and times go under ``data/inbox``; other people's words never do."""

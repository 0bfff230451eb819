"""`postcal publish`: due posts to their channels exactly once (DESIGN.md section 6)."""

"""What a reviewer sees and who reviews: the pull-request preview and CODEOWNERS routing."""

"""The content model: strict reading of posts, personas, campaigns and settings."""

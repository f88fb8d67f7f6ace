"""The library's version (kept apart so reading it imports nothing else)."""

VERSION = "0.1.0"

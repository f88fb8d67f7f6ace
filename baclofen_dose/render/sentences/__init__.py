"""Sentence templates, one module per planner area; render/messages.py merges them."""

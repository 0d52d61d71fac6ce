"""The case: what a viewer may see of it (projection.py) and its page (page.py)."""

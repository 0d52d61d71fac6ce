"""Searching the audit log (the chain itself is core/audit.py)."""

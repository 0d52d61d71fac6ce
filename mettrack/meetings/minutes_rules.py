"""Pure rules (no Flask, no database): see docs/meetings.md."""

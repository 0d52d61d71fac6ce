"""Pure rules: plain functions over plain values, no Flask and no database."""

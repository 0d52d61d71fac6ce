"""What a page's date input (day, month and year fields, _macros.html date_input) sends."""

from datetime import date


def date_fields(name: str, day: str | date) -> dict[str, str]:
    """The form fields of the date input `name` holding `day` (a date or 2026-03-27)."""
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}

"""What every feature stands on: the database and extensions, the clock, errors, the unit
of work, audit, permissions, sessions, the input guard. The core imports no feature."""

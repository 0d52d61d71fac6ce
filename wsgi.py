"""gunicorn serves wsgi:app; the flask command line runs as `flask --app wsgi ...`."""

import gc

from mettrack import create_app

app = create_app()

# What starting made (the modules, the mappers, the settings) lives as long as the process:
# frozen out of the collector's reach, so that its full collections stop walking all of it.
# Those walks added 100-130 ms to about one list page in twenty at 100,000 cases
# (docs/performance-fixes.md, "Second pass").
gc.collect()
gc.freeze()

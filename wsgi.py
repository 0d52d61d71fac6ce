"""gunicorn serves wsgi:app; the flask command line runs as `flask --app wsgi ...`."""

from mettrack import create_app

app = create_app()

"""The Celery app the worker and beat command lines load:

celery -A workers.celery_app worker -B --loglevel INFO
"""

from mettrack import create_app
from workers.tasks import maintenance  # noqa: F401  (registers the tasks)

flask_app = create_app()
celery = flask_app.extensions["celery"]

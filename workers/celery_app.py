"""The Celery app the worker and beat command lines load:

celery -A workers.celery_app worker -B --loglevel INFO

With REDIS_URL set it uses Redis; without, the embedded SQLite broker under the instance
directory (METTRACK_INSTANCE_DIR, default ./instance). See docs/workers.md.
"""

from mettrack import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]

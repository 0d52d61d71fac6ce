"""Celery wiring, after Flask's own Celery example: every task runs inside the app context."""

from celery import Celery, Task
from flask import Flask

from workers.schedule import BEAT_SCHEDULE


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask)
    celery.config_from_object(
        {
            "broker_url": app.config["CELERY_BROKER_URL"],
            "task_ignore_result": True,
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "broker_connection_retry_on_startup": True,
            "timezone": "UTC",
            "beat_schedule": BEAT_SCHEDULE,
        }
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery

"""Celery wiring, after Flask's own Celery example: every task runs inside the app context.
The settings themselves are in workers/broker.py; the app checks them when it starts
(config.validate)."""

from celery import Celery, Task
from celery import current_app as current_celery_app
from celery.signals import worker_process_init
from flask import Flask, current_app, has_app_context

from workers.broker import celery_settings, make_directories

# The modules whose tasks a worker registers at start. Tasks are named ("mettrack.<what>")
# so a module can move without stranding the messages already queued under the old path.
TASK_MODULES = (
    "workers.tasks.imports",
    "workers.tasks.maintenance",
    "workers.tasks.meetings",
    "workers.tasks.reminders",
    "workers.tasks.retention",
)


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            # A task called in an app's context (a test, a command) runs for that app: the
            # default Celery app is the one the latest create_app made, which in a test
            # process may be another app, on another database. A fresh context either way,
            # so the task's session is its own.
            flask_app = current_app._get_current_object() if has_app_context() else app
            with flask_app.app_context():
                return self.run(*args, **kwargs)

    celery = Celery(app.name, task_cls=FlaskTask, include=list(TASK_MODULES))
    settings = celery_settings(app.config)
    make_directories(settings)
    celery.config_from_object(settings)
    celery.flask_app = app
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@worker_process_init.connect
def _fresh_database_connections(**_kwargs) -> None:
    """A prefork pool process must not share the parent's pooled database connections
    (SQLAlchemy's advice for forking): drop them, without closing the parent's sockets."""
    flask_app = getattr(current_celery_app, "flask_app", None)
    if flask_app is None:
        return
    from mettrack.core.extensions import db

    with flask_app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)

"""The JSON API under /api/v1 (flask-smorest), authenticated by personal bearer tokens."""

from flask import Flask
from flask_smorest import Api

from mettrack.extensions import csrf

api = Api()


def init_api(app: Flask) -> None:
    from mettrack.api import cases

    api.init_app(app)
    # The API takes no cookies, only bearer tokens, so cross-site request forgery has
    # nothing to ride on.
    csrf.exempt(cases.blp)
    api.register_blueprint(cases.blp)

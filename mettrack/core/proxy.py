"""The client's address behind the proxies the deployment names (docs/deployment.md).

Behind a TLS proxy every request comes from the proxy's address: the sign-in limit per
address would then be one limit for everyone (a stranger's bad guesses locking out the
MET chair), and the audit log would name the proxy. PROXY_COUNT says how many proxies
stand in front of the app; werkzeug's ProxyFix then takes the client's address from
X-Forwarded-For (and the scheme from X-Forwarded-Proto), counting that many entries from
the right, which the proxies themselves appended. Left at 0 (no proxy) the headers are
ignored, so a client cannot choose the address it is limited and audited under.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def init_proxy(app: Flask) -> None:
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

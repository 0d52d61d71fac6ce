"""The security headers on every answer, set in this one place (docs/security.md, Headers).

Every page, API answer, error and refusal gets them, so no view can forget one:

- a Content-Security-Policy that lets the browser run scripts and styles only from our
  own static files: no inline script or style, nothing from another site, no plugins,
  no framing. Were some text ever to slip through the templates' escaping, the browser
  would still not run it;
- X-Frame-Options for browsers older than frame-ancestors, nosniff, no Referer (a page
  address can name a case), and a Permissions-Policy turning off devices and features
  the service never uses;
- Cache-Control: no-store on everything but the static files and the health check: the
  pages and API answers hold children's records, and a shared computer's browser cache
  must not keep them after sign-out;
- Strict-Transport-Security only where HSTS_MAX_AGE is set (production): sent over plain
  HTTP on a developer's machine it would pin the name to HTTPS for a year.
"""

from flask import Flask, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Answers that hold no personal data and may be cached: the stylesheets, scripts and
# icons, and the health check (a load balancer's probe).
CACHEABLE_ENDPOINTS = frozenset({"static", "health.healthz"})


def add_security_headers(response):
    response.headers.update(HEADERS)
    max_age = current_app.config.get("HSTS_MAX_AGE") or 0
    if max_age > 0:
        response.headers["Strict-Transport-Security"] = f"max-age={max_age}"
    if request.endpoint not in CACHEABLE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security_headers(app: Flask) -> None:
    app.after_request(add_security_headers)

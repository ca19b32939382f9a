"""Security headers on every response: what a browser may load, frame or send elsewhere."""

from __future__ import annotations

from flask import Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ]
)

_SECURITY_HEADERS = (
    ("content-security-policy", "Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "X-Content-Type-Options", "nosniff"),
    ("referrer-policy", "Referrer-Policy", "same-origin"),
    ("x-frame-options", "X-Frame-Options", "DENY"),
    ("cross-origin-opener-policy", "Cross-Origin-Opener-Policy", "same-origin"),
    ("permissions-policy", "Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_HSTS = ("strict-transport-security", "Strict-Transport-Security",
         "max-age=31536000; includeSubDomains")
_NO_STORE = ("cache-control", "Cache-Control", "no-store")


def add_security_headers(response: Response) -> Response:
    """Each header unless the view set its own. One pass over the response's headers rather
    than a search per header: this runs on every response."""
    wanted = list(_SECURITY_HEADERS)
    if str(current_app.config["BASE_URL"]).startswith("https://"):
        wanted.append(_HSTS)
    endpoint = request.endpoint
    if endpoint and not endpoint.endswith("static"):
        # Pages can hold personal data: never in a shared cache.
        wanted.append(_NO_STORE)
    headers = response.headers
    present = {name.lower() for name, _value in headers.items()}
    for lower, name, value in wanted:
        if lower not in present:
            headers.add(name, value)
    return response

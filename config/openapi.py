"""drf-spectacular hook: the published OpenAPI schema describes our API (/api/…) only.

Without it the generator also walks the Wagtail admin's internal APIs under /admin/,
which are not ours to publish and which `check --deploy` reports as warnings.
"""


def public_endpoints_only(endpoints):
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]

from django.conf import settings


def portal(request):
    """Programme names and the site name for every template."""
    return {"portal": settings.PORTAL}

"""Japanese first: the page language is Japanese unless the visitor chose
another one with the language switch (a cookie), whatever the browser's
Accept-Language says, so a parent with an English-set phone still sees the
Japanese site the prefecture publishes, and can switch in one click."""


class JapaneseByDefaultMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)

import logging

from django.conf import settings
from django.db import DataError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _


class VietnameseFirstLocaleMiddleware(MiddlewareMixin):
    """Vietnamese unless the user picked another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many
    officials' phones and PCs are set to English; the programme's language is Vietnamese.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        response.setdefault("Vary", "Cookie")
        return response


class DataErrorMiddleware:
    """A value the database refuses (a number out of range, text too long) comes from the
    request, not from a fault of the server: answer 400 with a message, never a 500.
    Forms and services bound what they accept; this is the net under them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DataError | OverflowError):
            return None
        logging.getLogger(__name__).warning(
            "value_refused_by_database", extra={"error": str(exception).splitlines()[0][:200] if str(exception) else ""})
        message = _("Giá trị nhập vào quá lớn hoặc không hợp lệ. Không có gì được lưu.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": str(message), "code": "value_out_of_range"}, status=400)
        return render(request, "400.html", {"message": message}, status=400)

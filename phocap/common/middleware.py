from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


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

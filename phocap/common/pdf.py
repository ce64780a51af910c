"""PDF documents (handover minutes, thank-you letters) rendered with WeasyPrint.

Only local files are used: the fetcher refuses any URL that is not a file or data
URL, so a PDF never reaches the internet.
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def _local_only_fetcher(url: str, *args, **kwargs):
    from weasyprint import default_url_fetcher

    if not url.startswith(("file://", "data:")):
        raise ValueError(f"refusing to fetch {url!r}: PDFs use local files only")
    return default_url_fetcher(url, *args, **kwargs)


def render_pdf(template: str, context: dict, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    base_url = (settings.BASE_DIR / "static").as_uri() + "/"
    return HTML(string=html, base_url=base_url, url_fetcher=_local_only_fetcher).write_pdf()


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response

from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int = 50):
    """The requested page of a queryset; invalid page numbers give the nearest page."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))

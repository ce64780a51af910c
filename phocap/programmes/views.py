from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from .models import Programme


@login_required
def programme_detail(request, pk):
    programme = get_object_or_404(
        Programme.objects.for_user(request.user).select_related("province"), pk=pk)
    targets = programme.targets.select_related("commune", "commune__parent")
    return render(request, "programmes/detail.html", {"programme": programme, "targets": targets})

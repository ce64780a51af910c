from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from phocap.accounts.scoping import can_access_unit

from .models import Programme


@login_required
def programme_detail(request, pk):
    programme = get_object_or_404(
        Programme.objects.for_user(request.user).select_related("province"), pk=pk)
    targets = programme.targets.select_related("commune", "commune__parent")
    return render(request, "programmes/detail.html", {
        "programme": programme, "targets": targets,
        # The inspector's workbook covers the whole province.
        "can_inspect": can_access_unit(request.user, programme.province)})

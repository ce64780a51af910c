from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from phocap.common.pagination import paginate

from . import services
from .models import Notification


@login_required
def notification_list(request):
    page = paginate(request, Notification.objects.filter(user=request.user), 30)
    return render(request, "notifications/list.html", {"page_obj": page})


@login_required
@require_POST
def notification_read(request):
    services.mark_read(user=request.user)
    return redirect("notifications:list")

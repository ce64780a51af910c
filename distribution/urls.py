from django.urls import path

from . import carryover_views, lookup, views

app_name = "distribution"

urlpatterns = [
    path("", views.index, name="index"),
    # Public (no login): the donor's look-up by the code on the acknowledgement letter.
    path("tra-cuu/", lookup.gift_lookup_form, name="gift_lookup_form"),
    path("tra-cuu/<str:code>/", lookup.gift_lookup, name="gift_lookup"),
    path("tra-cuu/<str:code>/bao-cao.pdf", lookup.gift_lookup_pdf, name="gift_lookup_pdf"),
    path("thiet-bi/", views.device_list, name="device_list"),
    path("thiet-bi/nhap/", views.device_intake, name="device_intake"),
    path("thiet-bi/nhap/tep/<int:pk>/", views.intake_job, name="intake_job"),
    path("thiet-bi/nhap/tep/<int:pk>/trang-thai.json", views.intake_job_status, name="intake_job_status"),
    path("thiet-bi/nhap/tep/<int:pk>/xac-nhan/", views.intake_job_confirm, name="intake_job_confirm"),
    path("thiet-bi/nhap/tep/<int:pk>/loi.csv", views.intake_job_errors, name="intake_job_errors"),
    path("thiet-bi/<str:imei>/", views.device_detail, name="device_detail"),
    path("thiet-bi/<str:imei>/xu-ly/", views.device_resolve, name="device_resolve"),
    path("thiet-bi/<str:imei>/xoa-so/", views.device_write_off, name="device_write_off"),
    path("nha-tai-tro/<int:pk>/", views.donor_trace, name="donor_trace"),
    path("dot/", views.batch_list, name="batch_list"),
    path("dot/tao/", views.batch_create, name="batch_create"),
    path("dot/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("dot/<int:pk>/xac-nhan/", views.batch_receive, name="batch_receive"),
    path("dot/<int:pk>/huy/", views.batch_cancel, name="batch_cancel"),
    path("dot/<int:pk>/bien-ban.pdf", views.batch_minutes, name="batch_minutes"),
    path("dot/<int:pk>/ban-ky/", views.batch_scan, name="batch_scan"),
    path("cap-phat/", views.handout_list, name="handout_list"),
    path("cap-phat/chon-ho/", views.handout_pick, name="handout_pick"),
    path("cap-phat/phien/", views.handout_session, name="handout_session"),
    path("cap-phat/ho/<int:household_pk>/", views.handout_create, name="handout_create"),
    path("cap-phat/<int:pk>/", views.handout_detail, name="handout_detail"),
    path("cap-phat/<int:pk>/thu-hoi/", views.handout_reverse, name="handout_reverse"),
    path("cap-phat/<int:pk>/bien-ban.pdf", views.handout_minutes, name="handout_minutes"),
    path("cap-phat/<int:pk>/ban-ky/", views.handout_scan, name="handout_scan"),
    path("chuyen-don-vi-moi/<int:programme_id>/", carryover_views.carryover_plan, name="carryover_plan"),
    path("chuyen-don-vi-moi/lan/<int:pk>/", carryover_views.carryover_detail, name="carryover_detail"),
]

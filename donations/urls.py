from django.urls import path

from . import views

app_name = "donations"

urlpatterns = [
    path("", views.index, name="index"),
    path("quy/<int:programme_id>/", views.fund, name="fund"),
    path("quy/<int:programme_id>/so-quy/", views.fund_account, name="fund_account"),
    path("cong-khai/<int:programme_id>/", views.honour_roll, name="honour_roll"),
    path("nha-tai-tro/", views.donor_list, name="donor_list"),
    path("nha-tai-tro/moi/", views.donor_create, name="donor_create"),
    path("nha-tai-tro/<int:pk>/", views.donor_detail, name="donor_detail"),
    path("nha-tai-tro/<int:pk>/sua/", views.donor_edit, name="donor_edit"),
    path("quy/<int:programme_id>/cam-ket/", views.pledge_list, name="pledge_list"),
    path("quy/<int:programme_id>/cam-ket/moi/", views.pledge_create, name="pledge_create"),
    path("quy/<int:programme_id>/cam-ket/qua-han/", views.pledge_overdue, name="pledge_overdue"),
    path("cam-ket/<int:pk>/", views.pledge_detail, name="pledge_detail"),
    path("cam-ket/<int:pk>/sua/", views.pledge_edit, name="pledge_edit"),
    path("cam-ket/<int:pk>/huy/", views.pledge_cancel, name="pledge_cancel"),
    path("quy/<int:programme_id>/khoan-ung-ho/", views.donation_list, name="donation_list"),
    path("quy/<int:programme_id>/khoan-ung-ho/moi/", views.donation_create, name="donation_create"),
    path("khoan-ung-ho/<int:pk>/", views.donation_detail, name="donation_detail"),
    path("khoan-ung-ho/<int:pk>/sua/", views.donation_edit, name="donation_edit"),
    path("khoan-ung-ho/<int:pk>/dao/", views.donation_reverse, name="donation_reverse"),
    path("khoan-ung-ho/<int:pk>/cam-on/", views.donation_acknowledge, name="donation_acknowledge"),
    path("khoan-ung-ho/<int:pk>/cam-on.pdf", views.donation_ack_pdf, name="donation_ack_pdf"),
    path("quy/<int:programme_id>/mua-sam/", views.procurement_list, name="procurement_list"),
    path("quy/<int:programme_id>/mua-sam/moi/", views.procurement_create, name="procurement_create"),
    path("mua-sam/<int:pk>/dao/", views.procurement_reverse, name="procurement_reverse"),
]

from django.urls import path

from leads import views

app_name = "leads"
urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer-edit"),
    path("customers/<int:pk>/grade/", views.customer_change_grade, name="customer-grade"),
    path("lost-requests/", views.lost_request_list, name="lost-request-list"),
    path("lost-requests/<int:pk>/approve/", views.lost_request_approve, name="lost-request-approve"),
    path("lost-requests/<int:pk>/reject/", views.lost_request_reject, name="lost-request-reject"),
    path("customers/<int:pk>/history/", views.customer_history, name="customer-history"),
    path("customers/<int:pk>/merge/", views.customer_merge, name="customer-merge"),
    path("customers/import/", views.customer_import, name="customer-import"),
    path("customers/import/<int:pk>/", views.customer_import_preview, name="customer-import-preview"),
    path("customers/export.csv", views.customer_export, name="customer-export"),
    path("customers/<int:pk>/history.csv", views.customer_history_export, name="customer-history-export"),
    path("prospecting-plan/", views.prospecting_plan, name="prospecting-plan"),
    path("customers/<int:pk>/assign/", views.customer_assign, name="customer-assign"),
    path("customers/reassign/", views.customer_reassign, name="customer-reassign"),
    path("owners/replacement/", views.replacement_list, name="replacement-list"),
    path("customers/imports/", views.import_list, name="import-list"),
    path("customers/referrer-lookup/", views.referrer_lookup, name="referrer-lookup"),
    path("staff/referrals/", views.staff_referral_list, name="staff-referral-list"),
    path("staff/<int:pk>/referrals/", views.staff_referrals, name="staff-referrals"),
]

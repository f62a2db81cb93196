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
    path("customers/<int:pk>/history.csv", views.customer_history_export, name="customer-history-export"),
]

from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("calls/<int:pk>/outcome/", views.call_outcome, name="call-outcome"),
    path("calls/overdue/", views.overdue_call_list, name="overdue-calls"),
]

from django.urls import path

from testdrive import views

app_name = "testdrive"
urlpatterns = [
    path("test-drives/", views.calendar, name="calendar"),
    path("test-drives/fleet/", views.FleetView.as_view(), name="fleet"),
    path("test-drives/book/", views.booking_create, name="booking-create"),
    path("test-drives/<int:pk>/", views.booking_detail, name="booking-detail"),
    path("test-drives/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
    path("test-drives/<int:pk>/licence/", views.licence_check, name="licence-check"),
    path("test-drives/<int:pk>/licence/photo/", views.licence_photo, name="licence-photo"),
    path("test-drives/<int:pk>/route/", views.route_briefing, name="route-briefing"),
    path("test-drives/<int:pk>/route/map/", views.route_map, name="route-map"),
    path("test-drives/<int:pk>/agreement/sign/", views.agreement_sign, name="agreement-sign"),
    path("test-drives/<int:pk>/agreement/", views.agreement, name="agreement"),
    path("test-drives/<int:pk>/agreement/signature/", views.agreement_signature, name="agreement-signature"),
    path("test-drives/<int:pk>/start/", views.drive_start, name="drive-start"),
    path("test-drives/<int:pk>/handover/", views.drive_handover, name="drive-handover"),
    path("test-drives/<int:pk>/ride-along/", views.drive_ride_along, name="drive-ride-along"),
    path("test-drives/<int:pk>/end/", views.drive_end, name="drive-end"),
    path("test-drives/<int:pk>/survey/", views.survey, name="survey"),
    path("test-drives/<int:pk>/register/", views.drive_register, name="drive-register"),
]

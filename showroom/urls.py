from django.urls import path

from showroom.views import register as views
from showroom.views import walkaround

app_name = "showroom"
urlpatterns = [
    path("visits/", views.VisitListView.as_view(), name="visit-list"),
    path("visits/new/", views.VisitCreateView.as_view(), name="visit-create"),
    path("visits/lookup/", views.mobile_lookup, name="mobile-lookup"),
    path("visits/<int:pk>/left/", views.visit_close, name="visit-close"),
    path("visits/<int:pk>/link/", views.VisitLinkView.as_view(), name="visit-link"),
    path("visits/<int:pk>/walkaround/", walkaround.walkaround_start, name="walkaround-start"),
    path("walkarounds/<int:pk>/", walkaround.walkaround, name="walkaround"),
    path(
        "walkarounds/<int:pk>/positions/<int:position>/",
        walkaround.walkaround_position,
        name="walkaround-position",
    ),
    path("walkarounds/<int:pk>/finish/", walkaround.walkaround_finish, name="walkaround-finish"),
]

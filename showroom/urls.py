from django.urls import path

from showroom.views import catalog as catalog_views
from showroom.views import needs as needs_views
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
    path("catalog/", catalog_views.CatalogView.as_view(), name="catalog"),
    path("catalog/models/<int:pk>/", catalog_views.model_detail, name="model-detail"),
    path("catalog/images/<path:name>", catalog_views.catalog_image, name="catalog-image"),
    path("stock/", catalog_views.StockView.as_view(), name="stock"),
    path("customers/<int:pk>/needs/", needs_views.NeedsEditView.as_view(), name="needs-edit"),
    path("customers/<int:pk>/needs/history/", needs_views.NeedsHistoryView.as_view(), name="needs-history"),
]

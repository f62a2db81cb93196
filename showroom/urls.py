from django.urls import path

from showroom.views import catalog as catalog_views
from showroom.views import checklists as checklist_views
from showroom.views import compliance as compliance_views
from showroom.views import floor as floor_views
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
    path("floor/board/", floor_views.board, name="board"),
    path("floor/duty/", floor_views.duty, name="duty"),
    path("floor/head-count/", floor_views.head_count, name="head-count"),
    path("floor/head-count/<int:pk>/remove/", floor_views.head_count_remove, name="head-count-remove"),
    path("customers/<int:pk>/appointments/new/", floor_views.appointment_book, name="appointment-book"),
    path("appointments/<int:pk>/cancel/", floor_views.appointment_cancel, name="appointment-cancel"),
    path("compliance/", compliance_views.compliance_page, name="compliance"),
    path("compliance/misses/", compliance_views.compliance_misses, name="compliance-misses"),
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
    path("checklists/", checklist_views.checklist_day, name="checklist-day"),
    path("checklists/runs/<int:pk>/", checklist_views.checklist_run, name="checklist-run"),
    path("checklists/runs/<int:pk>/answer/", checklist_views.checklist_answer, name="checklist-answer"),
    path("checklists/runs/<int:pk>/complete/", checklist_views.checklist_complete, name="checklist-complete"),
    path("checklists/photos/<int:pk>/", checklist_views.checklist_photo, name="checklist-photo"),
    path("checklists/fixes/<int:pk>/fixed/", checklist_views.checklist_fix_close, name="checklist-fix-close"),
    path("checklists/fixes/<int:pk>/owner/", checklist_views.checklist_fix_owner, name="checklist-fix-owner"),
    path("checklists/sign-off/", checklist_views.checklist_sign_off, name="checklist-sign-off"),
    path("checklists/reopen/", checklist_views.checklist_reopen, name="checklist-reopen"),
    path("checklists/history/", checklist_views.checklist_history, name="checklist-history"),
]

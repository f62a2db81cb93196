"""The catalog and the stock look-up for consultants (issue 5 item 3), and the catalog's images,
served to signed-in staff only (they live outside any public URL: showroom/storage.py)."""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_filters.views import FilterView

from showroom import lookup
from showroom.forms import CatalogFilter, StockFilter
from showroom.models import POSITION_TOPICS, WalkaroundPosition
from showroom.storage import CatalogImageStorage

# What the catalog's image fields accept (showroom.models.catalog.catalog_image_path).
IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp"}


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


class CatalogView(LoginRequiredMixin, FilterView):
    """Models on sale by brand and series, with today's starting guide price and the number of
    cars available at the user's showroom."""

    template_name = "showroom/catalog_list.html"
    filterset_class = CatalogFilter
    context_object_name = "models"
    paginate_by = 48

    def get_queryset(self):
        return lookup.catalog_models(showroom_id=self.request.user.showroom_id)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        showroom = self.request.user.showroom
        day = lookup.showroom_today(showroom)
        lookup.attach_starting_prices(ctx["models"], showroom=showroom, day=day)
        ctx.update(day=day, showroom=showroom, querystring=_querystring(self.request))
        return ctx


@login_required
@require_safe
def model_detail(request, pk):
    model = lookup.vehicle_model_for_user(request.user, pk)
    showroom = request.user.showroom
    sheet = lookup.model_sheet(model=model, showroom=showroom, day=lookup.showroom_today(showroom))
    positions = [
        {"label": WalkaroundPosition(position).label, "topics": POSITION_TOPICS[position], "points": points}
        for position, points in sheet.selling_points.items()
    ]
    return render(
        request,
        "showroom/catalog_model.html",
        {"model": model, "sheet": sheet, "showroom": showroom, "positions": positions},
    )


class StockView(LoginRequiredMixin, FilterView):
    """The showroom's available stock (in stock, in transit), filtered by model, trim, colour
    and status; for a chosen model, the trims with no car here and their supply lead time."""

    template_name = "showroom/stock_list.html"
    filterset_class = StockFilter
    context_object_name = "cars"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.showroom_id is None:
            raise PermissionDenied(_("Your account is not attached to a showroom."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return lookup.stock_list(showroom_id=self.request.user.showroom_id)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "showroom_id": self.request.user.showroom_id}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        form = self.filterset.form
        chosen = form.cleaned_data.get("model") if form.is_valid() else None
        ctx["chosen_model"] = chosen
        ctx["without_stock"] = (
            lookup.trims_without_stock(showroom_id=self.request.user.showroom_id, vehicle_model=chosen)
            if chosen is not None
            else []
        )
        ctx["querystring"] = _querystring(self.request)
        return ctx


@login_required
@require_safe
def catalog_image(request, name):
    """A catalog image, to signed-in staff. Anything else — a missing file, a folder, a path
    leading out of the storage, a file that is not one of the catalog's image types — is a 404."""
    storage = CatalogImageStorage()
    root = Path(storage.location).resolve()
    try:
        path = Path(storage.path(name)).resolve()
    except (SuspiciousFileOperation, ValueError, OSError):
        raise Http404 from None
    content_type = IMAGE_TYPES.get(path.suffix.lower())
    if content_type is None or not path.is_relative_to(root) or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, max-age=86400"
    return response

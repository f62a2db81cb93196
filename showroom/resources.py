"""A price list's guide prices in and out of the admin as CSV or XLSX (django-import-export 4).

One row per price: ``trim_code`` (the trim's code), ``colour`` (the colour's name; blank: the
trim's base price, for every colour without its own row) and ``guide_price`` (CNY). The same
columns go out as come in, so an exported file can be edited and imported back. Headers are
matched loosely (case, spaces, Chinese names: 配置代码, 颜色, 指导价).

Every row is checked before anything is written, with the rules of ``showroom.stock``: an
unknown trim code, a colour the trim does not come in, a price that is not a number or is below
zero, the same trim and colour twice in the file are errors with the line and the reason. A row
for a trim and colour already in the list updates its price; the list's other prices stay.
The preview is a dry run rolled back; the confirmed import runs in one transaction, rolled
back entirely if any row fails (``rollback_on_validation_errors``, see showroom.admin).
"""

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from import_export import resources
from import_export.fields import Field
from import_export.tmp_storages import TempFolderStorage

from dealership.spreadsheets import safe_cell, unguard_cell
from showroom.models import PriceList, PriceListEntry, Trim
from showroom.pricing import PAST_LIST_LOCKED, price_list_ended
from showroom.stock import check_price, colour_not_offered_message

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
MAX_PRICE = Decimal("9999999999.99")  # PriceListEntry.msrp: 12 digits, 2 decimals

# canonical column → its label (shown in the admin) and other names a header may use
COLUMNS = {
    "trim_code": (gettext_lazy("Trim code"), {"trim", "code", "配置代码", "配置编码", "车型代码"}),
    "colour": (gettext_lazy("Colour"), {"color", "颜色", "车身颜色", "车色"}),
    "guide_price": (gettext_lazy("Guide price"), {"msrp", "price", "指导价", "厂商指导价", "价格"}),
}


def _aliases() -> dict[str, str]:
    names = {}
    for key, (label, more) in COLUMNS.items():
        names[key] = key
        names[key.replace("_", " ")] = key
        names.update({alias.lower(): key for alias in more})
        for language in ("en", "zh-hans"):
            with override(language):
                names[str(label).lower()] = key
    return names


def _text(value) -> str:
    """A cell as stripped text: a number typed into an XLSX cell as Excel shows it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unguard_cell(str(value).strip())


def parse_price(text: str) -> tuple[Decimal | None, str | None]:
    """(price, None) or (None, the reason it is not a price)."""
    cleaned = text.replace(",", "").replace(" ", "").replace("¥", "").replace("￥", "").replace("元", "")
    if not cleaned:
        return None, _("Give the guide price.")
    try:
        price = Decimal(cleaned)
    except InvalidOperation:
        return None, _("“%(value)s” is not a price; write it as a number, e.g. 189900 or 189900.00.") % {
            "value": text[:30]}
    if not price.is_finite():
        return None, _("“%(value)s” is not a price; write it as a number, e.g. 189900 or 189900.00.") % {
            "value": text[:30]}
    try:
        check_price(price, field="guide_price")
    except ValidationError as exc:
        return None, exc.message_dict["guide_price"][0]
    if price != price.quantize(Decimal("0.01")):
        return None, _("A price has at most 2 decimals (fen).")
    if price > MAX_PRICE:
        return None, _("The price is too large.")
    return price, None


class PriceFileError(Exception):
    """The file as a whole cannot be imported (columns, size, no list chosen)."""


@dataclass
class CheckedRow:
    line: int  # as a spreadsheet shows it: the header is line 1
    trim: Trim | None = None
    colour: object = None
    price: Decimal | None = None
    existing: PriceListEntry | None = None
    previous: Decimal | None = None  # the price in the list before this import
    errors: dict = field(default_factory=dict)  # column → [reasons]

    def error(self, column: str, reason: str) -> None:
        self.errors.setdefault(column, []).append(reason)


class PriceListUploadStorage(TempFolderStorage):
    """The uploaded file between preview and confirm: VAR_DIR/imports/price-lists (never
    served), under a random name, deleted by the import. A CSV saved by Excel on a Chinese
    Windows (GB18030, no UTF-8) reads too."""

    def _folder(self) -> Path:
        folder = Path(settings.VAR_DIR) / "imports" / "price-lists"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def get_full_path(self):
        return str(self._folder() / os.path.basename(self.name))

    def save(self, data):
        if not self.name:
            self.name = f"price-list-{uuid4().hex}"
        if isinstance(data, str):
            data = data.encode("utf-8")
        Path(self.get_full_path()).write_bytes(data)

    def read(self):
        raw = Path(self.get_full_path()).read_bytes()
        if "b" in self.read_mode:
            return raw
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return raw.decode("gb18030")


class PriceListEntryResource(resources.ModelResource):
    trim_code = Field(attribute="trim__code", column_name="trim_code")
    colour = Field(attribute="colour__name", column_name="colour")
    guide_price = Field(attribute="msrp", column_name="guide_price")

    class Meta:
        model = PriceListEntry
        name = gettext_lazy("Guide prices of a price list")
        fields = ("trim_code", "colour", "guide_price")
        export_order = ("trim_code", "colour", "guide_price")
        import_id_fields = ()  # rows are matched to the list's prices in get_instance
        clean_model_instances = False  # checked in before_import/_check with a constant number of queries
        skip_diff = True  # the preview shows the old price itself (showroom/admin)
        report_skipped = True  # an unchanged price is shown as such
        store_row_values = True
        use_transactions = True

    def __init__(self, price_list: PriceList | None = None, **kwargs):
        super().__init__(**kwargs)
        self.price_list = price_list

    # ---- export -------------------------------------------------------------------------

    def dehydrate_trim_code(self, entry):
        return safe_cell(entry.trim.code)

    def dehydrate_colour(self, entry):
        return safe_cell(entry.colour.name) if entry.colour_id else ""

    def dehydrate_guide_price(self, entry):
        return entry.msrp

    # ---- import -------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Name the columns, drop blank rows, load the file's trims (with their colours) and
        the list's prices: a constant number of queries whatever the row count."""
        self._seen: dict[tuple, int] = {}
        self._lines: list[int] = []
        self._trims: dict[str, Trim] = {}
        self._trims_lower: dict[str, Trim] = {}
        self._entries: dict[tuple, PriceListEntry] = {}
        aliases, headers = _aliases(), []
        for header in dataset.headers or []:
            key = aliases.get(_text(header).lower())
            headers.append(key if key and key not in headers else _text(header))
        if headers:
            dataset.headers = headers
        blank = []
        for index, row in enumerate(dataset):
            if all(_text(cell) == "" for cell in row):
                blank.append(index)
            else:
                self._lines.append(index + 2)
        for index in reversed(blank):
            del dataset[index]
        problem = None
        missing = [key for key in ("trim_code", "guide_price") if key not in headers]
        if self.price_list is None:
            problem = _("Choose the price list to import into.")
        elif price_list_ended(self.price_list):
            problem = PAST_LIST_LOCKED
        elif missing:
            problem = _("The first line must name the columns trim_code, colour and guide_price; "
                        "missing: %(missing)s.") % {"missing": ", ".join(missing)}
        elif len(dataset) > MAX_ROWS:
            problem = _("The file has %(rows)s rows; import at most %(max)s at a time.") % {
                "rows": len(dataset), "max": MAX_ROWS}
        if problem:
            del dataset[0 : len(dataset)]  # nothing to check row by row: the file is the problem
            raise PriceFileError(problem)
        codes = {_text(row.get("trim_code")) for row in dataset.dict}
        codes |= {code.lower() for code in codes}
        self._trims = {
            trim.code: trim
            for trim in Trim.objects.filter(code__in=codes - {""})
            .select_related("vehicle_model__series__brand")
            .prefetch_related("colours")
        }
        self._trims_lower = {code.lower(): trim for code, trim in self._trims.items()}
        self._entries = {
            (entry.trim_id, entry.colour_id): entry
            for entry in PriceListEntry.objects.filter(price_list=self.price_list).select_related("trim", "colour")
        }

    def _check(self, row, line: int) -> CheckedRow:
        checked = CheckedRow(line=line)
        code = _text(row.get("trim_code"))
        if not code:
            checked.error("trim_code", _("Give the trim code."))
        else:
            checked.trim = self._trims.get(code) or self._trims_lower.get(code.lower())
            if checked.trim is None:
                checked.error("trim_code", _("No trim has the code “%(code)s”.") % {"code": code[:40]})
        colour_name = _text(row.get("colour"))
        if checked.trim is not None and colour_name:
            colours = list(checked.trim.colours.all())  # prefetched
            checked.colour = next((c for c in colours if c.name.casefold() == colour_name.casefold()), None)
            if checked.colour is None:
                checked.error(
                    "colour",
                    colour_not_offered_message(trim=checked.trim, colour=colour_name[:60],
                                               names=sorted(c.name for c in colours)),
                )
        checked.price, reason = parse_price(_text(row.get("guide_price")))
        if reason:
            checked.error("guide_price", reason)
        if checked.trim is not None and not checked.errors.get("colour"):
            key = (checked.trim.pk, checked.colour.pk if checked.colour else None)
            if key in self._seen:
                checked.error(
                    "colour" if checked.colour else "trim_code",
                    _("The same trim and colour are on line %(line)s already.") % {"line": self._seen[key]},
                )
            else:
                self._seen[key] = line
                checked.existing = self._entries.get(key)
                checked.previous = checked.existing.msrp if checked.existing else None
        return checked

    def import_row(self, row, instance_loader, **kwargs):
        number = kwargs["row_number"]
        self._current = self._check(row, self._lines[number - 1])
        row_result = super().import_row(row, instance_loader, **kwargs)
        row_result.checked = self._current
        return row_result

    def get_instance(self, instance_loader, row):
        return self._current.existing

    def init_instance(self, row=None):
        return PriceListEntry(price_list=self.price_list)

    def import_instance(self, instance, row, **kwargs):
        checked = self._current
        if checked.errors:
            raise ValidationError(checked.errors)
        instance.price_list = self.price_list
        instance.trim = checked.trim
        instance.colour = checked.colour
        instance.msrp = checked.price

    def skip_row(self, instance, original, row, import_validation_errors=None):
        checked = self._current
        return not import_validation_errors and checked.existing is not None and checked.previous == checked.price

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        result.price_list = self.price_list


__all__ = ["COLUMNS", "PriceFileError", "PriceListEntryResource", "PriceListUploadStorage", "parse_price"]

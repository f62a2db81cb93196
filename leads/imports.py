"""Customer lists from a file (CSV or XLSX): read with tablib, each row checked and classified.

Nothing here writes to the database: ``preview_rows`` reads the file and answers, for every
row, whether it becomes a new customer, merges into an existing one (same mobile in the
showroom, numbers normalised) or is skipped with its errors (line, column, reason). The write
is ``leads.services.customers_import``, which calls this again on confirmation.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import phonenumbers
import tablib
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from phonenumber_field.phonenumber import PhoneNumber

from dealership.models import User
from dealership.roles import Role
from dealership.spreadsheets import unguard_cell
from leads.mobile import parse_mobile
from leads.models import Customer, Grade, Source, normalise_plate

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = {".csv": "csv", ".xlsx": "xlsx"}
IMPORTABLE_GRADES = [Grade.H, Grade.A, Grade.B, Grade.C, Grade.O, Grade.D]
LOOKUP_CHUNK = 900  # mobiles per query: under SQLite's bound-parameter limit


class CheckedMobile(PhoneNumber):
    """A number parse_mobile has already validated: its validity and E.164 text are computed
    once, not again each time the ORM prepares it (thousands of rows, several times each)."""

    def is_valid(self):
        return True

    @cached_property
    def _e164(self) -> str:
        return self.format_as(phonenumbers.PhoneNumberFormat.E164)

    def __str__(self):
        return self._e164

    def format_as(self, format):
        if format == phonenumbers.PhoneNumberFormat.E164 and "_e164" in self.__dict__:
            return self.__dict__["_e164"]
        return super().format_as(format)

    def __hash__(self):
        return hash(self._e164)


def _checked(number: PhoneNumber) -> CheckedMobile:
    checked = CheckedMobile()
    checked.merge_from(number)
    return checked


# field -> (its label, also used as the export's header; more names accepted in a header row)
COLUMNS = {
    "name": (gettext_lazy("Name"), {"姓名", "客户姓名", "名字", "客户"}),
    "mobile": (gettext_lazy("Mobile"), {"手机", "手机号", "手机号码", "电话", "phone"}),
    "source": (gettext_lazy("Source"), {"来源", "客户来源"}),
    "grade": (gettext_lazy("Grade"), {"级别", "意向级别", "等级"}),
    "owner": (gettext_lazy("Consultant"), {"顾问", "销售顾问", "consultant", "username"}),
    "sms_consent": (gettext_lazy("Agrees to SMS"), {"同意短信", "短信", "sms"}),
    "notes": (gettext_lazy("Notes"), {"备注", "note"}),
    "purchase_date": (gettext_lazy("Purchase date"), {"购车日期", "购买日期", "交车日期", "purchased"}),
    "vehicle": (gettext_lazy("Vehicle"), {"车型", "购买车型", "model"}),
    "plate": (gettext_lazy("Licence plate"), {"车牌", "车牌号", "车牌号码", "license plate", "licence plate"}),
    # a customer of the showroom (their mobile) or a member of its staff (their username)
    "referrer": (gettext_lazy("Referred by"), {"推荐人", "介绍人", "转介绍人", "referred by", "referred_by"}),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
YES = {"1", "y", "yes", "true", "x", "✓", "是", "同意", "agrees", "on"}
NO = {"", "0", "n", "no", "false", "否", "不同意", "no consent", "off"}


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (format, size, headers)."""


@dataclass
class RowError:
    column: str
    reason: str


@dataclass
class ImportRow:
    line: int  # as a spreadsheet shows it: the header is line 1
    raw: dict  # field -> the text in the file
    values: dict = field(default_factory=dict)  # field -> cleaned value
    errors: list = field(default_factory=list)
    existing: Customer | None = None
    filled: list = field(default_factory=list)  # fields a merge fills on the existing customer

    @property
    def mobile_display(self) -> str:
        mobile = self.values.get("mobile")
        return mobile.as_national if mobile else self.raw.get("mobile", "")

    source_name: str = ""  # the showroom's name for the row's source

    @property
    def source_label(self) -> str:
        return self.source_name or self.raw.get("source", "")

    @property
    def referrer_display(self) -> str:
        referrer = self.values.get("referred_by_customer") or self.values.get("referred_by_staff")
        return referrer.display_name if referrer is not None else ""

    @property
    def filled_labels(self) -> list[str]:
        return [str(Customer._meta.get_field(key).verbose_name) for key in self.filled]

    @property
    def outcome(self) -> str:
        if self.errors:
            return "error"
        return "merge" if self.existing is not None else "new"


@dataclass
class Preview:
    rows: list
    ignored_columns: list
    custom_source_names: dict = field(default_factory=dict)  # code → the name an admin gave it

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict:
        return {outcome: self.count(outcome) for outcome in ("new", "merge", "error")}


def file_format(name: str) -> str:
    fmt = EXTENSIONS.get(Path(name or "").suffix.lower())
    if fmt is None:
        raise ImportFileError(_("Upload a .csv or .xlsx file."), code="format")
    return fmt


def read_table(data: bytes, name: str) -> tuple[list[str], list[list[str]]]:
    """The header row and the data rows of the file, every cell as stripped text."""
    fmt = file_format(name)
    if len(data) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."), code="size")
    dataset = tablib.Dataset()
    try:
        if fmt == "csv":
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = data.decode("gb18030")  # a CSV saved by Excel on a Chinese Windows
            dataset.load(text, format="csv")
        else:
            dataset.load(data, format="xlsx")
    except Exception as exc:  # tablib and openpyxl raise many kinds for a damaged file
        raise ImportFileError(
            _("The file could not be read as %(format)s: %(error)s") % {"format": fmt.upper(), "error": exc},
            code="unreadable",
        ) from exc
    headers = [_cell(h) for h in (dataset.headers or [])]
    rows = [[_cell(v) for v in row] for row in dataset]
    if not any(headers):
        raise ImportFileError(_("The file is empty: the first line must name the columns."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has %(rows)s rows; import at most %(max)s at a time.") % {"rows": len(rows), "max": MAX_ROWS},
            code="too_many",
        )
    return headers, rows


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a mobile typed into a number cell: 13912345678.0
    if isinstance(value, datetime | date):
        return value.isoformat()
    return unguard_cell(str(value).strip())  # an exported "'+8613…" reads back as "+8613…"


def _aliases() -> dict[str, str]:
    names = {}
    for key, (label, more) in COLUMNS.items():
        names[key] = key
        names[key.replace("_", " ")] = key
        for alias in more:
            names[alias.lower()] = key
        for language in ("en", "zh-hans"):
            with override(language):
                names[str(label).lower()] = key
    return names


def _source_names(showroom) -> tuple[dict[str, str], dict[str, str], set[str], dict[str, str]]:
    """The showroom's sources: (what a file may write → code, for the active ones; code → name
    shown; the codes that need a referrer; code → the name an admin gave it). A file may give
    the code, the name an admin typed, or a default source's English or Chinese name."""
    from leads.models import LeadSource

    names, shown, needing, custom = {}, {}, set(), {}
    for source in LeadSource.objects.filter(showroom_id=showroom.pk):
        if source.needs_referrer:
            needing.add(source.code)
        if source.name:
            custom[source.code] = source.name  # for the timeline, as customer_created_event stores it
        if not source.is_active:
            continue
        names[source.code.lower()] = source.code
        shown[source.code] = source.label
        if source.name:
            names[source.name.strip().lower()] = source.code
        if source.code in Source.values:
            for language in ("en", "zh-hans"):
                with override(language):
                    names.setdefault(str(Source(source.code).label).strip().lower(), source.code)
    return names, shown, needing, custom


def _column_map(headers: list[str]) -> tuple[dict[str, int], list[str]]:
    aliases = _aliases()
    columns, ignored = {}, []
    for index, header in enumerate(headers):
        key = aliases.get(header.strip().lower())
        if key is None or key in columns:
            if header:
                ignored.append(header)
            continue
        columns[key] = index
    if "name" not in columns and "mobile" not in columns:
        raise ImportFileError(
            _("No name or mobile column: the first line must name the columns (name, mobile, source, "
              "referrer, grade, owner, sms_consent, notes)."),
            code="no_columns",
        )
    return columns, ignored


def check_file(data: bytes, name: str) -> None:
    """Refuse a file that cannot be imported at all (format, size, no name or mobile column)."""
    headers, _rows = read_table(data, name)
    _column_map(headers)


def preview_rows(*, data: bytes, file_name: str, showroom, default_owner, default_source: str) -> Preview:
    """Read and check every row; no write. A constant number of queries: the showroom's sources
    and staff, and the existing customers with the file's mobiles (the rows' and the
    referrers') in chunks of LOOKUP_CHUNK."""
    headers, table = read_table(data, file_name)
    columns, ignored = _column_map(headers)
    labels = {key: headers[index] for key, index in columns.items()}
    sources, source_shown, needing_referrer, custom_names = _source_names(showroom)
    sells = User.groups.through.objects.filter(
        user_id=OuterRef("pk"), group__name__in=[Role.SALES_CONSULTANT.value, Role.SALES_MANAGER.value]
    )
    everyone = list(User.objects.filter(showroom_id=showroom.pk, is_active=True).annotate(sells=Exists(sells)))
    staff = {u.username.lower(): u for u in everyone if u.sells}  # consultants own customers
    referring_staff = {u.username.lower(): u for u in everyone}  # anyone of the staff may refer
    rows, first_line_of = [], {}
    for offset, cells in enumerate(table):
        raw = {key: (cells[index] if index < len(cells) else "") for key, index in columns.items()}
        row = ImportRow(line=offset + 2, raw=raw)
        rows.append(row)
        _clean(row, labels, sources, staff, default_owner, default_source)
        row.source_name = source_shown.get(row.values.get("source"), "")
        mobile = row.values.get("mobile")
        if mobile and not row.errors:
            key = str(mobile)
            if key in first_line_of:
                row.errors.append(
                    RowError(labels["mobile"], _("The same mobile is on line %(line)s.") % {"line": first_line_of[key]})
                )
            else:
                first_line_of[key] = row.line
    wanted = [row.values["mobile"] for row in rows if row.values.get("mobile") and not row.errors]
    wanted += [row.values["referrer_mobile"] for row in rows if row.values.get("referrer_mobile") and not row.errors]
    existing = _existing_by_mobile(showroom, list(dict.fromkeys(wanted)))
    for row in rows:
        if row.errors:
            continue
        customer = existing.get(str(row.values.get("mobile") or ""))
        _check_referrer(row, labels, showroom, customer, existing, referring_staff, needing_referrer)
        if customer is not None and not row.errors:
            row.existing = customer
            row.filled = [
                key
                for key, current in (("name", customer.name), ("source", customer.source), ("owner", customer.owner_id),
                                     ("purchase_date", customer.purchase_date), ("vehicle", customer.vehicle),
                                     ("plate", customer.plate))
                if not current and row.values.get(key)
            ]
            if customer.referred_by_customer_id is None and customer.referred_by_staff_id is None:
                row.filled += [key for key in ("referred_by_customer", "referred_by_staff") if row.values.get(key)]
    return Preview(rows=rows, ignored_columns=ignored, custom_source_names=custom_names)


REFERRER_REASONS = {
    "referrer_required": gettext_lazy(
        "This source needs a referrer: write the mobile of a customer of this showroom, or a staff member's username."
    ),
}


def _check_referrer(row: ImportRow, labels, showroom, customer, existing, referring_staff, needing_referrer) -> None:
    """Who referred the row's customer: the ``referrer`` cell names a customer of the showroom
    by mobile or a member of its staff by username. The rule is the service's
    (leads.services.check_referrer, no query); a customer found again who already has a
    referrer needs none from the file."""
    from leads.services import check_referrer

    values, text = row.values, row.raw.get("referrer", "")
    column = labels.get("referrer", "referrer")
    if values.get("referrer_mobile"):
        values["referred_by_customer"] = existing.get(str(values["referrer_mobile"]))
        if values["referred_by_customer"] is None:
            row.errors.append(RowError(column, _("No customer of this showroom has the mobile “%(value)s”.") % {
                "value": text[:40]}))
            return
    elif text:
        values["referred_by_staff"] = referring_staff.get(text.lower())
        if values["referred_by_staff"] is None:
            row.errors.append(RowError(column, _(
                "“%(value)s” is neither the mobile of a customer of this showroom nor a staff member's username."
            ) % {"value": text[:40]}))
            return
    has_referrer = customer is not None and (customer.referred_by_customer_id or customer.referred_by_staff_id)
    try:
        check_referrer(
            showroom_id=showroom.pk,
            needs_referrer=values.get("source") in needing_referrer and not has_referrer,
            customer=customer,
            referred_by_customer=values["referred_by_customer"],
            referred_by_staff=values["referred_by_staff"],
        )
    except ValidationError as error:
        problem = next(iter(error.error_dict.values()))[0]
        row.errors.append(RowError(column, str(REFERRER_REASONS.get(problem.code, problem.messages[0]))))


def _existing_by_mobile(showroom, mobiles: list[str]) -> dict[str, Customer]:
    found = {}
    for start in range(0, len(mobiles), LOOKUP_CHUNK):
        chunk = mobiles[start : start + LOOKUP_CHUNK]
        for customer in Customer.objects.filter(showroom=showroom, mobile__in=chunk).select_related("owner"):
            found[str(customer.mobile)] = customer
    return found


def _clean(row: ImportRow, labels, sources, staff, default_owner, default_source) -> None:
    raw, values, errors = row.raw, row.values, row.errors

    def error(key, reason):
        errors.append(RowError(labels.get(key, key), str(reason)))

    name = raw.get("name", "")
    if any(ord(ch) < 32 for ch in name):
        error("name", _("Control characters are not allowed."))
    elif len(name) > 100:
        error("name", _("Longer than %(max)s characters.") % {"max": 100})
    values["name"] = name

    values["mobile"] = ""
    if raw.get("mobile"):
        try:
            values["mobile"] = _checked(parse_mobile(raw["mobile"]))
        except ValidationError as exc:
            error("mobile", exc.messages[0])
    if not name and not raw.get("mobile"):
        error("name" if "name" in labels else "mobile", _("Give at least a name or a mobile number."))

    source = raw.get("source", "")
    if source:
        values["source"] = sources.get(source.lower())
        if values["source"] is None:
            error("source", _("Unknown source “%(value)s”.") % {"value": source[:40]})
    else:
        values["source"] = default_source

    grade = raw.get("grade", "").upper()
    if grade and grade not in IMPORTABLE_GRADES:
        if grade == Grade.F:
            error("grade", _("A lost customer (F) needs a reason and a manager's approval; import them with another grade."))
        else:
            error("grade", _("Unknown grade “%(value)s”; use H, A, B, C, O or D.") % {"value": grade[:10]})
    values["grade"] = grade or Grade.C

    owner = raw.get("owner", "")
    if owner:
        values["owner"] = staff.get(owner.lower())
        if values["owner"] is None:
            error("owner", _("No consultant “%(value)s” in this showroom.") % {"value": owner[:40]})
    else:
        values["owner"] = default_owner

    consent = raw.get("sms_consent", "").lower()
    if consent in YES:
        values["sms_consent"] = True
    elif consent in NO:
        values["sms_consent"] = False
    else:
        error("sms_consent", _("Answer yes or no, not “%(value)s”.") % {"value": consent[:20]})

    _clean_owner_car(raw, values, error)

    # Who referred them: a mobile here is looked up with the rows' own (see _check_referrer).
    values["referred_by_customer"] = values["referred_by_staff"] = None
    values["referrer_mobile"] = ""
    referrer = raw.get("referrer", "")
    if referrer and any(ch.isdigit() for ch in referrer) and all(ch.isdigit() or ch in " +-()" for ch in referrer):
        try:
            values["referrer_mobile"] = _checked(parse_mobile(referrer))
        except ValidationError as exc:
            error("referrer", exc.messages[0])
        else:
            if values["mobile"] and str(values["referrer_mobile"]) == str(values["mobile"]):
                error("referrer", _("A customer cannot refer themselves."))

    notes = raw.get("notes", "")
    if len(notes) > 1000:
        error("notes", _("Longer than %(max)s characters.") % {"max": 1000})
    values["notes"] = notes.replace("\x00", "")


def _clean_owner_car(raw, values, error) -> None:
    """An owner's car (optional columns): purchase date (not in the future), model and plate."""
    values["purchase_date"] = None
    text = raw.get("purchase_date", "")
    if text:
        values["purchase_date"] = _parse_date(text)
        if values["purchase_date"] is None:
            error("purchase_date", _("Not a date: “%(value)s”; write it as 2021-06-30.") % {"value": text[:20]})
        elif values["purchase_date"] > timezone.localdate():
            error("purchase_date", _("The purchase date cannot be in the future."))
    values["vehicle"] = raw.get("vehicle", "")
    if len(values["vehicle"]) > 100:
        error("vehicle", _("Longer than %(max)s characters.") % {"max": 100})
    values["plate"] = normalise_plate(raw.get("plate", ""))
    if len(values["plate"]) > 20 or any(not ch.isalnum() for ch in values["plate"]):
        error("plate", _("Not a licence plate: “%(value)s”.") % {"value": raw.get("plate", "")[:20]})


def _parse_date(text: str):
    text = text.strip().split("T")[0].split(" ")[0]  # a spreadsheet's date cell: 2021-06-30T00:00:00
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None

"""Hostile input through every form: never a 500, errors are shown, echoed input is escaped.

FORMS says how to exercise each URL that takes user input; NO_INPUT names the URLs that take
none, and why. The meta-test walks the URLconf, so a new view fails until it is listed in one
of them.

Each example runs in a savepoint that is rolled back, so every example meets the same world
(an open visit, an anonymous visit, customers of two consultants). For every request:

- the view raises nothing and answers below 500;
- a value that is wrong by itself (a NUL, longer than its field, outside its choices, a
  malformed mobile, date or number, an id that is not offered) brings the form back with the
  error shown at that field, never a redirect;
- any other form that comes back after a POST shows an error too: nothing fails silently;
- a redirect stays on this site, and the page it leads to is checked like the first;
- no submitted value holding < > " or ' appears unescaped in the body.

HYPOTHESIS_MAX_EXAMPLES (default 25) sets the number of examples per form.
"""

import os
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, event, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.control import currently_in_test_context

from followup.models import Reminder
from leads.mobile import parse_mobile
from leads.models import Customer, Grade, LostReason, Source
from leads.services import customer_request_lost, import_batch_create
from showroom.checklists import checklist_answer_save, checklist_runs_create, day_sign_off
from showroom.lookup import trims_on_sale
from showroom.models import Brand, Channel, Colour, MainUse, Presentation, SellingPoint, StockCar
from showroom.selectors import models_on_sale
from showroom.vin import vin_check_digit
from tests.factories import ColourFactory, CustomerFactory, TrimFactory, VehicleModelFactory, walk_in
from tests.testdrive.factories import fuzz_world

pytestmark = pytest.mark.django_db

# Hypothesis keeps a character-table cache on disk: under var/ (git-ignored), not the checkout.
set_hypothesis_home_dir(django_settings.VAR_DIR / "hypothesis")
hypothesis_settings.register_profile(
    "form-fuzz",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "25")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FUZZ = hypothesis_settings.get_profile("form-fuzz")

PASSWORD = "pw-for-tests-only"  # tests/factories.py

# --- hostile values ------------------------------------------------------------------------

HTML_JS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    '" autofocus onfocus="alert(1)',
    "{{ request }}{% debug %}",
    "&lt;b&gt;&amp;",
)
SQL = (
    "' OR 1=1 --",
    "'; DROP TABLE leads_customer; --",
    '" OR ""="',
    "1) OR (1=1",
    "%",
    "_%_",
    "\\",
    "%' AND pg_sleep(5) --",
)
UNICODE = (
    "\x00",
    "a\x00b",
    "\u202egnp.exe\u202c",  # right-to-left override
    "\u200f\u200e\u200b",
    "\ufeff",
    "🚗😀👨‍👩‍👧",
    "王小明",
    "Ṩ̶̛̣̖̞ͅ",
    "𝕏𝔂𝔃",
    "ﷺ",
    "\r\n\t",
    "\x1b[31m",
    "\u3000",
)
NUMBERS = (
    "abc",
    "+86 000",
    "1" * 40,
    "１３９１２３４５６７８",  # fullwidth digits
    "   ",
    "+",
    "--1",
    "1e10",
    "0x1F",
    "NaN",
    "-1",
    "0",
    str(2**70),
    str(-(2**70)),
    "1.5",
    "٣",
    "13800138000\x00",
    "+86 138 0013 8000 ext. 99999999",
)
DATES = (
    "2024-13-45T25:61",
    "0000-00-00T00:00",
    "2024-02-30T10:00",
    "yesterday",
    "T",
    "0001-01-01T00:00",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59",
    "9999-12-31T23:59-14:00",
    "1970-01-01T00:00",
    "2024-01-01T10:00:00+25:00",
    "2024-01-01 10:00:00.123456789",
    "99999-01-01T00:00",
)
# Not a date and time at all.
BAD_DATES = {"2024-13-45T25:61", "0000-00-00T00:00", "2024-02-30T10:00", "yesterday", "T", "2024-01-01T10:00:00+25:00", "99999-01-01T00:00"}
# Well-formed, but the service refuses it: no form here takes a time in the future.
FUTURE_DATES = {"9999-12-31T23:59", "9999-12-31T23:59-14:00"}
BAD_MOBILES = {"+86 000", "1" * 40, "+", "--1", "0", "-1", "1.5", "٣", str(2**70), str(-(2**70))}
NEXT_URLS = (
    "//evil.example/",
    "https://evil.example/",
    "http://evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "//evil.example%2F@testserver",
    "http://testserver@evil.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/customers/",
    "/customers/?q=<script>alert(1)</script>",
)
PAGES = ("1", "2", "last", "0", "-1", str(2**70), "abc", "1.5", " 1", "")
IDS = ("999999999", "-1", "0", str(2**70), "abc", "1.0", "")
# Days for the floor's pages: a past day, an impossible one, outside 2000–2100, a word.
FLOOR_DAYS = ("2024-01-01", "2024-02-30", "0001-01-01", "9999-12-31", "today", "2024-01-01\x00", "")

ALL_SAMPLES = HTML_JS + SQL + UNICODE + NUMBERS + DATES

random_text = st.text(max_size=60)  # full unicode without surrogates: NUL, marks, emoji
long_text = st.builds(
    lambda unit, n: (unit * n)[:n],
    st.sampled_from(["a", "名", "😀", "9", " ", HTML_JS[0], SQL[1], "\x00"]),
    st.integers(5_000, 20_000),
)
embedded = st.builds(lambda a, b, c: a + b + c, random_text, st.sampled_from(HTML_JS + SQL + UNICODE), random_text)
HOSTILE = st.one_of(st.sampled_from(ALL_SAMPLES), random_text, long_text, embedded)


# --- field kinds: how to fill a field, and which values are wrong by themselves -------------
#
# invalid() answers False, True (the form field refuses it) or SERVICE (well-formed, refused by
# the service once the rest of the form is valid).
SERVICE = "service"


@dataclass(frozen=True)
class Text:
    max_length: int | None = None
    required: bool = False
    strip: bool = True
    nfkc: bool = False  # usernames are NFKC-normalised before their length is checked
    samples: tuple = ("Li Na", "王先生", "O'Brien")

    def strategy(self, world):
        return st.one_of(st.sampled_from(self.samples), HOSTILE)

    def invalid(self, value, world, user):
        if "\x00" in value:
            return True
        value = value.strip() if self.strip else value
        if self.nfkc:
            value = unicodedata.normalize("NFKC", value)
        if self.required and not value:
            return True
        return self.max_length is not None and len(value) > self.max_length


@dataclass(frozen=True)
class Choice:
    choices: tuple
    required: bool = True

    def strategy(self, world):
        near_misses = [c.lower() for c in self.choices] + [f" {c}" for c in self.choices] + ["Z", "null"]
        return st.one_of(st.sampled_from(self.choices), st.sampled_from(near_misses), HOSTILE)

    def invalid(self, value, world, user):
        if value == "":
            return self.required
        return value not in self.choices


@dataclass(frozen=True)
class Mobile:
    required: bool = False
    samples: tuple = ("13800138000", "+86 138 0013 8000", "13912345678", "13911112222", "+1 202 555 0143")

    def strategy(self, world):
        return st.one_of(st.sampled_from(self.samples), st.sampled_from(NUMBERS), HOSTILE)

    def invalid(self, value, world, user):
        text = value.strip()
        if not text:
            return self.required
        return (
            "\x00" in value
            or len(text) > 32
            or text in BAD_MOBILES
            or not any(ch.isdigit() for ch in text)
        )


@dataclass(frozen=True)
class LookupMobile(Mobile):
    """The htmx look-up complains only once 11 digits are typed."""

    def invalid(self, value, world, user):
        return super().invalid(value, world, user) and sum(ch.isdigit() for ch in value) >= 11


@dataclass(frozen=True)
class DateTime:
    required: bool = True
    also_bad: tuple = ()  # values wrong for this field in particular

    def strategy(self, world):
        return st.one_of(st.sampled_from(world["valid_times"]), st.sampled_from(DATES), HOSTILE)

    def invalid(self, value, world, user):
        text = value.strip()
        if not text:
            return self.required
        if "\x00" in value or text in BAD_DATES or not any(ch.isdigit() for ch in text):
            return True
        return SERVICE if text in self.also_bad or text in FUTURE_DATES else False


@dataclass(frozen=True)
class Integer:
    min_value: int
    max_value: int

    def strategy(self, world):
        near = st.integers(self.min_value - 5, self.max_value + 5).map(str)
        return st.one_of(near, st.sampled_from(NUMBERS), st.sampled_from(["5.0", "５", " 3 "]), HOSTILE)

    def invalid(self, value, world, user):
        try:  # what forms.IntegerField accepts: int() of the text, a trailing ".0" allowed
            number = int(re.sub(r"\.0*\s*$", "", value))
        except ValueError:
            return True
        return not self.min_value <= number <= self.max_value


@dataclass(frozen=True)
class OptionalInteger(Integer):
    """An integer that may be left empty (nothing at all: blanks are not a number)."""

    def invalid(self, value, world, user):
        return value != "" and super().invalid(value, world, user)


@dataclass(frozen=True)
class Bool:
    def strategy(self, world):
        return st.one_of(st.sampled_from(["on", "true", "false", "0", "1"]), HOSTILE)

    def invalid(self, value, world, user):
        return False


@dataclass(frozen=True)
class Pick:
    """An id picked from a list the form offers; ``roles`` lists who sees the field at all."""

    offered: str  # world key: the ids the form offers
    required: bool = True
    roles: tuple = ("consultant", "manager")

    def strategy(self, world):
        return st.one_of(
            st.sampled_from([str(pk) for pk in world[self.offered]]),
            st.sampled_from([*(str(pk) for pk in world["not_offered"]), str(world["manager"].pk), *IDS]),
            HOSTILE,
        )

    def invalid(self, value, world, user):
        if user not in self.roles:
            return False  # the field is not on this user's form; the parameter is ignored
        if value == "":
            return self.required
        try:
            return int(value) not in world[self.offered]
        except ValueError:
            return True


@dataclass(frozen=True)
class Free:
    """Any text goes (a next URL, a page number, a day); only no 500 and escaping are checked."""

    samples: tuple = ()
    rarely: bool = False  # sent in one example of three: a bad page's 404 would hide the rest

    def strategy(self, world):
        return st.one_of(st.sampled_from(self.samples), HOSTILE) if self.samples else HOSTILE

    def invalid(self, value, world, user):
        return False


@dataclass(frozen=True)
class Referrer:
    """A referring customer typed as a mobile or a name (leads.forms.ReferrerField): right when it
    names one customer, by mobile any of the showroom's, by name one the user sees."""

    samples: tuple = ("13912345678", "139 1111 2222", "Fuzz Customer", "fuzz customer", "Zhao's Customer", "Nobody",
                      "13900001111", "12345")

    def strategy(self, world):
        return st.one_of(st.sampled_from(self.samples), HOSTILE)

    def invalid(self, value, world, user):
        text = value.strip()
        if not text:
            return False
        if "\x00" in value or len(text) > 100:
            return True
        try:
            number = parse_mobile(text)
        except ValidationError:
            number = None
        if number:
            return str(number) not in world["showroom_mobiles"]
        if all(ch.isdigit() or ch in " +-()" for ch in text) and any(ch.isdigit() for ch in text):
            return True  # a mistyped number
        return text.lower() not in world["referrer_names"][user]


# --- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    method: str  # "get": query parameters; "post": form fields
    fields: dict
    users: tuple = ("consultant",)  # who submits: "anonymous", "consultant", "manager"
    obj: str | None = None  # the world object whose id the URL takes
    invalid_status: int | None = 200  # the status of the form coming back with errors
    redirects: bool = True  # a valid submission redirects
    paginated: bool = False  # a ListView: a page that is not there is a 404
    valid: dict = field(default_factory=dict)  # a submission that must succeed, as a baseline
    shown_on: tuple = ()  # more pages (taking the same id) that show what was saved, to a manager
    errors_after_redirect: bool = False  # refused input is reported on the page redirected to
    args: tuple = ()  # URL arguments after the object's id


FORMS = {
    "login": Form(
        "post",
        {
            "username": Text(max_length=150, required=True, nfkc=True, samples=("li", "LI", "li ")),
            "password": Text(required=True, strip=False, samples=(PASSWORD, "wrong")),
            "next": Free(NEXT_URLS),
        },
        users=("anonymous",),
        valid={"username": "li", "password": PASSWORD, "next": "/customers/"},
    ),
    "set_language": Form(
        "post",
        {"language": Free(("en", "zh-hans", "zh-Hans", "xx", "../../etc")), "next": Free(NEXT_URLS)},
        users=("anonymous", "consultant"),
        invalid_status=None,
        valid={"language": "zh-hans", "next": "/customers/"},
    ),
    "notifications-read": Form(
        "post",
        {"next": Free(NEXT_URLS), "unexpected": Free()},
        invalid_status=None,
    ),
    "leads:customer-list": Form(
        "get",
        {
            "q": Text(samples=("Fuzz", "139", "1391234")),
            "grade": Choice(tuple(Grade.values), required=False),
            "source": Choice(tuple(Source.values), required=False),
            "owner": Pick("showroom_staff", required=False, roles=("manager",)),
            "contact": Choice(("7", "30", "90", "never"), required=False),
            "page": Free(PAGES, rarely=True),
        },
        users=("consultant", "manager"),
        redirects=False,
        paginated=True,
        valid={"q": "Fuzz", "grade": "A"},
    ),
    "leads:customer-detail": Form(
        "get",
        {"page": Free(PAGES, rarely=True)},
        users=("consultant", "manager"),
        obj="customer",
        redirects=False,
        valid={"page": "1"},
    ),
    "leads:customer-edit": Form(
        "post",
        {
            "name": Text(max_length=100),
            "mobile": Mobile(),
            "sms_consent": Bool(),
            "language": Choice(("en", "zh-hans")),
            "source": Choice(tuple(Source.values), required=False),
            "referrer_mobile": Mobile(),
            "referred_by_staff": Pick("showroom_staff", required=False),
        },
        users=("consultant", "manager"),
        obj="customer",
        shown_on=("leads:customer-history",),
        valid={"name": "Li Ming", "mobile": "13800138000", "sms_consent": "on", "language": "en"},
    ),
    "leads:customer-merge": Form(
        "get",  # the search and the side-by-side comparison; the merge itself is a POST of one id
        {"q": Free(("张", "139", "%")), "duplicate": Free(("1", "x", "-1"), rarely=True)},
        users=("manager",),
        obj="customer",
        redirects=False,
        invalid_status=None,
        valid={"q": "Fuzz"},
    ),
    "leads:customer-grade": Form(
        "post",
        {
            "grade": Choice(tuple(Grade.values)),
            "reason": Text(max_length=300),
            "lost_reason": Pick("lost_reasons", required=False),
            "competitor": Text(max_length=100),
        },
        users=("consultant", "manager"),
        obj="customer",
        invalid_status=400,
        shown_on=("leads:customer-history",),
        valid={"grade": "H", "reason": "Buys this week"},
    ),
    "leads:customer-grade#get": Form(  # the same URL: the form on a page of its own
        "get",
        {"grade": Free(tuple(Grade.values))},
        users=("consultant", "manager"),
        obj="customer",
        redirects=False,
        valid={"grade": "F"},
    ),
    "followup:call-outcome": Form(
        "post",
        {
            "outcome": Choice(("reached", "no_answer", "wrong_number", "do_not_call")),
            "note": Text(max_length=300),
            "grade": Choice(("H", "A", "B", "C", "O", "D"), required=False),
        },
        users=("consultant", "manager"),
        obj="call",
        invalid_status=400,
        valid={"outcome": "reached", "note": "Called back", "grade": "H"},
    ),
    "followup:overdue-calls": Form(
        "get",
        {"page": Free(PAGES), "show": Free(("unreachable", "overdue", "<b>"))},
        users=("manager",),
        redirects=False,
        valid={"page": "1"},
    ),
    "leads:prospecting-plan": Form(
        "get",
        {"month": Free(("2026-11", "2026-13", "1999-12", "2101-01", "0000-00", "11/2026"))},
        users=("manager",),
        redirects=False,
        valid={"month": "2026-11"},
    ),
    "leads:prospecting-plan#post": Form(  # the same URL: the month's targets, one row per source
        "post",
        {
            "month": Free(("2026-11", "2026-13", "x")),
            "form-TOTAL_FORMS": Free(("1", "0", "2", "-1", "99999999999")),
            "form-INITIAL_FORMS": Free(("1", "0", "x")),
            "form-0-source": Free(("walk_in", "referral", "nope", "")),
            "form-0-target_customers": Integer(0, 100_000),
            "form-0-target_visits": Integer(0, 100_000),
        },
        users=("manager",),
        invalid_status=400,
        valid={
            "month": "2026-11",
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-source": "walk_in",
            "form-0-target_customers": "12",
            "form-0-target_visits": "30",
        },
    ),
    "leads:lost-request-list": Form(
        "get", {"page": Free(PAGES)}, users=("manager",), redirects=False, valid={"page": "1"}
    ),
    "leads:lost-request-reject": Form(
        "post",
        {"note": Text(max_length=300)},
        users=("manager",),
        obj="lost_request",
        errors_after_redirect=True,  # back to the list, the error in a message
        valid={"note": "Still comparing"},
    ),
    "leads:customer-export": Form(
        "get",  # the list's filters; refused ones bring the list itself back, showing the error
        {
            "q": Text(samples=("Fuzz", "139", "1391234")),
            "grade": Choice(tuple(Grade.values), required=False),
            "source": Choice(tuple(Source.values), required=False),
            "owner": Pick("showroom_staff", required=False, roles=("manager",)),
        },
        users=("consultant", "manager"),
        redirects=False,
        valid={"q": "Fuzz", "grade": "A"},
    ),
    "leads:customer-assign": Form(
        "post",
        {"to": Pick("consultants"), "note": Text(max_length=300)},
        users=("manager",),
        obj="customer",
        invalid_status=400,
        valid={"to": "CONSULTANT", "note": "Li is on leave"},
    ),
    "leads:customer-reassign": Form(
        "post",  # the GET confirmation page takes the same fields
        {
            "ids": Pick("customer_ids"),
            "to": Pick("consultants"),
            "note": Text(max_length=300),
            "scope": Free(("selected", "all")),
        },
        users=("manager",),
        invalid_status=400,
        valid={"ids": "CUSTOMER", "to": "CONSULTANT", "scope": "selected"},
    ),
    "leads:replacement-list": Form(
        "get",
        {"years": Choice(("3", "4", "5"), required=False), "page": Free(PAGES, rarely=True)},
        users=("consultant", "manager"),
        redirects=False,  # a page number out of range shows the nearest page
        valid={"years": "3"},
    ),
    "leads:import-list": Form(
        "get", {"page": Free(PAGES)}, users=("manager",), redirects=False, valid={"page": "1"}
    ),
    "leads:referrer-lookup": Form(
        "get",
        {"referred_by_customer": Free(("王", "Fuzz", "13912345678", "139 1111 2222", "13900001111"))},
        users=("consultant", "manager"),
        redirects=False,
        valid={"referred_by_customer": "Fuzz"},
    ),
    "leads:staff-referral-list": Form(
        "get", {"page": Free(PAGES)}, users=("manager",), redirects=False, valid={"page": "1"}
    ),
    "leads:staff-referrals": Form(
        "get",
        {"page": Free(PAGES)},
        users=("consultant", "manager"),
        obj="staff",  # the consultant's own page; another showroom's manager's is a 404
        redirects=False,
        valid={"page": "1"},
    ),
    "leads:customer-import-preview": Form(
        "get",  # the rows of an uploaded list; confirm and discard are POSTs of a button
        {"show": Free(("new", "merge", "error", "all")), "page": Free(PAGES, rarely=True)},
        users=("manager",),
        obj="import_batch",
        redirects=False,
        valid={"show": "new"},
    ),
    "showroom:visit-list": Form(
        "get",
        {"day": Free(("2024-01-01", "2024-02-30", "0001-01-01", "9999-12-31", "today")), "page": Free(PAGES, rarely=True)},
        users=("consultant", "manager"),
        redirects=False,
        paginated=True,
        valid={"day": "2024-01-01"},
    ),
    "showroom:visit-create": Form(
        "post",
        {
            "mobile": Mobile(),
            "name": Text(max_length=100),
            "channel": Choice(tuple(Channel.values)),
            "party_size": Integer(1, 50),
            "arrived_at": DateTime(),
            "consultant": Pick("consultants", roles=("manager",)),
            "is_first_visit": Bool(),
            "keep_original_consultant": Bool(),
            "sms_consent": Bool(),
            "vehicle_model": Pick("vehicle_models", required=False),
            "source": Choice(tuple(Source.values), required=False),
            "grade": Choice(tuple(Grade.values), required=False),
            "notes": Text(max_length=2000),
            "referred_by_customer": Referrer(),
            "referred_by_staff": Pick("showroom_staff", required=False),
        },
        users=("consultant", "manager"),
        valid={
            "mobile": "13800138000",
            "channel": "walk_in",
            "party_size": "2",
            "arrived_at": "VALID_TIME",
            "consultant": "CONSULTANT",
        },
    ),
    "showroom:mobile-lookup": Form(
        "get",
        {"mobile": LookupMobile()},
        users=("consultant", "manager"),
        redirects=False,
        valid={"mobile": "13912345678"},
    ),
    "showroom:visit-close": Form(
        "post",
        {
            # The visit arrived two hours ago: an earlier departure is refused.
            "left_at": DateTime(
                required=False,
                also_bad=("1970-01-01T00:00", "0001-01-01T00:00", "0001-01-01T00:00+14:00"),
            ),
            "next": Free(NEXT_URLS),
        },
        users=("consultant", "manager"),
        obj="visit",
        valid={"left_at": "", "next": "/customers/"},
    ),
    "showroom:visit-link": Form(
        "post",
        {"mobile": Mobile(required=True), "name": Text(max_length=100), "sms_consent": Bool()},
        users=("consultant", "manager"),
        obj="anonymous_visit",
        valid={"mobile": "13800138000", "name": "New Customer"},
    ),
    "showroom:walkaround-start": Form(
        "post",  # the GET page is the model picker, without parameters
        {"vehicle_model": Pick("vehicle_models")},
        users=("consultant", "manager"),
        obj="visit",
        valid={"vehicle_model": "VEHICLE_MODEL"},
    ),
    "showroom:walkaround": Form(
        "get",
        {"position": Free(("1", "6", "7", "0", "-1", "abc", str(2**70)))},
        users=("consultant", "manager"),
        obj="presentation",
        redirects=False,
        valid={"position": "2"},
    ),
    "showroom:walkaround-position": Form(
        "post",
        {
            "presented": Bool(),
            "selling_points": Pick("selling_points", required=False),  # the model's at position 1
            "interest": Choice(("none", "some", "high"), required=False),
            "note": Text(max_length=500),
        },
        users=("consultant", "manager"),
        obj="presentation",
        args=(1,),
        invalid_status=400,
        valid={"presented": "on", "interest": "high", "note": "Loves the headlights"},
    ),
    "showroom:walkaround-finish": Form(
        "post",
        {"notes": Text(max_length=2000)},
        users=("consultant", "manager"),
        obj="presentation",
        invalid_status=400,
        valid={"notes": "Comes back for a test drive"},
    ),
    "showroom:catalog": Form(
        "get",
        {
            "brand": Pick("brands", required=False),
            "q": Text(max_length=100, samples=("Fuzz", "Sedan", "名")),
            "page": Free(PAGES, rarely=True),
        },
        users=("consultant", "manager"),
        redirects=False,
        paginated=True,
        valid={"q": "Fuzz"},
    ),
    "showroom:stock": Form(
        "get",
        {
            "model": Pick("vehicle_models", required=False),
            "trim": Pick("stock_trims", required=False),  # with no model chosen: any trim on sale
            "colour": Pick("stock_colours", required=False),
            "status": Choice(("in_transit", "in_stock"), required=False),
            "page": Free(PAGES, rarely=True),
        },
        users=("consultant", "manager"),
        redirects=False,
        paginated=True,
        valid={"model": "VEHICLE_MODEL", "status": "in_stock"},
    ),
    "showroom:needs-edit": Form(
        "post",
        {
            "buyer": Text(max_length=100),
            "decision_maker": Text(max_length=100),
            "influencers": Text(max_length=200),
            "timeframe": Choice(("7d", "15d", "30d", "later"), required=False),
            "apply_proposed_grade": Bool(),
            "purchase_place": Text(max_length=200),
            "heard_from": Text(max_length=200),
            "models_of_interest": Pick("vehicle_models", required=False),
            "trims_of_interest": Pick("trims", required=False),  # refused without its model: shown
            "features_wanted": Text(max_length=2000),
            "competitor_models": Text(max_length=300),
            "main_use": Choice(tuple(MainUse.values), required=False),
            "needs": Text(max_length=2000),
            "payment": Choice(("cash", "loan", "lease"), required=False),
            "trade_in": Bool(),
            "trade_in_vehicle": Text(max_length=200),
            "budget_min": OptionalInteger(0, 100_000_000),
            "budget_max": OptionalInteger(0, 100_000_000),
        },
        users=("consultant", "manager"),
        obj="customer",
        shown_on=("showroom:needs-history", "leads:customer-detail"),
        valid={
            "buyer": "Li Ming",
            "timeframe": "7d",
            "models_of_interest": "VEHICLE_MODEL",
            "budget_min": "100000",
            "budget_max": "150000",
        },
    ),
    "showroom:needs-history": Form(
        "get",
        {"page": Free(PAGES, rarely=True)},
        users=("consultant", "manager"),
        obj="customer",
        redirects=False,
        paginated=True,
        valid={"page": "1"},
    ),
    "showroom:duty": Form(
        "get",
        {"day": Free(FLOOR_DAYS)},
        users=("manager",),
        redirects=False,
        valid={"day": "2024-01-01"},
    ),
    "showroom:duty#post": Form(  # the same URL: the ticked consultants (each row's order_<id> is per id)
        "post",
        {"day": Free(FLOOR_DAYS), "consultants": Pick("consultants", required=False)},
        users=("manager",),
        invalid_status=400,
        valid={"consultants": "CONSULTANT"},
    ),
    "showroom:head-count": Form(
        "get",
        {"start": Free(FLOOR_DAYS), "end": Free(FLOOR_DAYS)},
        users=("consultant", "manager"),
        redirects=False,
        valid={"start": "2024-01-01", "end": "2024-01-07"},
    ),
    "showroom:head-count#post": Form(  # the same URL: reception records a figure
        "post",
        {
            "day": Free(FLOOR_DAYS),
            "hour": Choice(tuple(str(h) for h in range(24)), required=False),
            "parties": Integer(0, 10_000),
        },
        users=("consultant", "manager"),
        invalid_status=400,
        valid={"hour": "", "parties": "12"},
    ),
    "showroom:appointment-book": Form(
        "post",
        {
            "scheduled_at": DateTime(),  # a time already past is refused too (valid_times are past)
            "purpose": Choice(("visit", "test_drive", "negotiation", "delivery")),
            "notes": Text(max_length=500),
            "consultant": Pick("consultants", roles=("manager",)),
        },
        users=("consultant", "manager"),
        obj="customer",
        invalid_status=400,
        shown_on=("leads:customer-detail",),
        valid={"scheduled_at": "FUTURE_TIME", "purpose": "visit", "notes": "Brings his wife", "consultant": "CONSULTANT"},
    ),
    "showroom:compliance": Form(
        "get",
        {"start": Free(FLOOR_DAYS), "end": Free(FLOOR_DAYS)},
        users=("manager",),
        redirects=False,
        valid={"start": "2024-01-01", "end": "2024-01-07"},
    ),
    "showroom:compliance-misses": Form(
        "get",
        {
            "kind": Choice(("registered", "thank_you", "calls", "checklists")),
            "consultant": Pick("showroom_staff", required=False),
            "start": Free(FLOOR_DAYS),
            "end": Free(FLOOR_DAYS),
            "page": Free(PAGES, rarely=True),
        },
        users=("manager",),
        redirects=False,  # a page number out of range shows the nearest page
        valid={"kind": "calls", "start": "2024-01-01", "end": "2024-01-07"},
    ),
    "showroom:checklist-day": Form(
        "get",
        {"day": Free(FLOOR_DAYS), "page": Free(PAGES, rarely=True)},
        users=("consultant", "manager"),
        redirects=False,  # a day that is no day shows today; a page out of range, the nearest
        valid={"day": "TODAY"},
    ),
    "showroom:checklist-answer": Form(
        "post",  # the photo is a file: hostile files in tests/showroom/test_checklist_photos.py
        {
            "item": Pick("checklist_items"),  # the run's checklist's items
            "passed": Choice(("pass", "fail"), required=False),
            "number": Free(("3", "2.5", "-1", "abc", "1e10", "NaN", str(2**70))),
            "text": Text(max_length=500),
            "note": Text(max_length=500),
        },
        users=("consultant", "manager"),
        obj="checklist_run",
        invalid_status=400,
        shown_on=("showroom:checklist-run",),
        valid={"item": "CHECKLIST_ITEM", "passed": "pass", "note": "Tie and badge on"},
    ),
    "showroom:checklist-fix-close": Form(
        "post",
        {"note": Text(max_length=500, required=True)},
        users=("consultant", "manager"),
        obj="checklist_fix",
        invalid_status=400,
        valid={"note": "Printed new quote sheets"},
    ),
    "showroom:checklist-fix-owner": Form(
        "post",
        {"owner": Pick("showroom_staff", roles=("manager",)), "description": Text(max_length=500)},
        users=("manager",),
        obj="checklist_fix",
        invalid_status=400,
        valid={"owner": "CONSULTANT", "description": "Print 20 quote sheets"},
    ),
    "showroom:checklist-sign-off": Form(
        "post",
        {"day": Free(FLOOR_DAYS), "note": Text(max_length=500)},
        users=("manager",),
        invalid_status=400,
        valid={"day": "TODAY", "note": "All checked"},
    ),
    "showroom:checklist-reopen": Form(
        "post",
        {"day": Free(FLOOR_DAYS), "reason": Text(max_length=500, required=True)},
        users=("manager",),
        invalid_status=400,
        valid={"day": "YESTERDAY", "reason": "An answer came in late"},  # the world signed yesterday off
    ),
    "showroom:checklist-history": Form(
        "get",
        {
            "template": Pick("checklist_templates", required=False, roles=("manager",)),
            "days": Choice(("30", "90"), required=False),
            "by": Choice(("day", "week"), required=False),
            "series": Choice(("item", "consultant"), required=False),
        },
        users=("manager",),
        redirects=False,
        valid={"days": "90", "by": "week", "series": "consultant"},
    ),
    # --- test drives (testdrive): each URL meets a booking at the step it takes ---
    "testdrive:calendar": Form(
        "get",
        {"day": Free(("2026-11-20", "2026-02-30", "0001-01-01", "9999-12-31", "today"))},
        users=("consultant", "manager"),
        redirects=False,
        valid={"day": "TODAY"},
    ),
    "testdrive:fleet": Form(
        "get", {"page": Free(PAGES, rarely=True)}, users=("consultant", "manager"), redirects=False, paginated=True,
        valid={"page": "1"},
    ),
    "testdrive:booking-create#get": Form(  # pre-filled from the calendar and the customer page
        "get",
        {"car": Free(IDS), "start": Free(DATES), "customer": Free(IDS)},
        users=("consultant", "manager"),
        redirects=False,
        valid={"car": "FREE_CAR", "start": "FUTURE_TIME", "customer": "CUSTOMER"},
    ),
    "testdrive:booking-create": Form(
        "post",
        {
            "mobile": Mobile(required=True),  # a mobile that is none of the user's customers: refused at the field
            "car": Pick("fleet_cars"),
            "starts_at": DateTime(required=False),
            "minutes": Choice(("30", "45", "60", "90")),
            "route": Pick("routes", required=False),
            "walk_in": Bool(),
        },
        users=("consultant", "manager"),
        invalid_status=400,
        valid={"mobile": "13912345678", "car": "FREE_CAR", "starts_at": "FUTURE_TIME", "minutes": "30"},
    ),
    "testdrive:booking-cancel": Form(
        "post", {"reason": Text(max_length=300)}, users=("consultant", "manager"), obj="booking_new",
        invalid_status=400, valid={"reason": "Customer called it off"},
    ),
    "testdrive:licence-check": Form(
        "post",  # the photo is a file, which these fields cannot carry: tests/testdrive/test_licence_check.py
        {
            "has_licence": Choice(("yes", "no")),
            "number": Text(max_length=30),
            "licence_class": Choice(("A1", "A2", "A3", "B1", "B2", "C1", "C2", "other"), required=False),
            "issued_on": Free(("2020-05-01", "2026-02-30", "0001-01-01", "9999-12-31", "x")),
            "expires_on": Free(("2030-05-01", "2026-13-01", "0001-01-01", "9999-12-31", "")),
        },
        users=("consultant", "manager"),
        obj="booking_new",
        invalid_status=400,
        valid={"has_licence": "no"},
    ),
    "testdrive:agreement-sign": Form(
        "post",
        {"language": Choice(("en", "zh-hans")), "signature": Text(max_length=1024 * 1024 * 4 // 3 + 100)},
        users=("consultant", "manager"),
        obj="booking_checked",
        invalid_status=400,
        valid={"language": "en", "signature": "SIGNATURE"},
    ),
    "testdrive:drive-start": Form(
        "post",
        {"mode": Choice(("drive", "ride_along")), "odometer": Integer(0, 9_999_999), "started_at": DateTime(required=False)},
        users=("consultant", "manager"),
        obj="booking_ready",
        invalid_status=400,
        valid={"mode": "drive", "odometer": "12000"},
    ),
    "testdrive:drive-handover": Form(
        "post",
        {"odometer": Free(("", "12003", "-1", "abc", "99999999999")), "at": DateTime(required=False)},
        users=("consultant", "manager"),
        obj="drive_open",
        invalid_status=400,
        valid={"odometer": "12003"},
    ),
    "testdrive:drive-ride-along": Form(
        "post", {"reason": Text(max_length=300, required=True)}, users=("consultant", "manager"), obj="drive_open",
        invalid_status=400, valid={"reason": "Too fast on the ramp"},
    ),
    "testdrive:drive-end": Form(
        "post",
        {"odometer": Integer(0, 9_999_999), "ended_at": DateTime(required=False)},
        users=("consultant", "manager"),
        obj="drive_open",
        invalid_status=400,
        valid={"odometer": "12009"},
    ),
    "testdrive:survey": Form(
        "post",
        {
            "likelihood": Choice(("1", "2", "3", "4", "5")),
            "comments": Text(max_length=2000),
            "rating_acceleration": Choice(("1", "2", "3", "4", "5"), required=False),
            "comment_acceleration": Text(max_length=500),
        },
        users=("consultant", "manager"),
        obj="drive_ended",
        invalid_status=400,
        valid={"likelihood": "4", "rating_acceleration": "5", "comment_acceleration": "Strong"},
    ),
    "testdrive:drive-register": Form(
        "post",
        {"customer_left_at": DateTime(required=False), "notes": Text(max_length=2000)},
        users=("consultant", "manager"),
        obj="drive_ended",
        invalid_status=400,
        valid={"notes": "Comes back on Saturday"},
    ),
}

NO_INPUT = {
    "testdrive:booking-detail": "GET page; its only input is the booking id (tests/dealership/test_object_access.py)",
    "testdrive:licence-photo": "GET file; its only input is the booking id (tests/dealership/test_object_access.py, "
    "tests/testdrive/test_pages.py)",
    "testdrive:route-briefing": "GET page; its only input is the booking id (tests/dealership/test_object_access.py)",
    "testdrive:route-map": "GET file; its only input is the booking id (tests/dealership/test_object_access.py)",
    "testdrive:agreement": "GET page; its only input is the booking id (tests/dealership/test_object_access.py)",
    "testdrive:agreement-signature": "GET file; its only input is the booking id (tests/dealership/test_object_access.py)",
    "showroom:checklist-run": "GET page; its only input is the run id (tests/dealership/test_object_access.py); "
    "fetched here after answers to check it escapes them",
    "showroom:checklist-complete": "POST without fields; its id is covered by tests/dealership/test_object_access.py",
    "showroom:checklist-photo": "GET file; its only input is the answer id (tests/dealership/test_object_access.py, "
    "tests/showroom/test_checklist_photos.py)",
    "showroom:board": "the live floor board: a GET page, and the same URL as its htmx fragment, without parameters",
    "showroom:appointment-cancel": "POST without fields; its id is covered by tests/dealership/test_object_access.py",
    "showroom:head-count-remove": "POST without fields; its id is covered by tests/dealership/test_object_access.py",
    "showroom:model-detail": "GET page; its only input is the model id (tests/dealership/test_object_access.py, "
    "GROUP_CATALOG; a missing id in tests/showroom/test_catalog_pages.py)",
    "showroom:catalog-image": "GET file; its only input is the path: hostile paths (../, NUL, folders, other "
    "file types, links out) in tests/showroom/test_catalog_image.py",
    "leads:lost-request-approve": "POST without fields; its id is covered by tests/dealership/test_object_access.py",
    "home": "My day: a GET page without parameters",
    "notifications-badge": "htmx poll of the unread count: GET without parameters",
    "logout": "POST without fields",
    "leads:customer-history": "GET page or htmx panel; its only input is the customer id (see "
    "tests/dealership/test_object_access.py); fetched here after edits to check it escapes them",
    "leads:customer-history-export": "GET CSV download; its only input is the customer id, "
    "covered by tests/dealership/test_object_access.py",
    "leads:customer-import": "the upload form takes a file, which these string fields cannot carry; "
    "hostile and broken files are tested in tests/leads/test_import.py",
}


def _named_urls(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or (entry.app_name or "").startswith("admin"):
                continue  # the Django admin is for admins and has its own forms
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _named_urls(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}"


def test_every_named_url_is_fuzzed_or_says_why_it_takes_no_input():
    named = set(_named_urls())
    fuzzed = {key.split("#")[0] for key in FORMS}
    assert sorted(named - fuzzed - set(NO_INPUT)) == [], "add these URLs to FORMS or NO_INPUT"
    assert sorted(fuzzed - named) == [], "FORMS lists URLs that no longer exist"
    assert all(reason.strip() for reason in NO_INPUT.values())


# --- the world every example starts from ----------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hundreds of logins: a cheap hasher keeps the module fast; the views are the same."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(consultant, second_consultant, manager, outsider, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # uploaded lists
    now = timezone.now()
    showroom = consultant.showroom
    customer = CustomerFactory(
        showroom=showroom, owner=consultant, name="Fuzz Customer", mobile="+8613912345678"
    )
    CustomerFactory(showroom=showroom, owner=second_consultant, name="Zhao's Customer", mobile="+8613911112222")
    foreign_customer = CustomerFactory(showroom=outsider.showroom, owner=outsider, mobile="+8613900001111")
    two_hours_ago = now - timedelta(hours=2)
    visit = walk_in(consultant, mobile=str(customer.mobile), arrived_at=two_hours_ago)
    anonymous = walk_in(consultant, arrived_at=two_hours_ago, notes="anonymous visitor")
    foreign_visit = walk_in(outsider, arrived_at=two_hours_ago)
    reasons = list(LostReason.objects.filter(showroom=showroom, requires_competitor=False))
    lost = customer_request_lost(customer=CustomerFactory(showroom=showroom, owner=consultant), reason=reasons[0], by=consultant)
    foreign_reason = LostReason.objects.filter(showroom=outsider.showroom, requires_competitor=False).first()
    foreign_lost = customer_request_lost(
        customer=CustomerFactory(showroom=outsider.showroom, owner=outsider), reason=foreign_reason, by=outsider
    )

    lists = [
        import_batch_create(
            showroom=staff.showroom,
            by=staff,
            upload=SimpleUploadedFile("list.csv", b"name,mobile,grade\nFuzz Import,13800138000,A\nBad,123,Z\n"),
            default_owner=None,
            default_source="auto_show",
        )
        for staff in (manager, outsider)
    ]

    def local(moment):
        return timezone.localtime(moment, showroom.tzinfo).strftime("%Y-%m-%dT%H:%M")

    on_sale = VehicleModelFactory(name="Fuzz Sedan")
    fabe = {"feature": "F", "advantage": "A", "benefit": "B", "evidence": "E"}
    front = [SellingPoint.objects.create(vehicle_model=on_sale, position=1, title=t, **fabe) for t in ("LED", "Grille")]
    SellingPoint.objects.create(vehicle_model=on_sale, position=2, title="Wheels", **fabe)  # not at position 1
    walkarounds = [Presentation.objects.create(visit=v, vehicle_model=on_sale, consultant=v.consultant) for v in (visit, foreign_visit)]
    VehicleModelFactory(name="Withdrawn Coupe", is_active=False)  # never offered
    colour = ColourFactory(brand=on_sale.series.brand, name="Fuzz Red")
    trim = TrimFactory(vehicle_model=on_sale, name="Fuzz Trim", colours=[colour], supply_lead_days=30)
    raw_vin = "LFV2A21K0R7654321"
    StockCar.objects.create(
        showroom=showroom, vin=raw_vin[:8] + vin_check_digit(raw_vin) + raw_vin[9:], trim=trim, colour=colour
    )

    world = {
        "consultant": consultant,
        "manager": manager,
        "outsider": outsider,
        "consultants": [consultant.pk, second_consultant.pk],
        "showroom_staff": [consultant.pk, second_consultant.pk, manager.pk],
        "customer": (customer.pk, foreign_customer.pk),
        "customer_ids": [customer.pk, *Customer.objects.filter(showroom=showroom).exclude(pk=customer.pk).values_list("pk", flat=True)],
        "visit": (visit.pk, foreign_visit.pk),
        "anonymous_visit": (anonymous.pk, foreign_visit.pk),
        "lost_request": (lost.pk, foreign_lost.pk),
        "call": (_call(customer).pk, _call(foreign_customer).pk),
        "import_batch": (lists[0].pk, lists[1].pk),
        "vehicle_models": [on_sale.pk],
        "trims": [trim.pk],
        "colours": [colour.pk],
        "brands": list(Brand.objects.filter(is_active=True).values_list("pk", flat=True)),
        "presentation": tuple(p.pk for p in walkarounds),
        "selling_points": [sp.pk for sp in front],
        "lost_reasons": list(LostReason.objects.filter(showroom=showroom, is_active=True).values_list("pk", flat=True)),
        "not_offered": [outsider.pk, foreign_reason.pk, 999_999_999, foreign_customer.pk],  # another showroom's user, reason, customer
        "valid_times": (local(now - timedelta(hours=1)), local(now - timedelta(minutes=5)), ""),
        "future_time": local(now + timedelta(days=1)),  # an appointment's
        "today": timezone.localdate(now, showroom.tzinfo).isoformat(),
        **_checklist_world(consultant, manager, outsider),
        **fuzz_world(customer=customer, consultant=consultant, outsider=outsider, foreign_customer=foreign_customer),
        "staff": (consultant.pk, outsider.pk),
        "showroom_mobiles": {str(m) for m in Customer.objects.filter(showroom=showroom).values_list("mobile", flat=True)},
        "referrer_names": {  # lower-cased names a referrer may be typed as, by who types it
            "consultant": {"fuzz customer", *(n.lower() for n in Customer.objects.filter(owner=consultant)
                                              .values_list("name", flat=True))},
            "manager": {n.lower() for n in Customer.objects.filter(showroom=showroom).values_list("name", flat=True)},
        },
    }
    # What the catalog pickers offer, once every part of the world (test-drive cars too) exists:
    # every model on sale (the fuzz sedan first, the valid value) and every active brand.
    world["vehicle_models"] = [on_sale.pk, *models_on_sale().exclude(pk=on_sale.pk).values_list("pk", flat=True)]
    world["brands"] = list(Brand.objects.filter(is_active=True).values_list("pk", flat=True))
    # The stock look-up with no model chosen offers every trim on sale and their colours.
    on_sale_trims = trims_on_sale().exclude(pk=trim.pk)
    world["stock_trims"] = [trim.pk, *on_sale_trims.values_list("pk", flat=True)]
    world["stock_colours"] = [
        colour.pk, *Colour.objects.filter(trims__in=on_sale_trims).exclude(pk=colour.pk).distinct().values_list("pk", flat=True)
    ]
    return world


def _call(customer):
    """A follow-up call due now, as the grade's cadence would have scheduled it."""
    return Reminder.objects.create(
        showroom=customer.showroom,
        customer=customer,
        kind=Reminder.Kind.FOLLOW_UP_CALL,
        channel=Reminder.Channel.CALL,
        due_at=timezone.now(),
        idempotency_key=f"fuzz-call:{customer.pk}",
    )


def _checklist_world(consultant, manager, outsider):
    """Today's checklists of both showrooms: the consultant's readiness run (its last item
    failed, so a fix) and, for the outsider's showroom, a failed environment item; yesterday
    signed off (to re-open)."""
    from showroom.models import ChecklistRun, DutySlot

    runs, fixes = [], []
    for user, kind in ((consultant, "consultant"), (outsider, "environment")):
        today = timezone.localdate(timezone=user.showroom.tzinfo)
        DutySlot.objects.create(showroom=user.showroom, day=today, consultant=user)
        checklist_runs_create(showroom=user.showroom, day=today)
        run = ChecklistRun.objects.get(showroom=user.showroom, day=today, template__kind=kind)
        item = run.template.items.filter(photo_on_fail=False, answer_type="pass_fail").last()
        fixes.append(checklist_answer_save(run=run, item=item, passed=False, note="Fuzz fail", by=user).fix)
        runs.append(run)
    day_sign_off(showroom=manager.showroom, day=today - timedelta(days=1), by=manager, note="Fuzz day")
    items = list(runs[0].template.items.filter(is_active=True).values_list("pk", flat=True))
    return {
        "checklist_run": tuple(run.pk for run in runs),
        "checklist_fix": tuple(fix.pk for fix in fixes),
        "checklist_items": items,
        "checklist_templates": list(manager.showroom.checklist_templates.values_list("pk", flat=True)),
        "yesterday": (today - timedelta(days=1)).isoformat(),
    }


def _client_for(world, user_key) -> Client:
    client = Client(raise_request_exception=False)
    if user_key != "anonymous":
        client.force_login(world[user_key])
    return client


def _reset_login_throttle():
    if apps.is_installed("axes"):
        from axes.utils import reset

        reset()


class example_savepoint:
    """Run one example in a savepoint that is always rolled back."""

    def __enter__(self):
        self.atomic = transaction.atomic()
        self.atomic.__enter__()

    def __exit__(self, *exc):
        transaction.set_rollback(True)
        self.atomic.__exit__(*exc)


# --- checks ---------------------------------------------------------------------------------

ERROR_MARKER = re.compile(r'class="[^"]*\b(?:invalid-feedback|errorlist|alert-danger|text-danger)\b')
UNSAFE = re.compile(r"[<>\"']")
SCRIPT_URL = re.compile(r"""(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def _short(value, limit=120):
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(value)} chars)"


def _describe(url_name, user, values, response):
    fields = ", ".join(f"{k}={_short(v)}" for k, v in values.items())
    return f"{url_name} as {user} with {fields or 'no fields'} -> {response.status_code}"


def _assert_no_server_error(response, where):
    if response.exc_info is not None:
        import traceback

        trace = "".join(traceback.format_exception(*response.exc_info))
        pytest.fail(f"{where}: the view raised\n{trace}")
    assert response.status_code < 500, f"{where}: server error"


def _assert_escaped(body, values, where):
    for value in values:
        for candidate in {value, value.strip()}:
            if len(candidate) >= 6 and UNSAFE.search(candidate) and candidate in body:
                pytest.fail(f"{where}: {_short(candidate)} appears unescaped in the page")
    match = SCRIPT_URL.search(body)
    assert match is None, f"{where}: a javascript: URL in the page: {body[match.start() : match.end() + 40]!r}"


def _assert_local(location, where):
    """A path on this site (absolute or relative): no scheme, no host, nothing a browser reads as one."""
    assert not re.search(r"[\x00-\x20\x7f]", location), f"{where}: control characters in Location {location!r}"
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc, f"{where}: redirect off-site to {location!r}"
    assert not location.replace("\\", "/").startswith("//"), f"{where}: redirect off-site to {location!r}"


def _rendered_form(response):
    context = response.context
    if context is None:
        return None
    if "filter" in context:
        return context["filter"].form
    return context["form"] if "form" in context else None


def _page_exists(value) -> bool:
    """ListView with one page of rows: these reach it; anything else is a 404."""
    if value is None or value in ("", "last"):
        return True
    try:
        return int(value) == 1
    except ValueError:
        return False


def _check(url_name, spec, world, user, target, values, response, client):
    where = _describe(url_name, user, values, response)
    _assert_no_server_error(response, where)
    body = response.content.decode("utf-8", errors="replace")
    _assert_escaped(body, values.values(), where)

    problems = {name: spec.fields[name].invalid(value, world, user) for name, value in values.items()}
    invalid = [name for name, problem in problems.items() if problem]
    status = response.status_code
    not_found_expected = target != "real" or (spec.paginated and not _page_exists(values.get("page")))
    if currently_in_test_context():  # outcomes for --hypothesis-show-statistics
        event(f"{status}{' with invalid fields' if invalid else ''}")
    if not_found_expected or status == 404:
        assert status == 404 and not_found_expected, f"{where}: expected 404 only for a missing object or page"
        return

    if status in (301, 302, 303):
        location = response["Location"]
        _assert_local(location, where)
        assert spec.redirects, f"{where}: unexpected redirect to {location}"
        assert not invalid or spec.errors_after_redirect, f"{where}: accepted the invalid field(s) {invalid}"
        location = urljoin(response.request["PATH_INFO"], location)
        followed = client.get(location)
        _assert_no_server_error(followed, f"{where}, then GET {location}")
        followed_body = followed.content.decode("utf-8", errors="replace")
        _assert_escaped(followed_body, values.values(), f"{where} -> {location}")
        if invalid:
            assert ERROR_MARKER.search(followed_body), f"{where} -> {location}: no error shown for {invalid}"
        manager = _client_for(world, "manager")
        for page in spec.shown_on:
            page_url = reverse(page, args=[world[spec.obj][0]])
            for headers in ({}, {"HX-Request": "true"}):
                shown = manager.get(page_url, headers=headers)
                _assert_no_server_error(shown, f"{where}, then {page_url} {headers}")
                assert shown.status_code == 200, f"{where}, then {page_url}: {shown.status_code}"
                _assert_escaped(shown.content.decode(), values.values(), f"{where} -> {page_url} {headers}")
        return

    expected = spec.invalid_status if spec.method == "post" else 200
    assert status == expected, f"{where}: unexpected status"
    if invalid or spec.method == "post":
        assert ERROR_MARKER.search(body), f"{where}: the form came back without an error shown (invalid: {invalid})"
        form = _rendered_form(response)
        for name in invalid:
            if form is None or name not in form.fields:
                continue
            if problems[name] == SERVICE and set(form.errors) - {name}:
                continue  # other fields are wrong: the service never ran
            assert name in form.errors, f"{where}: no error at {name}; errors: {form.errors.get_json_data()}"


def _url(key, spec, world, target):
    url_name = key.split("#")[0]  # "name#variant": another way into the same URL
    if spec.obj is None:
        return reverse(url_name)
    real, foreign = world[spec.obj]
    pk = {"real": real, "foreign": foreign, "missing": 999_999_999, "huge": 2**70}[target]
    return reverse(url_name, args=[pk, *spec.args])


# Mostly the real object, so the fields are reached; now and then one that must give a 404.
TARGETS = ("real",) * 12 + ("foreign", "missing", "huge")
SEND = ("send",) * 5 + ("omit",)
SEND_RARELY = ("send", "omit", "omit")


def _valid_values(spec, world):
    placeholders = {
        "VALID_TIME": world["valid_times"][0],
        "FUTURE_TIME": world["future_time"],
        "VEHICLE_MODEL": str(world["vehicle_models"][0]),
        "CONSULTANT": str(world["consultant"].pk),
        "CUSTOMER": str(world["customer"][0]),
        "TODAY": world["today"],
        "YESTERDAY": world["yesterday"],
        "CHECKLIST_ITEM": str(world["checklist_items"][0]),
        **world.get("placeholders", {}),  # of the world's own objects (test drives)
    }
    return {name: placeholders.get(value, value) for name, value in spec.valid.items()}


@pytest.mark.parametrize("url_name", sorted(FORMS))
@FUZZ
@given(data=st.data())
def test_hostile_input_is_refused_visibly_and_echoed_escaped(url_name, world, data):
    """Either every field hostile (or left out), or one hostile field in a valid submission:
    the second reaches the success paths, and the pages a stored value is shown on."""
    spec = FORMS[url_name]
    user = data.draw(st.sampled_from(spec.users), label="user")
    target = data.draw(st.sampled_from(TARGETS), label="object") if spec.obj else "real"
    if spec.valid and data.draw(st.booleans(), label="one hostile field in a valid submission"):
        values = _valid_values(spec, world)
        name = data.draw(st.sampled_from(sorted(spec.fields)), label="hostile field")
        values[name] = data.draw(spec.fields[name].strategy(world), label=name)
    else:
        values = {}
        for name, kind in spec.fields.items():
            send = SEND_RARELY if getattr(kind, "rarely", False) else SEND
            if data.draw(st.sampled_from(send), label=f"{name}?") == "send":
                values[name] = data.draw(kind.strategy(world), label=name)
    _submit_and_check(url_name, world, user, target, values)


def _submit_and_check(url_name, world, user, target, values):
    spec = FORMS[url_name]
    with example_savepoint():
        if url_name == "login":
            _reset_login_throttle()  # one request per example: never a lockout hiding the form
        client = _client_for(world, user)
        url = _url(url_name, spec, world, target)
        response = client.get(url, values) if spec.method == "get" else client.post(url, values)
        _check(url_name, spec, world, user, target, values, response, client)
    return response


# Every field, alone in an otherwise valid submission, gets each of these every run: the
# random search above may or may not draw them.
SHARP = {
    # PostgreSQL refuses NUL in text, so every field, GET filters included, must stop it first;
    # appended, because a parser that drops trailing junk would let it through.
    "NUL": lambda valid: valid + "\x00",
    "20,000 characters": lambda valid: valid + "a" * 20_000,
    "markup": lambda valid: '"><script>alert(1)</script>',
}


@pytest.mark.parametrize("url_name", sorted(FORMS))
def test_each_field_refuses_or_escapes_a_nul_a_huge_value_and_markup(url_name, world):
    spec = FORMS[url_name]
    for field_name in spec.fields:
        for make in SHARP.values():
            values = _valid_values(spec, world)
            values[field_name] = make(values.get(field_name, ""))
            _submit_and_check(url_name, world, spec.users[-1], "real", values)


@pytest.mark.parametrize("url_name", ["login", "set_language", "showroom:visit-close", "notifications-read"])
def test_a_hostile_next_never_leads_off_the_site(url_name, world):
    spec = FORMS[url_name]
    for next_url in NEXT_URLS:
        values = {**_valid_values(spec, world), "next": next_url}
        response = _submit_and_check(url_name, world, spec.users[-1], "real", values)
        assert response.status_code == 302, next_url  # _check asserted the Location stays on this site


@pytest.mark.skipif(not apps.is_installed("axes"), reason="no login throttling installed")
def test_a_locked_out_login_answers_hostile_input_with_the_lockout_page(client, consultant):
    """A lockout is a 429, never a 500, and it does not echo the input unescaped either."""
    url = reverse("login")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "li", "password": "wrong"})
    for password in (*HTML_JS, *SQL, "x" * 20_000, "🚗\u202e"):
        values = {"username": "li", "password": password, "next": "/customers/?q=<script>alert(1)</script>"}
        response = Client(raise_request_exception=False).post(url, values)
        where = _describe("login (locked out)", "anonymous", values, response)
        _assert_no_server_error(response, where)
        assert response.status_code == 429, where
        _assert_escaped(response.content.decode(), values.values(), where)


@pytest.mark.parametrize(("url_name", "user"), [(name, user) for name in sorted(FORMS) for user in FORMS[name].users])
def test_a_valid_submission_goes_through(url_name, user, world):
    """The baseline: without it, 'an error is shown' could hold for a form that always fails."""
    spec = FORMS[url_name]
    values = _valid_values(spec, world)
    client = _client_for(world, user)
    url = _url(url_name, spec, world, "real")
    response = client.get(url, values) if spec.method == "get" else client.post(url, values)
    where = _describe(url_name, user, values, response)
    _assert_no_server_error(response, where)
    if spec.method == "post":
        assert response.status_code == 302, where
        _assert_local(response["Location"], where)
    else:
        assert response.status_code == 200, where
        assert not ERROR_MARKER.search(response.content.decode()), f"{where}: shows an error"

"""The daily checklists every showroom starts with (DOMAIN section 4), as data.

Item texts are data once seeded: the admin edits them per showroom. They are seeded in one
language — ``settings.LANGUAGE_CODE`` unless the caller names another — so a Chinese
installation (LANGUAGE_CODE=zh-hans) gets them in Chinese. The English texts below are the
msgids, translated at seeding time.

No model imports here: the data migration that seeds the showrooms existing before this
module (showroom 0007) uses the same data through its historical models.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

PASS_FAIL, NUMBER, TEXT = "pass_fail", "number", "text"


def item(text, *, help_text="", answer_type=PASS_FAIL, photo=False, min_ok=None, max_ok=None) -> dict:
    return {
        "text": text,
        "help_text": help_text,
        "answer_type": answer_type,
        "photo_on_fail": photo,
        "min_ok": None if min_ok is None else Decimal(min_ok),
        "max_ok": None if max_ok is None else Decimal(max_ok),
    }


# (kind, name, items), in the order the day's page lists them.
DEFAULT_TEMPLATES = [
    (
        "opening",
        _("Opening routine"),
        [
            item(_("Lights, air conditioning and background music on")),
            item(_("Entrance, floor and glass doors clean"), photo=True),
            item(_("Reception desk staffed, visitor register ready")),
            item(_("Tablets charged and signed in")),
            item(_("Today's appointments and deliveries gone through with the team")),
        ],
    ),
    (
        "environment",
        _("Showroom environment check"),
        [
            item(_("Every series has a display car")),
            item(_("Display cars' colours are varied")),
            item(_("Display cars clean inside and out"), photo=True),
            item(
                _("Display cars reset"),
                help_text=_("Seat, steering wheel, gear lever and boot board in their showroom position."),
                photo=True,
            ),
            item(_("Every display car has its info stand showing the guide price"), photo=True),
            item(_("Brochure rack complete and current"), photo=True),
            item(_("Customer lounge clean and ready"), photo=True),
            item(
                _("Kinds of drinks ready in the lounge"),
                help_text=_("At least 3 kinds."),
                answer_type=NUMBER,
                min_ok="3",
            ),
        ],
    ),
    (
        "test_drive_car",
        _("Test-drive car check"),
        [
            item(_("Clean inside and out"), photo=True),
            item(_("Registration and insurance papers in the car and valid")),
            item(_("Branded test-drive stickers in place"), photo=True),
            item(_("Parked in its reserved test-drive bay"), photo=True),
            item(
                _("Fuel or charge level (quarters of a tank)"),
                help_text=_("0 = empty, 4 = full; at least half (2) for test drives."),
                answer_type=NUMBER,
                min_ok="2",
                max_ok="4",
            ),
            item(_("No damage to body, glass, wheels or interior"), photo=True),
            item(_("Keys present (both sets)")),
        ],
    ),
    (
        "consultant",
        _("Consultant readiness"),
        [
            item(_("Grooming and uniform, name badge on")),
            item(_("Sales folder: quote sheets")),
            item(_("Sales folder: finance table")),
            item(_("Sales folder: insurance proposal")),
            item(_("Sales folder: sales contract")),
            item(_("Sales folder: test-drive agreement")),
            item(_("Sales folder: test-drive survey")),
            item(_("Sales folder: competitor comparison")),
            item(_("Sales folder: delivery confirmation form")),
            item(_("Knows today's stock")),
            item(_("Knows the supply lead times")),
        ],
    ),
    (
        "closing",
        _("Closing routine"),
        [
            item(_("Every visit of the day registered")),
            item(_("Test-drive cars back in their bays, keys returned")),
            item(_("Display cars locked, keys in the key cabinet")),
            item(_("Lights and air conditioning off, doors locked")),
            item(_("Notes for tomorrow"), answer_type=TEXT),
        ],
    ),
]


def seed_templates(*, template_model, item_model, showroom, language: str | None = None) -> int:
    """Give ``showroom`` each default checklist whose kind it has none of yet (a renamed or
    edited template is kept). Works with the real models and a migration's historical ones.
    Returns the number of templates created."""
    created = 0
    existing = set(template_model.objects.filter(showroom=showroom).values_list("kind", flat=True))
    with translation.override(language or settings.LANGUAGE_CODE):
        for position, (kind, name, items) in enumerate(DEFAULT_TEMPLATES):
            if kind in existing:
                continue
            template = template_model.objects.create(showroom=showroom, kind=kind, name=str(name), position=position)
            item_model.objects.bulk_create(
                item_model(
                    template=template,
                    position=index,
                    **{**spec, "text": str(spec["text"]), "help_text": str(spec["help_text"])},
                )
                for index, spec in enumerate(items)
            )
            created += 1
    return created

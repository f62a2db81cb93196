"""The agreement is the customer's: the sign page's pad, buttons and refusals and the printed
page are in the agreement's language (the customer's, or the one picked on the page), while
the consultant's own links stay in the consultant's language."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from testdrive.models import SignedAgreement
from tests.testdrive.factories import agreement_template, booking, licence, signature, signed

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def chinese_customer(customer):
    customer.language = "zh-hans"
    customer.save(update_fields=["language"])
    return customer


@pytest.fixture
def checked(car, chinese_customer, consultant, showroom):
    agreement_template(showroom, language="en")
    agreement_template(showroom, language="zh-hans", body="本人自愿参加试乘试驾。")
    made = booking(chinese_customer, consultant, car)
    licence(made, consultant)
    return made


def test_the_customer_signs_in_their_language_on_an_english_tablet(login, consultant, checked):
    page = _text(login(consultant).get(reverse("testdrive:agreement-sign", args=[checked.pk])))
    assert "本人自愿参加试乘试驾。" in page
    assert zh("I have read the agreement and sign it") in page and zh("Clear") in page
    assert "I have read the agreement and sign it" not in page
    assert "Back to the test drive" in page  # the consultant's link


def test_the_english_agreement_can_be_picked_and_is_all_english(login, consultant, checked):
    page = _text(login(consultant).get(reverse("testdrive:agreement-sign", args=[checked.pk]) + "?language=en"))
    assert "I have read the agreement and sign it" in page and zh("I have read the agreement and sign it") not in page


def test_a_blank_signature_is_refused_in_the_agreements_language(login, consultant, checked):
    response = login(consultant).post(
        reverse("testdrive:agreement-sign", args=[checked.pk]), {"language": "zh-hans", "signature": signature(blank=True)}
    )
    assert response.status_code == 400
    assert zh("The signature is blank: the customer signs in the box.") in _text(response)
    assert not SignedAgreement.objects.exists()


def test_the_printed_chinese_agreement_is_in_chinese_round_the_consultants_buttons(login, consultant, checked, showroom):
    signed(checked, consultant, template=showroom.agreement_templates.get(language="zh-hans"))
    page = _text(login(consultant).get(reverse("testdrive:agreement", args=[checked.pk])))
    assert f"{zh('Customer')}: Wang Fang" in page and f"{zh('Consultant')}: Na Li" in page
    assert "Consultant:" not in page
    assert "Print" in page and "Back to the test drive" in page  # not printed

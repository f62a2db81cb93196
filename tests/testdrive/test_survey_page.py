"""The survey page is the customer's: handed the tablet, they read it in their language (the
buttons on the page switch it), a refused answer says so at the top of the long page, and
nothing is saved until it is complete."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from testdrive.models import Survey
from tests.testdrive.factories import booking, ended, ready

pytestmark = pytest.mark.django_db


def zh(msgid: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


def _text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def finished(car, customer, consultant, clock):
    made = booking(customer, consultant, car)
    ready(made, consultant)
    clock.shift(timedelta(minutes=5))
    ended(made, consultant)
    return made


def _url(made) -> str:
    return reverse("testdrive:survey", args=[made.pk])


def test_a_chinese_customer_reads_the_survey_in_chinese_on_an_english_tablet(login, consultant, customer, finished):
    assert customer.language == "zh-hans"
    response = login(consultant).get(_url(finished))
    page = _text(response)
    assert '<html lang="zh-hans"' in response.content.decode()
    assert zh("How was your test drive?") in page and zh("How likely are you to buy this car?") in page
    assert "How was your test drive?" not in page


def test_the_customer_switches_the_survey_to_english(login, consultant, customer, finished):
    client = login(consultant)
    page = _text(client.get(_url(finished) + "?language=en"))
    assert "How was your test drive?" in page and zh("How was your test drive?") not in page
    refused = client.post(_url(finished), {"language": "en", "rating_braking": "4"})  # no likelihood
    assert refused.status_code == 400
    assert "Please correct the errors below." in _text(refused) and 'value="4" checked' in refused.content.decode()
    assert not Survey.objects.exists()


def test_switching_language_half_way_keeps_what_the_customer_ticked_and_typed(login, consultant, customer, finished):
    client = login(consultant)
    page = client.get(_url(finished)).content.decode()  # in Chinese, the customer's language
    english = re.search(r'<button[^>]*value="en"[^>]*>', page).group(0)
    assert 'name="switch_language"' in english and 'form="survey-form"' in english  # it posts the survey form
    switched = client.post(_url(finished), {
        "language": "zh-hans", "switch_language": "en", "rating_braking": "4", "comment_braking": "刹车很稳",
        "likelihood": "3", "comments": "下周再来",
    })
    assert switched.status_code == 200
    body = switched.content.decode()
    text = _text(switched)
    assert "How was your test drive?" in text and zh("How was your test drive?") not in text
    assert re.findall(r'name="rating_braking"[^>]*value="(\d)" checked', body) == ["4"]
    assert re.findall(r'name="likelihood"[^>]*value="(\d)" checked', body) == ["3"]
    assert 'value="刹车很稳"' in body and "下周再来</textarea>" in body
    assert "Please correct the errors below." not in text  # nothing is missing yet: not sent
    assert not Survey.objects.exists()
    assert re.search(r'<input type="hidden" name="language" value="en">', body)  # sending it keeps English
    odd = client.post(_url(finished), {"switch_language": "<b>xx", "comment_braking": '"><script>x</script>'})
    assert odd.status_code == 200 and "<script>x" not in odd.content.decode()  # another language: the customer's
    assert '<html lang="zh-hans"' in odd.content.decode()


def test_a_refused_survey_says_so_at_the_top_in_the_customers_language(login, consultant, finished):
    refused = login(consultant).post(_url(finished), {"rating_braking": "4"})
    assert refused.status_code == 400
    page = _text(refused)
    alert = page.index(zh("Please correct the errors below."))
    assert alert < page.index(zh("1 = poor, 5 = excellent. Leave out what you did not try."))


def test_the_customer_is_thanked_in_their_language_and_the_consultant_gets_the_page_back(login, consultant, finished):
    client = login(consultant)
    sent = client.post(_url(finished), {"likelihood": "5", "rating_braking": "4"}, follow=True)
    page = _text(sent)
    assert zh("Thank you for your answers!") in page
    assert "Registration" in page  # the booking's page, in the consultant's language
    assert Survey.objects.get().likelihood == 5

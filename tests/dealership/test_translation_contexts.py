"""Words that mean two things in English are translated by their sense in Chinese: the 5W2H
headings of the needs form are not the change history's "Who / What" columns, and a model
sheet's "From" and "Available" are a starting price and a stock count."""

import re

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, TrimFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db


def chinese_page(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    return response.content.decode()


def legends(page):
    return [re.sub(r"<[^>]+>", "", legend).strip() for legend in re.findall(r"<legend[^>]*>(.*?)</legend>", page, re.S)]


def test_the_needs_form_heads_its_sections_by_the_5w2h_questions(login, consultant):
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    page = chinese_page(login(consultant), reverse("showroom:needs-edit", args=[customer.pk]))
    headings = ["购买者", "购买时间", "购买地点", "意向车型与配置", "需求用途", "购买方式", "预算"]
    assert [legend for legend in legends(page) if legend in headings] == headings  # a radio group has a legend too
    assert "操作人" not in page and "修改内容" not in page  # the change history's columns


def test_the_model_sheet_says_starting_price_and_cars_in_stock(login, consultant):
    model = VehicleModelFactory(name="Aria")
    TrimFactory(vehicle_model=model, name="Comfort")
    page = chinese_page(login(consultant), reverse("showroom:model-detail", args=[model.pk]))
    terms = [re.sub(r"<[^>]+>", "", dt).strip() for dt in re.findall(r"<dt[^>]*>(.*?)</dt>", page, re.S)]
    assert "起售价" in terms and "现车" in terms
    assert "起" not in terms and "可用" not in terms

"""An imported referral names its referrer in a ``referrer`` column: the mobile of a customer of
the showroom, or a staff member's username; its absence or an unknown value is a row error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from dealership.roles import Role
from leads import services
from leads.models import Customer, LeadSource, TimelineEvent
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_import_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def preview(manager, consultant, text, name="list.csv"):
    batch = services.import_batch_create(
        showroom=manager.showroom, by=manager, upload=SimpleUploadedFile(name, text.encode()),
        default_owner=consultant, default_source="auto_show",
    )
    return batch, services.import_batch_preview(batch=batch)


def errors(result) -> dict:
    return {row.line: [(e.column, e.reason) for e in row.errors] for row in result.rows if row.errors}


def test_a_referral_without_or_with_an_unknown_referrer_is_a_row_error(manager, consultant):
    CustomerFactory(showroom=manager.showroom, owner=consultant, name="张伟", mobile="+8613912345601")
    _batch, result = preview(manager, consultant, (
        "name,mobile,source,referrer\n"
        "No one,13800138001,referral,\n"
        "Unknown mobile,13800138002,转介绍,13999999999\n"
        "Unknown user,13800138003,referral,nobody\n"
        "Themselves,13800138004,referral,138 0013 8004\n"
        "Bad number,13800138005,referral,12345\n"
        "Fine,13800138006,referral,139 1234 5601\n"
        "Not a referral,13800138007,auto_show,\n"
    ))
    assert errors(result) == {
        2: [("referrer", "This source needs a referrer: write the mobile of a customer of this showroom, "
                         "or a staff member's username.")],
        3: [("referrer", "No customer of this showroom has the mobile “13999999999”.")],
        4: [("referrer", "“nobody” is neither the mobile of a customer of this showroom nor a staff member's "
                         "username.")],
        5: [("referrer", "A customer cannot refer themselves.")],
        6: [("referrer", "This is not a valid mobile number.")],
    }
    assert result.counts == {"new": 2, "merge": 0, "error": 5}


def test_a_file_without_a_referrer_column_names_the_column_it_needs(manager, consultant):
    _batch, result = preview(manager, consultant, "姓名,手机,来源\n刘洋,13800138001,转介绍\n")
    assert errors(result) == {2: [("referrer", "This source needs a referrer: write the mobile of a customer of "
                                               "this showroom, or a staff member's username.")]}


def test_referrers_by_mobile_and_by_username_are_imported_and_on_the_timeline(manager, consultant):
    care = UserFactory(username="care", first_name="Mei", last_name="Sun", showroom=manager.showroom,
                       role=Role.CUSTOMER_CARE)
    zhang = CustomerFactory(showroom=manager.showroom, owner=consultant, name="张伟", mobile="+8613912345601")
    batch, result = preview(manager, consultant, (
        "姓名,手机,来源,推荐人\n"
        "刘洋,13800138001,转介绍,+86 139 1234 5601\n"
        "Chen,13800138002,referral,CARE\n"
        "Walk,13800138003,auto_show,\n"
    ))
    assert result.counts == {"new": 3, "merge": 0, "error": 0}
    services.customers_import(batch=batch, by=manager)
    liu, chen = Customer.objects.get(name="刘洋"), Customer.objects.get(name="Chen")
    assert liu.referred_by_customer == zhang and chen.referred_by_staff == care
    event = liu.timeline.get(kind=TimelineEvent.Kind.CUSTOMER_IMPORTED)
    with translation.override("en"):
        assert event.message == "Imported from list.csv by Wei Wang (source: Referral). Referred by 张伟."
    assert Customer.objects.get(name="Walk").referrer is None


def test_a_customer_found_again_gets_a_blank_referrer_filled_and_keeps_one_they_have(
    manager, consultant, second_consultant
):
    zhang = CustomerFactory(showroom=manager.showroom, owner=consultant, name="张伟", mobile="+8613912345601")
    blank = CustomerFactory(showroom=manager.showroom, owner=consultant, name="Blank", mobile="+8613800138001",
                            source="")
    known = CustomerFactory(showroom=manager.showroom, owner=consultant, name="Known", mobile="+8613800138002",
                            source="referral", referred_by_staff=second_consultant)
    batch, result = preview(manager, consultant, (
        "name,mobile,source,referrer\n"
        "Blank,13800138001,referral,13912345601\n"
        "Known,13800138002,referral,\n"  # already referred: nothing more needed
        "Known again,13800138002,referral,13912345601\n"
    ))
    assert result.rows[0].filled == ["source", "referred_by_customer"]
    assert result.rows[1].outcome == "merge" and result.rows[1].filled == []
    services.customers_import(batch=batch, by=manager)
    blank.refresh_from_db()
    known.refresh_from_db()
    assert (blank.source, blank.referred_by_customer) == ("referral", zhang)
    assert known.referred_by_staff == second_consultant and known.referred_by_customer is None
    seen = blank.timeline.get(kind=TimelineEvent.Kind.SEEN_IN_IMPORT)
    with translation.override("en"):
        assert "Filled in: source, referred by (customer)." in seen.message


def test_an_imported_customer_with_a_custom_source_shows_its_name_on_the_timeline(login, manager, consultant):
    LeadSource.objects.create(showroom=manager.showroom, code="douyin", name="抖音直播")
    batch, _result = preview(manager, consultant, "name,mobile,source\nA,13800138001,抖音直播\nB,13800138002,\n")
    services.customers_import(batch=batch, by=manager)
    a = Customer.objects.get(name="A")
    with translation.override("en"):
        assert a.timeline.get(kind=TimelineEvent.Kind.CUSTOMER_IMPORTED).message == (
            "Imported from list.csv by Wei Wang (source: 抖音直播)."
        )
        b_event = Customer.objects.get(name="B").timeline.get(kind=TimelineEvent.Kind.CUSTOMER_IMPORTED)
        assert "(source: Auto show)" in b_event.message  # a default source, in the reader's language
    with translation.override("zh-hans"):
        assert "车展" in b_event.message
    page = login(manager).get(f"/customers/{a.pk}/").content.decode()
    assert "抖音直播" in page and "douyin" not in page

"""A list of ids typed by hand (a tampered form) with a number past 64 bits is refused like any
other id not offered, not a 500: on SQLite ``pk__in`` with such a number raises OverflowError."""

import pytest
from django.core.exceptions import ValidationError

from dealership.forms import MAX_ID, ModelMultipleIdsField
from showroom.forms import NeedsAnalysisForm
from showroom.models import VehicleModel
from tests.factories import CustomerFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db

HUGE = "1" * 40


@pytest.mark.parametrize("value", [HUGE, str(MAX_ID + 1), f"+{HUGE}", f"-{HUGE}"])
def test_an_id_no_column_can_hold_is_not_one_of_the_choices(value):
    offered = VehicleModelFactory(name="Aria")
    field = ModelMultipleIdsField(queryset=VehicleModel.objects.all())
    with pytest.raises(ValidationError) as refused:
        field.clean([str(offered.pk), value])
    assert refused.value.code == "invalid_pk_value"
    assert list(field.clean([str(offered.pk)])) == [offered]


def test_the_needs_form_shows_the_error_at_the_field(consultant):
    model = VehicleModelFactory(name="Aria")
    customer = CustomerFactory(showroom=consultant.showroom, owner=consultant)
    form = NeedsAnalysisForm(
        data={"models_of_interest": [str(model.pk), HUGE], "trims_of_interest": [HUGE], "timeframe": "30d"},
        customer=customer,
    )
    assert not form.is_valid()
    assert "models_of_interest" in form.errors and "trims_of_interest" in form.errors

from django import forms
from django.utils.translation import gettext_lazy as _

from followup.models import Reminder
from leads.models import Grade

OUTCOMES = [
    (Reminder.Outcome.REACHED, Reminder.Outcome.REACHED.label),
    (Reminder.Outcome.NO_ANSWER, Reminder.Outcome.NO_ANSWER.label),
    (Reminder.Outcome.WRONG_NUMBER, Reminder.Outcome.WRONG_NUMBER.label),
    (Reminder.Outcome.DO_NOT_CALL, Reminder.Outcome.DO_NOT_CALL.label),
]


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OUTCOMES)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    # F (lost) needs a reason and a manager's approval: it is set from the customer's page.
    grade = forms.ChoiceField(
        label=_("New grade"),
        choices=[("", _("Keep the grade")), *[(v, label) for v, label in Grade.choices if v != Grade.F]],
        required=False,
    )


def call_row_options() -> dict:
    """What a call's row on My day offers: the grades to choose when reached, the other outcomes."""
    return {
        "call_grades": CallOutcomeForm.base_fields["grade"].choices,
        "call_quick_outcomes": [
            (Reminder.Outcome.NO_ANSWER, Reminder.Outcome.NO_ANSWER.label, "btn-outline-secondary"),
            (Reminder.Outcome.WRONG_NUMBER, Reminder.Outcome.WRONG_NUMBER.label, "btn-outline-warning"),
            (Reminder.Outcome.DO_NOT_CALL, Reminder.Outcome.DO_NOT_CALL.label, "btn-outline-danger"),
        ],
    }

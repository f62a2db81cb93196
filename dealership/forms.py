from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form, with the username's length really checked.

    AuthenticationForm sets ``max_length`` on the username after the field is built, so no
    validator enforces it: a 5,000-character username went on to authenticate(), and
    django-axes, recording the failed attempt, overflowed its 255-character column on
    PostgreSQL — a 500 instead of the form with its error.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


# The largest id a database column holds (PostgreSQL bigint, SQLite INTEGER).
MAX_ID = 2**63 - 1


class ModelMultipleIdsField(forms.ModelMultipleChoiceField):
    """Django's ModelMultipleChoiceField, refusing an id no database column can hold before it
    reaches the query: ``pk__in`` with an integer past 64 bits raises OverflowError on SQLite
    (a 500 instead of the form's "not one of the available choices")."""

    def _check_values(self, value):
        if (self.to_field_name or "pk") == "pk":
            for pk in value:
                text = str(pk).strip().lstrip("+-")
                if text.isascii() and text.isdigit() and int(text) > MAX_ID:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)

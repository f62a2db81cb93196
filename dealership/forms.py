from django.contrib.auth.forms import AuthenticationForm
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

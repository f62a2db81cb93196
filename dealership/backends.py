"""Authentication backend: Django's ModelBackend, loading the signed-in user's showroom with
them — every page needs it (its time zone, the access helpers), so one query less each time."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("showroom").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

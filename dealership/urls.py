from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from dealership import views
from dealership.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("notifications/badge/", views.notifications_badge, name="notifications-badge"),
    path("notifications/read/", views.notifications_mark_read, name="notifications-read"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("leads.urls")),
    path("", include("showroom.urls")),
    path("", include("followup.urls")),
    path("", include("testdrive.urls")),
]

from django.contrib.auth import views as auth_views
from django.urls import path

from web.views import creator, home, verify

app_name = "web"

urlpatterns = [
    path("", home.HomePage.as_view(), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", verify.VerifyPage.as_view(), name="verify"),
    path("works/", creator.WorkListPage.as_view(), name="work-list"),
    path("works/<uuid:id>/", creator.WorkPage.as_view(), name="work-detail"),
]

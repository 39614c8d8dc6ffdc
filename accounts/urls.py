from django.urls import path

from accounts import api

urlpatterns = [
    path("me/", api.MeApi.as_view(), name="me"),
    path("organisations/", api.OrganisationListApi.as_view(), name="organisation-list"),
    path("organisations/<uuid:id>/", api.OrganisationDetailApi.as_view(), name="organisation-detail"),
    path("memberships/", api.MembershipListApi.as_view(), name="membership-list"),
    path("memberships/<uuid:id>/", api.MembershipDetailApi.as_view(), name="membership-detail"),
    path("tokens/", api.TokenListApi.as_view(), name="token-list"),
    path("tokens/<uuid:id>/", api.TokenDetailApi.as_view(), name="token-detail"),
]

from django.views.generic import TemplateView

from web.scoping import MemberPageMixin


class HomePage(MemberPageMixin, TemplateView):
    template_name = "web/home.html"

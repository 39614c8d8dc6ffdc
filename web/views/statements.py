"""Royalty statements of the licences the organisation granted or holds: list, page, downloads."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView

from legal.models import RoyaltyStatement
from legal.selectors import royalty_statement_list
from legal.statements import statement_render
from web.charts import Bar, bar_chart_svg
from web.scoping import MemberPageMixin

DOWNLOADS = ("json", "csv", "html")
CHART_PERIODS = 12  # the latest statements of a licence shown in its chart


def money(minor: int, currency: str, exponent: int = 2) -> str:
    return f"{currency} {Decimal(minor).scaleb(-exponent):,.{exponent}f}"


def period_label(entry: RoyaltyStatement) -> str:
    return f"{entry.period_start:%d %b %Y} to {entry.period_end:%d %b %Y}"


def _statements(organisation):
    return royalty_statement_list(organisation=organisation).select_related(
        "licence__catalogue__organisation", "licence__licensee"
    )


class StatementListPage(MemberPageMixin, TemplateView):
    template_name = "web/rights/statement_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entries = _statements(self.organisation).order_by("-period_start", "-created_at")
        context["rows"] = [
            {"entry": e, "period": period_label(e), "amount": money(e.amount_minor, e.currency, _exponent(e))}
            for e in entries
        ]
        return context


def _exponent(entry: RoyaltyStatement) -> int:
    return int(entry.document.get("exponent", 2))


class StatementPage(MemberPageMixin, TemplateView):
    template_name = "web/rights/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = get_object_or_404(_statements(self.organisation), id=self.kwargs["id"])
        exponent = _exponent(entry)
        holders = [
            {"name": h.get("name") or h["party_id"], "party_id": h["party_id"], "lines": len(h["lines"]),
             "total": money(h["total_minor"], entry.currency, exponent)}
            for h in entry.document["holders"]
        ]  # fmt: skip
        periods = list(
            _statements(self.organisation)
            .filter(licence=entry.licence)
            .order_by("-period_start", "-created_at")[:CHART_PERIODS]
        )[::-1]
        bars = [
            Bar(
                f"{p.period_start:%b %Y}",
                p.amount_minor,
                money(p.amount_minor, p.currency, exponent),
                p.id == entry.id,
            )
            for p in periods
        ]
        licence = entry.licence
        title = f"Royalties per period, licence of {licence.catalogue.name} to {licence.licensee.name}"
        context |= {
            "entry": entry,
            "period": period_label(entry),
            "amount": money(entry.amount_minor, entry.currency, exponent),
            "revenue": money(entry.revenue_minor, entry.currency, exponent),
            "holders": holders,
            "periods": [
                (period_label(p), bar.text, p.id == entry.id) for p, bar in zip(periods, bars, strict=True)
            ],
            "chart": mark_safe(bar_chart_svg(bars, title=title)),  # noqa: S308  (escaped in web.charts)
            "downloads": DOWNLOADS,
        }
        return context


class StatementDownload(MemberPageMixin, View):
    """The same documents as the API's ?type=json|csv|html, for a signed-in member."""

    def get(self, request, id, kind):
        if kind not in DOWNLOADS:
            raise Http404
        entry = get_object_or_404(royalty_statement_list(organisation=self.organisation), id=id)
        if kind == "json":
            body, content_type = json.dumps(entry.document, indent=2), "application/json"
        else:
            body = statement_render(entry, kind)
            content_type = "text/csv" if kind == "csv" else "text/html; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        if kind != "html":
            response["Content-Disposition"] = f'attachment; filename="statement-{entry.id}.{kind}"'
        return response

"""The public summary of training content (EU AI Act, Regulation (EU) 2024/1689, Art. 53(1)(d)),
in the structure of the European Commission's (AI Office) "Template for the Public Summary of
Training Content for general-purpose AI models" (published 24 July 2025).

SongProof knows what its training-data scans found: how many items, how long, which matched
which catalogues, and with what verdict. Everything else (who the provider is, when the model
was placed on the market, which other sources were used) is the provider's to state: such a
field is left as {"to_complete": hint}, and its path listed under "to_complete", never guessed.
"""

from __future__ import annotations

import html
import subprocess
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from similarity.models import Recording, Scan, ScanItem, ScanVerdict

SUMMARY_FORMAT = "songproof-training-summary/1"
TEMPLATE = {
    "name": "Template for the Public Summary of Training Content for general-purpose AI models",
    "publisher": "European Commission (AI Office)",
    "published": "2025-07-24",
    "legal_basis": "Regulation (EU) 2024/1689 (AI Act), Article 53(1)(d) and Recital 107",
}
DISCLAIMER = (
    "Drafted by SongProof from its training-data scans. Fields marked 'to complete' must be filled "
    "in by the provider; the figures cover only the scanned datasets listed below. Not legal advice."
)
LICENCE_FIELDS = ("licensor", "catalogue", "reference", "training_allowed", "territories", "start", "end")


def to_complete(hint: str) -> dict[str, str]:
    return {"to_complete": hint}


def _given(value: Any, hint: str) -> Any:
    return value if value not in (None, "", []) else to_complete(hint)


def build_summary(
    *, provider: dict, model: dict, scans: list[Scan], licences: list[dict] | None = None
) -> dict:
    """The summary as JSON-ready data: the template's three sections, filled from the scans."""
    items = list(ScanItem.objects.filter(scan__in=scans).order_by("scan_id", "id"))
    catalogues = _catalogues(items)
    summary = {
        "format": SUMMARY_FORMAT,
        "template": TEMPLATE,
        "generated_at": timezone.now().isoformat(),
        "disclaimer": DISCLAIMER,
        "scans": [_scan_entry(scan, items) for scan in scans],
        "sections": {
            "1_general_information": _general(provider, model, items),
            "2_list_of_data_sources": _sources(items, catalogues, licences or []),
            "3_data_processing_aspects": _processing(items, catalogues),
        },
    }
    summary["to_complete"] = sorted(_open_fields(summary["sections"]))
    return summary


def _open_fields(node: Any, path: str = "") -> Iterable[str]:
    if isinstance(node, dict):
        if set(node) == {"to_complete"}:
            yield path
            return
        for key, value in node.items():
            yield from _open_fields(value, f"{path}.{key}" if path else key)


def _scan_entry(scan: Scan, items: list[ScanItem]) -> dict:
    own = [i for i in items if i.scan_id == scan.id]
    return {
        "id": str(scan.id),
        "source": scan.source,
        "status": scan.status,
        "created_at": scan.created_at.isoformat(),
        "finished_at": scan.finished_at.isoformat() if scan.finished_at else None,
        "items": len(own),
    }


def item_duration_s(path: str) -> float | None:
    """The item's duration from its file's header (None when the file is gone or unreadable):
    scans store verdicts, not durations."""
    if not Path(path).is_file():
        return None
    command = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
        return float(done.stdout.strip())
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None


def _general(provider: dict, model: dict, items: list[ScanItem]) -> dict:
    durations = [item_duration_s(i.file) for i in items]
    known = [d for d in durations if d is not None]
    return {
        "1_1_provider": {
            "name": _given(provider.get("name"), "the provider's name"),
            "contact": _given(provider.get("contact"), "a contact point for the public summary"),
        },
        "1_2_model": {
            "name": _given(model.get("name"), "the model's name"),
            "versions": _given(model.get("versions") or model.get("version"), "the versions covered"),
            "dependencies": _given(
                model.get("dependencies"), "the base model, if this model modifies or fine-tunes one"
            ),
            "placed_on_market": _given(model.get("placed_on_market"), "date of placing on the Union market"),
            "data_acquisition_cutoff": _given(
                model.get("data_acquisition_cutoff"), "latest date of data acquisition"
            ),
        },
        "1_3_modalities": {
            "audio": {
                "present": bool(items),
                "items_scanned": len(items),
                "duration_s_scanned": round(sum(known), 3),
                "items_of_unknown_duration": len(durations) - len(known),
                "size_range": to_complete("overall audio size, in the template's ranges"),
                "content_types": to_complete("types of audio content (e.g. musical compositions)"),
            },
            "text": to_complete("whether text was used, its size range and types"),
            "image": to_complete("whether images were used, their size range and types"),
            "video": to_complete("whether video was used, its size range and types"),
            "other": to_complete("any other modality"),
        },
    }


def _catalogues(items: list[ScanItem]) -> dict[str, dict]:
    """Per recording id in any match: its catalogue (name, licensor, flags)."""
    ids = {m["recording_id"] for i in items for m in i.matches}
    rows = Recording.objects.filter(id__in=ids).select_related("catalogue__organisation")
    return {
        str(r.id): {
            "catalogue": r.catalogue.name,
            "licensor": r.catalogue.organisation.name,
            "training_allowed": r.catalogue.training_allowed,
            "tdm_reserved": r.catalogue.tdm_reserved,
        }
        for r in rows
    }


def _verdict_counts(items: list[ScanItem]) -> dict[str, int]:
    counts = Counter(i.verdict for i in items if i.status == ScanItem.Status.DONE)
    result = {verdict: counts.get(verdict, 0) for verdict in ScanVerdict.values}
    statuses = Counter(i.status for i in items)
    return result | {"failed": statuses.get("failed", 0), "pending": statuses.get("pending", 0)}


def _matched_catalogues(items: list[ScanItem], catalogues: dict, verdict: str) -> list[dict]:
    grouped: dict[tuple[str, str], dict] = {}
    for item in (i for i in items if i.verdict == verdict):
        for match in item.matches:
            found = catalogues.get(match["recording_id"])
            if found is None:
                continue
            entry = grouped.setdefault(
                (found["licensor"], found["catalogue"]),
                {
                    "licensor": found["licensor"],
                    "catalogue": found["catalogue"],
                    "items": set(),
                    "recordings": set(),
                },
            )
            entry["items"].add(item.id)
            entry["recordings"].add(match["recording_id"])
    return [
        {**e, "items": len(e["items"]), "recordings": len(e["recordings"])}
        for _, e in sorted(grouped.items())
    ]


def _licence_entry(licence: dict) -> dict:
    return {name: licence[name] for name in LICENCE_FIELDS if name in licence}


def _sources(items: list[ScanItem], catalogues: dict, licences: list[dict]) -> dict:
    return {
        "scanned_content": {
            "items": len(items),
            "verdicts": _verdict_counts(items),
            "method": (
                "Every item was fingerprinted (Chromaprint) and matched against every catalogue "
                "registered with SongProof; a verdict is 'licensed' when every matched catalogue "
                "allows training, 'opted_out' when one has reserved text and data mining, "
                "'unlicensed_match' otherwise, 'no_match' when nothing matched."
            ),
        },
        "2_1_publicly_available_datasets": to_complete(
            "the publicly available datasets used, with a description and links to the main ones"
        ),
        "2_2_private_datasets_from_third_parties": {
            "licensed_data": {
                "matched_catalogues": _matched_catalogues(items, catalogues, ScanVerdict.LICENSED),
                "licences": [_licence_entry(licence) for licence in licences],
            },
            "other_private_datasets": to_complete("other non-public datasets obtained from third parties"),
        },
        "2_3_crawled_and_scraped_data": to_complete(
            "crawlers used, collection period, and the main domain names crawled"
        ),
        "2_4_user_data": to_complete("whether data from users of the provider's services was used"),
        "2_5_synthetic_data": to_complete("whether synthetic data was used, and which models made it"),
        "2_6_other_sources": to_complete("any other source of training data"),
    }


def _flagged(items: list[ScanItem], catalogues: dict, verdict: str) -> list[dict]:
    flagged = []
    for item in (i for i in items if i.verdict == verdict):
        best = item.matches[0] if item.matches else {}
        found = catalogues.get(best.get("recording_id"), {})
        flagged.append(
            {
                "path": item.path,
                "scan": str(item.scan_id),
                "matched": best.get("title") or best.get("source_path", ""),
                "catalogue": found.get("catalogue", ""),
                "licensor": found.get("licensor", ""),
                "score": best.get("score"),
            }
        )
    return flagged


def _processing(items: list[ScanItem], catalogues: dict) -> dict:
    opted_out = _flagged(items, catalogues, ScanVerdict.OPTED_OUT)
    unlicensed = _flagged(items, catalogues, ScanVerdict.UNLICENSED)
    return {
        "3_1_tdm_reservation_of_rights": {
            "measures": (
                "The training data was scanned against rights holders' catalogues, in which each "
                "rights holder records whether it reserves text and data mining (DSM Directive "
                "Art. 4(3)); items matching a reserved catalogue are reported below."
            ),
            "items_matching_opted_out_recordings": len(opted_out),
            "opted_out_items": opted_out,
            "opted_out_catalogues": _matched_catalogues(items, catalogues, ScanVerdict.OPTED_OUT),
            "action_taken_on_opted_out_items": (
                to_complete("what was done with these items (removed before training, licensed, ...)")
                if opted_out
                else "none needed: no scanned item matched an opted-out recording"
            ),
            "items_matching_unlicensed_recordings": len(unlicensed),
            "unlicensed_items": unlicensed,
            "opt_out_protocols_honoured": to_complete(
                "machine-readable opt-out protocols honoured when collecting data (e.g. robots.txt)"
            ),
        },
        "3_2_removal_of_illegal_content": to_complete("measures taken to avoid or remove illegal content"),
        "3_3_other_information": to_complete("any other relevant processing (optional)"),
    }


SECTION_TITLES = {
    "1_general_information": "1. General information",
    "1_1_provider": "1.1 Provider",
    "1_2_model": "1.2 Model",
    "1_3_modalities": "1.3 Modalities and overall size of the training data",
    "2_list_of_data_sources": "2. List of data sources",
    "scanned_content": "Content scanned by SongProof",
    "2_1_publicly_available_datasets": "2.1 Publicly available datasets",
    "2_2_private_datasets_from_third_parties": (
        "2.2 Private non-publicly available datasets obtained from third parties"
    ),
    "2_3_crawled_and_scraped_data": "2.3 Data crawled and scraped from online sources",
    "2_4_user_data": "2.4 User data",
    "2_5_synthetic_data": "2.5 Synthetic data",
    "2_6_other_sources": "2.6 Other sources of data",
    "3_data_processing_aspects": "3. Data processing aspects",
    "3_1_tdm_reservation_of_rights": (
        "3.1 Respect of reservation of rights from the text and data mining exception"
    ),
    "3_2_removal_of_illegal_content": "3.2 Removal of illegal content",
    "3_3_other_information": "3.3 Other information",
}
STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}"
    "table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;"
    "padding:.3rem .5rem;border-bottom:1px solid #ddd}.todo{background:#fff3cd;padding:0 .3rem}"
    "dt{font-weight:600}dd{margin:0 0 .4rem 1rem}"
)


def _label(key: str) -> str:
    return SECTION_TITLES.get(key, key.replace("_", " "))


def _value_html(value: Any, depth: int) -> str:
    e = html.escape
    if isinstance(value, dict) and set(value) == {"to_complete"}:
        return f'<span class="todo">To complete by the provider: {e(value["to_complete"])}</span>'
    if isinstance(value, dict):
        if depth < 2:
            level = depth + 2
            return "".join(
                f"<h{level}>{e(_label(k))}</h{level}>{_value_html(v, depth + 1)}" for k, v in value.items()
            )
        rows = "".join(
            f"<dt>{e(_label(k))}</dt><dd>{_value_html(v, depth + 1)}</dd>" for k, v in value.items()
        )
        return f"<dl>{rows}</dl>"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        columns = list(dict.fromkeys(k for row in value for k in row))
        head = "".join(f"<th>{e(c)}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{e(str(row.get(c, '')))}</td>" for c in columns) + "</tr>" for row in value
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    if isinstance(value, list):
        return e(", ".join(map(str, value))) if value else "none"
    return e(str(value))


def summary_html(summary: dict) -> str:
    """A standalone HTML page of the summary; every value is escaped."""
    e = html.escape
    model = summary["sections"]["1_general_information"]["1_2_model"]["name"]
    title = f"Public summary of training content: {model if isinstance(model, str) else 'model'}"
    scans = _value_html(summary["scans"], 2)
    open_fields = "".join(f"<li><code>{e(path)}</code></li>" for path in summary["to_complete"])
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{STYLE}</style></head><body><h1>{e(title)}</h1>"
        f"<p>Following the {e(summary['template']['name'])} ({e(summary['template']['publisher'])}, "
        f"{e(summary['template']['published'])}); {e(summary['template']['legal_basis'])}.</p>"
        f'<p class="todo">{e(summary["disclaimer"])}</p>'
        f"{_value_html(summary['sections'], 0)}"
        f"<h2>Scans this summary is drawn from</h2>{scans}"
        f"<h2>Fields to complete ({len(summary['to_complete'])})</h2><ul>{open_fields}</ul>"
        f"<p>Generated {e(summary['generated_at'])}.</p></body></html>\n"
    )


MESSAGE_UNKNOWN_SCANS = "No such scan in your organisation."
MESSAGE_NO_SCANS = "Name at least one scan (scan=<id>)."


def organisation_training_summary(*, organisation, scan_ids: list[str], model: dict) -> dict:
    """The summary of an organisation's scans (NotFoundError when one is not its own)."""
    from config.errors import InvalidInputError, NotFoundError
    from similarity.selectors import scan_list

    if not scan_ids:
        raise InvalidInputError(MESSAGE_NO_SCANS, detail={"scan": []})
    wanted = list(dict.fromkeys(str(i) for i in scan_ids))
    try:
        found = {str(s.id): s for s in scan_list(organisation=organisation).filter(id__in=wanted)}
    except ValidationError:  # not a UUID: as unknown as a stranger's scan
        found = {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise NotFoundError(MESSAGE_UNKNOWN_SCANS, detail={"scan": missing})
    provider = {"name": organisation.name}
    return build_summary(provider=provider, model=model, scans=[found[i] for i in wanted])

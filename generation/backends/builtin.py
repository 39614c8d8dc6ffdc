"""The builtin backend: seeded symbolic plans rendered by batched torch synthesis. No weights."""

from __future__ import annotations

from typing import Any

import torch

from generation.backends import BackendError, GenerationSpec, Rendered
from generation.plan import (
    Plan,
    PlanError,
    extend,
    known_tags,
    make_plan,
    parse_tags,
    regenerate_bars,
    sub_seed,
    with_tempo,
)
from generation.synth import render, trimmed_to


class BuiltinBackend:
    name = "builtin"
    version = "builtin-1"
    plan_edits = ("regenerate", "extend", "tempo")

    def check(self, spec: GenerationSpec) -> None:
        try:
            parse_tags(spec.tags)
        except PlanError as exc:
            raise BackendError(f"{exc}; known tags: {', '.join(known_tags())}") from None

    def generate(self, spec: GenerationSpec, device: torch.device) -> list[Rendered]:
        conditioning = parse_tags(spec.tags)
        plans = [
            make_plan(conditioning, master_seed=spec.seed, take=i, duration_s=spec.duration_s)
            for i in range(spec.takes)
        ]
        noise_seed = sub_seed(spec.seed, "noise")
        audio = render(plans, device=device, noise_seed=noise_seed)
        return [
            Rendered(
                audio=trimmed_to(audio[i], plan),
                recipe={"plan": plan.as_dict(), "render": {"batch": i, "noise_seed": noise_seed}, "post": []},
            )
            for i, plan in enumerate(plans)
        ]

    def render(
        self, recipe: dict[str, Any], batch: list[dict[str, Any]], device: torch.device
    ) -> torch.Tensor:
        """The take's audio before its audio edits. `batch`: the recipes of its request's takes,
        in order, when it was rendered in a batch (a batch's takes share noise and length)."""
        how = recipe["render"]
        if "batch" in how:
            plans = [Plan.from_dict(r["plan"]) for r in batch]
            return trimmed_to(
                render(plans, device=device, noise_seed=how["noise_seed"])[how["batch"]], plans[how["batch"]]
            )
        plan = Plan.from_dict(recipe["plan"])
        return trimmed_to(render([plan], device=device, noise_seed=how["noise_seed"])[0], plan)

    def edit(self, recipe: dict[str, Any], operation: str, parameters: dict[str, Any]) -> dict[str, Any]:
        plan = Plan.from_dict(recipe["plan"])
        seed = parameters.get("seed", 0)
        try:
            if operation == "regenerate":
                changed = regenerate_bars(plan, parameters["start_bar"], parameters["end_bar"], seed=seed)
            elif operation == "extend":
                if "bars" not in parameters:
                    raise BackendError("extend builtin takes by bars")
                changed = extend(plan, parameters["bars"], seed=seed)
            elif operation == "tempo":
                changed = with_tempo(plan, parameters["bpm"])
            else:
                raise BackendError(f"the builtin backend has no {operation!r} edit")
        except PlanError as exc:
            raise BackendError(str(exc)) from None
        # A single render from now on; audio edits made before are applied again on top.
        render_how = {"noise_seed": sub_seed(recipe["render"]["noise_seed"], operation, seed)}
        return {"plan": changed.as_dict(), "render": render_how, "post": list(recipe["post"])}

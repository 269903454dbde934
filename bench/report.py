"""Turning runs into numbers: per-stage p50/p95, the ratios the targets are about, a plot.

Per-step figures count the steps that carried out an action (a click, a key press, typing,
a scroll): those are what the peers' "per click step" costs in FACTS.md measure.  The
final ``finish`` step of each task, which executes and settles nothing, is left out.

* non-model time = total - model: what a step costs beyond waiting for the model.
* harness overhead = total - model - execute - settle - confirm: capture, encode, parse and
  the loop's own bookkeeping -- the part comparable to the raw floor (grab + resize + JPEG).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.measure import Run, StopTrial, percentile
from deskhand.core.actions import AskUser, Finish
from deskhand.core.geometry import Grid, Size
from deskhand.core.trace import STAGES
from deskhand.vision.dialects.common import QWEN25_GRID
from deskhand.vision.imaging import image_tokens

# "inspect" (finding what a click lands on, for the risk policy) is recorded beside the
# contract's stages as ``inspect_ms``; it is part of "total" and of the overhead.
COLUMNS = (*STAGES[:4], "inspect", *STAGES[4:], "total")


@dataclass
class Summary:
    name: str
    label: str
    steps: int
    p50: dict[str, float]
    p95: dict[str, float]
    non_model: tuple[float, float]
    overhead: tuple[float, float]
    image_kb: float
    image_tokens: int
    decode_tokens: float
    statuses: list[str]
    settled: int = 0
    settles: int = 0
    grabs: float = math.nan


def summarize(run: Run, label: str, grid: Grid = QWEN25_GRID) -> Summary:
    """Per-stage figures over the steps that acted; ``grid`` is what the runtime resizes to."""
    acted = [s for s in run.steps if _acted(s)]
    rows = [{**s.record.timings_ms, "inspect": s.record.inspect_ms} for s in acted]
    p50 = {c: percentile([r[c] for r in rows], 50) for c in COLUMNS}
    p95 = {c: percentile([r[c] for r in rows], 95) for c in COLUMNS}
    non_model = [r["total"] - r["model"] for r in rows]
    overhead = [r["total"] - r["model"] - r["execute"] - r["settle"] - r["confirm"] for r in rows]
    decode = [s.record.output_tokens for s in run.steps if s.record.output_tokens is not None]
    stats = [s.settle for s in acted if s.settle is not None]
    return Summary(
        name=run.name,
        label=label,
        steps=len(rows),
        p50=p50,
        p95=p95,
        non_model=(percentile(non_model, 50), percentile(non_model, 95)),
        overhead=(percentile(overhead, 50), percentile(overhead, 95)),
        image_kb=percentile([s.image_bytes / 1024 for s in run.steps], 50),
        image_tokens=image_tokens(Size(*run.steps[0].image_size), grid) if run.steps else 0,
        decode_tokens=sum(decode) / len(decode) if decode else math.nan,
        statuses=run.statuses,
        settled=sum(st.settled for st in stats),
        settles=len(stats),
        grabs=sum(st.grabs for st in stats) / len(stats) if stats else math.nan,
    )


def _acted(step: Any) -> bool:
    return any(not isinstance(a, Finish | AskUser) for a in step.record.actions)


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.1f}"


def stage_table(summaries: list[Summary]) -> str:
    head = "| configuration | steps | " + " | ".join(COLUMNS) + " | non-model | harness overhead |"
    rule = "|---|---:|" + "---:|" * (len(COLUMNS) + 2)
    lines = [head, rule]
    for s in summaries:
        cells = [f"{_ms(s.p50[c])} / {_ms(s.p95[c])}" for c in COLUMNS]
        extra = [
            f"{_ms(s.non_model[0])} / {_ms(s.non_model[1])}",
            f"{_ms(s.overhead[0])} / {_ms(s.overhead[1])}",
        ]
        lines.append(f"| {s.label} | {s.steps} | " + " | ".join(cells + extra) + " |")
    return "\n".join(lines)


def wire_table(summaries: list[Summary]) -> str:
    lines = ["| configuration | image on the wire | image tokens | decode tokens / step | tasks |",
             "|---|---:|---:|---:|---|"]  # fmt: skip
    for s in summaries:
        done = f"{s.statuses.count('finished')}/{len(s.statuses)} finished"
        lines.append(
            f"| {s.label} | {s.image_kb:.0f} KB | {s.image_tokens} | {s.decode_tokens:.0f} | {done} |"
        )
    return "\n".join(lines)


def settle_table(summaries: list[Summary]) -> str:
    """How the screen settler fared: stillness found before the cap, and grabs it took."""
    lines = ["| settler of | still before the cap | grabs / settle | settle p50 / p95 ms |",
             "|---|---:|---:|---:|"]  # fmt: skip
    for s in summaries:
        if s.settles:
            settle = f"{_ms(s.p50['settle'])} / {_ms(s.p95['settle'])}"
            lines.append(f"| {s.label} | {s.settled}/{s.settles} | {s.grabs:.1f} | {settle} |")
    return "\n".join(lines)


def reaction_table(reactions: dict[str, list[float | None]]) -> str:
    lines = ["| action | n | first change p50 ms | max ms | no change within 300 ms |",
             "|---|---:|---:|---:|---:|"]  # fmt: skip
    for kind, values in reactions.items():
        seen = [v for v in values if v is not None]
        p50 = _ms(percentile(seen, 50)) if seen else "–"
        top = _ms(max(seen)) if seen else "–"
        lines.append(f"| {kind} | {len(values)} | {p50} | {top} | {len(values) - len(seen)} |")
    return "\n".join(lines)


def stop_table(trials: list[StopTrial]) -> str:
    if not trials:
        return "(no stop trial landed inside a task)"
    last = [t.last_event_ms for t in trials]
    ret = [t.returned_ms for t in trials]
    after = sum(t.events_after for t in trials)
    return "\n".join([
        "| stop → | p50 ms | p95 ms | max ms |",
        "|---|---:|---:|---:|",
        f"| last input event | {_ms(percentile(last, 50))} | {_ms(percentile(last, 95))} | {_ms(max(last))} |",
        f"| loop returned | {_ms(percentile(ret, 50))} | {_ms(percentile(ret, 95))} | {_ms(max(ret))} |",
        f"\n{len(trials)} trials, stop at a random moment (0.05-1.6 s into a task); "
        f"{after} input event(s) in all came after a stop (an action already under way finishing).",
    ])  # fmt: skip


def plot(summaries: list[Summary], floor_p50: float, path: Path) -> bool:
    """A stacked bar per configuration of its p50 stages; False when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (ax, zoom) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1, 1]})
    for axis, group, title in ((ax, summaries, "all configurations"),
                               (zoom, [s for s in summaries if s.name != "naive"], "without the baseline")):  # fmt: skip
        names = [s.label for s in group]
        bottom = [0.0] * len(group)
        for stage in STAGES:
            values = [0.0 if math.isnan(s.p50[stage]) else s.p50[stage] for s in group]
            axis.barh(names, values, left=bottom, label=stage)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axis.axvline(floor_p50, color="black", linestyle=":", label=f"raw floor {floor_p50:.0f} ms")
        axis.set_xlabel("ms per action step (p50 of each stage)")
        axis.set_title(title)
        axis.invert_yaxis()
    zoom.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def save_json(path: Path, payload: dict[str, Any]) -> None:
    def default(value: Any) -> Any:
        if hasattr(value, "__dataclass_fields__"):
            return asdict(value)
        raise TypeError(type(value).__name__)

    path.write_text(json.dumps(payload, indent=2, default=default), encoding="utf-8")

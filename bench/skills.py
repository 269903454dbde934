"""Skills against `do` (issue 15): the same task done by the model, then replayed as a skill.

On the bench's desktop, through the real CLI as a user runs it: `deskhand do` with the fake
model answering each step after ``MODEL_MS`` (a local 7B model's 1-3 s per step, at its
low end), `deskhand skills save` with a parameter, then ``REPLAYS`` x `deskhand skills run`
with another value, the form restarted fresh before each run.  Per step figures come from
the step records (``--trace``): the step's total wall time, and whether the model was
asked (a step with model output).  Replayed steps say how their target was found.

    python -m bench.skills      (also part of ``make bench``)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.desktop import Desktop, FakeServer, start_desktop
from bench.measure import GRID_IMAGE, SCREEN, percentile
from bench.tasks import FILL, script
from deskhand.vision.lookup.tree import AccessibleTree

MODEL = "qwen2.5vl:7b"
MODEL_MS = 1000.0  # emulated time to the model's first token, per call
REPLAYS = 3
SPARE_REPLIES = 10  # a replay that asks the model gets "finish" (the step is done)


@dataclass
class SkillRun:
    label: str
    step_ms: list[float] = field(default_factory=list)  # steps that acted
    model_calls: list[int] = field(default_factory=list)  # per run
    wall_s: list[float] = field(default_factory=list)  # per run, process start to exit
    found_by: dict[str, int] = field(default_factory=dict)  # a plain dict: asdict() mangles a Counter
    exit_codes: list[int] = field(default_factory=list)


def measure(desktop: Desktop) -> tuple[SkillRun, SkillRun]:
    data = Path(tempfile.mkdtemp(prefix="deskhand-bench-skills-"))
    env = {**desktop.session.env, "DESKHAND_DATA_DIR": str(data)}
    steps = script(FILL, desktop.targets, SCREEN, GRID_IMAGE)
    replies = steps + [{"do": "finish", "summary": "done"}] * SPARE_REPLIES * REPLAYS
    do, replay = SkillRun("`deskhand do`"), SkillRun("`deskhand skills run`")
    with FakeServer(replies, model=MODEL, first_token_ms=MODEL_MS, per_chunk_ms=0) as server:
        _fresh_form(desktop)
        _run(do, env, data / "do", ["do", FILL.text, "--model", MODEL, "--host", server.url])
        saved = _cli(env, ["skills", "save", "bench-fill", "--last", "--param", "name=Ada Lovelace"])
        if saved.returncode != 0:
            raise RuntimeError(f"bench: skills save failed: {saved.stderr.strip()}")
        for n in range(REPLAYS):
            _fresh_form(desktop)
            argv = ["skills", "run", "bench-fill", "--param", "name=Grace Hopper", "--model", MODEL,
                    "--host", server.url]  # fmt: skip
            _run(replay, env, data / f"replay-{n}", argv)
    return do, replay


def _fresh_form(desktop: Desktop) -> None:
    """A new form, once its accessibility tree is on the bus (as a form used a while is)."""
    desktop.form_log = desktop.session.start_form(place="center", buttons="Apply,Cancel", long_list=True)
    tree = AccessibleTree()
    try:
        deadline = time.monotonic() + 15
        while not tree.find("push button", "Apply", "Deskhand test form") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        tree.close()


def _cli(env: dict[str, str], argv: list[str]) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("deskhand")
    return subprocess.run(
        [str(exe), *argv], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _run(into: SkillRun, env: dict[str, str], trace: Path, argv: list[str]) -> None:
    started = time.perf_counter()
    done = _cli(env, [*argv, "--trace", str(trace)])
    into.wall_s.append(time.perf_counter() - started)
    into.exit_codes.append(done.returncode)
    if done.returncode != 0:
        sys.stderr.write(
            f"bench: {argv[0]} exited {done.returncode}: {done.stdout[-300:]} {done.stderr[-300:]}\n"
        )
    records = [json.loads(line) for line in (trace / "steps.jsonl").read_text().splitlines()]
    into.model_calls.append(sum(1 for r in records if r["raw_output"]))
    for record in records:
        if record["actions"] and record["actions"][0]["kind"] not in ("finish", "ask_user"):
            into.step_ms.append(record["timings_ms"]["total"])
        if record.get("found_by"):
            into.found_by[record["found_by"]] = into.found_by.get(record["found_by"], 0) + 1


def table(runs: tuple[SkillRun, SkillRun]) -> str:
    lines = [
        "| run | acting steps | per step p50 ms | per step max ms | model calls per run | model calls per step "
        "| wall s per run (p50) | targets found by |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        found = ", ".join(f"{k} {v}" for k, v in sorted(run.found_by.items())) or "-"
        steps = len(run.step_ms) // max(1, len(run.wall_s))
        calls = sum(run.model_calls) / max(1, len(run.model_calls))
        lines.append(
            f"| {run.label} | {steps} | {percentile(run.step_ms, 50):.0f} | {max(run.step_ms, default=0):.0f} "
            f"| {calls:.1f} | {calls / max(1, steps):.2f} | {percentile(run.wall_s, 50):.1f} | {found} |"
        )
    ok = all(code == 0 for run in runs for code in run.exit_codes)
    lines += ["", f"All runs exited 0: {'yes' if ok else '**no**'}."]
    return "\n".join(lines)


def render(runs: tuple[SkillRun, SkillRun]) -> str:
    return "\n".join([
        f"### Skills: the same task by `do` and replayed ({REPLAYS} replays; model {MODEL_MS:.0f} ms a call)",
        "",
        "The FILL task (click Name, select all, type a name, click Apply, scroll the list) through the CLI:",
        "done once by the model, saved with `--param name=...`, replayed with another name on a fresh form.",
        "",
        table(runs),
    ])  # fmt: skip


def main() -> int:
    desktop = start_desktop()
    try:
        print(render(measure(desktop)))
    finally:
        desktop.close()
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

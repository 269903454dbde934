"""The run view's parts: one step's screenshot with markers, the timeline, and the words.

A ``StepView`` is what the run view knows of one step as it happens -- the screenshot the
model was sent, then its decision, then the step's record -- so any step of the task can
be shown again when the user picks it in the timeline, not only the current one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QSizePolicy, QWidget

from deskhand.app.windows.marker import action_points, decode, draw_marker, image_points, record_geometry
from deskhand.core.actions import Action, AskUser, Decision, Finish, describe
from deskhand.core.geometry import ImagePoint, ScreenGeometry
from deskhand.core.observation import Observation
from deskhand.core.trace import STAGES, StepRecord, UnreadableAction

THUMB = QSize(160, 90)
_ACTION: TypeAdapter[Action] = TypeAdapter(Action)


@dataclass
class StepView:
    number: int
    observation: Observation
    decision: Decision | None = None
    record: StepRecord | None = None
    asked: bool = False  # a dialog opened for this step (its actions wait for the user)
    ended_early: str = ""  # "stopped" / "failed": the task ended before this step had a record

    def points(self) -> list[ImagePoint]:
        if self.record is not None:
            return image_points(self.record.screen_targets, record_geometry(self.record))
        if self.decision is not None:
            return action_points(self.decision.actions)
        return []

    def pixmap(self) -> QPixmap:
        return QPixmap.fromImage(decode(self.observation))

    def thumbnail(self) -> QPixmap:
        """The screenshot small, with its markers: one glance says where each step acted."""
        full = self.pixmap()
        if full.isNull():
            return QPixmap()
        small = full.scaled(
            THUMB, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        )
        scale = small.width() / full.width()
        painter = QPainter(small)
        for point in self.points():
            draw_marker(painter, QPointF(point.x * scale, point.y * scale), 5.0)
        painter.end()
        return small


class ScreenshotView(QWidget):
    """A step's screenshot scaled to fit (aspect kept), with markers on top."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("screenshot")
        self.pixmap = QPixmap()
        self.points: list[ImagePoint] = []
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(560, 315)

    def set_image(self, pixmap: QPixmap, points: Sequence[ImagePoint] = ()) -> None:
        self.pixmap = pixmap
        self.points = list(points)
        self.update()

    def set_points(self, points: Sequence[ImagePoint]) -> None:
        self.points = list(points)
        self.update()

    def image_rect(self) -> QRectF:
        """Where the scaled image sits inside the widget."""
        if self.pixmap.isNull():
            return QRectF()
        scale = min(self.width() / self.pixmap.width(), self.height() / self.pixmap.height())
        w, h = self.pixmap.width() * scale, self.pixmap.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def widget_point(self, point: ImagePoint) -> QPointF:
        rect = self.image_rect()
        scale = rect.width() / self.pixmap.width()
        return QPointF(rect.x() + point.x * scale, rect.y() + point.y * scale)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())  # letterbox: blend in
        if not self.pixmap.isNull():
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawPixmap(self.image_rect(), self.pixmap, QRectF(self.pixmap.rect()))
            for point in self.points:
                draw_marker(painter, self.widget_point(point), 10.0)
        painter.end()


def step_thought(view: StepView) -> str:
    record, decision = view.record, view.decision
    if record is not None and record.planner_model:  # the planner's words first: they set the step
        return f"Planner ({record.planner_model}): {record.plan or '(no plan)'}\n{record.thought}".strip()
    if record is not None:
        return record.thought
    if decision is not None:
        return decision.thought or "(no thought given)"
    if view.ended_early:
        return f"The task {view.ended_early} before the model answered."
    return "The model is looking at this screenshot…"


def step_actions(view: StepView, waiting: bool) -> str:
    record, decision = view.record, view.decision
    if record is None:
        if decision is None:
            return ""
        pending = "waiting for you" if view.asked and waiting else "assessing…"
        if view.ended_early:
            pending = f"not done: the task {view.ended_early}"
        geometry = view.observation.geometry
        return "<br>".join(f"{_escape(_said(a, geometry))} <i>({pending})</i>" for a in decision.actions)
    lines = []
    geometry = record_geometry(record)
    for i, action in enumerate(record.actions):
        if isinstance(action, UnreadableAction):
            what = _escape(str(action.raw.get("kind", "action")))
        else:
            what = _escape(_said(action, geometry))
        if isinstance(action, Finish | AskUser):
            lines.append(what)
            continue
        verdict = record.verdicts[i] if i < len(record.verdicts) else None
        answer = record.user_answers[i] if i < len(record.user_answers) else None
        said = f", you said {answer.name.lower().replace('_', ' ')}" if answer is not None else ""
        judged = f"{verdict.level.value}: {_escape(verdict.reason)}" if verdict is not None else "?: "
        lines.append(f"{what} <i>[{judged}{said}]</i>")
    for dropped in record.dropped:  # the answer's further actions the check between stopped
        what_ran = dropped.get("action")
        parsed = _parse(what_ran) if isinstance(what_ran, dict) else None
        what = _escape(_said(parsed, geometry) if parsed is not None else "an action")
        lines.append(f"{what} <i>[not run: {_escape(str(dropped.get('reason', '')))}]</i>")
    if not (record.actions and isinstance(record.actions[-1], Finish)):  # the result says its summary
        lines.append(f"<b>outcome:</b> {_escape(record.outcome_text)}")
    return "<br>".join(lines)


def step_timings(record: StepRecord | None) -> str:
    """The step's time by stage; with a planner, each model's own time under its name."""
    if record is None or not record.timings_ms:
        return ""
    t = record.timings_ms
    parts = []
    for stage in (*STAGES, "total"):
        if stage == "model" and record.planner_model is not None:
            parts.append(f"planner {record.planner_model} {t.get('planner', 0):.0f}")
            parts.append(f"grounder {record.model} {t.get('model', 0):.0f}")
        else:
            parts.append(f"{stage} {t.get(stage, 0):.0f}")
    return "ms: " + " · ".join(parts)


def step_headline(view: StepView) -> str:
    """The timeline's one line: the first action, or what the step is waiting for."""
    actions = view.decision.actions if view.decision is not None else ()
    if view.record is not None:
        actions = tuple(a for a in view.record.actions if not isinstance(a, UnreadableAction))
    if actions:
        return _said(actions[0], view.observation.geometry) + (
            f" (+{len(actions) - 1})" if len(actions) > 1 else ""
        )
    if view.record is not None:
        return view.record.outcome_text
    return f"{view.ended_early}" if view.ended_early else "looking…"


def _said(action: Action, geometry: ScreenGeometry) -> str:
    """``describe`` with screen points (where a person finds them), but a finish names no
    summary: the result line says it once."""
    if isinstance(action, Finish):
        return "finished the task" if action.success else "gave up"
    return describe(action, geometry)


def _parse(raw: dict[str, object]) -> Action | None:
    try:
        return _ACTION.validate_python(raw)
    except ValidationError:
        return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

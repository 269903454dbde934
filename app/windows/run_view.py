"""The run view: what the agent sees, thinks and does, step by step.

It shows the JPEG the model was sent (not a fresh screenshot: the point is to see what the
model saw), a marker where the action lands, the model's thought, each action with its
verdict and outcome, and where the step's time went.  It is shown without taking focus,
because the agent types into whichever window has it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import TypeAdapter, ValidationError
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from deskhand.app.session import AgentState
from deskhand.app.windows.icons import state_icon
from deskhand.app.windows.marker import action_points, decode, draw_marker, image_points, record_geometry
from deskhand.core.actions import Action, Decision, describe
from deskhand.core.geometry import ImagePoint
from deskhand.core.loop import TaskResult
from deskhand.core.observation import Observation
from deskhand.core.trace import STAGES, StepRecord

_ACTION: TypeAdapter[Action] = TypeAdapter(Action)


class ScreenshotView(QWidget):
    """The step's screenshot scaled to fit (aspect kept), with markers on top."""

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


class RunView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("deskhand-runview")
        self.setWindowTitle("Deskhand: run")
        self.setWindowIcon(state_icon(AgentState.IDLE))
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.observation: Observation | None = None
        self.model_text = ""
        layout = QVBoxLayout(self)
        self.header = self._label("header", bold=True)
        self.screenshot = ScreenshotView()
        self.thought = self._label("thought")
        self.action_list = self._label("actions")
        self.action_list.setTextFormat(Qt.TextFormat.RichText)
        self.timings = self._label("timings")
        self.message = self._label("message")
        layout.addWidget(self.header)
        layout.addWidget(self.screenshot, 1)
        for label in (self.thought, self.action_list, self.timings, self.message):
            layout.addWidget(label)
        self.resize(680, 600)  # leaves about 16:9 for the screenshot
        self.begin("")

    def _label(self, name: str, bold: bool = False) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if bold:
            font = label.font()
            font.setBold(True)
            label.setFont(font)
        return label

    def begin(self, task: str) -> None:
        self.observation = None
        self.header.setText(f"Task: {task}" if task else "No task yet. Open the command bar to start one.")
        self.screenshot.set_image(QPixmap())
        for label in (self.thought, self.action_list, self.timings, self.message):
            label.clear()
        self.message.setStyleSheet("")

    def set_model(self, model: str, dialect: str, host: str) -> None:
        self.model_text = f"{model} ({dialect}) on {host}"
        self.header.setToolTip(self.model_text)

    def set_state(self, state: AgentState, text: str) -> None:
        self.setWindowIcon(state_icon(state))
        self.setWindowTitle(f"Deskhand: {state.value}")
        self.header.setToolTip(f"{text}\n{self.model_text}" if self.model_text else text)

    def show_observation(self, step: int, observation: Observation) -> None:
        """A new screenshot was sent; the model is thinking about it."""
        self.observation = observation
        self.screenshot.set_image(QPixmap.fromImage(decode(observation)))
        self.thought.setText(f"Step {step}: the model is looking at this screenshot…")
        self.action_list.clear()
        self.timings.clear()

    def show_decision(self, step: int, decision: Decision) -> None:
        """The model answered: its thought, its actions, and where the first one lands."""
        self.thought.setText(f"Step {step}: {decision.thought or '(no thought given)'}")
        self.action_list.setText(
            "<br>".join(_escape(describe(a)) + " <i>(assessing…)</i>" for a in decision.actions)
        )
        if self.observation is not None:
            self.screenshot.set_points(action_points(decision.actions, self.observation.geometry))

    def show_record(self, record: StepRecord, observation: Observation) -> None:
        """The step ended: verdicts, outcomes and timings, on the step's own screenshot."""
        if self.observation is None or self.observation.id != observation.id:
            self.observation = observation
            self.screenshot.set_image(QPixmap.fromImage(decode(observation)))
        self.screenshot.set_points(image_points(record.screen_targets, record_geometry(record)))
        if record.thought:
            self.thought.setText(f"Step {record.step}: {record.thought}")
        lines = []
        for i, action in enumerate(record.actions):
            verdict = record.verdicts[i] if i < len(record.verdicts) else {}
            answer = record.user_answers[i] if i < len(record.user_answers) else None
            said = f", you said {answer.replace('_', ' ')}" if answer else ""
            what = _escape(_describe_json(action))
            lines.append(
                f"{what} <i>[{verdict.get('level', '?')}: {_escape(verdict.get('reason', ''))}{said}]</i>"
            )
        lines.append(f"<b>outcome:</b> {_escape(record.outcome)}")
        self.action_list.setText("<br>".join(lines))
        t = record.timings_ms
        parts = [f"{stage} {t.get(stage, 0):.0f}" for stage in (*STAGES, "total")]
        self.timings.setText("ms: " + " · ".join(parts))

    def show_result(self, result: TaskResult) -> None:
        self.message.setStyleSheet("color: #2e7d32;" if result.status.value == "finished" else "")
        self.message.setText(f"Task {result.status.value} after {result.steps} step(s): {result.message}")

    def show_error(self, message: str) -> None:
        self.message.setStyleSheet("color: #c62828; font-weight: bold;")
        self.message.setText(f"Error: {message}\nOpen the command bar and press ↑ to retry.")


def _describe_json(action: dict[str, object]) -> str:
    try:
        return describe(_ACTION.validate_python(action))
    except ValidationError:
        return str(action.get("kind", "action"))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

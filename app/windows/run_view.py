"""The run view: what the agent sees, thinks and does, step by step.

It shows the JPEG the model was sent (not a fresh screenshot: the point is to see what the
model saw), a marker where the action lands, the model's thought, each action with its
verdict and outcome.  Every step stays in a timeline with its screenshot, so the user can
look back at any of them; the newest is followed until the user picks an older one.  What
a user needs comes first (state, and why the task is paused; the result); where the time
went is for developers, folded away.  It is shown without taking focus, because the agent
types into whichever window has it.  A finished task offers a follow-up ("now also save
it") that goes on from its steps.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.tray.session import RUNNING_STATES, AgentState
from deskhand.app.windows.icons import state_icon
from deskhand.app.windows.step_views import (
    THUMB,
    ScreenshotView,
    StepView,
    step_actions,
    step_headline,
    step_thought,
    step_timings,
)
from deskhand.core.actions import Decision
from deskhand.core.loop import TaskResult, TaskStatus
from deskhand.core.observation import Observation
from deskhand.core.trace import StepRecord

__all__ = ["RunView", "ScreenshotView"]


class RunView(QWidget):
    follow_up_requested = Signal(str)
    save_skill_requested = Signal()  # "Save as skill…" on a finished task

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("deskhand-runview")
        self.setWindowTitle("Deskhand: run")
        self.setWindowIcon(state_icon(AgentState.IDLE))
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.model_text = ""
        self.steps: dict[int, StepView] = {}
        self.shown: int | None = None  # the step in the detail pane
        self.offset = 0  # a follow-up's steps are numbered on from the task it follows
        self.follow_live = True
        self.state = AgentState.IDLE
        layout = QVBoxLayout(self)
        self.header = self._label("header", bold=True)
        self.status = self._label("status")
        self.message = self._label("message")
        self.timeline = QListWidget()
        self.timeline.setObjectName("timeline")
        self.timeline.setIconSize(THUMB)
        self.timeline.setMinimumWidth(THUMB.width() + 40)
        self.timeline.setMaximumWidth(THUMB.width() + 120)
        self.timeline.setWordWrap(True)
        self.timeline.currentRowChanged.connect(self._picked)
        self.screenshot = ScreenshotView()
        self.step_title = self._label("step_title", bold=True)
        self.thought = self._label("thought")
        self.action_list = self._label("actions")
        self.action_list.setTextFormat(Qt.TextFormat.RichText)
        detail = QWidget()
        pane = QVBoxLayout(detail)
        pane.setContentsMargins(0, 0, 0, 0)
        pane.addWidget(self.step_title)
        pane.addWidget(self.screenshot, 1)
        pane.addWidget(self.thought)
        pane.addWidget(self.action_list)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.timeline)
        split.addWidget(detail)
        split.setStretchFactor(1, 1)
        self.follow_up_row = QWidget()
        row = QHBoxLayout(self.follow_up_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.follow_up_entry = QLineEdit()
        self.follow_up_entry.setObjectName("follow_up")
        self.follow_up_entry.setPlaceholderText("Follow up on this task, e.g. “now also save it”")
        self.follow_up_button = QPushButton("Continue")
        self.follow_up_entry.returnPressed.connect(self._follow_up)
        self.follow_up_button.clicked.connect(self._follow_up)
        row.addWidget(self.follow_up_entry, 1)
        row.addWidget(self.follow_up_button)
        self.save_skill_button = QPushButton("Save as skill…")
        self.save_skill_button.setObjectName("save_skill")
        self.save_skill_button.setToolTip("Keep this task as a skill that replays without asking the model")
        self.save_skill_button.clicked.connect(self.save_skill_requested.emit)
        self.save_skill_button.hide()
        self.follow_up_row.hide()
        self.timings_toggle = QToolButton()
        self.timings_toggle.setObjectName("timings_toggle")
        self.timings_toggle.setText("Timings")
        self.timings_toggle.setCheckable(True)
        self.timings_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.timings_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.timings_toggle.setAutoRaise(True)
        self.timings_toggle.toggled.connect(self._show_timings)
        self.timings = self._label("timings")
        self.timings.setStyleSheet("color: palette(mid); font-size: 8pt;")
        self.timings.hide()
        layout.addWidget(self.header)
        layout.addWidget(self.status)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.follow_up_row)
        layout.addWidget(self.save_skill_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.timings_toggle)
        layout.addWidget(self.timings)
        self.resize(820, 620)
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

    # -- the task -------------------------------------------------------------------------

    def begin(self, task: str, follow_up: bool = False) -> None:
        """A new task (``follow_up``: it goes on from the steps already shown)."""
        if not follow_up:
            self.timeline.blockSignals(True)
            self.timeline.clear()
            self.timeline.blockSignals(False)
            self.steps.clear()
        self.offset = max(self.steps, default=0)
        self.shown, self.follow_live = None, True
        self.header.setText(f"Task: {task}" if task else "No task yet. Open the command bar to start one.")
        self.message.clear()
        self.message.setStyleSheet("")
        self.follow_up_entry.clear()
        self.follow_up_row.hide()
        self.save_skill_button.hide()
        if not follow_up:
            self.screenshot.set_image(QPixmap())
            for label in (self.step_title, self.thought, self.action_list, self.timings):
                label.clear()

    def set_model(self, model: str, dialect: str, host: str) -> None:
        self.model_text = f"{model} ({dialect}) on {host}"
        self.header.setToolTip(self.model_text)

    def set_state(self, state: AgentState, text: str) -> None:
        """The session's state line, shown as is -- with the reason when the task is paused."""
        self.state = state
        self.setWindowIcon(state_icon(state))
        self.setWindowTitle(f"Deskhand: {state.value}")
        # Only while it runs: afterwards the result line says how it ended (once).
        self.status.setText(text.removeprefix("Deskhand: ") if state in RUNNING_STATES else "")
        self.status.setVisible(state in RUNNING_STATES)
        self.status.setStyleSheet("color: #6a1b9a; font-weight: bold;" if state is AgentState.PAUSED else "")
        self.header.setToolTip(f"{text}\n{self.model_text}" if self.model_text else text)
        live = self._live()
        if state is AgentState.WAITING and live is not None and live.record is None:
            live.asked = True
            self._refresh(live.number)

    def offer_follow_up(self, offered: bool) -> None:
        self.follow_up_row.setVisible(offered)

    def _follow_up(self) -> None:
        text = self.follow_up_entry.text().strip()
        if text:
            self.follow_up_requested.emit(text)

    def _show_timings(self, shown: bool) -> None:
        self.timings.setVisible(shown)
        self.timings_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    # -- steps as they happen -------------------------------------------------------------

    def show_observation(self, step: int, observation: Observation) -> None:
        """A new screenshot was sent; the model is thinking about it."""
        number = self.offset + step
        if number not in self.steps:  # (a step run again after a server fault keeps its place)
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, number)
            self.timeline.addItem(item)
        self.steps[number] = StepView(number, observation)
        self._refresh(number)

    def show_decision(self, step: int, decision: Decision) -> None:
        """The model answered: its thought, its actions, and where the first one lands."""
        view = self._live()
        if view is not None:
            view.decision = decision
            self._refresh(view.number)

    def show_record(self, record: StepRecord, observation: Observation) -> None:
        """The step ended: verdicts, outcomes and timings, on the step's own screenshot."""
        view = self._live()
        if view is None or view.observation.id != observation.id:
            self.show_observation(record.step, observation)
            view = self.steps[self.offset + record.step]
        view.record = record
        self._refresh(view.number)

    def show_result(self, result: TaskResult) -> None:
        """How the task ended; a finished one can be saved as a skill."""
        self._end_live("stopped" if result.status is TaskStatus.STOPPED else "ended")
        self.message.setStyleSheet("color: #2e7d32;" if result.status is TaskStatus.FINISHED else "")
        self.message.setText(f"Task {result.status.value} after {result.steps} step(s): {result.message}")
        self.save_skill_button.setVisible(result.status is TaskStatus.FINISHED)

    def show_error(self, message: str) -> None:
        self._end_live("failed")
        self.message.setStyleSheet("color: #c62828; font-weight: bold;")
        self.message.setText(f"Error: {message}\nOpen the command bar and press ↑ to retry.")

    def _end_live(self, how: str) -> None:
        """The task ended: a step still waiting for the model says so (not "looking…")."""
        live = self._live()
        if live is not None and live.record is None:
            live.ended_early = how
            self._refresh(live.number)

    # -- the timeline ---------------------------------------------------------------------

    def _live(self) -> StepView | None:
        return self.steps[max(self.steps)] if self.steps else None

    def _picked(self, row: int) -> None:
        item = self.timeline.item(row)
        if item is None or not self.steps:
            return
        number = int(item.data(Qt.ItemDataRole.UserRole))
        self.follow_live = number == max(self.steps)
        self._show(number)

    def _refresh(self, number: int) -> None:
        view = self.steps[number]
        row = list(self.steps).index(number)
        item = self.timeline.item(row)
        if item is not None:
            item.setIcon(QIcon(view.thumbnail()))
            item.setText(f"Step {number}\n{step_headline(view)}")
        if self.follow_live:
            self.timeline.blockSignals(True)
            self.timeline.setCurrentRow(row)
            self.timeline.blockSignals(False)
            self.timeline.scrollToItem(item)
            self._show(number)
        elif self.shown == number:
            self._show(number)

    def _show(self, number: int) -> None:
        view = self.steps[number]
        if self.shown != number:
            self.screenshot.set_image(view.pixmap())
        self.shown = number
        self.screenshot.set_points(view.points())
        self.step_title.setText(f"Step {number}")
        self.thought.setText(step_thought(view))
        self.action_list.setText(step_actions(view, waiting=self.state is AgentState.WAITING))
        self.timings.setText(step_timings(view.record))

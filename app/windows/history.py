"""The History window: past tasks, newest first, and each task's steps one at a time.

Why it shows the JPEG the model saw, with the target marked: "why did it click there?" is
answered by the picture the model decided on, not by today's screen.  The words come from
``history_views.step_view``, so the terminal (``deskhand history ID``) says the same.
The window only reads the ``AuditLog`` it is given; it never writes to it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from deskhand.app.store.audit_log import AuditLog, StoredStep, TaskSummary
from deskhand.app.store.history_views import (
    StepView,
    format_duration,
    format_time,
    step_view,
    task_duration,
    task_label,
)
from deskhand.app.windows.placement import fit_to_screen

__all__ = ["HistoryWindow", "StepViewer", "mark_landing_points"]

COLUMNS = ("Time", "Task", "Model", "Status", "Steps", "Total time")
TASK_COLUMN = 1
TASK_MIN_WIDTH = 160
MARK_COLOUR = QColor(230, 30, 60)


def mark_landing_points(image: bytes, marks: list[tuple[float, float]]) -> QPixmap:
    """The screenshot with a ring and cross-hair on every point an action aimed at."""
    pixmap = QPixmap()
    if not pixmap.loadFromData(image):
        return QPixmap()
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        radius = max(10.0, pixmap.width() / 80)
        painter.setPen(QPen(MARK_COLOUR, max(2.0, radius / 4)))
        for x, y in marks:
            centre = QPointF(x, y)
            painter.drawEllipse(centre, radius, radius)
            painter.drawLine(QPointF(x - 2 * radius, y), QPointF(x - radius / 2, y))
            painter.drawLine(QPointF(x + radius / 2, y), QPointF(x + 2 * radius, y))
            painter.drawLine(QPointF(x, y - 2 * radius), QPointF(x, y - radius / 2))
            painter.drawLine(QPointF(x, y + radius / 2), QPointF(x, y + 2 * radius))
    finally:
        painter.end()
    return pixmap


def _text(label: QLabel, lines: list[str], empty: str = "-") -> None:
    label.setText("\n".join(lines) if lines else empty)


class StepViewer(QWidget):
    """One task's steps: screenshot, thought, raw output, actions, verdicts, outcome, timings."""

    def __init__(self) -> None:
        super().__init__()
        self.task: TaskSummary | None = None
        self.steps: list[StoredStep] = []
        self.index = 0
        self.view: StepView | None = None
        self.marked = QPixmap()
        self.title = QLabel("Choose a task on the left.")
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(320, 180)
        self.image.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.thought, self.action_list, self.verdicts = QLabel(), QLabel(), QLabel()
        self.answers, self.outcome, self.timings = QLabel(), QLabel(), QLabel()
        for _name, label in self._details():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.raw_toggle = QToolButton()
        self.raw_toggle.setText("Raw output")
        self.raw_toggle.setCheckable(True)
        self.raw_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.raw_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setMaximumHeight(140)
        self.raw.hide()
        self.raw_toggle.toggled.connect(self._toggle_raw)
        self.prev_button, self.next_button = QPushButton("◀ Prev"), QPushButton("Next ▶")
        self.prev_button.setShortcut(QKeySequence(Qt.Key.Key_PageUp))
        self.next_button.setShortcut(QKeySequence(Qt.Key.Key_PageDown))
        self.prev_button.clicked.connect(lambda: self.show_step(self.index - 1))
        self.next_button.clicked.connect(lambda: self.show_step(self.index + 1))

        details = QFormLayout()
        for name, label in self._details():
            details.addRow(name, label)
        nav = QHBoxLayout()
        nav.addWidget(self.prev_button)
        nav.addWidget(self.title, 1)
        nav.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(nav)
        layout.addWidget(self.image, 1)
        layout.addLayout(details)
        layout.addWidget(self.raw_toggle)
        layout.addWidget(self.raw)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._update_buttons()

    def load(self, task: TaskSummary, steps: list[StoredStep]) -> None:
        self.task, self.steps = task, steps
        if steps:
            self.show_step(0)
        else:
            self.view, self.marked = None, QPixmap()
            self.image.clear()
            for _name, label in self._details():
                label.setText("")
            self.raw.setPlainText("")
            self.title.setText(f"Task {task.id}: no steps were recorded ({task.status}).")
            self._update_buttons()

    def show_step(self, index: int) -> None:
        if not 0 <= index < len(self.steps):
            return
        self.index = index
        stored = self.steps[index]
        view = self.view = step_view(stored.record)
        task = f"Task {self.task.id} · " if self.task else ""
        self.title.setText(f"{task}step {view.number} of {len(self.steps)}")
        self.marked = mark_landing_points(stored.screenshot, view.marks)
        self._show_image()
        self.thought.setText(view.thought or "-")
        _text(self.action_list, view.actions)
        _text(self.verdicts, view.verdicts)
        _text(self.answers, view.answers, "none asked")
        self.outcome.setText(view.outcome)
        self.timings.setText(view.timings)
        self.raw.setPlainText(view.raw_output)
        self._update_buttons()

    def _show_image(self) -> None:
        if self.marked.isNull():
            self.image.setText("(no screenshot)")
            return
        size = self.image.size()
        self.image.setPixmap(
            self.marked.scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    def _details(self) -> tuple[tuple[str, QLabel], ...]:
        """The labels that describe a step, each with its title in the form."""
        return (("Thought", self.thought), ("Actions", self.action_list), ("Verdicts", self.verdicts),
                ("User answers", self.answers), ("Outcome", self.outcome), ("Timings", self.timings))  # fmt: skip

    def _toggle_raw(self, shown: bool) -> None:
        self.raw.setVisible(shown)
        self.raw_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def _update_buttons(self) -> None:
        self.prev_button.setEnabled(self.index > 0 and bool(self.steps))
        self.next_button.setEnabled(self.index + 1 < len(self.steps))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Left/Up/PgUp and Right/Down/PgDown step through (PgUp/PgDown also window-wide)."""
        if event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_PageUp):
            self.show_step(self.index - 1)
        elif event.key() in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            self.show_step(self.index + 1)
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if not self.marked.isNull():
            self._show_image()


class HistoryWindow(QWidget):
    """Lists the audit log's tasks; choosing one opens its steps in the ``StepViewer``.
    A finished task can be kept as a skill ("Save as skill…": the tray asks for a name)."""

    save_skill_requested = Signal(int)  # the task's id

    def __init__(self, audit_log: AuditLog, *, limit: int = 500) -> None:
        super().__init__()
        self.setWindowTitle("Deskhand history")
        self.audit_log, self.limit = audit_log, limit
        self.tasks: list[TaskSummary] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS)):  # the task takes what is left; no blank header after
            mode = (
                QHeaderView.ResizeMode.Stretch
                if column == TASK_COLUMN
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(column, mode)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.viewer = StepViewer()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        self.save_skill_button = QPushButton("Save as skill…")
        self.save_skill_button.setObjectName("save_skill")
        self.save_skill_button.setEnabled(False)
        self.save_skill_button.clicked.connect(self._save_skill)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.table)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.save_skill_button)
        left_layout.addLayout(buttons)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.viewer)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.table.itemSelectionChanged.connect(self._selected)
        self.reload()
        size = fit_to_screen(self, QSize(1200, 720)).size()
        list_width = min(self._list_width(), size.width() // 2)
        self.splitter.setSizes([list_width, size.width() - list_width])

    def _list_width(self) -> int:
        """Room for every column but the task's at its content width, and the task's at least
        ``TASK_MIN_WIDTH``: Status and Steps show without scrolling sideways."""
        header = self.table.horizontalHeader()
        others = sum(
            max(header.sectionSizeHint(c), self.table.sizeHintForColumn(c))
            for c in range(len(COLUMNS))
            if c != TASK_COLUMN
        )
        chrome = self.table.verticalScrollBar().sizeHint().width() + 4 * self.table.frameWidth() + 24
        return others + TASK_MIN_WIDTH + chrome

    def reload(self) -> None:
        """Read the task list again (the tray can call this when a task ends)."""
        self.tasks = self.audit_log.tasks(self.limit)
        self.table.setRowCount(len(self.tasks))
        for row, t in enumerate(self.tasks):
            cells = (format_time(t.started_at), task_label(t), t.model, t.status, str(t.steps),
                     format_duration(task_duration(t)))  # fmt: skip
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(t.message if column == 3 and t.message else text)
                self.table.setItem(row, column, item)

    def open_task(self, task_id: int) -> None:
        """Show one task's steps (and select its row if it is listed)."""
        row = next((i for i, t in enumerate(self.tasks) if t.id == task_id), None)
        if row is not None:
            self.table.selectRow(row)
            return
        summary = next((t for t in self.audit_log.tasks(limit=-1) if t.id == task_id), None)
        if summary is not None:
            self.viewer.load(summary, self.audit_log.steps(task_id))

    def _save_skill(self) -> None:
        if self.viewer.task is not None:
            self.save_skill_requested.emit(self.viewer.task.id)

    def _selected(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        if len(rows) == 1:
            task = self.tasks[rows.pop()]
            self.viewer.load(task, self.audit_log.steps(task.id))
            self.save_skill_button.setEnabled(task.status == "finished")

"""Pull progress in words: bytes summed over layers, the speed of the last seconds, time left."""

from __future__ import annotations

from deskhand.app.jobs.pull_progress import PullProgress

MB = 1_000_000


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_layers_sum_and_speed_and_time_left() -> None:
    clock = Clock()
    progress = PullProgress(clock)
    progress.update("pulling manifest", None, None)
    assert progress.text() == "Pulling manifest" and progress.fraction is None
    progress.update("pulling 8934d96d3f08", 0, 3000 * MB)
    assert progress.text() == "Downloading: 0.0 of 3.0 GB"  # no speed from one sample
    clock.now += 10
    progress.update("pulling 8934d96d3f08", 500 * MB, 3000 * MB)
    assert progress.bytes_per_second == 50 * MB
    assert progress.text() == "Downloading: 0.5 of 3.0 GB · 50.0 MB/s · about 50 s left"
    progress.update("pulling 62fbfd9ed093", 0, 500 * MB)  # a second layer joins the total
    assert progress.fraction == 500 / 3500
    clock.now += 9
    progress.update("pulling 8934d96d3f08", 2990 * MB, 3000 * MB)
    progress.update("pulling 62fbfd9ed093", 490 * MB, 500 * MB)
    assert progress.text().endswith("about 1 s left")
    progress.update("verifying sha256 digest", None, None)
    assert progress.text() == "Verifying sha256 digest"
    progress.update("success", None, None)
    assert progress.fraction == 1.0


def test_the_speed_follows_the_last_seconds_not_the_whole_pull() -> None:
    clock = Clock()
    progress = PullProgress(clock)
    done = 0
    for _ in range(30):  # 30 s at 100 MB/s
        progress.update("pulling aaaaaaaaaaaa", done, 10_000 * MB)
        clock.now += 1
        done += 100 * MB
    for _ in range(20):  # then 20 s at 10 MB/s
        progress.update("pulling aaaaaaaaaaaa", done, 10_000 * MB)
        clock.now += 1
        done += 10 * MB
    rate = progress.bytes_per_second
    assert rate is not None and 9 * MB <= rate <= 11 * MB, rate

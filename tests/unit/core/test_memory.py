"""Which remembered facts a task sees, and the secret scanner that guards what is kept."""

from __future__ import annotations

import pytest

from deskhand.core.memory import MemoryFact, prompt_with_memories, relevant_facts
from deskhand.core.secret_scan import secret_kind

FACTS = [
    MemoryFact(1, "My editor is mousepad"),
    MemoryFact(2, "Reports go to ~/Reports as PDF files"),
    MemoryFact(3, "The team meeting is on Mondays"),
    MemoryFact(4, "My sister is called Anna"),
]


def test_facts_sharing_words_with_the_task_are_chosen_best_first() -> None:
    chosen = relevant_facts("Write the weekly report in my editor and save it as PDF", FACTS)
    assert [f.id for f in chosen] == [2, 1]


def test_stop_words_alone_choose_nothing() -> None:
    assert relevant_facts("Do it for me, please, and then go", FACTS) == ()


def test_plural_and_case_do_not_hide_a_match() -> None:
    assert [f.id for f in relevant_facts("open REPORT", FACTS)] == [2]


def test_the_limit_keeps_the_prompt_small() -> None:
    many = [MemoryFact(i, f"project alpha note {i}") for i in range(1, 20)]
    assert len(relevant_facts("project alpha", many, limit=5)) == 5


def test_rarer_shared_words_weigh_more() -> None:
    facts = [MemoryFact(1, "files are in the files folder"), MemoryFact(2, "invoice files are in Dropbox")]
    assert relevant_facts("send the invoice files", facts)[0].id == 2


def test_the_prompt_keeps_the_task_first_and_marks_the_notes() -> None:
    text = prompt_with_memories("Save the report", [FACTS[1]])
    assert text.startswith("Save the report\n\n")
    assert "remember" in text and "- Reports go to ~/Reports as PDF files" in text
    assert prompt_with_memories("  Save it ", []) == "Save it"


@pytest.mark.parametrize(
    "text",
    [
        "my key is sk-proj-abcdefghijklmnopqrstu",
        "token ghp_0123456789abcdefghijABCDEFGHIJ",
        "AKIAIOSFODNN7EXAMPLE is the aws key",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "xoxb-1234567890-abcdefghij",
        "password: hunter2",
        "the wifi password is Sommer2026",
        "api_key=abc123",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
        "use 9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c to log in",
    ],
)
def test_secrets_are_recognised(text: str) -> None:
    assert secret_kind(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "My editor is mousepad",
        "Reports go to /home/anna/Documents/Reports/2026/weekly",
        "The meeting is at 09:30 in room 4B",
        "I prefer dark themes and large fonts",
        "Use the password manager for logins",
    ],
)
def test_ordinary_facts_are_not_secrets(text: str) -> None:
    assert secret_kind(text) is None


def test_a_known_secret_is_found_whatever_its_shape() -> None:
    assert secret_kind("my dog is called rex", frozenset({"rex"})) is not None

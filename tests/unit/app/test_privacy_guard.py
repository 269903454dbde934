"""The privacy guard as the CLI and the app use it: resolution is injected, the opt-in is
written to a settings file of the test's own, and keys never reach that file."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

from deskhand.app import privacy
from deskhand.app.store.api_keys import ApiKey, api_key
from deskhand.app.store.config import Settings, load_settings
from deskhand.app.store.settings_store import save_settings
from deskhand.core.errors import SetupError, UsageError
from deskhand.core.privacy import Reach


def resolver(table: dict[str, Sequence[str]]) -> privacy.Resolver:
    return lambda host: list(table.get(host, []))


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    monkeypatch.setenv("DESKHAND_CONFIG", str(path))
    return path


def test_loopback_passes_without_asking_or_writing(config: Path) -> None:
    asked: list[object] = []
    dest = privacy.guard(
        "http://localhost:8000/v1", Settings(), ask=lambda d: bool(asked.append(d)),
        resolver=resolver({"localhost": ["127.0.0.1", "::1"]}),
    )  # fmt: skip
    assert dest.reach is Reach.LOOPBACK and asked == [] and not config.exists()


def test_lan_host_refused_until_allowed_then_remembered(config: Path) -> None:
    lan = resolver({"gpu-box.lan": ["192.168.1.20"]})
    url = "http://gpu-box.lan:8000/v1"
    with pytest.raises(privacy.RemoteRefused) as refused:
        privacy.guard(url, load_settings(), resolver=lan)
    assert str(refused.value) == (
        "Tried to send screenshots to the model server at http://gpu-box.lan:8000/v1, but "
        "gpu-box.lan is on your private network and you have not allowed that yet. Run the task "
        "again with --allow-remote to allow gpu-box.lan (Deskhand remembers it)."
    )
    assert isinstance(refused.value, SetupError)  # exit code 2
    privacy.guard(url, load_settings(), allow_remote=True, resolver=lan)
    assert load_settings().remote_hosts == ("gpu-box.lan",)
    dest = privacy.guard(url, load_settings(), resolver=lan)  # no flag needed any more
    assert dest.reach is Reach.PRIVATE
    assert config.read_text().count("gpu-box.lan") == 1


def test_the_app_asks_once(config: Path) -> None:
    lan = resolver({"nas": ["10.0.0.9"]})
    answers = [False, True]
    asked: list[str] = []

    def ask(dest: privacy.Destination) -> bool:
        asked.append(dest.host)
        return answers.pop(0)

    with pytest.raises(privacy.RemoteRefused, match="you did not allow nas"):
        privacy.guard("http://nas:1234/v1", load_settings(), ask=ask, resolver=lan)
    privacy.guard("http://nas:1234/v1", load_settings(), ask=ask, resolver=lan)
    privacy.guard("http://nas:1234/v1", load_settings(), ask=ask, resolver=lan)
    assert asked == ["nas", "nas"]
    assert load_settings().remote_hosts == ("nas",)


def test_public_http_is_refused_even_when_allowed(config: Path) -> None:
    public = resolver({"gpu.example.com": ["203.0.113.5"]})
    settings = Settings(remote_hosts=("gpu.example.com",))
    with pytest.raises(privacy.RemoteRefused) as refused:
        privacy.guard("http://gpu.example.com/v1", settings, allow_remote=True, resolver=public)
    assert "public internet and http:// is not encrypted" in str(refused.value)
    assert "--allow-insecure-remote" in str(refused.value)
    dest = privacy.guard("http://gpu.example.com/v1", settings, allow_insecure=True, resolver=public)
    assert dest.reach is Reach.PUBLIC
    assert privacy.guard("https://gpu.example.com/v1", settings, resolver=public).encrypted


def test_public_https_still_needs_the_opt_in(config: Path) -> None:
    public = resolver({"api.example.net": ["198.51.100.7"]})
    with pytest.raises(privacy.RemoteRefused, match="public internet"):
        privacy.guard("https://api.example.net/v1", Settings(), resolver=public)


UNRESOLVED = (
    "Tried to send screenshots to the model server at {url}, but the name {host} does not "
    "resolve to an address (a typo, or a machine that is off or not on this network). "
    "Check the server's address."
)


@pytest.mark.parametrize("url", ["http://gpu-box:11434", "http://nowhere.invalid:8000/v1"])
def test_an_unresolvable_name_says_so_and_not_public_internet(config: Path, url: str) -> None:
    host = url.split("//")[1].split(":")[0]
    for flags in ({}, {"allow_remote": True}, {"allow_remote": True, "allow_insecure": True}):
        with pytest.raises(privacy.HostNotFound) as caught:
            privacy.guard(url, Settings(), resolver=resolver({}), **flags)  # type: ignore[arg-type]
        assert str(caught.value) == UNRESOLVED.format(url=url, host=host)
    assert load_settings().remote_hosts == ()  # nothing remembered for a name that is not there


def test_the_system_resolver_too(config: Path) -> None:
    url = "http://gpu-box.invalid:11434"  # .invalid never resolves (RFC 6761)
    with pytest.raises(privacy.HostNotFound) as caught:
        privacy.guard(url, Settings(), allow_remote=True)
    assert str(caught.value) == UNRESOLVED.format(url=url, host="gpu-box.invalid")


def test_no_environment_variable_changes_how_a_host_is_classified(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DESKHAND_TEST_RESOLVE", "DESKHAND_RESOLVE"):  # the old test hook, and a guess
        monkeypatch.setenv(name, "127.0.0.1=203.0.113.5;localhost=203.0.113.5")
    assert privacy.resolve("127.0.0.1") == ["127.0.0.1"]
    assert privacy.where("http://127.0.0.1:9/v1").reach is Reach.LOOPBACK
    assert privacy.where("http://localhost:9/v1").reach is Reach.LOOPBACK
    assert not hasattr(privacy, "RESOLVE_OVERRIDE_ENV")


def test_remembering_keeps_the_rest_of_the_file(config: Path) -> None:
    save_settings(Settings(model="qwen2.5vl:7b", max_steps=12), config)
    privacy.remember_host("GPU-Box.lan.")
    privacy.remember_host("gpu-box.lan")
    settings = load_settings()
    assert (settings.model, settings.max_steps, settings.remote_hosts) == (
        "qwen2.5vl:7b",
        12,
        ("gpu-box.lan",),
    )


def test_credentials_in_the_address_are_refused(config: Path) -> None:
    with pytest.raises(privacy.RemoteRefused, match="user name or password") as refused:
        privacy.guard("http://me:sk-abc@127.0.0.1:8000/v1", Settings(), resolver=resolver({}))
    assert "sk-abc" not in str(refused.value)
    with pytest.raises(ValueError, match="must not carry a user name or password") as bad:
        Settings(host="http://me:sk-abc@gpu:8000/v1")
    assert "sk-abc" not in str(bad.value).split("input_value")[0]


def test_remote_host_entries_are_host_names_only() -> None:
    assert Settings(remote_hosts=(" GPU-Box.LAN. ", "[fd00::1]")).remote_hosts == ("gpu-box.lan", "fd00::1")
    for bad in ("http://gpu-box", "gpu-box:8000", "user@gpu", ""):
        with pytest.raises(ValueError, match="not a host name"):
            Settings(remote_hosts=(bad,))


@pytest.mark.parametrize("line", ['api_key = "sk-live-123"', 'openai_api_key = "x"', 'token = "tok-9f8e7d"'])
def test_a_key_in_the_config_file_is_refused_without_echoing_it(config: Path, line: str) -> None:
    config.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        load_settings()
    assert "never read from (or written to) this file" in str(refused.value)
    assert line.split('"')[1] not in str(refused.value)


# ---- keys -------------------------------------------------------------------------------------


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_key_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DESKHAND_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


@pytest.mark.usefixtures("no_key_env")
def test_key_order_env_then_keyring(monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("deskhand", "gpu", "from-keyring")
    settings = Settings(api_key_keyring="gpu")
    assert api_key(Settings()) == ApiKey(None, "none")
    assert api_key(settings) == ApiKey("from-keyring", "keyring entry 'gpu'")
    monkeypatch.setenv("OPENAI_API_KEY", "from-openai-env")
    assert api_key(settings) == ApiKey("from-openai-env", "OPENAI_API_KEY")
    monkeypatch.setenv("DESKHAND_API_KEY", "from-deskhand-env")
    key = api_key(settings)
    assert (key.secret, key.source) == ("from-deskhand-env", "DESKHAND_API_KEY")
    assert "from-deskhand-env" not in repr(key) + str(key)


@pytest.mark.usefixtures("no_key_env", "memory_keyring")
def test_a_missing_keyring_entry_says_how_to_store_it() -> None:
    with pytest.raises(SetupError, match=r"`keyring set deskhand gpu`"):
        api_key(Settings(api_key_keyring="gpu"))


def test_settings_never_hold_a_key(config: Path, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.set_password("deskhand", "gpu", "sk-secret-from-keyring")
    save_settings(Settings(backend="openai", api_key_keyring="gpu", remote_hosts=("gpu-box",)), config)
    text = config.read_text(encoding="utf-8")
    assert "sk-secret" not in text and 'api_key_keyring = "gpu"' in text

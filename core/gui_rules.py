"""Risky words on buttons, as data: clicking them sends, pays, deletes, installs or commits.

Matching is on whole words (``delete`` matches "Delete account", not "Deleted items" --
a mail folder -- nor "undeleted"), case-insensitive, after NFKC normalisation, and
tolerant of other languages: each rule lists common translations, and scripts written
without spaces (Chinese, Japanese) match as substrings.  A few harmless phrases that
contain a risky word ("Sign in") are removed before matching.  Adding a language or a
word means adding a string here.

Also here, as data: which focused elements run what is typed when Enter is pressed
(terminals, by accessibility role or by application), for ``typing_reaches``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

from deskhand.core.element_info import FOCUS_UNKNOWN_ROLE, ElementInfo, clean_label

__all__ = [
    "LABEL_RULES",
    "PASSWORD_ROLES",
    "TERMINAL_APPS",
    "LabelRule",
    "Reach",
    "is_password_field",
    "match_label",
    "typing_reaches",
]


@dataclass(frozen=True, slots=True)
class LabelRule:
    id: str
    effect: str  # completes "which looks like it will ..."
    words: tuple[str, ...]


LABEL_RULES: tuple[LabelRule, ...] = (
    LabelRule("gui-send", "send something", (
        "send", "send now", "senden", "absenden", "verschicken", "envoyer", "enviar", "invia", "inviare",
        "verzenden", "versturen", "verstuur", "wyślij", "odeslat", "отправить", "发送", "送信", "보내기",
    )),
    LabelRule("gui-money", "spend money", (
        "pay", "pay now", "buy", "buy now", "purchase", "order", "place order", "checkout", "check out",
        "subscribe", "donate", "transfer", "send money", "bezahlen", "kaufen", "jetzt kaufen", "bestellen",
        "zahlungspflichtig bestellen", "überweisen", "payer", "acheter", "commander", "virement",
        "s'abonner", "pagar", "comprar", "pedir", "realizar pedido", "transferir", "suscribirse", "paga",
        "acquista", "ordina", "compra", "finalizar compra", "betalen", "kopen", "afrekenen", "zapłać",
        "kup", "оплатить", "купить", "заказать", "перевести", "支付", "付款", "购买", "下单", "转账",
        "購入", "支払", "注文", "결제", "구매",
    )),
    LabelRule("gui-delete", "delete something", (
        "delete", "remove", "erase", "discard", "destroy", "wipe", "empty trash", "empty bin",
        "empty recycle bin", "move to trash", "löschen", "entfernen", "papierkorb leeren", "supprimer",
        "effacer", "vider la corbeille", "eliminar", "borrar", "vaciar papelera", "elimina", "cancella",
        "svuota cestino", "excluir", "apagar", "remover", "verwijderen", "wissen", "usuń", "smazat",
        "удалить", "删除", "削除", "삭제",
    )),
    LabelRule("gui-install", "install or remove software", (
        "install", "uninstall", "installieren", "deinstallieren", "installer", "désinstaller",
        "instalar", "desinstalar", "installa", "disinstalla", "installeren", "zainstaluj",
        "установить", "安装", "卸载", "インストール", "アンインストール", "설치",
    )),
    LabelRule("gui-commit", "confirm, sign or submit something", (
        "confirm", "submit", "approve", "authorize", "authorise", "agree", "i agree", "accept and continue",
        "sign", "bestätigen", "genehmigen", "unterschreiben", "signieren", "confirmer", "valider",
        "soumettre", "signer", "confirmar", "firmar", "conferma", "firma", "assinar", "bevestigen",
        "ondertekenen", "potwierdź", "подтвердить", "确认", "提交", "確認", "확인",
    )),
    LabelRule("gui-publish", "publish something", (
        "publish", "post", "tweet", "share now", "veröffentlichen", "posten", "publier", "publicar",
        "pubblica", "publiceren", "opublikuj", "опубликовать", "发布", "公開", "게시",
    )),
    LabelRule("gui-reset", "erase or reset data", (
        "reset", "factory reset", "format", "restore defaults", "zurücksetzen", "formatieren",
        "réinitialiser", "formater", "restablecer", "formatear", "ripristina", "formatta", "redefinir",
        "formatar", "opnieuw instellen", "сбросить", "форматировать", "重置", "格式化", "初期化",
    )),
)  # fmt: skip
HARMLESS_PHRASES = (
    "sign in",
    "sign-in",
    "sign up",
    "sign-up",
    "sign out",
    "sign-out",
    "signed in",
    "post-it",
)
# Roles that open navigation rather than act: the "Format" *menu* is not a format command.
NAVIGATION_ROLES = frozenset({"menu", "menu bar", "page tab", "page tab list", "tool tip"})
PASSWORD_ROLES = frozenset({"password text"})
_PASSWORD_WORDS = re.compile(
    r"(?<!\w)(password|passphrase|passwort|kennwort|mot de passe|contraseña|senha|wachtwoord|hasło|heslo|"
    r"пароль|pin|passcode)(?!\w)|密码|パスワード|비밀번호",
    re.IGNORECASE,
)
_TEXT_ROLES = frozenset({"text", "entry", "password text", "terminal", "editbar", "combo box"})


@cache
def _pattern(word: str) -> re.Pattern[str]:
    if any(ord(c) > 0x2E80 for c in word):  # CJK and Hangul: no spaces between words
        return re.compile(re.escape(word))
    body = r"\s+".join(re.escape(part) for part in word.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


def match_label(element: ElementInfo) -> tuple[LabelRule, str] | None:
    """The first rule whose word appears in the target's label, with the word found."""
    if element.role.lower() in NAVIGATION_ROLES:
        return None
    label = clean_label(element.label).casefold()
    for phrase in HARMLESS_PHRASES:
        label = label.replace(phrase, " ")
    for rule in LABEL_RULES:
        for word in rule.words:
            if _pattern(word.casefold()).search(label):
                return rule, word
    return None


def is_password_field(element: ElementInfo) -> bool:
    """A password entry by role, or a text field labelled as one (OCR has no roles, and
    some toolkits report password fields as plain "text")."""
    role = element.role.lower()
    if role in PASSWORD_ROLES:
        return True
    return (role in _TEXT_ROLES or element.source == "ocr") and bool(_PASSWORD_WORDS.search(element.label))


class Reach(Enum):
    """What typed text reaches, as far as the inspector can tell.

    ``TERMINAL``: a line is run by a shell when Enter is pressed.  ``FIELD``: an ordinary
    text field or widget of an application that is not a terminal (a file chooser's "Name",
    a form): Enter there does not run a command.  ``UNKNOWN``: nothing tells -- no
    inspector answer, or an application that may host a terminal in a plain text field
    (browsers, editors with a built-in terminal) -- so it is judged like a terminal.
    """

    TERMINAL = "terminal"
    FIELD = "field"
    UNKNOWN = "unknown"


TERMINAL_ROLES = frozenset({"terminal"})  # AT-SPI's role for VTE, Konsole and Qt terminal widgets
# Terminal emulators by X11 window class or accessibility application name (lower case).
TERMINAL_APPS = frozenset({
    "xterm", "uxterm", "gnome-terminal", "gnome-terminal-server", "konsole", "xfce4-terminal",
    "alacritty", "kitty", "terminator", "tilix", "urxvt", "rxvt", "st", "st-256color", "wezterm",
    "org.wezfurlong.wezterm", "foot", "footclient", "lxterminal", "mate-terminal", "qterminal",
    "terminology", "guake", "tilda", "yakuake", "sakura", "cool-retro-term", "eterm", "aterm",
    "kgx", "org.gnome.console", "ptyxis", "org.gnome.ptyxis", "com.raggesilver.blackbox",
    "contour", "rio", "ghostty", "com.mitchellh.ghostty", "deepin-terminal", "io.elementary.terminal",
})  # fmt: skip
# Applications whose terminals are ordinary text fields to the accessibility tree.
_TERMINAL_HOSTS = frozenset({
    "code", "code-oss", "vscodium", "cursor", "firefox", "firefox-esr", "chromium", "chromium-browser",
    "google-chrome", "chrome", "brave-browser", "microsoft-edge", "electron", "emacs", "gvim",
})  # fmt: skip


def typing_reaches(element: ElementInfo | None) -> Reach:
    """Whether what is typed into the focused ``element`` may run as a shell command."""
    if element is None or element.role == FOCUS_UNKNOWN_ROLE:
        return Reach.UNKNOWN
    app = element.app.lower()
    if element.role.lower() in TERMINAL_ROLES or app in TERMINAL_APPS:
        return Reach.TERMINAL
    if app in _TERMINAL_HOSTS or app.startswith("jetbrains-") or element.source != "accessibility":
        return Reach.UNKNOWN
    return Reach.FIELD

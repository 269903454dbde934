"""What to tell the user when Ollama does not answer: how to install and start it here, or,
for a server on another machine, how to make that one listen.

Shown as text to copy, never run: piping a script from the internet into a shell is the
user's decision.  No Qt here -- the first-run wizard's server page shows these words.
"""

from __future__ import annotations

import sys

from deskhand.core.privacy import on_this_machine, split_host

__all__ = ["install_instructions", "remote_instructions", "server_help"]


def install_instructions(system: str = sys.platform) -> str:
    """How to install and start Ollama here, as Ollama documents it (for the user to run)."""
    if system.startswith("linux"):
        return (
            "Install Ollama by running this in a terminal (Ollama's documented installer):\n"
            "    curl -fsSL https://ollama.com/install.sh | sh\n"
            "Then start it with `ollama serve` (or `systemctl start ollama`) and press Check again."
        )
    if system == "darwin":
        return (
            "Download Ollama for macOS from https://ollama.com/download and open it, "
            "or start it in a terminal with `ollama serve`. Then press Check again."
        )
    return (
        "Download Ollama for Windows (OllamaSetup.exe) from https://ollama.com/download and run it; "
        "it then runs in the background (or start it with `ollama serve`). Then press Check again."
    )


def remote_instructions(url: str) -> str:
    """What to do when Ollama does not answer on *another* machine: installing it here would
    not help, and piping an installer into this machine's shell is the wrong advice."""
    _, host = split_host(url)
    return (
        f"{host} is another machine, so Ollama has to run there, not here. On {host}, start it so "
        "that it listens on the network (`OLLAMA_HOST=0.0.0.0 ollama serve`) and let its port "
        "through the firewall; then press Check again. Or enter the address of a server on this machine."
    )


def server_help(url: str, system: str = sys.platform) -> str:
    """Install instructions for a server on this machine, else how to reach the other one."""
    return install_instructions(system) if on_this_machine(split_host(url)[1]) else remote_instructions(url)

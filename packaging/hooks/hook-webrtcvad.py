"""PyInstaller hook for ``webrtcvad``, whichever distribution provides it.

The community hook copies the metadata of the ``webrtcvad`` distribution, but the maintained
builds (``webrtcvad-wheels``, what the voice extra installs) are a different distribution
that provides the same module, so that hook fails the whole build.  ``webrtcvad`` reads its
own version from the metadata at import time; copy whatever distribution owns the module.
"""

from importlib.metadata import packages_distributions

from PyInstaller.utils.hooks import copy_metadata

datas = []
for _dist in packages_distributions().get("webrtcvad", []):
    datas += copy_metadata(_dist)

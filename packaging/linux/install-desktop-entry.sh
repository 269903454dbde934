#!/bin/sh
# Put the unpacked Deskhand (this folder) into your applications menu, for you only.
#
#   ./install-desktop-entry.sh            menu entry, icons, and ~/.local/bin/deskhand
#   ./install-desktop-entry.sh --remove   take them away again (the folder itself stays)
#
# The .deb does this system-wide; this is the portable tarball's equivalent and needs no root.
# Autostart at login is the tray menu's "Start at login" toggle, not this script.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
bin=$HOME/.local/bin
apps=$data/applications
icons=$data/icons/hicolor

if [ "${1:-}" = "--remove" ]; then
    rm -f "$apps/deskhand.desktop"
    find "$icons" -path '*/apps/deskhand.*' -delete 2>/dev/null || true
    if [ -L "$bin/deskhand" ] && [ "$(readlink "$bin/deskhand")" = "$here/deskhand" ]; then
        rm -f "$bin/deskhand"
    fi
    echo "Removed Deskhand's menu entry and icons."
    exit 0
fi

mkdir -p "$apps" "$bin"
(cd "$here/share/icons/hicolor" && find . -name 'deskhand.*') | while read -r icon; do
    mkdir -p "$icons/$(dirname "$icon")"
    cp "$here/share/icons/hicolor/$icon" "$icons/$icon"
done
# Exec gets the absolute path, quoted as the Desktop Entry spec asks when it has spaces.
exec_path=$(printf '%s' "$here/deskhand" | sed 's/[\\"`$]/\\\\&/g')
while IFS= read -r line; do
    case $line in
        Exec=*) printf 'Exec="%s"\n' "$exec_path" ;;
        *) printf '%s\n' "$line" ;;
    esac
done <"$here/share/applications/deskhand.desktop" >"$apps/deskhand.desktop"
ln -sfn "$here/deskhand" "$bin/deskhand"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$icons" || true
echo "Deskhand is in your applications menu; 'deskhand' is in $bin."

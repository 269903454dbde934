#!/bin/sh
# Sign (optionally), package and notarize (optionally) Deskhand.app as a .dmg.
#
#   pyinstaller --noconfirm --distpath dist --workpath build/pyinstaller packaging/deskhand.spec
#   packaging/macos/build_dmg.sh          ->  dist/Deskhand-VERSION-macos-ARCH.dmg
#
# Signing and notarization run only when their variables are set (CI reads them from secrets):
#   DESKHAND_CODESIGN_IDENTITY  "Developer ID Application: Name (TEAMID)" in the keychain
#   DESKHAND_NOTARY_PROFILE     a profile stored with `xcrun notarytool store-credentials`
# Unsigned, the .dmg still works: the user right-clicks Deskhand.app > Open the first time.
set -eu
cd "$(dirname "$0")/../.."

python=${PYTHON:-python3}
version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
arch=$(uname -m)
app=dist/Deskhand.app
out=dist/Deskhand-$version-macos-$arch.dmg
[ -d "$app" ] || { echo "no $app: build it first with pyinstaller packaging/deskhand.spec" >&2; exit 1; }

if [ -n "${DESKHAND_CODESIGN_IDENTITY:-}" ]; then
    # Hardened runtime (required for notarization) with our entitlements; --deep signs every
    # bundled library and the Qt plugins with the same identity.
    codesign --force --deep --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist \
        --sign "$DESKHAND_CODESIGN_IDENTITY" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$app" "$stage/"
ln -s /Applications "$stage/Applications"   # drag-to-install
rm -f "$out"
hdiutil create -volname "Deskhand $version" -srcfolder "$stage" -fs HFS+ -format UDZO -ov "$out"

if [ -n "${DESKHAND_CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$DESKHAND_CODESIGN_IDENTITY" "$out"
fi
if [ -n "${DESKHAND_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$out" --keychain-profile "$DESKHAND_NOTARY_PROFILE" --wait
    xcrun stapler staple "$out"
fi
echo "$out"

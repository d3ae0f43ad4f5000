#!/bin/sh
# Install the unpacked ptassist bundle (the folder this script is in) with a menu entry and icon.
#
#   ./install.sh            for you alone: ~/.local/opt/ptassist, ~/.local/share/{applications,icons,metainfo},
#                           and the command ~/.local/bin/ptassist
#   sudo ./install.sh --system   for every user: /opt/ptassist, /usr/share/{applications,icons,metainfo},
#                           and the command /usr/local/bin/ptassist
#
# Installing a newer bundle over an older one replaces the program only. The records stay in each
# user's data folder (~/.local/share/ptassist); the newer version migrates them on its first start,
# after a backup. uninstall.sh in the installed folder removes everything this script put in place.
set -eu

APP_ID=org.ptassist.ptassist
mode=user
case "${1:-}" in
    ""|--user) mode=user ;;
    --system) mode=system ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1 (use --user or --system)" >&2; exit 2 ;;
esac

if [ "$mode" = system ]; then
    app_dir=/opt/ptassist
    bin_dir=/usr/local/bin
    share=/usr/share
    if [ "$(id -u)" != 0 ]; then
        echo "install.sh: --system needs root: sudo $0 --system" >&2
        exit 1
    fi
else
    app_dir="$HOME/.local/opt/ptassist"
    bin_dir="$HOME/.local/bin"
    share="${XDG_DATA_HOME:-$HOME/.local/share}"
fi

here=$(cd "$(dirname "$0")" && pwd -P)
if [ ! -x "$here/ptassist" ] || [ ! -d "$here/_internal" ]; then
    echo "install.sh: run me from the unpacked ptassist folder (with ptassist and _internal beside me)" >&2
    exit 1
fi
if [ -d "$app_dir" ] && [ "$(cd "$app_dir" && pwd -P)" = "$here" ]; then
    echo "install.sh: this copy is already the installed one ($app_dir)" >&2
    exit 1
fi

created=""  # the folders this install creates (uninstall.sh removes them once empty), one a line
make_dir() {  # make_dir FOLDER: mkdir -p, remembering each folder it creates
    missing="" dir="$1"
    while [ ! -d "$dir" ]; do
        missing="$dir/
$missing"
        dir=$(dirname "$dir")
    done
    mkdir -p "$1"
    created="$created$missing"
}

# The new program goes in beside the old one, then takes its place: an interrupted install
# leaves the old version working.
make_dir "$(dirname "$app_dir")"
rm -rf "$app_dir.new" "$app_dir.old"
cp -R "$here" "$app_dir.new"
rm -f "$app_dir.new/install-manifest.txt"
# The folders an earlier install created (lines ending in /) stay ours to remove.
created_before=""
if [ -f "$app_dir/install-manifest.txt" ]; then
    created_before=$(grep '/$' "$app_dir/install-manifest.txt" || true)
fi
if [ -d "$app_dir" ]; then
    mv "$app_dir" "$app_dir.old"
fi
mv "$app_dir.new" "$app_dir"
rm -rf "$app_dir.old"

manifest="$app_dir/install-manifest.txt"
: > "$manifest"
if [ -n "$created_before" ]; then echo "$created_before" >> "$manifest"; fi
put() {  # put SOURCE TARGET: copy a file into place and remember it for uninstall.sh
    make_dir "$(dirname "$2")"
    cp "$1" "$2"
    chmod 644 "$2"
    echo "$2" >> "$manifest"
}

# The menu entry runs the installed program by its full path (~/.local/bin may not be on PATH).
case "$app_dir" in
    *" "*) exec_path="\"$app_dir/ptassist\"" ;;
    *) exec_path="$app_dir/ptassist" ;;
esac
entry="$app_dir/share/applications/$APP_ID.desktop"
sed -e "s|^Exec=ptassist|Exec=$exec_path|" -e "s|^TryExec=ptassist|TryExec=$app_dir/ptassist|" \
    "$here/share/applications/$APP_ID.desktop" > "$entry"
put "$entry" "$share/applications/$APP_ID.desktop"
put "$here/share/metainfo/$APP_ID.metainfo.xml" "$share/metainfo/$APP_ID.metainfo.xml"
for icon in "$here"/share/icons/hicolor/*/apps/"$APP_ID".*; do
    size=$(basename "$(dirname "$(dirname "$icon")")")
    put "$icon" "$share/icons/hicolor/$size/apps/$(basename "$icon")"
done

make_dir "$bin_dir"
ln -sfn "$app_dir/ptassist" "$bin_dir/ptassist"
echo "$bin_dir/ptassist" >> "$manifest"
printf '%s' "$created" >> "$manifest"

# Menus and icon themes pick the entry up by themselves; refresh their caches where the tools exist.
if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$share/applications" 2>/dev/null || true
fi
if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$share/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
fi

version=$("$app_dir/ptassist" --version 2>/dev/null || echo "ptassist")
echo "Installed $version in $app_dir"
echo "Menu entry: $share/applications/$APP_ID.desktop; command: $bin_dir/ptassist"
echo "To remove it: $app_dir/uninstall.sh"

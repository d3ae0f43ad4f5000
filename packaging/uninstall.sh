#!/bin/sh
# Remove an installed ptassist: the program, its menu entry, icons, metainfo and command.
#
#   ~/.local/opt/ptassist/uninstall.sh          (installed for you alone)
#   sudo /opt/ptassist/uninstall.sh             (installed for every user)
#
# From any other folder, say which installation: ./uninstall.sh --user or sudo ./uninstall.sh --system.
# The records are never touched: they stay in each user's data folder (~/.local/share/ptassist).
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
case "${1:-}" in
    "") if [ -f "$here/install-manifest.txt" ]; then app_dir="$here"; else app_dir="$HOME/.local/opt/ptassist"; fi ;;
    --user) app_dir="$HOME/.local/opt/ptassist" ;;
    --system) app_dir=/opt/ptassist ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1 (use --user or --system)" >&2; exit 2 ;;
esac

manifest="$app_dir/install-manifest.txt"
if [ ! -f "$manifest" ]; then
    echo "uninstall.sh: no ptassist installation in $app_dir" >&2
    exit 1
fi

while IFS= read -r path; do
    if [ -L "$path" ] || [ -f "$path" ]; then
        rm -f "$path"
    fi
done < "$manifest"
share_dirs=$(sed -n 's|/applications/[^/]*\.desktop$||p' "$manifest")
created=$(grep '/$' "$manifest" | sort -r || true)  # folders the install created, deepest first
rm -rf "$app_dir"

echo "$share_dirs" | while IFS= read -r share; do
    [ -n "$share" ] || continue
    if command -v update-desktop-database >/dev/null 2>&1; then
        update-desktop-database -q "$share/applications" 2>/dev/null || true
    fi
    if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$share/icons/hicolor/index.theme" ]; then
        gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
    fi
done
# Then the folders the install created, where nothing else lives now (a cache the refresh above
# wrote describes nothing then).
echo "$created" | while IFS= read -r dir; do
    [ -n "$dir" ] && [ -d "$dir" ] || continue
    for cache in mimeinfo.cache icon-theme.cache; do
        if [ -f "$dir$cache" ] && [ "$(ls -A "$dir")" = "$cache" ]; then rm -f "$dir$cache"; fi
    done
    rmdir "$dir" 2>/dev/null || true
done
echo "Removed ptassist from $app_dir. The records were left in place (your data folder, ~/.local/share/ptassist)."

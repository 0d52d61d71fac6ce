#!/bin/sh
# Rebuild mettrack/static/govuk/ from the npm govuk-frontend release that the pinned
# govuk-frontend-jinja targets (see its README's compatibility table). Needs node and npm
# at build time only; the built files are committed, so running the app never needs them.
#
#   frontend/build.sh            # from the repository root
set -eu

GOVUK_FRONTEND_VERSION=6.3.0   # govuk-frontend-jinja 4.1.0 targets GOV.UK Frontend 6.3.0
SASS_VERSION=1.108.2

repo=$(cd "$(dirname "$0")/.." && pwd)
out="$repo/mettrack/static/govuk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund "govuk-frontend@$GOVUK_FRONTEND_VERSION" "sass@$SASS_VERSION" >/dev/null

mkdir -p "$out"
npx sass --load-path=node_modules --style=compressed --no-source-map \
  "$repo/frontend/govuk.scss" "$out/govuk-frontend.min.css"
# The source map is not shipped, so drop the comment that points at it.
sed 's|//# sourceMappingURL=.*$||' \
  node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js > "$out/govuk-frontend.min.js"
# No GOV.UK images are copied: its favicon, icons and crest all show the crown, which a
# service not on GOV.UK must not use. METtrack's own favicon is mettrack/static/favicon.svg.
echo "built $out with govuk-frontend $GOVUK_FRONTEND_VERSION"

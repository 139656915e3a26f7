#!/usr/bin/env bash
# Whether the action uploads the SARIF file to code scanning: writes `upload=true` or
# `upload=false` to $GITHUB_OUTPUT, and always succeeds. The findings are in the comment, the
# annotations and the job summary whatever this decides; code scanning is one more place.
#
#   RAPPORT_SARIF=false  never;
#   RAPPORT_SARIF=true   always (a refused upload is one notice; the job does not fail);
#   RAPPORT_SARIF=auto   where code scanning is available: a public repository, or a private
#                        one whose code-scanning API answers (GitHub Advanced Security or Code
#                        Security enabled); a private repository without it gets one notice.
# Never for a pull request from a fork (its token cannot upload), nor without a SARIF file.
#
# Reads RAPPORT_SARIF, SARIF_FILE (the report step's output), GITHUB_REPOSITORY,
# GITHUB_EVENT_PATH, and GH_TOKEN (for `gh`).
set -euo pipefail

decide() {
  echo "rapport: code scanning upload: $1${2:+ ($2)}"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then echo "upload=$1" >>"$GITHUB_OUTPUT"; fi
  exit 0
}

# On GitHub Enterprise Server, gh must be told which host the token is for.
if [[ -z "${GH_HOST:-}" && -n "${GITHUB_SERVER_URL:-}" ]]; then
  export GH_HOST="${GITHUB_SERVER_URL#*://}"
fi

mode="${RAPPORT_SARIF:-auto}"
case "$mode" in
  true | false | auto) ;;
  *)
    echo "::warning title=rapport::sarif: '$mode' is not true, false or auto; taken as auto."
    mode=auto
    ;;
esac
[[ "$mode" != false ]] || decide false "sarif: false"
[[ -n "${SARIF_FILE:-}" && -s "${SARIF_FILE:-}" ]] || decide false "no SARIF file was written"

event="${GITHUB_EVENT_PATH:-}"
repository="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"
private=unknown
if [[ -n "$event" && -r "$event" ]]; then
  head_repo="$(jq -r '.pull_request.head.repo.full_name // empty' "$event")"
  if [[ "$(jq -r 'has("pull_request")' "$event")" == true && "$head_repo" != "$repository" ]]; then
    decide false "a pull request from a fork: its token cannot upload"
  fi
  private="$(jq -r '.repository.private | tostring' "$event")"
fi
[[ "$mode" != true ]] || decide true "sarif: true"
[[ "$private" != false ]] || decide true "a public repository"

# A private repository: code scanning answers only where it is enabled. No analysis yet (404)
# still means it is enabled.
if answer="$(gh api "repos/$repository/code-scanning/analyses?per_page=1" 2>&1 >/dev/null)" ||
  [[ "$answer" == *"HTTP 404"* ]]; then
  decide true "code scanning is enabled"
fi
echo "::notice title=rapport::Code scanning is not available for $repository (a private repository needs GitHub Code Security, and the workflow security-events: write), so the findings are not uploaded there; they are in the pull-request comment, the annotations and the job summary. Set sarif: false to skip this check."
decide false "code scanning is not available: ${answer//$'\n'/ }"

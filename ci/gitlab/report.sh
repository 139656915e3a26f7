#!/usr/bin/env bash
# The merge-request report on GitLab CI. One `rapport report` run writes the Code Quality report
# (gl-code-quality-report.json) and the markdown report (rapport-report.md). On the default
# branch (no merge request) the report is of the branch's head against itself: the Code Quality
# report GitLab compares a merge request's with, which holds what the merge request adds. In a
# merge request, the markdown is
# posted as the merge request's one rapport note, updated in place on each push (only a note the
# token's own user wrote: a marker in anyone else's note is ignored); the script
# exits with rapport's exit code (1: a finding at or above the failing severity, 2: an invalid
# ledger or invocation). rapport.gitlab-ci.yml runs a copy of this script, kept equal by a test.
#
# Run in the repository. Reads: RAPPORT_PATH (ledger folder, default .), RAPPORT_BASE (default:
# CI_MERGE_REQUEST_DIFF_BASE_SHA), RAPPORT_FAIL_ON (default error), RAPPORT_FAIL_ON_SILENCED
# (true: also fail on findings the change silenced through rapport.yaml), RAPPORT_GITLAB_TOKEN (a
# token with the api scope; without it no note is posted), and CI_API_V4_URL, CI_PROJECT_ID,
# CI_MERGE_REQUEST_IID as GitLab sets them.
set -euo pipefail

marker='<!-- rapport-report -->'
markdown=rapport-report.md
quality=gl-code-quality-report.json
rm -f "$markdown" "$quality"

args=(report "${RAPPORT_PATH:-.}" --format gitlab --output "markdown=$markdown"
  --fail-on "${RAPPORT_FAIL_ON:-error}")
if [[ "${RAPPORT_FAIL_ON_SILENCED:-false}" == "true" ]]; then
  args+=(--fail-on-silenced)
fi
if [[ -n "${RAPPORT_BASE:-}" ]]; then
  args+=(--base "$RAPPORT_BASE")
elif [[ -z "${CI_MERGE_REQUEST_IID:-}" && -n "${CI_COMMIT_BRANCH:-}" && "${CI_COMMIT_BRANCH}" == "${CI_DEFAULT_BRANCH:-}" ]]; then
  # The merge request's report holds what it adds to the branch; the branch adds nothing to
  # itself. GitLab needs this report to exist to show a merge request's findings as new.
  echo "rapport: the default branch ($CI_COMMIT_BRANCH): its Code Quality report, against itself"
  args+=(--base HEAD)
fi

status=0
rapport "${args[@]}" >"$quality" || status=$?
# GitLab rejects a Code Quality artifact that is not a JSON array.
if [[ ! -s "$quality" ]]; then
  echo "[]" >"$quality"
fi

post_note() {
  local token="$1" api page notes found id me
  # Who posts: the token's user (a project access token has its own bot user).
  if ! me="$(curl --fail --silent --show-error --header "PRIVATE-TOKEN: $token" "${CI_API_V4_URL:?}/user" |
    jq -r '.id // empty')" || [[ ! "$me" =~ ^[0-9]+$ ]]; then
    echo "rapport: cannot tell whose RAPPORT_GITLAB_TOKEN is (GET /user; does it have the api scope?); no note" >&2
    return 0
  fi
  api="${CI_API_V4_URL:?}/projects/${CI_PROJECT_ID:?}/merge_requests/${CI_MERGE_REQUEST_IID:?}/notes"
  id=""
  for ((page = 1; page <= 100; page++)); do
    if ! notes="$(curl --fail --silent --show-error --header "PRIVATE-TOKEN: $token" \
      "$api?per_page=100&page=$page")"; then
      echo "rapport: cannot read the merge request's notes (does RAPPORT_GITLAB_TOKEN have the api scope?); no note" >&2
      return 0
    fi
    found="$(jq -r --arg marker "$marker" --argjson me "$me" \
      '[.[] | select(.author.id == $me and (.system | not) and ((.body // "") | startswith($marker))) | .id]
       | first // empty' <<<"$notes")"
    if [[ -n "$found" ]]; then
      id="$found"
      break
    fi
    if [[ "$(jq 'length' <<<"$notes")" -lt 100 ]]; then
      break
    fi
  done

  if [[ "$id" =~ ^[0-9]+$ ]]; then
    if curl --fail --silent --show-error --output /dev/null --request PUT \
      --header "PRIVATE-TOKEN: $token" --data-urlencode "body@$markdown" "$api/$id"; then
      echo "rapport: updated the report note ($id) on merge request !$CI_MERGE_REQUEST_IID"
    else
      echo "rapport: cannot update the report note; no note" >&2
    fi
  elif curl --fail --silent --show-error --output /dev/null --request POST \
    --header "PRIVATE-TOKEN: $token" --data-urlencode "body@$markdown" "$api"; then
    echo "rapport: posted the report note on merge request !$CI_MERGE_REQUEST_IID"
  else
    echo "rapport: cannot post the report note; no note" >&2
  fi
}

if [[ ! -s "$markdown" ]]; then
  echo "rapport: no report was produced (exit code $status); no merge-request note" >&2
elif [[ -z "${RAPPORT_GITLAB_TOKEN:-}" ]]; then
  echo "rapport: RAPPORT_GITLAB_TOKEN is not set: no merge-request note; the report is the job's artifact $markdown"
elif [[ -z "${CI_MERGE_REQUEST_IID:-}" ]]; then
  echo "rapport: not a merge-request pipeline: no note; the report is the job's artifact $markdown"
else
  post_note "$RAPPORT_GITLAB_TOKEN"
fi

exit "$status"

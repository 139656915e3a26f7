#!/usr/bin/env bash
# The weekly digest on GitLab CI, from a scheduled pipeline: `rapport digest` of the week before
# (or up to RAPPORT_UNTIL) kept as one open issue for the week through the API. A new week's
# digest opens a new issue (so the people `notify:` names are mentioned) and closes the earlier
# week's; a run later in the same week updates the week's issue in place; a quiet week posts
# nothing. The digest issue is found by its marker AND by its author (the token's own user), so
# an issue someone else writes with the marker is left alone. Exits 0 whatever happens: a digest
# informs, it fails nothing. rapport-digest.gitlab-ci.yml runs a copy of this script, kept equal
# by a test.
#
# Run in the repository. Reads: RAPPORT_PATH (ledger folder, default .), RAPPORT_SINCE (default
# 7d), RAPPORT_UNTIL (default: today), RAPPORT_GITLAB_TOKEN (a token with the api scope; without
# it nothing is posted), and CI_API_V4_URL, CI_PROJECT_ID as GitLab sets them.
set -euo pipefail

marker='<!-- rapport-digest -->'
markdown=rapport-digest.md
rm -f "$markdown"

args=(digest "${RAPPORT_PATH:-.}" --since "${RAPPORT_SINCE:-7d}" --format markdown --skip-quiet)
if [[ -n "${RAPPORT_UNTIL:-}" ]]; then
  args+=(--until "$RAPPORT_UNTIL")
fi
status=0
rapport "${args[@]}" >"$markdown" || status=$?
if [[ "$status" -ne 0 ]]; then
  echo "rapport: the digest failed (exit code $status); nothing posted" >&2
  exit 0
fi
if [[ ! -s "$markdown" ]]; then
  echo "rapport: nothing new this week; nothing posted"
  exit 0
fi
if [[ -z "${RAPPORT_GITLAB_TOKEN:-}" ]]; then
  echo "rapport: RAPPORT_GITLAB_TOKEN is not set: nothing posted; the digest is the job's artifact $markdown"
  exit 0
fi
token="$RAPPORT_GITLAB_TOKEN"

until="$(sed -n '2s/^### rapport digest [0-9-]* → \([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\):.*/\1/p' "$markdown")"
if ! week="$(date -u -d "$until" +%G-W%V 2>/dev/null)"; then
  echo "rapport: the digest names no period; nothing posted" >&2
  exit 0
fi
week_marker="<!-- rapport-digest-week: $week -->"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{
  cat "$markdown"
  printf '\n%s\n' "$week_marker"
} >"$body"

api="${CI_API_V4_URL:?}/projects/${CI_PROJECT_ID:?}/issues"
call() {
  curl --fail --silent --show-error --header "PRIVATE-TOKEN: $token" "$@"
}
if ! me="$(call "$CI_API_V4_URL/user" | jq -r '.username // empty')" || [[ -z "$me" ]]; then
  echo "rapport: cannot tell whose the token is (does RAPPORT_GITLAB_TOKEN have the api scope?); nothing posted" >&2
  exit 0
fi

# The open digest issues this user wrote, every page.
ours="[]"
for ((page = 1; page <= 100; page++)); do
  if ! issues="$(call "$api?state=opened&per_page=100&page=$page")"; then
    echo "rapport: cannot read the project's issues; nothing posted" >&2
    exit 0
  fi
  ours="$(jq -c --arg marker "$marker" --arg me "$me" --argjson ours "$ours" \
    '$ours + [.[] | select(.author.username == $me and ((.description // "") | startswith($marker)))
      | {iid, description}]' <<<"$issues")"
  if [[ "$(jq 'length' <<<"$issues")" -lt 100 ]]; then
    break
  fi
done
this_week="$(jq -r --arg week "$week_marker" \
  '[.[] | select(.description | contains($week)) | .iid] | min // empty' <<<"$ours")"

if [[ "$this_week" =~ ^[0-9]+$ ]]; then
  if call --output /dev/null --request PUT --data-urlencode "description@$body" "$api/$this_week"; then
    echo "rapport: updated the digest issue #$this_week for $week"
  else
    echo "rapport: cannot update the digest issue #$this_week" >&2
  fi
elif created="$(call --request POST --data-urlencode "title=rapport digest, week $week" \
  --data-urlencode "description@$body" "$api" | jq -r '.iid // empty')" && [[ -n "$created" ]]; then
  this_week="$created"
  echo "rapport: opened the digest issue #$created for $week"
else
  echo "rapport: cannot open an issue; nothing posted" >&2
  exit 0
fi

# The digests of earlier weeks: one open digest issue at a time.
for iid in $(jq -r --arg keep "$this_week" '.[] | select((.iid | tostring) != $keep) | .iid' <<<"$ours"); do
  if call --output /dev/null --request PUT --data "state_event=close" "$api/$iid"; then
    echo "rapport: closed the earlier digest issue #$iid"
  else
    echo "rapport: cannot close the earlier digest issue #$iid" >&2
  fi
done

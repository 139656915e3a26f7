#!/usr/bin/env bash
# Keeps the week's rapport digest as one open issue: the digest of a week is posted as a new
# issue (so the people it mentions are notified), a run later in the same week updates that
# issue in place, and the digest issues of earlier weeks are closed. An issue is the digest's
# only when its body starts with the marker AND the token's own account wrote it: an issue
# someone else opened with the marker is left alone. A quiet week (an empty DIGEST.md, as
# `rapport digest --skip-quiet` leaves it) posts nothing and closes nothing.
# Usage: digest.sh DIGEST.md (or RAPPORT_DIGEST=DIGEST.md digest.sh)
#
# Reads GITHUB_REPOSITORY, GH_TOKEN (for `gh`) and, optionally, RAPPORT_DIGEST_AUTHOR (the login
# the token posts as; default: the token's login when GitHub tells it, else
# github-actions[bot], the account of the workflow's GITHUB_TOKEN). Never fails the job: what
# cannot be done is said in a notice.
set -euo pipefail

digest="${1:-${RAPPORT_DIGEST:?usage: digest.sh DIGEST.md, or RAPPORT_DIGEST=DIGEST.md digest.sh}}"
marker='<!-- rapport-digest -->'
repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}"

if [[ -z "${GH_HOST:-}" && -n "${GITHUB_SERVER_URL:-}" ]]; then
  export GH_HOST="${GITHUB_SERVER_URL#*://}"
fi

notice() {
  echo "::notice title=rapport digest::$1"
}

if [[ ! -s "$digest" ]]; then
  notice "Nothing new this week: nothing posted."
  exit 0
fi
if [[ "$(head -n 1 "$digest")" != "$marker" ]]; then
  notice "$digest is not a rapport digest (rapport digest --format markdown): nothing posted."
  exit 0
fi
# The week of the digest's end, from its summary line `### rapport digest SINCE → UNTIL: ...`.
until="$(sed -n '2s/^### rapport digest [0-9-]* → \([0-9]\{4\}-[0-9]\{2\}-[0-9]\{2\}\):.*/\1/p' "$digest")"
if ! week="$(date -u -d "$until" +%G-W%V 2>/dev/null)"; then
  notice "The digest names no period: nothing posted."
  exit 0
fi
week_marker="<!-- rapport-digest-week: $week -->"
body="$(mktemp)"
trap 'rm -f "$body"' EXIT
{
  cat "$digest"
  printf '\n%s\n' "$week_marker"
} >"$body"

author="${RAPPORT_DIGEST_AUTHOR:-}"
if [[ -z "$author" ]]; then
  author="$(gh api user --jq .login 2>/dev/null || true)"
fi
author="${author:-github-actions[bot]}"

# Every open issue (pull requests are issues too, and left out), as a stream of JSON arrays; the
# digest issues are the ones this account wrote that start with the marker.
if ! issues="$(gh api --paginate "repos/$repo/issues?state=open&per_page=100")"; then
  notice "The token cannot read this repository's issues (the workflow needs issues: write): nothing posted."
  exit 0
fi
ours="$(jq -cn --arg marker "$marker" --arg author "$author" \
  '[inputs | .[] | select(.pull_request == null and .user.login == $author
     and ((.body // "") | startswith($marker))) | {number, body}]' <<<"$issues")"
this_week="$(jq -r --arg week "$week_marker" \
  '[.[] | select(.body | contains($week)) | .number] | min // empty' <<<"$ours")"

if [[ "$this_week" =~ ^[0-9]+$ ]]; then
  if gh api --silent -X PATCH "repos/$repo/issues/$this_week" -F "body=@$body"; then
    echo "rapport: updated the digest issue #$this_week for $week"
  else
    notice "The token cannot update the digest issue #$this_week (the workflow needs issues: write)."
  fi
elif created="$(gh api -X POST "repos/$repo/issues" -f "title=rapport digest, week $week" \
  -F "body=@$body" --jq .number)"; then
  this_week="$created"
  echo "rapport: opened the digest issue #$created for $week"
else
  notice "The token cannot open an issue (the workflow needs issues: write): nothing posted."
  exit 0
fi

# The digests of earlier weeks: one open digest issue at a time.
for number in $(jq -r --arg keep "$this_week" '.[] | select((.number | tostring) != $keep) | .number' <<<"$ours"); do
  if gh api --silent -X PATCH "repos/$repo/issues/$number" -f state=closed -f state_reason=completed; then
    echo "rapport: closed the earlier digest issue #$number"
  else
    notice "The token cannot close the earlier digest issue #$number."
  fi
done

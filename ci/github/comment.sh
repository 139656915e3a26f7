#!/usr/bin/env bash
# Posts the markdown report as the pull request's one rapport comment: the comment that the
# token's own identity wrote and that starts with the marker is updated in place, else a new one
# is posted. A marker in anyone else's comment is ignored: nobody can have rapport's report
# written into a comment they own (and can edit).
# Usage: comment.sh REPORT.md
#
# Reads GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request's number and head repository)
# and GH_TOKEN (for `gh`). A pull request from a fork gets no comment (its token is read-only),
# nor does a run whose token is refused: both print a notice and succeed, because the report
# is in the job summary already.
set -euo pipefail

report="${1:?usage: comment.sh REPORT.md}"
marker='<!-- rapport-report -->'

# On GitHub Enterprise Server, gh must be told which host the token is for.
if [[ -z "${GH_HOST:-}" && -n "${GITHUB_SERVER_URL:-}" ]]; then
  export GH_HOST="${GITHUB_SERVER_URL#*://}"
fi

notice() {
  echo "::notice title=rapport::$1 The report is in the job summary."
}

event="${GITHUB_EVENT_PATH:-}"
if [[ -z "$event" || ! -r "$event" ]]; then
  notice "No event file (GITHUB_EVENT_PATH): no pull-request comment."
  exit 0
fi
pr="$(jq -r '.pull_request.number // empty' "$event")"
if [[ ! "$pr" =~ ^[0-9]+$ ]]; then
  notice "Not a pull request: no comment."
  exit 0
fi
# A deleted fork has no head repository: treated as a fork.
head_repo="$(jq -r '.pull_request.head.repo.full_name // empty' "$event")"
if [[ "$head_repo" != "${GITHUB_REPOSITORY:?GITHUB_REPOSITORY is not set}" ]]; then
  notice "Pull request from a fork: its token cannot comment."
  exit 0
fi

# Who posts: the token's login (GraphQL `viewer` answers for user and installation tokens
# alike; REST `GET /user` refuses installation tokens). GITHUB_TOKEN's is github-actions[bot].
if ! me="$(gh api graphql -f 'query=query { viewer { login } }' --jq .data.viewer.login)" || [[ -z "$me" ]]; then
  notice "The token cannot tell whose it is (GraphQL viewer): no pull-request comment."
  exit 0
fi

# Every page of comments, as a stream of JSON arrays; the first comment by the poster starting
# with the marker. A bot's login is `NAME[bot]` in REST and may be `NAME` in GraphQL.
if ! comments="$(gh api --paginate "repos/$GITHUB_REPOSITORY/issues/$pr/comments")"; then
  notice "The token cannot read this pull request's comments (the workflow needs pull-requests: write)."
  exit 0
fi
id="$(jq -rn --arg marker "$marker" --arg me "$me" \
  '[inputs | .[] | select((.user.login // "") as $by | $by == $me or $by == ($me + "[bot]"))
     | select((.body // "") | startswith($marker)) | .id] | first // empty' \
  <<<"$comments")"

if [[ "$id" =~ ^[0-9]+$ ]]; then
  if gh api --silent -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F "body=@$report"; then
    echo "rapport: updated the report comment ($id) on pull request #$pr"
  else
    notice "The token cannot update the report comment (the workflow needs pull-requests: write)."
  fi
elif gh api --silent -X POST "repos/$GITHUB_REPOSITORY/issues/$pr/comments" -F "body=@$report"; then
  echo "rapport: posted the report comment on pull request #$pr"
else
  notice "The token cannot comment on this pull request (the workflow needs pull-requests: write)."
fi

//! The scheduled digest as it runs: the GitHub workflow's steps and the GitLab job's script,
//! executed with bash on a scripted ledger, the real `rapport` first on PATH and fake `gh` and
//! `curl` that keep the repository's issues in a JSON file, so a run sees what the run before
//! it posted. One issue per week, found by its marker and its author; nothing on a quiet week;
//! another user's issue with the marker left alone; nothing ever fails the job.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, Script, partnership};
use serde_json::{Value, json};

const MARKER: &str = "<!-- rapport-digest -->";

/// `gh api` against issues kept in `issues.json`: lists the open ones, opens, edits and closes.
/// `gh api user` answers only when `whoami` holds a login (the workflow's GITHUB_TOKEN cannot
/// read it); what the token posts as is `poster`.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "gh $*" >>"$dir/calls.log"
if [[ -e "$dir/refuse" ]]; then
  echo "gh: Resource not accessible by integration (HTTP 403)" >&2
  exit 1
fi
[[ "$1" == api ]] || exit 2
shift
method=GET path="" query="" silent=""
fields='{}'
while (($#)); do
  case "$1" in
    -X) method="$2"; shift 2 ;;
    --paginate) shift ;;
    --silent) silent=1; shift ;;
    --jq) query="$2"; shift 2 ;;
    -f | -F)
      key="${2%%=*}" value="${2#*=}"
      if [[ "$1" == -F && "$value" == @* ]]; then value="$(cat "${value#@}")"; fi
      fields="$(jq -c --arg k "$key" --arg v "$value" '. + {($k): $v}' <<<"$fields")"
      shift 2 ;;
    *) path="$1"; shift ;;
  esac
done
issues="$dir/issues.json"
case "$method $path" in
  "GET user")
    if [[ -s "$dir/whoami" ]]; then out="$(jq -n --arg l "$(cat "$dir/whoami")" '{login: $l}')"
    else echo "gh: Resource not accessible by integration (HTTP 403)" >&2; exit 1; fi ;;
  "GET repos/acme/ledger/issues?"*) out="$(jq -c 'map(select(.state == "open"))' "$issues")" ;;
  "POST repos/acme/ledger/issues")
    n="$(jq '(map(.number) | max // 0) + 1' "$issues")"
    jq --argjson n "$n" --argjson f "$fields" --arg u "$(cat "$dir/poster")" \
      '. + [{number: $n, title: $f.title, body: $f.body, state: "open", user: {login: $u}}]' \
      "$issues" >"$issues.new" && mv "$issues.new" "$issues"
    out="$(jq -n --argjson n "$n" '{number: $n}')" ;;
  "PATCH repos/acme/ledger/issues/"*)
    n="${path##*/}"
    jq --argjson n "$n" --argjson f "$fields" 'map(if .number == $n then . + $f else . end)' \
      "$issues" >"$issues.new" && mv "$issues.new" "$issues"
    out='{}' ;;
  *) echo "fake gh: unexpected $method $path" >&2; exit 2 ;;
esac
if [[ -n "$silent" ]]; then exit 0; fi
if [[ -n "$query" ]]; then jq -r "$query" <<<"$out"; else echo "$out"; fi
"#;

/// `curl` against GitLab's issues API, the issues kept in `issues.json` the same way.
const FAKE_CURL: &str = r#"#!/usr/bin/env bash
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "curl $*" >>"$dir/calls.log"
if [[ -e "$dir/refuse" ]]; then
  echo "curl: (22) The requested URL returned error: 403" >&2
  exit 22
fi
method=GET url="" output="" token=""
fields='{}'
while (($#)); do
  case "$1" in
    --request) method="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --header) token="${2#PRIVATE-TOKEN: }"; shift 2 ;;
    --data | --data-urlencode)
      key="${2%%[=@]*}" rest="${2:${#key}}"
      if [[ "$rest" == @* ]]; then value="$(cat "${rest#@}")"; else value="${rest#=}"; fi
      fields="$(jq -c --arg k "$key" --arg v "$value" '. + {($k): $v}' <<<"$fields")"
      shift 2 ;;
    --fail | --silent | --show-error) shift ;;
    *) url="$1"; shift ;;
  esac
done
[[ "$token" == glpat-secret ]] || { echo "curl: (22) 401" >&2; exit 22; }
api=https://gitlab.example.com/api/v4
issues="$dir/issues.json"
case "$method $url" in
  "GET $api/user") out="$(jq -n --arg u "$(cat "$dir/poster")" '{username: $u}')" ;;
  "GET $api/projects/42/issues?"*)
    page="$(sed -n 's/.*[?&]page=\([0-9]*\).*/\1/p' <<<"$url")"
    out="$(jq -c --argjson p "${page:-1}" 'map(select(.state == "opened")) | .[($p - 1) * 100:$p * 100]' "$issues")" ;;
  "POST $api/projects/42/issues")
    n="$(jq '(map(.iid) | max // 0) + 1' "$issues")"
    jq --argjson n "$n" --argjson f "$fields" --arg u "$(cat "$dir/poster")" \
      '. + [{iid: $n, title: $f.title, description: $f.description, state: "opened", author: {username: $u}}]' \
      "$issues" >"$issues.new" && mv "$issues.new" "$issues"
    out="$(jq -n --argjson n "$n" '{iid: $n}')" ;;
  "PUT $api/projects/42/issues/"*)
    n="${url##*/}"
    jq --argjson n "$n" --argjson f "$fields" \
      'map(if .iid == $n then . + ($f | del(.state_event)) + (if $f.state_event == "close" then {state: "closed"} else {} end) else . end)' \
      "$issues" >"$issues.new" && mv "$issues.new" "$issues"
    out='{}' ;;
  *) echo "fake curl: unexpected $method $url" >&2; exit 22 ;;
esac
if [[ -n "$output" ]]; then echo "$out" >"$output"; else echo "$out"; fi
"#;

fn project() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn yaml(file: &str) -> Value {
    serde_saphyr::from_str::<Value>(&read(project().join(file)))
        .unwrap_or_else(|e| panic!("{file} is not valid YAML: {e}"))
}

/// A CI runner: the fakes first on PATH, then the real `rapport`, then the system.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new(poster: &str) -> Machine {
        for tool in ["jq", "date"] {
            let found = Command::new(tool).arg("--version").output();
            assert!(
                found.is_ok_and(|o| o.status.success()),
                "the CI scripts need {tool}: apt-get install jq (.ci/run installs it)"
            );
        }
        let machine = Machine {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        let bin = machine.path("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        std::fs::create_dir_all(machine.path("runner")).expect("runner");
        for (name, text) in [("gh", FAKE_GH), ("curl", FAKE_CURL)] {
            let file = bin.join(name);
            std::fs::write(&file, text).expect("fake");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        std::fs::write(machine.path("poster"), poster).expect("poster");
        machine.issues(json!([]));
        machine
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn issues(&self, issues: Value) {
        std::fs::write(self.path("issues.json"), issues.to_string()).expect("issues");
    }

    fn current(&self) -> Vec<Value> {
        serde_json::from_str::<Value>(&read(self.path("issues.json")))
            .expect("issues")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The calls that wrote something (POST, PATCH, PUT), forgotten once read.
    fn writes(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.path("calls.log")).unwrap_or_default();
        std::fs::remove_file(self.path("calls.log")).ok();
        log.lines()
            // Not an assertion: the calls that wrote something, picked out of the log.
            .filter(|l| ["POST", "PATCH", "PUT"].iter().any(|m| l.contains(m)))
            .map(str::to_string)
            .collect()
    }

    fn bash(&self, script: &str, repo: &Path, env: &[(&str, &str)]) -> Run {
        let rapport = Path::new(env!("CARGO_BIN_EXE_rapport"))
            .parent()
            .expect("the binary's folder");
        let path = format!(
            "{}:{}:{}",
            self.path("bin").display(),
            rapport.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["-eo", "pipefail", "-c", script])
            .current_dir(repo)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .output()
            .expect("bash runs");
        Run::from(out)
    }

    /// The workflow's digest and posting steps, as GitHub runs them for a week ending `until`.
    fn github_week(&self, repo: &Path, until: &str) -> Run {
        let workflow = yaml("ci/github/digest.yml");
        let steps = workflow["jobs"]["digest"]["steps"]
            .as_array()
            .expect("steps")
            .clone();
        let step = |name: &str| -> String {
            steps
                .iter()
                .find(|s| s["name"] == name)
                .and_then(|s| s["run"].as_str())
                .unwrap_or_else(|| panic!("a step named {name}"))
                .to_string()
        };
        let runner = self.path("runner").display().to_string();
        let digest = format!("{runner}/digest.md");
        let summary = self.path("summary.md").display().to_string();
        let env = [
            ("CI", "true"),
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_REPOSITORY", "acme/ledger"),
            ("GITHUB_STEP_SUMMARY", summary.as_str()),
            ("RUNNER_TEMP", runner.as_str()),
            ("GH_TOKEN", "ghs_secret"),
            ("RAPPORT_UNTIL", until),
            ("RAPPORT_DIGEST", digest.as_str()),
        ];
        let made = self.bash(&step("Digest of the week"), repo, &env);
        assert_eq!(made.code, 0, "{}", made.stderr);
        self.bash(&step("Post the digest issue"), repo, &env)
    }

    /// The GitLab job's script, with the template's variables, for a week ending `until`.
    fn gitlab_week(&self, repo: &Path, until: &str, token: &str) -> Run {
        let template = yaml("ci/gitlab/rapport-digest.gitlab-ci.yml");
        let job = &template["rapport-digest"];
        let script = job["script"][0].as_str().expect("the script").to_string();
        let mut env: Vec<(String, String)> = job["variables"]
            .as_object()
            .expect("variables")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_string()))
            .collect();
        for (k, v) in [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", "schedule"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("CI_PROJECT_ID", "42"),
            ("RAPPORT_UNTIL", until),
            ("RAPPORT_GITLAB_TOKEN", token),
        ] {
            env.retain(|(name, _)| name != k);
            env.push((k.to_string(), v.to_string()));
        }
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.bash(&script, repo, &env)
    }
}

/// Northwind: the partner owes the enablement plan by 2024-06-12; the notice deadline is
/// 2024-08-01. Nothing is committed after the end of May.
fn ledger() -> Script {
    let text = partnership(
        "Northwind Analytics",
        "since: 2024-01-15\n\
         contacts:\n  - { name: Dana Whitfield, side: partner, role: VP Alliances, level: executive, primary: true }\n  \
         - { name: Priya Raman, side: ours, role: Alliance Manager, level: manager, primary: true }\n\
         terms: { payment_days: 30, renewal: 2024-09-30, notice_days: 60 }\n",
        "\n## 2024-05-29 Weekly sync\nAttendees: Dana Whitfield, Priya Raman\n\nPipeline review went well.\n\n\
         - [ ] partner: send revised enablement plan (due 2024-06-12)\n",
    );
    Script::new()
        .commit(
            "2024-05-20",
            "Who the digest tells",
            &[(
                "rapport.yaml",
                "rapport: 1\nnotify:\n  Priya Raman: { github: priya }\n",
            )],
        )
        .commit(
            "2024-05-29",
            "Northwind: weekly sync notes",
            &[("partners/northwind.md", &text)],
        )
}

/// An issue someone else opened, starting with the marker.
fn someone_elses() -> Value {
    json!({
        "number": 1, "title": "Copied digest", "state": "open",
        "body": format!("{MARKER}\nmy own notes"), "user": { "login": "mallory" }
    })
}

#[test]
fn github_opens_the_weeks_issue_once_updates_it_and_posts_nothing_on_a_quiet_week() {
    let script = ledger();
    let machine = Machine::new("github-actions[bot]");
    machine.issues(json!([someone_elses()]));

    // The week the item went overdue: one new issue, mentioning the owner.
    let run = machine.github_week(script.path(), "2024-06-14");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "rapport: opened the digest issue #2 for 2024-W24\n"
    );
    assert_eq!(machine.writes().len(), 1);
    let issues = machine.current();
    assert_eq!(issues.len(), 2);
    assert_eq!(
        issues[0],
        someone_elses(),
        "another user's issue is left alone"
    );
    let body = issues[1]["body"].as_str().expect("body");
    assert!(
        body.starts_with(&format!(
            "{MARKER}\n### rapport digest 2024-06-07 → 2024-06-14: 1 new"
        )),
        "{body}"
    );
    // The issue's body holds this week's dates: one heading is looked for.
    assert!(body.contains("#### Priya Raman (@priya)"), "{body}");
    assert!(
        body.ends_with("<!-- rapport-digest-week: 2024-W24 -->"),
        "{body}"
    );
    assert_eq!(issues[1]["title"], "rapport digest, week 2024-W24");
    assert!(read(machine.path("summary.md")).starts_with(MARKER));

    // Run again in the same week (a manual run): the same issue, updated in place.
    let run = machine.github_week(script.path(), "2024-06-15");
    assert_eq!(
        run.stdout, "rapport: updated the digest issue #2 for 2024-W24\n",
        "{}",
        run.stderr
    );
    let writes = machine.writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0].starts_with("gh api --silent -X PATCH repos/acme/ledger/issues/2 -F body=@"),
        "{writes:?}"
    );
    assert_eq!(machine.current().len(), 2);

    // A quiet week: nothing posted, nothing closed.
    let run = machine.github_week(script.path(), "2024-06-21");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "::notice title=rapport digest::Nothing new this week: nothing posted.\n"
    );
    assert_eq!(machine.writes(), Vec::<String>::new());

    // The notice deadline comes inside 30 days: a new week's issue, the earlier one closed.
    let run = machine.github_week(script.path(), "2024-07-05");
    assert_eq!(
        run.stdout,
        "rapport: opened the digest issue #3 for 2024-W27\nrapport: closed the earlier digest issue #2\n",
        "{}",
        run.stderr
    );
    let issues = machine.current();
    assert_eq!(issues[0], someone_elses());
    assert_eq!(issues[1]["state"], "closed");
    assert_eq!(issues[2]["state"], "open");
    assert!(
        issues[2]["body"]
            .as_str()
            // The issue's body: the deadline line is looked for, the rest is the digest pinned by digest's tests.
            .is_some_and(|b| b.contains("notice is due by 2024-08-01"))
    );
}

#[test]
fn github_finds_its_issue_by_the_tokens_own_login_when_it_can_read_it() {
    let script = ledger();
    let machine = Machine::new("rapport-bot");
    std::fs::write(machine.path("whoami"), "rapport-bot").expect("whoami");
    // An issue with the marker for this very week, written by someone else: not ours.
    machine.issues(json!([{
        "number": 1, "title": "rapport digest, week 2024-W24", "state": "open",
        "body": format!("{MARKER}\n<!-- rapport-digest-week: 2024-W24 -->"),
        "user": { "login": "github-actions[bot]" }
    }]));
    let run = machine.github_week(script.path(), "2024-06-14");
    assert_eq!(
        run.stdout, "rapport: opened the digest issue #2 for 2024-W24\n",
        "{}",
        run.stderr
    );
    assert_eq!(machine.current()[0]["state"], "open");
}

#[test]
fn github_with_a_token_that_may_not_write_fails_nothing() {
    let script = ledger();
    let machine = Machine::new("github-actions[bot]");
    std::fs::write(machine.path("refuse"), "").expect("refuse");
    let run = machine.github_week(script.path(), "2024-06-14");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            // A workflow log: the notice, among the runner's lines.
            .contains("::notice title=rapport digest::The token cannot read"),
        "{}",
        run.stdout
    );
}

#[test]
fn gitlab_opens_the_weeks_issue_once_updates_it_and_posts_nothing_on_a_quiet_week() {
    let script = ledger();
    let machine = Machine::new("project_42_bot");
    machine.issues(json!([{
        "iid": 1, "title": "Copied digest", "state": "opened",
        "description": format!("{MARKER}\nmy own notes"), "author": { "username": "mallory" }
    }]));
    let run = machine.gitlab_week(script.path(), "2024-06-14", "glpat-secret");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout, "rapport: opened the digest issue #2 for 2024-W24\n",
        "{}",
        run.stderr
    );
    assert!(
        script.path().join("rapport-digest.md").is_file(),
        "the artifact"
    );
    let run = machine.gitlab_week(script.path(), "2024-06-15", "glpat-secret");
    assert_eq!(
        run.stdout, "rapport: updated the digest issue #2 for 2024-W24\n",
        "{}",
        run.stderr
    );
    machine.writes();
    let run = machine.gitlab_week(script.path(), "2024-06-21", "glpat-secret");
    assert_eq!(
        run.stdout, "rapport: nothing new this week; nothing posted\n",
        "{}",
        run.stderr
    );
    assert_eq!(machine.writes(), Vec::<String>::new());
    let run = machine.gitlab_week(script.path(), "2024-07-05", "glpat-secret");
    assert_eq!(
        run.stdout,
        "rapport: opened the digest issue #3 for 2024-W27\nrapport: closed the earlier digest issue #2\n",
        "{}",
        run.stderr
    );
    let issues = machine.current();
    assert_eq!(
        issues[0]["state"], "opened",
        "another user's issue is left alone"
    );
    assert_eq!(issues[0]["description"], format!("{MARKER}\nmy own notes"));
    assert_eq!(issues[1]["state"], "closed");
    let description = issues[2]["description"].as_str().expect("description");
    assert!(
        // The issue's description: the mention is looked for, the rest is the digest pinned by digest's tests.
        description.starts_with(MARKER) && description.contains("@priya"),
        "{description}"
    );
}

#[test]
fn gitlab_without_a_usable_token_posts_nothing_and_fails_nothing() {
    let script = ledger();
    let machine = Machine::new("project_42_bot");
    let run = machine.gitlab_week(script.path(), "2024-06-14", "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        // A job log: the line that says why no issue is posted.
        run.stdout.contains("RAPPORT_GITLAB_TOKEN is not set"),
        "{}",
        run.stdout
    );
    let run = machine.gitlab_week(script.path(), "2024-06-14", "glpat-wrong");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        // A job log: the line that says why no issue is posted.
        run.stderr.contains("cannot tell whose the token is"),
        "{}",
        run.stderr
    );
    assert_eq!(machine.writes(), Vec::<String>::new());
    assert_eq!(machine.current(), Vec::<Value>::new());
}

#[test]
fn the_templates_run_the_tested_scripts_on_a_schedule_with_full_history() {
    let workflow = yaml("ci/github/digest.yml");
    assert!(workflow["on"]["schedule"][0]["cron"].is_string());
    assert!(workflow["on"].get("workflow_dispatch").is_some());
    assert_eq!(workflow["permissions"]["issues"], "write");
    let job = &workflow["jobs"]["digest"];
    assert_eq!(job["continue-on-error"], true);
    let steps = job["steps"].as_array().expect("steps");
    assert_eq!(steps[0]["with"]["fetch-depth"], 0);
    let post = read(project().join("ci/github/digest.sh"));
    let post = post.strip_prefix("#!/usr/bin/env bash\n").expect("bash");
    assert_eq!(
        steps[3]["run"], post,
        "the workflow's posting step differs from ci/github/digest.sh"
    );
    assert_eq!(steps[3]["env"]["GH_TOKEN"], "${{ github.token }}");
    let install = read(project().join("ci/gitlab/install.sh"));
    let install = install.strip_prefix("#!/usr/bin/env bash\n").expect("bash");
    assert_eq!(
        steps[1]["run"],
        format!("{install}echo \"$HOME/.local/bin\" >>\"$GITHUB_PATH\"\n"),
        "the workflow's install step differs from ci/gitlab/install.sh"
    );
    assert_eq!(
        steps[1]["env"]["RAPPORT_VERSION"],
        env!("CARGO_PKG_VERSION")
    );

    let template = yaml("ci/gitlab/rapport-digest.gitlab-ci.yml");
    let job = &template["rapport-digest"];
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    assert_eq!(
        job["variables"]["RAPPORT_VERSION"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(job["allow_failure"], true);
    assert!(
        job["rules"][0]["if"]
            .as_str()
            // Not an assertion on output: the template's rule that runs on a schedule.
            .is_some_and(|r| r.contains("\"schedule\""))
    );
    let script = read(project().join("ci/gitlab/digest.sh"));
    assert_eq!(
        job["script"][0],
        script.strip_prefix("#!/usr/bin/env bash\n").expect("bash")
    );
    assert_eq!(job["before_script"][1], install);
    // What `rapport init` writes is the shipped workflow.
    let dir = tempfile::tempdir().expect("a temporary folder");
    let init = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .args(["init", "ledger"])
        .current_dir(dir.path())
        .output()
        .expect("init runs");
    assert!(init.status.success());
    assert_eq!(
        read(
            dir.path()
                .join("ledger/.github/workflows/rapport-digest.yml")
        ),
        read(project().join("ci/github/digest.yml"))
    );
}

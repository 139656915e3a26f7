//! The CI integrations as they run: the GitHub Action's steps and the GitLab template's script,
//! executed with bash on a scripted ledger, the real `rapport` first on PATH and fake `gh` and
//! `curl` that record their calls and answer canned JSON; and the YAML files that wire them
//! (action, workflow, GitLab template, pre-commit hooks), parsed and held to the scripts.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{Script, northwind_front, partnership, shallow_clone};
use serde_json::Value;
use tempfile::TempDir;

const MARKER: &str = "<!-- rapport-report -->";

// ---------------------------------------------------------------------------------------------
// The ledger: months of Northwind notes on `main`, a pull-request branch that stretches terms.

const SPRING: &str = "\n## 2024-03-14 Launch review\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
Launch went well; two hospitals asked for a demo.\n\n- [x] partner: share the launch deck\n\n\
## 2024-04-18 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\nPipeline on plan; SSO integration scoped.\n\n\
## 2024-05-23 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\nThree new opportunities in the Nordics.\n\n\
## 2024-06-20 Quarterly business review\nAttendees: Dana Whitfield, Omar Haddad, Priya Raman\n\n\
Pipeline at 310,000 against 400,000; the team expects to close the gap in Q3.\n";

const JULY: &str = "\n## 2024-07-11 Pipeline sync\nAttendees: Omar Haddad, Priya Raman\n\n\
Two opportunities moved to proposal. Finance agreed net-45 from the Q3 invoice.\n";

fn northwind(days: u32, body: &str) -> String {
    partnership("Northwind Analytics", &northwind_front(days, ""), body)
}

fn zhiheng() -> String {
    partnership(
        "智衡软件",
        "since: 2024-01-10\ncontacts:\n  - { name: 王磊, side: partner, role: 合作总监, level: director, primary: true }\n  \
         - { name: Chen Siyuan, side: ours, role: Partner Manager, level: manager, primary: true }\n\
         kpis:\n  - { id: projects, name: Projects delivered, unit: projects, target: 4, actual: 4, as_of: 2024-06-30 }\n",
        "\n## 2024-04-11 季度业务回顾\n参会人员：王磊, Chen Siyuan\n\n项目按计划推进，客户反馈良好。\n",
    )
}

/// `main` with Northwind at net-`days` and Zhiheng, then branch `pr` checked out.
fn main_then_pr(days: u32) -> Script {
    Script::new()
        .commit(
            "2024-01-15",
            "Start the ledger with Northwind",
            &[("partners/northwind.md", &northwind(days, ""))],
        )
        .commit(
            "2024-02-12",
            "Add Zhiheng",
            &[("partners/zhiheng.md", &zhiheng())],
        )
        .commit(
            "2024-06-21",
            "Northwind: spring notes and June QBR",
            &[("partners/northwind.md", &northwind(days, SPRING))],
        )
        .branch("pr")
}

/// The pull request stretches Northwind's payment terms from net-30 to net-45: a new warning.
fn stretched_terms() -> Script {
    main_then_pr(30).commit(
        "2024-07-12",
        "Northwind: net-45 from the Q3 invoice",
        &[(
            "partners/northwind.md",
            &northwind(45, &format!("{SPRING}{JULY}")),
        )],
    )
}

/// The pull request mistypes a field: the ledger is invalid at head.
fn typo() -> Script {
    main_then_pr(30).commit(
        "2024-07-12",
        "Northwind: July notes",
        &[(
            "partners/northwind.md",
            &northwind(30, &format!("{SPRING}{JULY}")).replace("payment_days", "payment_dayz"),
        )],
    )
}

// ---------------------------------------------------------------------------------------------
// The CI machine: a temporary folder with fake `gh`, `curl` and `cargo`, canned answers, a log.

/// Records its arguments, keeps a copy of the body it was given, answers from canned files.
const FAKE_GH: &str = r#"#!/usr/bin/env bash
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "gh $*" >>"$dir/calls.log"
for arg in "$@"; do
  case "$arg" in body=@*) cp "${arg#body=@}" "$dir/body.md" ;; esac
done
if [[ -e "$dir/refuse" ]]; then
  echo "gh: Resource not accessible by integration (HTTP 403)" >&2
  exit 1
fi
case " $* " in
  *" --paginate "*) cat "$dir/comments.json" ;;
  *" --silent "*) ;;
  *) echo '{"id": 9999}' ;;
esac
"#;

const FAKE_CURL: &str = r#"#!/usr/bin/env bash
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "curl $*" >>"$dir/calls.log"
method=GET
previous=""
for arg in "$@"; do
  case "$previous" in
    --request) method="$arg" ;;
    --data-urlencode) cp "${arg#body@}" "$dir/body.md" ;;
  esac
  previous="$arg"
done
if [[ -e "$dir/refuse" ]]; then
  echo "curl: (22) The requested URL returned error: 403" >&2
  exit 22
fi
if [[ "$method" == GET ]]; then cat "$dir/notes.json"; fi
"#;

const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "cargo $*" >>"$dir/calls.log"
exit 1
"#;

struct Machine {
    dir: TempDir,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn expect(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

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

impl Machine {
    fn new() -> Machine {
        let jq = Command::new("jq").arg("--version").output();
        assert!(
            jq.is_ok_and(|o| o.status.success()),
            "the CI scripts need jq: apt-get install jq (.ci/run installs it)"
        );
        let machine = Machine {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        let bin = machine.path("bin");
        std::fs::create_dir_all(&bin).expect("bin");
        std::fs::create_dir_all(machine.path("runner")).expect("runner temp");
        for (name, text) in [("gh", FAKE_GH), ("curl", FAKE_CURL), ("cargo", FAKE_CARGO)] {
            let file = bin.join(name);
            std::fs::write(&file, text).expect("fake");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        machine.comments("[]");
        machine.notes("[]");
        machine.event("acme/ledger");
        machine
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The pages `gh api --paginate` prints (JSON arrays one after the other).
    fn comments(&self, pages: &str) {
        std::fs::write(self.path("comments.json"), pages).expect("comments");
    }

    fn notes(&self, page: &str) {
        std::fs::write(self.path("notes.json"), page).expect("notes");
    }

    /// The pull-request event, with the repository its head branch lives in.
    fn event(&self, head_repo: &str) {
        let event = serde_json::json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {
                "number": 7,
                "head": { "ref": "pr", "repo": { "full_name": head_repo } },
                "base": { "ref": "main", "repo": { "full_name": "acme/ledger" } },
            },
        });
        std::fs::write(self.path("event.json"), event.to_string()).expect("event");
    }

    /// Makes every `gh` and `curl` call fail, as with a token that may not comment.
    fn refuse(&self) {
        std::fs::write(self.path("refuse"), "").expect("refuse");
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls.log"))
            .map(|log| log.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn body(&self) -> String {
        read(self.path("body.md"))
    }

    /// A command with only the environment a CI runner gives: the fakes first on PATH, then the
    /// real `rapport`, then the system.
    fn command(&self, program: &str, cwd: &Path, env: &[(String, String)]) -> Command {
        let rapport = Path::new(env!("CARGO_BIN_EXE_rapport"))
            .parent()
            .expect("the binary's folder");
        let path = format!(
            "{}:{}:{}",
            self.path("bin").display(),
            rapport.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd)
            .env_clear()
            .env("PATH", path)
            .env("HOME", self.dir.path())
            .env("NO_COLOR", "1")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd
    }

    /// The variables GitHub Actions sets for a pull-request job.
    fn github_env(&self) -> Vec<(String, String)> {
        [
            ("CI", "true".to_string()),
            ("GITHUB_ACTIONS", "true".to_string()),
            ("GITHUB_EVENT_NAME", "pull_request".to_string()),
            ("GITHUB_REPOSITORY", "acme/ledger".to_string()),
            ("GITHUB_BASE_REF", "main".to_string()),
            ("GITHUB_HEAD_REF", "pr".to_string()),
            ("GITHUB_EVENT_PATH", self.display("event.json")),
            ("GITHUB_STEP_SUMMARY", self.display("summary.md")),
            ("GITHUB_OUTPUT", self.display("output.txt")),
            ("GITHUB_PATH", self.display("path.txt")),
            ("RUNNER_TEMP", self.display("runner")),
            ("GITHUB_ACTION_PATH", project().display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    fn display(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// Runs the action's step that calls `script` exactly as the composite action does: its
    /// `run` text under `bash -eo pipefail`, its `env` with the expressions filled in from the
    /// inputs (`inputs` overrides the defaults), in its working directory under `repo`.
    fn action_step(&self, script: &str, repo: &Path, inputs: &[(&str, &str)]) -> Run {
        let action = yaml("action.yml");
        let step = action_steps(&action)
            .into_iter()
            .find(|s| s["run"].as_str().is_some_and(|run| run.contains(script)))
            .unwrap_or_else(|| panic!("no step of action.yml runs {script}"));

        let mut context: BTreeMap<String, String> = BTreeMap::new();
        for (name, input) in action["inputs"].as_object().expect("inputs") {
            let default = input["default"].as_str().unwrap_or_default();
            context.insert(format!("inputs.{name}"), default.to_string());
        }
        for (name, value) in inputs {
            assert!(
                context.contains_key(&format!("inputs.{name}")),
                "action.yml has no input {name}"
            );
            context.insert(format!("inputs.{name}"), value.to_string());
        }
        context.insert("runner.temp".into(), self.display("runner"));
        context.insert("github.token".into(), "ghs_fake_token".into());

        let mut env = self.github_env();
        if let Some(vars) = step["env"].as_object() {
            for (name, value) in vars {
                let value = value.as_str().expect("env values are strings");
                env.push((name.clone(), expand(value, &context)));
            }
        }
        let cwd = match step["working-directory"].as_str() {
            Some(dir) => repo.join(expand(dir, &context)),
            None => repo.to_path_buf(),
        };
        assert_eq!(step["shell"], "bash", "{step:#}");
        let run = step["run"].as_str().expect("run");
        Run::from(
            self.command("bash", &cwd, &env)
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", run])
                .output()
                .expect("bash runs"),
        )
    }

    /// `ci/gitlab/report.sh` with the variables GitLab sets for a merge-request pipeline and
    /// the template's job variables, plus `extra`.
    fn gitlab_report(&self, script: &Script, extra: &[(&str, &str)]) -> Run {
        let base = script.git(&["rev-parse", "main"]);
        let base = String::from_utf8_lossy(&base.stdout).trim().to_string();
        let mut env: Vec<(String, String)> = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("CI_PROJECT_ID", "42"),
            ("CI_MERGE_REQUEST_IID", "7"),
            ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let template = yaml("ci/gitlab/rapport.gitlab-ci.yml");
        for (name, value) in template["rapport"]["variables"]
            .as_object()
            .expect("variables")
        {
            env.push((name.clone(), value.as_str().expect("a string").to_string()));
        }
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Run::from(
            self.command("bash", script.path(), &env)
                .arg(project().join("ci/gitlab/report.sh"))
                .output()
                .expect("bash runs"),
        )
    }
}

/// Fills in `${{ name }}` expressions from `context`; an unknown one is a test failure.
fn expand(text: &str, context: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").expect("a closed expression") + start;
        let name = rest[start + 3..end].trim();
        out.push_str(
            context
                .get(name)
                .unwrap_or_else(|| panic!("the test does not know `{name}`")),
        );
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn action_steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"].as_array().expect("steps").clone()
}

fn outputs(machine: &Machine) -> BTreeMap<String, String> {
    read(machine.path("output.txt"))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// GitHub: the action's steps.

#[test]
fn the_first_run_posts_one_comment_with_the_new_finding() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    run.expect(0);
    assert!(
        run.stderr
            .contains("rapport: comparing with main (from GITHUB_BASE_REF)"),
        "{}",
        run.stderr
    );
    // The annotation on the line that changed.
    assert!(
        run.stdout
            .contains("::warning file=partners/northwind.md,line="),
        "{}",
        run.stdout
    );

    let calls = machine.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert_eq!(
        calls[0],
        "gh api --paginate repos/acme/ledger/issues/7/comments"
    );
    assert!(
        calls[1]
            .starts_with("gh api --silent -X POST repos/acme/ledger/issues/7/comments -F body=@"),
        "{calls:#?}"
    );
    let body = machine.body();
    assert!(body.starts_with(MARKER), "{body}");
    assert!(body.contains("payment-terms-slip"), "{body}");
    assert!(body.contains("**new**"), "{body}");
    assert!(
        run.stdout
            .contains("posted the report comment on pull request #7")
    );

    // The job summary and the files the next steps read.
    let summary = read(machine.path("summary.md"));
    assert!(summary.contains(MARKER), "{summary}");
    let outputs = outputs(&machine);
    assert_eq!(outputs["exit-code"], "0");
    let sarif: Value = serde_json::from_str(&read(&outputs["sarif"])).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(
        results.iter().any(|r| r["ruleId"] == "payment-terms-slip"),
        "{sarif:#}"
    );
    assert_eq!(read(&outputs["markdown"]), body);
    let root = std::fs::canonicalize(ledger.path()).expect("root");
    assert_eq!(std::fs::canonicalize(&outputs["root"]).expect("root"), root);
}

#[test]
fn a_later_run_updates_the_marked_comment_in_place() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    // Two pages of comments; the report comment is the first one starting with the marker.
    machine.comments(&format!(
        "[{{\"id\": 11, \"body\": \"Looks good to me\"}}, {{\"id\": 12, \"body\": null}}, \
         {{\"id\": 13, \"body\": \"quoting: {MARKER}\"}}]\n\
         [{{\"id\": 4242, \"body\": \"{MARKER}\\n### rapport: 1 new\"}}, \
         {{\"id\": 4300, \"body\": \"{MARKER}\\nanother\"}}]\n"
    ));
    machine
        .action_step("ci/github/report.sh", ledger.path(), &[])
        .expect(0);
    let calls = machine.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(
        calls[1].starts_with(
            "gh api --silent -X PATCH repos/acme/ledger/issues/comments/4242 -F body=@"
        ),
        "{calls:#?}"
    );
    assert!(!calls.iter().any(|c| c.contains("POST")), "{calls:#?}");
    assert!(machine.body().starts_with(MARKER));
}

#[test]
fn a_fork_gets_no_comment_and_the_report_is_in_the_job_summary() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine.event("someone/ledger");
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    run.expect(0);
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
    assert!(
        run.stdout
            .contains("::notice title=rapport::Pull request from a fork"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("The report is in the job summary."));
    let summary = read(machine.path("summary.md"));
    assert!(summary.contains(MARKER), "{summary}");
    assert!(summary.contains("payment-terms-slip"), "{summary}");
}

#[test]
fn a_token_that_may_not_comment_does_not_fail_the_job() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine.refuse();
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    run.expect(0);
    assert_eq!(machine.calls().len(), 1, "{:#?}", machine.calls());
    assert!(
        run.stdout
            .contains("::notice title=rapport::The token cannot read"),
        "{}",
        run.stdout
    );
}

#[test]
fn failing_on_warnings_exits_1_after_the_comment_is_posted() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.action_step(
        "ci/github/report.sh",
        ledger.path(),
        &[("fail-on", "warning")],
    );
    run.expect(1);
    let calls = machine.calls();
    assert!(
        calls.iter().any(|c| c.contains("-X POST")),
        "posted before failing: {calls:#?}"
    );
    assert!(machine.body().contains("payment-terms-slip"));
    assert_eq!(outputs(&machine)["exit-code"], "1");
}

#[test]
fn an_invalid_ledger_at_head_is_commented_then_fails_with_2() {
    let ledger = typo();
    let machine = Machine::new();
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    run.expect(2);
    assert!(
        machine.calls().iter().any(|c| c.contains("-X POST")),
        "{:#?}",
        machine.calls()
    );
    assert!(
        machine.body().contains("payment_dayz"),
        "{}",
        machine.body()
    );
}

#[test]
fn comment_false_posts_nothing() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine
        .action_step(
            "ci/github/report.sh",
            ledger.path(),
            &[("comment", "false")],
        )
        .expect(0);
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
}

#[test]
fn the_comment_script_outside_a_pull_request_only_notices() {
    let machine = Machine::new();
    std::fs::write(machine.path("event.json"), r#"{"ref": "refs/heads/main"}"#).expect("event");
    std::fs::write(machine.path("report.md"), format!("{MARKER}\nreport\n")).expect("report");
    let run = Run::from(
        machine
            .command("bash", machine.dir.path(), &machine.github_env())
            .arg(project().join("ci/github/comment.sh"))
            .arg(machine.path("report.md"))
            .output()
            .expect("bash runs"),
    );
    run.expect(0);
    assert!(
        run.stdout
            .contains("::notice title=rapport::Not a pull request"),
        "{}",
        run.stdout
    );
    assert!(machine.calls().is_empty());
}

#[test]
fn a_shallow_checkout_gets_its_history_then_the_report_runs() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let clones = tempfile::tempdir().expect("temp");
    let clone = shallow_clone(&ledger, clones.path());
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(&clone)
            .output()
            .expect("git");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(git(&["rev-parse", "--is-shallow-repository"]), "true");

    machine
        .action_step("ci/github/history.sh", &clone, &[])
        .expect(0);
    assert_eq!(git(&["rev-parse", "--is-shallow-repository"]), "false");
    assert_eq!(
        git(&["rev-parse", "origin/main"]),
        String::from_utf8_lossy(&ledger.git(&["rev-parse", "main"]).stdout).trim()
    );

    let run = machine.action_step("ci/github/report.sh", &clone, &[]);
    run.expect(0);
    assert!(
        run.stderr
            .contains("comparing with origin/main (from GITHUB_BASE_REF)"),
        "{}",
        run.stderr
    );
    assert!(machine.body().contains("payment-terms-slip"));
}

#[test]
fn the_install_step_keeps_a_rapport_already_on_path() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.action_step("ci/github/install.sh", ledger.path(), &[]);
    run.expect(0);
    assert!(run.stdout.starts_with("rapport: using "), "{}", run.stdout);
    assert!(
        machine.calls().is_empty(),
        "cargo ran: {:#?}",
        machine.calls()
    );
}

// ---------------------------------------------------------------------------------------------
// GitLab: the template's script.

const TOKEN: (&str, &str) = ("RAPPORT_GITLAB_TOKEN", "glpat-fake");
const NOTES_URL: &str = "https://gitlab.example.com/api/v4/projects/42/merge_requests/7/notes";

fn code_quality(ledger: &Script) -> Vec<Value> {
    let text = read(ledger.path().join("gl-code-quality-report.json"));
    serde_json::from_str::<Vec<Value>>(&text).expect("a JSON array")
}

#[test]
fn gitlab_posts_one_note_and_writes_the_code_quality_report() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.gitlab_report(&ledger, &[TOKEN]);
    run.expect(0);
    assert!(
        run.stderr.contains("(from CI_MERGE_REQUEST_DIFF_BASE_SHA)"),
        "{}",
        run.stderr
    );
    let issues = code_quality(&ledger);
    assert!(
        issues
            .iter()
            .any(|i| i["check_name"] == "payment-terms-slip"
                && i["location"]["path"] == "partners/northwind.md"),
        "{issues:#?}"
    );

    let calls = machine.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(
        calls[0].contains(&format!("{NOTES_URL}?per_page=100&page=1"))
            && calls[0].contains("PRIVATE-TOKEN: glpat-fake"),
        "{calls:#?}"
    );
    assert!(
        calls[1].contains("--request POST")
            && calls[1].contains("--data-urlencode body@rapport-report.md")
            && calls[1].ends_with(NOTES_URL),
        "{calls:#?}"
    );
    let body = machine.body();
    assert!(body.starts_with(MARKER), "{body}");
    assert!(body.contains("payment-terms-slip"), "{body}");
    assert_eq!(read(ledger.path().join("rapport-report.md")), body);
}

#[test]
fn gitlab_updates_the_marked_note_then_fails_on_warnings() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine.notes(&format!(
        "[{{\"id\": 5, \"body\": \"added 1 commit\", \"system\": true}}, \
         {{\"id\": 77, \"body\": \"{MARKER}\\nold report\"}}]"
    ));
    let run = machine.gitlab_report(&ledger, &[TOKEN, ("RAPPORT_FAIL_ON", "warning")]);
    run.expect(1);
    let calls = machine.calls();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(
        calls[1].contains("--request PUT") && calls[1].ends_with(&format!("{NOTES_URL}/77")),
        "{calls:#?}"
    );
    assert!(machine.body().starts_with(MARKER));
}

#[test]
fn gitlab_without_a_token_reports_but_posts_no_note() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.gitlab_report(&ledger, &[]);
    run.expect(0);
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
    assert!(
        run.stdout
            .contains("RAPPORT_GITLAB_TOKEN is not set: no merge-request note"),
        "{}",
        run.stdout
    );
    assert!(!code_quality(&ledger).is_empty());
    assert!(read(ledger.path().join("rapport-report.md")).starts_with(MARKER));
}

#[test]
fn gitlab_with_a_refused_token_still_ends_with_the_report_exit_code() {
    let ledger = typo();
    let machine = Machine::new();
    machine.refuse();
    let run = machine.gitlab_report(&ledger, &[TOKEN]);
    run.expect(2);
    assert_eq!(machine.calls().len(), 1, "{:#?}", machine.calls());
    assert!(
        run.stderr.contains("cannot read the merge request's notes"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// The YAML files, held to the scripts.

#[test]
fn the_action_runs_the_scripts_with_the_inputs_they_read() {
    let action = yaml("action.yml");
    assert_eq!(action["name"], "rapport pull-request report");
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = &action["inputs"];
    for (name, default) in [
        ("path", "."),
        ("base", ""),
        ("fail-on", "error"),
        ("comment", "true"),
        ("sarif", "true"),
        ("working-directory", "."),
    ] {
        assert_eq!(inputs[name]["default"], default, "input {name}");
        assert!(inputs[name]["description"].is_string(), "input {name}");
    }

    let steps = action_steps(&action);
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(
        runs,
        [
            "bash \"$GITHUB_ACTION_PATH/ci/github/history.sh\"",
            "bash \"$GITHUB_ACTION_PATH/ci/github/install.sh\"",
            "bash \"$GITHUB_ACTION_PATH/ci/github/report.sh\"",
        ]
    );
    for script in ["history.sh", "install.sh", "report.sh", "comment.sh"] {
        let text = read(project().join("ci/github").join(script));
        assert!(text.starts_with("#!/usr/bin/env bash\n"), "{script}");
        assert!(text.contains("\nset -euo pipefail\n"), "{script}");
        assert!(!text.contains("eval"), "{script}");
    }

    // Every variable the report step sets is read by the scripts.
    let report = steps
        .iter()
        .find(|s| s["id"] == "report")
        .expect("a step with id report");
    let scripts =
        read(project().join("ci/github/report.sh")) + &read(project().join("ci/github/comment.sh"));
    for name in report["env"].as_object().expect("env").keys() {
        let read_by_script = scripts.contains(&format!("${{{name}")) || scripts.contains(name);
        assert!(read_by_script, "the scripts never read {name}");
    }
    assert_eq!(report["env"]["GH_TOKEN"], "${{ github.token }}");

    // The upload reads what report.sh writes, even after a failing report, never on a fork.
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .expect("an upload step");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v3");
    assert_eq!(upload["with"]["category"], "rapport");
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.report.outputs.sarif }}"
    );
    let condition = upload["if"].as_str().expect("a condition");
    for part in [
        "always()",
        "inputs.sarif == 'true'",
        "steps.report.outputs.sarif != ''",
        "github.event.pull_request.head.repo.full_name == github.repository",
    ] {
        assert!(condition.contains(part), "{condition}");
    }
    let report_sh = read(project().join("ci/github/report.sh"));
    let action_text = read(project().join("action.yml"));
    for output in ["exit-code", "markdown", "sarif", "root"] {
        assert!(report_sh.contains(&format!("echo \"{output}=")), "{output}");
    }
    let mut rest = action_text.as_str();
    while let Some(at) = rest.find("steps.report.outputs.") {
        rest = &rest[at + "steps.report.outputs.".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(
            report_sh.contains(&format!("echo \"{name}=")),
            "report.sh never writes the output {name}"
        );
    }
}

#[test]
fn the_workflow_fetches_all_history_and_may_comment_and_upload() {
    let workflow = yaml("ci/github/rapport.yml");
    assert_eq!(
        workflow["on"]["pull_request"]["paths"],
        serde_json::json!(["partners/**", "rapport.yaml"])
    );
    assert_eq!(
        workflow["permissions"],
        serde_json::json!({
            "contents": "read",
            "pull-requests": "write",
            "security-events": "write",
        })
    );
    let steps = workflow["jobs"]["report"]["steps"]
        .as_array()
        .expect("steps");
    assert!(
        steps[0]["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with("actions/checkout@")),
        "{steps:#?}"
    );
    assert_eq!(steps[0]["with"]["fetch-depth"], 0);
    assert_eq!(steps[1]["uses"], "OWNER/rapport@main");
    let action = yaml("action.yml");
    for input in steps[1]["with"].as_object().expect("with").keys() {
        assert!(action["inputs"][input].is_object(), "no input {input}");
    }
}

#[test]
fn the_workflow_publishes_the_portfolio_page() {
    let workflow = yaml("ci/github/rapport.yml");
    let steps = workflow["jobs"]["report"]["steps"]
        .as_array()
        .expect("steps");
    let page = steps
        .iter()
        .find(|s| s["name"] == "Portfolio page")
        .expect("a portfolio step");
    assert_eq!(page["if"], "always()");
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("an upload-artifact step");
    assert_eq!(upload["if"], "always()");
    assert_eq!(upload["with"]["name"], "rapport-portfolio");
    assert_eq!(upload["with"]["path"], "${{ runner.temp }}/portfolio.html");
    // The step's command, run as the runner runs it, writes the page the upload takes.
    let ledger = stretched_terms();
    let temp = tempfile::TempDir::new().expect("temp dir");
    let bin = Path::new(env!("CARGO_BIN_EXE_rapport"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let status = Command::new("bash")
        .args([
            "-eo",
            "pipefail",
            "-c",
            page["run"].as_str().expect("a command"),
        ])
        .current_dir(ledger.path())
        .env("PATH", path)
        .env("RUNNER_TEMP", temp.path())
        .status()
        .expect("bash runs");
    assert!(status.success());
    let html = read(temp.path().join("portfolio.html"));
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("Northwind Analytics"));
}

#[test]
fn the_gitlab_template_runs_the_tested_script_with_full_history() {
    let template = yaml("ci/gitlab/rapport.gitlab-ci.yml");
    let job = &template["rapport"];
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    // A release binary, not a toolchain: the template's version is the crate's.
    assert_eq!(job["image"], "debian:bookworm-slim");
    assert_eq!(
        job["variables"]["RAPPORT_VERSION"],
        env!("CARGO_PKG_VERSION")
    );
    assert_eq!(job["variables"]["RAPPORT_INSTALL"], "");
    assert!(
        job["rules"][0]["if"]
            .as_str()
            .is_some_and(|r| r.contains("$CI_PIPELINE_SOURCE == \"merge_request_event\"")),
        "{job:#}"
    );
    let before = job["before_script"].as_array().expect("before_script");
    let install = read(project().join("ci/gitlab/install.sh"));
    let install = install
        .strip_prefix("#!/usr/bin/env bash\n")
        .expect("a bash script");
    assert_eq!(
        before.last(),
        Some(&serde_json::json!(install)),
        "rapport.gitlab-ci.yml's install differs from ci/gitlab/install.sh"
    );
    assert_eq!(job["artifacts"]["when"], "always");
    assert_eq!(
        job["artifacts"]["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    assert_eq!(
        job["artifacts"]["paths"],
        serde_json::json!(["rapport-report.md"])
    );
    // The job's script is ci/gitlab/report.sh, the one the tests above run.
    let script = read(project().join("ci/gitlab/report.sh"));
    let body = script
        .strip_prefix("#!/usr/bin/env bash\n")
        .expect("a bash script");
    assert_eq!(
        job["script"],
        serde_json::json!([body]),
        "rapport.gitlab-ci.yml's script differs from ci/gitlab/report.sh"
    );
    assert!(body.contains("\nset -euo pipefail\n") && !body.contains("eval"));
}

#[test]
fn the_pre_commit_hooks_are_rapport_command_lines_that_run() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_array().expect("a list of hooks");
    let hook = |id: &str| {
        hooks
            .iter()
            .find(|h| h["id"] == id)
            .unwrap_or_else(|| panic!("no hook {id}"))
            .clone()
    };
    let check = hook("rapport-check");
    let push = hook("rapport-report");
    // On commit, pre-commit passes the staged files: `rapport check FILE...` reads only their
    // histories. On push, the gate compares the branch as a whole.
    assert!(check.get("pass_filenames").is_none_or(|p| p == true));
    assert_eq!(push["pass_filenames"], false);
    for h in [&check, &push] {
        assert_eq!(h["language"], "rust");
        assert_eq!(h["files"], r"^(partners/.*\.md|rapport\.yaml)$");
        assert!(h["name"].is_string());
    }
    assert_eq!(check["entry"], "rapport check --fail-on error");
    assert_eq!(push["entry"], "rapport check --base origin/HEAD");
    assert_eq!(push["stages"], serde_json::json!(["pre-push"]));

    // Each entry, run in a ledger whose origin/HEAD is main, on the branch being pushed, which
    // doubles Northwind's payment terms (net-30 to net-60): a new error.
    let ledger = main_then_pr(30).commit(
        "2024-07-12",
        "Northwind: net-60",
        &[(
            "partners/northwind.md",
            &northwind(60, &format!("{SPRING}{JULY}")),
        )],
    );
    for args in [
        &["update-ref", "refs/remotes/origin/main", "main"][..],
        &[
            "symbolic-ref",
            "refs/remotes/origin/HEAD",
            "refs/remotes/origin/main",
        ],
    ] {
        assert!(ledger.git(args).status.success());
    }
    let machine = Machine::new();
    let run_entry = |entry: &Value, staged: &[&str]| {
        let mut words: Vec<&str> = entry.as_str().expect("entry").split_whitespace().collect();
        words.extend(staged);
        assert_eq!(words[0], "rapport");
        Run::from(
            machine
                .command("rapport", ledger.path(), &[])
                .args(&words[1..])
                .output()
                .expect("rapport runs"),
        )
    };
    let checked = run_entry(&check["entry"], &["partners/northwind.md"]);
    assert!(
        [0, 1].contains(&checked.code),
        "a valid ledger is never 2: {}{}",
        checked.stdout,
        checked.stderr
    );
    assert!(checked.stdout.contains("checked"), "{}", checked.stdout);
    let pushed = run_entry(&push["entry"], &[]);
    pushed.expect(1);
    assert!(
        pushed.stdout.contains("error[payment-terms-slip]"),
        "{}",
        pushed.stdout
    );
}

//! The CI integrations as they run: the GitHub Action's steps on a simulated runner (the action
//! in the runner's `_actions/OWNER/REPO/REF` folder, GITHUB_ACTION_REPOSITORY empty in `run:`
//! steps, step outputs and GITHUB_PATH carried between steps, actions/cache kept across jobs, a
//! release server on 127.0.0.1 serving archives made by ci/release/package.sh) and the GitLab
//! template's job, executed with bash on a scripted ledger, the real `rapport` first on PATH and
//! fake `gh` and GitLab API (`curl`) that record their calls and answer canned JSON; the YAML
//! files that wire them (action, workflow, GitLab template against GitLab's CI schema,
//! pre-commit hooks), parsed and held to the scripts; and the pre-push hook `rapport init`
//! writes, in a repository pushed to a bare remote.

mod common;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use common::{Run, Script, northwind_front, partnership, placeholders, shallow_clone};
use serde_json::Value;
use tempfile::TempDir;

const MARKER: &str = "<!-- rapport-report -->";

/// How comment.sh asks whose the token is.
const VIEWER_CALL: &str =
    "gh api graphql -f query=query { viewer { login } } --jq .data.viewer.login";

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
  *" graphql "*) cat "$dir/viewer.txt" ;;
  *"/code-scanning/analyses"*)
    if [[ -e "$dir/no-code-scanning" ]]; then
      echo "gh: Advanced Security must be enabled for this repository to use code scanning. (HTTP 403)" >&2
      exit 1
    fi
    echo '[]' ;;
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
if [[ "$method" == GET ]]; then
  case "${@: -1}" in
    */user) cat "$dir/user.json" ;;
    *) cat "$dir/notes.json" ;;
  esac
fi
"#;

/// Records its calls; `cargo install --root DIR` "builds" a launcher of the real binary there.
const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
set -euo pipefail
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "cargo $*" >>"$dir/calls.log"
root="" previous=""
for arg in "$@"; do
  case "$previous" in --root) root="$arg" ;; esac
  previous="$arg"
done
[[ -n "$root" ]] || exit 1
mkdir -p "$root/bin"
printf '#!/bin/sh\nexec "%s" "$@"\n' "$(cat "$dir/real-rapport.txt")" >"$root/bin/rapport"
chmod +x "$root/bin/rapport"
"#;

struct Machine {
    dir: TempDir,
    /// The outputs of the steps run so far, as `steps.ID.outputs.NAME`.
    steps: RefCell<BTreeMap<String, String>>,
    /// What `${{ github.action_repository }}` and `${{ github.action_ref }}` give in a step's
    /// `env:`.
    action_expressions: RefCell<(String, String)>,
    /// Whether the `rapport` under test is on PATH (not on a fresh runner that installs it).
    rapport_on_path: bool,
    /// The local release server, when the machine has one.
    server: Option<ReleaseServer>,
}

/// A step's run: its exit code and both streams.
trait Expect {
    fn expect(&self, code: i32) -> &Self;
}

impl Expect for Run {
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
        Machine::with(true, None)
    }

    /// A fresh runner that must install rapport, with a release server on 127.0.0.1.
    fn fresh(server: ReleaseServer) -> Machine {
        Machine::with(false, Some(server))
    }

    fn with(rapport_on_path: bool, server: Option<ReleaseServer>) -> Machine {
        let jq = Command::new("jq").arg("--version").output();
        assert!(
            jq.is_ok_and(|o| o.status.success()),
            "the CI scripts need jq: apt-get install jq (.ci/run installs it)"
        );
        let machine = Machine {
            dir: tempfile::tempdir().expect("a temporary folder"),
            steps: RefCell::new(BTreeMap::new()),
            action_expressions: RefCell::new((
                "acme/rapport".into(),
                format!("v{}", env!("CARGO_PKG_VERSION")),
            )),
            rapport_on_path,
            server,
        };
        for folder in ["bin", "api-bin", "runner", "toolcache", "outputs"] {
            std::fs::create_dir_all(machine.path(folder)).expect("mkdir");
        }
        for (file, text) in [
            ("bin/gh", FAKE_GH),
            ("bin/cargo", FAKE_CARGO),
            ("api-bin/curl", FAKE_CURL),
        ] {
            let file = machine.path(file);
            std::fs::write(&file, text).expect("fake");
            chmod_x(&file);
        }
        std::fs::write(
            machine.path("real-rapport.txt"),
            env!("CARGO_BIN_EXE_rapport"),
        )
        .expect("real rapport");
        // The action as the runner downloads it: _actions/OWNER/REPO/REF under the work folder.
        let action = machine.action_path();
        std::fs::create_dir_all(action.parent().expect("a folder")).expect("mkdir");
        std::os::unix::fs::symlink(project(), &action).expect("symlink");
        machine.comments("[]");
        machine.notes("[]");
        // The identities the tokens answer for: GITHUB_TOKEN's bot, a project access token's user.
        std::fs::write(machine.path("viewer.txt"), "github-actions[bot]\n").expect("viewer");
        std::fs::write(
            machine.path("user.json"),
            r#"{"id": 31, "username": "project_42_bot_5f3a", "bot": true}"#,
        )
        .expect("user");
        machine.event("acme/ledger");
        machine
    }

    /// GITHUB_ACTION_PATH: where the runner put `uses: acme/rapport@vVERSION`.
    fn action_path(&self) -> PathBuf {
        self.path(&format!(
            "work/_actions/acme/rapport/v{}",
            env!("CARGO_PKG_VERSION")
        ))
    }

    /// The next job runs on a fresh machine: nothing installed, no step outputs; the cache and
    /// the release server stay.
    fn next_job(&self) {
        for folder in ["runner", "toolcache", "outputs"] {
            std::fs::remove_dir_all(self.path(folder)).expect("rm");
            std::fs::create_dir_all(self.path(folder)).expect("mkdir");
        }
        let _ = std::fs::remove_file(self.path("path.txt"));
        self.steps.borrow_mut().clear();
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

    /// The pull-request event, with the repository its head branch lives in, in a private
    /// repository (a ledger holds commercial terms).
    fn event(&self, head_repo: &str) {
        self.event_in(head_repo, true);
    }

    fn event_in(&self, head_repo: &str, private: bool) {
        let event = serde_json::json!({
            "action": "synchronize",
            "number": 7,
            "repository": { "full_name": "acme/ledger", "private": private },
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

    /// `text` with the machine's folder as `[MACHINE]`, the ledger's as `[ROOT]`, the
    /// temporary folder as `[TEMP]`, the binary under test as `[RAPPORT]`, the release server
    /// as `[SERVER]`, the version, target and checksums, so that it reads the same on every
    /// machine and at every release.
    fn scrub(&self, text: &str, ledger: &Path) -> String {
        let mut text = text
            .replace(env!("CARGO_BIN_EXE_rapport"), "[RAPPORT]")
            .replace(&self.server_url(), "[SERVER]");
        if let Ok(canonical) = self.dir.path().canonicalize() {
            text = text.replace(&canonical.display().to_string(), "[MACHINE]");
        }
        text = text.replace(&self.dir.path().display().to_string(), "[MACHINE]");
        let text = placeholders(&text, ledger)
            .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
            .replace(host_target(), "[TARGET]");
        // An archive's checksum changes with every build.
        let mut out = String::new();
        let mut hex = String::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_hexdigit() {
                hex.push(c);
                continue;
            }
            out.push_str(if hex.len() == 64 { "[SHA256]" } else { &hex });
            hex.clear();
            out.push(c);
        }
        out.pop();
        out
    }

    /// Pins a step's whole run (exit code, stdout, stderr) in the snapshot `ci_files__NAME`.
    #[track_caller]
    fn pin(&self, name: &str, run: &Run, ledger: &Path) {
        let whole = format!(
            "--- exit code: {}\n--- stdout\n{}--- stderr\n{}",
            run.code, run.stdout, run.stderr
        );
        insta::assert_snapshot!(name, self.scrub(&whole, ledger));
    }

    /// Every `gh` and `curl` call, scrubbed.
    fn scrubbed_calls(&self, ledger: &Path) -> Vec<String> {
        self.calls()
            .iter()
            .map(|call| self.scrub(call, ledger))
            .collect()
    }

    /// A command with only the environment a CI runner gives: the folders steps added to
    /// GITHUB_PATH first (as the runner does), then the fakes, then the real `rapport` (unless
    /// the runner is fresh), then the system.
    fn command(&self, program: &str, cwd: &Path, env: &[(String, String)]) -> Command {
        let mut path: Vec<String> = std::fs::read_to_string(self.path("path.txt"))
            .unwrap_or_default()
            .lines()
            .rev()
            .map(str::to_string)
            .collect();
        path.push(self.display("bin"));
        if self.rapport_on_path {
            let rapport = Path::new(env!("CARGO_BIN_EXE_rapport"))
                .parent()
                .expect("the binary's folder");
            path.push(rapport.display().to_string());
        }
        path.push(std::env::var("PATH").unwrap_or_default());
        let mut cmd = Command::new(program);
        cmd.current_dir(cwd)
            .env_clear()
            .env("PATH", path.join(":"))
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
            ("GITHUB_SERVER_URL", self.server_url()),
            ("GITHUB_STEP_SUMMARY", self.display("summary.md")),
            ("GITHUB_OUTPUT", self.display("output.txt")),
            ("GITHUB_PATH", self.display("path.txt")),
            ("RUNNER_TEMP", self.display("runner")),
            ("RUNNER_TOOL_CACHE", self.display("toolcache")),
            ("RUNNER_OS", "Linux".to_string()),
            ("RUNNER_ARCH", runner_arch().to_string()),
            // In a composite action's `run:` steps the runner leaves these empty.
            ("GITHUB_ACTION_REPOSITORY", String::new()),
            ("GITHUB_ACTION_REF", String::new()),
            (
                "GITHUB_ACTION_PATH",
                self.action_path().display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    fn display(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    /// GITHUB_SERVER_URL: the local release server (as on GitHub Enterprise Server), else
    /// github.com.
    fn server_url(&self) -> String {
        self.server
            .as_ref()
            .map_or_else(|| "https://github.com".to_string(), ReleaseServer::url)
    }

    /// Runs the action's step that calls `script` exactly as the composite action does: its
    /// `run` text under `bash -eo pipefail`, its `env` with the expressions filled in from the
    /// inputs (`inputs` overrides the defaults), in its working directory under `repo`.
    fn action_step(&self, script: &str, repo: &Path, inputs: &[(&str, &str)]) -> Run {
        let action = yaml("action.yml");
        // Not an assertion: the step is found by the script its `run` text calls.
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
        let (repository, reference) = self.action_expressions.borrow().clone();
        context.insert("github.action_repository".into(), repository);
        context.insert("github.action_ref".into(), reference);
        context.extend(self.steps.borrow().clone());

        let id = step["id"].as_str().unwrap_or("step").to_string();
        let output = self.path(&format!("outputs/{id}.txt"));
        let mut env = self.github_env();
        env.retain(|(k, _)| k != "GITHUB_OUTPUT");
        env.push(("GITHUB_OUTPUT".into(), output.display().to_string()));
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
        let ran = Run::from(
            self.command("bash", &cwd, &env)
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", run])
                .output()
                .expect("bash runs"),
        );
        let written = std::fs::read_to_string(&output).unwrap_or_default();
        for (name, value) in written.lines().filter_map(|l| l.split_once('=')) {
            self.steps
                .borrow_mut()
                .insert(format!("steps.{id}.outputs.{name}"), value.to_string());
        }
        ran
    }

    /// The step's `with:` for a `uses:` step, its expressions filled in from the steps so far.
    fn uses_step(&self, uses: &str) -> (Value, BTreeMap<String, String>) {
        let action = yaml("action.yml");
        let step = action_steps(&action)
            .into_iter()
            .find(|s| s["uses"] == uses)
            .unwrap_or_else(|| panic!("no step of action.yml uses {uses}"));
        let context = self.steps.borrow().clone();
        let with = step["with"]
            .as_object()
            .expect("with")
            .iter()
            .map(|(k, v)| (k.clone(), expand(v.as_str().expect("a string"), &context)))
            .collect();
        (step, with)
    }

    /// The install steps as the runner runs them, with actions/cache/restore and save acting on
    /// a cache folder kept across jobs (`cache/KEY`), as GitHub's cache service does.
    fn install(&self, repo: &Path) -> Run {
        let mut located = self.action_step("install.sh\" locate", repo, &[]);
        if located.code != 0 {
            return located;
        }
        let (restore, with) = self.uses_step("actions/cache/restore@v4");
        assert_eq!(restore["if"], "steps.locate.outputs.cache-key != ''");
        let key = with["key"].clone();
        if !key.is_empty() {
            let cached = self.path(&format!("cache/{key}"));
            if cached.exists() {
                copy_tree(&cached, Path::new(&with["path"]));
            }
        }
        let installed = self.action_step("install.sh\" install", repo, &[]);
        let (save, with) = self.uses_step("actions/cache/save@v4");
        assert_eq!(save["if"], "steps.install.outputs.save == 'true'");
        if installed.code == 0
            && self
                .steps
                .borrow()
                .get("steps.install.outputs.save")
                .is_some_and(|v| v == "true")
        {
            copy_tree(
                Path::new(&with["path"]),
                &self.path(&format!("cache/{}", with["key"])),
            );
        }
        // The job's log: both steps.
        located.code = installed.code;
        located.stdout.push_str(&installed.stdout);
        located.stderr.push_str(&installed.stderr);
        located
    }

    /// `ci/gitlab/report.sh` with the variables GitLab sets for a merge-request pipeline and
    /// the template's job variables, plus `extra`.
    fn gitlab_report(&self, script: &Script, extra: &[(&str, &str)]) -> Run {
        let base = script.git(&["rev-parse", "main"]);
        let base = String::from_utf8_lossy(&base.stdout).trim().to_string();
        self.gitlab_job(
            script,
            &[
                ("CI_PIPELINE_SOURCE", "merge_request_event"),
                ("CI_MERGE_REQUEST_IID", "7"),
                ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"),
                ("CI_MERGE_REQUEST_DIFF_BASE_SHA", base.as_str()),
            ],
            extra,
        )
    }

    /// The template's job as the GitLab runner runs it: its variables, then `before_script`
    /// and `script` in one bash, with the variables GitLab sets (`pipeline`) plus `extra`.
    fn gitlab_job(
        &self,
        script: &Script,
        pipeline: &[(&str, &str)],
        extra: &[(&str, &str)],
    ) -> Run {
        let mut env: Vec<(String, String)> = [
            ("CI", "true"),
            ("GITLAB_CI", "true"),
            ("CI_API_V4_URL", "https://gitlab.example.com/api/v4"),
            ("CI_PROJECT_ID", "42"),
            ("CI_DEFAULT_BRANCH", "main"),
        ]
        .into_iter()
        .chain(pipeline.iter().copied())
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
        let job = &template["rapport"];
        let lines: Vec<&str> = job["before_script"]
            .as_array()
            .expect("before_script")
            .iter()
            .chain(job["script"].as_array().expect("script"))
            .map(|line| line.as_str().expect("a command"))
            .collect();
        let mut command = self.command("bash", script.path(), &env);
        let path = format!("{}:{}", self.display("api-bin"), command_path(&command));
        Run::from(
            command
                .env("PATH", path)
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
                .arg(lines.join("\n"))
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
        // A step's output that was never written is empty, as on the runner.
        let value = match context.get(name) {
            Some(value) => value.as_str(),
            None if name.starts_with("steps.") => "",
            None => panic!("the test does not know `{name}`"),
        };
        out.push_str(value);
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

fn command_path(command: &Command) -> String {
    command
        .get_envs()
        .find(|(k, _)| *k == "PATH")
        .and_then(|(_, v)| v)
        .map(|v| v.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn chmod_x(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// `cp -a FROM TO`: what the cache restores or saves.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.parent().expect("a folder")).expect("mkdir");
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .expect("cp runs");
    assert!(status.success());
}

/// The runner's RUNNER_ARCH on this machine.
fn runner_arch() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "ARM64",
        _ => "X64",
    }
}

fn action_steps(action: &Value) -> Vec<Value> {
    action["runs"]["steps"].as_array().expect("steps").clone()
}

fn outputs(machine: &Machine) -> BTreeMap<String, String> {
    read(machine.path("outputs/report.txt"))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The release server: GitHub's release downloads on 127.0.0.1, serving the archives
// ci/release/package.sh makes, and a log of what was asked for.

struct ReleaseServer {
    port: u16,
    root: TempDir,
    requests: Arc<Mutex<Vec<String>>>,
}

impl ReleaseServer {
    /// The release of this version of acme/rapport, with the archive for this machine packed
    /// by the release's own script around the real binary.
    fn start() -> ReleaseServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a local port");
        let port = listener.local_addr().expect("an address").port();
        let root = tempfile::tempdir().expect("a temporary folder");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let served = root.path().join("download");
        std::fs::create_dir_all(&served).expect("mkdir");
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &served, &log);
            }
        });
        ReleaseServer {
            port,
            root,
            requests,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Packs the release archive for this machine's target with the release's own script. The
    /// binary in it is a launcher of the rapport under test (packing the 150 MB debug binary
    /// itself would take the shared machine twenty seconds a test).
    fn publish(&self) -> String {
        let target = host_target();
        let build = self.root.path().join("build");
        let binary = build.join(target).join("release/rapport");
        std::fs::create_dir_all(binary.parent().expect("a folder")).expect("mkdir");
        std::fs::write(
            &binary,
            format!(
                "#!/bin/sh\nexec '{}' \"$@\"\n",
                env!("CARGO_BIN_EXE_rapport")
            ),
        )
        .expect("write");
        chmod_x(&binary);
        let out = Command::new("bash")
            .arg(project().join("ci/release/package.sh"))
            .arg(target)
            .env("CARGO_TARGET_DIR", &build)
            .env("RAPPORT_DIST", self.root.path().join("download"))
            .output()
            .expect("package.sh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        format!("rapport-{}-{target}.tar.gz", env!("CARGO_PKG_VERSION"))
    }

    fn tamper(&self, archive: &str) {
        let file = self.root.path().join("download").join(archive);
        let mut bytes = std::fs::read(&file).expect("read");
        bytes.push(0);
        std::fs::write(&file, bytes).expect("tamper");
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("the log").clone()
    }
}

/// One HTTP/1.1 request: `GET /acme/rapport/releases/download/vVERSION/FILE` answers the file,
/// anything else 404.
fn serve(mut stream: TcpStream, served: &Path, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("a stream"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let mut header = String::new();
    while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
        header.clear();
    }
    let path = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    log.lock().expect("the log").push(path.clone());
    let prefix = format!(
        "/acme/rapport/releases/download/v{}/",
        env!("CARGO_PKG_VERSION")
    );
    // Not an assertion: the server serves files of its folder only.
    let file = path
        .strip_prefix(&prefix)
        .filter(|name| !name.contains('/'))
        .map(|name| served.join(name))
        .filter(|file| file.is_file());
    let (status, body) = match file {
        Some(file) => ("200 OK", std::fs::read(file).expect("read")),
        None => ("404 Not Found", b"Not Found".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
}

/// The release target of this machine (the Linux runner's).
fn host_target() -> &'static str {
    match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub: the action's steps.

#[test]
fn the_first_run_posts_one_comment_with_the_new_finding() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    // The annotation on the line that changed, the comment posted.
    machine.pin("the_first_run_posts_one_comment", &run, ledger.path());
    assert_eq!(machine.scrubbed_calls(ledger.path()), posted());
    let body = machine.body();
    insta::assert_snapshot!("the_first_run_posts_one_comment_body", body);

    // The job summary and the files the next steps read.
    assert_eq!(read(machine.path("summary.md")), body);
    let outputs = outputs(&machine);
    assert_eq!(outputs["exit-code"], "0");
    let sarif: Value = serde_json::from_str(&read(&outputs["sarif"])).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let rules: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| &r["ruleId"])
        .collect();
    assert_eq!(rules, ["payment-terms-slip"], "{sarif:#}");
    assert_eq!(read(&outputs["markdown"]), body);
    let root = std::fs::canonicalize(ledger.path()).expect("root");
    assert_eq!(std::fs::canonicalize(&outputs["root"]).expect("root"), root);
}

#[test]
fn a_later_run_updates_the_bots_own_marked_comment_in_place() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    // Two pages of comments. A participant posted the marker first (id 13): theirs is left
    // alone; the report comment is the first one the bot wrote that starts with the marker.
    machine.comments(&format!(
        "[{{\"id\": 11, \"user\": {{\"login\": \"omar-haddad\"}}, \"body\": \"Looks good to me\"}}, \
         {{\"id\": 12, \"user\": {{\"login\": \"priya-r\"}}, \"body\": null}}, \
         {{\"id\": 13, \"user\": {{\"login\": \"priya-r\"}}, \"body\": \"{MARKER}\\nAll clear.\"}}, \
         {{\"id\": 14, \"user\": {{\"login\": \"github-actions[bot]\"}}, \"body\": \"quoting: {MARKER}\"}}]\n\
         [{{\"id\": 4242, \"user\": {{\"login\": \"github-actions[bot]\"}}, \"body\": \"{MARKER}\\n### rapport: 1 new\"}}, \
         {{\"id\": 4300, \"user\": {{\"login\": \"github-actions[bot]\"}}, \"body\": \"{MARKER}\\nanother\"}}]\n"
    ));
    machine
        .action_step("ci/github/report.sh", ledger.path(), &[])
        .expect(0);
    assert_eq!(
        machine.scrubbed_calls(ledger.path()),
        comment_calls("PATCH", "issues/comments/4242")
    );
    assert!(machine.body().starts_with(MARKER));
}

#[test]
fn a_marker_in_someone_elses_comment_is_left_alone() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    // A participant posts the marker before rapport's first run, hoping to own the report.
    machine.comments(&format!(
        "[{{\"id\": 13, \"user\": {{\"login\": \"priya-r\"}}, \"body\": \"{MARKER}\\nAll clear.\"}}]\n"
    ));
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    run.expect(0);
    assert_eq!(machine.scrubbed_calls(ledger.path()), posted());
    insta::assert_snapshot!("a_marker_in_someone_elses_comment_body", machine.body());

    // A personal token posts as its user: that login, not the bot's, owns the report comment.
    let machine = Machine::new();
    std::fs::write(machine.path("viewer.txt"), "priya-r\n").expect("viewer");
    machine.comments(&format!(
        "[{{\"id\": 20, \"user\": {{\"login\": \"github-actions[bot]\"}}, \"body\": \"{MARKER}\\nold\"}}, \
         {{\"id\": 21, \"user\": {{\"login\": \"priya-r\"}}, \"body\": \"{MARKER}\\nold\"}}]\n"
    ));
    machine
        .action_step("ci/github/report.sh", ledger.path(), &[])
        .expect(0);
    assert_eq!(
        machine.scrubbed_calls(ledger.path()),
        comment_calls("PATCH", "issues/comments/21")
    );
}

#[test]
fn a_fork_gets_no_comment_and_the_report_is_in_the_job_summary() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine.event("someone/ledger");
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    machine.pin("a_fork_gets_no_comment", &run, ledger.path());
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
    insta::assert_snapshot!(
        "a_fork_gets_no_comment_summary",
        read(machine.path("summary.md"))
    );
}

#[test]
fn a_token_that_may_not_comment_does_not_fail_the_job() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine.refuse();
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    machine.pin("a_token_that_may_not_comment", &run, ledger.path());
    assert_eq!(machine.calls(), [VIEWER_CALL]);
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
    machine.pin("failing_on_warnings_exits_1", &run, ledger.path());
    // Posted before failing.
    assert_eq!(machine.scrubbed_calls(ledger.path()), posted());
    let first = Machine::new();
    first
        .action_step("ci/github/report.sh", ledger.path(), &[])
        .expect(0);
    assert_eq!(machine.body(), first.body());
    assert_eq!(outputs(&machine)["exit-code"], "1");
}

#[test]
fn a_rule_switched_off_fails_only_with_fail_on_silenced_and_the_comment_says_so() {
    // The pull request stretches net-30 to net-45 and, in the same change, sets the rule's
    // severity to info: the stretch is silenced, not new.
    let ledger = main_then_pr(30).commit(
        "2024-07-12",
        "Northwind: net-45, and quieter payment checks",
        &[
            (
                "partners/northwind.md",
                &northwind(45, &format!("{SPRING}{JULY}")),
            ),
            (
                "rapport.yaml",
                "rapport: 1\nrules:\n  payment-terms-slip: { severity: info }\n",
            ),
        ],
    );
    let machine = Machine::new();
    machine
        .action_step(
            "ci/github/report.sh",
            ledger.path(),
            &[("fail-on", "warning")],
        )
        .expect(0);
    insta::assert_snapshot!("a_rule_switched_off_in_the_comment", machine.body());
    // As `rapport init` writes the workflow: the silenced warning fails the job.
    let machine = Machine::new();
    let run = machine.action_step(
        "ci/github/report.sh",
        ledger.path(),
        &[("fail-on", "warning"), ("fail-on-silenced", "true")],
    );
    run.expect(1);
    let workflow = yaml("ci/github/rapport.yml");
    let with = &workflow["jobs"]["report"]["steps"][1]["with"];
    assert_eq!(with["fail-on-silenced"], true, "{with:#?}");
}

#[test]
fn an_invalid_ledger_at_head_is_commented_then_fails_with_2() {
    let ledger = typo();
    let machine = Machine::new();
    let run = machine.action_step("ci/github/report.sh", ledger.path(), &[]);
    machine.pin("an_invalid_ledger_at_head", &run, ledger.path());
    assert_eq!(machine.scrubbed_calls(ledger.path()), posted());
    insta::assert_snapshot!("an_invalid_ledger_at_head_body", machine.body());
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
    machine.pin(
        "the_comment_script_outside_a_pull_request",
        &run,
        machine.dir.path(),
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
    machine.pin("a_shallow_checkout_then_the_report", &run, &clone);
    insta::assert_snapshot!("a_shallow_checkout_then_the_report_body", machine.body());
}

/// The report step, then the step that decides on the code-scanning upload.
fn report_then_sarif(machine: &Machine, ledger: &Script, inputs: &[(&str, &str)]) -> (Run, Run) {
    let report = machine.action_step("ci/github/report.sh", ledger.path(), inputs);
    let sarif = machine.action_step("ci/github/sarif.sh", ledger.path(), inputs);
    (report, sarif)
}

fn upload(machine: &Machine) -> String {
    machine
        .steps
        .borrow()
        .get("steps.sarif.outputs.upload")
        .cloned()
        .unwrap_or_default()
}

const CODE_SCANNING_CALL: &str = "gh api repos/acme/ledger/code-scanning/analyses?per_page=1";

/// The calls of a report step that posts (`-X POST repos/acme/ledger/issues/7/comments`) or
/// updates (`-X PATCH repos/acme/ledger/issues/comments/ID`) the report comment, scrubbed.
fn comment_calls(method: &str, target: &str) -> Vec<String> {
    vec![
        VIEWER_CALL.to_string(),
        "gh api --paginate repos/acme/ledger/issues/7/comments".to_string(),
        format!(
            "gh api --silent -X {method} repos/acme/ledger/{target} -F body=@[MACHINE]/runner/rapport/rapport-report.md"
        ),
    ]
}

fn posted() -> Vec<String> {
    comment_calls("POST", "issues/7/comments")
}

#[test]
fn a_private_repository_without_code_scanning_ends_green_with_one_notice() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    std::fs::write(machine.path("no-code-scanning"), "").expect("no code scanning");
    let (report, sarif) = report_then_sarif(&machine, &ledger, &[]);
    report.expect(0);
    sarif.expect(0);
    assert_eq!(upload(&machine), "false");
    let log = format!(
        "{}{}{}{}",
        report.stdout, report.stderr, sarif.stdout, sarif.stderr
    );
    // One annotation, one notice, and nothing else for the workflow.
    let workflow_commands: Vec<&str> = log.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(
        workflow_commands,
        [
            "::warning file=partners/northwind.md,line=13,title=rapport payment-terms-slip (new)::\
             Northwind Analytics: payment terms went from net-30 to net-45 in 5 months%0A\
             Remedy: Renegotiate: tie longer terms to something you get in return (a discount, \
             volume), put the terms back on the agenda of the next contract review, and check \
             the partner's financial health.",
            "::notice title=rapport::Code scanning is not available for acme/ledger (a private \
             repository needs GitHub Code Security, and the workflow security-events: write), so \
             the findings are not uploaded there; they are in the pull-request comment, the \
             annotations and the job summary. Set sarif: false to skip this check."
        ],
        "{log}"
    );
    assert_eq!(
        machine.scrubbed_calls(ledger.path()),
        [posted(), vec![CODE_SCANNING_CALL.to_string()]].concat()
    );
    // The comment was posted all the same.
    let first = Machine::new();
    first
        .action_step("ci/github/report.sh", ledger.path(), &[])
        .expect(0);
    assert_eq!(machine.body(), first.body());
}

#[test]
fn code_scanning_gets_the_findings_where_it_is_available() {
    // A private repository with code scanning enabled (no analysis yet is fine too).
    let ledger = stretched_terms();
    let machine = Machine::new();
    let (_, sarif) = report_then_sarif(&machine, &ledger, &[]);
    sarif.expect(0);
    assert_eq!(upload(&machine), "true");
    assert_eq!(
        machine.scrubbed_calls(ledger.path()),
        [posted(), vec![CODE_SCANNING_CALL.to_string()]].concat()
    );
    machine.pin("code_scanning_where_it_is_available", &sarif, ledger.path());

    // A public repository always has it: no question asked.
    let machine = Machine::new();
    machine.event_in("acme/ledger", false);
    std::fs::write(machine.path("no-code-scanning"), "").expect("never asked");
    report_then_sarif(&machine, &ledger, &[]).1.expect(0);
    assert_eq!(upload(&machine), "true");
    assert_eq!(machine.scrubbed_calls(ledger.path()), posted());

    // sarif: false, and a fork, never upload.
    for (head, inputs) in [
        ("acme/ledger", &[("sarif", "false")][..]),
        ("someone/ledger", &[][..]),
    ] {
        let machine = Machine::new();
        machine.event_in(head, false);
        report_then_sarif(&machine, &ledger, inputs).1.expect(0);
        assert_eq!(upload(&machine), "false", "{head} {inputs:?}");
    }
}

#[test]
fn the_install_steps_keep_a_rapport_already_on_path() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.install(ledger.path());
    run.expect(0);
    assert!(run.stdout.starts_with("rapport: using "), "{}", run.stdout);
    // Nothing to restore or save.
    assert_eq!(machine.steps.borrow()["steps.locate.outputs.cache-key"], "");
    assert!(!machine.path("cache").exists());
    assert!(
        machine.calls().is_empty(),
        "cargo ran: {:#?}",
        machine.calls()
    );
}

/// `rapport --version` as a later step of the job runs it: from the folders on GITHUB_PATH.
fn installed_rapport(machine: &Machine, ledger: &Script) -> Run {
    Run::from(
        machine
            .command("bash", ledger.path(), &machine.github_env())
            .args(["-c", "command -v rapport && rapport --version"])
            .output()
            .expect("bash runs"),
    )
}

#[test]
fn the_action_downloads_its_release_binary_verifies_it_and_a_second_run_reuses_it() {
    let ledger = stretched_terms();
    let server = ReleaseServer::start();
    let archive = server.publish();
    let machine = Machine::fresh(server);
    let version = env!("CARGO_PKG_VERSION");

    let run = machine.install(ledger.path());
    machine.pin("the_action_downloads_its_release", &run, ledger.path());
    let download = format!("/acme/rapport/releases/download/v{version}/{archive}");
    let server = machine.server.as_ref().expect("a server");
    assert_eq!(
        server.requests(),
        [download.clone(), format!("{download}.sha256")]
    );
    let installed = machine.path(&format!(
        "toolcache/rapport/{version}/{}/bin",
        host_target()
    ));
    let ran = installed_rapport(&machine, &ledger);
    ran.expect(0);
    assert_eq!(
        ran.stdout,
        format!(
            "{}\nrapport {version}\n",
            installed.join("rapport").display()
        )
    );
    assert!(
        machine.calls().is_empty(),
        "cargo ran: {:#?}",
        machine.calls()
    );

    // The next pull request's job, on a fresh runner: the cache has it; no download, no build.
    machine.next_job();
    assert!(!installed.exists());
    let run = machine.install(ledger.path());
    machine.pin("the_next_job_restores_the_release", &run, ledger.path());
    assert_eq!(server.requests().len(), 2, "{:#?}", server.requests());
    installed_rapport(&machine, &ledger).expect(0);
    assert!(
        machine.calls().is_empty(),
        "cargo ran: {:#?}",
        machine.calls()
    );
}

#[test]
fn without_the_env_expressions_the_action_finds_its_repository_in_its_path() {
    let ledger = stretched_terms();
    let server = ReleaseServer::start();
    server.publish();
    let machine = Machine::fresh(server);
    // Both expressions empty, as the runner leaves them in some nested composite actions:
    // `…/_actions/acme/rapport/vVERSION` still names the repository.
    *machine.action_expressions.borrow_mut() = (String::new(), String::new());
    let run = machine.install(ledger.path());
    // As when the expressions name it.
    machine.pin("the_action_downloads_its_release", &run, ledger.path());
    assert!(
        machine.calls().is_empty(),
        "cargo ran: {:#?}",
        machine.calls()
    );
}

#[test]
fn a_tampered_release_is_refused_nothing_is_installed_built_or_cached() {
    let ledger = stretched_terms();
    let server = ReleaseServer::start();
    let archive = server.publish();
    server.tamper(&archive);
    let machine = Machine::fresh(server);
    let run = machine.install(ledger.path());
    machine.pin("a_tampered_release_is_refused", &run, ledger.path());
    assert!(!machine.path("path.txt").exists());
    assert!(!machine.path("cache").exists());
    assert!(
        machine.calls().is_empty(),
        "cargo ran: {:#?}",
        machine.calls()
    );
}

#[test]
fn without_a_release_the_action_builds_once_and_the_cache_serves_the_next_runs() {
    let ledger = stretched_terms();
    // A server with no release for this version (a branch ahead of the last tag).
    let machine = Machine::fresh(ReleaseServer::start());
    let run = machine.install(ledger.path());
    machine.pin("without_a_release_the_action_builds", &run, ledger.path());
    let dir = machine.path(&format!(
        "toolcache/rapport/{}/{}",
        env!("CARGO_PKG_VERSION"),
        host_target()
    ));
    assert_eq!(
        machine.calls(),
        [format!(
            "cargo install --locked --path {} --root {}",
            machine.action_path().display(),
            dir.display()
        )]
    );
    installed_rapport(&machine, &ledger).expect(0);

    for _ in 0..2 {
        machine.next_job();
        let run = machine.install(ledger.path());
        machine.pin("a_built_rapport_is_restored", &run, ledger.path());
        installed_rapport(&machine, &ledger).expect(0);
    }
    assert_eq!(
        machine.calls().len(),
        1,
        "compiled again: {:#?}",
        machine.calls()
    );
}

// ---------------------------------------------------------------------------------------------
// GitLab: the template's script.

const TOKEN: (&str, &str) = ("RAPPORT_GITLAB_TOKEN", "glpat-fake");
const NOTES_URL: &str = "https://gitlab.example.com/api/v4/projects/42/merge_requests/7/notes";

/// The calls of a GitLab job that posts its note (`POST`) or updates note 77 (`PUT`).
fn note_calls(method: &str) -> Vec<String> {
    let auth = "curl --fail --silent --show-error --header PRIVATE-TOKEN: glpat-fake";
    let target = if method == "PUT" {
        format!("{NOTES_URL}/77")
    } else {
        NOTES_URL.to_string()
    };
    vec![
        format!("{auth} https://gitlab.example.com/api/v4/user"),
        format!("{auth} {NOTES_URL}?per_page=100&page=1"),
        format!(
            "curl --fail --silent --show-error --output /dev/null --request {method} \
             --header PRIVATE-TOKEN: glpat-fake --data-urlencode body@rapport-report.md {target}"
        ),
    ]
}

fn code_quality(ledger: &Script) -> Vec<Value> {
    let text = read(ledger.path().join("gl-code-quality-report.json"));
    serde_json::from_str::<Vec<Value>>(&text).expect("a JSON array")
}

#[test]
fn gitlab_posts_one_note_and_writes_the_code_quality_report() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.gitlab_report(&ledger, &[TOKEN]);
    machine.pin("gitlab_posts_one_note", &run, ledger.path());
    insta::assert_snapshot!(
        "gitlab_code_quality_report",
        serde_json::to_string_pretty(&code_quality(&ledger)).expect("JSON")
    );
    assert_eq!(machine.scrubbed_calls(ledger.path()), note_calls("POST"));
    let body = machine.body();
    insta::assert_snapshot!("gitlab_posts_one_note_body", body);
    assert_eq!(read(ledger.path().join("rapport-report.md")), body);
}

#[test]
fn gitlab_updates_its_own_marked_note_then_fails_on_warnings() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    // A reviewer's note with the marker (id 60) comes first; the token's user wrote note 77.
    machine.notes(&format!(
        "[{{\"id\": 5, \"body\": \"added 1 commit\", \"system\": true, \"author\": {{\"id\": 31}}}}, \
         {{\"id\": 60, \"body\": \"{MARKER}\\nAll clear.\", \"system\": false, \"author\": {{\"id\": 8}}}}, \
         {{\"id\": 77, \"body\": \"{MARKER}\\nold report\", \"system\": false, \"author\": {{\"id\": 31}}}}]"
    ));
    let run = machine.gitlab_report(&ledger, &[TOKEN, ("RAPPORT_FAIL_ON", "warning")]);
    machine.pin("gitlab_fails_on_warnings", &run, ledger.path());
    assert_eq!(machine.scrubbed_calls(ledger.path()), note_calls("PUT"));
    assert!(machine.body().starts_with(MARKER));
}

#[test]
fn gitlab_leaves_a_marker_in_someone_elses_note_alone() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    machine.notes(&format!(
        "[{{\"id\": 60, \"body\": \"{MARKER}\\nAll clear.\", \"system\": false, \"author\": {{\"id\": 8}}}}]"
    ));
    machine.gitlab_report(&ledger, &[TOKEN]).expect(0);
    assert_eq!(machine.scrubbed_calls(ledger.path()), note_calls("POST"));
    let alone = Machine::new();
    alone.gitlab_report(&ledger, &[TOKEN]).expect(0);
    assert_eq!(machine.body(), alone.body());
}

#[test]
fn gitlab_without_a_token_reports_but_posts_no_note() {
    let ledger = stretched_terms();
    let machine = Machine::new();
    let run = machine.gitlab_report(&ledger, &[]);
    machine.pin("gitlab_without_a_token", &run, ledger.path());
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
    assert!(!code_quality(&ledger).is_empty());
    assert!(read(ledger.path().join("rapport-report.md")).starts_with(MARKER));
}

#[test]
fn gitlab_with_a_refused_token_still_ends_with_the_report_exit_code() {
    let ledger = typo();
    let machine = Machine::new();
    machine.refuse();
    let run = machine.gitlab_report(&ledger, &[TOKEN]);
    machine.pin("gitlab_with_a_refused_token", &run, ledger.path());
    assert_eq!(machine.calls().len(), 1, "{:#?}", machine.calls());
}

#[test]
fn the_gitlab_template_is_valid_gitlab_ci() {
    let schema: Value = serde_json::from_str(&read(
        project().join("tests/fixtures/gitlab-ci/ci.schema.json"),
    ))
    .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let template = yaml("ci/gitlab/rapport.gitlab-ci.yml");
    let errors: Vec<String> = validator
        .iter_errors(&template)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema does catch a broken job: a misspelt key, a `when` GitLab does not know.
    let mut broken = template.clone();
    broken["rapport"]["artifact"] = serde_json::json!({ "when": "always" });
    assert!(!validator.is_valid(&broken));
    let mut broken = template;
    broken["workflow"]["rules"][1]["when"] = serde_json::json!("sometimes");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn gitlab_on_the_default_branch_writes_the_code_quality_report_merge_requests_compare_with() {
    let ledger = stretched_terms();
    // The default branch's pipeline: no merge request, HEAD on main.
    assert!(
        ledger
            .git(&["checkout", "--quiet", "main"])
            .status
            .success()
    );
    let machine = Machine::new();
    let run = machine.gitlab_job(
        &ledger,
        &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main")],
        &[TOKEN],
    );
    machine.pin("gitlab_on_the_default_branch", &run, ledger.path());
    // A report GitLab accepts, with nothing the branch adds to itself; no note, nothing fetched.
    assert_eq!(code_quality(&ledger), Vec::<Value>::new());
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
}

#[test]
fn gitlab_without_the_releases_address_says_which_variable_to_set() {
    let ledger = stretched_terms();
    // A fresh image: no rapport on PATH, only what the template's job gives.
    let machine = Machine::with(false, None);
    let run = machine.gitlab_report(&ledger, &[TOKEN]);
    machine.pin("gitlab_without_the_releases_address", &run, ledger.path());
    assert!(machine.calls().is_empty(), "{:#?}", machine.calls());
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
        ("sarif", "auto"),
        ("working-directory", "."),
    ] {
        assert_eq!(inputs[name]["default"], default, "input {name}");
        assert!(inputs[name]["description"].is_string(), "input {name}");
    }

    let steps = action_steps(&action);
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(
        runs[..5],
        [
            "bash \"$GITHUB_ACTION_PATH/ci/github/history.sh\"",
            "bash \"$GITHUB_ACTION_PATH/ci/github/install.sh\" locate",
            "bash \"$GITHUB_ACTION_PATH/ci/github/install.sh\" install",
            "bash \"$GITHUB_ACTION_PATH/ci/github/report.sh\"",
            "bash \"$GITHUB_ACTION_PATH/ci/github/sarif.sh\"",
        ]
    );
    // The action's repository and ref, where the runner fills them in: a step's `env:`.
    for id in ["locate", "install"] {
        let step = steps.iter().find(|s| s["id"] == id).expect("a step");
        assert_eq!(
            step["env"]["RAPPORT_ACTION_REPOSITORY"],
            "${{ github.action_repository }}"
        );
        assert_eq!(
            step["env"]["RAPPORT_ACTION_REF"],
            "${{ github.action_ref }}"
        );
    }
    for script in [
        "history.sh",
        "install.sh",
        "report.sh",
        "comment.sh",
        "sarif.sh",
    ] {
        let text = read(project().join("ci/github").join(script));
        assert!(text.starts_with("#!/usr/bin/env bash\n"), "{script}");
        // A property of every script, not its text: strict mode on, nothing evaluated.
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
        // A property of the scripts, not their text: each variable is read somewhere.
        let read_by_script = scripts.contains(&format!("${{{name}")) || scripts.contains(name);
        assert!(read_by_script, "the scripts never read {name}");
    }
    assert_eq!(report["env"]["GH_TOKEN"], "${{ github.token }}");

    // The upload reads what report.sh writes, even after a failing report, when sarif.sh says
    // so; a refusal is a notice, never a failed job.
    let upload = steps
        .iter()
        // Not an assertion: the upload step is found by the action it uses, pinned below.
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.contains("upload-sarif"))
        })
        .expect("an upload step");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v4");
    assert_eq!(upload["with"]["category"], "rapport");
    assert_eq!(
        upload["with"]["sarif_file"],
        "${{ steps.report.outputs.sarif }}"
    );
    assert_eq!(
        upload["if"],
        "always() && steps.sarif.outputs.upload == 'true'"
    );
    assert_eq!(upload["continue-on-error"], true);
    let refused = steps
        .iter()
        .find(|s| s["if"] == "always() && steps.upload.outcome == 'failure'")
        .expect("a step for a refused upload");
    let notice = refused["run"].as_str().expect("run");
    // The notice's first words and that it is one line: its wording is the action's.
    assert!(
        notice.starts_with("echo \"::notice title=rapport::Code scanning refused the upload")
            && !notice.contains('\n'),
        "{notice}"
    );
    let report_sh = read(project().join("ci/github/report.sh"));
    let action_text = read(project().join("action.yml"));
    // A property of the script, not its text: it writes every output the action reads.
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
            // A property of the script, not its text: it writes every output the action reads.
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
    // A release tag, the crate's version: the action downloads that release's binary.
    assert_eq!(
        steps[1]["uses"],
        format!("OWNER/rapport@v{}", env!("CARGO_PKG_VERSION"))
    );
    let action = yaml("action.yml");
    for input in steps[1]["with"].as_object().expect("with").keys() {
        assert!(action["inputs"][input].is_object(), "no input {input}");
    }
}

#[test]
fn the_ci_docs_show_the_workflow_as_shipped() {
    // Pasted as is, the workflow in docs/ci.md is the tested one: the action's address is the
    // only thing to fill in.
    let readme = read(project().join("docs/ci.md"));
    let section = readme
        .split("## GitHub Actions\n")
        .nth(1)
        .expect("a GitHub Actions section");
    let block = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a YAML block");
    let shown = serde_saphyr::from_str::<Value>(block).expect("the documented workflow is YAML");
    assert_eq!(shown, yaml("ci/github/rapport.yml"));
    assert_eq!(block.matches("uses: OWNER/rapport@v").count(), 1, "{block}");
    let private = section
        .split("**Private repositories.**")
        .nth(1)
        .expect("what sarif: auto does on a private repository");
    // Prose of the documentation: only that it names the setting is checked.
    assert!(private.contains("`sarif: auto`"), "{private}");
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
    // The page itself is pinned by portfolio's tests; here only that it is this ledger's.
    assert!(html.contains("Northwind Analytics"));
}

#[test]
fn the_gitlab_template_runs_the_tested_script_with_full_history() {
    let template = yaml("ci/gitlab/rapport.gitlab-ci.yml");
    let job = &template["rapport"];
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    // A release binary, not a toolchain: the template's version is the crate's. The releases'
    // address has no default in the job, so the including file's `variables:` can set it.
    assert_eq!(job["image"], "buildpack-deps:bookworm-curl");
    assert_eq!(
        job["variables"]["RAPPORT_VERSION"],
        env!("CARGO_PKG_VERSION")
    );
    for unset in ["RAPPORT_RELEASES", "RAPPORT_INSTALL"] {
        assert!(job["variables"].get(unset).is_none(), "{unset}");
    }
    assert_eq!(
        job["rules"],
        serde_json::json!([
            { "if": "$CI_PIPELINE_SOURCE == \"merge_request_event\"" },
            { "if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" },
        ])
    );
    // One pipeline per push: the merge request's when there is one, else the branch's.
    assert_eq!(
        template["workflow"]["rules"],
        serde_json::json!([
            { "if": "$CI_PIPELINE_SOURCE == \"merge_request_event\"" },
            { "if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never" },
            { "if": "$CI_COMMIT_BRANCH" },
        ])
    );
    // Nothing installed per run but jq, and that only to post the note on an image without it.
    let text = read(project().join("ci/gitlab/rapport.gitlab-ci.yml"));
    assert_eq!(text.matches("apt-get install").count(), 1, "{text}");
    // One line of the template: the condition under which jq is installed.
    assert!(text.contains(
        "if [[ -n \"${RAPPORT_GITLAB_TOKEN:-}\" && -n \"${CI_MERGE_REQUEST_IID:-}\" ]] && ! command -v jq"
    ));
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
    // A property of the script, not its text: strict mode on, nothing evaluated.
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
    assert_eq!(push["entry"], "rapport check --base");
    assert_eq!(push["stages"], serde_json::json!(["pre-push"]));

    // Each entry, run in a ledger pushed to origin/main (no origin/HEAD: a push sets none), on
    // the branch being pushed, which doubles Northwind's payment terms (net-30 to net-60): a
    // new error.
    let ledger = main_then_pr(30).commit(
        "2024-07-12",
        "Northwind: net-60",
        &[(
            "partners/northwind.md",
            &northwind(60, &format!("{SPRING}{JULY}")),
        )],
    );
    assert!(
        ledger
            .git(&["update-ref", "refs/remotes/origin/main", "main"])
            .status
            .success()
    );
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
    // A fixed "now" for the working tree, so the snapshot does not age.
    let checked = run_entry(
        &check["entry"],
        &["--as-of", "2024-07-12", "partners/northwind.md"],
    );
    machine.pin(
        "the_pre_commit_hook_checks_the_staged_file",
        &checked,
        ledger.path(),
    );
    let pushed = run_entry(&push["entry"], &[]);
    machine.pin(
        "the_pre_push_hook_reports_the_change",
        &pushed,
        ledger.path(),
    );
}

// ---------------------------------------------------------------------------------------------
// The pre-push hook `rapport init` writes, in a repository pushed with `git push -u` (no
// origin/HEAD: a clone sets it, a push does not).

/// A ledger repository made as a team makes one: `git init`, `rapport init`, notes, a bare
/// remote added and pushed to with `git push -u origin main`; then the hook installed.
struct Pushed {
    dir: TempDir,
    machine: Machine,
}

impl Pushed {
    fn new() -> Pushed {
        let pushed = Pushed {
            dir: tempfile::tempdir().expect("a temporary folder"),
            machine: Machine::new(),
        };
        std::fs::create_dir_all(pushed.repo()).expect("mkdir");
        pushed
            .git(&["init", "--quiet", "--initial-branch=main"])
            .expect(0);
        pushed.rapport(&["init", "."]).expect(0);
        std::fs::write(
            pushed.repo().join("partners/northwind.md"),
            northwind(30, SPRING),
        )
        .expect("write");
        std::fs::write(pushed.repo().join("partners/zhiheng.md"), zhiheng()).expect("write");
        pushed.commit("2024-06-21", "Start the ledger: Northwind and Zhiheng");
        pushed
            .git(&["init", "--quiet", "--bare", "../remote.git"])
            .expect(0);
        pushed
            .git(&["remote", "add", "origin", "../remote.git"])
            .expect(0);
        pushed
            .git(&["push", "--quiet", "-u", "origin", "main"])
            .expect(0);
        // `pre-commit install --hook-type pre-push`: the hook runs the rapport-report entry
        // as pre-commit runs a `language: system` hook with `pass_filenames: false`.
        let config =
            serde_saphyr::from_str::<Value>(&read(pushed.repo().join(".pre-commit-config.yaml")))
                .expect("YAML");
        let hook = config["repos"][0]["hooks"]
            .as_array()
            .expect("hooks")
            .iter()
            .find(|h| h["id"] == "rapport-report")
            .expect("the pre-push hook")
            .clone();
        assert_eq!(hook["stages"], serde_json::json!(["pre-push"]));
        assert_eq!(hook["pass_filenames"], false);
        let entry = hook["entry"].as_str().expect("entry");
        let file = pushed.repo().join(".git/hooks/pre-push");
        std::fs::write(&file, format!("#!/bin/sh\nexec {entry}\n")).expect("hook");
        chmod_x(&file);
        pushed
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("ledger")
    }

    fn env(&self, date: &str) -> Vec<(String, String)> {
        let when = format!("{date}T10:00:00+01:00");
        [
            ("GIT_AUTHOR_NAME", "Omar Haddad"),
            ("GIT_AUTHOR_EMAIL", "omar@example.com"),
            ("GIT_COMMITTER_NAME", "Omar Haddad"),
            ("GIT_COMMITTER_EMAIL", "omar@example.com"),
            ("GIT_AUTHOR_DATE", when.as_str()),
            ("GIT_COMMITTER_DATE", when.as_str()),
            ("GIT_CONFIG_NOSYSTEM", "1"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }

    fn git(&self, args: &[&str]) -> Run {
        Run::from(
            self.machine
                .command("git", &self.repo(), &self.env("2024-07-12"))
                .args(args)
                .output()
                .expect("git runs"),
        )
    }

    fn rapport(&self, args: &[&str]) -> Run {
        Run::from(
            self.machine
                .command("rapport", &self.repo(), &[])
                .args(args)
                .output()
                .expect("rapport runs"),
        )
    }

    fn commit(&self, date: &str, message: &str) {
        let env = self.env(date);
        for args in [&["add", "--all"][..], &["commit", "--quiet", "-m", message]] {
            Run::from(
                self.machine
                    .command("git", &self.repo(), &env)
                    .args(args)
                    .output()
                    .expect("git runs"),
            )
            .expect(0);
        }
    }

    fn remote_has(&self, branch: &str) -> bool {
        self.git(&["ls-remote", "--exit-code", "origin", branch])
            .code
            == 0
    }
}

#[test]
fn the_pre_push_hook_init_writes_works_without_origin_head() {
    let pushed = Pushed::new();
    assert_ne!(
        pushed
            .git(&["rev-parse", "--verify", "--quiet", "origin/HEAD"])
            .code,
        0,
        "a push sets no origin/HEAD"
    );

    // A clean push on main: the July notes. The base is main's upstream.
    std::fs::write(
        pushed.repo().join("partners/northwind.md"),
        northwind(
            30,
            &format!("{SPRING}{JULY}").replace(
                "Finance agreed net-45 from the Q3 invoice.",
                "Finance confirmed the Q3 invoice schedule.",
            ),
        ),
    )
    .expect("write");
    pushed.commit("2024-07-12", "Northwind: July pipeline sync");
    let push = pushed.git(&["push", "origin", "main"]);
    pushed.machine.pin(
        "a_clean_push_compares_with_the_upstream",
        &push,
        pushed.dir.path(),
    );

    // A branch that doubles Northwind's payment terms, pushed for the first time: no upstream
    // yet, so the base is origin/main; the push is refused and the remote has no such branch.
    pushed.git(&["switch", "--quiet", "-c", "terms"]).expect(0);
    let notes = read(pushed.repo().join("partners/northwind.md"));
    std::fs::write(
        pushed.repo().join("partners/northwind.md"),
        notes.replace("payment_days: 30", "payment_days: 60"),
    )
    .expect("write");
    pushed.commit("2024-07-19", "Northwind: net-60 from the Q3 invoice");
    let push = pushed.git(&["push", "-u", "origin", "terms"]);
    pushed.machine.pin(
        "a_first_push_of_a_branch_is_refused",
        &push,
        pushed.dir.path(),
    );
    assert!(!pushed.remote_has("terms"));
    assert!(pushed.remote_has("main"));
}

#[test]
fn without_a_base_check_says_what_it_tried_and_how_to_set_one() {
    // A ledger that was never pushed anywhere.
    let pushed = Pushed::new();
    pushed.git(&["remote", "remove", "origin"]).expect(0);
    let run = pushed.rapport(&["check", ".", "--base"]);
    pushed.machine.pin(
        "without_a_base_check_says_what_it_tried",
        &run,
        pushed.dir.path(),
    );
}

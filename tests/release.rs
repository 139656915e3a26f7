//! Installing rapport without Rust: the release workflow builds every target the install script
//! and `cargo binstall` ask for, `ci/release/package.sh` names the archives as both expect, and
//! the action's install script downloads one (from a fake download server), checks its
//! checksum, puts it on PATH, refuses a tampered archive and falls back to cargo only when there
//! is no release to download.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

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

fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The targets the release workflow builds.
fn workflow_targets() -> Vec<String> {
    let workflow = yaml(".github/workflows/release.yml");
    workflow["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("a build matrix")
        .iter()
        .map(|entry| entry["target"].as_str().expect("a target").to_string())
        .collect()
}

/// `[package.metadata.binstall]`, as cargo reads it.
fn binstall() -> Value {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(project())
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let metadata: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    metadata["packages"][0]["metadata"]["binstall"].clone()
}

/// A binstall template with its `{ key }` placeholders filled.
fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{ {key} }}"), value);
    }
    // A guard on the test's own rendering: no placeholder left unfilled.
    assert!(!out.contains('{'), "unfilled placeholder in {out}");
    out
}

fn chmod_x(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// A runner: a fake `curl` serving files from `server/` (the release's URLs map to file names,
/// everything else is a 404), a fake `cargo` recording its calls, and nothing else of ours on
/// PATH.
struct Runner {
    dir: TempDir,
}

const FAKE_CURL: &str = r#"#!/usr/bin/env bash
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "curl $*" >>"$dir/calls.log"
output="" url="" previous=""
for arg in "$@"; do
  case "$previous" in --output) output="$arg" ;; esac
  case "$arg" in https://*) url="$arg" ;; esac
  previous="$arg"
done
file="$dir/server/${url##*/}"
if [[ "$url" != https://github.com/acme/rapport/releases/download/* || ! -f "$file" ]]; then
  echo "curl: (22) The requested URL returned error: 404" >&2
  exit 22
fi
cp "$file" "$output"
"#;

const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
dir="$(cd "$(dirname "$0")/.." && pwd)"
echo "cargo $*" >>"$dir/calls.log"
"#;

impl Runner {
    fn new() -> Runner {
        let runner = Runner {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        for folder in ["bin", "server", "temp"] {
            std::fs::create_dir_all(runner.path(folder)).expect("mkdir");
        }
        for (name, text) in [("curl", FAKE_CURL), ("cargo", FAKE_CARGO)] {
            let file = runner.path("bin").join(name);
            std::fs::write(&file, text).expect("fake");
            chmod_x(&file);
        }
        runner
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Packs a stand-in binary for `target` with the release's own packaging script, into the
    /// fake server.
    fn publish(&self, target: &str) -> (String, String) {
        let build = self.path("build");
        // Not output: the target's name says the platform.
        let exe = if target.contains("windows") {
            "rapport.exe"
        } else {
            "rapport"
        };
        let binary = build.join(target).join("release").join(exe);
        std::fs::create_dir_all(binary.parent().expect("folder")).expect("mkdir");
        std::fs::write(&binary, "#!/bin/sh\necho \"rapport from the release\"\n").expect("write");
        chmod_x(&binary);
        let out = Command::new("bash")
            .arg(project().join("ci/release/package.sh"))
            .arg(target)
            .env("CARGO_TARGET_DIR", &build)
            .env("RAPPORT_DIST", self.path("server"))
            .output()
            .expect("package.sh runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let archive = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        assert_eq!(archive.parent(), Some(self.path("server").as_path()));
        let name = archive
            .file_name()
            .expect("a file")
            .to_string_lossy()
            .into_owned();
        let checksum = read(self.path("server").join(format!("{name}.sha256")));
        (name, checksum)
    }

    /// The action's two install steps as the runner runs them: GITHUB_ACTION_PATH in the
    /// runner's `_actions/OWNER/REPO/REF` layout, GITHUB_ACTION_REPOSITORY empty (as in a
    /// composite action's `run:` steps), the repository from the step's `env:` expression.
    fn install(&self, os: &str, arch: &str) -> Output {
        let action = self.path("work/_actions/acme/rapport/main");
        if !action.exists() {
            std::fs::create_dir_all(action.parent().expect("a folder")).expect("mkdir");
            std::os::unix::fs::symlink(project(), &action).expect("symlink");
        }
        let step = |mode: &str| {
            Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail"])
                .arg(action.join("ci/github/install.sh"))
                .arg(mode)
                .env_clear()
                .env(
                    "PATH",
                    format!("{}:/usr/bin:/bin", self.path("bin").display()),
                )
                .env("HOME", self.dir.path())
                .env("GITHUB_ACTION_PATH", &action)
                .env("GITHUB_ACTION_REPOSITORY", "")
                .env("RAPPORT_ACTION_REPOSITORY", "acme/rapport")
                .env("RAPPORT_ACTION_REF", "main")
                .env("GITHUB_SERVER_URL", "https://github.com")
                .env("GITHUB_PATH", self.path("path.txt"))
                .env("GITHUB_OUTPUT", self.path("output.txt"))
                .env("RUNNER_TEMP", self.path("temp"))
                .env("RUNNER_OS", os)
                .env("RUNNER_ARCH", arch)
                .output()
                .expect("install.sh runs")
        };
        let located = step("locate");
        assert!(located.status.success(), "{located:?}");
        step("install")
    }

    /// Where the action installs rapport: `RUNNER_TEMP/rapport/VERSION/TARGET/bin` here, the
    /// runner giving no RUNNER_TOOL_CACHE.
    fn installed(&self, target: &str) -> PathBuf {
        self.path("temp")
            .join(format!("rapport/{}/{target}/bin", version()))
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.path("calls.log"))
            .map(|log| log.lines().map(str::to_string).collect())
            .unwrap_or_default()
    }

    fn added_to_path(&self) -> String {
        std::fs::read_to_string(self.path("path.txt")).unwrap_or_default()
    }
}

#[test]
fn the_release_workflow_builds_static_linux_macos_and_windows_on_a_tag() {
    let workflow = yaml(".github/workflows/release.yml");
    assert_eq!(workflow["on"]["push"]["tags"], serde_json::json!(["v*"]));
    assert_eq!(
        workflow_targets(),
        [
            "x86_64-unknown-linux-musl",
            "aarch64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc",
        ]
    );
    let text = read(project().join(".github/workflows/release.yml"));
    // The release workflow's steps: the three commands it must run are looked for.
    assert!(text.contains("cargo zigbuild --release --locked --target"));
    // The release workflow's steps: the packaging script.
    assert!(text.contains("ci/release/package.sh"));
    // The release workflow's steps: the checksum check.
    assert!(text.contains("sha256sum --check *.sha256"));
    assert_eq!(
        workflow["jobs"]["publish"]["permissions"]["contents"],
        "write"
    );
}

#[test]
fn binstall_finds_the_archives_the_release_publishes() {
    let meta = binstall();
    let runner = Runner::new();
    for target in workflow_targets() {
        let (archive, checksum) = runner.publish(&target);
        // Not output: the target's name says the platform.
        let windows = target.contains("windows");
        let format = meta["overrides"][&target]["pkg-fmt"]
            .as_str()
            .or(meta["pkg-fmt"].as_str())
            .expect("a format");
        assert_eq!(format, if windows { "zip" } else { "tgz" }, "{target}");
        let suffix = if windows { ".zip" } else { ".tar.gz" };
        let values = [
            ("repo", "https://github.com/acme/rapport"),
            ("name", "rapport"),
            ("version", &version()),
            ("target", &target),
            ("archive-suffix", suffix),
            ("bin", "rapport"),
            ("binary-ext", if windows { ".exe" } else { "" }),
        ];
        let url = render(meta["pkg-url"].as_str().expect("pkg-url"), &values);
        assert_eq!(
            url,
            format!(
                "https://github.com/acme/rapport/releases/download/v{}/{archive}",
                version()
            )
        );
        assert!(checksum.ends_with(&format!("  {archive}\n")), "{checksum}");
        // The binary is where bin-dir says, inside the archive.
        let bin_dir = render(meta["bin-dir"].as_str().expect("bin-dir"), &values);
        let listing = if windows {
            Command::new("unzip")
                .arg("-Z1")
                .arg(runner.path("server").join(&archive))
                .output()
        } else {
            Command::new("tar")
                .arg("-tzf")
                .arg(runner.path("server").join(&archive))
                .output()
        }
        .expect("lists the archive");
        let listing = String::from_utf8_lossy(&listing.stdout);
        assert!(
            listing.lines().any(|l| l == bin_dir),
            "{bin_dir} in {listing}"
        );
    }
}

#[test]
fn the_action_installs_the_release_binary_after_checking_its_checksum() {
    let runner = Runner::new();
    let (archive, _) = runner.publish("aarch64-unknown-linux-musl");
    let out = runner.install("Linux", "ARM64");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let installed = runner.installed("aarch64-unknown-linux-musl");
    assert_eq!(runner.added_to_path(), format!("{}\n", installed.display()));
    let ran = Command::new(installed.join("rapport"))
        .output()
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout),
        "rapport from the release\n"
    );
    let url = format!(
        "https://github.com/acme/rapport/releases/download/v{}/{archive}",
        version()
    );
    assert_eq!(
        runner.calls(),
        [
            format!(
                "curl --fail --silent --show-error --location --retry 3 --output {}/{archive} {url}",
                download_dir(&runner)
            ),
            format!(
                "curl --fail --silent --show-error --location --retry 3 --output {}/{archive}.sha256 {url}.sha256",
                download_dir(&runner)
            ),
        ],
        "no cargo"
    );
}

/// The folder the install script downloaded into (a fresh one under RUNNER_TEMP; removed since).
fn download_dir(runner: &Runner) -> String {
    let calls = runner.calls();
    let first = calls.first().expect("a download");
    let output = first
        .split(" --output ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .expect("an output file");
    let dir = Path::new(output).parent().expect("a folder");
    assert!(dir.starts_with(runner.path("temp")), "{}", dir.display());
    assert!(!dir.exists(), "the download folder is removed");
    dir.display().to_string()
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed_or_built() {
    let runner = Runner::new();
    let (archive, _) = runner.publish("x86_64-unknown-linux-musl");
    let served = runner.path("server").join(&archive);
    let mut bytes = std::fs::read(&served).expect("read");
    bytes.push(0);
    std::fs::write(&served, bytes).expect("tamper");
    let out = runner.install("Linux", "X64");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        // An install log: the refusal, beside curl's own lines.
        stderr.contains(&format!(
            "::error::rapport: the checksum of {archive} does not match its published one"
        )),
        "{stderr}"
    );
    assert_eq!(runner.added_to_path(), "");
    assert!(
        runner.calls().iter().all(|c| !c.starts_with("cargo")),
        "{:?}",
        runner.calls()
    );
}

#[test]
fn without_a_release_for_the_runner_the_action_builds_from_source() {
    let runner = Runner::new();
    // Nothing published: the download fails, and the documented fallback builds.
    let out = runner.install("macOS", "ARM64");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        // An install log: the fallback, beside curl's and cargo's own lines.
        stderr.contains(&format!(
            "rapport: cannot download https://github.com/acme/rapport/releases/download/v{v}/rapport-{v}-aarch64-apple-darwin.tar.gz; building it from the action's source with cargo instead",
            v = version()
        )),
        "{stderr}"
    );
    let calls = runner.calls();
    assert_eq!(
        calls.last().map(String::as_str),
        Some(
            format!(
                "cargo install --locked --path {} --root {}",
                runner.path("work/_actions/acme/rapport/main").display(),
                runner
                    .installed("aarch64-apple-darwin")
                    .parent()
                    .expect("a folder")
                    .display()
            )
            .as_str()
        )
    );
    // An unknown platform goes straight to the fallback.
    let runner = Runner::new();
    let out = runner.install("Linux", "RISCV64");
    assert!(out.status.success());
    assert!(runner.calls().iter().all(|c| !c.starts_with("curl")));
}

#[test]
fn the_gitlab_job_installs_the_release_binary_after_checking_its_checksum() {
    let runner = Runner::new();
    let target = match std::env::consts::ARCH {
        "aarch64" => "aarch64-unknown-linux-musl",
        _ => "x86_64-unknown-linux-musl",
    };
    let (archive, _) = runner.publish(target);
    let gitlab = |runner: &Runner| {
        Command::new("bash")
            .args(["--noprofile", "--norc", "-c"])
            .arg(format!(
                "source {} && command -v rapport && rapport",
                project().join("ci/gitlab/install.sh").display()
            ))
            .env_clear()
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", runner.path("bin").display()),
            )
            .env("HOME", runner.path("temp"))
            .env(
                "RAPPORT_RELEASES",
                "https://github.com/acme/rapport/releases/download",
            )
            .env("RAPPORT_VERSION", version())
            .env("RAPPORT_INSTALL", "")
            .output()
            .expect("bash runs")
    };
    let out = gitlab(&runner);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("rapport: installed {archive} (sha256 ")),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("/.local/bin/rapport\nrapport from the release\n"),
        "{stdout}"
    );

    let served = runner.path("server").join(&archive);
    let mut bytes = std::fs::read(&served).expect("read");
    bytes.push(0);
    std::fs::write(&served, bytes).expect("tamper");
    std::fs::remove_file(runner.path("temp/.local/bin/rapport")).expect("uninstall");
    let out = gitlab(&runner);
    assert_eq!(out.status.code(), Some(1));
    // An install log: the refusal, beside curl's own lines.
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match its published one"));
    assert!(!runner.path("temp/.local/bin/rapport").exists());
}

//! The editors that start `rapport lsp`: Neovim's built-in client, run headless on a partnership
//! file, shows the server's diagnostics; the VS Code extension builds into a `.vsix` from the npm
//! registry. A missing tool skips its test with a message, except in CI, where it fails.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Script, northwind_front, partnership};

/// Whether `tool` runs; in CI a missing tool is a failure, elsewhere the test is skipped.
fn have(tool: &str) -> bool {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "`{tool}` is missing: .ci/run installs it"
        );
        eprintln!("skipped: `{tool}` is not installed");
    }
    found
}

/// Runs `command` to its end, killed after `limit`.
fn run_within(mut command: Command, limit: Duration) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the tool starts");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("{command:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

const NEOVIM_CONFIG: &str = r#"
-- Opens the file, attaches `rapport lsp` as an editor's configuration would, waits for the
-- diagnostics it publishes, and writes what Neovim shows, one per line.
local file, out = vim.env.RAPPORT_FILE, vim.env.RAPPORT_RESULTS
vim.cmd('edit ' .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()
local config = {
  name = 'rapport',
  cmd = { vim.env.RAPPORT_BIN, 'lsp', '--as-of', '2024-09-01' },
  cmd_cwd = vim.env.RAPPORT_ROOT,
  root_dir = vim.env.RAPPORT_ROOT,
}
-- `vim.lsp.start` from Neovim 0.8; Debian's 0.7 has the two calls it makes.
if vim.lsp.start then
  vim.lsp.start(config, { bufnr = buf })
else
  vim.lsp.buf_attach_client(buf, vim.lsp.start_client(config))
end
vim.wait(30000, function() return #vim.diagnostic.get(buf) >= 2 end, 50)
local shown = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(shown, string.format('%d:%d-%d:%d %s %s: %s', d.lnum, d.col, d.end_lnum, d.end_col,
    vim.diagnostic.severity[d.severity], lsp.code or d.code or '', d.message))
end
table.sort(shown)
vim.fn.writefile(shown, out)
vim.cmd('qa!')
"#;

#[test]
fn neovim_shows_the_servers_diagnostics_for_a_partnership_file() {
    if !have("nvim") {
        return;
    }
    let body = "\n## 2024-02-10 Plan sign-off\nAttendees: Dana Whitfield, Priya Raman\n\n- [x] ours: send the signed plan\n";
    let script = Script::new().commit(
        "2024-02-10",
        "Northwind: plan signed",
        &[(
            "partners/northwind.md",
            &partnership("Northwind Analytics", &northwind_front(30, ""), body),
        )],
    );
    let dir = script.path();
    // On disk, uncommitted: net-90 terms and a meeting dated the US way.
    let edited = partnership(
        "Northwind Analytics",
        &northwind_front(90, ""),
        &format!("{body}\n## 08/20/2024 Pipeline review\nAttendees: Dana Whitfield\n"),
    );
    std::fs::write(dir.join("partners/northwind.md"), &edited).expect("write");
    let state = tempfile::tempdir().expect("a folder for Neovim's state");
    let config = state.path().join("init.lua");
    std::fs::write(&config, NEOVIM_CONFIG).expect("write");
    let results = state.path().join("diagnostics.txt");
    let mut nvim = Command::new("nvim");
    nvim.args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&config)
        .current_dir(dir)
        .env("RAPPORT_FILE", dir.join("partners/northwind.md"))
        .env("RAPPORT_RESULTS", &results)
        .env("RAPPORT_BIN", assert_cmd::cargo::cargo_bin("rapport"))
        .env("RAPPORT_ROOT", dir)
        .env("XDG_CONFIG_HOME", state.path())
        .env("XDG_DATA_HOME", state.path())
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CACHE_HOME", state.path());
    let output = run_within(nvim, Duration::from_secs(120));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let shown = std::fs::read_to_string(&results).expect("Neovim wrote what it shows");
    let line = |needle: &str| {
        edited
            .lines()
            // Not an assertion: the line of the file a needle is on.
            .position(|l| l.contains(needle))
            .expect("in the file")
    };
    let terms = line("payment_days: 90");
    let width = edited.lines().nth(terms).map_or(0, str::len);
    let heading = line("08/20/2024");
    let shown: Vec<&str> = shown.lines().collect();
    assert!(
        // An editor's output: each diagnostic Neovim shows is looked for among its lines.
        shown.contains(&format!(
            "{heading}:3-{heading}:13 WARN unread-meeting-date: `08/20/2024` is not a date form rapport reads, so this section is not read as a meeting: its attendees, action items and notes count for nothing"
        ).as_str()),
        "{shown:#?}"
    );
    let slip = format!("{terms}:0-{terms}:{width} WARN payment-terms-slip: error: ");
    assert!(
        shown.iter().any(|l| l.starts_with(&slip)),
        "{slip} in {shown:#?}"
    );
}

#[test]
fn the_vscode_extension_builds_into_a_vsix() {
    if !have("npm") {
        return;
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/vscode");
    let build = tempfile::tempdir().expect("a build folder");
    for file in [
        "package.json",
        "package-lock.json",
        "extension.js",
        "README.md",
        ".vscodeignore",
    ] {
        std::fs::copy(source.join(file), build.path().join(file)).expect("copy");
    }
    let mut npm = Command::new("sh");
    npm.args(["-c", "npm ci --no-audit --no-fund && npm run package"])
        .current_dir(build.path());
    let output = run_within(npm, Duration::from_secs(600));
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let vsix = build.path().join("rapport.vsix");
    let listing = Command::new("unzip")
        .arg("-l")
        .arg(&vsix)
        .output()
        .expect("unzip lists the package");
    let listing = String::from_utf8_lossy(&listing.stdout);
    for file in [
        "extension/extension.js",
        "extension/package.json",
        "extension/node_modules/vscode-languageclient/package.json",
    ] {
        // A package listing: each file the extension needs is looked for.
        assert!(listing.contains(file), "{file} is packaged:\n{listing}");
    }
}

//! `rapport lsp` driven over standard input and output as an editor drives it: a partnership file
//! opened with a misspelt key and an unread meeting date, fixed by the server's own code actions,
//! then edited until a sign shows, acknowledged; hover and completion on the way. Every edit the
//! server proposes is applied and the result checked with `rapport check`.

mod common;

use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use lsp_server::{Message, Notification, Request, RequestId};
use serde_json::{Value, json};

use common::{Script, northwind_front, partnership, rapport};

const AS_OF: &str = "2024-09-01";

const FIRST_MEETING: &str = "\n## 2024-02-10 Plan sign-off\nAttendees: Dana Whitfield, Priya Raman\n\nPlan agreed with Dana's team.\n\n- [x] ours: send the signed plan (due 2024-02-20)\n";
const QBR: &str = "\n## 2024-06-12 季度业务回顾\n参会人员：Dana Whitfield、Omar Haddad、Priya Raman\n\n管道落后于计划，双方同意加强联合营销。\n\n- [ ] partner: send the revised enablement plan (due 2024-06-30)\n";
const PIPELINE: &str = "\n## 2024/08/20 Pipeline review\nAttendees: Dana Whitfield, Omar Haddad\n\nTwo deals slipped to Q4.\n\n- [ ] partner: confirm the Q4 forecast (due 2024-09-15)\n";

fn committed() -> String {
    partnership(
        "Northwind Analytics",
        &northwind_front(30, ""),
        &format!("{FIRST_MEETING}{QBR}"),
    )
}

fn northwind_history() -> Script {
    Script::new()
        .commit(
            "2024-02-10",
            "Northwind: plan signed",
            &[(
                "partners/northwind.md",
                &partnership(
                    "Northwind Analytics",
                    &northwind_front(30, ""),
                    FIRST_MEETING,
                ),
            )],
        )
        .commit(
            "2024-06-12",
            "Northwind: QBR notes",
            &[("partners/northwind.md", &committed())],
        )
}

/// A client talking to one `rapport lsp` process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Message>,
    /// Notifications received while waiting for something else.
    held: Vec<Notification>,
    next: i32,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("rapport"))
            .args(["lsp", "--as-of", AS_OF])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("rapport lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (send, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Ok(Some(message)) = Message::read(&mut reader) {
                if send.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            held: Vec::new(),
            next: 1,
        }
    }

    fn send(&mut self, message: Message) {
        message.write(&mut self.stdin).expect("the server reads");
        self.stdin.flush().expect("flush");
    }

    fn receive(&mut self) -> Message {
        self.incoming
            .recv_timeout(Duration::from_secs(60))
            .expect("the server answers within a minute")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(Message::Request(Request::new(
            RequestId::from(id),
            method.to_string(),
            params,
        )));
        loop {
            match self.receive() {
                Message::Response(response) if response.id == RequestId::from(id) => {
                    return response
                        .response_result
                        .unwrap_or_else(|e| panic!("{method}: {e:?}"));
                }
                Message::Notification(n) => self.held.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Message::Notification(Notification::new(
            method.to_string(),
            params,
        )));
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let matches = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
        };
        if let Some(i) = self.held.iter().position(matches) {
            let n = self.held.remove(i);
            return n.params["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        loop {
            match self.receive() {
                Message::Notification(n) if matches(&n) => {
                    return n.params["diagnostics"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default();
                }
                // Another file's, kept for when it is asked for.
                Message::Notification(n) => self.held.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
        self.diagnostics(uri)
    }

    fn initialize(&mut self, root: &Path) {
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri_of(root),
                "capabilities": {},
            }),
        );
        assert_eq!(result["serverInfo"]["name"], "rapport");
        assert_eq!(result["capabilities"]["textDocumentSync"], 1);
        assert_eq!(result["capabilities"]["hoverProvider"], true);
        assert_eq!(result["capabilities"]["codeActionProvider"], true);
        self.notify("initialized", json!({}));
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let status = self.child.wait().expect("the server exits");
        assert!(status.success(), "{status:?}");
    }

    fn actions(&mut self, uri: &str, range: &Value) -> Vec<Value> {
        let result = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": range,
                "context": { "diagnostics": [] },
            }),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    fn hover(&mut self, uri: &str, line: usize, character: usize) -> String {
        let result = self.request(
            "textDocument/hover",
            json!({
                "textDocument": { "uri": uri },
                "position": { "line": line, "character": character },
            }),
        );
        result["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    fn complete(&mut self, uri: &str, line: usize, character: usize) -> Vec<String> {
        let result = self.request(
            "textDocument/completion",
            json!({
                "textDocument": { "uri": uri },
                "position": { "line": line, "character": character },
            }),
        );
        result
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| {
                item["textEdit"]["newText"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .collect()
    }
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The line (0-based) holding `needle` and the UTF-16 column of its start.
fn find(text: &str, needle: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate() {
        if let Some(at) = line.find(needle) {
            return (i, line[..at].encode_utf16().count());
        }
    }
    panic!("`{needle}` is not in the text");
}

fn range(line: usize, start: usize, end: usize) -> Value {
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
}

/// The text with a code action's edits applied (positions in UTF-16 units).
fn apply(text: &str, action: &Value) -> String {
    let changes = action["edit"]["changes"]
        .as_object()
        .expect("the action edits the file");
    assert_eq!(changes.len(), 1, "one file edited");
    let mut edits: Vec<&Value> = changes
        .values()
        .next()
        .and_then(Value::as_array)
        .expect("edits")
        .iter()
        .collect();
    edits.sort_by_key(|e| {
        let start = &e["range"]["start"];
        std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
    });
    let mut text = text.to_string();
    for edit in edits {
        let offset = |position: &Value| -> usize {
            let line = position["line"].as_u64().expect("line") as usize;
            let units = position["character"].as_u64().expect("character") as usize;
            let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
            let mut seen = 0;
            for (i, c) in text[start..].char_indices() {
                if seen >= units {
                    return start + i;
                }
                seen += c.len_utf16();
            }
            text.len()
        };
        let (from, to) = (
            offset(&edit["range"]["start"]),
            offset(&edit["range"]["end"]),
        );
        text.replace_range(from..to, edit["newText"].as_str().expect("new text"));
    }
    text
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action `{title}` in {actions:#?}"))
}

/// The problems (`check`'s errors and warnings) among the diagnostics: code and range.
fn problems(diagnostics: &[Value]) -> Vec<(String, Value)> {
    diagnostics
        .iter()
        .filter(|d| d.get("codeDescription").is_none())
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_string(),
                d["range"].clone(),
            )
        })
        .collect()
}

fn finding<'a>(diagnostics: &'a [Value], rule: &str) -> Option<&'a Value> {
    diagnostics
        .iter()
        .find(|d| d["code"] == rule && d.get("codeDescription").is_some())
}

/// Every entry under `root` (`.git` included): its kind, size, modification time and bytes.
fn files_under(
    root: &Path,
) -> std::collections::BTreeMap<std::path::PathBuf, (bool, u64, i64, i64, Vec<u8>)> {
    use std::os::unix::fs::MetadataExt;
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            let bytes = if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else {
                std::fs::read(&path).expect("read")
            };
            let relative = path.strip_prefix(root).expect("under root").to_path_buf();
            out.insert(
                relative,
                (
                    meta.is_dir(),
                    meta.size(),
                    meta.mtime(),
                    meta.mtime_nsec(),
                    bytes,
                ),
            );
        }
    }
    out
}

/// `rapport check --as-of AS_OF FILE` on `text` written to the partnership file.
fn check_text(dir: &Path, text: &str) -> common::Run {
    std::fs::write(dir.join("partners/northwind.md"), text).expect("write");
    rapport(dir, &["check", "--as-of", AS_OF, "partners/northwind.md"])
}

#[test]
fn an_editor_sees_problems_fixes_them_with_the_servers_actions_and_sees_a_sign_appear() {
    let script = northwind_history();
    let dir = script.path();
    let file = dir.join("partners/northwind.md");
    let uri = uri_of(&file);
    let before = files_under(dir);
    assert!(before.keys().any(|p| p.starts_with(".git/objects")));
    let mut client = Client::start(dir);
    client.initialize(dir);

    // Opened with a misspelt key and a meeting dated in a form rapport does not read.
    let typed = format!(
        "{}{PIPELINE}",
        committed().replace("payment_days", "payment_dayz")
    );
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": typed } }),
    );
    let shown = client.diagnostics(&uri);
    let (key_line, key_col) = find(&typed, "payment_dayz");
    let (heading_line, heading_col) = find(&typed, "2024/08/20");
    assert_eq!(
        problems(&shown),
        [
            (
                "unknown-field".to_string(),
                range(key_line, key_col, key_col + "payment_dayz".len())
            ),
            (
                "unread-meeting-date".to_string(),
                range(heading_line, heading_col, heading_col + "2024/08/20".len())
            ),
        ],
        "{shown:#?}"
    );
    let typo = &shown[0];
    assert_eq!(typo["severity"], 1);
    assert_eq!(typo["source"], "rapport");
    assert_eq!(
        typo["relatedInformation"][0]["message"],
        "help: did you mean `payment_days`?"
    );
    let heading = &shown[1];
    assert_eq!(heading["severity"], 2);
    assert_eq!(
        heading["relatedInformation"][0]["message"],
        "help: write the date as `2024-08-20`: `## 2024-08-20 Pipeline review`"
    );

    // The "did you mean" action, then the ISO rewrite: both problems gone.
    let actions = client.actions(&uri, &typo["range"]);
    let fixed_key = apply(
        &typed,
        titled(&actions, "Change `payment_dayz` to `payment_days`"),
    );
    let actions = client.actions(&uri, &heading["range"]);
    let fixed = apply(&fixed_key, titled(&actions, "Write the date as 2024-08-20"));
    assert_eq!(
        fixed,
        format!(
            "{}{}",
            committed(),
            PIPELINE.replace("2024/08/20", "2024-08-20")
        )
    );
    let shown = client.change(&uri, 2, &fixed);
    assert_eq!(problems(&shown), [], "{shown:#?}");
    assert!(
        finding(&shown, "payment-terms-slip").is_none(),
        "{shown:#?}"
    );

    // Net-30 becomes net-90 in the buffer: the sign shows before anything is committed.
    let stretched = fixed.replace("payment_days: 30", "payment_days: 90");
    let shown = client.change(&uri, 3, &stretched);
    let slip = finding(&shown, "payment-terms-slip")
        .expect("payment-terms-slip")
        .clone();
    assert_eq!(slip["severity"], 2, "{slip:#?}");
    assert!(
        slip["codeDescription"]["href"]
            .as_str()
            .is_some_and(|h| h.ends_with("docs/rules.md#payment-terms-slip")),
        "{slip:#?}"
    );
    let (terms_line, _) = find(&stretched, "payment_days: 90");
    assert_eq!(slip["range"]["start"]["line"], terms_line, "{slip:#?}");
    assert!(
        // A language-server message: the number is looked for, the wording is the CLI's, pinned there.
        slip["message"].as_str().is_some_and(|m| m.contains("90")),
        "{slip:#?}"
    );

    // Acknowledged for 90 days: shown as a hint that says so.
    let actions = client.actions(&uri, &slip["range"]);
    let acknowledged = apply(
        &stretched,
        titled(
            &actions,
            "Acknowledge `payment-terms-slip` until 2024-11-30",
        ),
    );
    // The edited file: the block the code action adds is looked for in it.
    assert!(acknowledged.contains(
        "acknowledged:\n  - { rule: payment-terms-slip, reason: \"TODO: why the team accepts this\", until: 2024-11-30 }\n---\n"
    ));
    let shown = client.change(&uri, 4, &acknowledged);
    let slip = finding(&shown, "payment-terms-slip").expect("still shown");
    assert_eq!(slip["severity"], 4, "{slip:#?}");
    assert!(
        slip["message"].as_str().is_some_and(
            // A language-server message: the acknowledgement it adds is looked for.
            |m| m.contains("(acknowledged until 2024-11-30: TODO: why the team accepts this)")
        ),
        "{slip:#?}"
    );

    // Hover: a key, a contact on an `Attendees:` line, a rule id.
    let (line, col) = find(&acknowledged, "payment_days: 90");
    let key = client.hover(&uri, line, col + 3);
    assert!(key.starts_with("`terms.payment_days`: integer"), "{key}");
    let (line, col) = find(&acknowledged, "Attendees: Dana Whitfield, Omar Haddad");
    let omar = client.hover(&uri, line, col + "Attendees: Dana Whitfield, Om".len());
    assert_eq!(
        omar,
        "**Omar Haddad**: partner side, Partner Manager, level manager"
    );
    let (line, col) = find(&acknowledged, "Dana Whitfield、");
    let dana = client.hover(&uri, line, col + 1);
    assert!(
        // A hover in Markdown: the contact's line is looked for.
        dana.contains("VP Alliances, level executive, primary contact"),
        "{dana}"
    );
    let (line, col) = find(&acknowledged, "rule: payment-terms-slip");
    let rule = client.hover(&uri, line, col + 8);
    assert!(rule.starts_with("**payment-terms-slip**: "), "{rule}");

    // Completion: a status, attendees not yet named (English and Chinese lines), an owner.
    let (line, col) = find(&acknowledged, "status: active");
    let statuses = client.complete(&uri, line, col + "status: ".len());
    assert_eq!(
        statuses,
        [
            "prospect",
            "onboarding",
            "active",
            "paused",
            "ending",
            "ended"
        ]
    );
    let (line, col) = find(&acknowledged, "level: manager");
    let levels = client.complete(&uri, line, col + "level: ".len());
    assert_eq!(levels, ["executive", "director", "manager", "staff"]);
    let writing = acknowledged.replace(
        "Attendees: Dana Whitfield, Omar Haddad",
        "Attendees: Dana Whitfield, ",
    ) + "\n## 2024-08-28 周会\n参会人员：Omar Haddad、\n\n- [ ] ";
    client.change(&uri, 5, &writing);
    let (line, col) = find(&writing, "Attendees: Dana Whitfield, ");
    let names = client.complete(&uri, line, col + "Attendees: Dana Whitfield, ".len());
    assert_eq!(names, ["Omar Haddad", "Priya Raman"]);
    let (line, col) = find(&writing, "参会人员：Omar Haddad、");
    let names = client.complete(
        &uri,
        line,
        col + "参会人员：Omar Haddad、".encode_utf16().count(),
    );
    assert_eq!(names, ["Dana Whitfield", "Priya Raman"]);
    let last = writing.lines().count() - 1;
    let owners = client.complete(&uri, last, "- [ ] ".len());
    assert_eq!(owners, ["partner: ", "ours: ", "合作方：", "我方："]);

    client.shutdown();
    // The server wrote nothing: every file and folder, `.git` included, is as it was, and no
    // lock was left.
    let after = files_under(dir);
    assert!(
        after
            .keys()
            .all(|p| p.extension().is_none_or(|e| e != "lock")),
        "{:?}",
        after.keys().collect::<Vec<_>>()
    );
    assert!(before == after, "the repository changed during the session");

    // Each edit the server proposed passes `rapport check`.
    let run = check_text(dir, &fixed_key);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            // The check of an edited file: only its summary is looked for, the findings move with today's date.
            .contains("all valid (1 part not read: see the warnings)"),
        "{}",
        run.stdout
    );
    let run = check_text(dir, &fixed);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            // The check of an edited file: only its summary is looked for.
            .contains("1 partnership file checked: all valid;"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
    let run = check_text(dir, &stretched);
    assert_eq!(
        run.code, 1,
        "the stretched terms fail the gate: {}",
        run.stdout
    );
    assert!(
        // The check of an edited file: the finding is looked for, its wording is pinned by the CLI tests.
        run.stdout.contains("error[payment-terms-slip]"),
        "{}",
        run.stdout
    );
    let run = check_text(dir, &acknowledged);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        // The check of an edited file: the acknowledged finding is looked for.
        run.stdout.contains("[payment-terms-slip] (acknowledged)"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_misspelt_level_and_item_owner_are_fixed_by_did_you_mean_and_pass_check() {
    let script = northwind_history();
    let dir = script.path();
    let uri = uri_of(&dir.join("partners/northwind.md"));
    let mut client = Client::start(dir);
    client.initialize(dir);
    let typed = committed()
        .replacen("level: manager", "level: manger", 1)
        .replace("- [ ] partner: send", "- [ ] partnr: send");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": typed } }),
    );
    let shown = client.diagnostics(&uri);
    let (level_line, level_col) = find(&typed, "manger");
    let (owner_line, owner_col) = find(&typed, "partnr:");
    let owner = (
        "unread-item-owner".to_string(),
        range(owner_line, owner_col, owner_col + "partnr:".len()),
    );
    // The body's warnings show while the front matter is invalid: `check` names them once it
    // is fixed.
    assert_eq!(
        problems(&shown),
        [
            (
                "unknown-level".to_string(),
                range(level_line, level_col, level_col + "manger".len())
            ),
            owner.clone(),
        ],
        "{shown:#?}"
    );
    let actions = client.actions(&uri, &shown[0]["range"]);
    let fixed = apply(&typed, titled(&actions, "Change `manger` to `manager`"));
    let shown = client.change(&uri, 2, &fixed);
    assert_eq!(problems(&shown), [owner]);
    let actions = client.actions(&uri, &shown[0]["range"]);
    let fixed = apply(&fixed, titled(&actions, "Change `partnr:` to `partner:`"));
    assert_eq!(fixed, committed());
    let shown = client.change(&uri, 3, &fixed);
    assert_eq!(problems(&shown), []);
    client.shutdown();
    let run = check_text(dir, &fixed);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr, "");
}

#[test]
fn text_from_the_ledger_is_inert_in_what_the_server_sends() {
    let script = northwind_history();
    let dir = script.path();
    let uri = uri_of(&dir.join("partners/northwind.md"));
    let mut client = Client::start(dir);
    client.initialize(dir);
    let hostile = committed()
        .replace(
            "role: Partner Manager",
            "role: \"<img src=x onerror=alert(1)> [win](https://evil.example) \\e[31m\"",
        )
        .replace("rapport: 1\n", "rapport: 1\n\"pay\u{202e}ment\": 3\n");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": 1, "text": hostile } }),
    );
    let shown = client.diagnostics(&uri);
    let unknown = shown
        .iter()
        .find(|d| d["code"] == "unknown-field")
        .expect("the hostile key is an unknown field");
    let message = unknown["message"].as_str().unwrap_or("");
    // A language-server message: the hostile key as it is shown, and no raw override.
    assert!(message.contains("pay\\u{202e}ment"), "{message}");
    assert!(!message.contains('\u{202e}'), "{message}");
    // Fixed, the role shows in a hover: as text, not as an image, a link or a colour.
    let fine = hostile.replace("\"pay\u{202e}ment\": 3\n", "");
    client.change(&uri, 2, &fine);
    let (line, col) = find(&fine, "Omar Haddad、");
    let omar = client.hover(&uri, line, col + 1);
    assert!(
        // A hover in Markdown: the hostile role as inert text.
        omar.contains("&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"),
        "{omar}"
    );
    assert!(
        // A hover in Markdown: no live image or link.
        !omar.contains("<img") && !omar.contains("](https://"),
        "{omar}"
    );
    assert!(!omar.contains('\u{1b}'), "{omar}");
    client.shutdown();
}

#[test]
fn the_configuration_is_checked_as_it_is_written_and_its_typo_fixed() {
    let script = northwind_history();
    let dir = script.path();
    let uri = uri_of(&dir.join("rapport.yaml"));
    let mut client = Client::start(dir);
    client.initialize(dir);
    let typed = "rapport: 1\nexclud: [\"_*\"]\n";
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": typed } }),
    );
    let shown = client.diagnostics(&uri);
    assert_eq!(
        problems(&shown),
        [("unknown-field".to_string(), range(1, 0, "exclud".len()))]
    );
    assert_eq!(shown[0]["message"], "unknown key `exclud`");
    let actions = client.actions(&uri, &shown[0]["range"]);
    let fixed = apply(typed, titled(&actions, "Change `exclud` to `exclude`"));
    assert_eq!(fixed, "rapport: 1\nexclude: [\"_*\"]\n");
    let shown = client.change(&uri, 2, &fixed);
    assert_eq!(problems(&shown), []);
    // Hover and completion read the configuration's own schema.
    let exclude = client.hover(&uri, 1, 2);
    assert!(
        exclude.starts_with("`exclude`: list of strings\n\nFiles under the partnership folders"),
        "{exclude}"
    );
    let writing = format!("{fixed}rules:\n  payment-terms-slip: {{ severity: }}\n");
    client.change(&uri, 3, &writing);
    let slip = client.hover(&uri, 3, 6);
    assert!(slip.starts_with("**payment-terms-slip**: "), "{slip}");
    let keys = client.complete(&uri, 4, 0);
    assert!(
        ["paths: ", "exclude: ", "ladder: ", "rules: "]
            .iter()
            .all(|k| keys.iter().any(|c| c == k)),
        "{keys:?}"
    );
    let severities = client.complete(&uri, 3, "  payment-terms-slip: { severity: ".len());
    assert_eq!(severities, ["info", "warning", "error"]);
    // Net-90 in a partnership file shows the sign, until the team turns the rule off in the
    // configuration and saves it: every open file is analysed again with it.
    let northwind = uri_of(&dir.join("partners/northwind.md"));
    let stretched = committed().replace("payment_days: 30", "payment_days: 90");
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": northwind, "languageId": "markdown", "version": 1, "text": stretched } }),
    );
    assert!(finding(&client.diagnostics(&northwind), "payment-terms-slip").is_some());
    let off = "rapport: 1\nrules:\n  payment-terms-slip: { enabled: false }\n";
    client.change(&uri, 4, off);
    std::fs::write(dir.join("rapport.yaml"), off).expect("the editor saves");
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    let shown = client.diagnostics(&northwind);
    assert!(
        finding(&shown, "payment-terms-slip").is_none(),
        "{shown:#?}"
    );
    // A Markdown file outside the partnership folders is not the server's business.
    let readme = uri_of(&dir.join("README.md"));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": readme, "languageId": "markdown", "version": 1, "text": "## 2024/06/12 notes\n" } }),
    );
    assert_eq!(client.diagnostics(&readme), Vec::<Value>::new());
    client.shutdown();
}

#[test]
fn the_history_is_read_once_per_file_and_again_when_head_moves() {
    use rapport::analysis::buffer::Buffers;
    let script = northwind_history();
    let ledger = rapport::analysis::open(&[script.path().join("partners")]).expect("the ledger");
    let mut buffers = Buffers::open(ledger).expect("its repository opens");
    let now = rapport::ledger::Date::parse(AS_OF).expect("a date");
    let path = "partners/northwind.md";
    let slips = |buffers: &mut Buffers, text: &str| {
        let analysed = buffers.analyse(path, text, now).expect("analysed");
        assert!(
            analysed.diagnostics.is_empty(),
            "{:?}",
            analysed.diagnostics
        );
        analysed
            .findings
            .iter()
            .filter(|f| f.rule == "payment-terms-slip")
            .map(|f| f.evidence.iter().filter(|e| e.commit.is_some()).count())
            .collect::<Vec<usize>>()
    };
    let net = |days: u32| committed().replace("payment_days: 30", &format!("payment_days: {days}"));
    assert_eq!(slips(&mut buffers, &committed()), Vec::<usize>::new());
    // Net-60 in the buffer: one version in history at net-30, the buffer uncommitted.
    assert_eq!(slips(&mut buffers, &net(60)), [1]);
    assert_eq!(slips(&mut buffers, &committed()), Vec::<usize>::new());
    assert_eq!(buffers.history_reads(), 1, "edits reuse the history");
    // Net-60 committed: HEAD moved, so the history is read again and holds both versions.
    let _script = script.commit(
        "2024-08-01",
        "Northwind: net-60 agreed",
        &[(path, &net(60))],
    );
    assert_eq!(slips(&mut buffers, &net(60)), [2]);
    assert_eq!(buffers.history_reads(), 2);
}

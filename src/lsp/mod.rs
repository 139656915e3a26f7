//! The language server (`rapport lsp`): what `check` says of the partnership file being written,
//! and the findings of its partnership as they would stand were the buffer committed now, kept
//! as the user types; hover, completion and code actions on top. It reads the ledger as `check`
//! does and writes nothing: edits are proposed to the editor, which applies them.

mod actions;
mod complete;
mod front;
mod hover;
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, Completion, HoverRequest, Request as _};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, HoverProviderCapability, InitializeParams,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};

use crate::analysis::buffer::{BufferAnalysis, Buffers};
use crate::config;
use crate::error::{Error, Result};
use crate::ledger::{Date, Diagnostic, Snapshot};

/// Where the rule pages are published: a finding's code links to `RULES_PAGE#rule-id`
/// (`docs/rules.md`, generated from the catalog). A client can point elsewhere with the
/// initialization option `rulesUrl`.
pub const RULES_PAGE: &str = "https://github.com/OWNER/rapport/blob/main/docs/rules.md";

/// How long an acknowledgement added by a code action lasts before the finding comes back.
pub const ACKNOWLEDGE_DAYS: u64 = 90;

/// Serves one client on standard input and output until it says exit.
pub fn serve_stdio(as_of: Option<Date>) -> Result<()> {
    let (connection, threads) = Connection::stdio();
    serve(&connection, as_of)?;
    drop(connection);
    threads.join().map_err(|source| Error::Io {
        path: PathBuf::from("<stdio>"),
        source,
    })
}

fn protocol(error: impl std::fmt::Display) -> Error {
    Error::Invocation(format!("language server protocol: {error}"))
}

/// Serves one client over `connection`: the handshake, then every message until exit.
pub fn serve(connection: &Connection, as_of: Option<Date>) -> Result<()> {
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let init: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let rules_page = init
        .initialization_options
        .as_ref()
        .and_then(|o| o.get("rulesUrl"))
        .and_then(|u| u.as_str())
        .map_or_else(|| RULES_PAGE.to_string(), str::to_string);
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some([":", " ", ",", "，", "、", "："].map(String::from).to_vec()),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "rapport", "version": env!("CARGO_PKG_VERSION") },
    });
    connection.initialize_finish(id, result).map_err(protocol)?;
    let mut server = Server {
        documents: HashMap::new(),
        ledgers: HashMap::new(),
        as_of,
        rules_page,
    };
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).map_err(protocol)? {
                    return Ok(());
                }
                let id = request.id.clone();
                // A bug answers this request with an error; the editor keeps its server.
                let response = guarded(|| server.request(request)).unwrap_or_else(|| {
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "rapport lsp failed on this request".into(),
                    )
                });
                connection.sender.send(response.into()).map_err(protocol)?;
            }
            Message::Notification(notification) => {
                for out in guarded(|| server.notify(notification)).unwrap_or_default() {
                    connection.sender.send(out.into()).map_err(protocol)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Runs a handler; `None` when it panicked (the panic is reported on standard error).
fn guarded<T>(handler: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(handler)).ok()
}

/// What a buffer is to the server.
#[derive(Clone, Debug, PartialEq)]
enum Kind {
    /// A partnership file of the ledger at `root`, at `path` relative to it.
    Partnership { root: PathBuf, path: String },
    /// The ledger's `rapport.yaml`.
    Config,
    /// Anything else (a README, a file outside any ledger): nothing to say.
    Other,
}

/// An open buffer and what was last found in it.
struct Document {
    kind: Kind,
    text: String,
    analysed: Option<BufferAnalysis>,
    /// Problems of the buffer that no analysis could start for (the ledger cannot be opened),
    /// or of `rapport.yaml`.
    problems: Vec<Diagnostic>,
    /// The last valid parse, for contacts while the buffer is invalid.
    last_valid: Option<Snapshot>,
}

impl Document {
    /// The YAML of the buffer, when the cursor's line is in it, and the schema it follows:
    /// the front matter of a partnership file, or the whole of `rapport.yaml`.
    fn schema_at(&self, lines: &text::Lines<'_>, line: usize) -> Option<schemars::Schema> {
        match self.kind {
            Kind::Config => Some(config::schema()),
            Kind::Partnership { .. } => match lines.front_end() {
                Some(end) if line > 0 && line < end => Some(crate::ledger::parse::schema()),
                _ => None,
            },
            Kind::Other => None,
        }
    }

    /// What the editor shows for this buffer.
    fn diagnostics(&self, uri: &Uri, rules_page: &str) -> Vec<lsp_types::Diagnostic> {
        let (mut errors, warnings, findings) = match &self.analysed {
            Some(a) => (a.diagnostics.clone(), &a.warnings[..], &a.findings[..]),
            None => (Vec::new(), &[][..], &[][..]),
        };
        errors.splice(0..0, self.problems.iter().cloned());
        crate::report::lsp::diagnostics(uri, &self.text, &errors, warnings, findings, rules_page)
    }
}

struct Server {
    documents: HashMap<Uri, Document>,
    /// Each ledger opened, by root; the error that kept it from opening, said once per buffer.
    ledgers: HashMap<PathBuf, std::result::Result<Buffers, String>>,
    as_of: Option<Date>,
    rules_page: String,
}

impl Server {
    fn now(&self) -> Date {
        self.as_of
            .unwrap_or_else(|| Date(chrono::Local::now().date_naive()))
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let answer = match request.method.as_str() {
            HoverRequest::METHOD => request
                .extract::<lsp_types::HoverParams>(HoverRequest::METHOD)
                .map(|(_, p)| serde_json::to_value(self.hover(&p))),
            Completion::METHOD => request
                .extract::<lsp_types::CompletionParams>(Completion::METHOD)
                .map(|(_, p)| serde_json::to_value(self.complete(&p))),
            CodeActionRequest::METHOD => request
                .extract::<lsp_types::CodeActionParams>(CodeActionRequest::METHOD)
                .map(|(_, p)| serde_json::to_value(self.actions(&p))),
            method => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("rapport lsp does not answer `{method}`"),
                );
            }
        };
        match answer {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(error)) => {
                Response::new_err(id, ErrorCode::InternalError as i32, error.to_string())
            }
            Err(error) => Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string()),
        }
    }

    /// Handles a notification; returns the diagnostics to publish.
    fn notify(&mut self, notification: Notification) -> Vec<Notification> {
        let mut changed = Vec::new();
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let uri = p.text_document.uri;
                    let kind = self.kind_of(&uri);
                    self.documents.insert(
                        uri.clone(),
                        Document {
                            kind,
                            text: p.text_document.text,
                            analysed: None,
                            problems: Vec::new(),
                            last_valid: None,
                        },
                    );
                    changed.push(uri);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = notification.extract::<lsp_types::DidChangeTextDocumentParams>(
                    DidChangeTextDocument::METHOD,
                ) {
                    let uri = p.text_document.uri;
                    // Full synchronisation: the last change holds the whole text.
                    if let (Some(document), Some(change)) = (
                        self.documents.get_mut(&uri),
                        p.content_changes.into_iter().last(),
                    ) {
                        document.text = change.text;
                        changed.push(uri);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                    && self
                        .documents
                        .get(&p.text_document.uri)
                        .is_some_and(|d| d.kind == Kind::Config)
                {
                    // The configuration on disk changed: every ledger is opened again, and
                    // its folders may be others.
                    self.ledgers.clear();
                    let uris: Vec<Uri> = self.documents.keys().cloned().collect();
                    for uri in uris {
                        let kind = self.kind_of(&uri);
                        if let Some(document) = self.documents.get_mut(&uri) {
                            document.kind = kind;
                            document.analysed = None;
                        }
                        changed.push(uri);
                    }
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    self.documents.remove(&p.text_document.uri);
                    return vec![publish(p.text_document.uri, Vec::new())];
                }
            }
            _ => {}
        }
        changed
            .into_iter()
            .filter_map(|uri| {
                self.analyse(&uri);
                let document = self.documents.get(&uri)?;
                let found = document.diagnostics(&uri, &self.rules_page);
                Some(publish(uri, found))
            })
            .collect()
    }

    /// Decides what a newly opened buffer is: a partnership file of a ledger (opening that
    /// ledger the first time), its `rapport.yaml`, or something else.
    fn kind_of(&mut self, uri: &Uri) -> Kind {
        let Some(file) = file_path(uri) else {
            return Kind::Other;
        };
        let (Some(parent), Some(name)) = (file.parent(), file.file_name()) else {
            return Kind::Other;
        };
        let Ok(ledger) = crate::analysis::open(&[parent.to_path_buf()]) else {
            return Kind::Other;
        };
        let Ok(dir) = parent.canonicalize() else {
            return Kind::Other;
        };
        let Ok(relative) = dir
            .join(name)
            .strip_prefix(&ledger.root)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
        else {
            return Kind::Other;
        };
        if relative == config::FILE_NAME {
            return Kind::Config;
        }
        let selection = ledger.config.selection();
        if selection.excluded_by(&relative).is_some()
            || !crate::ledger::selection::is_partnership_path(&relative, &selection)
        {
            return Kind::Other;
        }
        let root = ledger.root.clone();
        self.ledgers
            .entry(root.clone())
            .or_insert_with(|| Buffers::open(ledger).map_err(|e| error_text(&e)));
        Kind::Partnership {
            root,
            path: relative,
        }
    }

    /// Analyses one buffer again after an edit: its own partnership only.
    fn analyse(&mut self, uri: &Uri) {
        let now = self.now();
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        document.problems.clear();
        match &document.kind {
            Kind::Other => {}
            Kind::Config => {
                if let Err(problems) =
                    crate::config::Config::parse(config::FILE_NAME, document.text.as_bytes())
                {
                    document.problems = problems;
                }
            }
            Kind::Partnership { root, path } => {
                let opened = self.ledgers.entry(root.clone()).or_insert_with(|| {
                    crate::analysis::open(std::slice::from_ref(root))
                        .and_then(Buffers::open)
                        .map_err(|e| error_text(&e))
                });
                let ledger = match opened {
                    Ok(ledger) => ledger,
                    Err(message) => {
                        document.problems = vec![whole_file(path, message.clone())];
                        return;
                    }
                };
                match ledger.analyse(path, &document.text, now) {
                    Ok(analysed) => {
                        if let Some(snapshot) = &analysed.snapshot {
                            document.last_valid = Some(snapshot.clone());
                        }
                        document.analysed = Some(analysed);
                    }
                    Err(error) => {
                        document.analysed = None;
                        document.problems = vec![whole_file(path, error_text(&error))];
                    }
                }
            }
        }
    }

    fn document(&self, uri: &Uri) -> Option<&Document> {
        self.documents.get(uri)
    }

    /// The configuration of the ledger a buffer belongs to.
    fn config_of(&self, document: &Document) -> Option<&crate::config::Config> {
        match &document.kind {
            Kind::Partnership { root, .. } => match self.ledgers.get(root) {
                Some(Ok(ledger)) => Some(&ledger.ledger().config),
                _ => None,
            },
            _ => None,
        }
    }
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    )
}

/// A problem with the whole file: the ledger could not be opened or read.
fn whole_file(path: &str, message: String) -> Diagnostic {
    Diagnostic::file(
        path,
        "ledger",
        message,
        "run `rapport check` in the ledger for the whole story",
    )
}

fn error_text(error: &Error) -> String {
    match error {
        Error::InvalidConfig(problems) => {
            let first = problems.first().map_or(String::new(), |p| {
                format!(": {}:{}:{}: {}", p.file, p.line, p.column, p.message)
            });
            format!("rapport.yaml is invalid{first}")
        }
        error => error.to_string(),
    }
}

/// The local path a `file:` URI names (percent-decoded); `None` for any other scheme.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://")?;
    // `file:///path` or `file://localhost/path`.
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None;
    }
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?
        .into_owned();
    let path = PathBuf::from(decoded);
    path.is_absolute()
        .then_some(path)
        .filter(|p| !has_dot_dot(p))
}

fn has_dot_dot(path: &Path) -> bool {
    path.components()
        .any(|c| matches!(c, std::path::Component::ParentDir))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::text::{Lines, word_at};
    use super::{complete, front, hover};
    use crate::ledger::Diagnostic;
    use crate::report::lsp as diagnostics;

    proptest! {
        // No regression file: this module's tests must not write into the source tree.
        #![proptest_config(ProptestConfig {
            cases: 300,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        // Whatever the buffer and wherever the cursor, the features that read the text under
        // the cursor answer without panicking.
        #[test]
        fn any_text_and_position_is_answered(
            text in "(---\n)?([a-z_:{}, \\-\\[\\]#\u{4e00}参会人员：、𝄞 \r]{0,30}\n){0,8}",
            line in 0usize..10,
            at in 0usize..40,
            column in 0usize..40,
        ) {
            let lines = Lines::new(&text);
            let _ = front::parents(&lines, line, at);
            let _ = word_at(lines.get(line), at);
            let head: String = lines.get(line).chars().take(at).collect();
            let _ = complete::contexts(&head);
            let _ = hover::attendee_at(lines.get(line), at);
            let position = lines.position(line, at);
            prop_assert!(lines.chars_at(position) <= lines.get(line).chars().count());
            let problem = Diagnostic::unquoted("f.md", (line + 1, column), "x", "`a` b", None);
            let range = diagnostics::problem_range(&lines, &problem);
            prop_assert!(range.start <= range.end);
        }
    }
}

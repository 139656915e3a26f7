// The rapport extension: starts `rapport lsp` for the partnership files (Markdown under the
// ledger's folders) and rapport.yaml, and shows what it finds as the files are written. The
// server reads the ledger as `rapport check` does and never writes.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function documentSelector() {
  const config = vscode.workspace.getConfiguration("rapport");
  const folders = config.get("folders", ["partners"]);
  const selector = folders.map((folder) => ({
    scheme: "file",
    language: "markdown",
    pattern: `**/${folder.replace(/^\.?\/+|\/+$/g, "")}/**/*.md`,
  }));
  selector.push({ scheme: "file", pattern: "**/rapport.yaml" });
  return selector;
}

function activate(context) {
  const command = vscode.workspace.getConfiguration("rapport").get("path", "rapport");
  // No transport named: the client passes no `--stdio`, and the server talks on stdio.
  const serverOptions = { command, args: ["lsp"] };
  const rulesUrl = vscode.workspace.getConfiguration("rapport").get("rulesUrl", "");
  const clientOptions = {
    documentSelector: documentSelector(),
    initializationOptions: rulesUrl ? { rulesUrl } : undefined,
  };
  client = new LanguageClient("rapport", "rapport", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

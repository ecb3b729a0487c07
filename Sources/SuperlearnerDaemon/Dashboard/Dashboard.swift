import Supervision

/// The web dashboard served at `/`: plain HTML, CSS and JS embedded in the binary (no CDN, no build step,
/// works offline). The page reads the same API as the command line, follows `GET /api/v1/events` to keep
/// every sandbox's tree current without polling, and draws the daemon's chart history
/// (`get_metric_history`) with its own SVG code. What it may do is the daemon's choice, written into the
/// page and enforced again by the server: nothing in read-only mode, destructive actions only with
/// `--allow-destructive-ui`.
struct Dashboard: Sendable {
    /// Whether the daemon refuses every change (`--read-only`).
    let readOnly: Bool
    /// Whether the page may kill, stop, terminate, destroy and run experiments.
    let allowsDestructive: Bool
    /// The node's name, shown in the header.
    let node: String

    /// Only the page's own script, style and API: no inline code, no other origin, no framing.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

    /// The page, with the daemon's policy in its `body` data attributes.
    var html: String {
        let nodeName = node.replacing("&", with: "&amp;").replacing("\"", with: "&quot;").replacing("<", with: "&lt;")
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>superlearner dashboard</title>
            <link rel="stylesheet" href="/dashboard.css">
            </head>
            <body data-read-only="\(readOnly)" data-destructive="\(allowsDestructive)" data-node="\(nodeName)" data-version="\(Superlearner.version)">
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
              <h1>superlearner</h1>
              <span class="node" id="node-name"></span>
              <span class="badge" id="mode"></span>
              <span class="connection" id="connection" role="status" aria-live="polite">connecting…</span>
            </header>
            <nav class="tabs" role="tablist" aria-label="Dashboard views" id="tabs">
              <button role="tab" id="tab-overview" aria-controls="view-overview" data-view="overview">Overview</button>
              <button role="tab" id="tab-trees" aria-controls="view-trees" data-view="trees">Trees</button>
              <button role="tab" id="tab-processes" aria-controls="view-processes" data-view="processes">Processes</button>
              <button role="tab" id="tab-sandboxes" aria-controls="view-sandboxes" data-view="sandboxes">Sandboxes</button>
              <button role="tab" id="tab-operations" aria-controls="view-operations" data-view="operations">Operations</button>
              <button role="tab" id="tab-events" aria-controls="view-events" data-view="events">Events</button>
              <button role="tab" id="tab-nodes" aria-controls="view-nodes" data-view="nodes">Nodes</button>
            </nav>
            <main id="main">
            <section id="view-overview" class="view" role="tabpanel" aria-labelledby="tab-overview">
              <div class="stats" id="stats"></div>
              <div class="charts" id="charts"></div>
              <h2>Export</h2>
              <p class="export" id="export">
                <button type="button" id="export-csv">Metrics as CSV</button>
                <button type="button" id="export-json">Metrics and events as JSON</button>
                <a href="/metrics" id="export-prometheus" target="_blank" rel="noopener">Prometheus text</a>
              </p>
            </section>
            <section id="view-trees" class="view" role="tabpanel" aria-labelledby="tab-trees" hidden>
              <div class="toolbar">
                <label for="tree-search">Search</label>
                <input id="tree-search" type="search" placeholder="path, id or pid" autocomplete="off">
                <label class="inline"><input type="checkbox" id="tree-problems"> only restarting or failed</label>
                <button type="button" id="expand-all">Expand all</button>
                <button type="button" id="collapse-all">Collapse all</button>
                <span class="muted" id="tree-count"></span>
              </div>
              <div class="tree-layout">
                <div id="trees" class="trees"></div>
                <aside id="timeline-panel" class="panel" hidden aria-labelledby="timeline-title">
                  <h2 id="timeline-title">Restart history</h2>
                  <div id="timeline"></div>
                  <button type="button" id="timeline-close">Close</button>
                </aside>
              </div>
            </section>
            <section id="view-processes" class="view" role="tabpanel" aria-labelledby="tab-processes" hidden>
              <div class="toolbar">
                <label for="process-sandbox">Sandbox</label>
                <select id="process-sandbox"><option value="">all</option></select>
                <label for="process-search">Search</label>
                <input id="process-search" type="search" placeholder="path, pid or kind" autocomplete="off">
                <label for="process-limit">Show</label>
                <select id="process-limit"><option>50</option><option selected>200</option><option>1000</option><option value="100000">all</option></select>
                <button type="button" id="process-refresh">Refresh</button>
                <span class="muted" id="process-count"></span>
              </div>
              <table id="processes" class="data">
                <caption class="sr-only">Processes</caption>
                <thead><tr>
                  <th scope="col" data-sort="pid"><button type="button">pid</button></th>
                  <th scope="col" data-sort="path"><button type="button">path</button></th>
                  <th scope="col" data-sort="sandbox"><button type="button">sandbox</button></th>
                  <th scope="col" data-sort="kind"><button type="button">kind</button></th>
                  <th scope="col" data-sort="status"><button type="button">status</button></th>
                  <th scope="col" data-sort="mailbox"><button type="button">mailbox</button></th>
                  <th scope="col" data-sort="messages"><button type="button">messages</button></th>
                  <th scope="col" data-sort="restarts"><button type="button">restarts</button></th>
                  <th scope="col" data-sort="memory"><button type="button">memory</button></th>
                  <th scope="col"><span class="sr-only">actions</span></th>
                </tr></thead>
                <tbody></tbody>
              </table>
            </section>
            <section id="view-sandboxes" class="view" role="tabpanel" aria-labelledby="tab-sandboxes" hidden>
              <div class="toolbar"><button type="button" id="create-sandbox-btn" class="primary" aria-expanded="false" aria-controls="create-sandbox-form">Create sandbox</button></div>
              <form id="create-sandbox-form" class="panel form" hidden novalidate>
                <h2>New sandbox</h2>
                <div class="field"><label for="sandbox-id">Id</label>
                  <input id="sandbox-id" required pattern="[A-Za-z0-9_-]{1,64}" maxlength="64" aria-describedby="sandbox-id-hint" autocomplete="off">
                  <small id="sandbox-id-hint">1 to 64 letters, digits, _ or -</small></div>
                <div class="field"><label for="sandbox-module">Template</label>
                  <select id="sandbox-module"><option value="">— a spec file (below) —</option></select></div>
                <div class="field"><label for="sandbox-spec-file">Spec file (YAML or JSON)</label>
                  <input id="sandbox-spec-file" type="file" accept=".yaml,.yml,.json,application/json,text/yaml"></div>
                <div class="field"><label for="sandbox-spec">Spec</label>
                  <textarea id="sandbox-spec" rows="8" spellcheck="false" placeholder="strategy: one_for_one&#10;children:&#10;  - { id: a, worker: counter }"></textarea></div>
                <div class="field"><label for="sandbox-strategy">Strategy override</label>
                  <select id="sandbox-strategy"><option value="">(as given)</option><option>one_for_one</option><option>one_for_all</option><option>rest_for_one</option></select></div>
                <div class="field"><label for="sandbox-max-restarts">Max restarts override</label>
                  <input id="sandbox-max-restarts" type="number" min="0" step="1"></div>
                <ul class="form-errors" id="create-sandbox-errors" role="alert"></ul>
                <button type="submit" id="submit-sandbox" class="primary">Create</button>
                <button type="button" id="cancel-sandbox">Cancel</button>
              </form>
              <table id="sandboxes" class="data">
                <caption class="sr-only">Sandboxes</caption>
                <thead><tr><th scope="col">id</th><th scope="col">status</th><th scope="col">template</th><th scope="col">processes</th><th scope="col">restarts</th><th scope="col">created</th></tr></thead>
                <tbody></tbody>
              </table>
              <div class="sandbox-details panel" id="sandbox-details" hidden aria-live="polite"></div>
            </section>
            <section id="view-operations" class="view" role="tabpanel" aria-labelledby="tab-operations" hidden>
              <div class="ops-layout">
                <nav id="operation-list" class="op-list" aria-label="Operations"></nav>
                <div id="operation-area" class="panel"><p class="muted">Choose an operation.</p></div>
              </div>
              <h2>History of runs</h2>
              <button type="button" id="operation-history-clear">Clear history</button>
              <ol id="operation-history" class="history"></ol>
            </section>
            <section id="view-events" class="view" role="tabpanel" aria-labelledby="tab-events" hidden>
              <div class="toolbar">
                <label for="event-filter">Filter</label>
                <input id="event-filter" type="search" placeholder="name or text, e.g. runtime.supervisor" autocomplete="off">
                <label class="inline"><input type="checkbox" id="event-pause"> pause</label>
                <span class="muted" id="event-count"></span>
              </div>
              <ol id="events" class="events" aria-live="off"></ol>
            </section>
            <section id="view-nodes" class="view" role="tabpanel" aria-labelledby="tab-nodes" hidden>
              <div id="nodes"></div>
            </section>
            </main>
            <aside id="process-detail" class="drawer" hidden aria-labelledby="detail-title" role="dialog">
              <div class="drawer-head"><h2 id="detail-title">Process</h2><button type="button" id="detail-close" aria-label="Close the process details">×</button></div>
              <div id="detail-body"></div>
            </aside>
            <dialog id="confirm" aria-labelledby="confirm-text">
              <p id="confirm-text"></p>
              <div class="dialog-buttons"><button type="button" id="confirm-cancel">Cancel</button><button type="button" id="confirm-ok" class="danger">Confirm</button></div>
            </dialog>
            <div id="toasts" class="toasts" aria-live="polite"></div>
            <script src="/dashboard.js"></script>
            </body>
            </html>
            """
    }
}

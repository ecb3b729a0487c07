extension Dashboard {
    /// The page's script (`/dashboard.js`): views, the trees kept current from the event stream, the
    /// processes table, the sandbox and operation forms, the charts and the export links.
    static let script = #"""
        'use strict';
        // superlearner dashboard. Plain JS, no framework: the page is served by the daemon and works offline.
        // Trees follow the event stream (no polling); charts read the daemon's kept history, then its new samples.
        const body = document.body;
        const policy = {
          readOnly: body.dataset.readOnly === 'true',
          destructive: body.dataset.destructive === 'true' && body.dataset.readOnly !== 'true',
          node: body.dataset.node || '',
          version: body.dataset.version || ''
        };
        const $ = (selector, root) => (root || document).querySelector(selector);
        const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));
        window.superlearner = { timings: { treeUpdates: [] }, errors: [] };
        window.addEventListener('error', e => window.superlearner.errors.push(String(e.message)));
        window.addEventListener('unhandledrejection', e => window.superlearner.errors.push(String(e.reason && e.reason.message || e.reason)));

        // el('button', {class: 'x', text: 'Go', onclick: f, 'aria-label': '…'}, child…)
        function el(tag, attrs, ...children) {
          const node = document.createElementNS(tag === 'svg' || attrs && attrs.svg ? 'http://www.w3.org/2000/svg' : 'http://www.w3.org/1999/xhtml', tag);
          for (const [key, value] of Object.entries(attrs || {})) {
            if (value === undefined || value === null || value === false || key === 'svg') continue;
            if (key === 'text') node.textContent = value;
            else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
            else if (key === 'dataset') Object.assign(node.dataset, value);
            else node.setAttribute(key === 'class' ? 'class' : key, value === true ? '' : String(value));
          }
          return fill(node, children, true);
        }
        // Sets (or, with keep, adds to) a node's children: nested arrays flattened, null, undefined and false skipped.
        function fill(node, children, keep) {
          if (!keep) node.replaceChildren();
          for (const child of [children].flat(Infinity)) {
            if (child === null || child === undefined || child === false) continue;
            node.append(child instanceof Node ? child : document.createTextNode(String(child)));
          }
          return node;
        }
        const svgEl = (tag, attrs, ...children) => el(tag, Object.assign({ svg: true }, attrs), ...children);

        class APIError extends Error {
          constructor(status, error) {
            super(error && error.message ? error.message : 'HTTP ' + status);
            this.status = status; this.code = error && error.code; this.field = error && error.field;
            this.details = error && Array.isArray(error.details) ? error.details : [];
          }
        }

        // Calls the API with the session cookie; state-changing requests carry the header a cross-site form cannot.
        async function api(method, path, payload) {
          const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
          if (method !== 'GET') init.headers['X-Superlearner-Request'] = '1';
          if (payload !== undefined) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(payload); }
          const response = await fetch(path, init);
          let json = null;
          try { json = await response.json(); } catch (_) { json = null; }
          if (!response.ok) throw new APIError(response.status, json && json.error);
          return json ? json.data : null;
        }
        const enc = encodeURIComponent;
        const execute = (name, parameters) => api('POST', '/api/v1/arsenal/operations/' + enc(name) + '/execute', parameters || {});

        function toast(text, kind, extraClass) {
          const node = el('div', { class: ['toast', kind === 'error' ? 'error' : '', extraClass || ''].join(' ').trim(), role: kind === 'error' ? 'alert' : 'status', text });
          $('#toasts').append(node);
          setTimeout(() => node.remove(), kind === 'error' ? 9000 : 5000);
          return node;
        }
        function fail(error) { toast(error.message || String(error), 'error'); }

        // A confirmation in the page's own dialog (never window.confirm, which blocks automation and screen readers alike).
        function confirmAction(text, verb) {
          const dialog = $('#confirm');
          $('#confirm-text').textContent = text;
          $('#confirm-ok').textContent = verb || 'Confirm';
          return new Promise(resolve => {
            const done = answer => { dialog.close(); $('#confirm-ok').onclick = null; $('#confirm-cancel').onclick = null; dialog.oncancel = null; resolve(answer); };
            $('#confirm-ok').onclick = () => done(true);
            $('#confirm-cancel').onclick = () => done(false);
            dialog.oncancel = () => done(false);
            dialog.showModal();
            $('#confirm-cancel').focus();
          });
        }

        const formatNumber = n => n === null || n === undefined ? '–' : (Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en') : n.toFixed(n < 1 ? 3 : 1));
        const formatBytes = n => n === null || n === undefined ? '–' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';
        const formatTime = seconds => new Date(seconds * 1000).toLocaleTimeString('en-GB', { hour12: false });
        const statusClass = status => 's-' + String(status || '').split(/[\s(]/)[0];
        function debounce(fn, ms) { let timer = null; return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); }; }

        // ---- views -------------------------------------------------------------------------------------------
        const views = ['overview', 'trees', 'processes', 'sandboxes', 'operations', 'events', 'nodes'];
        let currentView = 'overview';
        function showView(name, focusTab) {
          if (!views.includes(name)) name = 'overview';
          currentView = name;
          for (const view of views) {
            const tab = $('#tab-' + view);
            const selected = view === name;
            tab.setAttribute('aria-selected', String(selected));
            tab.tabIndex = selected ? 0 : -1;
            $('#view-' + view).hidden = !selected;
          }
          if (focusTab) $('#tab-' + name).focus();
          if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
          if (name === 'processes') refreshProcesses();
          if (name === 'nodes') loadNodes();
        }
        function setupTabs() {
          for (const view of views) $('#tab-' + view).addEventListener('click', () => showView(view));
          $('#tabs').addEventListener('keydown', event => {
            const index = views.indexOf(currentView);
            const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: views.length - 1 - index };
            if (!(event.key in moves)) return;
            event.preventDefault();
            showView(views[(index + moves[event.key] + views.length) % views.length], true);
          });
          window.addEventListener('hashchange', () => showView(location.hash.slice(1)));
        }

        // ---- trees -------------------------------------------------------------------------------------------
        // One record per node, by path: the element and the last known data, so an event updates one row in place.
        const trees = new Map();      // sandbox id -> {root element, data}
        const nodes = new Map();      // path -> {li, row, pidEl, statusEl, restartsEl, detailEl, data, sandbox}
        const collapsed = new Set();  // paths the user collapsed
        const backoffs = new Map();   // path -> time (ms) the backoff ends
        let activeRow = null;         // the row holding the roving tabindex

        function sandboxOf(path) { return String(path || '').split('/')[0]; }

        function renderNode(data, sandbox, depth) {
          const isSupervisor = data.type === 'supervisor';
          const children = data.children || [];
          const pidEl = el('span', { class: 'node-pid', text: data.pid || '–' });
          const statusEl = el('span', { class: 'status node-status ' + statusClass(data.status), text: data.status });
          const restartsEl = el('span', { class: 'node-restarts', title: 'restarts', text: '↻ ' + (data.restarts || 0) });
          const detailEl = el('span', { class: 'node-detail muted', text: data.detail || '' });
          const twisty = isSupervisor && children.length
            ? el('button', { type: 'button', class: 'twisty', tabindex: '-1', 'aria-label': 'collapse or expand ' + data.path, text: collapsed.has(data.path) ? '▸' : '▾', onclick: event => { event.stopPropagation(); toggle(data.path); } })
            : el('span', { class: 'leaf-pad' });
          const row = el('div', { class: 'node-row', tabindex: '-1' },
            twisty,
            el('span', { class: 'node-id', text: data.id }),
            el('span', { class: 'node-type', text: isSupervisor ? 'supervisor · ' + (data.strategy || '') : (data.type || 'worker') }),
            pidEl, statusEl, restartsEl, detailEl,
            isSupervisor ? el('button', { type: 'button', class: 'mini timeline-btn', tabindex: '-1', text: 'history', 'aria-label': 'restart history of ' + data.path, onclick: event => { event.stopPropagation(); openTimeline(data.path); } }) : null,
            data.pid ? el('button', { type: 'button', class: 'mini details-btn', tabindex: '-1', text: 'details', 'aria-label': 'details of ' + data.path, onclick: event => { event.stopPropagation(); openProcess(data.path); } }) : null);
          const li = el('li', { role: 'treeitem', class: 'tree-node ' + statusClass(data.status), 'aria-level': depth + 1, dataset: { path: data.path, pid: data.pid || '' } }, row);
          if (isSupervisor && children.length) {
            li.setAttribute('aria-expanded', String(!collapsed.has(data.path)));
            li.append(el('ul', { role: 'group' }, children.map(child => renderNode(child, sandbox, depth + 1))));
          }
          row.addEventListener('click', () => focusRow(row));
          row.addEventListener('dblclick', () => data.pid && openProcess(data.path));
          // fetchedPid: the pid the server's tree already counted restarts for; a restart event to another pid is new.
          nodes.set(data.path, { li, row, pidEl, statusEl, restartsEl, detailEl, data: Object.assign({}, data, { children: undefined }), sandbox, fetchedPid: data.pid, counted: new Set() });
          noteBackoff(data.path, data.detail);
          return li;
        }

        function renderTree(sandbox, tree, info) {
          for (const path of Array.from(nodes.keys())) if (sandboxOf(path) === sandbox) nodes.delete(path);
          const status = info && info.status || tree.status;
          const root = el('div', { class: 'supervisor-tree', id: 'tree-' + sandbox, dataset: { sandbox } },
            el('h3', {}, el('span', { text: sandbox }), el('span', { class: 'status ' + statusClass(status), text: status }),
              el('span', { class: 'muted', text: (tree.strategy || '') + (info && info.failure_reason ? ' · ' + info.failure_reason : '') })),
            el('ul', { role: 'tree', 'aria-label': 'supervision tree of sandbox ' + sandbox }, renderNode(tree, sandbox, 0)));
          const old = trees.get(sandbox);
          if (old && old.root.isConnected) old.root.replaceWith(root);
          else {
            const container = $('#trees');
            const after = Array.from(container.children).find(child => child.dataset.sandbox > sandbox);
            container.insertBefore(root, after || null);
          }
          trees.set(sandbox, { root, data: tree });
          const empty = $('#no-trees');
          if (empty) empty.remove();
          if (!activeRow || !activeRow.isConnected) { activeRow = $('.node-row', root); if (activeRow) activeRow.tabIndex = 0; }
          applyTreeFilter();
          updateTreeCount();
        }

        function removeTree(sandbox) {
          const tree = trees.get(sandbox);
          if (tree) tree.root.remove();
          trees.delete(sandbox);
          for (const path of Array.from(nodes.keys())) if (sandboxOf(path) === sandbox) { nodes.delete(path); backoffs.delete(path); }
          updateTreeCount();
        }
        function updateTreeCount() { $('#tree-count').textContent = trees.size + ' trees · ' + nodes.size + ' processes'; }

        // Refetches one sandbox's tree when its shape may have changed (a child added, a sandbox rebuilt), at most
        // once per burst of events.
        const pendingTrees = new Map();
        function refreshTreeSoon(sandbox) {
          if (!sandbox || pendingTrees.has(sandbox)) return;
          pendingTrees.set(sandbox, setTimeout(async () => {
            pendingTrees.delete(sandbox);
            try {
              const info = await api('GET', '/api/v1/sandboxes/' + enc(sandbox));
              if (info.tree) renderTree(sandbox, info.tree, info); else removeTree(sandbox);
            } catch (error) { if (error.status === 404) removeTree(sandbox); }
          }, 250));
        }

        function setNodeStatus(record, status) {
          record.data.status = status;
          record.statusEl.textContent = status;
          record.statusEl.className = 'status node-status ' + statusClass(status);
          record.li.className = record.li.className.replace(/\bs-[a-z_]+/, '').trim() + ' ' + statusClass(status);
        }

        function nodeSpawned(path, pid) {
          const record = nodes.get(path);
          if (!record) { if (trees.has(sandboxOf(path))) refreshTreeSoon(sandboxOf(path)); return; }
          if (record.data.pid !== pid) { record.data.pid = pid; record.pidEl.textContent = pid; record.li.dataset.pid = pid; }
          setNodeStatus(record, 'running');
        }

        function nodeExited(path, pid, reason) {
          const record = nodes.get(path);
          if (!record || record.data.pid !== pid) return;
          setNodeStatus(record, /^(normal|shutdown)/.test(reason) ? 'exited' : 'restarting');
          record.detailEl.textContent = 'exited: ' + reason;
        }

        function nodeRestarted(path, pid, reason, time) {
          const record = nodes.get(path);
          if (!record) { refreshTreeSoon(sandboxOf(path)); return; }
          if (pid !== record.fetchedPid && !record.counted.has(pid)) {
            record.counted.add(pid);
            record.data.restarts = (record.data.restarts || 0) + 1;
            record.restartsEl.textContent = '↻ ' + record.data.restarts;
          }
          record.data.pid = pid; record.pidEl.textContent = pid; record.li.dataset.pid = pid;
          setNodeStatus(record, 'running');
          record.detailEl.textContent = 'restarted at ' + formatTime(time) + ': ' + reason;
          record.li.classList.add('recent');
          clearTimeout(record.recentTimer);
          record.recentTimer = setTimeout(() => record.li.classList.remove('recent'), 5000);
          window.superlearner.timings.treeUpdates.push({ path, pid, at: performance.now() });
          // A program child may be waiting out its backoff now: its detail says for how long.
          if (/os_pid|restarting in/.test(record.data.detail || '')) refreshTreeSoon(record.sandbox);
        }

        function nodeEscalated(path) {
          const record = nodes.get(path);
          if (record) { setNodeStatus(record, 'escalated'); record.detailEl.textContent = 'gave up: restart intensity exceeded'; }
          refreshTreeSoon(sandboxOf(path));
        }

        // "restarting in 2.5 s, attempt 3" (a program child in backoff): a countdown the page runs itself.
        function noteBackoff(path, detail) {
          const match = /restarting in ([0-9.]+) s/.exec(detail || '');
          if (match) backoffs.set(path, Date.now() + parseFloat(match[1]) * 1000); else backoffs.delete(path);
        }
        setInterval(() => {
          const now = Date.now();
          for (const [path, until] of backoffs) {
            const record = nodes.get(path);
            if (!record) { backoffs.delete(path); continue; }
            const left = Math.max(0, (until - now) / 1000);
            setNodeStatus(record, 'restarting');
            record.detailEl.textContent = 'restarting in ' + left.toFixed(1) + ' s';
            if (left <= 0) { backoffs.delete(path); refreshTreeSoon(record.sandbox); }
          }
        }, 200);

        function toggle(path, expand) {
          const record = nodes.get(path);
          if (!record || !record.li.hasAttribute('aria-expanded')) return;
          const open = expand === undefined ? record.li.getAttribute('aria-expanded') !== 'true' : expand;
          record.li.setAttribute('aria-expanded', String(open));
          const twisty = $('.twisty', record.row);
          if (twisty) twisty.textContent = open ? '▾' : '▸';
          if (open) collapsed.delete(path); else collapsed.add(path);
        }

        function focusRow(row) {
          if (activeRow) activeRow.tabIndex = -1;
          activeRow = row; row.tabIndex = 0; row.focus();
        }
        function visibleRows() { return $$('.node-row', $('#trees')).filter(row => row.offsetParent !== null); }
        function setupTreeKeys() {
          $('#trees').addEventListener('keydown', event => {
            const row = event.target.closest('.node-row');
            if (!row) return;
            const li = row.parentElement;
            const path = li.dataset.path;
            const rows = visibleRows();
            const index = rows.indexOf(row);
            switch (event.key) {
              case 'ArrowDown': if (rows[index + 1]) focusRow(rows[index + 1]); break;
              case 'ArrowUp': if (rows[index - 1]) focusRow(rows[index - 1]); break;
              case 'ArrowRight': toggle(path, true); break;
              case 'ArrowLeft':
                if (li.getAttribute('aria-expanded') === 'true') toggle(path, false);
                else { const parent = li.parentElement.closest('.tree-node'); if (parent) focusRow(parent.firstElementChild); }
                break;
              case 'Enter': if (nodes.get(path) && nodes.get(path).data.pid) openProcess(path); break;
              case 'h': if (li.hasAttribute('aria-expanded')) openTimeline(path); break;
              default: return;
            }
            event.preventDefault();
          });
        }

        // Search and "only problems": non-matching subtrees hide, ancestors of a match open.
        function applyTreeFilter() {
          const query = $('#tree-search').value.trim().toLowerCase();
          const problems = $('#tree-problems').checked;
          const filtering = query !== '' || problems;
          const keep = new Set();
          for (const [path, record] of nodes) {
            const text = (path + ' ' + (record.data.pid || '') + ' ' + record.data.id).toLowerCase();
            const hit = (!query || text.includes(query)) && (!problems || /restarting|exited|escalated|failed|stopped/.test(record.data.status) || backoffs.has(path));
            record.li.classList.toggle('match', filtering && hit);
            if (filtering && hit) {
              const parts = path.split('/');
              for (let i = 1; i <= parts.length; i++) keep.add(parts.slice(0, i).join('/'));
            }
          }
          for (const [path, record] of nodes) {
            record.li.classList.toggle('filtered-out', filtering && !keep.has(path));
            if (filtering && keep.has(path) && record.li.hasAttribute('aria-expanded') && !record.li.classList.contains('match')) toggle(path, true);
          }
          for (const [sandbox, tree] of trees) tree.root.hidden = filtering && !keep.has(sandbox);
        }

        function showInTree(path) {
          showView('trees');
          const record = nodes.get(path);
          if (!record) { toast(path + ' is not in any tree now'); return; }
          $$('.tree-node.highlight').forEach(node => node.classList.remove('highlight'));
          const parts = path.split('/');
          for (let i = 1; i < parts.length; i++) toggle(parts.slice(0, i).join('/'), true);
          record.li.classList.remove('filtered-out');
          record.li.classList.add('highlight');
          record.row.scrollIntoView({ block: 'center' });
          focusRow(record.row);
        }

        async function loadTrees() {
          // This node's trees: they follow this node's event stream (the Nodes view shows the others).
          const [local, infos] = await Promise.all([execute('cluster_supervision_trees', { scope: 'local' }), api('GET', '/api/v1/sandboxes')]);
          const all = local.trees;
          const byId = new Map(infos.map(info => [info.id, info]));
          const seen = new Set();
          for (const entry of all) { seen.add(entry.sandbox); renderTree(entry.sandbox, entry.tree, byId.get(entry.sandbox)); }
          for (const sandbox of Array.from(trees.keys())) if (!seen.has(sandbox)) removeTree(sandbox);
          if (!all.length) fill($('#trees'), [el('p', { class: 'muted', id: 'no-trees', text: 'No sandboxes yet: create one on the Sandboxes tab or with “superlearner sandbox create demo DemoSupervisor”.' })]);
          else { const empty = $('#no-trees'); if (empty) empty.remove(); }
        }

        // ---- restart history of one supervisor ------------------------------------------------------------------
        let timelinePath = null;
        async function openTimeline(path) {
          timelinePath = path;
          $('#timeline-panel').hidden = false;
          $('.tree-layout').classList.add('with-panel');
          $('#timeline-title').textContent = 'Restart history of ' + path;
          await renderTimeline();
          $('#timeline-close').focus();
        }
        function closeTimeline() { timelinePath = null; $('#timeline-panel').hidden = true; $('.tree-layout').classList.remove('with-panel'); }
        const renderTimelineSoon = debounce(() => renderTimeline(), 300);
        async function renderTimeline() {
          if (!timelinePath) return;
          const area = $('#timeline');
          let info;
          try { info = await api('GET', '/api/v1/supervisors/' + enc(timelinePath)); } catch (error) { fill(area, [el('p', { class: 'field-error', text: error.message })]); return; }
          const used = info.restarts_in_window || 0, allowed = info.max_restarts || 0;
          const share = allowed ? Math.min(1, used / allowed) : (used ? 1 : 0);
          const history = info.history || [];
          const now = Date.now() / 1000;
          const span = Math.max(60, info.max_seconds * 4, history.length ? now - history[0].at + 5 : 0);
          const width = 400, height = 70;
          const x = at => 10 + (width - 20) * (1 - (now - at) / span);
          const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': history.length + ' restarts in the last ' + Math.round(span) + ' s' },
            svgEl('rect', { x: x(now - info.max_seconds), y: 8, width: (width - 20) * info.max_seconds / span, height: 40, fill: '#fff8c5' }),
            svgEl('line', { class: 'axis', x1: 10, x2: width - 10, y1: 48, y2: 48 }),
            svgEl('text', { class: 'axis-label', x: 10, y: 64, text: '−' + Math.round(span) + ' s' }),
            svgEl('text', { class: 'axis-label', x: width - 40, y: 64, text: 'now' }),
            history.filter(entry => now - entry.at <= span).map(entry => svgEl('circle', { cx: x(entry.at), cy: 28, r: 5, fill: /killed|kill/.test(entry.reason) ? '#a40e26' : '#7d4e00' },
              svgEl('title', { text: formatTime(entry.at) + ' ' + entry.child_id + ': ' + entry.reason }))));
          fill(area, [
            el('p', {}, el('b', { text: used + ' of ' + allowed + ' restarts used' }), ' in the last ' + info.max_seconds + ' s (' + info.strategy + '); ' + info.restart_budget_left + ' left · ' + info.total_restarts + ' in all'),
            el('div', { class: 'budget' + (share >= 1 ? ' full' : share >= 0.66 ? ' near' : ''), role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': allowed, 'aria-valuenow': used, 'aria-label': 'restart budget used' }, el('div', { class: 'budget-fill', dataset: { share: share.toFixed(2) } })),
            el('div', { class: 'timeline' }, svg),
            el('ol', { class: 'history restart-history', reversed: true }, history.slice(-25).reverse().map(entry => el('li', {}, formatTime(entry.at) + ' ', el('b', { text: entry.child_id }), ' ' + entry.reason)))]);
          // The bar's width is set through the CSSOM: the page's policy forbids inline style attributes.
          $('.budget-fill', area).style.width = (share * 100).toFixed(0) + '%';
        }

        // ---- processes -----------------------------------------------------------------------------------------
        let processes = [];
        let processSort = { key: 'mailbox', descending: true };
        const processValue = {
          pid: p => pidNumber(p.pid), path: p => p.path || '', sandbox: p => p.sandbox || '', kind: p => p.kind || '',
          status: p => p.status || '', mailbox: p => p.mailbox || 0, messages: p => (p.messages_in || 0) + (p.messages_out || 0),
          restarts: p => p.restarts || 0, memory: p => p.memory || 0
        };
        function pidNumber(pid) { const m = /<(\d+)\.(\d+)\.(\d+)>/.exec(pid || ''); return m ? Number(m[2]) * 1e6 + Number(m[3]) : 0; }

        async function refreshProcesses() {
          const sandbox = $('#process-sandbox').value;
          const limit = $('#process-limit').value;
          const server = ['pid', 'mailbox', 'messages', 'restarts', 'memory'].includes(processSort.key) ? processSort.key : 'pid';
          try {
            processes = await api('GET', '/api/v1/processes?limit=' + enc(limit) + '&sort=' + server + (sandbox ? '&sandbox=' + enc(sandbox) : ''));
          } catch (error) { if (error.status !== 404) fail(error); processes = []; }
          renderProcesses();
        }
        const refreshProcessesSoon = debounce(() => { if (currentView === 'processes') refreshProcesses(); }, 700);

        function renderProcesses() {
          const query = $('#process-search').value.trim().toLowerCase();
          const key = processSort.key, sign = processSort.descending ? -1 : 1;
          const rows = processes
            .filter(p => !query || (p.pid + ' ' + (p.path || '') + ' ' + (p.kind || '') + ' ' + (p.name || '')).toLowerCase().includes(query))
            .sort((a, b) => { const x = processValue[key](a), y = processValue[key](b); return x < y ? -sign : x > y ? sign : pidNumber(a.pid) - pidNumber(b.pid); });
          for (const th of $$('#processes th[data-sort]')) {
            if (th.dataset.sort === key) th.setAttribute('aria-sort', processSort.descending ? 'descending' : 'ascending'); else th.removeAttribute('aria-sort');
          }
          // Rows are kept by pid and updated in place, so a refresh never swaps a row out from under a click.
          const seen = new Set();
          const elements = rows.map(p => { seen.add(p.pid); return processRow(p); });
          for (const pid of Array.from(processRows.keys())) if (!seen.has(pid)) processRows.delete(pid);
          $('#processes tbody').replaceChildren(...elements);
          $('#process-count').textContent = rows.length + ' of ' + processes.length + ' shown';
        }

        const processRows = new Map();   // pid -> {row, cells}
        function processRow(p) {
          let entry = processRows.get(p.pid);
          if (!entry) {
            const target = p.path || p.name || p.pid;
            const cells = Array.from({ length: 9 }, () => el('td'));
            for (const index of [5, 6, 7, 8]) cells[index].className = 'num';
            cells[0].className = 'node-pid';
            const row = el('tr', { class: 'process-item', tabindex: '0', dataset: { pid: p.pid, path: p.path || '' } }, cells,
              el('td', {}, policy.destructive ? el('button', { type: 'button', class: 'kill-process-btn danger mini', text: 'kill', 'aria-label': 'kill ' + target, onclick: event => { event.stopPropagation(); killProcess(target); } }) : null));
            row.addEventListener('click', () => openProcess(target));
            row.addEventListener('keydown', event => { if (event.key === 'Enter') openProcess(target); });
            entry = { row, cells };
            processRows.set(p.pid, entry);
          }
          const values = [p.pid, p.path || p.name || '–', p.sandbox || '–', p.kind, p.status, p.mailbox,
            (p.messages_in || 0) + (p.messages_out || 0), p.restarts, formatBytes(p.memory)];
          values.forEach((value, index) => { const text = String(value); if (entry.cells[index].textContent !== text) entry.cells[index].textContent = text; });
          entry.cells[4].className = 'status ' + statusClass(p.status);
          return entry.row;
        }

        async function killProcess(target) {
          if (!await confirmAction('Kill ' + target + '? It receives the exit signal kill, which it cannot trap; its supervisor decides what happens next.', 'Kill')) return;
          try {
            await api('DELETE', '/api/v1/processes/' + enc(target));
            toast('killed ' + target, 'ok', 'process-killed-notification');
            refreshProcessesSoon();
          } catch (error) { fail(error); }
        }

        // ---- process detail ------------------------------------------------------------------------------------
        let detailTarget = null;
        function kv(pairs) {
          return el('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [el('dt', { text: k }), el('dd', {}, v === null ? '–' : v instanceof Node ? v : String(v))]));
        }
        function pidLink(pid) { return el('button', { type: 'button', class: 'linkish', text: pid, onclick: () => openProcess(pid) }); }

        async function openProcess(target) {
          detailTarget = target;
          const drawer = $('#process-detail');
          drawer.hidden = false;
          $('#detail-title').textContent = target;
          const area = $('#detail-body');
          fill(area, [el('p', { class: 'muted', text: 'loading…' })]);
          let info;
          try { info = await api('GET', '/api/v1/processes/' + enc(target) + '/info'); } catch (error) { fill(area, [el('p', { class: 'field-error', text: error.message })]); return; }
          const links = (info.links || []).map(pidLink), monitors = (info.monitors || []).map(pidLink);
          const join = list => list.length ? el('span', {}, list.flatMap((x, i) => i ? [' ', x] : [x])) : '–';
          fill(area, [
            kv([['pid', info.pid], ['path', info.path], ['name', info.name], ['sandbox', info.sandbox], ['kind', info.kind],
              ['status', el('span', { class: 'status ' + statusClass(info.status), text: info.status })], ['parent', info.parent ? pidLink(info.parent) : null],
              ['links', join(links)], ['monitors', join(monitors)], ['monitored by', info.monitored_by], ['trap exit', info.trap_exit],
              ['mailbox', info.mailbox], ['messages in / out', (info.messages_in || 0) + ' / ' + (info.messages_out || 0)],
              ['restarts', info.restarts], ['memory', formatBytes(info.memory)], ['started', info.started_at ? formatTime(info.started_at) : null]]),
            info.path ? el('div', { class: 'actions' }, el('button', { type: 'button', id: 'show-in-tree', text: 'Show in tree', onclick: () => { closeDetail(); showInTree(info.path); } })) : null,
            el('h3', { text: 'State' }), el('pre', { class: 'state-summary', text: JSON.stringify(info.state === undefined ? null : info.state, null, 2) }),
            info.kind === 'program' ? programLogs(info) : null,
            policy.readOnly ? el('p', { class: 'muted', text: 'Read-only: this daemon refuses every action.' }) : processActions(info)]);
          $('#detail-close').focus();
        }
        function closeDetail() { $('#process-detail').hidden = true; detailTarget = null; }

        function programLogs(info) {
          const box = el('pre', { class: 'program-logs', text: 'loading logs…' });
          api('GET', '/api/v1/processes/' + enc(info.path || info.pid) + '/logs?limit=50').then(data => {
            const lines = (data.lines || data || []).map(line => typeof line === 'string' ? line : (line.time || '') + ' ' + (line.stream || '') + ' ' + (line.text || ''));
            box.textContent = lines.join('\n') || '(no output yet)';
          }).catch(error => { box.textContent = error.message; });
          return el('div', {}, el('h3', { text: 'Output (last 50 lines)' }), box);
        }

        function processActions(info) {
          const target = info.path || info.pid;
          const send = el('form', { class: 'panel form', novalidate: true },
            el('h3', { text: 'Send a message' }),
            el('div', { class: 'field' }, el('label', { for: 'send-type', text: 'As' }),
              el('select', { id: 'send-type' }, ['call', 'cast', 'info', 'send'].map(t => el('option', { text: t })))),
            el('div', { class: 'field' }, el('label', { for: 'send-message', text: 'Message' }), el('input', { id: 'send-message', required: true, placeholder: 'get_value, increment, ["get", "key"]…', autocomplete: 'off' })),
            el('div', { class: 'field' }, el('label', { for: 'send-content', text: 'Content (JSON, optional)' }), el('input', { id: 'send-content', autocomplete: 'off' })),
            el('button', { type: 'submit', id: 'send-btn', text: 'Send' }),
            el('pre', { class: 'send-result', id: 'send-result', hidden: true }));
          send.addEventListener('submit', async event => {
            event.preventDefault();
            const result = $('#send-result');
            const message = $('#send-message').value.trim();
            if (!message) { $('#send-message').setAttribute('aria-invalid', 'true'); result.hidden = false; result.textContent = 'message: required'; return; }
            $('#send-message').removeAttribute('aria-invalid');
            const parameters = { type: $('#send-type').value, message: parseLoose(message) };
            const content = $('#send-content').value.trim();
            if (content) parameters.content = parseLoose(content);
            try {
              const data = await api('POST', '/api/v1/processes/' + enc(target) + '/message', parameters);
              result.textContent = JSON.stringify(data, null, 2);
            } catch (error) { result.textContent = error.message; }
            result.hidden = false;
          });
          const trace = el('form', { class: 'panel form', novalidate: true },
            el('h3', { text: 'Trace received messages' }),
            el('div', { class: 'field' }, el('label', { for: 'trace-seconds', text: 'For seconds' }), el('input', { id: 'trace-seconds', type: 'number', min: 1, max: 60, value: 5 })),
            el('button', { type: 'submit', id: 'trace-btn', text: 'Trace' }), el('pre', { class: 'trace-result', id: 'trace-result', hidden: true }));
          trace.addEventListener('submit', async event => {
            event.preventDefault();
            const seconds = Number($('#trace-seconds').value);
            const result = $('#trace-result');
            result.hidden = false;
            if (!(seconds >= 1 && seconds <= 60)) { result.textContent = 'seconds: 1 to 60'; return; }
            try {
              const started = await api('POST', '/api/v1/processes/' + enc(target) + '/trace', { duration: seconds * 1000 });
              result.textContent = 'tracing for ' + seconds + ' s…';
              setTimeout(async () => {
                try { result.textContent = JSON.stringify(await api('GET', '/api/v1/traces/' + enc(started.id || started.trace_id)), null, 2); } catch (error) { result.textContent = error.message; }
              }, seconds * 1000 + 200);
            } catch (error) { result.textContent = error.message; }
          });
          const buttons = el('div', { class: 'actions' });
          const parent = info.path && info.path.includes('/') ? info.path.slice(0, info.path.lastIndexOf('/')) : null;
          const childID = info.path ? info.path.slice(info.path.lastIndexOf('/') + 1) : null;
          if (parent) buttons.append(el('button', { type: 'button', text: 'Restart child', title: 'start a stopped child again (supervisor:restart_child)', onclick: () => act('Restart ' + info.path + ' (it must be stopped first)?', 'Restart', () => api('POST', '/api/v1/supervisors/' + enc(parent) + '/children/' + enc(childID) + '/restart')) }));
          if (policy.destructive) {
            buttons.append(
              el('button', { type: 'button', class: 'danger', text: 'Stop', onclick: () => act('Stop ' + target + ' with reason normal (as gen_server:stop)?', 'Stop', () => api('POST', '/api/v1/processes/' + enc(target) + '/stop', { reason: 'normal' })) }),
              el('button', { type: 'button', class: 'danger kill-process-btn', text: 'Kill', onclick: () => killProcess(target) }));
            if (parent) buttons.append(el('button', { type: 'button', class: 'danger', text: 'Terminate child', onclick: () => act('Terminate ' + info.path + '? It stays stopped until restarted.', 'Terminate', () => api('DELETE', '/api/v1/supervisors/' + enc(parent) + '/children/' + enc(childID))) }));
          } else {
            buttons.append(el('span', { class: 'muted', text: 'Kill, stop and terminate need a daemon started with --allow-destructive-ui.' }));
          }
          return el('div', {}, el('h3', { text: 'Actions' }), buttons, send, trace);
        }

        async function act(question, verb, call) {
          if (!await confirmAction(question, verb)) return;
          try { const data = await call(); toast(verb.toLowerCase() + ': done'); if (detailTarget) setTimeout(() => detailTarget && openProcess(detailTarget), 300); return data; } catch (error) { fail(error); }
        }
        // JSON when it parses ({"a":1}, 5, true), the text itself otherwise (get, increment).
        function parseLoose(text) { try { return JSON.parse(text); } catch (_) { return text; } }

        // ---- sandboxes -----------------------------------------------------------------------------------------
        let sandboxes = [];
        let templates = [];
        let experiments = [];
        let selectedSandbox = null;

        async function loadSandboxes() {
          sandboxes = await api('GET', '/api/v1/sandboxes');
          renderSandboxes();
          const select = $('#process-sandbox');
          const chosen = select.value;
          fill(select, [el('option', { value: '', text: 'all' }), sandboxes.map(s => el('option', { value: s.id, text: s.id }))]);
          select.value = sandboxes.some(s => s.id === chosen) ? chosen : '';
        }
        const loadSandboxesSoon = debounce(() => loadSandboxes().catch(() => {}), 300);

        function renderSandboxes() {
          const body = $('#sandboxes tbody');
          fill(body, [...sandboxes.map(s => {
            const row = el('tr', { id: 'sandbox-' + s.id, class: 'sandbox-row' + (s.id === selectedSandbox ? ' selected' : ''), tabindex: '0', 'aria-selected': String(s.id === selectedSandbox) },
              el('td', {}, el('b', { text: s.id })), el('td', { class: 'status ' + statusClass(s.status), text: s.status }),
              el('td', { text: s.template || 'spec' }), el('td', { class: 'num', text: s.process_count }),
              el('td', { class: 'num', text: s.restart_count === undefined ? '–' : s.restart_count }),
              el('td', { text: s.created_at ? formatTime(s.created_at) : '–' }));
            row.addEventListener('click', () => selectSandbox(s.id));
            row.addEventListener('keydown', event => { if (event.key === 'Enter') selectSandbox(s.id); });
            return row;
          })]);
          if (!sandboxes.length) body.append(el('tr', {}, el('td', { colspan: 6, class: 'muted', text: 'No sandboxes.' })));
          if (selectedSandbox && !sandboxes.some(s => s.id === selectedSandbox)) { selectedSandbox = null; }
        }

        async function selectSandbox(id) {
          selectedSandbox = id;
          renderSandboxes();
          const panel = $('#sandbox-details');
          panel.hidden = false;
          // Busy until the new content is in: automation (and a screen reader) waits for it, not for old buttons.
          panel.setAttribute('aria-busy', 'true');
          panel.dataset.sandbox = id;
          let info;
          try { info = await api('GET', '/api/v1/sandboxes/' + enc(id)); } catch (error) { fill(panel, [el('p', { class: 'field-error', text: error.message })]); panel.setAttribute('aria-busy', 'false'); return; }
          if (selectedSandbox !== id) return;
          const config = el('textarea', { id: 'sandbox-config', rows: 4, spellcheck: 'false', 'aria-label': 'configuration of ' + id, readonly: policy.readOnly });
          config.value = JSON.stringify(info.config || {}, null, 2);
          const configError = el('p', { class: 'field-error', id: 'sandbox-config-error', role: 'alert' });
          const experimentSelect = el('select', { id: 'experiment-select' }, experiments.map(x => el('option', { value: x.name, text: x.name })));
          const experimentParameters = el('textarea', { id: 'experiment-parameters', rows: 3, spellcheck: 'false' });
          const experimentHint = el('small', { id: 'experiment-hint' });
          const fillExperiment = () => {
            const x = experiments.find(e => e.name === experimentSelect.value);
            const defaults = {};
            for (const p of (x && x.parameters) || []) if (p.default !== null && p.default !== undefined) defaults[p.name] = p.default;
            experimentParameters.value = JSON.stringify(defaults);
            experimentHint.textContent = x ? x.summary + ' — parameters: ' + x.parameters.map(p => p.name + ' (' + p.summary + ')').join('; ') : '';
          };
          experimentSelect.addEventListener('change', fillExperiment);
          fillExperiment();
          const result = el('div', { class: 'experiment-result', hidden: true, 'aria-live': 'polite' });
          fill(panel, [
            el('div', { class: 'drawer-head' }, el('h2', { text: 'Sandbox ' + id }), el('button', { type: 'button', 'aria-label': 'close the sandbox details', text: '×', onclick: () => { panel.hidden = true; selectedSandbox = null; renderSandboxes(); } })),
            kv([['status', el('span', { class: 'status ' + statusClass(info.status), text: info.status })], ['failure', info.failure_reason || null],
              ['template', info.template || 'spec'], ['processes', info.process_count], ['restarts', info.restart_count],
              ['created', info.created_at ? new Date(info.created_at * 1000).toLocaleString('en-GB') : null]]),
            el('div', { class: 'actions' },
              el('button', { type: 'button', text: 'Show tree', onclick: () => showInTree(id) }),
              policy.readOnly ? null : el('button', { type: 'button', id: 'restart-sandbox-btn', text: 'Restart', onclick: () => act2('Restart sandbox ' + id + '? Its tree is rebuilt with fresh processes; the config is kept.', 'Restart', () => api('PUT', '/api/v1/sandboxes/' + enc(id) + '/restart')) }),
              policy.destructive ? el('button', { type: 'button', id: 'destroy-sandbox-btn', class: 'danger', text: 'Destroy', onclick: () => destroySandbox(id) }) : null),
            el('h3', {}, el('label', { for: 'sandbox-config', text: 'Configuration (JSON)' })), config, configError,
            policy.readOnly ? null : el('button', { type: 'button', id: 'save-config-btn', text: 'Save configuration', onclick: () => saveConfig(id, info.config || {}) }),
            el('h3', { text: 'Experiment' }),
            policy.destructive
              ? el('div', { class: 'form' },
                el('div', { class: 'field' }, el('label', { for: 'experiment-select', text: 'Experiment' }), experimentSelect, experimentHint),
                el('div', { class: 'field' }, el('label', { for: 'experiment-parameters', text: 'Parameters (JSON)' }), experimentParameters),
                el('button', { type: 'button', id: 'run-experiment-btn', class: 'danger', text: 'Run experiment', onclick: () => runExperiment(id, experimentSelect.value, experimentParameters.value, result) }),
                result)
              : el('p', { class: 'muted', text: 'Experiments kill processes: they need a daemon started with --allow-destructive-ui.' }),
            el('h3', { text: 'Spec' }), el('pre', { class: 'sandbox-spec', text: JSON.stringify(info.spec, null, 2) })]);
          panel.setAttribute('aria-busy', 'false');
        }
        async function act2(question, verb, call) { const data = await act(question, verb, call); loadSandboxesSoon(); if (selectedSandbox) setTimeout(() => selectedSandbox && selectSandbox(selectedSandbox), 400); return data; }

        async function saveConfig(id, old) {
          let value;
          try { value = JSON.parse($('#sandbox-config').value); } catch (error) { $('#sandbox-config-error').textContent = 'not JSON: ' + error.message; return; }
          if (!value || typeof value !== 'object' || Array.isArray(value)) { $('#sandbox-config-error').textContent = 'the configuration must be a JSON object'; return; }
          const patch = Object.assign({}, value);
          for (const key of Object.keys(old)) if (!(key in value)) patch[key] = null;   // a removed key is a null in the merge
          try {
            await api('PATCH', '/api/v1/sandboxes/' + enc(id) + '/config', { config: patch });
            $('#sandbox-config-error').textContent = '';
            toast('configuration of ' + id + ' saved');
          } catch (error) { $('#sandbox-config-error').textContent = error.details.length ? error.details.map(d => d.field + ': ' + d.message).join('; ') : error.message; }
        }

        async function runExperiment(id, name, parametersText, result) {
          let parameters;
          try { parameters = parametersText.trim() ? JSON.parse(parametersText) : {}; } catch (error) { result.hidden = false; fill(result, [el('p', { class: 'field-error', text: 'parameters: not JSON: ' + error.message })]); return; }
          if (!await confirmAction('Run ' + name + ' against ' + id + '? It kills processes in this sandbox.', 'Run')) return;
          const button = $('#run-experiment-btn');
          button.disabled = true;
          result.hidden = false;
          fill(result, [el('p', { class: 'muted', text: 'running ' + name + '…' })]);
          try {
            const data = await api('POST', '/api/v1/sandboxes/' + enc(id) + '/experiments', { experiment: name, parameters });
            fill(result, [
              el('p', {}, el('span', { class: 'verdict status ' + statusClass(data.verdict), text: String(data.verdict).toUpperCase() }), ' ', data.reason || ''),
              el('pre', { text: JSON.stringify(data, null, 2) })]);
            result.dataset.verdict = data.verdict;
          } catch (error) {
            fill(result, [el('p', { class: 'field-error', text: error.details.length ? error.details.map(d => d.field + ': ' + d.message).join('; ') : error.message })]);
            result.dataset.verdict = 'error';
          } finally { button.disabled = false; }
        }

        async function destroySandbox(id) {
          if (!await confirmAction('Destroy sandbox ' + id + '? Its tree is shut down in order and it is forgotten.', 'Destroy')) return;
          try {
            await api('DELETE', '/api/v1/sandboxes/' + enc(id));
            toast('sandbox ' + id + ' destroyed', 'ok', 'sandbox-destroyed');
            $('#sandbox-details').hidden = true;
            selectedSandbox = null;
            loadSandboxesSoon();
          } catch (error) { fail(error); }
        }

        function setupCreateForm() {
          const form = $('#create-sandbox-form'), button = $('#create-sandbox-btn');
          if (policy.readOnly) { button.hidden = true; return; }
          button.addEventListener('click', () => {
            form.hidden = !form.hidden;
            button.setAttribute('aria-expanded', String(!form.hidden));
            if (!form.hidden) $('#sandbox-id').focus();
          });
          $('#cancel-sandbox').addEventListener('click', () => { form.hidden = true; button.setAttribute('aria-expanded', 'false'); button.focus(); });
          $('#sandbox-spec-file').addEventListener('change', async () => {
            const file = $('#sandbox-spec-file').files[0];
            if (!file) return;
            if (file.size > 1048576) { showCreateErrors([{ field: 'spec_text', message: 'the file is larger than 1 MiB' }]); return; }
            $('#sandbox-spec').value = await file.text();
            $('#sandbox-module').value = '';
          });
          form.addEventListener('submit', async event => {
            event.preventDefault();
            const id = $('#sandbox-id').value.trim();
            const template = $('#sandbox-module').value;
            const spec = $('#sandbox-spec').value;
            const errors = [];
            if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) errors.push({ field: 'sandbox_id', message: 'must be 1 to 64 letters, digits, _ or -' + (id ? ', got "' + id + '"' : '') });
            if (!template && !spec.trim()) errors.push({ field: 'supervisor_module', message: 'choose a template or give a spec' });
            if (template && spec.trim()) errors.push({ field: 'spec_text', message: 'give a template or a spec, not both (choose “a spec file” to use the spec)' });
            const parameters = { sandbox_id: id };
            if (template) parameters.supervisor_module = template; else if (spec.trim()) parameters.spec_text = spec;
            if ($('#sandbox-strategy').value) parameters.strategy = $('#sandbox-strategy').value;
            const maxRestarts = $('#sandbox-max-restarts').value;
            if (maxRestarts !== '') {
              if (!/^\d+$/.test(maxRestarts)) errors.push({ field: 'max_restarts', message: 'must be a whole number of 0 or more' }); else parameters.max_restarts = Number(maxRestarts);
            }
            if (errors.length) { showCreateErrors(errors); return; }
            $('#submit-sandbox').disabled = true;
            try {
              await api('POST', '/api/v1/sandboxes', parameters);
              showCreateErrors([]);
              form.reset(); form.hidden = true; button.setAttribute('aria-expanded', 'false');
              toast('sandbox ' + id + ' created');
              await loadSandboxes();
              selectSandbox(id);
            } catch (error) {
              showCreateErrors(error.details.length ? error.details : [{ field: error.field || 'sandbox_id', message: error.message }]);
            } finally { $('#submit-sandbox').disabled = false; }
          });
        }
        const createFieldInputs = { sandbox_id: '#sandbox-id', supervisor_module: '#sandbox-module', spec: '#sandbox-spec', spec_text: '#sandbox-spec', strategy: '#sandbox-strategy', max_restarts: '#sandbox-max-restarts' };
        function showCreateErrors(errors) {
          for (const selector of Object.values(createFieldInputs)) $(selector).removeAttribute('aria-invalid');
          fill($('#create-sandbox-errors'), [...errors.map(e => el('li', { class: 'field-error', dataset: { field: e.field }, text: e.field + ': ' + e.message }))]);
          for (const e of errors) { const selector = createFieldInputs[String(e.field).split(/[.[]/)[0]]; if (selector) $(selector).setAttribute('aria-invalid', 'true'); }
        }

        // ---- operations ----------------------------------------------------------------------------------------
        let operations = [];
        let currentOperation = null;
        const historyKey = 'superlearner.operation-history';

        function renderOperationList() {
          const nav = $('#operation-list');
          const categories = [...new Set(operations.map(o => o.category))];
          fill(nav, [...categories.map(category => el('div', {}, el('h3', { text: category }),
            operations.filter(o => o.category === category).map(o => el('button', { type: 'button', dataset: { operation: o.name }, 'aria-current': String(o.name === (currentOperation && currentOperation.name)), onclick: () => openOperation(o.name) },
              el('span', { text: o.name }), el('span', { class: 'risk risk-' + o.risk, text: o.risk })))))]);
        }

        function inputFor(parameter) {
          const id = 'op-param-' + parameter.name;
          const common = { id, name: parameter.name, 'aria-describedby': 'op-hint-' + parameter.name + ' op-error-' + parameter.name, dataset: { type: parameter.type } };
          if (parameter.enum) {
            return el('select', common, parameter.required ? null : el('option', { value: '', text: parameter.default !== undefined ? '(default: ' + parameter.default + ')' : '(none)' }),
              parameter.enum.map(v => el('option', { value: String(v), text: String(v) })));
          }
          if (parameter.type === 'boolean') {
            return el('select', common, el('option', { value: '', text: parameter.default !== undefined ? '(default: ' + parameter.default + ')' : '(none)' }), el('option', { text: 'true' }), el('option', { text: 'false' }));
          }
          if (parameter.type === 'object' || parameter.type === 'array') {
            return el('textarea', Object.assign(common, { rows: 3, spellcheck: 'false', placeholder: parameter.default !== undefined ? JSON.stringify(parameter.default) : parameter.type === 'object' ? '{}' : '[]' }));
          }
          const numeric = parameter.type === 'integer' || parameter.type === 'number';
          return el('input', Object.assign(common, {
            type: numeric ? 'number' : 'text', step: parameter.type === 'integer' ? '1' : numeric ? 'any' : undefined,
            min: numeric ? parameter.minimum : undefined, max: numeric ? parameter.maximum : undefined, autocomplete: 'off',
            placeholder: parameter.default !== undefined && parameter.default !== null ? String(parameter.default) : parameter.type === 'duration' ? 'e.g. 500ms, 5s' : parameter.type === 'pid' ? 'PID, path or name' : ''
          }));
        }

        function openOperation(name, values) {
          currentOperation = operations.find(o => o.name === name);
          if (!currentOperation) return;
          renderOperationList();
          const o = currentOperation;
          const refused = policy.readOnly && o.risk !== 'read' ? 'This daemon is read-only: it refuses ' + o.risk + ' operations.'
            : o.risk === 'destructive' && !policy.destructive ? 'Destructive operations need a daemon started with --allow-destructive-ui.' : null;
          const form = el('form', { class: 'form operation-form', id: 'operation-form', novalidate: true, dataset: { operation: o.name } },
            el('h2', {}, o.name + ' ', el('span', { class: 'risk risk-' + o.risk, text: o.risk })),
            el('p', { text: o.summary }),
            o.rest ? el('p', { class: 'muted' }, 'REST: ', el('code', { text: o.rest.method + ' ' + o.rest.path }), ' · CLI: ', el('code', { text: 'superlearner operation run ' + o.name + ' key=value…' })) : null,
            (o.parameters || []).map(p => el('div', { class: 'field' },
              el('label', { for: 'op-param-' + p.name }, p.name, ' ', el('span', { class: 'muted', text: p.type + (p.required ? ', required' : '') })),
              inputFor(p),
              el('small', { id: 'op-hint-' + p.name, text: p.summary + describeLimits(p) }),
              el('p', { class: 'field-error', id: 'op-error-' + p.name, dataset: { field: p.name } }))),
            (o.parameters || []).length ? null : el('p', { class: 'muted', text: 'No parameters.' }),
            el('label', { class: 'inline' }, el('input', { type: 'checkbox', id: 'op-check-in-page', checked: true }), 'check the values in the page first (untick to see the server’s validation)'),
            el('p', { class: 'field-error', id: 'op-error-general', role: 'alert' }),
            refused ? el('p', { class: 'muted refused', text: refused }) : null,
            el('button', { type: 'submit', id: 'op-run', class: o.risk === 'destructive' ? 'danger' : 'primary', disabled: !!refused, text: 'Run ' + o.name }),
            el('h3', { text: 'Result' }), el('pre', { id: 'operation-result', class: 'operation-result', text: '–' }));
          for (const [key, value] of Object.entries(values || {})) {
            const input = $('#op-param-' + CSS.escape(key), form);
            if (input) input.value = typeof value === 'string' ? value : JSON.stringify(value);
          }
          form.addEventListener('submit', event => { event.preventDefault(); runOperation(); });
          fill($('#operation-area'), [form]);
        }
        function describeLimits(p) {
          const parts = [];
          if (p.minimum !== undefined) parts.push((p.type === 'string' ? 'length ≥ ' : '≥ ') + p.minimum);
          if (p.maximum !== undefined) parts.push((p.type === 'string' ? 'length ≤ ' : '≤ ') + p.maximum);
          if (p.pattern) parts.push('pattern ' + p.pattern);
          if (p.default !== undefined && p.default !== null) parts.push('default ' + JSON.stringify(p.default));
          return parts.length ? ' (' + parts.join(', ') + ')' : '';
        }

        // The values of the form, and every field that is wrong by the operation's schema.
        function readOperationForm(o, checkInPage) {
          const values = {}, errors = [];
          for (const p of o.parameters || []) {
            const input = $('#op-param-' + CSS.escape(p.name));
            const raw = input.value.trim();
            if (raw === '') { if (p.required && checkInPage) errors.push({ field: p.name, message: 'required' }); continue; }
            let value = raw;
            if (p.type === 'integer' || p.type === 'number') {
              value = Number(raw);
              if (!checkInPage) value = Number.isNaN(value) ? raw : value;
              else if (Number.isNaN(value) || (p.type === 'integer' && !Number.isInteger(value))) { errors.push({ field: p.name, message: 'expected ' + (p.type === 'integer' ? 'a whole number' : 'a number') + ', got "' + raw + '"' }); continue; }
              else if (p.minimum !== undefined && value < p.minimum) { errors.push({ field: p.name, message: 'must be at least ' + p.minimum + ', got ' + raw }); continue; }
              else if (p.maximum !== undefined && value > p.maximum) { errors.push({ field: p.name, message: 'must be at most ' + p.maximum + ', got ' + raw }); continue; }
            } else if (p.type === 'boolean') {
              value = raw === 'true';
            } else if (p.type === 'object' || p.type === 'array' || p.type === 'any') {
              try { value = JSON.parse(raw); } catch (error) {
                if (p.type !== 'any') { if (checkInPage) { errors.push({ field: p.name, message: 'not JSON: ' + error.message }); continue; } }
                value = raw;
              }
              if (checkInPage && p.type === 'object' && (value === null || typeof value !== 'object' || Array.isArray(value))) { errors.push({ field: p.name, message: 'expected a JSON object' }); continue; }
              if (checkInPage && p.type === 'array' && !Array.isArray(value)) { errors.push({ field: p.name, message: 'expected a JSON array' }); continue; }
            } else if (checkInPage && p.type === 'string') {
              if (p.pattern && !new RegExp('^(?:' + p.pattern + ')$').test(raw)) { errors.push({ field: p.name, message: 'must match ' + p.pattern + ', got "' + raw + '"' }); continue; }
              if (p.maximum !== undefined && raw.length > p.maximum) { errors.push({ field: p.name, message: 'at most ' + p.maximum + ' characters' }); continue; }
            }
            if (checkInPage && p.enum && !p.enum.map(String).includes(String(value))) { errors.push({ field: p.name, message: 'expected one of ' + p.enum.join(', ') }); continue; }
            values[p.name] = value;
          }
          return { values, errors };
        }

        function showOperationErrors(errors, general) {
          for (const node of $$('#operation-form .field-error')) node.textContent = '';
          for (const input of $$('#operation-form [aria-invalid]')) input.removeAttribute('aria-invalid');
          for (const e of errors) {
            const name = String(e.field || '').split(/[.[]/)[0];
            const target = $('#op-error-' + CSS.escape(name));
            if (target && name) { target.textContent = e.message; const input = $('#op-param-' + CSS.escape(name)); if (input) input.setAttribute('aria-invalid', 'true'); }
            else $('#op-error-general').textContent += (e.field ? e.field + ': ' : '') + e.message + ' ';
          }
          if (general) $('#op-error-general').textContent = general;
        }

        async function runOperation() {
          const o = currentOperation;
          const { values, errors } = readOperationForm(o, $('#op-check-in-page').checked);
          if (errors.length) { showOperationErrors(errors); $('#operation-form').dataset.invalid = 'page'; return; }
          showOperationErrors([]);
          if (o.risk === 'destructive' && !await confirmAction('Run ' + o.name + ' with ' + JSON.stringify(values) + '? It is destructive.', 'Run')) return;
          const started = performance.now();
          const result = $('#operation-result');
          result.textContent = 'running…';
          let entry;
          try {
            const data = await execute(o.name, values);
            result.textContent = JSON.stringify(data, null, 2);
            entry = { ok: true, status: 200 };
            delete $('#operation-form').dataset.invalid;
          } catch (error) {
            result.textContent = JSON.stringify({ status: error.status, code: error.code, message: error.message, details: error.details }, null, 2);
            showOperationErrors(error.details, error.details.length ? null : error.message);
            if (error.details.length) $('#operation-form').dataset.invalid = 'server';
            entry = { ok: false, status: error.status, code: error.code };
          }
          recordRun(Object.assign(entry, { name: o.name, parameters: values, at: Date.now(), ms: Math.round(performance.now() - started) }));
        }

        function runHistory() { try { return JSON.parse(localStorage.getItem(historyKey) || '[]'); } catch (_) { return []; } }
        function recordRun(entry) {
          const runs = [entry].concat(runHistory()).slice(0, 50);
          try { localStorage.setItem(historyKey, JSON.stringify(runs)); } catch (_) { /* storage full or off: the list still shows this page's runs */ }
          renderRunHistory(runs);
        }
        function renderRunHistory(runs) {
          fill($('#operation-history'), [...(runs || runHistory()).map(run => el('li', {},
            el('span', { class: 'status ' + (run.ok ? 's-ok' : 's-failed'), text: run.ok ? 'ok' : String(run.status) + ' ' + (run.code || '') }), ' ',
            new Date(run.at).toLocaleTimeString('en-GB', { hour12: false }) + ' ', el('b', { text: run.name }), ' ' + JSON.stringify(run.parameters) + ' · ' + run.ms + ' ms ',
            el('button', { type: 'button', class: 'mini', text: 'again', 'aria-label': 'fill the form of ' + run.name + ' with these values', onclick: () => openOperation(run.name, run.parameters) })))]);
        }

        // ---- events --------------------------------------------------------------------------------------------
        const keptEvents = [];
        const eventLimit = 500;
        function eventLine(event) {
          const meta = event.metadata || {}, measurements = event.measurements || {};
          const extra = Object.keys(measurements).length ? ' ' + JSON.stringify(measurements) : '';
          return el('li', { dataset: { name: event.name, seq: event.seq } }, el('span', { class: 'muted', text: '#' + event.seq + ' ' + formatTime(event.time) + ' ' }),
            el('span', { class: 'ev-name', text: event.name }), ' ' + JSON.stringify(meta) + extra);
        }
        function eventMatches(event, filter) { return !filter || (event.name + ' ' + JSON.stringify(event.metadata || {})).toLowerCase().includes(filter); }
        function addEventToLog(event) {
          keptEvents.push(event);
          if (keptEvents.length > eventLimit) keptEvents.shift();
          if ($('#event-pause').checked) return;
          const filter = $('#event-filter').value.trim().toLowerCase();
          if (!eventMatches(event, filter)) return;
          const list = $('#events');
          list.prepend(eventLine(event));
          while (list.children.length > eventLimit) list.lastChild.remove();
          $('#event-count').textContent = keptEvents.length + ' recent events';
        }
        function rerenderEvents() {
          const filter = $('#event-filter').value.trim().toLowerCase();
          fill($('#events'), [...keptEvents.filter(e => eventMatches(e, filter)).reverse().map(eventLine)]);
          $('#event-count').textContent = keptEvents.length + ' recent events';
        }

        let lastSeq = 0;
        let stream = null;
        let streamBroken = false;
        // replay: an event from before the trees were read, for the log only (the trees already include it).
        function onEvent(event, replay) {
          if (event.seq <= lastSeq) return;
          lastSeq = event.seq;
          addEventToLog(event);
          if (replay) return;
          const m = event.metadata || {};
          switch (event.name) {
            case 'runtime.supervisor.restart':
              nodeRestarted(m.path, m.pid, m.reason, event.time);
              if (timelinePath && m.path && m.path.slice(0, m.path.lastIndexOf('/')) === timelinePath) renderTimelineSoon();
              break;
            case 'runtime.process.exit': nodeExited(m.path, m.pid, m.reason); break;
            case 'runtime.process.spawn': if (m.path) nodeSpawned(m.path, m.pid); break;
            case 'runtime.supervisor.escalation': if (m.path) nodeEscalated(m.path); if (timelinePath === m.path) renderTimelineSoon(); break;
            case 'sandbox.create': case 'sandbox.restore': case 'sandbox.restart': case 'sandbox.failed':
              refreshTreeSoon(m.sandbox_id); loadSandboxesSoon(); break;
            case 'sandbox.destroy': removeTree(m.sandbox_id); loadSandboxesSoon(); break;
          }
          if (/^(runtime|sandbox)\./.test(event.name)) refreshProcessesSoon();
        }

        // The stream resumes by itself (the browser sends Last-Event-ID); after a break the trees are read again
        // in case events were missed while the connection was down.
        function connect() {
          stream = new EventSource('/api/v1/events?since=' + lastSeq);
          stream.onopen = () => {
            $('#connection').textContent = '● live';
            $('#connection').className = 'connection live';
            if (streamBroken) { streamBroken = false; loadTrees().catch(() => {}); loadSandboxesSoon(); }
          };
          stream.onmessage = message => { try { onEvent(JSON.parse(message.data)); } catch (error) { window.superlearner.errors.push(String(error)); } };
          stream.onerror = () => {
            streamBroken = true;
            $('#connection').textContent = '○ reconnecting…';
            $('#connection').className = 'connection down';
          };
        }

        // ---- charts --------------------------------------------------------------------------------------------
        let samples = [];
        let historyCapacity = 600;
        const charts = [
          { id: 'restarts', title: 'Restarts per second', series: [{ label: 'restarts/s', color: '#a40e26', value: s => s.restarts_per_second }] },
          { id: 'messages', title: 'Messages per second', series: [{ label: 'messages/s', color: '#0550ae', value: s => s.messages_per_second }] },
          { id: 'operations', title: 'Operations per second', series: [{ label: 'operations/s', color: '#116329', value: s => s.operations_per_second }] },
          { id: 'latency', title: 'Operation latency (ms)', series: [
            { label: 'p50', color: '#116329', value: s => s.latency_ms && s.latency_ms.p50 },
            { label: 'p95', color: '#7d4e00', value: s => s.latency_ms && s.latency_ms.p95 },
            { label: 'p99', color: '#a40e26', value: s => s.latency_ms && s.latency_ms.p99 }] },
          { id: 'sandboxes', title: 'Sandboxes', series: [{ label: 'sandboxes', color: '#6639ba', value: s => s.sandboxes }] },
          { id: 'processes', title: 'Processes', series: [{ label: 'processes', color: '#0550ae', value: s => s.processes }] }
        ];

        function setupCharts() {
          fill($('#charts'), [...charts.map(chart => el('figure', { class: 'chart', id: 'chart-' + chart.id },
            el('figcaption', {}, el('span', { text: chart.title }), el('span', { class: 'current muted' })),
            svgEl('svg', { viewBox: '0 0 600 150', preserveAspectRatio: 'none', role: 'img', 'aria-label': chart.title }),
            el('div', { class: 'legend' }, chart.series.length > 1 ? chart.series.map(s => el('span', {}, el('i', { class: 'swatch', dataset: { color: s.color } }), s.label)) : null)))]);
          for (const swatch of $$('.legend .swatch')) swatch.style.background = swatch.dataset.color;
        }

        // Line charts over the kept window, own SVG: time on x (the last ten minutes), 0..max on y.
        function drawCharts() {
          const now = samples.length ? samples[samples.length - 1].time : Date.now() / 1000;
          // The whole kept window once it is full; a young daemon's whole life (at least a minute) before that.
          const span = Math.min(historyCapacity, Math.max(60, samples.length ? now - samples[0].time : 0));
          const spanLabel = span >= 120 ? '−' + Math.round(span / 60) + ' min' : '−' + Math.round(span) + ' s';
          const left = 44, right = 594, top = 8, bottom = 128;
          for (const chart of charts) {
            const figure = $('#chart-' + chart.id);
            const svg = $('svg', figure);
            let max = 0;
            for (const s of samples) for (const series of chart.series) { const v = series.value(s); if (v > max) max = v; }
            const top10 = max <= 0 ? 1 : niceCeiling(max);
            const x = t => left + (right - left) * (1 - (now - t) / span);
            const y = v => bottom - (bottom - top) * (v / top10);
            const children = [
              svgEl('line', { class: 'grid', x1: left, x2: right, y1: y(top10 / 2), y2: y(top10 / 2) }),
              svgEl('line', { class: 'axis', x1: left, x2: right, y1: bottom, y2: bottom }),
              svgEl('line', { class: 'axis', x1: left, x2: left, y1: top, y2: bottom }),
              svgEl('text', { class: 'axis-label', x: 2, y: top + 8, text: formatNumber(top10) }),
              svgEl('text', { class: 'axis-label', x: 2, y: bottom, text: '0' }),
              svgEl('text', { class: 'axis-label', x: left, y: 146, text: spanLabel }),
              svgEl('text', { class: 'axis-label', x: right - 24, y: 146, text: 'now' })
            ];
            for (const series of chart.series) {
              const points = samples.filter(s => series.value(s) !== null && series.value(s) !== undefined && now - s.time <= span)
                .map(s => x(s.time).toFixed(1) + ',' + y(series.value(s)).toFixed(1));
              if (points.length > 1) children.push(svgEl('polyline', { points: points.join(' '), fill: 'none', stroke: series.color, 'stroke-width': 1.6 }, svgEl('title', { text: series.label })));
              else if (points.length === 1) { const [px, py] = points[0].split(','); children.push(svgEl('circle', { cx: px, cy: py, r: 2.5, fill: series.color })); }
            }
            fill(svg, [...children]);
            svg.dataset.points = String(samples.length);
            const last = samples[samples.length - 1];
            $('.current', figure).textContent = last ? chart.series.map(s => (chart.series.length > 1 ? s.label + ' ' : '') + formatNumber(s.value(last))).join(' · ') : '';
          }
        }
        function niceCeiling(v) { const p = Math.pow(10, Math.floor(Math.log10(v))); for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p; return 10 * p; }

        async function loadHistory(initial) {
          const since = !initial && samples.length ? samples[samples.length - 1].time : undefined;
          const data = await api('GET', '/api/v1/telemetry/history' + (since !== undefined ? '?since=' + since : ''));
          historyCapacity = data.capacity || historyCapacity;
          samples = initial ? data.samples : samples.concat(data.samples);
          if (samples.length > historyCapacity) samples = samples.slice(samples.length - historyCapacity);
          drawCharts();
          renderStats();
        }

        function renderStats() {
          const last = samples[samples.length - 1] || {};
          const minute = samples.filter(s => last.time - s.time < 60);
          const restartsLastMinute = minute.reduce((sum, s) => sum + s.restarts_per_second * s.seconds, 0);
          const stat = (label, value, id) => el('div', { class: 'stat', id }, el('b', { text: value }), el('span', { class: 'muted', text: label }));
          fill($('#stats'), [
            stat('sandboxes', formatNumber(last.sandboxes), 'stat-sandboxes'), stat('processes', formatNumber(last.processes), 'stat-processes'),
            stat('restarts in the last minute', formatNumber(Math.round(restartsLastMinute)), 'stat-restarts'),
            stat('messages per second', formatNumber(last.messages_per_second), 'stat-messages'),
            stat('operations per second', formatNumber(last.operations_per_second), 'stat-operations'),
            stat('operation p99 (ms)', last.latency_ms ? formatNumber(last.latency_ms.p99) : '–', 'stat-latency')]);
        }

        async function download(name, type, text) {
          const link = el('a', { href: URL.createObjectURL(new Blob([text], { type })), download: name });
          document.body.append(link); link.click(); link.remove();
          setTimeout(() => URL.revokeObjectURL(link.href), 1000);
        }
        function setupExport() {
          $('#export-csv').addEventListener('click', async () => {
            try { download('superlearner-metrics.csv', 'text/csv', (await api('GET', '/api/v1/telemetry/metrics?format=csv')).text); } catch (error) { fail(error); }
          });
          $('#export-json').addEventListener('click', async () => {
            try {
              const [metrics, events] = await Promise.all([api('GET', '/api/v1/telemetry/metrics'), api('GET', '/api/v1/telemetry/events?limit=10000')]);
              download('superlearner-telemetry.json', 'application/json', JSON.stringify({ metrics, events, history: samples }, null, 2));
            } catch (error) { fail(error); }
          });
        }

        // ---- nodes ---------------------------------------------------------------------------------------------
        async function loadNodes() {
          const area = $('#nodes');
          try {
            const [topology, health] = await Promise.all([execute('cluster_topology'), execute('cluster_health')]);
            // The nodes etcd knows, with whether each answered this node just now (an unreachable node is shown, not fatal).
            const healthByName = new Map((health.nodes || []).map(node => [node.name, node]));
            const rows = (topology.nodes || []).map(node => Object.assign({}, node, {
              reachable: healthByName.has(node.name) ? healthByName.get(node.name).reachable !== false : null,
              sandboxes: Array.isArray(node.sandboxes) ? node.sandboxes.join(' ') : node.sandboxes
            }));
            const keys = ['name', 'reachable', 'url', 'pid', 'sandboxes', 'processes', 'version', 'status'].filter(k => rows.some(row => row[k] !== undefined && row[k] !== null));
            fill(area, [
              el('h2', {}, 'Nodes ', el('span', { class: 'status ' + statusClass(health.status), text: health.status || '' })),
              el('table', { class: 'data nodes-table' }, el('thead', {}, el('tr', {}, keys.map(k => el('th', { scope: 'col', text: k })))),
                el('tbody', {}, rows.map(row => el('tr', { class: row.reachable === false ? 's-failed' : '' }, keys.map(k => el('td', { text: row[k] === true ? 'yes' : row[k] === false ? 'no' : row[k] === undefined || row[k] === null ? '–' : typeof row[k] === 'object' ? JSON.stringify(row[k]) : row[k] })))))),
              (health.unreachable || []).length ? el('div', {}, el('h3', { text: 'Unreachable' }), el('ul', {}, health.unreachable.map(name => el('li', { class: 's-failed', text: String(name) })))) : null,
              el('h2', { text: 'Health' }), el('pre', { text: JSON.stringify(health, null, 2) }),
              el('p', { class: 'muted', text: topology.cluster ? 'Cluster ' + topology.cluster + ' on etcd ' + (topology.etcd && topology.etcd.url || '') + '; distributed sandboxes by owner: ' + JSON.stringify(topology.sandboxes || {}) : 'This daemon is in no cluster (superlearner cluster start 3 makes one).' })]);
          } catch (error) { fill(area, [el('p', { class: 'field-error', text: error.message })]); }
        }

        // ---- start ---------------------------------------------------------------------------------------------
        async function start() {
          const started = performance.now();
          $('#node-name').textContent = policy.node + ' · ' + policy.version;
          const mode = $('#mode');
          if (policy.readOnly) { mode.textContent = 'read-only'; mode.classList.add('read-only'); }
          else if (policy.destructive) { mode.textContent = 'destructive actions on'; mode.classList.add('destructive'); }
          else mode.textContent = 'safe mode (no kill)';
          setupTabs(); setupTreeKeys(); setupCharts(); setupExport(); setupCreateForm();
          const filterSoon = debounce(applyTreeFilter, 150);
          for (const type of ['input', 'change', 'search']) $('#tree-search').addEventListener(type, filterSoon);
          $('#tree-problems').addEventListener('change', applyTreeFilter);
          $('#expand-all').addEventListener('click', () => { for (const path of nodes.keys()) toggle(path, true); });
          $('#collapse-all').addEventListener('click', () => { for (const path of nodes.keys()) toggle(path, false); });
          $('#timeline-close').addEventListener('click', closeTimeline);
          $('#detail-close').addEventListener('click', closeDetail);
          document.addEventListener('keydown', event => { if (event.key === 'Escape' && !$('#process-detail').hidden && !$('#confirm').open) closeDetail(); });
          for (const th of $$('#processes th[data-sort]')) th.querySelector('button').addEventListener('click', () => {
            const key = th.dataset.sort;
            processSort = { key, descending: processSort.key === key ? !processSort.descending : !['path', 'sandbox', 'kind', 'status'].includes(key) };
            refreshProcesses();
          });
          $('#process-sandbox').addEventListener('change', refreshProcesses);
          $('#process-limit').addEventListener('change', refreshProcesses);
          $('#process-refresh').addEventListener('click', refreshProcesses);
          $('#process-search').addEventListener('input', debounce(renderProcesses, 150));
          $('#event-filter').addEventListener('input', debounce(rerenderEvents, 150));
          $('#event-pause').addEventListener('change', rerenderEvents);
          $('#operation-history-clear').addEventListener('click', () => { localStorage.removeItem(historyKey); renderRunHistory([]); });
          showView(location.hash.slice(1) || 'overview');
          try {
            // The stream starts where the kept events shown here end, so nothing is missed or shown twice.
            const recent = await api('GET', '/api/v1/telemetry/events?limit=200');
            for (const event of recent) onEvent(event, true);
            const [ops, templateList, experimentList] = await Promise.all([
              api('GET', '/api/v1/arsenal/operations'), api('GET', '/api/v1/templates'), api('GET', '/api/v1/experiments'),
              loadTrees(), loadSandboxes(), loadHistory(true), currentView === 'processes' ? refreshProcesses() : null]);
            operations = ops; templates = templateList; experiments = experimentList;
            $('#sandbox-module').append(...templates.map(t => el('option', { value: t.name, text: t.name + ' — ' + (t.strategy || '') })));
            renderOperationList(); renderRunHistory();
            connect();
            window.superlearner.timings.firstRender = performance.now() - started;
            window.superlearner.timings.sinceNavigation = performance.now();
            body.dataset.ready = 'true';
          } catch (error) {
            body.dataset.ready = 'error';
            toast('the dashboard could not load: ' + error.message, 'error');
          }
          setInterval(() => { if (!document.hidden) loadHistory(false).catch(() => {}); }, 1000);
          setInterval(() => { if (currentView === 'processes' && !document.hidden) refreshProcesses(); }, 5000);
        }
        start();
        """#
}

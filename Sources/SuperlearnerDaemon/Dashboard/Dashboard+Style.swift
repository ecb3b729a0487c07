extension Dashboard {
    /// The style sheet (`/dashboard.css`). Colours are chosen for WCAG AA contrast (4.5:1 for text) on their
    /// backgrounds; status is never told by colour alone (each status is also written out).
    static let style = #"""
        :root{--fg:#1f2328;--muted:#57606a;--bg:#ffffff;--panel:#f6f8fa;--line:#d0d7de;--accent:#0550ae;
          --ok:#116329;--warn:#7d4e00;--bad:#a40e26;--okbg:#dafbe1;--warnbg:#fff8c5;--badbg:#ffebe9;--focus:#0969da}
        *{box-sizing:border-box}
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
        .skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:10}
        .sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
        :focus-visible{outline:3px solid var(--focus);outline-offset:1px}
        header.top{display:flex;gap:12px;align-items:center;padding:10px 20px;border-bottom:1px solid var(--line)}
        header.top h1{font-size:18px;margin:0}
        .node,.muted{color:var(--muted)}
        .badge{font-size:12px;padding:1px 8px;border-radius:10px;border:1px solid var(--line);background:var(--panel)}
        .badge.read-only{background:var(--warnbg);color:var(--warn);border-color:#d4a72c}
        .badge.destructive{background:var(--badbg);color:var(--bad);border-color:#ff8182}
        .connection{margin-left:auto;font-size:13px}
        .connection.live{color:var(--ok)}.connection.down{color:var(--bad)}
        nav.tabs{display:flex;gap:2px;padding:0 20px;border-bottom:1px solid var(--line);background:var(--panel)}
        nav.tabs button{border:0;background:none;padding:9px 14px;font:inherit;color:var(--fg);cursor:pointer;border-bottom:3px solid transparent}
        nav.tabs button[aria-selected=true]{border-bottom-color:var(--accent);font-weight:600}
        main{padding:16px 20px}
        h2{font-size:15px;margin:18px 0 8px}
        button,select,input,textarea{font:inherit;color:var(--fg)}
        button{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:3px 10px;cursor:pointer}
        button:hover{background:#eaeef2}
        button.primary{background:#1f6f3b;color:#fff;border-color:#1a5c31}
        button.danger{background:#a40e26;color:#fff;border-color:#82071e}
        button:disabled{opacity:.55;cursor:not-allowed}
        input,select,textarea{border:1px solid #8c959f;border-radius:6px;padding:3px 6px;background:#fff}
        textarea{width:100%;font-family:ui-monospace,monospace;font-size:12px}
        .toolbar{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:10px}
        label.inline{display:inline-flex;gap:4px;align-items:center}
        .panel{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:10px 0}
        .form .field{margin:8px 0;display:grid;gap:3px;max-width:640px}
        .form small{color:var(--muted)}
        .form-errors{color:var(--bad);padding-left:18px}.field-error{color:var(--bad);margin:2px 0}
        input[aria-invalid=true],select[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--bad);border-width:2px}
        table.data{border-collapse:collapse;width:100%}
        table.data th,table.data td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        table.data th button{border:0;background:none;padding:0;font-weight:600}
        table.data th[aria-sort] button::after{content:" ▾"}table.data th[aria-sort=ascending] button::after{content:" ▴"}
        table.data tbody tr{cursor:pointer}table.data tbody tr:hover{background:#f3f6f9}
        tr.selected{background:#ddf4ff!important}
        .num{text-align:right;font-variant-numeric:tabular-nums}
        .status{font-weight:600}
        .s-running,.s-waiting,.s-runnable,.s-ok,.s-pass{color:var(--ok)}
        .s-restarting,.s-exited,.s-degraded,.s-backoff,.s-stopped{color:var(--warn)}
        .s-failed,.s-fail,.s-dead,.s-critical,.s-escalated{color:var(--bad)}
        .stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:10px}
        .stat{background:var(--panel);border:1px solid var(--line);border-radius:8px;padding:8px 12px}
        .stat b{display:block;font-size:22px}
        .charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:14px;margin-top:14px}
        figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:8px 10px}
        figure.chart figcaption{display:flex;justify-content:space-between;font-weight:600}
        figure.chart svg{width:100%;height:150px;display:block}
        .axis{stroke:#8c959f;stroke-width:1}.grid{stroke:#d0d7de;stroke-width:1;stroke-dasharray:3 3}
        .axis-label{font-size:11px;fill:#57606a}
        .legend span{margin-right:10px;font-size:12px}.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
        .tree-layout{display:grid;grid-template-columns:1fr;gap:14px}
        .tree-layout.with-panel{grid-template-columns:minmax(0,1fr) 420px}
        .supervisor-tree{border:1px solid var(--line);border-radius:8px;margin-bottom:12px;padding:6px 10px}
        .supervisor-tree>h3{font-size:14px;margin:4px 0;display:flex;gap:10px;align-items:center}
        .supervisor-tree ul{list-style:none;margin:0;padding-left:20px}
        .supervisor-tree>ul{padding-left:0}
        .tree-node>.node-row{display:flex;gap:8px;align-items:center;padding:1px 4px;border-radius:4px;white-space:nowrap}
        .tree-node>.node-row:focus{background:#ddf4ff}
        .tree-node[aria-expanded=false]>ul{display:none}
        .tree-node.filtered-out{display:none}
        .twisty{border:0;background:none;width:20px;padding:0}
        .leaf-pad{display:inline-block;width:20px}
        .node-id{font-weight:600}.node-type,.node-pid{color:var(--muted);font-size:12px}
        .node-pid{font-family:ui-monospace,monospace}
        .node-restarts{font-size:12px}
        .node-row .mini{font-size:12px;padding:0 6px}
        .tree-node.recent>.node-row{background:var(--warnbg);transition:background 1s}
        .tree-node.highlight>.node-row{outline:3px solid var(--accent)}
        .tree-node.match>.node-row .node-id{text-decoration:underline}
        .budget{height:10px;background:#eaeef2;border-radius:5px;overflow:hidden;margin:4px 0}
        .budget>div{height:100%;background:var(--ok)}.budget.near>div{background:#bf8700}.budget.full>div{background:var(--bad)}
        .timeline svg{width:100%;height:90px}
        .history{font-size:13px;padding-left:20px}
        .ops-layout{display:grid;grid-template-columns:260px minmax(0,1fr);gap:14px}
        .op-list h3{font-size:12px;text-transform:uppercase;color:var(--muted);margin:10px 0 4px}
        .op-list button{display:flex;justify-content:space-between;width:100%;border:0;background:none;text-align:left;padding:3px 6px}
        .op-list button[aria-current=true]{background:#ddf4ff}
        .risk{font-size:11px;padding:0 6px;border-radius:8px;border:1px solid}
        .risk-read{color:var(--ok);border-color:#4ac26b}.risk-mutating{color:var(--warn);border-color:#d4a72c}.risk-destructive{color:var(--bad);border-color:#ff8182}
        pre{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px;overflow:auto;max-height:420px;font-size:12px}
        .events{font:12px/1.5 ui-monospace,monospace;list-style:none;padding:0;margin:0;max-height:70vh;overflow:auto}
        .events li{border-bottom:1px solid #eaeef2;padding:1px 4px;white-space:pre-wrap;word-break:break-all}
        .events .ev-name{font-weight:600}
        .drawer{position:fixed;top:0;right:0;bottom:0;width:min(560px,100%);background:#fff;border-left:1px solid var(--line);box-shadow:-4px 0 16px rgba(0,0,0,.12);overflow:auto;padding:12px 16px;z-index:5}
        .drawer-head{display:flex;justify-content:space-between;align-items:center}
        dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
        dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
        .linkish{border:0;background:none;color:var(--accent);text-decoration:underline;padding:0;font-family:ui-monospace,monospace;font-size:12px}
        .actions{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:6px 0}
        .verdict{font-weight:700;font-size:16px}
        dialog{border:1px solid var(--line);border-radius:8px;padding:16px 18px;max-width:460px}
        dialog::backdrop{background:rgba(0,0,0,.3)}
        .dialog-buttons{display:flex;gap:8px;justify-content:flex-end}
        .toasts{position:fixed;bottom:16px;left:50%;transform:translateX(-50%);display:grid;gap:6px;z-index:20}
        .toast{background:#24292f;color:#fff;padding:8px 14px;border-radius:6px}
        .toast.error{background:#a40e26}
        @media (max-width:900px){.ops-layout,.tree-layout.with-panel{grid-template-columns:1fr}}
        """#
}

/// The page served at `/`: plain HTML, CSS and JS embedded in the binary, no build step. It reads the
/// same API as the command line: sandboxes, their trees, processes, and the live event stream.
enum Dashboard {
    static func html(allowDestructive: Bool) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>superlearner</title>
        <style>
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:1.5em}
        table{border-collapse:collapse}td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left}
        .running{color:#080}.failed{color:#b00}#events{height:12em;overflow:auto;background:#f6f6f6;font:12px monospace;padding:6px}
        </style></head><body>
        <h1>superlearner</h1>
        <h2>Sandboxes</h2><table id="sandboxes"><tr><th>id</th><th>status</th><th>template</th><th>processes</th></tr></table>
        <h2>Processes</h2><table id="processes"><tr><th>pid</th><th>path</th><th>status</th><th>mailbox</th><th>restarts</th>\(allowDestructive ? "<th></th>" : "")</tr></table>
        <h2>Events</h2><div id="events"></div>
        <script>
        const destructive = \(allowDestructive ? "true" : "false");
        function cell(t){const d=document.createElement('td');d.textContent=t==null?'-':t;return d}
        async function refresh(){
          const s=await (await fetch('/api/v1/sandboxes')).json();const st=document.getElementById('sandboxes');
          st.querySelectorAll('tr+tr').forEach(r=>r.remove());
          for(const b of s.data){const r=st.insertRow();[b.id,b.status,b.template,b.process_count].forEach(v=>r.appendChild(cell(v)));r.children[1].className=b.status}
          const p=await (await fetch('/api/v1/processes?limit=200')).json();const pt=document.getElementById('processes');
          pt.querySelectorAll('tr+tr').forEach(r=>r.remove());
          for(const x of p.data){const r=pt.insertRow();[x.pid,x.path,x.status,x.mailbox,x.restarts].forEach(v=>r.appendChild(cell(v)));
            if(destructive&&x.path){const b=document.createElement('button');b.textContent='kill';
              b.onclick=()=>fetch('/api/v1/processes/'+encodeURIComponent(x.path),{method:'DELETE',headers:{'X-Superlearner-Request':'1'}}).then(refresh);
              const d=document.createElement('td');d.appendChild(b);r.appendChild(d)}}
        }
        const log=document.getElementById('events');
        new EventSource('/api/v1/events').onmessage=e=>{const ev=JSON.parse(e.data);const line=document.createElement('div');
          line.textContent=ev.seq+' '+ev.name+' '+JSON.stringify(ev.metadata);log.prepend(line);
          if(/sandbox\\.|restart|escalation/.test(ev.name))refresh()};
        refresh();setInterval(refresh,5000);
        </script></body></html>
        """
    }
}

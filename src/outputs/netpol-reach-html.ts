/**
 * `aspis netpol reach -o html`: one self-contained page (no network access, no external script or style) showing the
 * connectivity matrix: rows are sources, columns destinations, a filled cell an allowed connection (its ports on
 * hover and in the details pane), plus traffic with the outside of the cluster. A namespace filter narrows the grid.
 * The report JSON is embedded as data and rendered with textContent only: names from the input cannot inject markup.
 */
import type { NetpolReachReport } from './netpol-report.js';

/** JSON safe inside <script>: no `<` (so no `</script>` or `<!--`), and no U+2028/2029 line separators. */
function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d1d1f; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.5em; }
table { border-collapse: collapse; }
.matrix td, .matrix th { border: 1px solid #ddd; padding: 0; min-width: 1.4em; height: 1.4em; text-align: center; }
.matrix th.col { writing-mode: vertical-rl; transform: rotate(180deg); padding: 4px 0; font-weight: normal; white-space: nowrap; }
.matrix th.row { text-align: right; padding: 0 6px; font-weight: normal; white-space: nowrap; }
.matrix td.all { background: #e4572e; } .matrix td.some { background: #f3a712; } .matrix td.sel { outline: 2px solid #000; }
.list td, .list th { border-bottom: 1px solid #eee; padding: 2px 10px 2px 0; text-align: left; vertical-align: top; }
.legend span { display: inline-block; width: 1em; height: 1em; vertical-align: middle; margin: 0 4px 0 12px; }
#details { margin-top: 1em; padding: 8px; background: #f5f5f7; min-height: 1.4em; white-space: pre-wrap; }
.note { color: #555; }
`;

const SCRIPT = `
const report = JSON.parse(document.getElementById('report').textContent);
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  Object.assign(node, props);
  for (const child of children) node.append(child);
  return node;
};
const edges = new Map(report.edges.map((e) => [e.from + '\\u0000' + e.to, e]));
const namespaces = [...new Set(report.workloads.map((w) => w.namespace))].sort();
const filter = document.getElementById('namespace');
for (const ns of namespaces) filter.append(el('option', { value: ns, textContent: ns }));
const s = report.summary;
document.getElementById('summary').textContent =
  s.workloads + ' workloads, ' + s.edges + ' of ' + s.pairs + ' ordered pairs connected; isolated for ingress ' +
  s.isolatedForIngress + ', for egress ' + s.isolatedForEgress + ' (source: ' + report.source + ')';
const details = document.getElementById('details');
function render() {
  const ns = filter.value;
  const shown = report.workloads.filter((w) => !ns || w.namespace === ns);
  const table = el('table', { className: 'matrix' });
  const head = el('tr', {}, el('th', { textContent: 'from \\\\ to' }));
  for (const w of shown) head.append(el('th', { className: 'col', textContent: w.id, title: w.id }));
  table.append(head);
  for (const from of shown) {
    const row = el('tr', {}, el('th', { className: 'row', textContent: from.id }));
    for (const to of shown) {
      const edge = edges.get(from.id + '\\u0000' + to.id);
      const cell = el('td', { className: edge ? (edge.ports === 'all' ? 'all' : 'some') : '', title: edge ? from.id + ' → ' + to.id + ': ' + edge.ports : '' });
      cell.addEventListener('click', () => {
        document.querySelectorAll('td.sel').forEach((c) => c.classList.remove('sel'));
        cell.classList.add('sel');
        const why = (w, dir) => w.hostNetwork ? 'hostNetwork: not subject to NetworkPolicy' : w.isolated[dir] ? 'isolated by ' + w.policies[dir].join(', ') : 'not isolated';
        details.textContent = from.id + ' → ' + to.id + ': ' + (edge ? 'allowed on ' + edge.ports : 'denied') +
          '\\n  egress at source: ' + why(from, 'egress') + '\\n  ingress at destination: ' + why(to, 'ingress') +
          '\\n  (aspis netpol explain --from ' + from.kind + '/' + from.namespace + '/' + from.name + ' --to ' + to.kind + '/' + to.namespace + '/' + to.name + ' --port PORT says which rule decides)';
      });
      row.append(cell);
    }
    table.append(row);
  }
  document.getElementById('matrix').replaceChildren(table);
  for (const [id, list, label] of [['ingress', report.external.ingress, 'to'], ['egress', report.external.egress, 'from']]) {
    const rows = list.filter((e) => shown.some((w) => w.id === e.workload));
    const t = el('table', { className: 'list' }, el('tr', {}, el('th', { textContent: label + ' workload' }), el('th', { textContent: 'addresses' }), el('th', { textContent: 'ports' })));
    for (const e of rows) t.append(el('tr', {}, el('td', { textContent: e.workload }), el('td', { textContent: e.addresses.join(', ') }), el('td', { textContent: e.ports })));
    document.getElementById(id).replaceChildren(rows.length ? t : el('p', { textContent: 'none' }));
  }
}
filter.addEventListener('change', render);
const notes = document.getElementById('notes');
for (const note of report.notes) notes.append(el('li', { className: 'note', textContent: note }));
render();
`;

export function renderNetpolReachHtml(report: NetpolReachReport): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>aspis netpol reach</title>
<style>${STYLE}</style>
</head>
<body>
<h1>NetworkPolicy connectivity</h1>
<p id="summary"></p>
<p>Namespace <select id="namespace"><option value="">all</option></select>
<span class="legend"><span style="background:#e4572e"></span>every port<span style="background:#f3a712"></span>some ports</span></p>
<div id="matrix"></div>
<div id="details">Click a cell for details.</div>
<h2>From outside the cluster</h2>
<div id="ingress"></div>
<h2>To outside the cluster</h2>
<div id="egress"></div>
<ul id="notes"></ul>
<script type="application/json" id="report">${embeddedJson(report)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

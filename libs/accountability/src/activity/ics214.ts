import { csvText } from '@app/common';
import type { ActivityLog } from './activity-log.service';

const HEADER = ['Incident Name', 'Incident Number', 'Operational Period', 'Date/Time', 'Subject', 'Notable Activity', 'Priority', 'Recorded By', 'Source'];

/** ICS 214 Activity Log as CSV: one row per activity (block 7), with the form's header blocks on each row. */
export function ics214Csv(log: ActivityLog): string {
  return csvText([
    HEADER,
    ...log.items.map((i) => [
      log.incident.name,
      log.incident.number,
      log.period.label,
      i.at,
      i.subject ?? i.subjectKind,
      i.text,
      i.priority,
      i.author,
      i.automatic ? 'automatic' : 'written',
    ]),
  ]);
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** ICS 214 as a printable page (print to PDF from the browser): the form's blocks 1-2 and 7. */
export function ics214Html(log: ActivityLog): string {
  const rows = log.items
    .map(
      (i) =>
        `<tr class="${i.priority}"><td>${esc(i.at.replace('T', ' ').slice(0, 16))}</td><td>${esc(i.subject ?? i.subjectKind)}</td><td>${esc(i.text)}</td><td>${esc(i.priority)}</td><td>${esc(i.author)}${i.automatic ? ' (auto)' : ''}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ICS 214 Activity Log: ${esc(log.incident.name)}</title>
<style>
body{font:12px/1.4 system-ui,sans-serif;margin:1.5cm}h1{font-size:16px}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #444;padding:3px 5px;text-align:left;vertical-align:top}th{background:#eee}
tr.urgent td{font-weight:bold}@media print{body{margin:0}}
</style></head><body>
<h1>ACTIVITY LOG (ICS 214)</h1>
<p><b>1. Incident Name:</b> ${esc(log.incident.name)} &nbsp; <b>Incident Number:</b> ${esc(log.incident.number)}<br>
<b>2. Operational Period:</b> ${esc(log.period.label)}${log.period.from ? ` (${esc(log.period.from)} to ${esc(log.period.to ?? '')})` : ''}</p>
<h2>7. Activity Log</h2>
<table><thead><tr><th>Date/Time (UTC)</th><th>Subject</th><th>Notable Activities</th><th>Priority</th><th>Recorded by</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p>${log.items.length} entries. Automatic entries come from the incident's audit trail.</p>
</body></html>
`;
}

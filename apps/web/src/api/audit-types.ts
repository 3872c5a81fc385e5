/** The audit API's shapes (libs/audit) as the auditor view reads them: generated schemas (schema.d.ts) and helpers. */
import type { components } from './schema';

export type AuditActor =
  | { kind: 'user'; userId: string; role: string; email?: string; ip?: string; device?: string }
  | { kind: 'anonymous'; email?: string; ip?: string; device?: string }
  | { kind: 'system'; process: string; job?: string };

export type AuditEntry = components['schemas']['AuditEntryDto'];

/** A page of entries: a list with the cursor of the next page. */
export type AuditPage = AuditEntry[] | { entries?: AuditEntry[]; items?: AuditEntry[]; nextCursor?: string | null; cursor?: string | null };

export const entriesOf = (page: AuditPage): AuditEntry[] => (Array.isArray(page) ? page : (page.entries ?? page.items ?? []));
export const nextCursorOf = (page: AuditPage): string | undefined => (Array.isArray(page) ? undefined : (page.nextCursor ?? undefined));

export type ChainProblem = components['schemas']['ChainProblemDto'];

export type ChainVerification = components['schemas']['ChainVerificationDto'];

const TAMPER_WORD: Record<string, string> = {
  modified: 'an entry was modified',
  deleted: 'an entry was deleted',
  inserted: 'an entry was inserted',
  reordered: 'entries were reordered',
  checkpoint_mismatch: 'a signed checkpoint does not match',
};

export function verificationSummary(v: ChainVerification): { ok: boolean; text: string } {
  const checkpoints =
    v.checkpoints.verified > 0 ? `${v.checkpoints.verified} signed checkpoint${v.checkpoints.verified === 1 ? '' : 's'} verified` : 'no signed checkpoint yet';
  if (v.ok) return { ok: true, text: `${v.entries} entr${v.entries === 1 ? 'y' : 'ies'} checked, ${checkpoints}.` };
  const p = v.problem;
  if (!p) return { ok: false, text: 'The chain does not verify.' };
  return {
    ok: false,
    text: `${TAMPER_WORD[p.kind] ?? p.kind} at entry ${p.seq}${p.afterSeq !== undefined ? ` (after entry ${p.afterSeq})` : ''}: ${p.message}`,
  };
}

export function describeActor(a: AuditActor): string {
  if (a.kind === 'user') return `${a.email ?? a.userId} (${a.role})${a.device ? ` on ${a.device}` : ''}`;
  if (a.kind === 'system') return `system: ${a.process}${a.job ? ` / ${a.job}` : ''}`;
  return `anonymous${a.email ? ` (${a.email})` : ''}${a.ip ? ` from ${a.ip}` : ''}`;
}

/** GET /reports/incidents/:id/deployments (JSON). */
export type DeploymentReport = components['schemas']['DeploymentReportDto'];

/** One line about an entry's evidence, for the log table (the whole payload is one click away). */
export function summarizePayload(payload: Record<string, unknown>): string {
  const parts: string[] = [];
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);
  const record = (v: unknown): Record<string, unknown> | undefined =>
    v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  const decision = str(payload.decision);
  if (decision) parts.push(decision.replace(/_/g, ' '));
  const verification = record(payload.verification);
  const qualification = str(verification?.qualification);
  if (qualification) parts.push(qualification);
  const issuer = str(record(verification?.issuer)?.registryName);
  if (issuer) parts.push(issuer);
  if (Array.isArray(payload.reasons) && payload.reasons.length > 0) {
    parts.push(
      payload.reasons
        .map((r) => str(record(r)?.code) ?? '')
        .filter(Boolean)
        .join(', '),
    );
  }
  const to = record(payload.to);
  const from = record(payload.from);
  if (to && str(to.status))
    parts.push(
      `${from && str(from.status) ? `${String(from.status)} → ` : ''}${String(to.status)}${str(to.assignment) ? ` (${String(to.assignment)})` : ''}${str(to.reason) ? ` (${String(to.reason)})` : ''}`,
    );
  const note = str(payload.note);
  if (note) parts.push(`“${note}”`);
  return parts.join(' · ');
}

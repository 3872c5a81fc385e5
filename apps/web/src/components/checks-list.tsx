import type { CredentialSummary, VerificationCheck } from '../api/types';
import { CHECK_NAME, CHECK_STATUS_ICON, CHECK_STATUS_WORD, formatDate } from '../text';

/** Every check of a verification, its result in words and an icon (never colour alone), and why. */
export function ChecksList({ checks, caption = 'Checks' }: { checks: VerificationCheck[]; caption?: string }) {
  if (checks.length === 0) return <p>No checks were run.</p>;
  return (
    <table class="checks">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Result</th>
          <th scope="col">Details</th>
        </tr>
      </thead>
      <tbody>
        {checks.map((c) => (
          <tr key={c.id} class={`check check-${c.status}`} data-check={c.id} data-status={c.status}>
            <th scope="row">{CHECK_NAME[c.id] ?? c.id}</th>
            <td class="check-status">
              <span aria-hidden="true" class="check-icon">
                {CHECK_STATUS_ICON[c.status] ?? '?'}
              </span>{' '}
              {CHECK_STATUS_WORD[c.status] ?? c.status}
            </td>
            <td>
              {c.message}
              {c.code !== 'ok' && c.code !== 'skipped' && <code class="code"> {c.code}</code>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What the credential says, with the issuer's name taken from the trust registry (never the name it claims). */
export function CredentialFacts({ credential }: { credential: CredentialSummary | null | undefined }) {
  if (!credential) return <p>The credential could not be read.</p>;
  const issuerName = credential.issuer.registryName;
  return (
    <dl class="facts">
      <dt>Name</dt>
      <dd>{credential.subject.name ?? credential.subject.email ?? credential.subject.id ?? 'Not stated'}</dd>
      <dt>Qualification</dt>
      <dd>
        {credential.qualification ?? 'Not recognised'}
        {credential.achievement?.name ? ` – ${credential.achievement.name}` : ''}
      </dd>
      <dt>Issuer</dt>
      <dd>
        {issuerName ?? (
          <>
            <span aria-hidden="true">⚠ </span>Not in the trust registry
            {credential.issuer.claimedName ? ` (calls itself "${credential.issuer.claimedName}")` : ''}
          </>
        )}
        <br />
        <small class="mono">{credential.issuer.id}</small>
      </dd>
      {credential.licenseNumber && (
        <>
          <dt>Licence number</dt>
          <dd>{credential.licenseNumber}</dd>
        </>
      )}
      {(credential.validFrom || credential.validUntil) && (
        <>
          <dt>Valid</dt>
          <dd>
            {credential.validFrom ? `from ${formatDate(credential.validFrom)} ` : ''}
            {credential.validUntil ? `until ${formatDate(credential.validUntil)}` : 'with no end date'}
          </dd>
        </>
      )}
      {credential.format && (
        <>
          <dt>Format</dt>
          <dd>{credential.format}</dd>
        </>
      )}
    </dl>
  );
}

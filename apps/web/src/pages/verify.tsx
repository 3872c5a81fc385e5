import { useRef, useState } from 'preact/hooks';
import { ApiError } from '../api/http';
import type { Problem, VerifyResponse } from '../api/types';
import { ChecksList, CredentialFacts } from '../components/checks-list';
import { ErrorNotice } from '../components/notices';
import { useAction } from '../components/use-async';
import { CameraScanner } from '../scan/camera-scanner';
import { api } from '../session';

/** Verify any credential (paste or scan) and see every check: nothing is recorded at an incident. */
export function VerifyPage() {
  const [text, setText] = useState('');
  const [jurisdiction, setJurisdiction] = useState('');
  const [fullReport, setFullReport] = useState(false);
  const [result, setResult] = useState<VerifyResponse | undefined>(undefined);
  const action = useAction();
  const resultRef = useRef<HTMLElement>(null);

  const verify = async (credential: string): Promise<void> => {
    const value = credential.trim();
    if (!value) return;
    setResult(undefined);
    const res = await action.run(async () => {
      const answer = await api.post<VerifyResponse | Problem>(
        '/credentials/verify',
        {
          verifiableCredential: value,
          options: { ...(jurisdiction.trim() ? { jurisdiction: jurisdiction.trim().toUpperCase() } : {}), ...(fullReport ? { fullReport } : {}) },
        },
        { accept: [400] },
      );
      // A 400 is either a verification result (not verified) or a problem with the request itself.
      if (!Array.isArray((answer as VerifyResponse).checks)) throw new ApiError(400, answer as Problem);
      return answer as VerifyResponse;
    });
    if (res) {
      setResult(res);
      setTimeout(() => resultRef.current?.focus(), 0);
    }
  };

  return (
    <div class="page verify">
      <h1>Verify a credential</h1>
      <p class="hint">Checks a badge without checking anyone in: signature, contents, dates, revocation and whether its issuer is trusted.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void verify(text);
        }}
      >
        <div class="field">
          <label for="verify-input">Credential (compact JWS, or a link carrying one)</label>
          <textarea id="verify-input" rows={5} spellcheck={false} maxLength={65536} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="verify-jurisdiction">Check issuer trust for jurisdiction (optional)</label>
          <input
            id="verify-jurisdiction"
            type="text"
            placeholder="US-FL"
            size={8}
            value={jurisdiction}
            onInput={(e) => setJurisdiction(e.currentTarget.value)}
          />
        </div>
        <div class="field">
          <label>
            <input type="checkbox" checked={fullReport} onChange={(e) => setFullReport(e.currentTarget.checked)} /> Full report, even for an issuer that is not
            trusted (fetches its keys and status lists)
          </label>
        </div>
        <div class="actions">
          <button type="submit" class="button-primary" disabled={action.busy || !text.trim()}>
            {action.busy ? 'Verifying…' : 'Verify'}
          </button>
          <CameraScanner
            label="Scan a QR code"
            onScan={(scanned) => {
              setText(scanned);
              void verify(scanned);
            }}
          />
        </div>
      </form>
      <ErrorNotice error={action.error} prefix="Verification could not run" />
      {result && (
        <section
          ref={resultRef}
          tabIndex={-1}
          class={`verify-result ${result.verified ? 'result-admitted' : (result.errors?.length ?? 0) > 0 ? 'result-denied' : 'result-admitted_with_warnings'}`}
          aria-labelledby="verify-verdict"
          data-testid="verify-result"
          data-verified={String(result.verified)}
        >
          <p class="result-word" id="verify-verdict" role="status">
            <span aria-hidden="true" class="result-icon">
              {result.verified ? '✔' : (result.errors?.length ?? 0) > 0 ? '✖' : '⚠'}
            </span>{' '}
            {result.verified ? 'VERIFIED' : (result.errors?.length ?? 0) > 0 ? 'NOT VERIFIED' : 'NOT FULLY VERIFIED'}
          </p>
          <CredentialFacts credential={result.credential} />
          <ChecksList checks={result.checks} caption="Every check and its result" />
          {result.evidence?.keyId && (
            <p class="hint">
              Signed with key <span class="mono">{result.evidence.keyId}</span>
              {result.evidence.algorithm ? ` (${result.evidence.algorithm})` : ''}.
            </p>
          )}
          {(result.credentials ?? []).map((inner, i) => (
            <div key={i} class="inner-credential">
              <h2>Enclosed credential {i + 1}</h2>
              <CredentialFacts credential={inner.credential} />
              <ChecksList checks={inner.checks} caption={`Checks of enclosed credential ${i + 1}`} />
            </div>
          ))}
        </section>
      )}
    </div>
  );
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `ob3-jwt` now names the Open Badges 3.0 JWT form (the payload is the credential). Credentials stored before under
 * that name carry their credential in a `vc` claim, the form now called `jwt-vc`: their label follows, so reports and
 * the audit trail say which form was verified. Reverification reads the stored JWS itself and is not affected.
 */
export class VcClaimFormatName1765000500000 implements MigrationInterface {
  name = 'VcClaimFormatName1765000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE presented_credential
         SET format = 'jwt-vc',
             summary = CASE WHEN summary ? 'format' THEN jsonb_set(summary, '{format}', '"jwt-vc"') ELSE summary END
       WHERE format = 'ob3-jwt'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE presented_credential
         SET format = 'ob3-jwt',
             summary = CASE WHEN summary ? 'format' THEN jsonb_set(summary, '{format}', '"ob3-jwt"') ELSE summary END
       WHERE format = 'jwt-vc'`);
  }
}

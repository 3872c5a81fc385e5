import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_append(chain, genesis, contents[]): moves a chain head past several entries at once and returns each
 * entry's link (seq, prev_hash, hash), so one statement can append a whole batch of check-ins to an incident's
 * chain under one lock of its head. The link is the one libs/audit/src/audit-hash.ts defines:
 * hash = sha256(prev_hash "\n" seq "\n" content). The head row is locked until the caller commits, so appends to
 * a chain are ordered; a missing head starts from the genesis hash. Runs with the caller's privileges.
 */
export class AuditAppendFunction1764300700000 implements MigrationInterface {
  name = 'AuditAppendFunction1764300700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append(p_chain_id text, p_genesis text, p_contents text[])
      RETURNS TABLE (ord integer, seq bigint, prev_hash text, hash text)
      LANGUAGE plpgsql VOLATILE AS $$
      #variable_conflict use_column
      DECLARE
        v_seq bigint;
        v_hash text;
        v_prev text;
      BEGIN
        SELECT c.last_seq, c.last_hash INTO v_seq, v_hash FROM audit_chain c WHERE c.chain_id = p_chain_id FOR UPDATE;
        IF NOT FOUND THEN
          INSERT INTO audit_chain (chain_id, last_seq, prev_hash, last_hash) VALUES (p_chain_id, 0, NULL, p_genesis)
            ON CONFLICT (chain_id) DO NOTHING;
          SELECT c.last_seq, c.last_hash INTO v_seq, v_hash FROM audit_chain c WHERE c.chain_id = p_chain_id FOR UPDATE;
        END IF;
        FOR i IN 1 .. coalesce(array_length(p_contents, 1), 0) LOOP
          v_prev := v_hash;
          v_seq := v_seq + 1;
          v_hash := encode(sha256(convert_to(v_prev || E'\\n' || v_seq::text || E'\\n' || p_contents[i], 'UTF8')), 'hex');
          ord := i;
          seq := v_seq;
          prev_hash := v_prev;
          hash := v_hash;
          RETURN NEXT;
        END LOOP;
        UPDATE audit_chain c SET last_seq = v_seq, prev_hash = v_prev, last_hash = v_hash WHERE c.chain_id = p_chain_id;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit_append(text, text, text[])`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * par_member without its foreign key to deployment. The expected list is copied from who is on scene in the same
 * transaction, and deployments are never deleted; the key's check locked every deployment row of the list (FOR KEY
 * SHARE, one lookup per row), which was most of the time a 5,000-person PAR took to start.
 */
export class ParMemberWithoutDeploymentKey1765009200000 implements MigrationInterface {
  name = 'ParMemberWithoutDeploymentKey1765009200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE par_member DROP CONSTRAINT par_member_deployment_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE par_member ADD CONSTRAINT par_member_deployment_id_fkey FOREIGN KEY (deployment_id) REFERENCES deployment(id)`);
  }
}

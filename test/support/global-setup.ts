import { prepareTemplateDatabase } from '@app/db';

/** Runs once before the e2e files: migrates the template database that every e2e file clones. */
export default async function globalSetup(): Promise<void> {
  await prepareTemplateDatabase();
}
